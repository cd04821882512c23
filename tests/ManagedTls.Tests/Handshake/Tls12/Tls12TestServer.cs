using System.Buffers;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls12;
using ManagedTls.Record;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;
using HandshakeMessage = ManagedTls.Wire.Messages.HandshakeMessage;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>What the scripted TLS 1.2 server does, and where it misbehaves.</summary>
internal sealed record Tls12ServerOptions
{
    /// <summary>The suite it answers with (it must be among the client's).</summary>
    public required CipherSuiteInfo Suite { get; init; }

    /// <summary>Its certificate's key.</summary>
    public ServerKeyType KeyType { get; init; } = ServerKeyType.EcdsaP256;

    /// <summary>A certificate and key to use instead of <see cref="KeyType"/>'s.</summary>
    public (byte[] Der, PrivateKey Key)? Certificate { get; init; }

    /// <summary>The ECDHE curve.</summary>
    public NamedGroup Group { get; init; } = NamedGroup.X25519;

    /// <summary>The DHE group.</summary>
    public FiniteFieldKeyExchange DheGroup { get; init; } = KeyExchanges.Ffdhe2048;

    /// <summary>The scheme it signs ServerKeyExchange with; null for the first of the client's its key can make.</summary>
    public SignatureScheme? Scheme { get; init; }

    /// <summary>Answer extended_master_secret when offered.</summary>
    public bool ExtendedMasterSecret { get; init; } = true;

    /// <summary>Answer encrypt_then_mac when offered (whatever the suite).</summary>
    public bool EncryptThenMac { get; init; } = true;

    /// <summary>Send renegotiation_info.</summary>
    public bool RenegotiationInfo { get; init; } = true;

    /// <summary>Echo session_ticket and send this ticket in a NewSessionTicket (empty: change its mind); null sends neither.</summary>
    public byte[]? Ticket { get; init; }

    /// <summary>Send a CertificateRequest with these certificate types.</summary>
    public byte[]? RequestCertificateTypes { get; init; }

    /// <summary>ALPN protocol to select.</summary>
    public byte[]? Alpn { get; init; }

    /// <summary>record_size_limit to answer with (when the client sent one).</summary>
    public int? RecordSizeLimit { get; init; }

    /// <summary>The body of its ChangeCipherSpec.</summary>
    public byte[] ChangeCipherSpecBody { get; init; } = [1];

    /// <summary>Changes (or, returning null, drops) an encoded message before it is sent and added to the transcript.</summary>
    public Func<byte[], byte[]?>? Edit { get; init; }

    /// <summary>Sends a HelloRequest (outside the transcript, as RFC 5246 section 7.4.1.1 has it) before this message.</summary>
    public HandshakeType? HelloRequestBefore { get; init; }

    /// <summary>ServerHello.random; null for a fresh one.</summary>
    public byte[]? Random { get; init; }

    /// <summary>Warning alerts (unrecognized_name) sent before the ServerHello.</summary>
    public int WarningsBeforeHello { get; init; }
}

/// <summary>
/// A TLS 1.2 server written for the client's tests out of the engine's pieces (key schedule, record protections,
/// message codecs): one full handshake as RFC 5246 describes it, with hooks to misbehave, then application data. It
/// checks what the client sends (CertificateVerify, Finished) and records it.
/// </summary>
internal sealed class Tls12TestServer : IDisposable
{
    private readonly Tls12ServerOptions _o;
    private readonly HandshakeContext _cx;
    private readonly ArrayBufferWriter<byte> _out = new();
    private readonly RecordWriter _writer = new();
    private readonly List<byte> _in = [];
    private readonly List<byte> _handshake = [];
    private readonly PrivateKey _key;
    private readonly byte[] _certificate;
    private readonly PlaintextRecordProtection _plaintext = new();
    private RecordProtection _read = new PlaintextRecordProtection();
    private RecordProtection _write = new PlaintextRecordProtection();
    private RecordProtection? _pendingRead;
    private RecordProtection? _pendingWrite;
    private Tls12Agreement? _agreed;
    private Tls12MasterSecret? _master;
    private IKeyExchange? _kx;
    private PublicKey? _clientKey;

    public Tls12TestServer(Tls12ServerOptions options)
    {
        _o = options;
        (_certificate, _key) = options.Certificate ?? ConnectionTestKit.Leaf(options.KeyType);
        TlsConfig settings = ConnectionTestKit.Server(options.KeyType) with
        {
            MinimumVersion = ProtocolVersion.Tls12,
            MaximumVersion = ProtocolVersion.Tls12,
            Tls12CipherSuites = [options.Suite],
            RequestClientCertificate = options.RequestCertificateTypes is not null,
        };
        _cx = new HandshakeContext(settings, new NoRecords());
    }

    /// <summary>The ClientHello as received.</summary>
    public ClientHello? ClientHello { get; private set; }

    /// <summary>The client's certificate chain, when it sent a Certificate.</summary>
    public IReadOnlyList<byte[]>? ClientChain { get; private set; }

    /// <summary>The scheme of the client's CertificateVerify, which this server checked.</summary>
    public SignatureScheme? ClientSignatureScheme { get; private set; }

    /// <summary>Both Finished once the handshake is complete.</summary>
    public Tls12FinishedPair? Finished { get; private set; }

    /// <summary>True once both Finished were exchanged.</summary>
    public bool IsComplete => Finished is not null;

    /// <summary>The agreed parameters.</summary>
    public Tls12Agreement Agreed => _agreed!;

    /// <summary>Application data received.</summary>
    public List<byte[]> Received { get; } = [];

    /// <summary>Every record the client sent: type and the length of its plaintext.</summary>
    public List<(ContentType Type, int PlaintextLength)> ClientRecords { get; } = [];

    /// <summary>Alerts received: level and description.</summary>
    public List<(byte Level, AlertDescription Description)> Alerts { get; } = [];

    /// <summary>An exporter over the server's master secret, once complete.</summary>
    public Tls12Exporter? Exporter { get; private set; }

    /// <summary>Takes what the server has to send.</summary>
    public byte[] TakeOutput()
    {
        byte[] bytes = _out.WrittenSpan.ToArray();
        _out.Clear();
        return bytes;
    }

    /// <summary>Sends application data under the server's keys.</summary>
    public void SendApplicationData(byte[] data) => _writer.Write(ContentType.ApplicationData, data, _write, _out);

    /// <summary>Sends an alert under the current keys.</summary>
    public void SendAlert(AlertLevel level, AlertDescription description) =>
        _writer.Write(ContentType.Alert, [(byte)level, (byte)description], _write, _out);

    /// <summary>Sends a handshake message (already encoded) under the current keys, outside the transcript.</summary>
    public void SendRawHandshake(byte[] encoded) => _writer.Write(ContentType.Handshake, encoded, _write, _out);

    /// <summary>Feeds bytes from the client.</summary>
    public void Receive(ReadOnlySpan<byte> data)
    {
        _in.AddRange(data.ToArray());
        while (_in.Count >= 5)
        {
            int length = (_in[3] << 8) | _in[4];
            if (_in.Count < 5 + length)
            {
                return;
            }

            byte[] record = _in.GetRange(0, 5 + length).ToArray();
            _in.RemoveRange(0, 5 + length);
            var type = (ContentType)record[0];
            ushort version = (ushort)((record[1] << 8) | record[2]);
            Span<byte> fragment = record.AsSpan(5);
            ContentType inner = type == ContentType.ChangeCipherSpec ? type : _read.Open(type, version, fragment, out fragment);
            ClientRecords.Add((inner, fragment.Length));
            switch (inner)
            {
                case ContentType.ChangeCipherSpec:
                    Assert.Equal([1], fragment.ToArray());
                    _read.Dispose();
                    _read = _pendingRead!;
                    break;
                case ContentType.Alert:
                    Alerts.Add((fragment[0], (AlertDescription)fragment[1]));
                    break;
                case ContentType.ApplicationData:
                    Received.Add(fragment.ToArray());
                    break;
                default:
                    _handshake.AddRange(fragment.ToArray());
                    while (_handshake.Count >= 4)
                    {
                        int n = 4 + ((_handshake[1] << 16) | (_handshake[2] << 8) | _handshake[3]);
                        if (_handshake.Count < n)
                        {
                            break;
                        }

                        byte[] message = _handshake.GetRange(0, n).ToArray();
                        _handshake.RemoveRange(0, n);
                        OnMessage(message);
                    }

                    break;
            }
        }
    }

    public void Dispose()
    {
        _read.Dispose();
        _write.Dispose();
        _plaintext.Dispose();
        _pendingRead?.Dispose();
        _pendingWrite?.Dispose();
        _master?.Dispose();
        _kx?.Dispose();
        Exporter?.Dispose();
        _writer.Dispose();
    }

    private void OnMessage(byte[] encoded)
    {
        var type = (HandshakeType)encoded[0];
        switch (type)
        {
            case HandshakeType.ClientHello:
                ClientHello = (ClientHello)HandshakeMessage.Read(encoded, WireContext.Tls12());
                _cx.Transcript.SetAlgorithm(_o.Suite.PrfHash);
                _cx.Transcript.Add(encoded);
                SendFlight(ClientHello);
                break;
            case HandshakeType.Certificate:
                var certificate = (CertificateMessage)HandshakeMessage.Read(encoded, WireContext.Tls12());
                ClientChain = certificate.Entries.Select(e => e.Data).ToArray();
                _clientKey = ClientChain.Count == 0 ? null : CertificatePublicKey.FromCertificate(ClientChain[0]);
                _cx.Transcript.Add(encoded);
                break;
            case HandshakeType.ClientKeyExchange:
                var cke = (ClientKeyExchange)HandshakeMessage.Read(encoded, WireContext.Tls12(Tls12Common.KindOf(_o.Suite)));
                _cx.Transcript.Add(encoded);
                DeriveKeys(cke);
                break;
            case HandshakeType.CertificateVerify:
                var cv = (CertificateVerify)HandshakeMessage.Read(encoded, WireContext.Tls12());
                SignatureSchemeInfo info = SignatureSchemes.Find(cv.Algorithm)!;
                Assert.True(_clientKey!.Verify(info.Algorithm, _cx.Transcript.RetainedMessages, cv.Signature), "the client's CertificateVerify does not verify");
                ClientSignatureScheme = cv.Algorithm;
                _cx.Transcript.Add(encoded);
                break;
            case HandshakeType.Finished:
                byte[] clientVerify = Tls12Common.CheckPeerFinished(_cx, _master!, encoded);
                _cx.Transcript.Add(encoded);
                Finish(clientVerify);
                break;
            default:
                throw new InvalidOperationException($"the test server does not expect {type}");
        }
    }

    private void SendFlight(ClientHello ch)
    {
        Assert.Contains(_o.Suite.Suite, ch.CipherSuites);
        bool cbc = _o.Suite.Cipher.Aead is null;
        var ext = new ExtensionBlock();
        if (_o.RenegotiationInfo)
        {
            ext.Add(new RenegotiationInfoExtension([]));
        }

        bool ems = _o.ExtendedMasterSecret && ch.Extensions.Contains(ExtensionType.ExtendedMasterSecret);
        bool etm = _o.EncryptThenMac && ch.Extensions.Contains(ExtensionType.EncryptThenMac);
        if (ems)
        {
            ext.Add(new EmptyExtension(ExtensionType.ExtendedMasterSecret));
        }

        if (etm)
        {
            ext.Add(new EmptyExtension(ExtensionType.EncryptThenMac));
        }

        ext.Add(new EcPointFormatsExtension([0]));
        if (_o.Ticket is not null)
        {
            ext.Add(new SessionTicketExtension([]));
        }

        if (_o.Alpn is { } alpn)
        {
            ext.Add(new AlpnExtension([alpn]));
        }

        if (_o.RecordSizeLimit is int limit)
        {
            ext.Add(new RecordSizeLimitExtension((ushort)limit));
        }

        for (int i = 0; i < _o.WarningsBeforeHello; i++)
        {
            SendAlert(AlertLevel.Warning, AlertDescription.UnrecognizedName);
        }

        byte[] random = _o.Random ?? new byte[32];
        if (_o.Random is null)
        {
            OsEntropy.Instance.GetBytes(random);
        }

        _agreed = new Tls12Agreement(_o.Suite, ch.Random, random, [7, 7, 7], ems, etm && cbc, _o.RenegotiationInfo);
        Send(new ServerHello(ProtocolVersion.Tls12, random, [7, 7, 7], _o.Suite.Suite, 0, ext));
        Send(new CertificateMessage(null, [new CertificateEntry(_certificate)]));
        KeyExchangeKind kind = _agreed.KeyExchange;
        if (kind != KeyExchangeKind.Rsa)
        {
            IReadOnlyList<SignatureScheme> offered = ch.Extensions.Get<SignatureAlgorithmsExtension>()!.Schemes;
            SignatureSchemeInfo scheme = _o.Scheme is { } s ? SignatureSchemes.Find(s)! : SignatureSchemes.SignableBy(_key, offered, tls13: false)[0];
            ServerKeyExchange unsigned;
            if (kind == KeyExchangeKind.Ecdhe)
            {
                _kx = KeyExchangeGroups.Find(_o.Group)!.Algorithm.Generate(OsEntropy.Instance);
                unsigned = new EcdheServerKeyExchange(_o.Group, _kx.PublicShare.ToArray(), scheme.Scheme, []);
            }
            else
            {
                _kx = _o.DheGroup.Generate(OsEntropy.Instance);
                unsigned = new DheServerKeyExchange(_o.DheGroup.Prime, _o.DheGroup.Generator, _kx.PublicShare.ToArray(), scheme.Scheme, []);
            }

            byte[] parameters = unsigned.EncodeParams();
            byte[] signature = _key.Sign(scheme.Algorithm, Tls12Common.ServerParamsContent(_agreed, parameters), OsEntropy.Instance);
            Send(kind == KeyExchangeKind.Ecdhe
                ? new EcdheServerKeyExchange(_o.Group, _kx.PublicShare.ToArray(), scheme.Scheme, signature)
                : new DheServerKeyExchange(_o.DheGroup.Prime, _o.DheGroup.Generator, _kx.PublicShare.ToArray(), scheme.Scheme, signature));
        }

        if (_o.RequestCertificateTypes is { } types)
        {
            Send(new CertificateRequest12(types, ManagedTls.CipherSuites.SignatureSchemes.Default, HandshakeCommon.AnchorSubjects(new TrustStore([ConnectionTestKit.RootDer]))));
        }

        Send(new ServerHelloDone());
    }

    private void DeriveKeys(ClientKeyExchange cke)
    {
        byte[] premaster = _agreed!.KeyExchange switch
        {
            KeyExchangeKind.Rsa => RsaKeyExchange.DecryptPremaster(_key, cke.ExchangeKeys, 0x0303, OsEntropy.Instance),
            KeyExchangeKind.Dhe => _o.DheGroup.ToTls12PremasterSecret(FiniteFieldKeyExchange.DeriveTls12(_kx!, cke.ExchangeKeys)),
            _ => _kx!.DeriveSharedSecret(cke.ExchangeKeys),
        };
        _master = Tls12Common.MasterSecret(_cx, _agreed, premaster);
        (_pendingRead, _pendingWrite) = Tls12Common.Protections(_cx, _agreed, _master);
    }

    private void Finish(byte[] clientVerify)
    {
        if (_o.Ticket is { } ticket)
        {
            Send(new NewSessionTicket12(3600, ticket));
        }

        _writer.Write(ContentType.ChangeCipherSpec, _o.ChangeCipherSpecBody, _plaintext, _out);
        _write.Dispose();
        _write = _pendingWrite!;
        _pendingWrite = null;
        byte[] serverVerify = Tls12Common.FinishedData(_cx, _master!, sentByClient: false);
        Send(new Finished(serverVerify));
        Finished = new Tls12FinishedPair(clientVerify, serverVerify, Abbreviated: false);
        Exporter = new Tls12Exporter(_o.Suite.PrfHash, _master!.Secret, _master.IsExtended, _agreed!.ClientRandom, _agreed.ServerRandom);
    }

    private void Send(HandshakeMessage message)
    {
        if (_o.HelloRequestBefore == message.Type)
        {
            SendRawHandshake(new HelloRequest().Encode());
        }

        byte[]? encoded = message.Encode();
        if (_o.Edit is { } edit)
        {
            encoded = edit(encoded);
        }

        if (encoded is null)
        {
            return;
        }

        _cx.Transcript.Add(encoded);
        _writer.Write(ContentType.Handshake, encoded, _write, _out);
    }

    // The server's context is used for its transcript and the shared TLS 1.2 helpers, never to send.
    private sealed class NoRecords : IRecordLayer
    {
        public bool IsClosedForWriting => false;

        public void QueueHandshake(ReadOnlySpan<byte> encodedMessage) => throw new NotSupportedException();

        public void SendChangeCipherSpec() => throw new NotSupportedException();

        public void SetWriteProtection(RecordProtection protection) => throw new NotSupportedException();

        public void SetReadProtection(RecordProtection protection) => throw new NotSupportedException();

        public void SetRecordSizeLimits(int peerLimit, int ownLimit) => throw new NotSupportedException();

        public void SkipRejectedEarlyData(EarlyDataSkip mode) => throw new NotSupportedException();

        public void SendWarningAlert(AlertDescription description) => throw new NotSupportedException();
    }
}

/// <summary>Our client and the scripted TLS 1.2 server, bytes moved in memory.</summary>
internal sealed class Tls12ClientPair : IDisposable
{
    public Tls12ClientPair(TlsConfig client, Tls12ServerOptions server)
    {
        Server = new Tls12TestServer(server);
        Client = TlsConnection.CreateClient(client);
    }

    public TlsConnection Client { get; }

    public Tls12TestServer Server { get; }

    /// <summary>The client's failure, once it failed.</summary>
    public TlsAlertException? ClientError { get; private set; }

    /// <summary>The server's complaint (a failed assertion or its exception), once it failed.</summary>
    public Exception? ServerError { get; private set; }

    /// <summary>Moves bytes both ways until neither side has anything to send.</summary>
    public void Pump()
    {
        for (int i = 0; i < 64; i++)
        {
            bool moved = false;
            if (Client.HasOutgoing)
            {
                moved = true;
                byte[] bytes = ConnectionPair.Drain(Client);
                if (ServerError is null)
                {
                    try
                    {
                        Server.Receive(bytes);
                    }
                    catch (Exception e)
                    {
                        ServerError = e;
                    }
                }
            }

            byte[] fromServer = Server.TakeOutput();
            if (fromServer.Length > 0)
            {
                moved = true;
                if (Client.Failure is null)
                {
                    try
                    {
                        Client.ReceiveBytes(fromServer);
                    }
                    catch (TlsAlertException e)
                    {
                        ClientError = e;
                    }
                }
            }

            if (!moved)
            {
                return;
            }
        }

        throw new InvalidOperationException("the pump did not settle");
    }

    /// <summary>Runs the handshake; both sides must complete.</summary>
    public void Handshake()
    {
        Pump();
        Assert.Null(ServerError);
        Assert.Null(ClientError);
        Assert.True(Client.IsHandshakeComplete, "client handshake incomplete");
        Assert.True(Server.IsComplete, "server handshake incomplete");
    }

    /// <summary>Runs the handshake until the client fails; returns its failure.</summary>
    public TlsAlertException Fails()
    {
        Pump();
        Assert.Null(ServerError);
        Assert.NotNull(ClientError);
        Assert.False(Client.IsHandshakeComplete);
        return ClientError!;
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
