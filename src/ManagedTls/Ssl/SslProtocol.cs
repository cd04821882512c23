namespace ManagedTls.Ssl;

/// <summary>Python's <c>PROTOCOL_*</c> constants that remain meaningful; the values are Python's.</summary>
public enum SslProtocol
{
    /// <summary>
    /// <c>PROTOCOL_TLS</c>: either side, chosen when a connection is made. Deprecated in Python 3.10 (a
    /// DeprecationWarning, <c>ssl.PROTOCOL_TLS is deprecated</c>), so obsolete here; the context still works as before.
    /// Python's <c>SSLContext()</c> without a protocol is this protocol with a second warning; this library has no
    /// constructor without a protocol.
    /// </summary>
    [Obsolete("ssl.PROTOCOL_TLS is deprecated, as in Python: use TlsClient or TlsServer.")]
    Tls = 2,

    /// <summary>
    /// <c>PROTOCOL_SSLv23</c>: Python's old name of <c>PROTOCOL_TLS</c>, the same value and the same context.
    /// Deprecated in Python (its DeprecationWarning names <c>ssl.PROTOCOL_TLS</c>), so obsolete here.
    /// </summary>
    [Obsolete("PROTOCOL_SSLv23 is an alias of PROTOCOL_TLS; PROTOCOL_TLS is deprecated, as in Python: use TlsClient or TlsServer.")]
    SslV23 = 2,

    /// <summary>
    /// <c>PROTOCOL_TLSv1</c>, with Python's value. TLS 1.0 is not in this library (<see cref="Ssl.HasTlsV1"/> is false), so
    /// <c>new SslContext(TlsV1)</c> fails as Python's <c>SSLContext(PROTOCOL_TLSv1)</c> does on an OpenSSL built without
    /// <c>TLSv1_method</c>: <see cref="ArgumentOutOfRangeException"/> with Python's <c>ValueError</c> text
    /// <c>invalid or unsupported protocol version 3</c>. Deprecated in Python, so obsolete here.
    /// </summary>
    [Obsolete("PROTOCOL_TLSv1 is deprecated, as in Python, and TLS 1.0 is never negotiated here: use TlsClient or TlsServer.")]
    TlsV1 = 3,

    /// <summary>
    /// <c>PROTOCOL_TLSv1_1</c>, with Python's value. As <see cref="TlsV1"/>: TLS 1.1 is not in this library, and
    /// <c>new SslContext(TlsV1_1)</c> fails with Python's <c>invalid or unsupported protocol version 4</c>. Deprecated in
    /// Python, so obsolete here.
    /// </summary>
    [Obsolete("PROTOCOL_TLSv1_1 is deprecated, as in Python, and TLS 1.1 is never negotiated here: use TlsClient or TlsServer.")]
    TlsV1_1 = 4,

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
