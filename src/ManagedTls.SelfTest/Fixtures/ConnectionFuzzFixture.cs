using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.X509;
using ManagedTls.X509.Builder;

namespace ManagedTls.Connection;

/// <summary>
/// The fixed world the connection fuzz targets run in (<see cref="ConnectionFuzzTargets"/>): a CA, a server and a
/// client certificate made once at startup by <see cref="CertificateBuilder"/> from seeded entropy, a fixed clock,
/// seeded entropy per connection and ticket keys that are the same in every server, so that every run of a
/// configuration makes the same bytes. Fuzz-only: nothing else in the library uses it.
/// </summary>
/// <remarks>
/// Five configurations (variants), each a client and a server that complete a handshake together:
/// 0 plain; 1 the server requires a client certificate; 2 a HelloRetryRequest (the client's only key share is
/// X448, which the server lacks); 3 resumption of a session made at startup; 4 ALPN, record_size_limit on both
/// sides, the server's suite order (ChaCha20-Poly1305), stateful tickets, an ECDSA P-256 server certificate and no
/// middlebox compatibility mode. Every client offers post_handshake_auth and holds a certificate.
/// </remarks>
internal static class ConnectionFuzzFixture
{
    /// <summary>How many configurations there are.</summary>
    public const int Variants = 5;

    /// <summary>The server's host name.</summary>
    public const string ServerName = "server.fuzz";

    /// <summary>The clock every connection and certificate reads.</summary>
    public static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<Pki> Keys = new(() => new Pki());
    private static readonly Lazy<Tls13Session> Session = new(MakeSession);
    private static readonly Lazy<Recording>[] Recordings =
        Enumerable.Range(0, Variants).Select(v => new Lazy<Recording>(() => Record(v))).ToArray();

    /// <summary>The server settings of <paramref name="variant"/>; <paramref name="keyLog"/> receives its key log lines.</summary>
    public static TlsConfig Server(int variant, Action<string>? keyLog = null)
    {
        Pki pki = Keys.Value;
        var ring = new TicketKeyRing();

        // Every server's ring gets the same key, so a ticket sealed by one opens in the next.
        ring.Seal([0], new SeededEntropy(7), Now);
        var s = new TlsConfig
        {
            Role = TlsRole.Server,
            CertificateChain = [pki.ServerDer],
            PrivateKey = pki.ServerKey,
            Trust = new TrustStore([pki.CaDer]),
            Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp256r1],
            Clock = () => Now,
            Entropy = new SeededEntropy(2),
            TicketKeys = ring,
            PostHandshakeAuth = true,
            KeyLog = keyLog,
        };
        return variant switch
        {
            1 => s with { RequestClientCertificate = true, RequireClientCertificate = true },
            4 => s with
            {
                CertificateChain = [pki.EcdsaServerDer],
                PrivateKey = pki.EcdsaServerKey,
                AlpnProtocols = [Encoding.ASCII.GetBytes("h2"), Encoding.ASCII.GetBytes("http/1.1")],
                RecordSizeLimit = 1024,
                PreferServerCipherSuites = true,
                CipherSuites = Suites(TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_128_CCM_8_SHA256, TlsCipherSuite.TLS_AES_128_GCM_SHA256),
                StatelessTickets = false,
                SessionCache = new ServerSessionCache(16),
                NumTickets = 1,
            },
            _ => s,
        };
    }

    /// <summary>The client settings of <paramref name="variant"/>; <paramref name="keyLog"/> receives its key log lines.</summary>
    public static TlsConfig Client(int variant, Action<string>? keyLog = null)
    {
        Pki pki = Keys.Value;
        var s = new TlsConfig
        {
            Role = TlsRole.Client,
            CertificateChain = [pki.ClientDer],
            PrivateKey = pki.ClientKey,
            Trust = new TrustStore([pki.CaDer]),
            ServerName = ServerName,
            CheckHostname = true,
            Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp256r1],
            Clock = () => Now,
            Entropy = new SeededEntropy(1),
            PostHandshakeAuth = true,
            KeyLog = keyLog,
        };
        return variant switch
        {
            2 => s with
            {
                Groups = [KeyExchangeGroups.X448, KeyExchangeGroups.Secp256r1],
                KeyShareGroups = [NamedGroup.X448],
                CipherSuites = Suites(TlsCipherSuite.TLS_AES_128_GCM_SHA256),
            },
            3 => s with { ResumptionSession = Session.Value },
            4 => s with
            {
                AlpnProtocols = [Encoding.ASCII.GetBytes("http/1.1"), Encoding.ASCII.GetBytes("h2")],
                RecordSizeLimit = 512,
                MiddleboxCompatibility = false,
                CipherSuites = Suites(TlsCipherSuite.TLS_AES_128_CCM_8_SHA256, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256),
            },
            _ => s,
        };
    }

    /// <summary>The settings of the side that is fuzzed (<paramref name="server"/>) or of its peer.</summary>
    public static TlsConfig Settings(bool server, int variant, Action<string>? keyLog = null) =>
        server ? Server(variant, keyLog) : Client(variant, keyLog);

    /// <summary>What the client and the server of <paramref name="variant"/> send each other in a complete handshake.</summary>
    public static Recording Recorded(int variant) => Recordings[variant].Value;

    /// <summary>Moves bytes both ways until neither side has anything to send.</summary>
    public static void Pump(TlsConnection client, TlsConnection server, Action<bool, byte[]>? onMove = null)
    {
        for (int round = 0; round < 16 && (client.HasOutgoing || server.HasOutgoing); round++)
        {
            Move(client, server, toServer: true, onMove);
            Move(server, client, toServer: false, onMove);
        }
    }

    /// <summary>Takes every pending outgoing byte of <paramref name="connection"/>.</summary>
    public static byte[] Drain(TlsConnection connection)
    {
        byte[] bytes = new byte[connection.OutgoingLength];
        connection.TakeOutgoing(bytes);
        return bytes;
    }

    /// <summary>The length of the records at the start of <paramref name="stream"/> that are not protected (outer type other than application_data).</summary>
    public static int UnprotectedPrefix(ReadOnlySpan<byte> stream)
    {
        int i = 0;
        while (i + 5 <= stream.Length && stream[i] != (byte)ContentType.ApplicationData)
        {
            i += 5 + ((stream[i + 3] << 8) | stream[i + 4]);
        }

        return Math.Min(i, stream.Length);
    }

    private static void Move(TlsConnection from, TlsConnection to, bool toServer, Action<bool, byte[]>? onMove)
    {
        if (!from.HasOutgoing)
        {
            return;
        }

        byte[] bytes = Drain(from);
        onMove?.Invoke(toServer, bytes);
        to.ReceiveBytes(bytes);
    }

    private static Recording Record(int variant)
    {
        var toServer = new List<byte>();
        var toClient = new List<byte>();
        using TlsConnection client = TlsConnection.CreateClient(Client(variant));
        using TlsConnection server = TlsConnection.CreateServer(Server(variant));
        Pump(client, server, (up, bytes) => (up ? toServer : toClient).AddRange(bytes));
        if (!client.IsHandshakeComplete || !server.IsHandshakeComplete)
        {
            throw new InvalidOperationException($"the fuzz fixture's handshake {variant} did not complete");
        }

        return new Recording(toServer.ToArray(), toClient.ToArray());
    }

    private static Tls13Session MakeSession()
    {
        using TlsConnection client = TlsConnection.CreateClient(Client(0));
        using TlsConnection server = TlsConnection.CreateServer(Server(0));
        Pump(client, server);
        Tls13Session session = client.LatestSession ?? throw new InvalidOperationException("the fuzz fixture's handshake gave no session");
        session.Adopt();
        return session;
    }

    private static CipherSuiteInfo[] Suites(params TlsCipherSuite[] suites) =>
        suites.Select(s => CipherSuiteRegistry.Find(s) ?? throw new InvalidOperationException($"{s} is not implemented")).ToArray();

    /// <summary>
    /// The bytes of one complete handshake: <see cref="ToServer"/> what the client sent, <see cref="ToClient"/> what
    /// the server sent (its flight and its tickets).
    /// </summary>
    internal sealed record Recording(byte[] ToServer, byte[] ToClient)
    {
        /// <summary>What the peer of the fuzzed side sent.</summary>
        public byte[] From(bool peerIsClient) => peerIsClient ? ToServer : ToClient;
    }

    /// <summary>Deterministic randomness: <see cref="Random"/> with a fixed seed (never for real keys).</summary>
    internal sealed class SeededEntropy(int seed) : IEntropySource
    {
        private readonly Random _random = new(seed);

        /// <inheritdoc/>
        public void GetBytes(Span<byte> destination)
        {
            byte[] bytes = new byte[destination.Length];
            _random.NextBytes(bytes);
            bytes.CopyTo(destination);
        }
    }

    private sealed class Pki
    {
        public Pki()
        {
            var builder = new CertificateBuilder(new SeededEntropy(1000), () => Now)
            {
                KeyAlgorithm = CertificateKeyAlgorithm.Ed25519,
                Validity = TimeSpan.FromDays(365),
            };
            GeneratedCertificate ca = builder.CreateCertificateAuthority("ManagedTls Fuzz CA");
            GeneratedCertificate server = builder.CreateLeaf(ca, ServerName, [ServerName]);
            GeneratedCertificate client = builder.CreateLeaf(ca, "client.fuzz", ["client.fuzz"]);
            builder.KeyAlgorithm = CertificateKeyAlgorithm.EcdsaP256;
            GeneratedCertificate ecdsaServer = builder.CreateLeaf(ca, ServerName, [ServerName]);
            CaDer = ca.CertificateDer;
            ServerDer = server.CertificateDer;
            ServerKey = server.Key.PrivateKey;
            ClientDer = client.CertificateDer;
            ClientKey = client.Key.PrivateKey;
            EcdsaServerDer = ecdsaServer.CertificateDer;
            EcdsaServerKey = ecdsaServer.Key.PrivateKey;
        }

        public byte[] CaDer { get; }

        public byte[] ServerDer { get; }

        public PrivateKey ServerKey { get; }

        public byte[] ClientDer { get; }

        public PrivateKey ClientKey { get; }

        public byte[] EcdsaServerDer { get; }

        public PrivateKey EcdsaServerKey { get; }
    }
}
