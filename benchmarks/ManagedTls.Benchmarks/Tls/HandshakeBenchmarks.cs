using System.Net.Security;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;
using BenchmarkDotNet.Attributes;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// One full TLS 1.3 handshake in memory (client and server in this process): x25519, TLS_AES_128_GCM_SHA256,
/// the server leaf ECDSA P-256 or RSA-2048 (rsa_pss_rsae_sha256) issued by one test CA, the client verifying the
/// chain and host name. ManagedTls (two <see cref="TlsConnection"/>s and a sans-IO pump), BouncyCastle's TLS
/// (non-blocking TlsClientProtocol/TlsServerProtocol) and SslStream (OpenSSL) over an in-memory duplex stream.
/// No session tickets are sent (BouncyCastle's TLS 1.3 server sends none; the others are told not to).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class FullHandshakeBenchmarks
{
    private TlsConfig _client = null!;
    private TlsConfig _server = null!;
    private SslClientAuthenticationOptions _sslClient = null!;
    private SslServerAuthenticationOptions _sslServer = null!;

    /// <summary>Server certificate key.</summary>
    [Params(ServerKey.EcdsaP256, ServerKey.Rsa2048)]
    public ServerKey Key { get; set; }

    /// <summary>Creates the certificates and settings.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CipherSuiteInfo suite = ManagedPeers.Suite("TLS_AES_128_GCM_SHA256");
        _client = ManagedPeers.Client(suite);
        _server = ManagedPeers.Server(Key, suite, tickets: 0);
        _sslClient = SslStreamPeers.Client(System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256, allowResume: false);
        _sslServer = SslStreamPeers.Server(Key, System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256, allowResume: false);
        Console.WriteLine($"// wire bytes per handshake: ManagedTls {ManagedTls()}, BouncyCastle {BouncyCastleTls()}, SslStream {SslStream()}");
    }

    /// <summary>ManagedTls: TlsConnection client and server.</summary>
    [Benchmark(Baseline = true)]
    public int ManagedTls()
    {
        using TlsConnection server = TlsConnection.CreateServer(_server);
        using TlsConnection client = TlsConnection.CreateClient(_client);
        return ManagedPeers.Handshake(client, server);
    }

    /// <summary>BouncyCastle TLS: TlsClientProtocol and TlsServerProtocol, non-blocking.</summary>
    [Benchmark]
    public int BouncyCastleTls() => BcTls.Handshake(Key, BcCipherSuite.TLS_AES_128_GCM_SHA256);

    /// <summary>.NET SslStream client and server over an in-memory duplex stream.</summary>
    [Benchmark]
    public long SslStream()
    {
        var (a, b) = DuplexStream.CreatePair();
        using var client = new SslStream(a);
        using var server = new SslStream(b);
        Task s = server.AuthenticateAsServerAsync(_sslServer);
        Task c = client.AuthenticateAsClientAsync(_sslClient);
        Task.WhenAll(c, s).GetAwaiter().GetResult();
        return a.Written + b.Written;
    }
}
