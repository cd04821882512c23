namespace ManagedTls.Ssl;

/// <summary>
/// Python's <c>ssl.SSLError</c>: the base of the facade's TLS errors. <see cref="Library"/> and
/// <see cref="Reason"/> carry OpenSSL's error library and reason code names when there are some
/// (<c>X509</c> / <c>NO_CERTIFICATE_OR_CRL_FOUND</c>), as Python's <c>library</c> and <c>reason</c> attributes.
/// The message reads as Python's <c>str()</c> of the error without the C source location:
/// <c>[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found</c>. <see cref="Errno"/> is Python's
/// <c>errno</c> (an <see cref="SslErrorNumber"/>) for the errors a connection raises. As Python's <c>SSLError</c> is an
/// <c>OSError</c>, this is an <see cref="IOException"/>: code that reads a <see cref="TlsStream"/> or an
/// <see cref="SslSocket"/> and catches <see cref="IOException"/> sees TLS failures too (decision 0026); catch
/// <see cref="SslException"/> first to tell them from other I/O errors.
/// </summary>
public class SslException : IOException
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

    /// <summary>
    /// Creates the error a TLS connection raises: Python's <c>errno</c> is <paramref name="errno"/> and the message
    /// <c>[LIBRARY: REASON] text</c>, or <paramref name="text"/> alone when <paramref name="library"/> is null
    /// (<c>The operation did not complete (read)</c>).
    /// </summary>
    /// <param name="errno">OpenSSL's <c>SSL_get_error</c> code, as Python's <c>errno</c>.</param>
    /// <param name="library">OpenSSL library name, or null.</param>
    /// <param name="reason">OpenSSL reason code name, or null.</param>
    /// <param name="text">The text.</param>
    /// <param name="inner">The cause, if any.</param>
    public SslException(SslErrorNumber errno, string? library, string? reason, string text, Exception? inner = null)
        : this(library, reason, text, inner)
    {
        Errno = errno;
    }

    /// <summary>
    /// Python's <c>errno</c> for an error a TLS connection raised (<c>SSL_ERROR_SSL</c> = 1 for a protocol or
    /// verification failure, 2 for want-read, ...); null for the others. Python leaves <c>errno</c> <c>None</c>
    /// for errors built from a message alone (<c>No cipher can be selected.</c>) and puts OpenSSL's packed reason code
    /// there for configuration errors (<c>[X509: KEY_VALUES_MISMATCH]</c> has 116), which ManagedTls does not reproduce.
    /// </summary>
    public SslErrorNumber? Errno { get; }

    /// <summary>OpenSSL error library name (Python's <c>library</c>), or null.</summary>
    public string? Library { get; }

    /// <summary>OpenSSL reason code name (Python's <c>reason</c>), or null.</summary>
    public string? Reason { get; }

    private static string Format(string? library, string? reason, string text) =>
        library is null ? text : reason is null ? $"[{library}] {text}" : $"[{library}: {reason}] {text}";
}
