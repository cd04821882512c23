using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Ssl;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// The handshake matrix through the facade over <see cref="MemoryBio"/>: SslContext → WrapBio → SslObject, driven by
/// moving bytes between the bios. Dimensions: the facade's TLS 1.3 suites × server key types × ALPN × client
/// authentication × middlebox compatibility × forced HelloRetryRequest (full product). The facade always offers its
/// default suites and groups, so the full product runs the facade as client against an engine server or as
/// server against an engine client (the engine peer picks the suite and forces the HelloRetryRequest), and the
/// part the facade can negotiate with itself (key type × ALPN × client authentication × compatibility) runs facade against facade.
/// </summary>
public sealed class FacadeMatrixTests(FacadeMatrixPki pki) : IClassFixture<FacadeMatrixPki>
{
    private static readonly string[] Flags = ["alpn", "clientauth", "compat", "hrr"];

    private static readonly byte[] H2 = Encoding.ASCII.GetBytes("h2");
    private static readonly byte[] Http11 = Encoding.ASCII.GetBytes("http/1.1");
    private static readonly byte[] Spdy = Encoding.ASCII.GetBytes("spdy/3");

    private sealed record Case(CipherSuiteInfo Suite, ServerKeyType Key, bool Alpn, bool ClientAuth, bool Compat, bool Hrr)
    {
        public ServerKeyType ClientKey => HandshakeMatrix.ClientKey(Key);
    }

    /// <summary>
    /// The full product of suites, key types and the four binary dimensions. Each case runs one side as the facade
    /// and the other as the engine; which side alternates with the parity of the case, so every value of every
    /// dimension (and every pair of suite and key) is run with the facade as client and as server.
    /// </summary>
    public static TheoryData<string, ServerKeyType, string, string> Cases()
    {
        var data = new TheoryData<string, ServerKeyType, string, string>();
        for (int s = 0; s < Tls13CipherSuiteList.Default.Count; s++)
        {
            ServerKeyType[] keys = Enum.GetValues<ServerKeyType>();
            for (int k = 0; k < keys.Length; k++)
            {
                for (int bits = 0; bits < 1 << Flags.Length; bits++)
                {
                    string[] on = Flags.Where((_, i) => (bits & (1 << i)) != 0).ToArray();
                    string side = (s + k + on.Length) % 2 == 0 ? "client" : "server";
                    data.Add(Tls13CipherSuiteList.Default[s].IanaName, keys[k], on.Length == 0 ? "none" : string.Join("+", on), side);
                }
            }
        }

        return data;
    }

    /// <summary>What the facade can negotiate against itself: its default suites and groups, so no suite choice or HelloRetryRequest.</summary>
    public static TheoryData<ServerKeyType, string> FacadeOnlyCases()
    {
        var data = new TheoryData<ServerKeyType, string>();
        foreach (ServerKeyType key in Enum.GetValues<ServerKeyType>())
        {
            for (int bits = 0; bits < 8; bits++)
            {
                string[] on = Flags.Take(3).Where((_, i) => (bits & (1 << i)) != 0).ToArray();
                data.Add(key, on.Length == 0 ? "none" : string.Join("+", on));
            }
        }

        return data;
    }

    [Fact]
    public void TheFacadeMatrixIsTheFullProductWithBothSidesForEveryValue()
    {
        var cases = ((IEnumerable<object[]>)Cases()).Select(d => ((string)d[0], (ServerKeyType)d[1], (string)d[2], (string)d[3])).ToList();
        Assert.Equal(3 * 4 * 16, cases.Select(c => (c.Item1, c.Item2, c.Item3)).Distinct().Count());
        Assert.Equal(["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"], Tls13CipherSuiteList.Default.Select(s => s.IanaName));
        foreach (string side in new[] { "client", "server" })
        {
            var mine = cases.Where(c => c.Item4 == side).ToList();
            Assert.Equal(3 * 4, mine.Select(c => (c.Item1, c.Item2)).Distinct().Count());
            foreach (string flag in Flags)
            {
                Assert.Contains(mine, c => c.Item3.Split('+').Contains(flag));
                Assert.Contains(mine, c => !c.Item3.Split('+').Contains(flag));
            }
        }

        Assert.Equal(32, ((IEnumerable<object[]>)FacadeOnlyCases()).Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matrix(string suite, ServerKeyType key, string flags, string facadeSide)
    {
        Case c = Parse(suite, key, flags);
        if (facadeSide == "client")
        {
            FacadeClientAgainstEngineServer(c);
        }
        else
        {
            EngineClientAgainstFacadeServer(c);
        }
    }

    [Theory]
    [MemberData(nameof(FacadeOnlyCases))]
    public void FacadeAgainstFacade(ServerKeyType key, string flags)
    {
        Case c = Parse(Tls13CipherSuiteList.Default[0].IanaName, key, flags);
        using var client = new FacadeEnd(ClientContext(c).WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: FacadeMatrixPki.HostName));
        using var server = new FacadeEnd(ServerContext(c).WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true));
        Handshake(client, server);
        CheckFacade(client.Object, c, peerLeaf: pki.Leaf(c.Key).Der);
        CheckFacade(server.Object, c, peerLeaf: c.ClientAuth ? pki.Leaf(c.ClientKey).Der : null);
        CheckWire(client, server, c.Compat);
        ExchangeAndClose(client, server);
    }

    private static Case Parse(string suite, ServerKeyType key, string flags)
    {
        var set = flags.Split('+').Where(f => f != "none").ToHashSet(StringComparer.Ordinal);
        Assert.Subset(Flags.ToHashSet(), set);
        return new Case(ConnectionTestKit.Suite(suite), key, set.Contains("alpn"), set.Contains("clientauth"), set.Contains("compat"), set.Contains("hrr"));
    }

    private void FacadeClientAgainstEngineServer(Case c)
    {
        FacadeMatrixPki.Credential leaf = pki.Leaf(c.Key);
        var settings = new TlsConfig
        {
            Role = TlsRole.Server,
            CipherSuites = [c.Suite],

            // The facade client sends one key share, for x25519; a server that only takes secp384r1 asks again.
            Groups = c.Hrr ? [KeyExchangeGroups.Secp384r1] : KeyExchangeGroups.Default,
            CertificateChain = [leaf.Der],
            PrivateKey = leaf.Key,
            Trust = pki.Trust,
            AlpnProtocols = c.Alpn ? [Http11, H2] : [],
            MiddleboxCompatibility = c.Compat,
            RequestClientCertificate = c.ClientAuth,
            RequireClientCertificate = c.ClientAuth,
            Entropy = new SeededEntropy(3),
        };
        using var server = new EngineEnd(TlsConnection.CreateServer(settings));
        using var client = new FacadeEnd(ClientContext(c).WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: FacadeMatrixPki.HostName));
        Handshake(client, server);

        Assert.Equal(c.Suite, server.Connection.CipherSuite);
        Assert.Equal(c.Hrr ? NamedGroup.Secp384r1 : NamedGroup.X25519, server.Connection.NamedGroup);
        Assert.Equal(c.Hrr, server.Connection.HelloRetried);
        Assert.Equal(HandshakeMatrix.ExpectedScheme(c.Key), server.Connection.SignatureScheme);
        CheckFacade(client.Object, c, peerLeaf: leaf.Der);
        Assert.Equal(c.Alpn ? Http11 : null, server.Connection.AlpnProtocol);
        if (c.ClientAuth)
        {
            Assert.Equal(pki.Leaf(c.ClientKey).Der, server.Connection.PeerCertificateChain[0]);
            Assert.Equal(HandshakeMatrix.ExpectedScheme(c.ClientKey), server.Connection.ClientSignatureScheme);
        }
        else
        {
            Assert.Empty(server.Connection.PeerCertificateChain);
        }

        CheckWire(client, server, c.Compat);
        ExchangeAndClose(client, server);
    }

    private void EngineClientAgainstFacadeServer(Case c)
    {
        var settings = new TlsConfig
        {
            Role = TlsRole.Client,
            CipherSuites = [c.Suite],

            // The facade server does not implement the hybrid group's share it is sent here, so it asks for x25519.
            Groups = c.Hrr ? [KeyExchangeGroups.X25519MlKem768, KeyExchangeGroups.X25519] : [KeyExchangeGroups.X25519],
            KeyShareGroups = c.Hrr ? [NamedGroup.X25519MLKEM768] : [],
            Trust = pki.Trust,
            ServerName = FacadeMatrixPki.HostName,
            CheckHostname = true,
            AlpnProtocols = c.Alpn ? [Spdy, H2, Http11] : [],
            MiddleboxCompatibility = c.Compat,
            Entropy = new SeededEntropy(5),
        };
        if (c.ClientAuth)
        {
            FacadeMatrixPki.Credential mine = pki.Leaf(c.ClientKey);
            settings = settings with { CertificateChain = [mine.Der], PrivateKey = mine.Key };
        }

        using var client = new EngineEnd(TlsConnection.CreateClient(settings));
        using var server = new FacadeEnd(ServerContext(c).WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true));
        Handshake(client, server);

        Assert.Equal(c.Suite, client.Connection.CipherSuite);
        Assert.Equal(NamedGroup.X25519, client.Connection.NamedGroup);
        Assert.Equal(c.Hrr, client.Connection.HelloRetried);
        Assert.Equal(HandshakeMatrix.ExpectedScheme(c.Key), client.Connection.SignatureScheme);
        Assert.True(client.Connection.VerifyResult!.IsValid);
        Assert.Equal(pki.Leaf(c.Key).Der, client.Connection.PeerCertificateChain[0]);
        Assert.Equal(c.Alpn ? Http11 : null, client.Connection.AlpnProtocol);
        Assert.Equal(c.ClientAuth ? HandshakeMatrix.ExpectedScheme(c.ClientKey) : null, client.Connection.ClientSignatureScheme);
        CheckFacade(server.Object, c, peerLeaf: c.ClientAuth ? pki.Leaf(c.ClientKey).Der : null);
        CheckWire(client, server, c.Compat);
        ExchangeAndClose(server, client);
    }

    private SslContext ClientContext(Case c)
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.LoadVerifyLocations(cafile: pki.RootFile);
        Configure(ctx, c, clientOrder: true);
        if (c.ClientAuth)
        {
            ctx.LoadCertChain(pki.Leaf(c.ClientKey).CertFile, pki.Leaf(c.ClientKey).KeyFile);
        }

        return ctx;
    }

    private SslContext ServerContext(Case c)
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(pki.Leaf(c.Key).CertFile, pki.Leaf(c.Key).KeyFile);
        Configure(ctx, c, clientOrder: false);
        if (c.ClientAuth)
        {
            ctx.VerifyMode = VerifyMode.CertRequired;
            ctx.LoadVerifyLocations(cafile: pki.RootFile);
        }

        return ctx;
    }

    private static void Configure(SslContext ctx, Case c, bool clientOrder)
    {
        if (!c.Compat)
        {
            ctx.Options &= ~SslOptions.EnableMiddleboxCompat;
        }

        Assert.Equal(c.Compat, (ctx.Options & SslOptions.EnableMiddleboxCompat) != 0);
        if (c.Alpn)
        {
            ctx.SetAlpnProtocols(clientOrder ? ["spdy/3", "h2", "http/1.1"] : ["http/1.1", "h2"]);
        }
    }

    private static void CheckFacade(SslObject o, Case c, byte[]? peerLeaf)
    {
        Assert.True(o.IsHandshakeComplete);
        Assert.Equal("TLSv1.3", o.Version());
        var cipher = o.Cipher()!.Value;
        Assert.Equal(c.Suite.OpenSslName, cipher.Name);
        Assert.Equal("TLSv1.3", cipher.Protocol);
        Assert.Equal(c.Suite.StrengthBits, cipher.SecretBits);
        Assert.Equal(c.Alpn ? "http/1.1" : null, o.SelectedAlpnProtocol());
        Assert.Equal(peerLeaf, (byte[]?)o.GetPeerCert(binaryForm: true));
        if (peerLeaf is not null)
        {
            var decoded = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(o.GetPeerCert());
            Assert.True(decoded.ContainsKey("subject"));
        }
    }

    private static void CheckWire(IEnd client, IEnd server, bool compat)
    {
        Assert.Equal(compat ? 1 : 0, Records.Count(client.Sent, (byte)ContentType.ChangeCipherSpec));
        Assert.Equal(compat ? 1 : 0, Records.Count(server.Sent, (byte)ContentType.ChangeCipherSpec));
        byte[] clientHello = Records.Split(client.Sent)[0];
        Assert.Equal(compat ? 32 : 0, clientHello[5 + 4 + 2 + 32]);
    }

    /// <summary>Steps both sides and moves their bytes until both report the handshake complete and nothing is in flight.</summary>
    private static void Handshake(IEnd client, IEnd server)
    {
        for (int round = 0; round < 16; round++)
        {
            bool clientDone = client.Step();
            server.Give(client.Take());
            bool serverDone = server.Step();
            client.Give(server.Take());
            if (clientDone && serverDone && !client.HasOutgoing && !server.HasOutgoing)
            {
                // One more client step takes in the tickets that followed the server's last flight.
                client.Step();
                return;
            }
        }

        Assert.Fail("the handshake did not complete in 16 rounds");
    }

    private static void ExchangeAndClose(IEnd a, IEnd b)
    {
        byte[] ab = new byte[40_000];
        byte[] ba = new byte[777];
        new Random(1).NextBytes(ab);
        new Random(2).NextBytes(ba);
        a.Write(ab);
        b.Give(a.Take());
        Assert.Equal(ab, b.ReadExactly(ab.Length));
        b.Write(ba);
        a.Give(b.Take());
        Assert.Equal(ba, a.ReadExactly(ba.Length));

        Assert.False(a.Close());
        b.Give(a.Take());
        Assert.True(b.Close());
        a.Give(b.Take());
        Assert.True(a.Close());
    }

    /// <summary>One side of a connection, a facade object or an engine connection, seen through the same steps.</summary>
    private interface IEnd : IDisposable
    {
        List<byte[]> Sent { get; }

        bool HasOutgoing { get; }

        bool Step();

        byte[] Take();

        void Give(byte[] bytes);

        void Write(byte[] data);

        byte[] ReadExactly(int length);

        /// <summary>Sends close_notify (once); true once the peer's close_notify has arrived.</summary>
        bool Close();
    }

    private sealed class FacadeEnd(SslObject o) : IEnd
    {
        public SslObject Object => o;

        public List<byte[]> Sent { get; } = [];

        public bool HasOutgoing => o.Outgoing.Pending > 0;

        public bool Step()
        {
            try
            {
                o.DoHandshake();
                return true;
            }
            catch (SslWantReadException)
            {
                return false;
            }
        }

        public byte[] Take()
        {
            byte[] bytes = o.Outgoing.Read();
            if (bytes.Length > 0)
            {
                Sent.Add(bytes);
            }

            return bytes;
        }

        public void Give(byte[] bytes) => o.Incoming.Write(bytes);

        public void Write(byte[] data) => Assert.Equal(data.Length, o.Write(data));

        public byte[] ReadExactly(int length)
        {
            var result = new List<byte>();
            while (result.Count < length)
            {
                byte[] chunk = o.Read(length - result.Count);
                Assert.NotEmpty(chunk);
                result.AddRange(chunk);
            }

            Assert.Equal(0, o.Pending());
            return [.. result];
        }

        public bool Close()
        {
            try
            {
                o.Unwrap();
                return true;
            }
            catch (SslWantReadException)
            {
                return false;
            }
        }

        public void Dispose() => o.Dispose();
    }

    private sealed class EngineEnd(TlsConnection connection) : IEnd
    {
        public TlsConnection Connection => connection;

        public List<byte[]> Sent { get; } = [];

        public bool HasOutgoing => connection.HasOutgoing;

        public bool Step() => connection.IsHandshakeComplete;

        public byte[] Take()
        {
            byte[] bytes = ConnectionPair.Drain(connection);
            if (bytes.Length > 0)
            {
                Sent.Add(bytes);
            }

            return bytes;
        }

        public void Give(byte[] bytes)
        {
            if (bytes.Length > 0)
            {
                connection.ReceiveBytes(bytes);
            }
        }

        public void Write(byte[] data) => connection.WriteApplicationData(data);

        public byte[] ReadExactly(int length)
        {
            Assert.Equal(length, connection.PendingApplicationData);
            return ConnectionPair.ReadAll(connection);
        }

        public bool Close()
        {
            connection.Close();
            return connection.PeerClosed;
        }

        public void Dispose() => connection.Dispose();
    }
}
