using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Tests.X509;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Connection;

/// <summary>A clock a test moves by hand.</summary>
internal sealed class TestClock
{
    public DateTimeOffset Now { get; set; } = new(TestPki.Now);

    public void Advance(TimeSpan by) => Now += by;
}

public class ResumptionTests
{
    private static readonly byte[] H2 = Encoding.ASCII.GetBytes("h2");

    private readonly TestClock _clock = new();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FullThenResumedHandshake(bool stateless)
    {
        TlsConfig server = Server() with { StatelessTickets = stateless, AlpnProtocols = [H2] };
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client() with { AlpnProtocols = [H2] }, server);
        Assert.False(first.Client.SessionReused);
        Assert.False(first.Server.SessionReused);
        Assert.Equal(2, first.Client.ReceivedSessions.Count);
        Assert.NotEqual(first.Client.ReceivedSessions[0].Ticket, first.Client.ReceivedSessions[1].Ticket);
        Assert.Equal(H2, session.Alpn);
        Assert.Equal(ConnectionTestKit.HostName, session.ServerName);
        int fullServerBytes = first.ServerWire.Sum(c => c.Length);

        _clock.Advance(TimeSpan.FromMinutes(5));
        using var second = new ConnectionPair(Client() with { AlpnProtocols = [H2], ResumptionSession = session }, server);
        second.Handshake();
        Assert.True(second.Client.SessionReused);
        Assert.True(second.Server.SessionReused);
        Assert.Null(second.Client.SignatureScheme);
        Assert.Null(second.Server.SignatureScheme);
        Assert.Equal(H2, second.Client.AlpnProtocol);
        Assert.Equal(H2, second.Server.AlpnProtocol);
        Assert.Equal(ConnectionTestKit.HostName, second.Server.ServerName);
        Assert.Equal(first.Client.PeerCertificateChain, second.Client.PeerCertificateChain);
        Assert.True(second.Client.VerifyResult!.IsValid);

        // No Certificate or CertificateVerify: the resumed server flight is smaller by more than the certificate.
        int certificateLength = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256).Der.Length;
        Assert.True(second.ServerWire.Sum(c => c.Length) < fullServerBytes - certificateLength);
        ExchangeData(second);
        Assert.Equal(2, second.Client.ReceivedSessions.Count);
        first.Dispose();
    }

    [Fact]
    public void StatefulTicketIsSingleUse()
    {
        TlsConfig server = Server() with { StatelessTickets = false };
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        Assert.Equal(2, server.SessionCache.Count);
        Assert.Equal(32, session.Ticket.Length);

        using (var second = new ConnectionPair(Client() with { ResumptionSession = session }, server))
        {
            second.Handshake();
            Assert.True(second.Server.SessionReused);
        }

        using var third = new ConnectionPair(Client() with { ResumptionSession = session }, server);
        third.Handshake();
        Assert.False(third.Client.SessionReused);
        Assert.False(third.Server.SessionReused);
        Assert.NotNull(third.Client.SignatureScheme);
    }

    [Fact]
    public void StatelessTicketCanBeUsedAgain()
    {
        TlsConfig server = Server();
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        for (int i = 0; i < 2; i++)
        {
            using var pair = new ConnectionPair(Client() with { ResumptionSession = session }, server);
            pair.Handshake();
            Assert.True(pair.Server.SessionReused);
        }
    }

    [Fact]
    public void ExpiredTicketFallsBackToAFullHandshake()
    {
        var serverClock = new TestClock();
        TlsConfig server = Server() with { Clock = () => serverClock.Now, TicketLifetime = TimeSpan.FromHours(1) };
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        serverClock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        using var pair = new ConnectionPair(Client() with { ResumptionSession = session }, server);
        pair.Handshake();
        Assert.False(pair.Server.SessionReused);
        Assert.False(pair.Client.SessionReused);
    }

    [Fact]
    public void ClientDoesNotOfferAnExpiredTicket()
    {
        TlsConfig server = Server() with { TicketLifetime = TimeSpan.FromMinutes(10) };
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        Assert.Equal(600u, session.LifetimeSeconds);
        _clock.Advance(TimeSpan.FromMinutes(10));
        using var pair = new ConnectionPair(Client() with { ResumptionSession = session }, server);
        byte[] clientHello = ConnectionPair.Drain(pair.Client);
        Assert.False(ContainsExtension(clientHello, ExtensionType.PreSharedKey));
        Assert.True(ContainsExtension(clientHello, ExtensionType.PskKeyExchangeModes));
    }

    [Fact]
    public void TicketAgeOutsideToleranceFallsBack()
    {
        var serverClock = new TestClock();
        TlsConfig server = Server() with { Clock = () => serverClock.Now };
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        serverClock.Advance(TimeSpan.FromSeconds(30));
        using var pair = new ConnectionPair(Client() with { ResumptionSession = session }, server);
        pair.Handshake();
        Assert.False(pair.Server.SessionReused);
    }

    [Fact]
    public void TicketSurvivesOneKeyRotationButNotTwo()
    {
        TlsConfig server = Server() with { TicketKeys = new TicketKeyRing(TimeSpan.FromMinutes(10)) };
        (_, ConnectionPair first) = FullHandshake(Client(), server);
        Tls13Session a = first.Client.ReceivedSessions[0];
        Tls13Session b = first.Client.ReceivedSessions[1];
        first.Dispose();

        _clock.Advance(TimeSpan.FromMinutes(11));
        using (var once = new ConnectionPair(Client() with { ResumptionSession = a }, server))
        {
            once.Handshake();
            Assert.True(once.Server.SessionReused);
        }

        _clock.Advance(TimeSpan.FromMinutes(11));
        using var twice = new ConnectionPair(Client() with { ResumptionSession = b }, server);
        twice.Handshake();
        Assert.False(twice.Server.SessionReused);
        Assert.False(twice.Client.SessionReused);
    }

    [Fact]
    public void TamperedTicketFallsBackToAFullHandshake()
    {
        TlsConfig server = Server();
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        for (int i = 0; i < session.Ticket.Length; i += 7)
        {
            byte[] ticket = (byte[])session.Ticket.Clone();
            ticket[i] ^= 0x01;
            using Tls13Session forged = Copy(session, ticket, session.Psk.ToArray());
            using var pair = new ConnectionPair(Client() with { ResumptionSession = forged }, server);
            pair.Handshake();
            Assert.False(pair.Server.SessionReused);
        }
    }

    [Fact]
    public void WrongPskIsDecryptError()
    {
        TlsConfig server = Server();
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        byte[] psk = session.Psk.ToArray();
        psk[0] ^= 0x80;
        using Tls13Session forged = Copy(session, session.Ticket, psk);
        using var pair = new ConnectionPair(Client() with { ResumptionSession = forged }, server);
        pair.Pump();
        Assert.Equal(AlertDescription.DecryptError, pair.ServerError!.Description);
        Assert.Equal(AlertDescription.DecryptError, pair.ClientError!.Description);
    }

    [Fact]
    public void TamperedBinderOnTheWireIsDecryptError()
    {
        TlsConfig server = Server();
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        using TlsConnection client = TlsConnection.CreateClient(Client() with { ResumptionSession = session });
        using TlsConnection serverConnection = TlsConnection.CreateServer(server);
        byte[] hello = ConnectionPair.Drain(client);
        Assert.True(ContainsExtension(hello, ExtensionType.PreSharedKey));
        hello[^1] ^= 0x01;
        var e = Assert.Throws<TlsAlertException>(() => serverConnection.ReceiveBytes(hello));
        Assert.Equal(AlertDescription.DecryptError, e.Description);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0xffff)]
    public void SelectedIdentityNotOfferedIsIllegalParameter(int selected)
    {
        TlsConfig server = Server();
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        using TlsConnection client = TlsConnection.CreateClient(Client() with { ResumptionSession = session });
        using TlsConnection serverConnection = TlsConnection.CreateServer(server);
        serverConnection.ReceiveBytes(ConnectionPair.Drain(client));
        Assert.True(serverConnection.SessionReused);
        byte[] flight = ConnectionPair.Drain(serverConnection);

        // The ServerHello is the first (plaintext) record; pre_shared_key is its last extension, so the
        // record ends with selected_identity.
        int end = 5 + ((flight[3] << 8) | flight[4]);
        Assert.Equal(0, (flight[end - 2] << 8) | flight[end - 1]);
        flight[end - 2] = (byte)(selected >> 8);
        flight[end - 1] = (byte)selected;
        var e = Assert.Throws<TlsAlertException>(() => client.ReceiveBytes(flight));
        Assert.Equal(AlertDescription.IllegalParameter, e.Description);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ResumptionAfterHelloRetryRequest(bool stateless)
    {
        TlsConfig server = Server() with { Groups = [KeyExchangeGroups.Secp256r1], StatelessTickets = stateless };
        TlsConfig client = Client() with
        {
            Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp256r1],
            KeyShareGroups = [NamedGroup.X25519],
        };
        (Tls13Session session, ConnectionPair first) = FullHandshake(client, server);
        first.Dispose();
        using var pair = new ConnectionPair(client with { ResumptionSession = session }, server);
        pair.Handshake();
        Assert.True(pair.Client.HelloRetried);
        Assert.True(pair.Client.SessionReused);
        Assert.True(pair.Server.SessionReused);
        ExchangeData(pair);
    }

    [Fact]
    public void NumTicketsZeroSendsNoTickets()
    {
        using var pair = new ConnectionPair(Client(), Server() with { NumTickets = 0 });
        pair.Handshake();
        Assert.Empty(pair.Client.ReceivedSessions);
        Assert.Null(pair.Client.LatestSession);
    }

    [Fact]
    public void NumTicketsControlsTheCount()
    {
        using var pair = new ConnectionPair(Client(), Server() with { NumTickets = 5 });
        pair.Handshake();
        Assert.Equal(5, pair.Client.ReceivedSessions.Count);
        Assert.Equal(5, pair.Client.ReceivedSessions.Select(s => Convert.ToHexString(s.Psk)).Distinct().Count());
        Assert.Equal(5, pair.Client.ReceivedSessions.Select(s => s.AgeAdd).Distinct().Count());
    }

    [Fact]
    public void SuiteWithAnotherHashFallsBackToAFullHandshake()
    {
        CipherSuiteInfo sha384 = ConnectionTestKit.Suite("TLS_AES_256_GCM_SHA384");
        CipherSuiteInfo sha256 = ConnectionTestKit.Suite("TLS_AES_128_GCM_SHA256");
        TlsConfig server = Server();
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client() with { CipherSuites = [sha384] }, server);
        first.Dispose();
        Assert.Equal(sha384, session.Suite);
        using var pair = new ConnectionPair(Client() with { CipherSuites = [sha256, sha384], ResumptionSession = session }, server);
        pair.Handshake();
        Assert.Equal(sha256, pair.Client.CipherSuite);
        Assert.False(pair.Server.SessionReused);
        Assert.False(pair.Client.SessionReused);
    }

    [Fact]
    public void ResumptionWithAnotherSuiteOfTheSameHash()
    {
        TlsConfig server = Server();
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client() with { CipherSuites = [ConnectionTestKit.Suite("TLS_AES_128_GCM_SHA256")] }, server);
        first.Dispose();
        CipherSuiteInfo chacha = ConnectionTestKit.Suite("TLS_CHACHA20_POLY1305_SHA256");
        using var pair = new ConnectionPair(Client() with { CipherSuites = [chacha], ResumptionSession = session }, server);
        pair.Handshake();
        Assert.True(pair.Server.SessionReused);
        Assert.Equal(chacha, pair.Client.CipherSuite);
    }

    [Fact]
    public void OtherServerNameIsNotOffered()
    {
        TlsConfig server = Server();
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        using var pair = new ConnectionPair(Client() with { ServerName = "other.test", CheckHostname = false, ResumptionSession = session }, server);
        Assert.False(ContainsExtension(ConnectionPair.Drain(pair.Client), ExtensionType.PreSharedKey));
    }

    [Fact]
    public void ClientCertificateChainIsCarriedInTheTicket()
    {
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.Ed25519);
        TlsConfig server = Server() with { RequestClientCertificate = true };
        TlsConfig client = Client() with { CertificateChain = [der], PrivateKey = key };
        (Tls13Session session, ConnectionPair first) = FullHandshake(client, server);
        Assert.Equal([der], first.Server.PeerCertificateChain);
        first.Dispose();
        using var pair = new ConnectionPair(client with { ResumptionSession = session }, server);
        pair.Handshake();
        Assert.True(pair.Server.SessionReused);
        Assert.Null(pair.Client.ClientSignatureScheme);
        Assert.Equal([der], pair.Server.PeerCertificateChain);
    }

    [Fact]
    public void DisposingASessionWipesItsPskAndItIsNoLongerOffered()
    {
        TlsConfig server = Server();
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        Assert.Contains(first.Client.ReceivedSessions[1].Psk.ToArray(), b => b != 0);
        session.Dispose();
        Assert.True(session.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => session.Psk.Length);
        using var pair = new ConnectionPair(Client() with { ResumptionSession = session }, server);
        Assert.False(ContainsExtension(ConnectionPair.Drain(pair.Client), ExtensionType.PreSharedKey));
    }

    [Fact]
    public void DisposingTheServerStoresWipesThem()
    {
        TlsConfig server = Server() with { StatelessTickets = false };
        (Tls13Session session, ConnectionPair first) = FullHandshake(Client(), server);
        first.Dispose();
        server.SessionCache.Dispose();
        Assert.Equal(0, server.SessionCache.Count);
        using (var pair = new ConnectionPair(Client() with { ResumptionSession = session }, server))
        {
            pair.Handshake();
            Assert.False(pair.Server.SessionReused);
        }

        var ring = new TicketKeyRing();
        byte[] sealedTicket = ring.Seal([1, 2, 3], new SeededEntropy(1), _clock.Now);
        Assert.Equal([1, 2, 3], ring.Open(sealedTicket, new SeededEntropy(2), _clock.Now));
        ring.Dispose();
        Assert.Null(ring.Open(sealedTicket, new SeededEntropy(3), _clock.Now));
    }

    [Fact]
    public void SessionStateRoundTrips()
    {
        using var state = new SessionTicketState([1, 2, 3, 4], TlsCipherSuite.TLS_AES_256_GCM_SHA384, 1_700_000_000_123, 7200, 0xdeadbeef)
        {
            Alpn = H2,
            ServerName = "example.test",
            ClientChain = [[9, 9], [8]],
        };
        byte[] encoded = state.Encode();
        using SessionTicketState back = SessionTicketState.Decode(encoded)!;
        Assert.Equal(state.Psk, back.Psk);
        Assert.Equal(state.Suite, back.Suite);
        Assert.Equal(state.CreatedAtMs, back.CreatedAtMs);
        Assert.Equal(state.LifetimeSeconds, back.LifetimeSeconds);
        Assert.Equal(state.AgeAdd, back.AgeAdd);
        Assert.Equal(H2, back.Alpn);
        Assert.Equal("example.test", back.ServerName);
        Assert.Equal(state.ClientChain, back.ClientChain);
        for (int cut = 0; cut < encoded.Length; cut++)
        {
            Assert.Null(SessionTicketState.Decode(encoded.AsSpan(0, cut)));
        }
    }

    [Fact]
    public void SettingsRejectBadTicketValues()
    {
        Assert.Throws<ArgumentException>(() => (Server() with { NumTickets = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => (Server() with { TicketLifetime = TimeSpan.FromDays(8) }).Validate());
        Assert.Throws<ArgumentException>(() => (Server() with { TicketLifetime = TimeSpan.Zero }).Validate());
    }

    private static void ExchangeData(ConnectionPair pair)
    {
        pair.Client.WriteApplicationData([1, 2, 3]);
        pair.Server.WriteApplicationData([4, 5]);
        pair.Pump();
        Assert.Equal([1, 2, 3], ConnectionPair.ReadAll(pair.Server));
        Assert.Equal([4, 5], ConnectionPair.ReadAll(pair.Client));
    }

    private static Tls13Session Copy(Tls13Session s, byte[] ticket, byte[] psk) =>
        new(ticket, psk, s.Suite, s.LifetimeSeconds, s.AgeAdd, s.CreatedAt) { ServerName = s.ServerName, PeerChain = s.PeerChain, VerifyResult = s.VerifyResult, Verification = s.Verification };

    /// <summary>Whether the ClientHello in the first record carries <paramref name="type"/>.</summary>
    private static bool ContainsExtension(byte[] records, ExtensionType type)
    {
        int recordLength = (records[3] << 8) | records[4];
        var hello = (ClientHello)HandshakeMessage.Read(records.AsSpan(5, recordLength), WireContext.Tls13);
        return hello.Extensions.Any(e => e.Type == type);
    }

    private (Tls13Session Session, ConnectionPair Pair) FullHandshake(TlsConfig client, TlsConfig server)
    {
        var pair = new ConnectionPair(client, server);
        pair.Handshake();
        Assert.False(pair.Client.SessionReused);
        return (pair.Client.LatestSession!, pair);
    }

    private TlsConfig Client() => ConnectionTestKit.Client() with { Clock = () => _clock.Now };

    private TlsConfig Server() => ConnectionTestKit.Server() with { Clock = () => _clock.Now };
}
