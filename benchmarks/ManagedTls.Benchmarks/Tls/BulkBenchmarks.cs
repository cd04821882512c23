using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using ManagedTls.Ssl;
using Org.BouncyCastle.Tls;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// Bulk transfer over loopback TCP: the client writes 1 MiB in 16 KiB writes, the server reads all of it.
/// ManagedTls through the <see cref="TlsStream"/> facade, BouncyCastle TLS through its blocking
/// TlsClientProtocol/TlsServerProtocol streams, and SslStream. All three run TLS 1.3 with
/// TLS_AES_256_GCM_SHA384 (the facade's default first suite, which it offers no way to change).
/// The connections are set up once; each operation is one 1 MiB transfer (64 full records).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[MaxColumn]
public class BulkBenchmarks
{
    /// <summary>Bytes per operation.</summary>
    public const int Total = 1 << 20;

    private const int Chunk = 16384;

    private readonly byte[] _data = new byte[Chunk];
    private readonly byte[] _sink = new byte[65536];
    private readonly List<IDisposable> _disposables = [];
    private string _dir = "";
    private Stream _managedClient = null!;
    private Stream _managedServer = null!;
    private Stream _bcClient = null!;
    private Stream _bcServer = null!;
    private Stream _sslClient = null!;
    private Stream _sslServer = null!;

    /// <summary>Connects the three pairs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new Random(5).NextBytes(_data);
        BenchLeaf leaf = BenchPki.Leaf(ServerKey.EcdsaP256);
        _dir = Path.Combine(Path.GetTempPath(), "mtls-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "cert.pem"), leaf.CertPem);
        File.WriteAllText(Path.Combine(_dir, "key.pem"), leaf.KeyPem);
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), BenchPki.RootPem);

        (NetworkStream c, NetworkStream s) = Loopback();
        var serverContext = new SslContext(SslProtocol.TlsServer);
        serverContext.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        var clientContext = new SslContext(SslProtocol.TlsClient);
        clientContext.LoadVerifyLocations(cafile: Path.Combine(_dir, "ca.pem"));
        var managedClient = new TlsStream(c, clientContext);
        var managedServer = new TlsStream(s, serverContext);
        Task.WaitAll(managedClient.AuthenticateAsClientAsync(BenchPki.HostName), managedServer.AuthenticateAsServerAsync());
        Console.WriteLine($"// TlsStream: {managedClient.Ssl!.Version()} {managedClient.Ssl.Cipher()}");
        (_managedClient, _managedServer) = (managedClient, managedServer);

        (c, s) = Loopback();
        var bcClient = new TlsClientProtocol(c);
        var bcServer = new TlsServerProtocol(s);
        Task accept = Task.Run(() => bcServer.Accept(new BcTls.Server(ServerKey.EcdsaP256, BcCipherSuite.TLS_AES_256_GCM_SHA384)));
        bcClient.Connect(new BcTls.Client(BcCipherSuite.TLS_AES_256_GCM_SHA384));
        accept.Wait();
        (_bcClient, _bcServer) = (bcClient.Stream, bcServer.Stream);

        (c, s) = Loopback();
        var sslClient = new SslStream(c);
        var sslServer = new SslStream(s);
        Task.WaitAll(
            sslClient.AuthenticateAsClientAsync(SslStreamPeers.Client(System.Net.Security.TlsCipherSuite.TLS_AES_256_GCM_SHA384, allowResume: false)),
            sslServer.AuthenticateAsServerAsync(SslStreamPeers.Server(ServerKey.EcdsaP256, System.Net.Security.TlsCipherSuite.TLS_AES_256_GCM_SHA384, allowResume: false)));
        Console.WriteLine($"// SslStream: {sslClient.SslProtocol} {sslClient.NegotiatedCipherSuite}");
        (_sslClient, _sslServer) = (sslClient, sslServer);
        _disposables.AddRange([_managedClient, _managedServer, _bcClient, _bcServer, _sslClient, _sslServer]);
    }

    /// <summary>Closes everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (IDisposable d in _disposables)
        {
            try
            {
                d.Dispose();
            }
            catch (IOException)
            {
            }
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>ManagedTls TlsStream.</summary>
    [Benchmark(Baseline = true)]
    public long ManagedTls() => Transfer(_managedClient, _managedServer);

    /// <summary>BouncyCastle TLS, blocking streams.</summary>
    [Benchmark]
    public long BouncyCastleTls() => Transfer(_bcClient, _bcServer);

    /// <summary>.NET SslStream.</summary>
    [Benchmark]
    public long SslStream() => Transfer(_sslClient, _sslServer);

    private long Transfer(Stream client, Stream server)
    {
        Task writer = Task.Run(() =>
        {
            for (int sent = 0; sent < Total; sent += Chunk)
            {
                client.Write(_data, 0, Chunk);
            }

            client.Flush();
        });
        long received = 0;
        while (received < Total)
        {
            int n = server.Read(_sink, 0, (int)Math.Min(_sink.Length, Total - received));
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            received += n;
        }

        writer.Wait();
        return received;
    }

    private static (NetworkStream Client, NetworkStream Server) Loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient { NoDelay = true };
        Task<TcpClient> accept = listener.AcceptTcpClientAsync();
        client.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        TcpClient server = accept.Result;
        server.NoDelay = true;
        return (client.GetStream(), server.GetStream());
    }
}
