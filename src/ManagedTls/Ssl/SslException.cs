namespace ManagedTls.Ssl;

/// <summary>
/// Python's <c>ssl.SSLError</c>: the base of the facade's TLS errors. <see cref="Library"/> and
/// <see cref="Reason"/> carry OpenSSL's error library and reason code names when there are some
/// (<c>X509</c> / <c>NO_CERTIFICATE_OR_CRL_FOUND</c>), as Python's <c>library</c> and <c>reason</c> attributes.
/// The message reads as Python's <c>str()</c> of the error without the C source location:
/// <c>[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found</c>.
/// </summary>
public class SslException : Exception
{
    /// <summary>Creates an error with a plain message and no library or reason.</summary>
    /// <param name="message">The message.</param>
    public SslException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an error with a plain message wrapping another exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public SslException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates an error from OpenSSL-style parts; the message becomes <c>[LIBRARY: REASON] text</c>.</summary>
    /// <param name="library">OpenSSL library name (<c>X509</c>, <c>PEM</c>, <c>ASN1</c>, <c>SSL</c>), or null.</param>
    /// <param name="reason">OpenSSL reason code name, or null.</param>
    /// <param name="text">The lower-case OpenSSL text.</param>
    /// <param name="inner">The cause, if any.</param>
    public SslException(string? library, string? reason, string text, Exception? inner = null)
        : base(Format(library, reason, text), inner)
    {
        Library = library;
        Reason = reason;
    }

    /// <summary>OpenSSL error library name (Python's <c>library</c>), or null.</summary>
    public string? Library { get; }

    /// <summary>OpenSSL reason code name (Python's <c>reason</c>), or null.</summary>
    public string? Reason { get; }

    private static string Format(string? library, string? reason, string text) =>
        library is null ? text : reason is null ? $"[{library}] {text}" : $"[{library}: {reason}] {text}";
}
