namespace ManagedTls.Ssl;

/// <summary>
/// Python's <c>ssl.SSLErrorNumber</c>: OpenSSL's <c>SSL_get_error</c> codes, which Python puts in <c>errno</c> of the
/// error a TLS connection raises (<see cref="SslException.Errno"/>). Same numeric values as Python's.
/// </summary>
public enum SslErrorNumber
{
    /// <summary><c>SSL_ERROR_SSL</c> (1): a protocol or verification failure (<see cref="SslException"/>, <see cref="SslCertVerificationException"/>).</summary>
    Ssl = 1,

    /// <summary><c>SSL_ERROR_WANT_READ</c> (2): <see cref="SslWantReadException"/>.</summary>
    WantRead = 2,

    /// <summary><c>SSL_ERROR_WANT_WRITE</c> (3): <see cref="SslWantWriteException"/>.</summary>
    WantWrite = 3,

    /// <summary><c>SSL_ERROR_WANT_X509_LOOKUP</c> (4): a certificate callback wants to run again; the facade never raises it.</summary>
    WantX509Lookup = 4,

    /// <summary><c>SSL_ERROR_SYSCALL</c> (5): <see cref="SslSyscallException"/>.</summary>
    Syscall = 5,

    /// <summary><c>SSL_ERROR_ZERO_RETURN</c> (6): <see cref="SslZeroReturnException"/>.</summary>
    ZeroReturn = 6,

    /// <summary><c>SSL_ERROR_WANT_CONNECT</c> (7): a BIO connect is pending; the facade never raises it.</summary>
    WantConnect = 7,

    /// <summary>Python's <c>SSL_ERROR_EOF</c> (8): <see cref="SslEofException"/>.</summary>
    Eof = 8,

    /// <summary>Python's <c>SSL_ERROR_INVALID_ERROR_CODE</c> (10): an <c>SSL_get_error</c> value Python does not know.</summary>
    InvalidErrorCode = 10,
}
