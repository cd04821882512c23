using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.X509;
using ManagedTls.X509.Store;

namespace ManagedTls.Connection;

/// <summary>How the peer's certificate is requested and checked (the engine's view of Python's <c>verify_mode</c>).</summary>
internal enum PeerVerification
{
    /// <summary>Not requested (server) or not checked (client).</summary>
    None,

    /// <summary>Requested; checked when the peer sends one (server side; a client treats it as <see cref="Required"/>).</summary>
    Optional,

    /// <summary>Required and checked.</summary>
    Required,
}

/// <summary>
/// The typed, still-unresolved settings a facade hands over to make a <see cref="TlsConfig"/>. Every option
/// flag is already a named field here; <see cref="TlsConfig.Create"/> resolves and validates them together.
/// </summary>
internal sealed class TlsSettings
{
    /// <summary>True for the server side of a connection.</summary>
    public bool ServerSide { get; set; }

    /// <summary>Lowest version asked for (<c>minimum_version</c>), any wire value; below TLS 1.2 means TLS 1.2. Null: the lowest supported.</summary>
    public ProtocolVersion? MinimumVersion { get; set; }

    /// <summary>Highest version asked for (<c>maximum_version</c>). Null: the highest supported.</summary>
    public ProtocolVersion? MaximumVersion { get; set; }

    /// <summary><c>OP_NO_TLSv1_2</c>.</summary>
    public bool DisableTls12 { get; set; }

    /// <summary><c>OP_NO_TLSv1_3</c>.</summary>
    public bool DisableTls13 { get; set; }

    /// <summary>TLS 1.3 suites in preference order.</summary>
    public IReadOnlyList<CipherSuiteInfo> Tls13Suites { get; set; } = Tls13CipherSuiteList.Default;

    /// <summary>TLS 1.2 suites in preference order (from the cipher string).</summary>
    public IReadOnlyList<CipherSuiteInfo> Tls12Suites { get; set; } = Array.Empty<CipherSuiteInfo>();

    /// <summary>Key exchange groups in preference order (<c>set_groups</c>).</summary>
    public IReadOnlyList<KeyExchangeGroup> Groups { get; set; } = KeyExchangeGroups.Default;

    /// <summary>OpenSSL security level in force.</summary>
    public int SecurityLevel { get; set; } = CipherSuites.SecurityLevel.PythonDefault;

    /// <summary>ALPN protocols in preference order, each 1..255 bytes.</summary>
    public IReadOnlyList<byte[]> AlpnProtocols { get; set; } = Array.Empty<byte[]>();

    /// <summary>Peer certificate checking.</summary>
    public PeerVerification Verification { get; set; }

    /// <summary>The peer's certificate is requested as <see cref="Verification"/> says but its chain is checked by the caller after the handshake.</summary>
    public bool DeferPeerVerification { get; set; }

    /// <summary>Chain validation flags.</summary>
    public VerifyFlags VerifyFlags { get; set; } = VerifyFlags.VerifyX509TrustedFirst;

    /// <summary>Client: match the server certificate against the server name.</summary>
    public bool CheckHostname { get; set; }

    /// <summary>Consult the subject common name when there is no DNS subjectAltName.</summary>
    public bool HostnameChecksCommonName { get; set; } = true;

    /// <summary><c>OP_ENABLE_MIDDLEBOX_COMPAT</c>.</summary>
    public bool MiddleboxCompat { get; set; }

    /// <summary>Not <c>OP_NO_TICKET</c>: the server issues stateless tickets.</summary>
    public bool StatelessTickets { get; set; } = true;

    /// <summary>TLS 1.3 tickets a server sends after the handshake.</summary>
    public int NumTickets { get; set; } = 2;

    /// <summary>Server: the ticket key ring shared by the connections of one context, or null for a private one.</summary>
    public TicketKeyRing? TicketKeys { get; set; }

    /// <summary>Server: the stateful session cache shared by the connections of one context, or null for a private one.</summary>
    public ServerSessionCache? SessionCache { get; set; }

    /// <summary>Server: the identity tickets are bound to (OpenSSL's session id context): one per context.</summary>
    public byte[] SessionContext { get; set; } = [];

    /// <summary><c>OP_CIPHER_SERVER_PREFERENCE</c>.</summary>
    public bool ServerPreference { get; set; }

    /// <summary><c>OP_IGNORE_UNEXPECTED_EOF</c>.</summary>
    public bool IgnoreUnexpectedEof { get; set; }

    /// <summary><c>OP_NO_RENEGOTIATION</c>.</summary>
    public bool RefuseRenegotiation { get; set; }

    /// <summary>TLS 1.3 post-handshake client authentication offered (client) or allowed (server).</summary>
    public bool PostHandshakeAuth { get; set; }

    /// <summary>NSS key log file, or null.</summary>
    public string? KeylogFilename { get; set; }

    /// <summary>Own certificate chain (DER, leaf first); empty when none is loaded.</summary>
    public IReadOnlyList<byte[]> CertificateChain { get; set; } = Array.Empty<byte[]>();

    /// <summary>The private key of the chain's leaf, or null.</summary>
    public PrivateKey? PrivateKey { get; set; }

    /// <summary>Trust anchors and hashed directories, or null when none.</summary>
    public CertificateStore? TrustStore { get; set; }

    /// <summary>Server: called with the client's server name; returns an alert to abort with, or null to go on.</summary>
    public Func<string?, AlertDescription?>? ServerNameCallback { get; set; }

    /// <summary>record_size_limit to announce (RFC 8449), or null for none.</summary>
    public int? RecordSizeLimit { get; set; }
}

/// <summary>
/// The immutable configuration one connection runs with, made once from a context when the connection is
/// created. This is the only place where settings are resolved against each other: the version range from
/// the minimum, maximum and disabling options, the suites from both lists; the engine reads typed fields only.
/// Later changes to the context never reach a configuration already made.
/// </summary>
internal sealed class TlsConfig
{
    private TlsConfig(TlsSettings s, ProtocolVersion min, ProtocolVersion max)
    {
        ServerSide = s.ServerSide;
        MinimumVersion = min;
        MaximumVersion = max;
        Tls13Suites = max == ProtocolVersion.Tls13 ? Allowed(s.Tls13Suites, s.SecurityLevel) : Array.Empty<CipherSuiteInfo>();
        Tls12Suites = min == ProtocolVersion.Tls12 ? Allowed(s.Tls12Suites, s.SecurityLevel) : Array.Empty<CipherSuiteInfo>();
        Groups = s.Groups.ToArray();
        SignatureSchemes = CipherSuites.SignatureSchemes.Default;
        SecurityLevel = s.SecurityLevel;
        AlpnProtocols = s.AlpnProtocols.Select(p => (byte[])p.Clone()).ToArray();
        Verification = s.Verification;
        DeferPeerVerification = s.DeferPeerVerification;
        VerifyFlags = s.VerifyFlags;
        CheckHostname = s.CheckHostname;
        HostnameChecksCommonName = s.HostnameChecksCommonName;
        MiddleboxCompat = s.MiddleboxCompat;
        StatelessTickets = s.StatelessTickets;
        NumTickets = s.NumTickets;
        TicketKeys = s.TicketKeys;
        SessionCache = s.SessionCache;
        SessionContext = s.SessionContext;
        ServerPreference = s.ServerPreference;
        IgnoreUnexpectedEof = s.IgnoreUnexpectedEof;
        RefuseRenegotiation = s.RefuseRenegotiation;
        PostHandshakeAuth = s.PostHandshakeAuth;
        KeylogFilename = s.KeylogFilename;
        CertificateChain = s.CertificateChain.Select(c => (byte[])c.Clone()).ToArray();
        PrivateKey = s.PrivateKey;
        TrustStore = s.TrustStore;
        ServerNameCallback = s.ServerNameCallback;
        RecordSizeLimit = s.RecordSizeLimit;
    }

    /// <summary>True for the server side.</summary>
    public bool ServerSide { get; }

    /// <summary>Lowest version offered or accepted (TLS 1.2 or TLS 1.3).</summary>
    public ProtocolVersion MinimumVersion { get; }

    /// <summary>Highest version offered or accepted (TLS 1.2 or TLS 1.3), never below <see cref="MinimumVersion"/>.</summary>
    public ProtocolVersion MaximumVersion { get; }

    /// <summary>True when TLS 1.3 is in the range.</summary>
    public bool Tls13Enabled => MaximumVersion == ProtocolVersion.Tls13;

    /// <summary>True when TLS 1.2 is in the range.</summary>
    public bool Tls12Enabled => MinimumVersion == ProtocolVersion.Tls12;

    /// <summary>TLS 1.3 suites in preference order, those the security level allows; empty when TLS 1.3 is out of range.</summary>
    public IReadOnlyList<CipherSuiteInfo> Tls13Suites { get; }

    /// <summary>TLS 1.2 suites in preference order, those the security level allows; empty when TLS 1.2 is out of range.</summary>
    public IReadOnlyList<CipherSuiteInfo> Tls12Suites { get; }

    /// <summary>Key exchange groups in preference order.</summary>
    public IReadOnlyList<KeyExchangeGroup> Groups { get; }

    /// <summary>Signature schemes in preference order.</summary>
    public IReadOnlyList<SignatureScheme> SignatureSchemes { get; }

    /// <summary>OpenSSL security level.</summary>
    public int SecurityLevel { get; }

    /// <summary>ALPN protocols (copies), most preferred first; empty when ALPN is not used.</summary>
    public IReadOnlyList<byte[]> AlpnProtocols { get; }

    /// <summary>Peer certificate checking.</summary>
    public PeerVerification Verification { get; }

    /// <summary>
    /// The peer's certificate is requested (and required) as <see cref="Verification"/> says, but the handshake does not
    /// verify its chain: the caller does after the handshake, as openssl's s_client and s_server do without
    /// <c>-verify_return_error</c>.
    /// </summary>
    public bool DeferPeerVerification { get; }

    /// <summary>Chain validation flags.</summary>
    public VerifyFlags VerifyFlags { get; }

    /// <summary>Client: match the server's certificate against the server name.</summary>
    public bool CheckHostname { get; }

    /// <summary>Consult the subject common name when there is no DNS subjectAltName.</summary>
    public bool HostnameChecksCommonName { get; }

    /// <summary>TLS 1.3 middlebox compatibility mode (RFC 8446 appendix D.4).</summary>
    public bool MiddleboxCompat { get; }

    /// <summary>Server: issue stateless tickets (false: stateful session IDs only, OpenSSL's <c>OP_NO_TICKET</c>).</summary>
    public bool StatelessTickets { get; }

    /// <summary>Server: TLS 1.3 tickets sent after the handshake.</summary>
    public int NumTickets { get; }

    /// <summary>Server: the context's ticket key ring (shared, thread-safe), or null.</summary>
    public TicketKeyRing? TicketKeys { get; }

    /// <summary>Server: the context's stateful session cache (shared, thread-safe), or null.</summary>
    public ServerSessionCache? SessionCache { get; }

    /// <summary>Server: the identity tickets are bound to (OpenSSL's session id context): one per context.</summary>
    public byte[] SessionContext { get; }

    /// <summary>Server: choose the suite by its own preference.</summary>
    public bool ServerPreference { get; }

    /// <summary>An EOF without close_notify is a clean close.</summary>
    public bool IgnoreUnexpectedEof { get; }

    /// <summary>Refuse TLS 1.2 renegotiation.</summary>
    public bool RefuseRenegotiation { get; }

    /// <summary>TLS 1.3 post-handshake authentication.</summary>
    public bool PostHandshakeAuth { get; }

    /// <summary>NSS key log file, or null.</summary>
    public string? KeylogFilename { get; }

    /// <summary>Own certificate chain (DER, leaf first); empty when none.</summary>
    public IReadOnlyList<byte[]> CertificateChain { get; }

    /// <summary>The leaf's private key, or null.</summary>
    public PrivateKey? PrivateKey { get; }

    /// <summary>
    /// Trust anchors and hashed directories, or null. This is a reference to the context's store, not a copy: as in
    /// OpenSSL (where connections share their context's <c>X509_STORE</c>), certificates loaded into the context later are seen.
    /// </summary>
    public CertificateStore? TrustStore { get; }

    /// <summary>Server: the server-name callback, or null.</summary>
    public Func<string?, AlertDescription?>? ServerNameCallback { get; }

    /// <summary>record_size_limit to announce (RFC 8449), or null for none.</summary>
    public int? RecordSizeLimit { get; }

    /// <summary>
    /// Resolves <paramref name="settings"/> into a configuration. The version range is the requested
    /// minimum and maximum (unset: TLS 1.2 and TLS 1.3; below TLS 1.2 counts as TLS 1.2, as this engine speaks
    /// nothing older) with <see cref="TlsSettings.DisableTls12"/> and <see cref="TlsSettings.DisableTls13"/>
    /// removing their version. Suites the security level forbids (OpenSSL's security callback: too few bits, from
    /// level 3 no static RSA key exchange, above 160 bits no HMAC-SHA1) are dropped, as OpenSSL never offers them.
    /// </summary>
    /// <exception cref="TlsConfigException">The range is empty (OpenSSL's <c>NO_PROTOCOLS_AVAILABLE</c>), or
    /// every suite of the range is gone (<c>NO_CIPHERS_AVAILABLE</c>).</exception>
    public static TlsConfig Create(TlsSettings settings)
    {
        int min = settings.MinimumVersion is { } lo ? Math.Max((int)lo, (int)ProtocolVersion.Tls12) : (int)ProtocolVersion.Tls12;
        int max = settings.MaximumVersion is { } hi ? Math.Min((int)hi, (int)ProtocolVersion.Tls13) : (int)ProtocolVersion.Tls13;
        if (settings.DisableTls12 && min == (int)ProtocolVersion.Tls12)
        {
            min = (int)ProtocolVersion.Tls13;
        }

        if (settings.DisableTls13 && max == (int)ProtocolVersion.Tls13)
        {
            max = (int)ProtocolVersion.Tls12;
        }

        if (min > max)
        {
            throw new TlsConfigException("NO_PROTOCOLS_AVAILABLE", "no protocols available");
        }

        bool tls13 = max == (int)ProtocolVersion.Tls13;
        bool tls12 = min == (int)ProtocolVersion.Tls12;
        int level = settings.SecurityLevel;
        if ((!tls13 || !settings.Tls13Suites.Any(x => CipherSuites.SecurityLevel.Allows(x, level)))
            && (!tls12 || !settings.Tls12Suites.Any(x => CipherSuites.SecurityLevel.Allows(x, level))))
        {
            throw new TlsConfigException("NO_CIPHERS_AVAILABLE", "no ciphers available");
        }

        if (settings.NumTickets < 0)
        {
            throw new TlsConfigException(null, "value must be non-negative");
        }

        return new TlsConfig(settings, (ProtocolVersion)min, (ProtocolVersion)max);
    }

    private static CipherSuiteInfo[] Allowed(IReadOnlyList<CipherSuiteInfo> suites, int level) =>
        suites.Where(x => CipherSuites.SecurityLevel.Allows(x, level)).ToArray();
}

/// <summary>Settings that cannot make a working connection; the facade reports it as an <c>SslException</c> with the same reason.</summary>
internal sealed class TlsConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">OpenSSL's reason code name, or null.</param>
    /// <param name="message">OpenSSL's lower-case text.</param>
    public TlsConfigException(string? reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>OpenSSL's reason code name (<c>NO_PROTOCOLS_AVAILABLE</c>), or null.</summary>
    public string? Reason { get; }
}
