namespace ManagedTls.Ssl;

/// <summary>Python's <c>PROTOCOL_*</c> constants that remain meaningful; the values are Python's.</summary>
public enum SslProtocol
{
    /// <summary><c>PROTOCOL_TLS</c>: either side, chosen when a connection is made (deprecated in Python).</summary>
    Tls = 2,

    /// <summary>
    /// <c>PROTOCOL_TLSv1_2</c>: either side, TLS 1.2 only (OpenSSL's <c>TLSv1_2_method</c>); the version range cannot be
    /// changed. Deprecated in Python (a DeprecationWarning), so obsolete here.
    /// </summary>
    [Obsolete("PROTOCOL_TLSv1_2 is deprecated, as in Python: use TlsClient or TlsServer with MaximumVersion = TlsVersion.TlsV1_2.")]
    TlsV1_2 = 5,

    /// <summary><c>PROTOCOL_TLS_CLIENT</c>: client side; hostname checking and certificate verification on.</summary>
    TlsClient = 16,

    /// <summary><c>PROTOCOL_TLS_SERVER</c>: server side.</summary>
    TlsServer = 17,
}

/// <summary>Python's <c>ssl.Purpose</c>: what the trusted certificates are for.</summary>
public enum Purpose
{
    /// <summary><c>Purpose.SERVER_AUTH</c> (OID 1.3.6.1.5.5.7.3.1): a client verifying servers.</summary>
    ServerAuth,

    /// <summary><c>Purpose.CLIENT_AUTH</c> (OID 1.3.6.1.5.5.7.3.2): a server verifying clients.</summary>
    ClientAuth,
}
