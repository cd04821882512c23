using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Record;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using HandshakeMessage = ManagedTls.Wire.Messages.HandshakeMessage;
using ManagedTls.X509;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// A TLS 1.2 client written out step by step from the engine's primitives (key exchanges, PRF, record protection), to
/// drive the TLS 1.2 server past its hello and break any step: each <c>Send</c> takes the bytes it would send and lets a
/// test change them. Server failures are kept in <see cref="ServerFailure"/>; the alert the server sent is read back
/// with <see cref="ReadAlert"/>.
/// </summary>
internal sealed class Tls12TestClient : IDisposable
{
    private readonly List<byte> _fromServer = [];
    private readonly List<byte> _handshake = [];
    private readonly List<byte[]> _transcript = [];
    private readonly SeededEntropy _entropy;
    private RecordProtection? _serverWrite;
    private RecordProtection? _clientWrite;
    private bool _serverCcs;

    public Tls12TestClient(TlsConfig server, int seed = 1)
    {
        Server = TlsConnection.CreateServer(server);
        _entropy = new SeededEntropy(seed);
        Random = new byte[32];
        _entropy.GetBytes(Random);
    }

    public TlsConnection Server { get; }

    public TlsAlertException? ServerFailure { get; private set; }

    public byte[] Random { get; }

    public ClientHello? Hello { get; private set; }

    public ServerHello? ServerHello { get; private set; }

    public CipherSuiteInfo? Suite { get; private set; }

    public CertificateMessage? Certificate { get; private set; }

    public ServerKeyExchange? ServerKeyExchange { get; private set; }

    public CertificateRequest12? CertificateRequest { get; private set; }

    public Tls12MasterSecret? Master { get; private set; }

    public byte[]? ClientVerifyData { get; private set; }

    public byte[]? ServerVerifyData { get; private set; }

    /// <summary>The premaster secret of the last key exchange (for RSA key transport, what the client encrypted).</summary>
    public byte[]? Premaster { get; private set; }

    public bool ExtendedMasterSecret => ServerHello?.Extensions.Contains(ExtensionType.ExtendedMasterSecret) == true;

    public bool EncryptThenMac => ServerHello?.Extensions.Contains(ExtensionType.EncryptThenMac) == true;

    /// <summary>The usual extensions of a TLS 1.2 client: groups, point formats, all our schemes, EMS, EtM, renegotiation_info.</summary>
    public static List<TlsExtension> DefaultExtensions() =>
    [
        new SupportedGroupsExtension([NamedGroup.X25519, NamedGroup.Secp256r1, NamedGroup.Secp384r1, NamedGroup.Secp521r1, NamedGroup.X448]),
        new EcPointFormatsExtension([0]),
        new SignatureAlgorithmsExtension(SignatureSchemes.Default),
        new EmptyExtension(ExtensionType.ExtendedMasterSecret),
        new EmptyExtension(ExtensionType.EncryptThenMac),
        new RenegotiationInfoExtension([]),
    ];

    /// <summary>A TLS 1.2 engine server with every TLS 1.2 suite and the given key.</summary>
    public static TlsConfig ServerSettings(ServerKeyType key = ServerKeyType.EcdsaP256) => ConnectionTestKit.Server(key) with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites,
    };

    /// <summary>A ClientHello with <paramref name="suites"/> and <paramref name="extensions"/> (defaults when null).</summary>
    public ClientHello MakeHello(IEnumerable<TlsCipherSuite> suites, IEnumerable<TlsExtension>? extensions = null, ProtocolVersion version = ProtocolVersion.Tls12) =>
        new(version, Random, [], suites.ToArray(), [0], new ExtensionBlock(extensions ?? DefaultExtensions()));

    /// <summary>Sends the ClientHello and reads the server's first flight up to ServerHelloDone (unless the server failed).</summary>
    public Tls12TestClient Start(ClientHello hello)
    {
        Hello = hello;
        SendHandshake(hello.Encode());
        if (ServerFailure is null)
        {
            ReadServerFlight();
        }

        return this;
    }

    /// <summary>Sends a ClientHello for <paramref name="suites"/> with the default extensions and reads the flight.</summary>
    public Tls12TestClient Start(params TlsCipherSuite[] suites) => Start(MakeHello(suites));

    /// <summary>
    /// Runs the client's side to the end: Certificate when asked (<paramref name="clientChain"/>, empty without one),
    /// ClientKeyExchange, CertificateVerify when a certificate was sent, change_cipher_spec, Finished, then reads the
    /// server's change_cipher_spec and Finished and checks them.
    /// </summary>
    public Tls12TestClient Finish(IReadOnlyList<byte[]>? clientChain = null, PrivateKey? clientKey = null, SignatureScheme? clientScheme = null)
    {
        if (CertificateRequest is not null)
        {
            SendCertificate(clientChain ?? []);
        }

        SendKeyExchange();
        if (CertificateRequest is not null && clientChain is { Count: > 0 })
        {
            SendCertificateVerify(clientKey!, clientScheme);
        }

        SendChangeCipherSpec();
        SendFinished();
        ReadServerFinished();
        return this;
    }

    public void SendCertificate(IReadOnlyList<byte[]> chain) =>
        SendHandshake(new CertificateMessage(null, chain.Select(c => new CertificateEntry(c)).ToArray()).Encode());

    /// <summary>
    /// Sends ClientKeyExchange for the negotiated suite (a fresh share, or an RSA-encrypted premaster secret with
    /// <paramref name="premasterVersion"/>) and derives the master secret. <paramref name="edit"/> changes the
    /// exchange_keys sent (the master secret is still the one the client believes in).
    /// </summary>
    public void SendKeyExchange(Func<byte[], byte[]>? edit = null, ushort premasterVersion = 0x0303)
    {
        CipherSuiteInfo suite = Suite!;
        byte[] premaster;
        byte[] keys;
        KeyExchangeKind kind = KindOf(suite);
        switch (kind)
        {
            case KeyExchangeKind.Ecdhe:
            {
                var ske = (EcdheServerKeyExchange)ServerKeyExchange!;
                KeyExchangeAlgorithm algorithm = KeyExchangeGroups.Find(ske.Group)!.Algorithm;
                using KeyExchangeResponse response = algorithm.Respond(ske.PublicPoint, _entropy);
                keys = response.Share;
                premaster = algorithm.ToTls12PremasterSecret(response.SharedSecret.ToArray());
                break;
            }

            case KeyExchangeKind.Dhe:
            {
                var ske = (DheServerKeyExchange)ServerKeyExchange!;
                FiniteFieldKeyExchange group = FiniteFieldKeyExchange.FromServerParameters(ske.P, ske.G);
                using KeyExchangeResponse response = group.RespondTls12(ske.Ys, _entropy);
                keys = response.Share;
                premaster = group.ToTls12PremasterSecret(response.SharedSecret.ToArray());
                break;
            }

            default:
            {
                premaster = new byte[48];
                _entropy.GetBytes(premaster);
                premaster[0] = (byte)(premasterVersion >> 8);
                premaster[1] = (byte)premasterVersion;
                keys = RsaKeyExchange.EncryptPremaster(CertificatePublicKey.FromCertificate(Certificate!.Entries[0].Data), premaster, _entropy);
                break;
            }
        }

        Premaster = premaster.ToArray();
        byte[] sent = edit is null ? keys : edit(keys);
        SendHandshake(new ClientKeyExchange(kind, sent).Encode());
        Master = ExtendedMasterSecret
            ? Tls12KeySchedule.DeriveExtendedMasterSecret(suite.PrfHash, premaster, TranscriptHash(suite.PrfHash))
            : Tls12KeySchedule.DeriveMasterSecret(suite.PrfHash, premaster, Random, ServerHello!.Random);
    }

    /// <summary>Signs every message so far with <paramref name="key"/> (the first scheme it can make from the request, or <paramref name="scheme"/>).</summary>
    public void SendCertificateVerify(PrivateKey key, SignatureScheme? scheme = null, Func<byte[], byte[]>? editSignature = null)
    {
        SignatureSchemeInfo info = scheme is { } chosen
            ? SignatureSchemes.Find(chosen)!
            : SignatureSchemes.SignableBy(key, CertificateRequest!.SignatureAlgorithms, tls13: false)[0];
        byte[] signature = key.Sign(info.Algorithm, _transcript.SelectMany(m => m).ToArray(), _entropy);
        SendHandshake(new CertificateVerify(info.Scheme, editSignature is null ? signature : editSignature(signature)).Encode());
    }

    /// <summary>Sends change_cipher_spec with <paramref name="body"/> (the single byte 1 by default) and switches to the client's write keys.</summary>
    public void SendChangeCipherSpec(byte[]? body = null)
    {
        Deliver(Record(ContentType.ChangeCipherSpec, body ?? [1]));
        (_clientWrite, _serverWrite) = MakeProtections();
    }

    /// <summary>Sends Finished with the right verify_data, or <paramref name="verifyData"/>, under the client's keys.</summary>
    public void SendFinished(byte[]? verifyData = null)
    {
        ClientVerifyData = Master!.ComputeFinished(sentByClient: true, TranscriptHash(Suite!.PrfHash));
        SendHandshake(new Finished(verifyData ?? ClientVerifyData).Encode());
    }

    /// <summary>Reads the server's change_cipher_spec and Finished and checks the verify_data.</summary>
    public void ReadServerFinished()
    {
        Assert.Null(ServerFailure);
        byte[] expected = Master!.ComputeFinished(sentByClient: false, TranscriptHash(Suite!.PrfHash));
        byte[] finished = NextMessage();
        Assert.True(_serverCcs, "the server's Finished came before its change_cipher_spec");
        Assert.Equal((byte)HandshakeType.Finished, finished[0]);
        ServerVerifyData = finished.AsSpan(4).ToArray();
        Assert.Equal(expected, ServerVerifyData);
        Assert.True(Server.IsHandshakeComplete);
    }

    /// <summary>Sends application data under the client's keys.</summary>
    public void SendApplicationData(byte[] data) => Deliver(Seal(ContentType.ApplicationData, data));

    /// <summary>Reads application data the server wrote.</summary>
    public byte[] ReadApplicationData()
    {
        Pull();
        var data = new List<byte>();
        while (TryRecord(out ContentType type, out byte[] content))
        {
            Assert.Equal(ContentType.ApplicationData, type);
            data.AddRange(content);
        }

        return data.ToArray();
    }

    /// <summary>The alert the server sent (in the clear: every failure here comes before its change_cipher_spec).</summary>
    public AlertDescription? ReadAlert()
    {
        Pull();
        while (TryRecord(out ContentType type, out byte[] content))
        {
            if (type == ContentType.Alert)
            {
                return (AlertDescription)content[1];
            }
        }

        return null;
    }

    /// <summary>Sends a handshake message as it is (in its own record, under the current keys) and adds it to the transcript.</summary>
    public void SendHandshake(byte[] message)
    {
        _transcript.Add(message);
        Deliver(_clientWrite is null ? Record(ContentType.Handshake, message) : Seal(ContentType.Handshake, message));
    }

    /// <summary>Hands <paramref name="bytes"/> to the server; a failure is kept in <see cref="ServerFailure"/>.</summary>
    public void Deliver(byte[] bytes)
    {
        if (ServerFailure is not null)
        {
            return;
        }

        try
        {
            Server.ReceiveBytes(bytes);
        }
        catch (TlsAlertException e)
        {
            ServerFailure = e;
        }
    }

    public static byte[] Record(ContentType type, ReadOnlySpan<byte> content)
    {
        byte[] record = new byte[5 + content.Length];
        record[0] = (byte)type;
        record[1] = 3;
        record[2] = 3;
        record[3] = (byte)(content.Length >> 8);
        record[4] = (byte)content.Length;
        content.CopyTo(record.AsSpan(5));
        return record;
    }

    public byte[] TranscriptHash(HashAlgorithm hash) => Hashes.Compute(hash, _transcript.SelectMany(m => m).ToArray());

    public void Dispose()
    {
        Server.Dispose();
        Master?.Dispose();
        _serverWrite?.Dispose();
        _clientWrite?.Dispose();
    }

    private static KeyExchangeKind KindOf(CipherSuiteInfo suite) => suite.KeyExchange.Algorithm switch
    {
        SuiteKeyExchange.Ecdhe => KeyExchangeKind.Ecdhe,
        SuiteKeyExchange.Dhe => KeyExchangeKind.Dhe,
        _ => KeyExchangeKind.Rsa,
    };

    private byte[] Seal(ContentType type, byte[] content)
    {
        byte[] record = new byte[_clientWrite!.MaxRecordLength(content.Length)];
        int n = _clientWrite.Seal(type, content, record);
        return record.AsSpan(0, n).ToArray();
    }

    private (RecordProtection Client, RecordProtection Server) MakeProtections()
    {
        CipherSuiteInfo suite = Suite!;
        int macLength = suite.Mac.Hash is { } mac ? Hashes.OutputSize(mac) : 0;
        using Tls12KeyBlock block = Master!.DeriveKeyBlock(Random, ServerHello!.Random, macLength, suite.Cipher.KeyLength, suite.Cipher.Tls12FixedIvLength);
        RecordProtection Make(byte[] key, byte[] macKey, byte[] iv) => suite.Aead is { } aead
            ? new Tls12AeadRecordProtection(aead, key, iv)
            : new Tls12CbcRecordProtection(key, suite.Mac.Hash!.Value, macKey, EncryptThenMac, _entropy);
        return (Make(block.ClientWriteKey, block.ClientMacKey, block.ClientWriteIv), Make(block.ServerWriteKey, block.ServerMacKey, block.ServerWriteIv));
    }

    private void ReadServerFlight()
    {
        ServerHello = (ServerHello)HandshakeMessage.Read(NextMessage(), WireContext.Tls12());
        Suite = CipherSuiteRegistry.Find(ServerHello.CipherSuite);
        Assert.NotNull(Suite);
        Certificate = (CertificateMessage)HandshakeMessage.Read(NextMessage(), WireContext.Tls12());
        byte[] next = NextMessage();
        if (next[0] == (byte)HandshakeType.ServerKeyExchange)
        {
            ServerKeyExchange = (ServerKeyExchange)HandshakeMessage.Read(next, WireContext.Tls12(KindOf(Suite!)));
            next = NextMessage();
        }

        if (next[0] == (byte)HandshakeType.CertificateRequest)
        {
            CertificateRequest = (CertificateRequest12)HandshakeMessage.Read(next, WireContext.Tls12());
            next = NextMessage();
        }

        Assert.Equal((byte)HandshakeType.ServerHelloDone, next[0]);
    }

    // The next handshake message the server sent, added to the transcript.
    private byte[] NextMessage()
    {
        while (true)
        {
            if (_handshake.Count >= 4)
            {
                int length = (_handshake[1] << 16) | (_handshake[2] << 8) | _handshake[3];
                if (_handshake.Count >= 4 + length)
                {
                    byte[] message = _handshake.Take(4 + length).ToArray();
                    _handshake.RemoveRange(0, 4 + length);
                    _transcript.Add(message);
                    return message;
                }
            }

            Pull();
            Assert.True(TryRecord(out ContentType type, out byte[] content), "the server sent no further message");
            switch (type)
            {
                case ContentType.Handshake:
                    _handshake.AddRange(content);
                    break;
                case ContentType.ChangeCipherSpec:
                    Assert.Equal([1], content);
                    _serverCcs = true;
                    break;
                default:
                    Assert.Fail($"unexpected {type} record from the server: {Convert.ToHexString(content)}");
                    break;
            }
        }
    }

    private void Pull()
    {
        byte[] bytes = new byte[Server.OutgoingLength];
        Server.TakeOutgoing(bytes);
        _fromServer.AddRange(bytes);
    }

    private bool TryRecord(out ContentType type, out byte[] content)
    {
        type = default;
        content = [];
        if (_fromServer.Count < 5)
        {
            return false;
        }

        int length = (_fromServer[3] << 8) | _fromServer[4];
        if (_fromServer.Count < 5 + length)
        {
            return false;
        }

        type = (ContentType)_fromServer[0];
        ushort version = (ushort)((_fromServer[1] << 8) | _fromServer[2]);
        Assert.Equal(0x0303, version);
        byte[] fragment = _fromServer.Skip(5).Take(length).ToArray();
        _fromServer.RemoveRange(0, 5 + length);
        if (_serverCcs && type != ContentType.ChangeCipherSpec)
        {
            type = _serverWrite!.Open(type, version, fragment, out Span<byte> plain);
            content = plain.ToArray();
        }
        else
        {
            content = fragment;
        }

        return true;
    }
}
