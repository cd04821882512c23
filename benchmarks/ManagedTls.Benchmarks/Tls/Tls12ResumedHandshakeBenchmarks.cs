using System.Net.Security;
using System.Security.Authentication;
using BenchmarkDotNet.Attributes;
using ManagedTls.Ssl;
using Org.BouncyCastle.Tls;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// Resumed handshakes in memory, each followed by one byte from server to client (so a TLS 1.3 client has taken in
/// its new ticket): TLS 1.2 abbreviated handshakes (RFC 5246 section 7.3: no key exchange, no certificate) of
/// BouncyCastle's TLS (session id, a server-side session cache) and SslStream (OpenSSL, <see cref="SslProtocols.Tls12"/>
/// only, its own session cache), beside TLS 1.3 resumptions (psk_dhe_ke, x25519) of ManagedTls through its facade
/// (<see cref="SslObject.Session"/> offered again, one new ticket per connection) and of SslStream. All rows use the
/// ECDSA P-256 leaf and AES-256-GCM with SHA-384 (TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 on TLS 1.2,
/// TLS_AES_256_GCM_SHA384 on TLS 1.3): SslStream keeps no session when a CipherSuitesPolicy is set, so it runs with
/// OpenSSL's default order, whose first suites these are (checked in the setup).
/// ManagedTls resumes TLS 1.2 through the same facade twice: on an RFC 5077 ticket (the server's default when the client
/// offers session_ticket) and on a session id from the server's cache (<see cref="SslOptions.NoTicket"/> on the server).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class Tls12ResumedHandshakeBenchmarks
{
    private readonly byte[] _one = [42];
    private readonly byte[] _got = new byte[1];
    private SslContext _client13 = null!;
    private SslContext _server13 = null!;
    private SslSession _session13 = null!;
    private SslContext _client12 = null!;
    private SslContext _server12Ticket = null!;
    private SslContext _server12Id = null!;
    private SslSession _session12Ticket = null!;
    private SslSession _session12Id = null!;
    private SslClientAuthenticationOptions _sslClient12 = null!;
    private SslServerAuthenticationOptions _sslServer12 = null!;
    private SslClientAuthenticationOptions _sslClient13 = null!;
    private SslServerAuthenticationOptions _sslServer13 = null!;
    private readonly BcSessions _bcSessions = new();

    /// <summary>Creates the settings, makes a first full handshake for each peer and checks that later ones resume.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _client13 = FacadePeers.Client(TlsVersion.TlsV1_3, null);
        _server13 = FacadePeers.Server(ServerKey.EcdsaP256, TlsVersion.TlsV1_3, null, tickets: 1);
        using (var pair = new FacadePeers.Pair(_client13, _server13))
        {
            int bytes = pair.Handshake() + OneByte(pair);
            _session13 = pair.Client.Session ?? throw new InvalidOperationException("no ticket");
            Console.WriteLine($"// ManagedTls TLS 1.3 first connection: {pair.Client.Cipher()?.Name}, {bytes} wire bytes");
        }

        const string Suite12 = "ECDHE-ECDSA-AES256-GCM-SHA384";
        _client12 = FacadePeers.Client(TlsVersion.TlsV1_2, Suite12);
        _server12Ticket = FacadePeers.Server(ServerKey.EcdsaP256, TlsVersion.TlsV1_2, Suite12, tickets: 1);
        _server12Id = FacadePeers.Server(ServerKey.EcdsaP256, TlsVersion.TlsV1_2, Suite12, tickets: 1);
        _server12Id.Options |= SslOptions.NoTicket;
        _session12Ticket = ManagedTls12First(_server12Ticket, ticket: true);
        _session12Id = ManagedTls12First(_server12Id, ticket: false);
        Console.WriteLine($"// ManagedTls TLS 1.2 resumed wire bytes: ticket {ManagedTls12Ticket()}, session id {ManagedTls12SessionId()}");

        int bcFirst = BouncyCastleTls12Full();
        Console.WriteLine($"// BouncyCastle TLS 1.2 wire bytes: first {bcFirst}, resumed {BouncyCastleTls12()}, again {BouncyCastleTls12()}");

        _sslClient12 = SslStreamPeers.Client(null, allowResume: true, SslProtocols.Tls12);
        _sslServer12 = SslStreamPeers.Server(ServerKey.EcdsaP256, null, allowResume: true, SslProtocols.Tls12);
        _sslClient13 = SslStreamPeers.Client(null, allowResume: true, SslProtocols.Tls13);
        _sslServer13 = SslStreamPeers.Server(ServerKey.EcdsaP256, null, allowResume: true, SslProtocols.Tls13);
        Console.WriteLine($"// SslStream TLS 1.2 wire bytes: first {SslStreamTls12()}, second {SslStreamTls12()}, third {SslStreamTls12()}");
        Console.WriteLine($"// SslStream TLS 1.3 wire bytes: first {SslStreamTls13()}, second {SslStreamTls13()}, third {SslStreamTls13()}");
        Console.WriteLine($"// ManagedTls TLS 1.3 resumed: {ManagedTls13()} wire bytes");

        // Every row warmed up alternately, so the row measured first is not the one that meets shared code first.
        for (int i = 0; i < 30; i++)
        {
            ManagedTls13();
            ManagedTls12Ticket();
            ManagedTls12SessionId();
            BouncyCastleTls12();
            SslStreamTls12();
            SslStreamTls13();
        }
    }

    /// <summary>ManagedTls facade, TLS 1.3: the client offers the newest session it was given, the server issues one new ticket.</summary>
    [Benchmark(Baseline = true)]
    public int ManagedTls13()
    {
        using var pair = new FacadePeers.Pair(_client13, _server13, _session13);
        int moved = pair.Handshake() + OneByte(pair);
        if (!pair.Client.SessionReused)
        {
            throw new InvalidOperationException("ManagedTls did not resume");
        }

        _session13 = pair.Client.Session!;
        return moved;
    }

    /// <summary>ManagedTls facade, TLS 1.2: the client offers the session (with its RFC 5077 ticket) of the first connection; the server opens the ticket and issues none.</summary>
    [Benchmark]
    public int ManagedTls12Ticket() => ManagedTls12Resume(_server12Ticket, _session12Ticket);

    /// <summary>ManagedTls facade, TLS 1.2: the client offers the session id of the first connection; the server (tickets off) finds it in its cache.</summary>
    [Benchmark]
    public int ManagedTls12SessionId() => ManagedTls12Resume(_server12Id, _session12Id);

    /// <summary>BouncyCastle TLS 1.2: the client offers its session id, the server finds it in its cache.</summary>
    [Benchmark]
    public int BouncyCastleTls12()
    {
        int moved = BcConnect(out bool resumed);
        if (!resumed)
        {
            throw new InvalidOperationException("BouncyCastle did not resume");
        }

        return moved;
    }

    /// <summary>.NET SslStream, TLS 1.2 only, resumption allowed on both sides.</summary>
    [Benchmark]
    public long SslStreamTls12() => SslConnect(_sslClient12, _sslServer12, SslProtocols.Tls12, System.Net.Security.TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);

    /// <summary>.NET SslStream, TLS 1.3 only, resumption allowed on both sides.</summary>
    [Benchmark]
    public long SslStreamTls13() => SslConnect(_sslClient13, _sslServer13, SslProtocols.Tls13, System.Net.Security.TlsCipherSuite.TLS_AES_256_GCM_SHA384);

    private SslSession ManagedTls12First(SslContext server, bool ticket)
    {
        using var pair = new FacadePeers.Pair(_client12, server);
        int bytes = pair.Handshake() + OneByte(pair);
        SslSession session = pair.Client.Session ?? throw new InvalidOperationException("no TLS 1.2 session");
        if (pair.Client.SessionReused || pair.Client.Version() != "TLSv1.2" || session.HasTicket != ticket)
        {
            throw new InvalidOperationException($"unexpected first TLS 1.2 connection: {pair.Client.Version()}, reused {pair.Client.SessionReused}, ticket {session.HasTicket}");
        }

        Console.WriteLine($"// ManagedTls TLS 1.2 first connection ({(ticket ? "ticket" : "session id")}): {pair.Client.Cipher()?.Name}, {bytes} wire bytes");
        return session;
    }

    private int ManagedTls12Resume(SslContext server, SslSession session)
    {
        using var pair = new FacadePeers.Pair(_client12, server, session);
        int moved = pair.Handshake() + OneByte(pair);
        if (!pair.Client.SessionReused || !pair.Server.SessionReused)
        {
            throw new InvalidOperationException("ManagedTls did not resume the TLS 1.2 session");
        }

        return moved;
    }

    private int BouncyCastleTls12Full()
    {
        int moved = BcConnect(out bool resumed);
        return resumed ? throw new InvalidOperationException("BouncyCastle resumed a session it never had") : moved;
    }

    private int BcConnect(out bool resumed)
    {
        var client = new TlsClientProtocol();
        var server = new TlsServerProtocol();
        var bcClient = new BcResumingClient(_bcSessions);
        server.Accept(new BcResumingServer(_bcSessions));
        client.Connect(bcClient);
        int moved = BcTls.Pump(client, server);
        server.WriteApplicationData(_one, 0, 1);
        moved += BcTls.Pump(client, server);
        if (client.IsHandshaking || client.ReadInput(_got, 0, 1) != 1)
        {
            throw new InvalidOperationException("BouncyCastle TLS 1.2 handshake did not complete");
        }

        resumed = bcClient.Resumed;
        client.Close();
        server.Close();
        return moved;
    }

    private long SslConnect(SslClientAuthenticationOptions clientOptions, SslServerAuthenticationOptions serverOptions, SslProtocols protocol, System.Net.Security.TlsCipherSuite suite)
    {
        var (a, b) = DuplexStream.CreatePair();
        using var client = new SslStream(a);
        using var server = new SslStream(b);
        Task s = server.AuthenticateAsServerAsync(serverOptions);
        Task c = client.AuthenticateAsClientAsync(clientOptions);
        Task.WhenAll(c, s).GetAwaiter().GetResult();
        if (client.SslProtocol != protocol || client.NegotiatedCipherSuite != suite)
        {
            throw new InvalidOperationException($"SslStream negotiated {client.SslProtocol} {client.NegotiatedCipherSuite}");
        }

        server.Write(_one);
        if (client.Read(_got) != 1)
        {
            throw new InvalidOperationException("no data");
        }

        return a.Written + b.Written;
    }

    private int OneByte(FacadePeers.Pair pair)
    {
        pair.Server.Write(_one);
        int moved = pair.MoveServerToClient();
        if (pair.Client.Read(_got) != 1)
        {
            throw new InvalidOperationException("no data");
        }

        return moved;
    }

    /// <summary>The BouncyCastle TLS 1.2 client's session (from its previous connection) and the server's cache.</summary>
    private sealed class BcSessions
    {
        public TlsSession? Client { get; set; }

        public Dictionary<string, TlsSession> Server { get; } = [];
    }

    /// <summary>A BouncyCastle TLS 1.2 client (new per connection) that offers the session of the previous connection.</summary>
    private sealed class BcResumingClient(BcSessions sessions) : BcTls.Client(BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, ProtocolVersion.TLSv12)
    {
        public bool Resumed { get; private set; }

        public override TlsSession? GetSessionToResume() => sessions.Client;

        public override void NotifyHandshakeComplete()
        {
            base.NotifyHandshakeComplete();
            Resumed = m_context.SecurityParameters.IsResumedSession;
            sessions.Client = m_context.ResumableSession;
        }
    }

    /// <summary>A BouncyCastle TLS 1.2 server (new per connection) that issues session ids and keeps its sessions in a dictionary.</summary>
    private sealed class BcResumingServer(BcSessions sessions) : BcTls.Server(ServerKey.EcdsaP256, BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, ProtocolVersion.TLSv12)
    {
        public override byte[] GetNewSessionID() => m_context.NonceGenerator.GenerateNonce(32);

        public override TlsSession? GetSessionToResume(byte[] sessionID) =>
            sessions.Server.TryGetValue(Convert.ToHexString(sessionID), out TlsSession? s) ? s : null;

        public override void NotifyHandshakeComplete()
        {
            base.NotifyHandshakeComplete();
            if (m_context.ResumableSession is { } s)
            {
                sessions.Server[Convert.ToHexString(s.SessionID)] = s;
            }
        }
    }
}
