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
#pragma warning disable CS0618 // PROTOCOL_TLS and the fixed-version protocols are obsolete for callers, and still served here.
        if (protocol is not (SslProtocol.Tls or SslProtocol.TlsClient or SslProtocol.TlsServer or SslProtocol.TlsV1_2
            or SslProtocol.TlsV1 or SslProtocol.TlsV1_1))
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "invalid or unsupported protocol version");
        }

        Protocol = protocol;
        if (protocol is SslProtocol.TlsV1_2 or SslProtocol.TlsV1 or SslProtocol.TlsV1_1)
        {
            // As Python: the range reads back as the minimum and maximum supported and cannot be changed.
            _fixedTls12 = protocol == SslProtocol.TlsV1_2;
            _fixedLegacy = !_fixedTls12;
            _minimumVersion = TlsVersion.MinimumSupported;
            _maximumVersion = TlsVersion.MaximumSupported;
        }
#pragma warning restore CS0618

        if (protocol == SslProtocol.TlsClient)
        {
            _verifyMode = VerifyMode.CertRequired;
            _checkHostname = true;
        }
    }

    /// <summary>Python's <c>SSLContext.protocol</c>.</summary>
    public SslProtocol Protocol { get; }
}
