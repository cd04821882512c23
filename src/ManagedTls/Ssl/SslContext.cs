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
    /// <exception cref="ArgumentOutOfRangeException">An undefined protocol value, or <see cref="SslProtocol.TlsV1"/> /
    /// <see cref="SslProtocol.TlsV1_1"/>: Python's <c>ValueError("invalid or unsupported protocol version 3")</c> on an OpenSSL
    /// without those methods.</exception>
    public SslContext(SslProtocol protocol)
    {
#pragma warning disable CS0618 // PROTOCOL_TLS and the fixed-version protocols are obsolete for callers, and still served here.
        if (protocol is not (SslProtocol.Tls or SslProtocol.TlsClient or SslProtocol.TlsServer or SslProtocol.TlsV1_2))
        {
            // PROTOCOL_TLSv1 and PROTOCOL_TLSv1_1 land here too: TLS 1.0 and 1.1 are not in this library, and Python on
            // an OpenSSL without TLSv1_method/TLSv1_1_method raises this ValueError from the constructor.
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, $"invalid or unsupported protocol version {(int)protocol}");
        }

        Protocol = protocol;
        if (protocol is SslProtocol.TlsV1_2)
        {
            // As Python: the range reads back as the minimum and maximum supported and cannot be changed.
            _fixedTls12 = true;
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
