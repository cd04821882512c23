namespace ManagedTls.Ssl;

/// <summary>
/// Python's <c>ssl.SSLContext</c>: the settings and trust material connections are made from. Mutable, as in
/// Python; a connection freezes what it needs when it is created. This part holds construction; trust
/// material is in <c>SslContext.Verify.cs</c>, protocol settings and freezing in <c>SslContext.Config.cs</c>.
/// </summary>
public sealed partial class SslContext
{
    /// <summary>Python's <c>SSLContext(protocol)</c>.</summary>
    /// <param name="protocol">Client, server or either side.</param>
    /// <exception cref="ArgumentOutOfRangeException">An undefined protocol value (Python's <c>ValueError</c>).</exception>
    public SslContext(SslProtocol protocol)
    {
        if (protocol is not (SslProtocol.Tls or SslProtocol.TlsClient or SslProtocol.TlsServer))
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "invalid or unsupported protocol version");
        }

        Protocol = protocol;
        if (protocol == SslProtocol.TlsClient)
        {
            _verifyMode = VerifyMode.CertRequired;
            _checkHostname = true;
        }
    }

    /// <summary>Python's <c>SSLContext.protocol</c>.</summary>
    public SslProtocol Protocol { get; }
}
