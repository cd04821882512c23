using System.Net.Security;
using System.Security.Authentication;
using BenchmarkDotNet.Attributes;
using ManagedTls.Ssl;
using Org.BouncyCastle.Tls;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// One full TLS 1.2 handshake in memory (client and server in this process, on the benchmark thread): ECDHE over
/// x25519, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with the ECDSA P-256 leaf or TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
/// with the RSA-2048 leaf, the client verifying the chain and host name. ManagedTls through its public facade
/// (<see cref="SslContext"/>, <see cref="SslObject"/> over <see cref="MemoryBio"/>, <c>MaximumVersion = TLSv1_2</c>),
/// BouncyCastle's TLS 1.2 (non-blocking TlsClientProtocol/TlsServerProtocol) and SslStream (OpenSSL,
/// <see cref="SslProtocols.Tls12"/> only) over an in-memory duplex stream. No session is kept by any of them.
/// A ManagedTls TLS 1.3 row through the same facade (x25519, TLS_AES_128_GCM_SHA256, no tickets) is run beside them.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class Tls12FullHandshakeBenchmarks
{
    private SslContext _client = null!;
    private SslContext _server = null!;
    private SslContext _client13 = null!;
    private SslContext _server13 = null!;
    private SslClientAuthenticationOptions _sslClient = null!;
    private SslServerAuthenticationOptions _sslServer = null!;
    private int _bcSuite;

    /// <summary>Server certificate key (and with it the suite's authentication).</summary>
    [Params(ServerKey.EcdsaP256, ServerKey.Rsa2048)]
    public ServerKey Key { get; set; }

    /// <summary>Creates the contexts and settings and checks each peer negotiates what the row says.</summary>
    [GlobalSetup]
    public void Setup()
    {
        bool ec = Key == ServerKey.EcdsaP256;
        string openSslName = ec ? "ECDHE-ECDSA-AES128-GCM-SHA256" : "ECDHE-RSA-AES128-GCM-SHA256";
        _client = FacadePeers.Client(TlsVersion.TlsV1_2, openSslName);
        _server = FacadePeers.Server(Key, TlsVersion.TlsV1_2, openSslName, tickets: 0);
        _client13 = FacadePeers.Client(TlsVersion.TlsV1_3, null);
        _client13.SetCiphersuites("TLS_AES_128_GCM_SHA256");
        _server13 = FacadePeers.Server(Key, TlsVersion.TlsV1_3, null, tickets: 0);
        _server13.SetCiphersuites("TLS_AES_128_GCM_SHA256");
        _bcSuite = ec ? BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 : BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
        TlsCipherSuite sslSuite = ec ? TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 : TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
        _sslClient = SslStreamPeers.Client(sslSuite, allowResume: false, SslProtocols.Tls12);
        _sslServer = SslStreamPeers.Server(Key, sslSuite, allowResume: false, SslProtocols.Tls12);

        using (var pair = new FacadePeers.Pair(_client, _server))
        {
            int bytes = pair.Handshake();
            Check(pair.Client.Version() == "TLSv1.2" && pair.Client.Cipher()?.Name == openSslName, $"ManagedTls {pair.Client.Version()} {pair.Client.Cipher()}");
            Console.WriteLine($"// ManagedTls TLS 1.2: {pair.Client.Version()} {pair.Client.Cipher()?.Name} {pair.Client.Group()} {pair.Client.SignatureScheme()}, {bytes} wire bytes");
        }

        using (var pair = new FacadePeers.Pair(_client13, _server13))
        {
            int bytes = pair.Handshake();
            Check(pair.Client.Version() == "TLSv1.3" && pair.Client.Cipher()?.Name == "TLS_AES_128_GCM_SHA256", $"ManagedTls {pair.Client.Version()} {pair.Client.Cipher()}");
            Console.WriteLine($"// ManagedTls TLS 1.3: {pair.Client.Cipher()?.Name} {pair.Client.Group()} {pair.Client.SignatureScheme()}, {bytes} wire bytes");
        }

        Console.WriteLine($"// wire bytes per TLS 1.2 handshake: BouncyCastle {BouncyCastleTls12()}, SslStream {SslStreamTls12()}");

        // Both facade rows run the same facade and engine code; warmed up alternately here, the row measured first is no
        // longer the one that meets it first (without this, the first row's minimum came out twice the second's in-process,
        // while alternating them gave equal minimums).
        for (int i = 0; i < 100; i++)
        {
            ManagedTls12();
            ManagedTls13();
        }

        for (int i = 0; i < 10; i++)
        {
            BouncyCastleTls12();
            SslStreamTls12();
        }
    }

    /// <summary>ManagedTls facade, TLS 1.2: wrap_bio on both sides and do_handshake until neither wants to read.</summary>
    [Benchmark(Baseline = true)]
    public int ManagedTls12()
    {
        using var pair = new FacadePeers.Pair(_client, _server);
        return pair.Handshake();
    }

    /// <summary>BouncyCastle TLS 1.2: TlsClientProtocol and TlsServerProtocol, non-blocking.</summary>
    [Benchmark]
    public int BouncyCastleTls12() => BcTls.Handshake(Key, _bcSuite, ProtocolVersion.TLSv12);

    /// <summary>.NET SslStream client and server, TLS 1.2 only, over an in-memory duplex stream.</summary>
    [Benchmark]
    public long SslStreamTls12()
    {
        var (a, b) = DuplexStream.CreatePair();
        using var client = new SslStream(a);
        using var server = new SslStream(b);
        Task s = server.AuthenticateAsServerAsync(_sslServer);
        Task c = client.AuthenticateAsClientAsync(_sslClient);
        Task.WhenAll(c, s).GetAwaiter().GetResult();
        if (client.SslProtocol != SslProtocols.Tls12)
        {
            throw new InvalidOperationException($"SslStream negotiated {client.SslProtocol}");
        }

        return a.Written + b.Written;
    }

    /// <summary>The ManagedTls facade with TLS 1.3 (x25519, TLS_AES_128_GCM_SHA256, no tickets), for comparison in the same run.</summary>
    [Benchmark]
    public int ManagedTls13()
    {
        using var pair = new FacadePeers.Pair(_client13, _server13);
        return pair.Handshake();
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException("unexpected negotiation: " + what);
        }
    }
}
