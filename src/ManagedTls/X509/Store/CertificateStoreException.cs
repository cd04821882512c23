namespace ManagedTls.X509.Store;

/// <summary>
/// A trust-store load failure, named as OpenSSL names it: <see cref="Library"/> and <see cref="Reason"/> are
/// OpenSSL's error library and reason code (<c>X509</c> / <c>NO_CERTIFICATE_OR_CRL_FOUND</c>,
/// <c>PEM</c> / <c>BAD_BASE64_DECODE</c>, <c>ASN1</c> / <c>NOT_ENOUGH_DATA</c>). The <c>Ssl</c> facade turns it into
/// <c>SslException</c> (Python's <c>SSLError</c>) with the same library and reason. A missing file is a
/// <see cref="FileNotFoundException"/> instead (Python's <c>FileNotFoundError</c>).
/// </summary>
public class CertificateStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="library">OpenSSL error library (<c>X509</c>, <c>PEM</c>, <c>ASN1</c>).</param>
    /// <param name="reason">OpenSSL reason code, or null when OpenSSL reports none.</param>
    /// <param name="message">Lower-case OpenSSL text, e.g. <c>no certificate or crl found</c>.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public CertificateStoreException(string? library, string? reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Library = library;
        Reason = reason;
    }

    /// <summary>OpenSSL error library name, or null when the message does not come from OpenSSL (Python's own cadata messages).</summary>
    public string? Library { get; }

    /// <summary>OpenSSL reason code name, or null.</summary>
    public string? Reason { get; }
}
