using System.Net.Security;
using System.Security.Authentication;
using BenchmarkDotNet.Attributes;
using ManagedTls.Ssl;
using Org.BouncyCastle.Tls;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// TLS 1.3 bulk in process: 1 MiB sealed by the client in 16 KiB writes and opened by the server, both ends on the
/// benchmark thread, TLS_AES_256_GCM_SHA384, over a connection set up once (64 full records per operation). ManagedTls
/// through its public facade (<see cref="SslObject.Write(ReadOnlySpan{byte})"/>, the <see cref="MemoryBio"/> queues
/// moved across, <see cref="SslObject.Read(Span{byte})"/>), BouncyCastle's TLS 1.3 in non-blocking mode
/// (WriteApplicationData, ReadOutput/OfferInput, ReadInput) and SslStream (OpenSSL) over an in-memory duplex stream
/// that allocates nothing per write. The setup checks each peer negotiated the suite.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[MaxColumn]
public class FacadeBulkBenchmarks
{
    /// <summary>Bytes per operation.</summary>
    public const int Total = 1 << 20;

    private const int Chunk = 16384;

    private readonly byte[] _data = new byte[Chunk];
    private readonly byte[] _sink = new byte[Chunk];
    private readonly byte[] _wire = new byte[2 * Chunk];
    private FacadePeers.Pair _managed = null!;
    private TlsClientProtocol _bcClient = null!;
    private TlsServerProtocol _bcServer = null!;
    private SslStream _sslClient = null!;
    private SslStream _sslServer = null!;

    /// <summary>Connects the three pairs and checks what they negotiated.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new Random(5).NextBytes(_data);
        _managed = new FacadePeers.Pair(
            FacadePeers.Client(TlsVersion.TlsV1_3, null),
            FacadePeers.Server(ServerKey.EcdsaP256, TlsVersion.TlsV1_3, null, tickets: 0));
        _managed.Handshake();
        Check(_managed.Client.Version() == "TLSv1.3" && _managed.Client.Cipher()?.Name == "TLS_AES_256_GCM_SHA384", $"ManagedTls {_managed.Client.Version()} {_managed.Client.Cipher()}");

        _bcClient = new TlsClientProtocol();
        _bcServer = new TlsServerProtocol();
        var bcServerPeer = new BcTls.Server(ServerKey.EcdsaP256, BcCipherSuite.TLS_AES_256_GCM_SHA384);
        _bcServer.Accept(bcServerPeer);
        _bcClient.Connect(new BcTls.Client(BcCipherSuite.TLS_AES_256_GCM_SHA384));
        BcTls.Pump(_bcClient, _bcServer);
        Check(!_bcClient.IsHandshaking && !_bcServer.IsHandshaking, "BouncyCastle handshake");
        SecurityParameters bcParams = bcServerPeer.Context.SecurityParameters;
        Check(bcParams.CipherSuite == BcCipherSuite.TLS_AES_256_GCM_SHA384 && bcParams.NegotiatedVersion.Equals(ProtocolVersion.TLSv13), $"BouncyCastle {bcParams.NegotiatedVersion} {bcParams.CipherSuite}");

        var (a, b) = QueueStream.CreatePair();
        _sslClient = new SslStream(a);
        _sslServer = new SslStream(b);
        Task.WaitAll(
            _sslClient.AuthenticateAsClientAsync(SslStreamPeers.Client(TlsCipherSuite.TLS_AES_256_GCM_SHA384, allowResume: false)),
            _sslServer.AuthenticateAsServerAsync(SslStreamPeers.Server(ServerKey.EcdsaP256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, allowResume: false)));
        Check(_sslClient.SslProtocol == SslProtocols.Tls13 && _sslClient.NegotiatedCipherSuite == TlsCipherSuite.TLS_AES_256_GCM_SHA384, $"SslStream {_sslClient.SslProtocol} {_sslClient.NegotiatedCipherSuite}");

        // Every row warmed up alternately, so the row measured first is not the one that meets shared code first.
        for (int i = 0; i < 10; i++)
        {
            ManagedTls();
            BouncyCastleTls();
            SslStream();
        }
    }

    /// <summary>Closes the connections.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _managed.Dispose();
        _bcClient.Close();
        _bcServer.Close();
        _sslClient.Dispose();
        _sslServer.Dispose();
    }

    /// <summary>ManagedTls facade: per 16 KiB the client writes, the bytes move to the server, the server reads them.</summary>
    [Benchmark(Baseline = true)]
    public long ManagedTls()
    {
        long wire = 0;
        for (int sent = 0; sent < Total; sent += Chunk)
        {
            _managed.Client.Write(_data);
            wire += _managed.MoveClientToServer();
            int got = 0;
            while (got < Chunk)
            {
                got += _managed.Server.Read(_sink.AsSpan(got));
            }
        }

        return wire;
    }

    /// <summary>BouncyCastle TLS 1.3, non-blocking: the same steps.</summary>
    [Benchmark]
    public long BouncyCastleTls()
    {
        long wire = 0;
        for (int sent = 0; sent < Total; sent += Chunk)
        {
            _bcClient.WriteApplicationData(_data, 0, Chunk);
            int n;
            while ((n = _bcClient.GetAvailableOutputBytes()) > 0)
            {
                int got = _bcClient.ReadOutput(_wire, 0, Math.Min(n, _wire.Length));
                _bcServer.OfferInput(_wire, 0, got);
                wire += got;
            }

            int read = 0;
            while (read < Chunk)
            {
                int r = _bcServer.ReadInput(_sink, read, Chunk - read);
                if (r == 0)
                {
                    throw new InvalidOperationException("BouncyCastle: record not complete");
                }

                read += r;
            }
        }

        return wire;
    }

    /// <summary>SslStream: synchronous Write on the client, Read on the server, in memory.</summary>
    [Benchmark]
    public long SslStream()
    {
        long total = 0;
        for (int sent = 0; sent < Total; sent += Chunk)
        {
            _sslClient.Write(_data, 0, Chunk);
            int read = 0;
            while (read < Chunk)
            {
                int r = _sslServer.Read(_sink, read, Chunk - read);
                if (r == 0)
                {
                    throw new EndOfStreamException();
                }

                read += r;
            }

            total += read;
        }

        return total;
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException("unexpected negotiation: " + what);
        }
    }
}
