namespace ManagedTls.CipherSuites;

/// <summary>Why a cipher string was refused.</summary>
public enum CipherStringError
{
    /// <summary>
    /// A character that is neither a separator nor part of a word, a dangling <c>+</c>, an unknown
    /// <c>@</c> command, or a security level outside 0..5 (OpenSSL: "invalid command").
    /// </summary>
    InvalidCommand,

    /// <summary>The string is well formed but selects no cipher suite (OpenSSL: "no cipher match").</summary>
    NoCipherMatch,
}

/// <summary>
/// A cipher string (OpenSSL's cipher-list format, as <c>SSLContext.set_ciphers</c> takes it) or a TLS 1.3
/// suite list was refused. The facade surfaces it as <c>SslException</c>, as Python raises <c>SSLError</c>.
/// </summary>
public sealed class CipherStringException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The cause.</param>
    /// <param name="cipherString">The string that was refused.</param>
    /// <param name="message">A readable explanation.</param>
    public CipherStringException(CipherStringError error, string cipherString, string message)
        : base(message)
    {
        Error = error;
        CipherString = cipherString;
    }

    /// <summary>The cause.</summary>
    public CipherStringError Error { get; }

    /// <summary>The string that was refused.</summary>
    public string CipherString { get; }
}
