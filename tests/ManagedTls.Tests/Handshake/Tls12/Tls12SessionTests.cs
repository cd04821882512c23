using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Testing;
using ManagedTls.Tests.Connection;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Tests.X509;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// TLS 1.2 session resumption between our client and server (decision 0023): by session id through the server's cache,
/// by RFC 5077 ticket, tickets off on either side, stale and garbled tickets, the RFC 7627 section 5.3 rules in both
/// directions (the hostile side played by the kit), and no resumption across versions.
/// </summary>
public sealed class Tls12SessionTests : IDisposable
{
    private const TlsCipherSuite Suite = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;

    private readonly TestClock _clientClock = new();
    private readonly TestClock _serverClock = new();
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (IDisposable d in _owned)
        {
            d.Dispose();
        }
    }

    private TlsConfig Client(bool tickets = true, ProtocolVersion max = ProtocolVersion.Tls12) => ConnectionTestKit.Client() with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = max,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites,
        StatelessTickets = tickets,
        Clock = () => _clientClock.Now,
    };

    private TlsConfig Server(bool tickets = true, ProtocolVersion max = ProtocolVersion.Tls12) => ConnectionTestKit.Server() with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = max,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites,
        StatelessTickets = tickets,
        SessionContext = [1, 2, 3],
        Clock = () => _serverClock.Now,
    };

    private ConnectionPair Pair(TlsConfig client, TlsConfig server)
    {
        var pair = new ConnectionPair(client, server);
        _owned.Add(pair);
        return pair;
    }

    /// <summary>A full handshake; returns the client's session (owned by the test).</summary>
    private Tls12Session Full(TlsConfig client, TlsConfig server)
    {
        ConnectionPair pair = Pair(client, server);
        pair.Handshake();
        Assert.False(pair.Client.SessionReused);
        Assert.False(pair.Server.SessionReused);
        Tls12Session session = pair.Client.Tls12Session!;
        _owned.Add(session);
        return session;
    }

    private ConnectionPair Resume(TlsConfig client, TlsConfig server, Tls12Session session)
    {
        ConnectionPair pair = Pair(client with { Tls12ResumptionSession = session }, server);
        pair.Handshake();
        return pair;
    }

    // The server's plaintext handshake messages of this type (those before its change_cipher_spec).
    private static int HandshakeMessages(ConnectionPair pair, HandshakeType type)
    {
        var plain = new List<byte>();
        foreach (byte[] record in Records.Split(pair.ServerWire))
        {
            if (record[0] == (byte)ContentType.ChangeCipherSpec)
            {
                break;
            }

            if (record[0] == (byte)ContentType.Handshake)
            {
                plain.AddRange(record.Skip(5));
            }
        }

        int count = 0;
        for (int i = 0; i + 4 <= plain.Count; i += 4 + ((plain[i + 1] << 16) | (plain[i + 2] << 8) | plain[i + 3]))
        {
            count += plain[i] == (byte)type ? 1 : 0;
        }

        return count;
    }

    private static void AssertSameConnection(ConnectionPair pair)
    {
        Assert.True(pair.Client.SessionReused);
        Assert.True(pair.Server.SessionReused);
        Assert.Equal(pair.Client.CipherSuite, pair.Server.CipherSuite);

        // RFC 5929: tls-unique is the first Finished, the server's in an abbreviated handshake; both sides agree.
        byte[] unique = pair.Client.GetChannelBinding()!;
        Assert.Equal(unique, pair.Server.GetChannelBinding());
        Assert.Equal(pair.Client.ExportKeyingMaterial("EXPORTER-x", [7], 20), pair.Server.ExportKeyingMaterial("EXPORTER-x", [7], 20));
        pair.Client.WriteApplicationData("ping"u8);
        pair.Pump();
        Assert.Equal("ping"u8.ToArray(), ConnectionPair.ReadAll(pair.Server));
        pair.Server.WriteApplicationData("pong"u8);
        pair.Pump();
        Assert.Equal("pong"u8.ToArray(), ConnectionPair.ReadAll(pair.Client));
    }

    [Fact]
    public void ASessionIdResumesThroughTheCacheAgainAndAgain()
    {
        TlsConfig server = Server(tickets: false);
        Tls12Session session = Full(Client(), server);
        Assert.Null(session.Ticket);
        Assert.Equal(32, session.SessionId.Length);
        Assert.True(session.ExtendedMasterSecret);
        Assert.Equal(1, server.SessionCache.Count);

        for (int i = 0; i < 3; i++)
        {
            _clientClock.Advance(TimeSpan.FromMinutes(1));
            ConnectionPair resumed = Resume(Client(), server, session);
            AssertSameConnection(resumed);

            // The abbreviated handshake: no Certificate, no key exchange, no new session.
            Assert.Equal(0, HandshakeMessages(resumed, HandshakeType.Certificate));
            Assert.Equal(0, HandshakeMessages(resumed, HandshakeType.NewSessionTicket));
            Assert.Null(resumed.Client.Tls12Session);
            Assert.Equal(session.PeerChain, resumed.Client.PeerCertificateChain);
            Assert.True(resumed.Client.VerifyResult!.IsValid);
        }

        Assert.Equal(1, server.SessionCache.Count);
    }

    [Fact]
    public void ATicketResumesWithoutServerState()
    {
        TlsConfig server = Server();
        Tls12Session session = Full(Client(), server);
        Assert.NotNull(session.Ticket);
        Assert.Equal((uint)server.TicketLifetime.TotalSeconds, session.LifetimeHintSeconds);
        Assert.Equal(Hashes.Compute(HashAlgorithm.Sha256, session.Ticket!), session.SessionId);
        Assert.Equal(0, server.SessionCache.Count);

        ConnectionPair resumed = Resume(Client(), server, session);
        AssertSameConnection(resumed);
        Assert.Equal(0, HandshakeMessages(resumed, HandshakeType.Certificate));

        // A ticket resumption issues no new ticket.
        Assert.Equal(0, HandshakeMessages(resumed, HandshakeType.NewSessionTicket));
    }

    [Fact]
    public void AServerWithoutTicketsDoesNotAnswerSessionTicketAndResumesById()
    {
        TlsConfig server = Server(tickets: false);
        ConnectionPair first = Pair(Client(), server);
        first.Handshake();
        Assert.Equal(0, HandshakeMessages(first, HandshakeType.NewSessionTicket));
        Assert.Null(first.Client.Tls12Ticket);
        Tls12Session session = first.Client.Tls12Session!;
        _owned.Add(session);
        AssertSameConnection(Resume(Client(), server, session));
    }

    [Fact]
    public void AClientWithoutTicketsGetsASessionIdAndThenATicketWhenItAsks()
    {
        TlsConfig server = Server();
        Tls12Session session = Full(Client(tickets: false), server);
        Assert.Null(session.Ticket);
        Assert.Equal(1, server.SessionCache.Count);
        AssertSameConnection(Resume(Client(tickets: false), server, session));

        // The same session offered by a client that asks for a ticket: resumed by id, with a NewSessionTicket before
        // the server's ChangeCipherSpec, which makes a new session holding the same master secret.
        ConnectionPair withTicket = Resume(Client(), server, session);
        AssertSameConnection(withTicket);
        Assert.Equal(1, HandshakeMessages(withTicket, HandshakeType.NewSessionTicket));
        Tls12Session renewed = withTicket.Client.Tls12Session!;
        _owned.Add(renewed);
        Assert.NotNull(renewed.Ticket);
        Assert.Equal(session.MasterSecret.ToArray(), renewed.MasterSecret.ToArray());
        AssertSameConnection(Resume(Client(), server, renewed));
    }

    [Fact]
    public void AnExpiredTicketIsAFullHandshake()
    {
        TlsConfig server = Server() with { TicketLifetime = TimeSpan.FromMinutes(1) };
        Tls12Session session = Full(Client(), server);
        _serverClock.Advance(TimeSpan.FromMinutes(2));
        ConnectionPair pair = Resume(Client(), server, session);
        Assert.False(pair.Client.SessionReused);
        Assert.False(pair.Server.SessionReused);
        Assert.True(pair.Server.SessionTimedOut);
        Assert.Equal(1, HandshakeMessages(pair, HandshakeType.Certificate));
    }

    [Fact]
    public void AnExpiredCachedSessionIsAFullHandshakeAndLeavesTheCache()
    {
        TlsConfig server = Server(tickets: false) with { TicketLifetime = TimeSpan.FromMinutes(1) };
        Tls12Session session = Full(Client(), server);
        _serverClock.Advance(TimeSpan.FromMinutes(2));
        ConnectionPair pair = Resume(Client(), server, session);
        Assert.False(pair.Server.SessionReused);
        Assert.True(pair.Server.SessionTimedOut);
        Assert.False(pair.Server.SessionCacheMissed);

        // The new full handshake cached its own session; the expired one is gone.
        Assert.Equal(1, server.SessionCache.Count);
    }

    [Fact]
    public void AGarbledTicketIsAFullHandshakeNotAnError()
    {
        TlsConfig server = Server();
        Tls12Session session = Full(Client(), server);
        byte[] garbled = (byte[])session.Ticket!.Clone();
        garbled[^1] ^= 1;
        var forged = new Tls12Session(session.Suite, session.MasterSecret.ToArray(), true, session.SessionId, session.CreatedAt, session.TimeoutSeconds)
        {
            Ticket = garbled,
            ServerName = session.ServerName,
            PeerChain = session.PeerChain,
            VerifyResult = session.VerifyResult,
            Verification = session.Verification,
        };
        _owned.Add(forged);
        ConnectionPair pair = Resume(Client(), server, forged);
        Assert.False(pair.Client.SessionReused);
        Assert.False(pair.Server.SessionReused);
        Assert.False(pair.Server.SessionCacheMissed);
        Assert.NotNull(pair.Client.Tls12Session!.Ticket);
        pair.Client.Tls12Session.Dispose();
    }

    [Fact]
    public void AnUnknownSessionIdIsAMiss()
    {
        TlsConfig server = Server(tickets: false);
        Tls12Session session = Full(Client(), server);
        ConnectionPair pair = Resume(Client(), Server(tickets: false), session);
        Assert.False(pair.Server.SessionReused);
        Assert.True(pair.Server.SessionCacheMissed);
        pair.Client.Tls12Session!.Dispose();
    }

    [Fact]
    public void AnotherSessionContextOrServerNameIsAFullHandshake()
    {
        TlsConfig server = Server(tickets: false);
        Tls12Session session = Full(Client(), server);
        ConnectionPair otherContext = Resume(Client(), server with { SessionContext = [9] }, session);
        Assert.False(otherContext.Server.SessionReused);
        otherContext.Client.Tls12Session!.Dispose();

        // A session made for localhost is not offered to another name.
        ConnectionPair otherName = Pair(Client() with { ServerName = "other.example", CheckHostname = false, Tls12ResumptionSession = session }, server);
        otherName.Handshake();
        Assert.False(otherName.Client.SessionReused);
        otherName.Client.Tls12Session!.Dispose();
    }

    [Fact]
    public void ASessionWithoutClientAuthenticationIsNotResumedWhereACertificateIsNowRequired()
    {
        TlsConfig server = Server(tickets: false);
        Tls12Session session = Full(Client(), server);
        TlsConfig strict = server with { VerifyPeer = true, RequestClientCertificate = true, RequireClientCertificate = true };
        var pair = Pair(Client() with { Tls12ResumptionSession = session }, strict);
        pair.Pump();

        // No resumption: the server asks for a certificate, and the client without one is refused.
        Assert.Equal(AlertDescription.HandshakeFailure, pair.ServerError?.Description);
        Assert.False(pair.Server.SessionReused);
    }

    [Fact]
    public void ATls13ServerDoesNotResumeATls12Session()
    {
        TlsConfig server12 = Server(tickets: false, max: ProtocolVersion.Tls13);
        Tls12Session session = Full(Client(), server12);

        // The client offers TLS 1.3 and 1.2 with the TLS 1.2 session; the server chooses TLS 1.3: a full handshake.
        ConnectionPair pair = Resume(Client(max: ProtocolVersion.Tls13), server12, session);
        Assert.Equal(ProtocolVersion.Tls13, pair.Client.Version);
        Assert.False(pair.Client.SessionReused);
        Assert.False(pair.Server.SessionReused);
    }

    [Fact]
    public void ATls12ClientDoesNotOfferATls13Session()
    {
        TlsConfig server = Server(max: ProtocolVersion.Tls13);
        ConnectionPair first = Pair(Client(max: ProtocolVersion.Tls13), server);
        first.Handshake();
        Tls13Session tls13 = first.Client.LatestSession!;

        ConnectionPair pair = Pair(Client() with { ResumptionSession = tls13 }, server);
        pair.Handshake();
        Assert.Equal(ProtocolVersion.Tls12, pair.Client.Version);
        Assert.False(pair.Client.SessionReused);
        Assert.False(pair.Server.PeerOfferedSession);
        pair.Client.Tls12Session!.Dispose();
    }

    [Fact]
    public void ATls12TicketOfferedAsATls13PskIsNotResumed()
    {
        TlsConfig server = Server(max: ProtocolVersion.Tls13);
        Tls12Session session = Full(Client(), server);

        // Even with the master secret as PSK (so the binder verifies), the TLS 1.2 state does not resume TLS 1.3.
        var disguised = new Tls13Session(session.Ticket!, session.MasterSecret.ToArray(), CipherSuiteRegistry.Tls13Suites.First(s => s.PrfHash == HashAlgorithm.Sha384), 3600, 0, _clientClock.Now)
        {
            ServerName = session.ServerName,
        };
        _owned.Add(disguised);
        ConnectionPair pair = Pair(Client(max: ProtocolVersion.Tls13) with { MinimumVersion = ProtocolVersion.Tls13, ResumptionSession = disguised, VerifyPeer = false, CheckHostname = false }, server);
        pair.Handshake();
        Assert.Equal(ProtocolVersion.Tls13, pair.Server.Version);
        Assert.True(pair.Server.PeerOfferedSession);
        Assert.False(pair.Server.SessionReused);
    }

    [Fact]
    public void ATls12SessionIdOfferedAsATls13StatefulTicketIsNotResumed()
    {
        TlsConfig server = Server(tickets: false, max: ProtocolVersion.Tls13);
        Tls12Session session = Full(Client(), server);
        var disguised = new Tls13Session(session.SessionId, session.MasterSecret.ToArray(), CipherSuiteRegistry.Tls13Suites.First(s => s.PrfHash == HashAlgorithm.Sha384), 3600, 0, _clientClock.Now)
        {
            ServerName = session.ServerName,
        };
        _owned.Add(disguised);
        ConnectionPair pair = Pair(Client(max: ProtocolVersion.Tls13) with { MinimumVersion = ProtocolVersion.Tls13, ResumptionSession = disguised, VerifyPeer = false, CheckHostname = false }, server);
        pair.Handshake();
        Assert.False(pair.Server.SessionReused);

        // The TLS 1.2 entry stays, and still resumes TLS 1.2.
        Assert.True(Resume(Client(), server, session).Server.SessionReused);
    }

    [Fact]
    public void ATls13TicketOfferedAsATls12TicketIsNotResumed()
    {
        TlsConfig server = Server(max: ProtocolVersion.Tls13);
        ConnectionPair first = Pair(Client(max: ProtocolVersion.Tls13), server);
        first.Handshake();
        Tls13Session tls13 = first.Client.LatestSession!;
        byte[] master = new byte[48];
        tls13.Psk.CopyTo(master);
        var disguised = new Tls12Session(CipherSuiteRegistry.Tls12Suites.First(s => s.Suite == Suite), master, true, Hashes.Compute(HashAlgorithm.Sha256, tls13.Ticket), _clientClock.Now, 3600)
        {
            Ticket = tls13.Ticket,
            ServerName = ConnectionTestKit.HostName,
        };
        _owned.Add(disguised);
        ConnectionPair pair = Pair(Client() with { Tls12ResumptionSession = disguised, VerifyPeer = false, CheckHostname = false }, server);
        pair.Handshake();
        Assert.False(pair.Server.SessionReused);
        pair.Client.Tls12Session!.Dispose();
    }

    [Fact]
    public void ASessionWithoutExtendedMasterSecretIsNotOffered()
    {
        TlsConfig server = Server(tickets: false);
        Tls12Session session = Full(Client(), server);
        var legacy = new Tls12Session(session.Suite, session.MasterSecret.ToArray(), extendedMasterSecret: false, session.SessionId, session.CreatedAt, session.TimeoutSeconds)
        {
            ServerName = session.ServerName,
            PeerChain = session.PeerChain,
            Verification = session.Verification,
        };
        _owned.Add(legacy);
        Assert.False(legacy.IsResumable);
        ConnectionPair pair = Resume(Client(), server, legacy);
        Assert.False(pair.Client.SessionReused);
        Assert.False(pair.Server.SessionCacheMissed);
        pair.Client.Tls12Session!.Dispose();
    }

    [Fact]
    public void ATicketForASessionMadeWithoutExtendedMasterSecretIsNotResumed()
    {
        // RFC 7627 section 5.3: the server does not resume a session made without the extension, even when the client
        // offers it with the extension now. The state is sealed with the server's own keys, so only that rule refuses it.
        TlsConfig server = Server();
        Tls12Session session = Full(Client(), server);
        using var state = new SessionTicketState(session.MasterSecret.ToArray(), session.Suite.Suite, _serverClock.Now.ToUnixTimeMilliseconds(), 3600, 0)
        {
            Version = ProtocolVersion.Tls12,
            ExtendedMasterSecret = false,
            ServerName = ConnectionTestKit.HostName,
            SessionContext = server.SessionContext,
        };
        byte[] plain = state.Encode();
        byte[] ticket = server.TicketKeys.Seal(plain, OsEntropy.Instance, _serverClock.Now);
        var legacy = new Tls12Session(session.Suite, session.MasterSecret.ToArray(), true, Hashes.Compute(HashAlgorithm.Sha256, ticket), session.CreatedAt, session.TimeoutSeconds)
        {
            Ticket = ticket,
            ServerName = session.ServerName,
            PeerChain = session.PeerChain,
            VerifyResult = session.VerifyResult,
            Verification = session.Verification,
        };
        _owned.Add(legacy);
        ConnectionPair pair = Resume(Client(), server, legacy);
        Assert.False(pair.Server.SessionReused);
        Assert.False(pair.Client.SessionReused);
        pair.Client.Tls12Session!.Dispose();

        // The same state with the flag set resumes: the flag alone decided.
        using var withEms = state.Copy();
        byte[] ticket2 = server.TicketKeys.Seal(new SessionTicketState(withEms.Psk.ToArray(), withEms.Suite, withEms.CreatedAtMs, 3600, 0)
        {
            Version = ProtocolVersion.Tls12,
            ExtendedMasterSecret = true,
            ServerName = ConnectionTestKit.HostName,
            SessionContext = server.SessionContext,
        }.Encode(), OsEntropy.Instance, _serverClock.Now);
        var good = new Tls12Session(session.Suite, session.MasterSecret.ToArray(), true, Hashes.Compute(HashAlgorithm.Sha256, ticket2), session.CreatedAt, session.TimeoutSeconds)
        {
            Ticket = ticket2,
            ServerName = session.ServerName,
            PeerChain = session.PeerChain,
            VerifyResult = session.VerifyResult,
            Verification = session.Verification,
        };
        _owned.Add(good);
        Assert.True(Resume(Client(), server, good).Server.SessionReused);
    }

    // RFC 7627 section 5.3, server side, with the kit's client: a ClientHello without extended_master_secret offering
    // a session made with it gets a full handshake.
    [Fact]
    public void AClientHelloWithoutExtendedMasterSecretOfferingAnEmsSessionGetsAFullHandshake()
    {
        TlsConfig server = Server(tickets: false);
        Tls12Session session = Full(Client(), server);
        using TlsConnection target = TlsConnection.CreateServer(server);
        using DelegateTarget pipe = EngineTargets.For(target);
        TlsScript.AsClient(EngineTargets.Options(seed: 23))
            .ClientHello12(new ClientHelloOptions
            {
                ExtendedMasterSecret = false,
                CipherSuites = [Suite],
                Edit = h => h.SetBytes("legacy_session_id", session.SessionId),
            })
            .ExpectServerFlight12()
            .ClientFlight12()
            .ExpectFinished12()
            .Run(pipe);
        Assert.Null(target.Failure);
        Assert.False(target.SessionReused);

        // A session made without the extension is not kept: still only the first session in the cache.
        Assert.Equal(1, server.SessionCache.Count);
    }

    private static TlsConfig HostileServerClient(TlsConfig c, Tls12Session session) => c with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites,
        VerifyPeer = false,
        CheckHostname = false,
        Tls12ResumptionSession = session,
    };

    private Tls12Session MadeUpSession(bool extendedMasterSecret, string serverName)
    {
        byte[] master = new byte[48];
        new Random(5).NextBytes(master);
        byte[] id = new byte[32];
        new Random(6).NextBytes(id);
        var session = new Tls12Session(CipherSuiteRegistry.Tls12Suites.First(s => s.Suite == Suite), master, extendedMasterSecret, id, DateTimeOffset.UtcNow, 3600)
        {
            ServerName = serverName,
        };
        _owned.Add(session);
        return session;
    }

    [Fact]
    public void AServerResumingWithAnotherSuiteIsIllegalParameter()
    {
        Tls12Session session = MadeUpSession(true, EngineTargets.Pki.HostName);
        HandshakeBuilder hello = TlsMessages.ServerHello12(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, [TlsExtensions.RenegotiationInfo(), TlsExtensions.ExtendedMasterSecret()])
            .SetBytes("legacy_session_id_echo", session.SessionId);
        TlsAlertException? failure = EngineTargets.AgainstClient(
            s => s.Expect(HandshakeType.ClientHello).Send(hello).ExpectAlert(AlertDescription.IllegalParameter),
            configure: c => HostileServerClient(c, session));
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    [Fact]
    public void AServerResumingAnEmsSessionWithoutExtendedMasterSecretIsHandshakeFailure()
    {
        Tls12Session session = MadeUpSession(true, EngineTargets.Pki.HostName);
        HandshakeBuilder hello = TlsMessages.ServerHello12(Suite, [TlsExtensions.RenegotiationInfo()])
            .SetBytes("legacy_session_id_echo", session.SessionId);
        TlsAlertException? failure = EngineTargets.AgainstClient(
            s => s.Expect(HandshakeType.ClientHello).Send(hello).ExpectAlert(AlertDescription.HandshakeFailure),
            configure: c => HostileServerClient(c, session));
        Assert.Equal(AlertDescription.HandshakeFailure, failure?.Description);
    }

    [Fact]
    public void AServerNotEchoingTheSessionIdGetsAFullHandshake()
    {
        // The same hostile suite choice without the echo is a new session: the client waits for the Certificate.
        Tls12Session session = MadeUpSession(true, EngineTargets.Pki.HostName);
        HandshakeBuilder hello = TlsMessages.ServerHello12(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, [TlsExtensions.RenegotiationInfo(), TlsExtensions.ExtendedMasterSecret()]);
        TlsAlertException? failure = EngineTargets.AgainstClient(
            s => s.Expect(HandshakeType.ClientHello).Send(hello).Send(TlsMessages.ServerHelloDone()).ExpectAlert(AlertDescription.UnexpectedMessage),
            configure: c => HostileServerClient(c, session));
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }
}
