using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls12;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Handshake;

/// <summary>Which side of the handshake an endpoint plays.</summary>
internal enum TlsRole
{
    /// <summary>Sends the ClientHello.</summary>
    Client,

    /// <summary>Answers the ClientHello.</summary>
    Server,
}

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
/// The one immutable configuration snapshot a connection runs with (decision 0018). Every option is a typed field,
/// interpreted once where the snapshot is made: <c>SslContext.Freeze</c> for the facade, or directly by code that does
/// not use the facade (tests, fuzz targets, benchmarks). The state machines and the connection read these fields and
/// never see option bits. Per-connection values (the server name, the session offered, the server-name callback of
/// one connection) are set on the connection's own copy with <c>with</c>.
/// </summary>
internal sealed record TlsConfig
{
    /// <summary>Client or server.</summary>
    public TlsRole Role { get; init; }

    /// <summary>The lowest version offered (client) or accepted (server): TLS 1.2 or TLS 1.3.</summary>
    public ProtocolVersion MinimumVersion { get; init; } = ProtocolVersion.Tls13;

    /// <summary>The highest version offered or accepted: TLS 1.2 or TLS 1.3, not below <see cref="MinimumVersion"/>.</summary>
    public ProtocolVersion MaximumVersion { get; init; } = ProtocolVersion.Tls13;

    /// <summary>True when TLS 1.3 is in the version range.</summary>
    public bool OffersTls13 => MaximumVersion == ProtocolVersion.Tls13;

    /// <summary>True when TLS 1.2 is in the version range.</summary>
    public bool OffersTls12 => MinimumVersion == ProtocolVersion.Tls12;

    /// <summary>
    /// OpenSSL's security level (0 to 5): the suites and signature schemes were already filtered by it; the engine applies it
    /// to the peer's certificate chain (key sizes, signature digests) and to a TLS 1.2 server's DHE prime (decision 0028).
    /// </summary>
    public int SecurityLevel { get; init; } = ManagedTls.CipherSuites.SecurityLevel.PythonDefault;

    /// <summary>An EOF from the transport without close_notify is a clean close (<c>OP_IGNORE_UNEXPECTED_EOF</c>).</summary>
    public bool IgnoreUnexpectedEof { get; init; }

    /// <summary>
    /// The peer's certificate is requested (and required) as the verify mode says, but the handshake does not verify its
    /// chain (<see cref="VerifyPeer"/> is false): the caller does after the handshake, as openssl's s_client and s_server
    /// do without <c>-verify_return_error</c>. The CLI's setting only.
    /// </summary>
    public bool DeferPeerVerification { get; init; }

    /// <summary>
    /// TLS 1.2: refuse renegotiation of either kind (<c>OP_NO_RENEGOTIATION</c>): a server answers a renegotiation
    /// ClientHello, a client a HelloRequest, with a no_renegotiation warning, and neither starts one.
    /// </summary>
    public bool RefuseRenegotiation { get; init; }

    /// <summary>
    /// How the peer's certificate is treated, read back from <see cref="VerifyPeer"/> and
    /// <see cref="RequireClientCertificate"/>: a client verifies or not; a server that verifies requires a certificate
    /// or only checks one when sent.
    /// </summary>
    public PeerVerification Verification => !VerifyPeer && !DeferPeerVerification ? PeerVerification.None
        : Role == TlsRole.Client || RequireClientCertificate ? PeerVerification.Required
        : PeerVerification.Optional;

    /// <summary>TLS 1.3 cipher suites in preference order (non-TLS 1.3 entries are refused at construction of a connection).</summary>
    public IReadOnlyList<CipherSuiteInfo> CipherSuites { get; init; } = CipherSuiteRegistry.Tls13Suites;

    /// <summary>TLS 1.2 cipher suites in preference order, used when <see cref="OffersTls12"/>.</summary>
    public IReadOnlyList<CipherSuiteInfo> Tls12CipherSuites { get; init; } = [];

    /// <summary>
    /// The suites the context held when the connection was made, TLS 1.3 first, before the version range and the
    /// security level took any out (OpenSSL's <c>SSL_get_ciphers</c>); the handshake never reads it: it is what Python's
    /// <c>shared_ciphers()</c> compares with the client's offer. Empty when the configuration was not made by a context.
    /// </summary>
    public IReadOnlyList<CipherSuiteInfo> CipherList { get; init; } = [];

    /// <summary>Key exchange groups in preference order (supported_groups).</summary>
    public IReadOnlyList<KeyExchangeGroup> Groups { get; init; } = KeyExchangeGroups.Default;

    /// <summary>
    /// Client only: the groups a key share is sent for in the first ClientHello; empty means the first of
    /// <see cref="Groups"/>. Every entry must be in <see cref="Groups"/>.
    /// </summary>
    public IReadOnlyList<NamedGroup> KeyShareGroups { get; init; } = [];

    /// <summary>Signature schemes offered (client) and accepted for signing or verifying, in preference order.</summary>
    public IReadOnlyList<SignatureScheme> SignatureSchemes { get; init; } = ManagedTls.CipherSuites.SignatureSchemes.Default;

    /// <summary>
    /// Our certificate chain, leaf first (DER); empty when we have none. A client presents it; a server presents it when
    /// <see cref="Credentials"/> is empty. During a server handshake the connection's copy holds the credential chosen
    /// for the client (<see cref="ServerCredentials"/>), which CertificateVerify, ServerKeyExchange and RSA key transport use.
    /// </summary>
    public IReadOnlyList<byte[]> CertificateChain { get; init; } = [];

    /// <summary>The private key of the leaf in <see cref="CertificateChain"/>.</summary>
    public PrivateKey? PrivateKey { get; init; }

    /// <summary>
    /// Server: every certificate chain and key, at most one per <see cref="CredentialSlot"/> (OpenSSL keeps one per key
    /// type), in slot order; the handshake serves the one the client can verify (<see cref="Handshake.ServerCredentials"/>).
    /// Empty: <see cref="CertificateChain"/> and <see cref="PrivateKey"/> are the only credential.
    /// </summary>
    public IReadOnlyList<Credential> Credentials { get; init; } = [];

    /// <summary>The credentials a server chooses from: <see cref="Credentials"/>, else the one of <see cref="CertificateChain"/>, else none.</summary>
    public IReadOnlyList<Credential> ServerCredentials => Credentials.Count > 0 ? Credentials
        : PrivateKey is not null && CertificateChain.Count > 0 ? [new Credential(CertificateChain, PrivateKey)]
        : [];

    /// <summary>
    /// These settings with <paramref name="choice"/>'s chain and key as the ones this handshake presents and signs with.
    /// The result is made once per credential and kept with these settings (decision 0032), so the server connections
    /// sharing a context's snapshot share it too instead of each copying the snapshot.
    /// </summary>
    public TlsConfig Presenting(Credential choice)
    {
        if (ReferenceEquals(choice.Chain, CertificateChain) && ReferenceEquals(choice.Key, PrivateKey))
        {
            return this;
        }

        PresentingCache? cache = Volatile.Read(ref _presenting);
        if (cache is not null && ReferenceEquals(cache.Owner, this))
        {
            foreach ((Credential credential, TlsConfig config) in cache.Made)
            {
                if (ReferenceEquals(credential, choice))
                {
                    return config;
                }
            }
        }

        TlsConfig made = this with { CertificateChain = choice.Chain, PrivateKey = choice.Key, _presenting = null, _forServerName = null };
        (Credential, TlsConfig)[] before = cache is not null && ReferenceEquals(cache.Owner, this) ? cache.Made : [];
        if (before.Length < 8)
        {
            // Copy on write; a race loses one entry, which is made again on a later handshake.
            Volatile.Write(ref _presenting, new PresentingCache(this, [.. before, (choice, made)]));
        }

        return made;
    }

    /// <summary>
    /// These settings for a client connection to <paramref name="serverName"/> offering no session: made once per name
    /// and kept with these settings (decision 0032), so the client connections sharing a context's snapshot share it
    /// too instead of each copying the snapshot. (A connection offering a session still gets its own copy.)
    /// </summary>
    public TlsConfig ForServerName(string? serverName)
    {
        if (ServerName == serverName && ResumptionSession is null && Tls12ResumptionSession is null)
        {
            return this;
        }

        NameCache? cache = Volatile.Read(ref _forServerName);
        if (cache is not null && ReferenceEquals(cache.Owner, this))
        {
            foreach ((string? name, TlsConfig config) in cache.Made)
            {
                if (string.Equals(name, serverName, StringComparison.Ordinal))
                {
                    return config;
                }
            }
        }

        TlsConfig made = this with { ServerName = serverName, ResumptionSession = null, Tls12ResumptionSession = null, _forServerName = null, _presenting = null };
        (string?, TlsConfig)[] before = cache is not null && ReferenceEquals(cache.Owner, this) ? cache.Made : [];
        if (before.Length < 16)
        {
            Volatile.Write(ref _forServerName, new NameCache(this, [.. before, (serverName, made)]));
        }

        return made;
    }

    private NameCache? _forServerName;

    private sealed class NameCache(TlsConfig owner, (string?, TlsConfig)[] made)
    {
        public TlsConfig Owner { get; } = owner;

        public (string?, TlsConfig)[] Made { get; } = made;
    }

    // What Presenting made from these settings. A copy made with "with" carries the field along, so the owner is checked.
    private PresentingCache? _presenting;

    private sealed class PresentingCache(TlsConfig owner, (Credential, TlsConfig)[] made)
    {
        public TlsConfig Owner { get; } = owner;

        public (Credential, TlsConfig)[] Made { get; } = made;
    }

    /// <summary>True to verify the peer's certificate chain against <see cref="Trust"/> (the server only when it requests a certificate).</summary>
    public bool VerifyPeer { get; init; } = true;

    /// <summary>Trust anchors for the peer's chain.</summary>
    public TrustStore Trust { get; init; } = new([]);

    /// <summary>Verification flags passed to the certificate verifier.</summary>
    public VerifyFlags VerifyFlags { get; init; }

    /// <summary>Client only: require the server certificate to name <see cref="ServerName"/>.</summary>
    public bool CheckHostname { get; init; }

    /// <summary>Client only: the server name sent in server_name (unless it is an IP literal) and checked against the certificate.</summary>
    public string? ServerName { get; init; }

    /// <summary>
    /// Client: when the server's certificate has no subjectAltName of the expected kind, match the host name
    /// against the subject's common name (Python's <c>hostname_checks_common_name</c>, true by default there).
    /// </summary>
    public bool HostnameChecksCommonName { get; init; }

    /// <summary>Server only: send a CertificateRequest.</summary>
    public bool RequestClientCertificate { get; init; }

    /// <summary>Server only: fail with certificate_required when the client sends no certificate.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>ALPN protocols in preference order; empty disables ALPN.</summary>
    public IReadOnlyList<byte[]> AlpnProtocols { get; init; } = [];

    /// <summary>Server only: choose the cipher suite by our order rather than the client's.</summary>
    public bool PreferServerCipherSuites { get; init; }

    /// <summary>Middlebox compatibility mode (RFC 8446 appendix D.4): a legacy session id and dummy change_cipher_spec records.</summary>
    public bool MiddleboxCompatibility { get; init; } = true;

    /// <summary>Randomness for hello randoms, session ids, key shares, cookies and signatures.</summary>
    public IEntropySource Entropy { get; init; } = OsEntropy.Instance;

    /// <summary>The clock certificates are validated against.</summary>
    public Func<DateTimeOffset> Clock { get; init; } = static () => DateTimeOffset.UtcNow;

    /// <summary>Receives NSS key log lines (SSLKEYLOGFILE format) when set.</summary>
    public Action<string>? KeyLog { get; init; }

    /// <summary>How many KeyUpdate messages the peer may send without application data in between before we refuse.</summary>
    public int MaxKeyUpdatesWithoutData { get; init; } = 32;

    /// <summary>
    /// Client only: how many sessions from NewSessionTicket messages the connection keeps (the newest); an older one
    /// beyond this is dropped, and wiped unless a caller took it (<see cref="Tls13Session.Adopt"/>). A server can
    /// send any number of tickets of up to 64 KiB each; this bounds what they cost us.
    /// </summary>
    public int MaxReceivedSessions { get; init; } = 8;

    /// <summary>
    /// Client only: how many post-handshake CertificateRequests (RFC 8446 section 4.6.2) one connection answers; each
    /// costs us a signature, so a server may not ask without end. The next one is <c>unexpected_message</c>.
    /// </summary>
    public int MaxPostHandshakeAuthRequests { get; init; } = 16;

    /// <summary>
    /// Update our write keys after this many records under one key (a KeyUpdate before the next
    /// application record); null uses the AEAD's own safety limit (RFC 8446 section 5.5).
    /// </summary>
    public ulong? KeyUpdateAfterRecords { get; init; }

    /// <summary>Server only: how many NewSessionTickets to send after the handshake (0 sends none); at most 255.</summary>
    public int NumTickets { get; init; } = 2;

    /// <summary>
    /// TLS 1.3 server: true seals the session state into the ticket with <see cref="TicketKeys"/> (no server
    /// storage); false keeps it in <see cref="SessionCache"/> under a random id that is the ticket, usable once.
    /// TLS 1.2 (OpenSSL's SSL_OP_NO_TICKET when false): whether RFC 5077 tickets are used; a client asks for one and
    /// offers its session's ticket, a server answers session_ticket and seals tickets with <see cref="TicketKeys"/>.
    /// Without them sessions resume by session id through <see cref="SessionCache"/>.
    /// </summary>
    public bool StatelessTickets { get; init; } = true;

    /// <summary>
    /// True when TLS 1.2 record compression may be used (OP_NO_COMPRESSION cleared; off by default, see
    /// docs/decisions/0025-tls-compression.md): a client offers DEFLATE in a hello that cannot negotiate TLS 1.3, a
    /// server picks DEFLATE when the client offers it. False offers and accepts only the null method.
    /// </summary>
    public bool Compression { get; init; }

    /// <summary>Server only: ticket_lifetime of the tickets sent; positive, at most 7 days (RFC 8446 section 4.6.1).</summary>
    public TimeSpan TicketLifetime { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Server only: how far the client's view of a ticket's age may differ from ours before the ticket is refused.</summary>
    public TimeSpan TicketAgeTolerance { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Server only: the keys stateless tickets are sealed with; share one ring between the connections of a server.</summary>
    public TicketKeyRing TicketKeys { get; init; } = new();

    /// <summary>
    /// Server only: the identity of the configuration sessions are issued under (OpenSSL's session id context): a
    /// ticket records it and is resumed only under settings with the same identity, otherwise the handshake is a
    /// full one. The facade gives every <c>SslContext</c> its own; a server-name callback that switches settings
    /// switches it too.
    /// </summary>
    public byte[] SessionContext { get; init; } = [];

    /// <summary>
    /// Server only: the store of stateful sessions (TLS 1.3 stateful tickets, TLS 1.2 session ids); share one cache
    /// between the connections of a server.
    /// </summary>
    public ServerSessionCache SessionCache { get; init; } = new();

    /// <summary>
    /// Client only: a session from an earlier connection's NewSessionTicket to offer for resumption
    /// (psk_dhe_ke). It is offered only while its ticket is valid, for the same server name, and when one of
    /// our suites shares its hash; otherwise the handshake is a full one.
    /// </summary>
    public Tls13Session? ResumptionSession { get; init; }

    /// <summary>
    /// Client only: a TLS 1.2 session from an earlier connection to offer for resumption (its session id, and its
    /// ticket unless <see cref="StatelessTickets"/> is off). It is offered only when TLS 1.2 and its suite are enabled,
    /// while it is valid, for the same server name, and under the trust rules of <see cref="ResumptionSession"/>.
    /// </summary>
    public Tls12Session? Tls12ResumptionSession { get; init; }

    /// <summary>
    /// Server only: called once the first ClientHello is parsed, before the certificate, ALPN and client
    /// authentication are chosen, with the server name the client asked for (null when it sent none). It
    /// returns null to go on with these settings, or settings whose certificate chains and keys, signature
    /// schemes, ALPN protocols and trust replace ours for the rest of the handshake, client authentication becoming
    /// the stricter of the two (see <see cref="WithServerNameSettings"/>). It aborts the handshake by throwing
    /// <see cref="TlsAlertException"/>; any other exception becomes <c>handshake_failure</c>.
    /// </summary>
    public Func<string?, TlsConfig?>? ServerNameCallback { get; init; }

    /// <summary>
    /// record_size_limit (RFC 8449) to announce: the largest TLSInnerPlaintext (content, type byte and padding)
    /// we accept in a protected record, 64 to 2^14 + 1; null announces nothing. A client sends it in its
    /// ClientHello; a server in EncryptedExtensions only when the client sent one. Once both sides sent it,
    /// each enforces its own (<c>record_overflow</c>) and keeps its records within the peer's.
    /// </summary>
    public int? RecordSizeLimit { get; init; }

    /// <summary>
    /// Post-handshake client authentication (RFC 8446 section 4.6.2). Client: offer post_handshake_auth and
    /// answer a CertificateRequest after the handshake. Server: allow
    /// <c>TlsConnection.RequestClientCertificatePostHandshake</c> when the client offered it.
    /// </summary>
    public bool PostHandshakeAuth { get; init; }

    /// <summary>
    /// Server only: send certificate_authorities (RFC 8446 section 4.2.4) in CertificateRequest, naming the
    /// subjects of the in-memory anchors of <see cref="Trust"/> (hashed-directory sources are not listed). It is
    /// left out when there are none or the list would not fit in 2^16 - 1 bytes.
    /// </summary>
    public bool SendCertificateAuthorities { get; init; } = true;

    // ---- TLS 1.2 ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Server only: the finite-field group for TLS 1.2 DHE suites when the client names no RFC 7919 group in
    /// supported_groups (Python's <c>load_dh_params</c>, OpenSSL's <c>SSL_CTX_set_tmp_dh</c>). Null: DHE suites are
    /// chosen only with an RFC 7919 group both sides support, as OpenSSL 3.0 without parameters chooses none at all
    /// (its automatic parameters are off unless <c>SSL_CTX_set_dh_auto</c> is called, which Python never does).
    /// A client that names some RFC 7919 group but none of ours gets no DHE suite either (RFC 7919 section 4).
    /// </summary>
    public FiniteFieldKeyExchange? DhParameters { get; init; }

    /// <summary>
    /// Client only, TLS 1.2: complete a handshake with a server that does not support secure renegotiation (sends no
    /// renegotiation_info, RFC 5746 section 4.1), OpenSSL's <c>SSL_OP_LEGACY_SERVER_CONNECT</c>. Off by default, as in
    /// OpenSSL 3 and Python: such a server is refused with <c>handshake_failure</c>.
    /// </summary>
    public bool LegacyServerConnect { get; init; }

    /// <summary>
    /// Server only, TLS 1.2: accept a renegotiation the client starts (OpenSSL's <c>SSL_OP_ALLOW_CLIENT_RENEGOTIATION</c>);
    /// off by default, as in OpenSSL 3: its ClientHello is answered with a no_renegotiation warning.
    /// </summary>
    public bool AllowClientRenegotiation { get; init; }

    /// <summary>
    /// TLS 1.2: renegotiate over a connection where secure renegotiation (RFC 5746) was not negotiated (OpenSSL's
    /// <c>SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION</c>); off by default: such a renegotiation is refused with a
    /// no_renegotiation warning.
    /// </summary>
    public bool AllowUnsafeLegacyRenegotiation { get; init; }

    /// <summary>TLS 1.2: how many renegotiations the peer may start (decision 0024).</summary>
    public RenegotiationLimits RenegotiationLimits { get; init; } = RenegotiationLimits.Default;

    /// <summary>
    /// These settings with what switching a server connection to another context replaces, as OpenSSL's
    /// <c>SSL_set_SSL_CTX</c> does: the certificate chains and keys (with the signature schemes and DH parameters OpenSSL
    /// keeps beside them), the ALPN protocols (OpenSSL's selection callback belongs to the context), the trust store
    /// (and the certificate_authorities it names), and the session context tickets are bound to. Verification stays at
    /// least as strict as ours (decision 0012, revised): a certificate is requested, required and verified when either
    /// settings say so, so a server name the client chooses can never weaken client authentication, and a context that
    /// requires client certificates gets them. The verify flags stay ours (OpenSSL keeps the connection's
    /// <c>X509_VERIFY_PARAM</c>), and so does everything else (versions, suites, groups, entropy, clock, ticket keys,
    /// session cache, limits).
    /// </summary>
    public TlsConfig WithServerNameSettings(TlsConfig other) => this with
    {
        CertificateChain = other.CertificateChain,
        PrivateKey = other.PrivateKey,
        Credentials = other.Credentials,
        SignatureSchemes = other.SignatureSchemes,
        AlpnProtocols = other.AlpnProtocols,
        VerifyPeer = VerifyPeer || other.VerifyPeer,
        Trust = other.Trust,
        RequestClientCertificate = RequestClientCertificate || other.RequestClientCertificate,
        RequireClientCertificate = RequireClientCertificate || other.RequireClientCertificate,
        SendCertificateAuthorities = other.SendCertificateAuthorities,
        SessionContext = other.SessionContext,
        DhParameters = other.DhParameters,
    };

    /// <summary>
    /// Client: these settings with what switching the connection to another context replaces before the handshake, as
    /// OpenSSL's <c>SSL_set_SSL_CTX</c> on a client: the certificate chain and key presented and the trust store the server
    /// is verified against. The verify mode, host name check, verify flags, versions, suites and ALPN stay ours.
    /// </summary>
    public TlsConfig WithClientContextSettings(TlsConfig other) => this with
    {
        CertificateChain = other.CertificateChain,
        PrivateKey = other.PrivateKey,
        Credentials = other.Credentials,
        SignatureSchemes = other.SignatureSchemes,
        Trust = other.Trust,
    };

    /// <summary>
    /// Checks the settings are coherent for their role; throws <see cref="ArgumentException"/> naming the problem.
    /// </summary>
    public void Validate()
    {
        if (MinimumVersion is not (ProtocolVersion.Tls12 or ProtocolVersion.Tls13) || MaximumVersion is not (ProtocolVersion.Tls12 or ProtocolVersion.Tls13)
            || (ushort)MinimumVersion > (ushort)MaximumVersion)
        {
            throw new ArgumentException("the version range is TLS 1.2 to TLS 1.3, lowest first", nameof(MinimumVersion));
        }

        if (CipherSuites.Any(s => !s.IsTls13 || s.Aead is null) || Tls12CipherSuites.Any(s => s.IsTls13))
        {
            throw new ArgumentException("TLS 1.3 suites and TLS 1.2 suites go in their own lists", nameof(CipherSuites));
        }

        if ((OffersTls13 && CipherSuites.Count == 0) || (OffersTls12 && Tls12CipherSuites.Count == 0) || (!OffersTls13 && !OffersTls12))
        {
            throw new ArgumentException("every version in the range needs at least one cipher suite", nameof(CipherSuites));
        }

        if (Groups.Count == 0)
        {
            throw new ArgumentException("at least one key exchange group is needed", nameof(Groups));
        }

        if (KeyShareGroups.Any(g => !Groups.Any(k => k.Group == g)))
        {
            throw new ArgumentException("every key share group must be among the supported groups", nameof(KeyShareGroups));
        }

        if (SignatureSchemes.Count == 0)
        {
            throw new ArgumentException("at least one signature scheme is needed", nameof(SignatureSchemes));
        }

        if ((CertificateChain.Count == 0) != (PrivateKey is null))
        {
            throw new ArgumentException("a certificate chain and its private key go together", nameof(PrivateKey));
        }

        if (Credentials.Any(c => c.Chain.Count == 0) || Credentials.GroupBy(c => c.Slot).Any(g => g.Count() > 1))
        {
            throw new ArgumentException("each credential has a chain, and there is at most one per key type", nameof(Credentials));
        }

        // A server without a certificate is allowed: a server-name callback may switch to settings with one, and without
        // one the handshake fails as OpenSSL's does (handshake_failure, NO_SHARED_CIPHER).

        if (CheckHostname && string.IsNullOrEmpty(ServerName))
        {
            throw new ArgumentException("checking the host name needs a server name", nameof(ServerName));
        }

        if (AlpnProtocols.Any(p => p.Length == 0 || p.Length > 255))
        {
            throw new ArgumentException("ALPN protocol names are 1 to 255 bytes", nameof(AlpnProtocols));
        }

        if (KeyUpdateAfterRecords is 0)
        {
            throw new ArgumentException("the key update interval must be positive", nameof(KeyUpdateAfterRecords));
        }

        if (NumTickets is < 0 or > 255)
        {
            throw new ArgumentException("the number of tickets is 0 to 255", nameof(NumTickets));
        }

        if (TicketLifetime <= TimeSpan.Zero || TicketLifetime > TimeSpan.FromDays(7))
        {
            throw new ArgumentException("the ticket lifetime is positive and at most 7 days", nameof(TicketLifetime));
        }

        if (TicketAgeTolerance < TimeSpan.Zero)
        {
            throw new ArgumentException("the ticket age tolerance cannot be negative", nameof(TicketAgeTolerance));
        }

        if (Role == TlsRole.Server && (ResumptionSession is not null || Tls12ResumptionSession is not null))
        {
            throw new ArgumentException("only a client offers a session for resumption", nameof(ResumptionSession));
        }

        if (RecordSizeLimit is < 64 or > 16385)
        {
            throw new ArgumentException("record_size_limit is 64 to 2^14 + 1", nameof(RecordSizeLimit));
        }

        if (Role == TlsRole.Client && ServerNameCallback is not null)
        {
            throw new ArgumentException("only a server has a server-name callback", nameof(ServerNameCallback));
        }

        if (Role == TlsRole.Client && DhParameters is not null)
        {
            throw new ArgumentException("only a server chooses DH parameters", nameof(DhParameters));
        }

        if (MaxReceivedSessions < 1 || MaxPostHandshakeAuthRequests < 0)
        {
            throw new ArgumentException("at least one received session is kept, and the post-handshake request limit cannot be negative", nameof(MaxReceivedSessions));
        }

        if (MaxKeyUpdatesWithoutData < 1)
        {
            throw new ArgumentException("the KeyUpdate limit must be positive", nameof(MaxKeyUpdatesWithoutData));
        }
    }
}
