using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls12;
using ManagedTls.Record;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;

namespace ManagedTls.Testing;

/// <summary>
/// TLS 1.2 key tracking (RFC 5246, RFC 7627 extended master secret, RFC 7366 encrypt-then-MAC), for either role. It
/// starts when a TLS 1.2 ServerHello is sent or received (no supported_versions, a TLS 1.2 suite): the agreement comes
/// from the two hellos as sent, the transcript hash is the suite's PRF hash. The premaster secret is computed by the
/// step that builds the ClientKeyExchange (client) or from the ServerKeyExchange key and the received ClientKeyExchange
/// (server); the master secret and both record protections follow as soon as the ClientKeyExchange is in the
/// transcript (the extended master secret hashes through it). The protections wait: the write one is installed when
/// the kit sends change_cipher_spec, the read one when the peer's arrives, as RFC 5246 section 7.1 says. Finished
/// messages are computed and checked with the engine's key schedule.
/// </summary>
internal sealed partial class ScriptPeer
{
    private Tls12MasterSecret? _master12;
    private RecordProtection? _pendingWrite12;
    private RecordProtection? _pendingRead12;
    private byte[]? _premaster12;

    /// <summary>True once a TLS 1.2 ServerHello was sent or received: messages parse and keys follow TLS 1.2 rules.</summary>
    public bool IsTls12 { get; private set; }

    /// <summary>The version the key tracking follows: TLS 1.2 after a TLS 1.2 ServerHello, TLS 1.3 once its keys exist; else null.</summary>
    public ProtocolVersion? Version => IsTls12 ? ProtocolVersion.Tls12 : Phase >= ScriptPhase.Handshake ? ProtocolVersion.Tls13 : null;

    /// <summary>Client role: the last ClientHello the script sent, when it parses.</summary>
    public ClientHello? SentHello { get; private set; }

    /// <summary>TLS 1.2: what the hellos agreed (null when a hello did not parse).</summary>
    public Tls12Agreement? Agreement12 { get; private set; }

    /// <summary>TLS 1.2 client: the server's certificate chain as received.</summary>
    public IReadOnlyList<byte[]> PeerChain12 { get; private set; } = [];

    /// <summary>TLS 1.2 client: the server's ServerKeyExchange, when it parsed.</summary>
    public ServerKeyExchange? ServerKeyExchange12 { get; private set; }

    /// <summary>TLS 1.2 client: the server's CertificateRequest, when one arrived.</summary>
    public CertificateRequest12? CertificateRequest12 { get; private set; }

    /// <summary>TLS 1.2 server: true once the kit sent a CertificateRequest.</summary>
    public bool RequestedCertificate12 { get; private set; }

    /// <summary>TLS 1.2 server: the ephemeral key of the ServerKeyExchange the kit sent.</summary>
    public IKeyExchange? ServerKey12 { get; private set; }

    /// <summary>TLS 1.2: the master secret, once the ClientKeyExchange went by with a known premaster secret.</summary>
    public Tls12MasterSecret? Master12 => _master12;

    /// <summary>How TLS 1.2 messages of the negotiated key exchange parse; null before TLS 1.2 is known (TLS 1.3 first).</summary>
    public WireContext? ParseContext => IsTls12 ? WireContext.Tls12(Tls12Common.KindOf(Suite!)) : null;

    /// <summary>TLS 1.2: the client's verify_data of the last completed handshake (what a renegotiation's renegotiation_info carries, RFC 5746).</summary>
    public byte[]? ClientVerifyData12 { get; private set; }

    /// <summary>TLS 1.2: the server's verify_data of the last completed handshake.</summary>
    public byte[]? ServerVerifyData12 { get; private set; }

    /// <summary>TLS 1.2: true from a renegotiation's ClientHello until its handshake completes.</summary>
    public bool Renegotiating12 { get; private set; }

    /// <summary>
    /// TLS 1.2: the renegotiation_info a hello of the running renegotiation carries (RFC 5746 section 3.5 and 3.7):
    /// the client's verify_data in a ClientHello, both in a ServerHello; empty outside a renegotiation.
    /// </summary>
    public byte[] RenegotiationInfo12(bool serverHello) => !Renegotiating12 && !(IsTls12 && Phase == ScriptPhase.Traffic)
        ? []
        : serverHello ? [.. ClientVerifyData12 ?? [], .. ServerVerifyData12 ?? []] : [.. ClientVerifyData12 ?? []];

    /// <summary>TLS 1.2: the key exchange of the negotiated suite.</summary>
    public KeyExchangeKind Kind12 => IsTls12 ? Tls12Common.KindOf(Suite!) : KeyExchangeKind.None;

    /// <summary>TLS 1.2 client: the premaster secret the next ClientKeyExchange the kit sends stands for (owned; wiped once used).</summary>
    public void SetPremaster12(byte[] premaster)
    {
        if (_premaster12 is not null)
        {
            CryptoUtil.Wipe(_premaster12);
        }

        _premaster12 = premaster;
    }

    /// <summary>TLS 1.2 server: the key of the ServerKeyExchange being sent (owned).</summary>
    public void SetServerKey12(IKeyExchange key, NamedGroup group)
    {
        ServerKey12?.Dispose();
        ServerKey12 = key;
        Group = group;
    }

    /// <summary>The script sent change_cipher_spec: in TLS 1.2, what it sends from now on is protected under the new keys.</summary>
    public void OnChangeCipherSpecSent()
    {
        if (IsTls12 && _pendingWrite12 is { } write)
        {
            _pendingWrite12 = null;
            _channel.SetWriteProtection(write);
        }
    }

    /// <summary>The peer's change_cipher_spec arrived: in TLS 1.2, the records after it are opened under the new keys.</summary>
    public void OnChangeCipherSpecReceived()
    {
        if (!IsTls12)
        {
            return;
        }

        if (_pendingRead12 is { } read)
        {
            _pendingRead12 = null;
            _channel.SetReadProtection(read);
        }
        else if (_master12 is null)
        {
            Note("the peer's change_cipher_spec arrived before the kit knew the TLS 1.2 keys: what follows is read as plaintext");
        }
    }

    /// <summary>A TLS 1.2 suite when <paramref name="sh"/> is a TLS 1.2 ServerHello (no supported_versions); else null.</summary>
    private static CipherSuiteInfo? Tls12SuiteOf(ServerHello sh) =>
        !sh.IsHelloRetryRequest && !sh.Extensions.Contains(ExtensionType.SupportedVersions)
            && CipherSuiteRegistry.Find(sh.CipherSuite) is { IsTls13: false } suite ? suite : null;

    private static T? TryRead<T>(byte[] message, ReadBody<T> read)
        where T : class
    {
        try
        {
            return message.Length >= 4 ? read(message.AsSpan(4)) : null;
        }
        catch (TlsAlertException)
        {
            return null;
        }
    }

    /// <summary>Switches to TLS 1.2 at the ServerHello: the agreement from the two hellos, the transcript's hash.</summary>
    private void StartTls12(CipherSuiteInfo suite, ClientHello? ch, ServerHello sh, byte[] message)
    {
        IsTls12 = true;
        Suite = suite;
        Phase = ScriptPhase.Handshake;
        if (Transcript.IsAlgorithmKnown && Transcript.Algorithm != suite.PrfHash)
        {
            Note($"the TLS 1.2 suite {suite.IanaName} has another hash than the transcript's: keys unknown");
            Transcript.Add(message);
            return;
        }

        Transcript.SetAlgorithm(suite.PrfHash);
        Transcript.Add(message);
        if (ch is null)
        {
            Note("the ClientHello did not parse: TLS 1.2 keys unknown");
            return;
        }

        bool Both(ExtensionType t) => ch.Extensions.Contains(t) && sh.Extensions.Contains(t);
        bool clientRenegotiation = ch.Extensions.Contains(ExtensionType.RenegotiationInfo)
            || ch.CipherSuites.Contains(TlsCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
        Agreement12 = new Tls12Agreement(
            suite,
            ch.Random,
            sh.Random,
            sh.SessionIdEcho,
            Both(ExtensionType.ExtendedMasterSecret),
            Both(ExtensionType.EncryptThenMac) && !suite.IsAead,
            clientRenegotiation && sh.Extensions.Contains(ExtensionType.RenegotiationInfo),
            sh.CompressionMethod == (byte)CompressionMethod.Deflate && ch.CompressionMethods.Contains(sh.CompressionMethod) ? CompressionMethod.Deflate : CompressionMethod.Null);
    }

    /// <summary>
    /// A TLS 1.2 renegotiation begins (a ClientHello after the handshake): a new transcript; the records stay under the
    /// keys in use until each side's change_cipher_spec, and the agreement is made again at the ServerHello.
    /// </summary>
    private void BeginRenegotiation12()
    {
        Transcript = new TranscriptHash(retainMessages: true);
        Phase = ScriptPhase.Hello;
        Renegotiating12 = true;
        PeerChain12 = [];
        ServerKeyExchange12 = null;
        CertificateRequest12 = null;
        RequestedCertificate12 = false;
    }

    private void SentTls12(HandshakeType type, byte[] message)
    {
        if (type == HandshakeType.ServerHello && !IsClient && TryRead(message, static body => ServerHello.Read(body)) is { } sh && Tls12SuiteOf(sh) is { } suite)
        {
            StartTls12(suite, PeerHello, sh, message);
            return;
        }

        if (type == HandshakeType.Finished && TryRead(message, static body => Finished.Read(body, Tls12KeySchedule.VerifyDataLength)) is { } own)
        {
            RecordVerifyData12(sentByClient: IsClient, own.VerifyData);
        }

        Transcript.Add(message);
        switch (type)
        {
            case HandshakeType.ClientKeyExchange when IsClient:
                if (_premaster12 is null)
                {
                    Note("a ClientKeyExchange was sent without a premaster secret computed by the kit: TLS 1.2 keys unknown");
                    return;
                }

                byte[] premaster = _premaster12;
                _premaster12 = null;
                DeriveTls12Keys(premaster);
                return;
            case HandshakeType.CertificateRequest when !IsClient:
                RequestedCertificate12 = true;
                return;
            case HandshakeType.Finished when !IsClient:
                // The server's Finished ends a full TLS 1.2 handshake.
                Phase = ScriptPhase.Traffic;
                return;
        }
    }

    private void ReceivedTls12(ReceivedMessage message)
    {
        if (message.Type == HandshakeType.ServerHello && IsClient && message.Parsed is ServerHello sh && Tls12SuiteOf(sh) is { } suite)
        {
            StartTls12(suite, SentHello, sh, message.Bytes);
            return;
        }

        if (message.Type == HandshakeType.Finished && message.Parsed is Finished peerFinished)
        {
            RecordVerifyData12(sentByClient: !IsClient, peerFinished.VerifyData);
        }

        switch (message.Type)
        {
            case HandshakeType.Certificate when IsClient:
                PeerChain12 = message.Certificates;
                break;
            case HandshakeType.ServerKeyExchange when IsClient:
                ServerKeyExchange12 = message.Parsed as ServerKeyExchange;
                Group = ServerKeyExchange12 switch
                {
                    EcdheServerKeyExchange ecdhe => ecdhe.Group,
                    DheServerKeyExchange dhe => NamedDhGroup(dhe),
                    _ => Group,
                };

                message.Verified = VerifyServerKeyExchange(message);
                break;
            case HandshakeType.CertificateRequest when IsClient:
                CertificateRequest12 = message.Parsed as CertificateRequest12;
                break;
            case HandshakeType.ClientKeyExchange when !IsClient:
                Transcript.Add(message.Bytes);
                ReceivedClientKeyExchange(message);
                return;
            case HandshakeType.Finished:
                message.Verified = _master12 is null || message.Parsed is not Finished finished
                    ? null
                    : _master12.VerifyFinished(sentByClient: !IsClient, Transcript.GetCurrentHash(), finished.VerifyData);
                Transcript.Add(message.Bytes);
                if (IsClient)
                {
                    Phase = ScriptPhase.Traffic;
                }

                return;
        }

        Transcript.Add(message.Bytes);
    }

    // The verify_data of a TLS 1.2 Finished; once both are known the handshake (or renegotiation) is complete.
    private void RecordVerifyData12(bool sentByClient, byte[] verifyData)
    {
        if (sentByClient)
        {
            ClientVerifyData12 = verifyData;
        }
        else
        {
            ServerVerifyData12 = verifyData;
        }

        if (!sentByClient)
        {
            Renegotiating12 = false;
        }
    }

    /// <summary>The RFC 7919 group a DHE ServerKeyExchange's p and g are, or null.</summary>
    private static NamedGroup? NamedDhGroup(DheServerKeyExchange ske)
    {
        try
        {
            FiniteFieldKeyExchange parameters = FiniteFieldKeyExchange.FromServerParameters(ske.P, ske.G, minimumPrimeBits: 0);
            return KeyExchangeGroups.All.FirstOrDefault(g => ReferenceEquals(g.Algorithm, parameters))?.Group;
        }
        catch (TlsAlertException)
        {
            return null;
        }
    }

    /// <summary>Whether a ServerKeyExchange's signature verifies with the leaf's key; null when that cannot be checked.</summary>
    private bool? VerifyServerKeyExchange(ReceivedMessage message)
    {
        if (message.Parsed is not ServerKeyExchange ske || Agreement12 is null || PeerChain12.Count == 0)
        {
            return null;
        }

        try
        {
            PublicKey key = CertificatePublicKey.FromCertificate(PeerChain12[0]);
            if (SignatureSchemes.Find(ske.Algorithm) is not { } scheme)
            {
                return false;
            }

            // The signed parameters exactly as they arrived: the body up to the algorithm and the signature vector.
            ReadOnlySpan<byte> parameters = message.Bytes.AsSpan(4, message.Bytes.Length - 4 - 4 - ske.Signature.Length);
            return key.Verify(scheme.Algorithm, Tls12Common.ServerParamsContent(Agreement12, parameters), ske.Signature);
        }
        catch (TlsAlertException e)
        {
            Note($"the server's certificate key is not usable to check the ServerKeyExchange ({e.Message})");
            return null;
        }
    }

    private void ReceivedClientKeyExchange(ReceivedMessage message)
    {
        if (message.Parsed is not ClientKeyExchange cke)
        {
            Note($"the ClientKeyExchange did not parse ({message.ParseError}): TLS 1.2 keys unknown");
            return;
        }

        if (cke.Kind == KeyExchangeKind.Rsa)
        {
            Note("RSA key transport: the kit has no RSA key to decrypt the premaster secret with: TLS 1.2 keys unknown");
            return;
        }

        if (ServerKey12 is not { } key)
        {
            Note("the ClientKeyExchange answers no ServerKeyExchange key of the kit: TLS 1.2 keys unknown");
            return;
        }

        byte[] shared;
        try
        {
            shared = cke.Kind == KeyExchangeKind.Dhe
                ? FiniteFieldKeyExchange.DeriveTls12(key, cke.ExchangeKeys)
                : key.DeriveSharedSecret(cke.ExchangeKeys);
        }
        catch (Exception e) when (e is TlsAlertException or ArgumentException)
        {
            Note($"the client's key exchange value is invalid ({e.Message}): TLS 1.2 keys unknown");
            return;
        }

        DeriveTls12Keys(key.Algorithm.ToTls12PremasterSecret(shared));
    }

    /// <summary>
    /// The master secret (RFC 7627 over the transcript through the ClientKeyExchange, else from the randoms) and the two
    /// record protections of the key block, which wait for the change_cipher_spec of their direction. Wipes the premaster.
    /// </summary>
    private void DeriveTls12Keys(byte[] premaster)
    {
        if (Agreement12 is not { } agreed)
        {
            CryptoUtil.Wipe(premaster);
            Note("the hellos are not known: TLS 1.2 keys unknown");
            return;
        }

        _master12?.Dispose();
        try
        {
            _master12 = agreed.ExtendedMasterSecret
                ? Tls12KeySchedule.DeriveExtendedMasterSecret(agreed.Suite.PrfHash, premaster, Transcript.GetCurrentHash())
                : Tls12KeySchedule.DeriveMasterSecret(agreed.Suite.PrfHash, premaster, agreed.ClientRandom, agreed.ServerRandom);
        }
        finally
        {
            CryptoUtil.Wipe(premaster);
        }

        // Tls12Common.Protections reads only the settings' entropy (CBC IVs) from the context; the kit has no engine
        // record layer, and none is used.
        var context = new HandshakeContext(new TlsConfig { Role = IsClient ? TlsRole.Client : TlsRole.Server, Entropy = Entropy }, null!);
        (RecordProtection clientWrite, RecordProtection serverWrite) = Tls12Common.Protections(context, agreed, _master12);
        _pendingWrite12?.Dispose();
        _pendingRead12?.Dispose();
        _pendingWrite12 = IsClient ? clientWrite : serverWrite;
        _pendingRead12 = IsClient ? serverWrite : clientWrite;
    }

    private void DisposeTls12()
    {
        if (_premaster12 is not null)
        {
            CryptoUtil.Wipe(_premaster12);
        }

        _master12?.Dispose();
        _pendingWrite12?.Dispose();
        _pendingRead12?.Dispose();
        ServerKey12?.Dispose();
    }

    private delegate T ReadBody<out T>(ReadOnlySpan<byte> body);
}
