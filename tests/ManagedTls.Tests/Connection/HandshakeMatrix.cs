using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Connection;

/// <summary>
/// One point of the TLS 1.3 handshake matrix: the suite, group and server key of the core product, and the six
/// binary dimensions (forced HelloRetryRequest, ALPN, client authentication, resumption, KeyUpdate, middlebox compatibility).
/// </summary>
internal sealed record MatrixCase(
    CipherSuiteInfo Suite,
    KeyExchangeGroup Group,
    ServerKeyType Key,
    bool Hrr,
    bool Alpn,
    bool ClientAuth,
    bool Resume,
    bool KeyUpdate,
    bool Compat)
{
    public static MatrixCase FromValues(int[] row) => new(
        HandshakeMatrix.Suites[row[0]],
        HandshakeMatrix.Groups[row[1]],
        HandshakeMatrix.Keys[row[2]],
        row[3] == 1,
        row[4] == 1,
        row[5] == 1,
        row[6] == 1,
        row[7] == 1,
        row[8] == 1);

    public static MatrixCase Parse(string suite, string group, ServerKeyType key, string flags)
    {
        var set = (flags == "none" ? "" : flags).Split('+', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        string[] unknown = set.Except(HandshakeMatrix.FlagNames).ToArray();
        Assert.True(unknown.Length == 0, $"unknown flags {string.Join(",", unknown)}");
        return new(
            ConnectionTestKit.Suite(suite),
            KeyExchangeGroups.All.Single(g => g.Name == group),
            key,
            set.Contains("hrr"),
            set.Contains("alpn"),
            set.Contains("clientauth"),
            set.Contains("resume"),
            set.Contains("keyupdate"),
            set.Contains("compat"));
    }

    /// <summary>The binary dimensions as a readable list such as <c>hrr+alpn+compat</c> (<c>none</c> when all are off).</summary>
    public string Flags
    {
        get
        {
            bool[] values = [Hrr, Alpn, ClientAuth, Resume, KeyUpdate, Compat];
            string[] on = HandshakeMatrix.FlagNames.Where((_, i) => values[i]).ToArray();
            return on.Length == 0 ? "none" : string.Join("+", on);
        }
    }

    /// <summary>The dimension values as indexes into <see cref="HandshakeMatrix.Sizes"/>.</summary>
    public int[] Values =>
    [
        HandshakeMatrix.Suites.ToList().IndexOf(Suite),
        HandshakeMatrix.Groups.ToList().IndexOf(Group),
        Array.IndexOf(HandshakeMatrix.Keys, Key),
        Hrr ? 1 : 0,
        Alpn ? 1 : 0,
        ClientAuth ? 1 : 0,
        Resume ? 1 : 0,
        KeyUpdate ? 1 : 0,
        Compat ? 1 : 0,
    ];
}

/// <summary>The dimensions of the handshake matrix and the runner that checks one case end to end.</summary>
internal static class HandshakeMatrix
{
    public static readonly string[] FlagNames = ["hrr", "alpn", "clientauth", "resume", "keyupdate", "compat"];

    public static IReadOnlyList<CipherSuiteInfo> Suites => CipherSuiteRegistry.Tls13Suites;

    public static IReadOnlyList<KeyExchangeGroup> Groups => KeyExchangeGroups.All;

    public static readonly ServerKeyType[] Keys = Enum.GetValues<ServerKeyType>();

    /// <summary>How many values each of the nine dimensions has.</summary>
    public static int[] Sizes => [Suites.Count, Groups.Count, Keys.Length, 2, 2, 2, 2, 2, 2];

    private static readonly byte[] H2 = Encoding.ASCII.GetBytes("h2");
    private static readonly byte[] Http11 = Encoding.ASCII.GetBytes("http/1.1");
    private static readonly byte[] Spdy = Encoding.ASCII.GetBytes("spdy/3");

    /// <summary>The scheme a server with this key signs with when the client offers the default list.</summary>
    public static SignatureScheme ExpectedScheme(ServerKeyType key) => key switch
    {
        ServerKeyType.Rsa2048 => SignatureScheme.RsaPssRsaeSha256,
        ServerKeyType.EcdsaP256 => SignatureScheme.EcdsaSecp256r1Sha256,
        ServerKeyType.EcdsaP384 => SignatureScheme.EcdsaSecp384r1Sha384,
        _ => SignatureScheme.Ed25519,
    };

    /// <summary>The key type of the client certificate in a case: another type than the server's, so both sides sign differently.</summary>
    public static ServerKeyType ClientKey(ServerKeyType server) => Keys[(Array.IndexOf(Keys, server) + 1) % Keys.Length];

    /// <summary>A group the client sends its first key share for when a HelloRetryRequest is forced (one the server does not support).</summary>
    public static KeyExchangeGroup DecoyGroup(KeyExchangeGroup group) =>
        group == KeyExchangeGroups.X25519 ? KeyExchangeGroups.Secp256r1 : KeyExchangeGroups.X25519;

    public static (TlsConfig Client, TlsConfig Server) Settings(MatrixCase c, int seed)
    {
        TlsConfig client = ConnectionTestKit.Client(new SeededEntropy(seed)) with
        {
            CipherSuites = [c.Suite],
            Groups = c.Hrr ? [DecoyGroup(c.Group), c.Group] : [c.Group],
            KeyShareGroups = c.Hrr ? [DecoyGroup(c.Group).Group] : [c.Group.Group],
            AlpnProtocols = c.Alpn ? [Spdy, H2, Http11] : [],
            MiddleboxCompatibility = c.Compat,
        };
        TlsConfig server = ConnectionTestKit.Server(c.Key) with
        {
            CipherSuites = [c.Suite],
            Groups = [c.Group],
            AlpnProtocols = c.Alpn ? [Http11, H2] : [],
            MiddleboxCompatibility = c.Compat,
            Entropy = new SeededEntropy(seed + 1),
        };
        if (c.ClientAuth)
        {
            var (der, key) = ConnectionTestKit.Leaf(ClientKey(c.Key));
            client = client with { CertificateChain = [der], PrivateKey = key };
            server = server with { RequestClientCertificate = true, RequireClientCertificate = true };
        }

        return (client, server);
    }

    /// <summary>
    /// Runs one case: a full handshake (then a resumed one when asked), checks both sides agree on every negotiated
    /// value and that it is the one the configuration implies, updates keys when asked, moves data both ways, closes.
    /// </summary>
    public static void Run(MatrixCase c, int seed = 1)
    {
        var (client, server) = Settings(c, seed);
        Tls13Session? session = null;
        var received = new List<Tls13Session>();
        try
        {
            if (c.Resume)
            {
                using var first = new ConnectionPair(client, server);
                first.Handshake();
                CheckAgreement(first, c, resumed: false);
                ExchangeData(first, seed, 300);
                received.AddRange(first.Client.ReceivedSessions);
                Assert.Equal(server.NumTickets, received.Count);
                session = first.Client.LatestSession!;
                Assert.Equal(c.Suite, session.Suite);
                client = client with { ResumptionSession = session, Entropy = new SeededEntropy(seed + 2) };
            }

            using var pair = new ConnectionPair(client, server);
            pair.Handshake();
            CheckAgreement(pair, c, resumed: c.Resume);
            received.AddRange(pair.Client.ReceivedSessions);
            ExchangeData(pair, seed, 2000);
            if (c.KeyUpdate)
            {
                pair.Client.UpdateKeys(requestPeerUpdate: true);
                pair.Pump();
                Assert.Equal(1, pair.Client.WriteKeyGeneration);
                Assert.Equal(1, pair.Server.ReadKeyGeneration);
                Assert.Equal(1, pair.Server.WriteKeyGeneration);
                Assert.Equal(1, pair.Client.ReadKeyGeneration);
                ExchangeData(pair, seed + 10, 20_000);
                pair.Server.UpdateKeys(requestPeerUpdate: false);
                ExchangeData(pair, seed + 20, 100);
                Assert.Equal(2, pair.Server.WriteKeyGeneration);
                Assert.Equal(2, pair.Client.ReadKeyGeneration);
                Assert.Equal(1, pair.Client.WriteKeyGeneration);
            }
            else
            {
                Assert.Equal(0, pair.Client.WriteKeyGeneration);
                Assert.Equal(0, pair.Server.WriteKeyGeneration);
            }

            pair.Client.Close();
            pair.Server.Close();
            pair.Pump();
            Assert.True(pair.Client.PeerClosed && pair.Server.PeerClosed, "close_notify not received");
            Assert.Null(pair.ClientError);
            Assert.Null(pair.ServerError);
        }
        finally
        {
            foreach (Tls13Session s in received)
            {
                s.Dispose();
            }
        }
    }

    private static void CheckAgreement(ConnectionPair pair, MatrixCase c, bool resumed)
    {
        TlsConnectionAssert(pair.Client, pair.Server);
        Assert.Equal(ProtocolVersion.Tls13, pair.Client.Version);
        Assert.Equal(ProtocolVersion.Tls13, pair.Server.Version);
        Assert.Equal(c.Suite, pair.Client.CipherSuite);
        Assert.Equal(c.Suite, pair.Server.CipherSuite);
        Assert.Equal(c.Group.Group, pair.Client.NamedGroup);
        Assert.Equal(c.Group.Group, pair.Server.NamedGroup);
        Assert.Equal(c.Hrr, pair.Client.HelloRetried);
        Assert.Equal(c.Hrr, pair.Server.HelloRetried);
        Assert.Equal(resumed, pair.Client.SessionReused);
        Assert.Equal(resumed, pair.Server.SessionReused);

        // Client order is spdy/3, h2, http/1.1; the server's is http/1.1, h2: the server's preference wins.
        byte[]? alpn = c.Alpn ? Http11 : null;
        Assert.Equal(alpn, pair.Client.AlpnProtocol);
        Assert.Equal(alpn, pair.Server.AlpnProtocol);

        SignatureScheme? scheme = resumed ? null : ExpectedScheme(c.Key);
        Assert.Equal(scheme, pair.Client.SignatureScheme);
        Assert.Equal(scheme, pair.Server.SignatureScheme);
        Assert.Equal(ConnectionTestKit.Leaf(c.Key).Der, pair.Client.PeerCertificateChain[0]);
        Assert.True(pair.Client.VerifyResult!.IsValid);

        SignatureScheme? clientScheme = c.ClientAuth && !resumed ? ExpectedScheme(ClientKey(c.Key)) : null;
        Assert.Equal(clientScheme, pair.Client.ClientSignatureScheme);
        Assert.Equal(clientScheme, pair.Server.ClientSignatureScheme);
        if (c.ClientAuth && !resumed)
        {
            Assert.Equal(ConnectionTestKit.Leaf(ClientKey(c.Key)).Der, pair.Server.PeerCertificateChain[0]);
            Assert.True(pair.Server.VerifyResult!.IsValid);
        }
        else if (!c.ClientAuth)
        {
            Assert.Empty(pair.Server.PeerCertificateChain);
        }

        // Middlebox compatibility: exactly one dummy change_cipher_spec from each side, else none.
        int ccs = c.Compat ? 1 : 0;
        Assert.Equal(ccs, Records.Count(pair.ClientWire, (byte)ContentType.ChangeCipherSpec));
        Assert.Equal(ccs, Records.Count(pair.ServerWire, (byte)ContentType.ChangeCipherSpec));
        byte[] clientHello = Records.Split(pair.ClientWire)[0];
        Assert.Equal(c.Compat ? 32 : 0, clientHello[5 + 4 + 2 + 32]);
    }

    private static void TlsConnectionAssert(ManagedTls.Connection.TlsConnection client, ManagedTls.Connection.TlsConnection server)
    {
        Assert.True(client.IsClient);
        Assert.False(server.IsClient);
        Assert.True(client.IsHandshakeComplete && server.IsHandshakeComplete);
    }

    private static void ExchangeData(ConnectionPair pair, int seed, int size)
    {
        byte[] toServer = new byte[size];
        byte[] toClient = new byte[size + 17];
        new Random(seed).NextBytes(toServer);
        new Random(seed + 1).NextBytes(toClient);
        pair.Client.WriteApplicationData(toServer);
        pair.Server.WriteApplicationData(toClient);
        pair.Pump();
        Assert.Equal(toServer, ConnectionPair.ReadAll(pair.Server));
        Assert.Equal(toClient, ConnectionPair.ReadAll(pair.Client));
    }
}
