using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls12;
using ManagedTls.Handshake.Tls13;
using RecordProtection = ManagedTls.Record.RecordProtection;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;

namespace ManagedTls.Handshake;

/// <summary>
/// What the state machines need from the record layer. The connection implements it; the handshake never
/// sees records, only messages and key changes, in the order it asks for them.
/// </summary>
internal interface IRecordLayer
{
    /// <summary>Queues one encoded handshake message under the current write keys.</summary>
    void QueueHandshake(ReadOnlySpan<byte> encodedMessage);

    /// <summary>Flushes queued handshake data, then writes the unprotected change_cipher_spec record (one byte, 0x01).</summary>
    void SendChangeCipherSpec();

    /// <summary>
    /// Flushes queued handshake data under the old protection, then protects what follows with
    /// <paramref name="protection"/>, which the record layer now owns (the old one is wiped).
    /// </summary>
    void SetWriteProtection(RecordProtection protection);

    /// <summary>
    /// Opens records after the current one with <paramref name="protection"/>, which the record layer now owns; the
    /// message (or change_cipher_spec) that caused it must end its record. The record rules follow the protection's version.
    /// </summary>
    void SetReadProtection(RecordProtection protection);

    /// <summary>
    /// Applies record_size_limit (RFC 8449) once both sides announced one: records we send from now on carry at
    /// most <paramref name="peerLimit"/> bytes of TLSInnerPlaintext, and protected records we receive may carry at
    /// most <paramref name="ownLimit"/> (more is <c>record_overflow</c>).
    /// </summary>
    void SetRecordSizeLimits(int peerLimit, int ownLimit);

    /// <summary>
    /// Server: the client offered 0-RTT data we do not accept; skip its early records as RFC 8446 section 4.2.10
    /// says (<see cref="EarlyDataSkip"/>), up to a budget.
    /// </summary>
    void SkipRejectedEarlyData(EarlyDataSkip mode);

    /// <summary>Flushes queued handshake data, then sends a warning-level alert (TLS 1.2: no_renegotiation).</summary>
    void SendWarningAlert(AlertDescription description);

    /// <summary>True once close_notify was sent: nothing more may be written (RFC 8446 section 6.1).</summary>
    bool IsClosedForWriting { get; }
}

/// <summary>How a server that rejected 0-RTT skips the client's early records (RFC 8446 section 4.2.10).</summary>
internal enum EarlyDataSkip
{
    /// <summary>Nothing is skipped.</summary>
    None,

    /// <summary>After a HelloRetryRequest: every application_data record until the second ClientHello.</summary>
    UntilSecondClientHello,

    /// <summary>After the ServerHello: records that do not open under the client's handshake key.</summary>
    TrialDecryption,
}

/// <summary>
/// What one handshake has established so far and the services the states share: settings, record
/// layer, transcript, key logging. Negotiated values are read by the connection.
/// </summary>
internal sealed class HandshakeContext
{
    /// <summary>Creates the context for one connection.</summary>
    public HandshakeContext(TlsConfig settings, IRecordLayer records)
    {
        Settings = settings;
        Records = records;
        Transcript = new TranscriptHash(retainMessages: RetainsMessages(settings));
    }

    /// <summary>The settings snapshot (a server-name callback may replace it once, see <see cref="TlsConfig.ServerNameCallback"/>).</summary>
    public TlsConfig Settings { get; set; }

    /// <summary>Where messages and key changes go.</summary>
    public IRecordLayer Records { get; }

    /// <summary>
    /// The transcript (hash unknown until the suite is chosen). It keeps the messages themselves when a TLS 1.2
    /// CertificateVerify may have to be made or checked (<see cref="RetainsMessages"/>).
    /// </summary>
    public TranscriptHash Transcript { get; private set; }

    /// <summary>The client random (key log lines are indexed by it).</summary>
    public byte[] ClientRandom { get; set; } = [];

    /// <summary>The negotiated suite.</summary>
    public CipherSuiteInfo? Suite { get; set; }

    /// <summary>The key exchange group used.</summary>
    public NamedGroup? Group { get; set; }

    /// <summary>The scheme the server signed its CertificateVerify with.</summary>
    public SignatureScheme? SignatureScheme { get; set; }

    /// <summary>The scheme the client signed its CertificateVerify with, when it authenticated.</summary>
    public SignatureScheme? ClientSignatureScheme { get; set; }

    /// <summary>The agreed ALPN protocol, or null.</summary>
    public byte[]? Alpn { get; set; }

    /// <summary>The TLS 1.2 compression method in use (null in TLS 1.3 and unless both sides allow compression).</summary>
    public CompressionMethod Compression { get; set; }

    /// <summary>The server name the client asked for (recorded by the server; the configured name on the client).</summary>
    public string? ServerName { get; set; }

    /// <summary>The peer's certificate chain as sent, leaf first (DER); empty when it sent none.</summary>
    public IReadOnlyList<byte[]> PeerChain { get; set; } = [];

    /// <summary>The outcome of verifying the peer's chain, or null when it was not verified.</summary>
    public VerifyResult? VerifyResult { get; set; }

    /// <summary>The record_size_limit the peer announced, when both sides sent one (RFC 8449).</summary>
    public int? PeerRecordSizeLimit { get; set; }

    /// <summary>Server: true when the client offered post_handshake_auth.</summary>
    public bool PeerOffersPostHandshakeAuth { get; set; }

    /// <summary>Client: the certificate_authorities of the server's last CertificateRequest (DER names); empty when it sent none.</summary>
    public IReadOnlyList<byte[]> CertificateAuthorities { get; set; } = [];

    /// <summary>True once a HelloRetryRequest was sent or received.</summary>
    public bool HelloRetried { get; set; }

    /// <summary>True once we sent the compatibility change_cipher_spec.</summary>
    public bool SentChangeCipherSpec { get; set; }

    /// <summary>Server: true once the first ClientHello arrived.</summary>
    public bool ClientHelloSeen { get; set; }

    /// <summary>TLS 1.3: true once the peer's one compatibility change_cipher_spec was dropped.</summary>
    public bool CompatibilityCcsReceived { get; set; }

    /// <summary>True when the handshake resumed a session with a PSK (no certificates exchanged).</summary>
    public bool SessionReused { get; set; }

    /// <summary>Server: the cipher_suites of the client's hello, in its order (empty before it arrives).</summary>
    public IReadOnlyList<TlsCipherSuite> PeerCipherSuites { get; set; } = [];

    /// <summary>Server: true when the client's hello offered a pre_shared_key (a session to resume), accepted or not.</summary>
    public bool PeerOfferedPsk { get; set; }

    /// <summary>Server: true when the client offered psk_dhe_ke, so tickets it receives are usable.</summary>
    public bool PeerAcceptsTickets { get; set; }

    /// <summary>Client: the sessions received in NewSessionTicket messages, oldest first. They belong to the caller.</summary>
    public IReadOnlyList<Tls13Session> ReceivedSessions => (IReadOnlyList<Tls13Session>?)_receivedSessions ?? Array.Empty<Tls13Session>();

    // Made with the first ticket received (a server, and a client given none, never need it).
    private List<Tls13Session>? _receivedSessions;

    /// <summary>Client: keeps a session received in a NewSessionTicket (newest last).</summary>
    public void AddReceivedSession(Tls13Session session) => (_receivedSessions ??= []).Add(session);

    /// <summary>Client: takes the oldest received session out of <see cref="ReceivedSessions"/> (there is one).</summary>
    public Tls13Session TakeOldestReceivedSession()
    {
        Tls13Session oldest = _receivedSessions![0];
        _receivedSessions.RemoveAt(0);
        return oldest;
    }

    /// <summary>
    /// The keying material exporter once the handshake is complete. Setting a new one (a TLS 1.2 renegotiation
    /// completed) wipes the one it replaces.
    /// </summary>
    public IKeyingMaterialExporter? Exporter
    {
        get => _exporter;
        set
        {
            if (!ReferenceEquals(_exporter, value))
            {
                _exporter?.Dispose();
            }

            _exporter = value;
        }
    }

    private IKeyingMaterialExporter? _exporter;

    /// <summary>
    /// TLS 1.2: what binds the renegotiation in progress to the handshake before it (RFC 5746); null when no
    /// renegotiation is running.
    /// </summary>
    public Tls12RenegotiationBinding? Renegotiation { get; set; }

    /// <summary>TLS 1.2: the renegotiations of this connection, counted against <see cref="TlsConfig.RenegotiationLimits"/>.</summary>
    public RenegotiationHistory Renegotiations => _renegotiations ??= new RenegotiationHistory(Settings.RenegotiationLimits);

    private RenegotiationHistory? _renegotiations;

    /// <summary>The negotiated version, set by the hello step that decided it; null before.</summary>
    public ProtocolVersion? Version { get; set; }

    /// <summary>
    /// TLS 1.2: the verify_data of both Finished messages once the handshake is complete (tls-unique, RFC 5929; the
    /// renegotiation_info of a renegotiation, RFC 5746); null before, and for TLS 1.3.
    /// </summary>
    public Tls12FinishedPair? Tls12Finished { get; set; }

    /// <summary>
    /// TLS 1.3: the verify_data of the last Finished this side sent (OpenSSL's <c>finish_md</c>), in the handshake or in a
    /// post-handshake authentication; null before. What Python's tls-unique reads on TLS 1.3.
    /// </summary>
    public byte[]? Tls13SentFinished { get; private set; }

    /// <summary>TLS 1.3: the verify_data of the last Finished received and verified (OpenSSL's <c>peer_finish_md</c>); null before.</summary>
    public byte[]? Tls13ReceivedFinished { get; private set; }

    /// <summary>Keeps a copy of a verified TLS 1.3 Finished from the peer (<see cref="Tls13ReceivedFinished"/>).</summary>
    public void ReceivedTls13Finished(Finished finished) => Tls13ReceivedFinished = (byte[])finished.VerifyData.Clone();

    /// <summary>Keeps a copy of a TLS 1.3 Finished this side sends (<see cref="Tls13SentFinished"/>).</summary>
    public void SentTls13Finished(Finished finished) => Tls13SentFinished = (byte[])finished.VerifyData.Clone();

    /// <summary>
    /// Client, TLS 1.2: the ticket of the server's NewSessionTicket (RFC 5077) when it sent a non-empty one; null
    /// otherwise. It is kept for resuming the session and is not used by this handshake.
    /// </summary>
    public Tls12Ticket? Tls12Ticket { get; set; }

    /// <summary>
    /// Client, TLS 1.2: the session this handshake made (a full handshake, or a resumption that brought a new ticket);
    /// null otherwise. The connection wipes it unless a caller adopted it.
    /// </summary>
    public Tls12Session? Tls12Session { get; set; }

    /// <summary>Server, TLS 1.2: the session id of the ServerHello (empty when a ticket names the session); null before, and for TLS 1.3.</summary>
    public byte[]? Tls12SessionId { get; set; }

    /// <summary>Server, TLS 1.2: a session id the client offered was looked up in the cache and not found (OpenSSL's miss).</summary>
    public bool SessionCacheMissed { get; set; }

    /// <summary>Server, TLS 1.2: the session the client offered was found but had expired (OpenSSL's timeout).</summary>
    public bool SessionTimedOut { get; set; }

    /// <summary>True when we are the client.</summary>
    public bool IsClient => Settings.Role == TlsRole.Client;

    /// <summary>
    /// True when the transcript must keep the handshake messages themselves: a TLS 1.2 CertificateVerify signs them
    /// with the hash of its signature scheme, which need not be the suite's (RFC 5246 section 7.4.8). That is a client
    /// offering TLS 1.2 with a certificate to present, or a server accepting TLS 1.2 that may ask for one (directly or
    /// through settings its server-name callback chooses).
    /// </summary>
    public static bool RetainsMessages(TlsConfig settings) => settings.OffersTls12 && (settings.Role == TlsRole.Client
        ? settings.PrivateKey is not null
        : settings.RequestClientCertificate || settings.ServerNameCallback is not null);

    /// <summary>
    /// Starts the transcript of a new handshake over this connection (a TLS 1.2 renegotiation): the messages of the
    /// previous handshake are dropped, and what the new one negotiates replaces what the last one did as it is known.
    /// </summary>
    public void BeginNewHandshake()
    {
        Transcript = new TranscriptHash(retainMessages: RetainsMessages(Settings));
        CertificateAuthorities = [];
    }

    /// <summary>
    /// Once a handshake has completed, drops the ClientHello's random after TLS 1.3 and its transcript (the running hash, and the messages kept for a TLS 1.2
    /// CertificateVerify) unless something after the handshake continues it: TLS 1.3 post-handshake client
    /// authentication, which a client can answer when it offered post_handshake_auth and a server can ask for when
    /// the client offered it (RFC 8446 section 4.4.1). A TLS 1.2 renegotiation starts a new transcript
    /// (<see cref="BeginNewHandshake"/>); what later handshakes and resumption need (verify_data, the resumption and
    /// exporter secrets) is kept elsewhere.
    /// </summary>
    public void ReleaseTranscript()
    {
        bool postHandshakeAuth = Version == ProtocolVersion.Tls13 && (IsClient ? Settings.PostHandshakeAuth : PeerOffersPostHandshakeAuth);
        if (!postHandshakeAuth && Transcript.MessageCount != 0)
        {
            Transcript = TranscriptHash.Released();
        }

        if (Version == ProtocolVersion.Tls13)
        {
            // Only the key log lines of the handshake's secrets name the ClientHello's random; nothing after a TLS 1.3
            // handshake derives from it (TLS 1.2 keeps it for its exporter and renegotiation).
            ClientRandom = [];
        }
    }

    /// <summary>Encodes <paramref name="message"/>, adds it to the transcript and queues it.</summary>
    public void Send(HandshakeMessage message)
    {
        byte[] encoded = message.Encode();
        Transcript.Add(encoded);
        Records.QueueHandshake(encoded);
        if (message is Finished finished && Version == ProtocolVersion.Tls13)
        {
            SentTls13Finished(finished);
        }
    }

    /// <summary>Sends the compatibility change_cipher_spec once, when the mode is on.</summary>
    public void SendCompatibilityCcs()
    {
        if (Settings.MiddleboxCompatibility && !SentChangeCipherSpec)
        {
            SentChangeCipherSpec = true;
            Records.SendChangeCipherSpec();
        }
    }

    /// <summary>Writes a key log line for <paramref name="secret"/> when a key log is configured.</summary>
    public void LogSecret(string label, Tls13DerivedSecret secret) =>
        Settings.KeyLog?.Invoke(secret.ToKeyLogLine(label, ClientRandom));

    /// <summary>Fresh random bytes from the configured entropy source.</summary>
    public byte[] RandomBytes(int length)
    {
        byte[] bytes = new byte[length];
        Settings.Entropy.GetBytes(bytes);
        return bytes;
    }
}
