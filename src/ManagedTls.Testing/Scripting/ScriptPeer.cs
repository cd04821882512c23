using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Testing;

/// <summary>How far the TLS 1.3 handshake has come, as the script's key tracking sees it.</summary>
internal enum ScriptPhase
{
    /// <summary>No ClientHello yet.</summary>
    Start,
    /// <summary>A ClientHello was sent or received (also after a HelloRetryRequest).</summary>
    Hello,
    /// <summary>Handshake traffic keys are installed.</summary>
    Handshake,
    /// <summary>The server's Finished went by; application secrets exist; the client's Finished is awaited.</summary>
    ServerFinished,
    /// <summary>Both Finished messages went by.</summary>
    Traffic,
}

/// <summary>
/// The script's key tracking, for either role. TLS 1.3: the transcript (with the HelloRetryRequest message_hash rule),
/// the key schedule from the ServerHello on, record keys for both directions, the client's key shares, tickets and their
/// PSKs, KeyUpdate. TLS 1.2 (once a TLS 1.2 ServerHello is sent or received): see ScriptPeer.Tls12.cs. It sees every
/// handshake message the script queues (<see cref="OnSent"/>) and every one that arrives (<see cref="OnReceived"/>),
/// and uses only the engine's key schedules, transcript, record protections and parsers.
/// </summary>
internal sealed partial class ScriptPeer : IDisposable
{
    private readonly ScriptChannel _channel;
    private readonly List<string> _notes = [];
    private Tls13HandshakeSecret? _handshakeSecret;
    private Tls13MasterSecret? _master;
    private Tls13ResumptionMasterSecret? _resumption;

    public ScriptPeer(bool isClient, ScriptChannel channel, ScriptOptions options)
    {
        IsClient = isClient;
        _channel = channel;
        Options = options;
        Entropy = options.Entropy ?? OsEntropy.Instance;
        Clock = options.Clock ?? (static () => DateTimeOffset.UtcNow);
    }

    public bool IsClient { get; }

    public ScriptOptions Options { get; }

    public IEntropySource Entropy { get; }

    public Func<DateTimeOffset> Clock { get; }

    public ThrowawayPki Pki => Options.Pki ?? ThrowawayPki.Shared;

    public ScriptPhase Phase { get; private set; }

    /// <summary>The transcript; it keeps the messages too, which a TLS 1.2 CertificateVerify signs.</summary>
    public TranscriptHash Transcript { get; private set; } = new(retainMessages: true);

    public CipherSuiteInfo? Suite { get; private set; }

    public NamedGroup? Group { get; private set; }

    public bool HelloRetried { get; private set; }

    public bool Resumed { get; private set; }

    public bool SentChangeCipherSpec { get; set; }

    public List<TlsTicket> Tickets { get; } = [];

    public IReadOnlyList<string> Notes => _notes;

    public Tls13TrafficSecret? ClientHandshakeTraffic { get; private set; }

    public Tls13TrafficSecret? ServerHandshakeTraffic { get; private set; }

    public Tls13TrafficSecret? ClientApplicationTraffic { get; private set; }

    public Tls13TrafficSecret? ServerApplicationTraffic { get; private set; }

    // Client role: what the last ClientHello offered.
    public byte[] ClientRandom { get; set; } = [];

    public byte[] SessionId { get; set; } = [];

    public Dictionary<NamedGroup, IKeyExchange> KeyShares { get; } = [];

    public TlsTicket? OfferedTicket { get; set; }

    public ServerHello? RetryRequest { get; private set; }

    public CertificateRequest13? CertificateRequest { get; private set; }

    // Server role: the client's latest hello and the answer being prepared.
    public ClientHello? PeerHello { get; private set; }

    public CipherSuiteInfo? RetrySuite { get; private set; }

    public (CipherSuiteInfo Suite, NamedGroup Group, KeyExchangeResponse Response)? PendingServerShare { get; set; }

    public void Note(string note) => _notes.Add(note);

    /// <summary>Our own traffic secret for Finished: the client's or the server's handshake secret.</summary>
    public Tls13TrafficSecret? OwnHandshakeTraffic => IsClient ? ClientHandshakeTraffic : ServerHandshakeTraffic;

    /// <summary>A handshake message the script is sending (already queued under the keys in force before it).</summary>
    public void OnSent(byte[] message)
    {
        if (message.Length < 4)
        {
            Note($"a {message.Length}-byte handshake message was sent; it is not added to the transcript");
            return;
        }

        var type = (HandshakeType)message[0];
        if (IsTls12 && Phase == ScriptPhase.Traffic && type == HandshakeType.ClientHello && IsClient)
        {
            // A TLS 1.2 renegotiation the kit starts: a new transcript, under the keys in use.
            BeginRenegotiation12();
            SentHello = TryRead(message, static body => ClientHello.Read(body));
        }

        if (IsTls12)
        {
            if (Phase != ScriptPhase.Traffic)
            {
                SentTls12(type, message);
            }

            return;
        }

        if (Phase == ScriptPhase.Traffic)
        {
            if (type == HandshakeType.KeyUpdate)
            {
                Tls13TrafficSecret own = (IsClient ? ClientApplicationTraffic : ServerApplicationTraffic)!;
                own.Update();
                _channel.SetWriteKeys(Suite!, own.Secret);
            }

            return;
        }

        switch (type)
        {
            case HandshakeType.ClientHello:
                Transcript.Add(message);
                Phase = ScriptPhase.Hello;
                SentHello = TryRead(message, static body => ClientHello.Read(body));
                return;
            case HandshakeType.ServerHello when !IsClient:
                SentServerHello(message);
                return;
            case HandshakeType.Finished when !IsClient && Phase == ScriptPhase.Handshake:
                Transcript.Add(message);
                DeriveApplicationSecrets();
                _channel.SetWriteKeys(Suite!, ServerApplicationTraffic!.Secret);
                return;
            case HandshakeType.Finished when IsClient && Phase == ScriptPhase.ServerFinished:
                Transcript.Add(message);
                FinishClient();
                _channel.SetWriteKeys(Suite!, ClientApplicationTraffic!.Secret);
                return;
            default:
                Transcript.Add(message);
                return;
        }
    }

    /// <summary>A handshake message that arrived (read keys for the next record may change here).</summary>
    public void OnReceived(ReceivedMessage message)
    {
        HandshakeType type = message.Type;
        if (IsTls12 && Phase == ScriptPhase.Traffic && type == HandshakeType.ClientHello && !IsClient)
        {
            // A TLS 1.2 renegotiation the peer starts: a new transcript, under the keys in use.
            BeginRenegotiation12();
            PeerHello = message.Parsed as ClientHello;
        }

        if (IsTls12)
        {
            if (Phase != ScriptPhase.Traffic)
            {
                ReceivedTls12(message);
            }

            return;
        }

        if (Phase == ScriptPhase.Traffic)
        {
            ReceivedPostHandshake(message);
            return;
        }

        switch (type)
        {
            case HandshakeType.ServerHello when IsClient:
                ReceivedServerHello(message);
                return;
            case HandshakeType.ClientHello when !IsClient:
                PeerHello = message.Parsed as ClientHello;
                if (PeerHello is null)
                {
                    Note($"the ClientHello did not parse ({message.ParseError})");
                }

                Transcript.Add(message.Bytes);
                Phase = ScriptPhase.Hello;
                return;
            case HandshakeType.Finished when IsClient && Phase == ScriptPhase.Handshake:
                message.Verified = message.Parsed is Finished sf && ServerHandshakeTraffic!.VerifyFinished(Transcript.GetCurrentHash(), sf.VerifyData);
                Transcript.Add(message.Bytes);
                DeriveApplicationSecrets();
                _channel.SetReadKeys(Suite!, ServerApplicationTraffic!.Secret);
                return;
            case HandshakeType.Finished when !IsClient && Phase == ScriptPhase.ServerFinished:
                message.Verified = message.Parsed is Finished cf && ClientHandshakeTraffic!.VerifyFinished(Transcript.GetCurrentHash(), cf.VerifyData);
                Transcript.Add(message.Bytes);
                FinishClient();
                _channel.SetReadKeys(Suite!, ClientApplicationTraffic!.Secret);
                return;
            case HandshakeType.CertificateRequest when IsClient:
                CertificateRequest = message.Parsed as CertificateRequest13;
                Transcript.Add(message.Bytes);
                return;
            default:
                Transcript.Add(message.Bytes);
                return;
        }
    }

    public void Dispose()
    {
        foreach (IKeyExchange k in KeyShares.Values)
        {
            k.Dispose();
        }

        PendingServerShare?.Response.Dispose();
        DisposeTls12();
        _handshakeSecret?.Dispose();
        _master?.Dispose();
        _resumption?.Dispose();
        ClientHandshakeTraffic?.Dispose();
        ServerHandshakeTraffic?.Dispose();
        ClientApplicationTraffic?.Dispose();
        ServerApplicationTraffic?.Dispose();
    }

    private void ReceivedServerHello(ReceivedMessage message)
    {
        if (message.Parsed is ServerHello hello12 && Tls12SuiteOf(hello12) is { } suite12)
        {
            StartTls12(suite12, SentHello, hello12, message.Bytes);
            return;
        }

        if (message.Parsed is not ServerHello sh || CipherSuiteRegistry.Find(sh.CipherSuite) is not { IsTls13: true } suite)
        {
            Note($"the ServerHello is not a TLS 1.3 ServerHello the kit can use ({message.ParseError ?? "unknown suite"}): keys unknown");
            Transcript.Add(message.Bytes);
            return;
        }

        if (!Transcript.IsAlgorithmKnown)
        {
            Transcript.SetAlgorithm(suite.PrfHash);
        }
        else if (Transcript.Algorithm != suite.PrfHash)
        {
            Note($"the ServerHello's suite {suite.IanaName} has another hash than the HelloRetryRequest's: keys unknown");
            return;
        }

        Suite = suite;
        if (sh.IsHelloRetryRequest)
        {
            if (Transcript.MessageCount == 1)
            {
                Transcript.ReplaceClientHelloWithMessageHash();
            }

            Transcript.Add(message.Bytes);
            RetryRequest = sh;
            HelloRetried = true;
            Group = sh.Extensions.Get<KeyShareHelloRetryRequest>()?.SelectedGroup ?? Group;
            return;
        }

        Transcript.Add(message.Bytes);
        KeyShareEntry? share = sh.Extensions.Get<KeyShareServerHello>()?.Share;
        if (share is null || !KeyShares.TryGetValue(share.Group, out IKeyExchange? kx))
        {
            Note("the ServerHello's key_share is missing or for a group the kit sent no share for: keys unknown");
            return;
        }

        byte[] shared;
        try
        {
            shared = kx.DeriveSharedSecret(share.KeyExchange);
        }
        catch (TlsAlertException e)
        {
            Note($"the server's key share is invalid ({e.Message}): keys unknown");
            return;
        }

        Group = share.Group;
        bool psk = sh.Extensions.Get<PreSharedKeyServerHello>() is not null && OfferedTicket is not null;
        Resumed = psk;
        StartHandshakeKeys(suite, shared, psk ? OfferedTicket!.PskSpan : default);
        _channel.SetReadKeys(suite, ServerHandshakeTraffic!.Secret);
        _channel.SetWriteKeys(suite, ClientHandshakeTraffic!.Secret);
    }

    private void SentServerHello(byte[] message)
    {
        // A deliberately broken ServerHello does not parse: the prepared keys below still apply.
        ServerHello? sh = TryRead(message, static body => ServerHello.Read(body));
        if (sh is not null && Tls12SuiteOf(sh) is { } suite12)
        {
            StartTls12(suite12, PeerHello, sh, message);
            return;
        }

        if (sh is { IsHelloRetryRequest: true })
        {
            CipherSuiteInfo? suite = CipherSuiteRegistry.Find(sh.CipherSuite) is { IsTls13: true } s ? s : null;
            if (suite is not null && !Transcript.IsAlgorithmKnown)
            {
                Transcript.SetAlgorithm(suite.PrfHash);
                if (Transcript.MessageCount == 1)
                {
                    Transcript.ReplaceClientHelloWithMessageHash();
                }
            }

            RetrySuite = suite;
            Suite = suite;
            HelloRetried = true;
            Transcript.Add(message);
            return;
        }

        if (PendingServerShare is not { } pending)
        {
            Note("a ServerHello was sent without a key share prepared by the kit: keys unknown");
            Transcript.Add(message);
            return;
        }

        PendingServerShare = null;
        if (!Transcript.IsAlgorithmKnown)
        {
            Transcript.SetAlgorithm(pending.Suite.PrfHash);
        }
        else if (Transcript.Algorithm != pending.Suite.PrfHash)
        {
            Note($"the ServerHello's suite {pending.Suite.IanaName} has another hash than the HelloRetryRequest's: keys unknown");
            Transcript.Add(message);
            pending.Response.Dispose();
            return;
        }

        Transcript.Add(message);
        Suite = pending.Suite;
        Group = pending.Group;
        StartHandshakeKeys(pending.Suite, pending.Response.SharedSecret, default);
        pending.Response.Dispose();
        _channel.SetWriteKeys(pending.Suite, ServerHandshakeTraffic!.Secret);
        _channel.SetReadKeys(pending.Suite, ClientHandshakeTraffic!.Secret);
    }

    private void StartHandshakeKeys(CipherSuiteInfo suite, byte[] shared, ReadOnlySpan<byte> psk)
    {
        using (Tls13EarlySecret early = psk.IsEmpty ? Tls13EarlySecret.WithoutPsk(suite.PrfHash) : Tls13EarlySecret.WithPsk(suite.PrfHash, psk))
        {
            _handshakeSecret = early.ToHandshakeSecret(shared);
        }

        CryptoUtil.Wipe(shared);
        byte[] hash = Transcript.GetCurrentHash();
        ClientHandshakeTraffic = _handshakeSecret.ClientHandshakeTrafficSecret(hash);
        ServerHandshakeTraffic = _handshakeSecret.ServerHandshakeTrafficSecret(hash);
        Phase = ScriptPhase.Handshake;
    }

    private void DeriveApplicationSecrets()
    {
        byte[] hash = Transcript.GetCurrentHash();
        _master = _handshakeSecret!.ToMasterSecret();
        _handshakeSecret = null;
        ClientApplicationTraffic = _master.ClientApplicationTrafficSecret(hash);
        ServerApplicationTraffic = _master.ServerApplicationTrafficSecret(hash);
        Phase = ScriptPhase.ServerFinished;
    }

    private void FinishClient()
    {
        _resumption = _master!.ResumptionMasterSecret(Transcript.GetCurrentHash());
        Phase = ScriptPhase.Traffic;
    }

    private void ReceivedPostHandshake(ReceivedMessage message)
    {
        switch (message.Parsed)
        {
            case KeyUpdate:
                Tls13TrafficSecret peer = (IsClient ? ServerApplicationTraffic : ClientApplicationTraffic)!;
                peer.Update();
                _channel.SetReadKeys(Suite!, peer.Secret);
                return;
            case NewSessionTicket13 ticket when IsClient && _resumption is not null:
                Tickets.Add(new TlsTicket(ticket.Ticket, ticket.Nonce, ticket.Lifetime, ticket.AgeAdd, ticket.MaxEarlyDataSize, Suite!.Suite, _resumption.TicketPsk(ticket.Nonce), Clock()));
                return;
            case CertificateRequest13 request when IsClient:
                CertificateRequest = request;
                return;
        }
    }
}
