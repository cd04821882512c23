using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Session resumption through the facade. Expected values were recorded from Python 3.11 (OpenSSL 3.0) driving the
/// same steps over MemoryBIO pairs with the same certificate (WrapKeys): the client's session has no ticket until
/// the NewSessionTicket is read, resumption works across connections of one server context, errors and counters.
/// </summary>
public sealed class SessionTests : IDisposable
{
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SslContext ServerContext(SslOptions extra = 0, int? numTickets = null)
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        ctx.Options |= extra;
        if (numTickets is { } n)
        {
            ctx.NumTickets = n;
        }

        return ctx;
    }

    private SslContext ClientContext() => WrapKeys.ClientContext(_dir);

    internal sealed class Pair
    {
        public MemoryBio ClientIn { get; } = new();
        public MemoryBio ClientOut { get; } = new();
        public MemoryBio ServerIn { get; } = new();
        public MemoryBio ServerOut { get; } = new();
        public SslObject Client { get; set; } = null!;
        public SslObject Server { get; set; } = null!;

        public void ToServer() => ServerIn.Write(ClientOut.Read());

        public void ToClient() => ClientIn.Write(ServerOut.Read());

        public void Handshake()
        {
            Assert.False(Step(Client));
            ToServer();
            Assert.False(Step(Server));
            ToClient();
            Assert.True(Step(Client));
            ToServer();
            Assert.True(Step(Server));
        }

        /// <summary>A TLS 1.2 handshake: two round trips, the client done only once the server's Finished arrives.</summary>
        public void HandshakeTls12()
        {
            bool clientDone = false, serverDone = false;
            for (int round = 0; round < 5 && !(clientDone && serverDone); round++)
            {
                clientDone = Step(Client);
                ToServer();
                serverDone = Step(Server);
                ToClient();
            }

            Assert.True(clientDone && serverDone);
        }

        /// <summary>Delivers the server's tickets and lets the client read them (Python: a read that wants more).</summary>
        public void ReadTickets()
        {
            ToClient();
            Assert.Throws<SslWantReadException>(() => Client.Read());
        }

        private static bool Step(SslObject o)
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
    }

    private static Pair Wrap(SslContext client, SslContext server, SslSession? session = null)
    {
        var p = new Pair();
        p.Client = client.WrapBio(p.ClientIn, p.ClientOut, serverHostname: "localhost", session: session);
        p.Server = server.WrapBio(p.ServerIn, p.ServerOut, serverSide: true);
        return p;
    }

    private static Pair Connect(SslContext client, SslContext server, SslSession? session = null)
    {
        Pair p = Wrap(client, server, session);
        p.Handshake();
        p.ReadTickets();
        return p;
    }

    [Fact]
    public void ClientSessionGetsItsTicketOnlyAfterARead()
    {
        SslContext client = ClientContext(), server = ServerContext();
        Pair p = Wrap(client, server);
        // Python: None before the handshake on both sides.
        Assert.Null(p.Client.Session);
        Assert.Null(p.Server.Session);
        Assert.False(p.Client.SessionReused);
        p.Handshake();

        // Python after the handshake, before reading: id b'', has_ticket False, timeout 7200, ticket_lifetime_hint 0.
        SslSession before = p.Client.Session!;
        Assert.Empty(before.Id);
        Assert.False(before.HasTicket);
        Assert.Equal(7200, before.Timeout);
        Assert.Equal(0, before.TicketLifetimeHint);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(before.Time, now - 5, now + 5);

        // Python after a read: a 32-byte id, has_ticket True, timeout 7200, ticket_lifetime_hint 7200.
        p.ReadTickets();
        SslSession after = p.Client.Session!;
        Assert.Equal(32, after.Id.Length);
        Assert.True(after.HasTicket);
        Assert.Equal(7200, after.Timeout);
        Assert.Equal(7200, after.TicketLifetimeHint);
        Assert.InRange(after.Time, now - 5, now + 5);
        Assert.True(after == p.Client.Session);
        Assert.NotEqual(before, after);

        // Python: the server's session has an id, no ticket, timeout 7200, hint 0.
        SslSession serverSession = p.Server.Session!;
        Assert.Equal(32, serverSession.Id.Length);
        Assert.False(serverSession.HasTicket);
        Assert.Equal(7200, serverSession.Timeout);
        Assert.Equal(0, serverSession.TicketLifetimeHint);
    }

    [Fact]
    public void SessionResumesAcrossConnectionsOfOneServerContext()
    {
        SslContext client = ClientContext(), server = ServerContext();
        Pair first = Connect(client, server);
        Assert.False(first.Client.SessionReused);
        Assert.False(first.Server.SessionReused);
        SslSession session = first.Client.Session!;

        // Python: offered session is the session before the handshake; reused on both sides; the same session
        // until new tickets are read, then a new one.
        Pair second = Wrap(client, server, session);
        Assert.Same(session, second.Client.Session);
        second.Handshake();
        Assert.True(second.Client.SessionReused);
        Assert.True(second.Server.SessionReused);
        Assert.Equal(session, second.Client.Session);
        Assert.Same(session, second.Client.Session);
        second.ReadTickets();
        Assert.NotEqual(session, second.Client.Session);
        Assert.True(second.Client.Session!.HasTicket);

        // Stateless tickets resume more than once (Python: the third connection with the same session is reused too).
        Pair third = Connect(client, server, session);
        Assert.True(third.Client.SessionReused);

        // Data still flows on a resumed connection.
        third.Client.Write("ping"u8);
        third.ToServer();
        Assert.Equal("ping"u8.ToArray(), third.Server.Read());
    }

    [Fact]
    public void SettingTheSessionPropertyBeforeTheHandshakeResumes()
    {
        SslContext client = ClientContext(), server = ServerContext();
        SslSession session = Connect(client, server).Client.Session!;
        Pair p = Wrap(client, server);
        Assert.Null(p.Client.Session);
        p.Client.Session = session;
        Assert.Same(session, p.Client.Session);
        p.Handshake();
        Assert.True(p.Client.SessionReused);
        Assert.Same(session, p.Client.Session);
    }

    [Fact]
    public void AnotherServerContextDoesNotResume()
    {
        SslContext client = ClientContext(), other = ServerContext();
        SslSession session = Connect(client, ServerContext()).Client.Session!;
        Pair p = Connect(client, other, session);
        Assert.False(p.Client.SessionReused);
        Assert.False(p.Server.SessionReused);
        // Python: the client counts a miss; the server, which cannot open the stateless ticket, does not.
        Assert.Equal(1, client.SessionStats()["misses"]);
        Assert.Equal(0, other.SessionStats()["misses"]);
    }

    [Fact]
    public void SessionErrorsCarryPythonsTexts()
    {
        SslContext client = ClientContext(), server = ServerContext();
        Pair done = Connect(client, server);
        SslSession session = done.Client.Session!;

        // Python: S.session = x -> ValueError('Session refers to a different SSLContext.') (the server's context differs).
        var e1 = Assert.Throws<ArgumentException>(() => done.Server.Session = session);
        Assert.StartsWith("Session refers to a different SSLContext.", e1.Message);

        // Python: C.session = x after the handshake -> ValueError('Cannot set session after handshake.').
        var e2 = Assert.Throws<InvalidOperationException>(() => done.Client.Session = session);
        Assert.Equal("Cannot set session after handshake.", e2.Message);

        // Python: C.session = None -> TypeError('Value is not a SSLSession.').
        Pair fresh = Wrap(client, server);
        var e3 = Assert.Throws<ArgumentNullException>(() => fresh.Client.Session = null);
        Assert.StartsWith("Value is not a SSLSession.", e3.Message);

        // Python: a session of another context, set or given to wrap_bio -> 'Session refers to a different SSLContext.'
        SslContext other = ClientContext();
        var e4 = Assert.Throws<ArgumentException>(() => other.WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost", session: session));
        Assert.StartsWith("Session refers to a different SSLContext.", e4.Message);
        SslObject otherObject = other.WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost");
        Assert.Throws<ArgumentException>(() => otherObject.Session = session);

        // Python, one PROTOCOL_TLS context for both sides: 'Cannot set session for server-side SSLSocket.'
#pragma warning disable CS0618 // ssl.PROTOCOL_TLS is deprecated: this test is about it.
        var both = new SslContext(SslProtocol.Tls);
#pragma warning restore CS0618
        both.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        SslSession bothSession = Connect(both, both).Client.Session!;
        var e5 = Assert.Throws<ArgumentException>(() => both.WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true, session: bothSession));
        Assert.StartsWith("Cannot set session for server-side SSLSocket.", e5.Message);
        SslObject serverObject = both.WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true);
        var e6 = Assert.Throws<InvalidOperationException>(() => serverObject.Session = bothSession);
        Assert.Equal("Cannot set session for server-side SSLSocket.", e6.Message);
    }

    [Fact]
    public void SessionStatsCountLikePython()
    {
        SslContext client = ClientContext(), server = ServerContext();
        string[] keys = ["number", "connect", "connect_good", "connect_renegotiate", "accept", "accept_good", "accept_renegotiate", "hits", "misses", "timeouts", "cache_full"];
        Assert.Equal(keys, client.SessionStats().Keys);
        Assert.All(server.SessionStats().Values, v => Assert.Equal(0, v));

        SslSession session = Connect(client, server).Client.Session!;
        Connect(client, server, session);
        Connect(client, server, session);

        // Python after three connections, two resumed: client connect 3, connect_good 3, hits 2; server accept 3,
        // accept_good 3, hits 2; number 0 (stateless tickets are not cached).
        IReadOnlyDictionary<string, long> c = client.SessionStats(), s = server.SessionStats();
        Assert.Equal((3, 3, 2, 0, 0), (c["connect"], c["connect_good"], c["hits"], c["misses"], c["accept"]));
        Assert.Equal((3, 3, 2, 0, 0), (s["accept"], s["accept_good"], s["hits"], s["connect"], s["number"]));
    }

    [Fact]
    public void NoTicketKeepsSessionsInTheContextCache()
    {
        SslContext client = ClientContext(), server = ServerContext(SslOptions.NoTicket);
        Pair first = Connect(client, server);
        SslSession session = first.Client.Session!;
        Assert.True(session.HasTicket);
        Assert.Equal(2, server.SessionStats()["number"]);

        Pair second = Connect(client, server, session);
        Assert.True(second.Client.SessionReused);
        Assert.True(second.Server.SessionReused);
        // One entry used up, two new ones stored.
        Assert.Equal(3, server.SessionStats()["number"]);

        // Python (OpenSSL 3.0) with OP_NO_TICKET: the same session offered again is not found in the cache, and the
        // server counts that lookup as a miss (after: accept 3, hits 1, misses 1; the client: hits 1, misses 1).
        Pair third = Connect(client, server, session);
        Assert.False(third.Client.SessionReused);
        IReadOnlyDictionary<string, long> s = server.SessionStats(), c = client.SessionStats();
        Assert.Equal((3L, 3L, 1L, 1L), (s["accept"], s["accept_good"], s["hits"], s["misses"]));
        Assert.Equal((3L, 1L, 1L), (c["connect"], c["hits"], c["misses"]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void NumTicketsIsHonoured(int tickets)
    {
        SslContext client = ClientContext(), server = ServerContext(numTickets: tickets);
        Pair first = Connect(client, server);
        SslSession session = first.Client.Session!;
        // Python with num_tickets = 0: no ticket, empty id, hint 0, no resumption; the server's session id is empty too.
        Assert.Equal(tickets > 0, session.HasTicket);
        Assert.Equal(tickets > 0 ? 32 : 0, session.Id.Length);
        Assert.Equal(tickets > 0 ? 32 : 0, first.Server.Session!.Id.Length);
        Pair second = Connect(client, server, session);
        Assert.Equal(tickets > 0, second.Client.SessionReused);
    }

    [Fact]
    public void SessionsOutliveTheirConnection()
    {
        SslContext client = ClientContext(), server = ServerContext();
        Pair first = Connect(client, server);
        SslSession session = first.Client.Session!;
        first.Client.Dispose();
        first.Server.Dispose();
        Assert.True(Connect(client, server, session).Client.SessionReused);
        session.Dispose();
        Assert.False(Connect(client, server, session).Client.SessionReused);
    }

    [Fact]
    public void Tls13ConnectionsGiveTlsExporterAndPythonsTlsUniqueEqualOnBothEnds()
    {
        SslContext client = ClientContext(), server = ServerContext();
        Pair p = Wrap(client, server);
        Assert.Null(p.Client.GetChannelBinding("tls-exporter"));
        p.Handshake();
        Assert.Equal("TLSv1.3", p.Client.Version());
        byte[] binding = p.Client.GetChannelBinding("tls-exporter")!;
        Assert.Equal(32, binding.Length);
        Assert.Equal(binding, p.Server.GetChannelBinding("tls-exporter"));

        // tls-unique on TLS 1.3 is Python's value, the client's Finished (decision 0029), apart from the exporter's.
        Assert.Equal(48, p.Client.GetChannelBinding()!.Length);
        Assert.Equal(p.Client.GetChannelBinding(), p.Server.GetChannelBinding());
        Assert.NotEqual(binding, p.Client.GetChannelBinding());

        Pair other = Connect(client, server);
        Assert.NotEqual(binding, other.Client.GetChannelBinding("tls-exporter"));
    }

    [Fact]
    public void Tls12ConnectionsReportTheirVersionCipherAndTlsUnique()
    {
        SslContext client = ClientContext(), server = ServerContext();
        client.MaximumVersion = TlsVersion.TlsV1_2;
        Pair p = Wrap(client, server);
        Assert.Null(p.Client.GetChannelBinding());

        p.HandshakeTls12();
        Assert.Equal("TLSv1.2", p.Client.Version());
        Assert.Equal("TLSv1.2", p.Server.Version());
        Assert.Equal(("ECDHE-ECDSA-AES256-GCM-SHA384", "TLSv1.2", 256), p.Client.Cipher());
        byte[] unique = p.Client.GetChannelBinding()!;
        Assert.Equal(12, unique.Length);
        Assert.Equal(unique, p.Server.GetChannelBinding("tls-unique"));
        Assert.Null(p.Client.GetChannelBinding("tls-exporter"));
        Assert.Null(p.Server.GetChannelBinding("tls-exporter"));
        Assert.Equal("'tls-server-end-point' channel binding type not implemented", Assert.Throws<ArgumentException>(() => p.Client.GetChannelBinding("tls-server-end-point")).Message.Split(" (")[0]);
    }

    [Fact]
    public void ProtocolTlsV12IsObsoleteSpeaksOnlyTls12AndFixesItsRange()
    {
        // Recorded from Python 3.11: int(PROTOCOL_TLSv1_2) == 5, a DeprecationWarning, minimum/maximum_version -2/-1,
        // check_hostname False, CERT_NONE, and setting either version raises ValueError with this text.
        Assert.NotNull(typeof(SslProtocol).GetField("TlsV1_2")!.GetCustomAttributes(typeof(ObsoleteAttribute), false).SingleOrDefault());
#pragma warning disable CS0618
        Assert.Equal(5, (int)SslProtocol.TlsV1_2);
        var client = new SslContext(SslProtocol.TlsV1_2);
#pragma warning restore CS0618
        Assert.Equal((TlsVersion.MinimumSupported, TlsVersion.MaximumSupported), (client.MinimumVersion, client.MaximumVersion));
        Assert.False(client.CheckHostname);
        Assert.Equal(VerifyMode.CertNone, client.VerifyMode);
        Assert.Equal("The context's protocol doesn't support modification of highest and lowest version.", Assert.Throws<ArgumentException>(() => client.MinimumVersion = TlsVersion.TlsV1_3).Message);
        Assert.Throws<ArgumentException>(() => client.MaximumVersion = TlsVersion.TlsV1_3);

        Pair p = Wrap(client, ServerContext());
        p.HandshakeTls12();
        Assert.Equal("TLSv1.2", p.Client.Version());
        Assert.Equal("TLSv1.2", p.Server.Version());
    }

    [Fact]
    public void SharedCiphersOnTheServerOnlyAfterTheHandshake()
    {
        SslContext client = ClientContext(), server = ServerContext();
        Pair p = Wrap(client, server);
        Assert.Null(p.Server.SharedCiphers());
        p.Handshake();
        // Python 3.11 / OpenSSL 3.0 with default contexts on both sides lists these 17, in the server's order; None on the client.
        string[] recorded =
        [
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305",
            "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256",
            "ECDHE-RSA-AES128-SHA256", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-SHA256", "DHE-RSA-AES128-SHA256",
        ];
        Assert.Equal(recorded, p.Server.SharedCiphers()!.Select(c => c.Name));
        Assert.Equal(("TLS_AES_128_GCM_SHA256", "TLSv1.3", 128), p.Server.SharedCiphers()![2]);
        Assert.Null(p.Client.SharedCiphers());
    }

    [Fact]
    public void SessionEqualityIsById()
    {
        SslContext client = ClientContext(), server = ServerContext();
        Pair p = Connect(client, server);
        SslSession a = p.Client.Session!;
        SslSession b = p.Client.Session!;
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals("not a session"));
        Assert.NotSame(a.Id, a.Id);
    }
}
