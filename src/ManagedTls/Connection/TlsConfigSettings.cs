using ManagedTls.Handshake.Tls13;
using ManagedTls.X509;

namespace ManagedTls.Connection;

/// <summary>
/// Turns a frozen <see cref="TlsConfig"/> into the <see cref="HandshakeSettings"/> of one TLS 1.3 connection: the
/// only place where the facade's Python-shaped settings meet the engine's typed ones.
/// </summary>
internal static class TlsConfigSettings
{
    /// <summary>
    /// The handshake settings for <paramref name="config"/>. Verification follows OpenSSL: a client with
    /// <see cref="PeerVerification.None"/> does not verify; a server requests a certificate for
    /// <see cref="PeerVerification.Optional"/> and also requires one for <see cref="PeerVerification.Required"/>.
    /// The trust store is the context's store itself (its anchors, and its sources looked up by subject).
    /// </summary>
    /// <param name="config">The connection's configuration.</param>
    /// <param name="serverHostname">Client: the name sent in server_name and checked when <see cref="TlsConfig.CheckHostname"/> is set.</param>
    /// <param name="resumptionSession">Client: a session to offer for resumption, or null.</param>
    /// <exception cref="TlsConfigException">TLS 1.3 is not enabled, or a server has no certificate.</exception>
    public static HandshakeSettings ToHandshakeSettings(TlsConfig config, string? serverHostname, Tls13Session? resumptionSession = null)
    {
        if (!config.Tls13Enabled || config.Tls13Suites.Count == 0)
        {
            throw new TlsConfigException("NO_PROTOCOLS_AVAILABLE", "no protocols available");
        }

        if (config.ServerSide && (config.PrivateKey is null || config.CertificateChain.Count == 0))
        {
            throw new TlsConfigException("NO_SHARED_CIPHER", "no shared cipher");
        }

        bool verify = config.Verification != PeerVerification.None && !config.DeferPeerVerification;
        TrustStore trust = config.TrustStore is { } store
            ? new TrustStore(store.GetCertificates(), [store]) { Identity = store }
            : new TrustStore([]);
        string? keylog = config.KeylogFilename;
        return new HandshakeSettings
        {
            Role = config.ServerSide ? TlsRole.Server : TlsRole.Client,
            CipherSuites = config.Tls13Suites,
            Groups = config.Groups,
            SignatureSchemes = config.SignatureSchemes,
            CertificateChain = config.CertificateChain,
            PrivateKey = config.PrivateKey,
            VerifyPeer = verify,
            Trust = trust,
            VerifyFlags = config.VerifyFlags,
            CheckHostname = !config.ServerSide && config.CheckHostname && verify,
            ServerName = config.ServerSide ? null : serverHostname,
            HostnameChecksCommonName = config.HostnameChecksCommonName,
            // As Python sets SSL_VERIFY_POST_HANDSHAKE on a server with post_handshake_auth: the certificate is
            // then asked for only after the handshake, with VerifyClientPostHandshake.
            RequestClientCertificate = config.ServerSide && config.Verification != PeerVerification.None && !config.PostHandshakeAuth,
            RequireClientCertificate = config.ServerSide && config.Verification == PeerVerification.Required,
            AlpnProtocols = config.AlpnProtocols,
            PreferServerCipherSuites = config.ServerPreference,
            MiddleboxCompatibility = config.MiddleboxCompat,
            KeyLog = keylog is null ? null : KeyLogFile.Writer(keylog),
            PostHandshakeAuth = config.PostHandshakeAuth,
            RecordSizeLimit = config.RecordSizeLimit,
            ServerNameCallback = config.ServerSide && config.ServerNameCallback is { } onName ? name => RefuseOnAlert(onName(name)) : null,
            NumTickets = Math.Min(config.NumTickets, 255),
            StatelessTickets = config.StatelessTickets,
            TicketKeys = config.TicketKeys ?? new TicketKeyRing(),
            SessionCache = config.SessionCache ?? new ServerSessionCache(),
            SessionContext = config.SessionContext,
            ResumptionSession = config.ServerSide ? null : resumptionSession,
        };
    }

    /// <summary>The server-name callback's answer as the engine takes it: an alert aborts, null goes on unchanged.</summary>
    /// <param name="alert">What the callback returned.</param>
    /// <returns>Null (no replacement settings).</returns>
    internal static HandshakeSettings? RefuseOnAlert(AlertDescription? alert) =>
        alert is { } a ? throw new TlsAlertException(a, $"the server-name callback refused the name ({a})") : null;
}
