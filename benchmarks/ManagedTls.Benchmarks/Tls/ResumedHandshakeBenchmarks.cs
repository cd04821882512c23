using System.Net.Security;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;
using BenchmarkDotNet.Attributes;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// One resumed TLS 1.3 handshake in memory (psk_dhe_ke, x25519, TLS_AES_256_GCM_SHA384), followed by one
/// byte from server to client so the client has taken in the new ticket. ManagedTls offers the newest ticket
/// it holds (the server sends one per connection, stateless, from one shared <see cref="TicketKeyRing"/>);
/// SslStream offers its cached session (OpenSSL tickets). BouncyCastle's TLS 1.3 does not resume sessions
/// (its server sends no NewSessionTicket and its client ignores them), so its row is the closest thing it
/// has: an external PSK with psk_dhe_ke, which is the same handshake without the ticket decryption and
/// without a ticket being issued. The suite is TLS_AES_256_GCM_SHA384 here because SslStream on Linux keeps
/// no TLS session cache when a CipherSuitesPolicy is set, so it runs with OpenSSL's default suite order,
/// whose first suite this is (checked in the setup).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ResumedHandshakeBenchmarks
{
    private static readonly byte[] PskIdentity = "benchmark-psk"u8.ToArray();
    private static readonly byte[] PskKey = Enumerable.Range(0, 48).Select(i => (byte)(i * 7 + 1)).ToArray();

    private TlsConfig _client = null!;
    private TlsConfig _server = null!;
    private Tls13Session _session = null!;
    private TlsConfig _serverNoTicket = null!;
    private Tls13Session _fixedSession = null!;
    private SslClientAuthenticationOptions _sslClient = null!;
    private SslServerAuthenticationOptions _sslServer = null!;
    private readonly byte[] _one = [42];

    /// <summary>Creates the settings and a first session for each peer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CipherSuiteInfo suite = ManagedPeers.Suite("TLS_AES_256_GCM_SHA384");
        _client = ManagedPeers.Client(suite);
        _server = ManagedPeers.Server(ServerKey.EcdsaP256, suite, tickets: 1);
        using (TlsConnection server = TlsConnection.CreateServer(_server))
        using (TlsConnection client = TlsConnection.CreateClient(_client))
        {
            int fullBytes = ManagedPeers.Handshake(client, server);
            _session = client.LatestSession ?? throw new InvalidOperationException("no ticket");
            _fixedSession = client.ReceivedSessions[0];
            Console.WriteLine($"// ManagedTls full handshake with ticket: {fullBytes} wire bytes");
        }

        _serverNoTicket = _server with { NumTickets = 0 };
        _sslClient = SslStreamPeers.Client(null, allowResume: true);
        _sslServer = SslStreamPeers.Server(ServerKey.EcdsaP256, null, allowResume: true);
        long first = SslStream();
        long second = SslStream();
        long third = SslStream();
        Console.WriteLine($"// SslStream wire bytes: first {first}, second {second}, third {third}");
        Console.WriteLine($"// ManagedTls resumed: {ManagedTls()} wire bytes; BouncyCastle external PSK: {BouncyCastleTlsExternalPsk()} wire bytes");
    }

    /// <summary>ManagedTls: resume with the newest ticket.</summary>
    [Benchmark(Baseline = true)]
    public int ManagedTls()
    {
        using TlsConnection server = TlsConnection.CreateServer(_server);
        using TlsConnection client = TlsConnection.CreateClient(_client with { ResumptionSession = _session });
        int moved = ManagedPeers.Handshake(client, server);
        server.WriteApplicationData(_one);
        moved += ManagedPeers.Pump(client, server);
        Span<byte> got = stackalloc byte[1];
        if (!client.SessionReused || client.ReadApplicationData(got) != 1)
        {
            throw new InvalidOperationException("not resumed");
        }

        _session = client.LatestSession!;
        return moved;
    }

    /// <summary>BouncyCastle TLS: external PSK with psk_dhe_ke (it has no TLS 1.3 session resumption).</summary>
    /// <summary>
    /// ManagedTls doing the same work as BouncyCastle's external-PSK row: the client offers one stateless ticket again and
    /// again (it stays valid) and the server issues no new one, so what remains beyond BouncyCastle's handshake is
    /// opening the ticket.
    /// </summary>
    [Benchmark]
    public int ManagedTlsNoNewTicket()
    {
        using TlsConnection server = TlsConnection.CreateServer(_serverNoTicket);
        using TlsConnection client = TlsConnection.CreateClient(_client with { ResumptionSession = _fixedSession });
        int moved = ManagedPeers.Handshake(client, server);
        server.WriteApplicationData(_one);
        moved += ManagedPeers.Pump(client, server);
        Span<byte> got = stackalloc byte[1];
        if (!client.SessionReused || client.ReadApplicationData(got) != 1)
        {
            throw new InvalidOperationException("not resumed");
        }

        return moved;
    }

    [Benchmark]
    public int BouncyCastleTlsExternalPsk()
    {
        var client = new TlsClientProtocol();
        var server = new TlsServerProtocol();
        server.Accept(new PskServer());
        client.Connect(new PskClient());
        int moved = BcTls.Pump(client, server);
        server.WriteApplicationData(_one, 0, 1);
        moved += BcTls.Pump(client, server);
        byte[] got = new byte[1];
        if (client.IsHandshaking || client.ReadInput(got, 0, 1) != 1)
        {
            throw new InvalidOperationException("BouncyCastle PSK handshake did not complete");
        }

        client.Close();
        server.Close();
        return moved;
    }

    /// <summary>.NET SslStream with TLS resumption allowed on both sides.</summary>
    [Benchmark]
    public long SslStream()
    {
        var (a, b) = DuplexStream.CreatePair();
        using var client = new SslStream(a);
        using var server = new SslStream(b);
        Task s = server.AuthenticateAsServerAsync(_sslServer);
        Task c = client.AuthenticateAsClientAsync(_sslClient);
        Task.WhenAll(c, s).GetAwaiter().GetResult();
        if (client.NegotiatedCipherSuite != System.Net.Security.TlsCipherSuite.TLS_AES_256_GCM_SHA384)
        {
            throw new InvalidOperationException($"SslStream negotiated {client.NegotiatedCipherSuite}");
        }

        server.Write(_one);
        byte[] got = new byte[1];
        if (client.Read(got) != 1)
        {
            throw new InvalidOperationException("no data");
        }

        return a.Written + b.Written;
    }

    private static TlsPskExternal Psk() => new BasicTlsPskExternal(PskIdentity, BcTls.SharedCrypto.CreateSecret(PskKey), PrfAlgorithm.tls13_hkdf_sha384);

    private sealed class PskClient() : DefaultTlsClient(BcTls.SharedCrypto)
    {
        public override TlsAuthentication GetAuthentication() => throw new TlsFatalAlert(Org.BouncyCastle.Tls.AlertDescription.internal_error);

        public override IList<TlsPskExternal> GetExternalPsks() => [Psk()];

        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.TLSv13.Only();

        protected override int[] GetSupportedCipherSuites() => [BcCipherSuite.TLS_AES_256_GCM_SHA384];

        protected override IList<int> GetSupportedGroups(IList<int> namedGroupRoles) => [NamedGroup.x25519];
    }

    private sealed class PskServer() : DefaultTlsServer(BcTls.SharedCrypto)
    {
        public override TlsPskExternal? GetExternalPsk(IList<PskIdentity> identities) =>
            identities.Any(i => i.Identity.AsSpan().SequenceEqual(PskIdentity)) ? Psk() : null;

        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.TLSv13.Only();

        protected override int[] GetSupportedCipherSuites() => [BcCipherSuite.TLS_AES_256_GCM_SHA384];

        public override int[] GetSupportedGroups() => [NamedGroup.x25519];
    }
}
