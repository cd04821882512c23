using ManagedTls.Crypto;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// TLS 1.2 sessions through the facade (decision 0023): <see cref="SslObject.Session"/> right after the handshake,
/// <see cref="SslObject.SessionReused"/>, <see cref="SslContext.SessionStats"/>, the session file, and
/// <see cref="SslSocket"/> with <c>session=</c>. With tickets the client's session carries one (Python: has_ticket, a
/// 7200-second hint, id = SHA-256 of the ticket); with <see cref="SslOptions.NoTicket"/> it resumes by its 32-byte id.
/// </summary>
public sealed class Tls12SessionFacadeTests : IDisposable
{
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SslContext ServerContext(SslOptions extra = 0)
    {
        SslContext ctx = WrapKeys.ServerContext(_dir);
        ctx.MaximumVersion = TlsVersion.TlsV1_2;
        ctx.Options |= extra;
        return ctx;
    }

    private SslContext ClientContext(SslOptions extra = 0)
    {
        SslContext ctx = WrapKeys.ClientContext(_dir);
        ctx.MaximumVersion = TlsVersion.TlsV1_2;
        ctx.Options |= extra;
        return ctx;
    }

    private static T Bounded<T>(Task<T> task) =>
        task.Wait(10000) ? task.Result : throw new TimeoutException("the server side did not finish");

    private static SessionTests.Pair Connect(SslContext client, SslContext server, SslSession? session = null)
    {
        var p = new SessionTests.Pair();
        p.Client = client.WrapBio(p.ClientIn, p.ClientOut, serverHostname: "localhost", session: session);
        p.Server = server.WrapBio(p.ServerIn, p.ServerOut, serverSide: true);
        p.HandshakeTls12();
        Assert.Equal("TLSv1.2", p.Client.Version());
        return p;
    }

    [Fact]
    public void ATicketSessionIsReadyAfterTheHandshakeAndResumes()
    {
        SslContext client = ClientContext(), server = ServerContext();
        SessionTests.Pair first = Connect(client, server);
        SslSession session = first.Client.Session!;
        Assert.True(session.HasTicket);
        Assert.Equal(7200, session.TicketLifetimeHint);
        Assert.Equal(7200, session.Timeout);
        Assert.Equal(Hashes.Compute(HashAlgorithm.Sha256, session.Tls12!.Ticket!), session.Id);
        Assert.False(first.Client.SessionReused);

        // Python: the server's session of a ticketed TLS 1.2 handshake has an empty id.
        Assert.Empty(first.Server.Session!.Id);

        SessionTests.Pair second = Connect(client, server, session);
        Assert.True(second.Client.SessionReused);
        Assert.True(second.Server.SessionReused);
        Assert.Equal(session, second.Client.Session);
        Assert.Equal(first.Client.Cipher(), second.Client.Cipher());

        // Python's counters (recorded from Python 3.11 for the same steps): no cached session with tickets.
        IReadOnlyDictionary<string, long> s = server.SessionStats();
        Assert.Equal((0, 2, 2, 1, 0), (s["number"], s["accept"], s["accept_good"], s["hits"], s["timeouts"]));
        IReadOnlyDictionary<string, long> c = client.SessionStats();
        Assert.Equal((2, 2, 1, 0), (c["connect"], c["connect_good"], c["hits"], c["misses"]));
    }

    [Fact]
    public void WithNoTicketTheSessionResumesByIdFromTheContextsCache()
    {
        SslContext client = ClientContext(), server = ServerContext(SslOptions.NoTicket);
        SessionTests.Pair first = Connect(client, server);
        SslSession session = first.Client.Session!;
        Assert.False(session.HasTicket);
        Assert.Equal(32, session.Id.Length);
        Assert.Equal(0, session.TicketLifetimeHint);
        Assert.Equal(1, server.SessionStats()["number"]);
        Assert.Equal(session.Id, first.Server.Session!.Id);

        for (int i = 0; i < 2; i++)
        {
            SessionTests.Pair again = Connect(client, server, session);
            Assert.True(again.Client.SessionReused);
            Assert.True(again.Server.SessionReused);
        }

        // Another server context has another cache (and session id context): a miss on both sides.
        SslContext other = ServerContext(SslOptions.NoTicket);
        SessionTests.Pair elsewhere = Connect(client, other, session);
        Assert.False(elsewhere.Client.SessionReused);
        Assert.Equal(1, other.SessionStats()["misses"]);
        Assert.Equal(2, server.SessionStats()["hits"]);
        Assert.Equal(1, client.SessionStats()["misses"]);
    }

    [Fact]
    public void AClientWithNoTicketResumesById()
    {
        SslContext client = ClientContext(SslOptions.NoTicket), server = ServerContext();
        SslSession session = Connect(client, server).Client.Session!;
        Assert.False(session.HasTicket);
        Assert.True(Connect(client, server, session).Server.SessionReused);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATls12SessionRoundTripsThroughItsFileAndResumes(bool noTicket)
    {
        SslContext client = ClientContext(), server = ServerContext(noTicket ? SslOptions.NoTicket : 0);
        SslSession session = Connect(client, server).Client.Session!;
        string pem = session.ToPem();
        Assert.StartsWith("-----BEGIN SSL SESSION PARAMETERS-----", pem, StringComparison.Ordinal);

        using SslSession read = SslSession.FromPem(pem, client);
        Assert.Equal(session.Id, read.Id);
        Assert.Equal(session.HasTicket, read.HasTicket);
        Assert.Equal(session.Time, read.Time);
        Assert.True(read.Tls12!.ExtendedMasterSecret);
        Assert.Equal(session.Tls12!.MasterSecret.ToArray(), read.Tls12.MasterSecret.ToArray());
        Assert.Equal(pem, read.ToPem());

        // A file session carries no trusted verification, so, as for TLS 1.3 (decision 0017), a verifying client does
        // not offer it; a client that does not verify resumes with it.
        Assert.False(Connect(client, server, read).Client.SessionReused);
        SslContext trusting = ClientContext();
        trusting.CheckHostname = false;
        trusting.VerifyMode = VerifyMode.CertNone;
        using SslSession forTrusting = SslSession.FromPem(pem, trusting);
        SessionTests.Pair resumed = Connect(trusting, server, forTrusting);
        Assert.True(resumed.Client.SessionReused);
        Assert.True(resumed.Server.SessionReused);
    }

    [Fact]
    public void ASessionWithoutAClientCertificateIsNotResumedOnceOneIsRequired()
    {
        SslContext client = ClientContext(), server = ServerContext(SslOptions.NoTicket);
        SslSession session = Connect(client, server).Client.Session!;
        server.VerifyMode = VerifyMode.CertRequired;
        server.LoadVerifyLocations(cafile: Path.Combine(_dir, "cert.pem"));
        var p = new SessionTests.Pair();
        p.Client = client.WrapBio(p.ClientIn, p.ClientOut, serverHostname: "localhost", session: session);
        p.Server = server.WrapBio(p.ServerIn, p.ServerOut, serverSide: true);
        Assert.ThrowsAny<SslException>(() => p.HandshakeTls12());
        Assert.False(p.Server.SessionReused);
    }

    [Fact]
    public void SslSocketResumesATls12SessionGivenAsSession()
    {
        SslContext client = ClientContext(), server = ServerContext();
        SslSession? session = null;
        for (int i = 0; i < 2; i++)
        {
            var (c, s) = WrapKeys.LoopbackSockets(10000);
            Task<SslSocket> accepted = Task.Run(() => server.WrapSocket(s, serverSide: true));
            using SslSocket tls = client.WrapSocket(c, serverHostname: "localhost", session: session);
            using SslSocket srv = Bounded(accepted);
            Assert.Equal("TLSv1.2", tls.Version());
            Assert.Equal(i == 1, tls.SessionReused);
            Assert.Equal(i == 1, srv.SessionReused);
            tls.Write("hi"u8.ToArray());
            Assert.Equal("hi"u8.ToArray(), srv.Read(2));
            session = tls.Session;
        }
    }
}
