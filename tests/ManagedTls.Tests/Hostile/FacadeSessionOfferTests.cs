using ManagedTls.Ssl;
using ManagedTls.Tests.Facade;
using ManagedTls.Tests.TestingKit;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// A session read from a file records no verification the client can trust (OpenSSL's session files carry a
/// verify code, not the trust it was checked against, and often no host name): under a context that verifies the
/// server it is not offered, so the handshake is a full one that checks the certificate and the host name.
/// </summary>
public class FacadeSessionOfferTests
{
    [Fact]
    public void ASessionFileWithoutAHostNameIsNotResumedPastVerification()
    {
        // The first connection does not check the host name; its session file is written as OpenSSL writes one when
        // the server did not acknowledge server_name: without a host name, with the verify code of the chain.
        var (server, client) = EngineTargets.Contexts();
        client.CheckHostname = false;
        ManagedTls.Handshake.Tls13.Tls13Session t = FirstSession(server, client).Tls13!;
        using var nameless = new ManagedTls.Handshake.Tls13.Tls13Session(t.Ticket, t.Psk.ToArray(), t.Suite, t.LifetimeSeconds, t.AgeAdd, t.CreatedAt)
        {
            PeerChain = t.PeerChain,
            VerifyResult = t.VerifyResult,
        };
        SslSession fromFile = SslSession.FromPem(SslSessionPem.ToPem(nameless), client);

        // Resuming it would accept the server without the host name check this context now asks for.
        client.CheckHostname = true;
        MemoryBio[] again = [new(), new(), new(), new()];
        using SslObject c2 = client.WrapBio(again[0], again[1], serverHostname: "localhost", session: fromFile);
        using SslObject s2 = server.WrapBio(again[2], again[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c2, s2, again));
        Assert.False(c2.SessionReused);
        Assert.False(s2.SessionReused);
        var peer = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(c2.GetPeerCert());
        Assert.NotEmpty(peer);
    }

    [Fact]
    public void ASessionFromTheSameContextIsResumed()
    {
        var (server, client) = EngineTargets.Contexts();
        SslSession session = FirstSession(server, client);

        MemoryBio[] again = [new(), new(), new(), new()];
        using SslObject c2 = client.WrapBio(again[0], again[1], serverHostname: "localhost", session: session);
        using SslObject s2 = server.WrapBio(again[2], again[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c2, s2, again));
        Assert.True(c2.SessionReused);
    }

    // A first connection to localhost with data from the server, so its tickets have arrived; returns the session.
    private static SslSession FirstSession(SslContext server, SslContext client)
    {
        MemoryBio[] bios = [new(), new(), new(), new()];
        using SslObject c = client.WrapBio(bios[0], bios[1], serverHostname: "localhost");
        using SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c, s, bios));
        s.Write([1]);
        bios[0].Write(bios[3].Read());
        Assert.Equal([1], c.Read(1));
        Assert.True(c.Session!.HasTicket);
        return c.Session;
    }
}
