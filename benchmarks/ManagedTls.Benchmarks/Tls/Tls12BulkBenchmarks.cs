using System.Net.Security;
using System.Security.Authentication;
using BenchmarkDotNet.Attributes;
using ManagedTls.Ssl;
using Org.BouncyCastle.Tls;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>The TLS 1.2 suites of the bulk benchmarks (all ECDHE-ECDSA, with the P-256 leaf).</summary>
public enum Tls12BulkSuite
{
    /// <summary>TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.</summary>
    Aes128Gcm,
    /// <summary>TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384.</summary>
    Aes256Gcm,
    /// <summary>TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256.</summary>
    ChaCha20Poly1305,
    /// <summary>TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 with encrypt_then_mac (RFC 7366).</summary>
    Aes128CbcSha256Etm,
}

/// <summary>
/// TLS 1.2 bulk: one 16 KiB application-data record sealed by the client and opened by the server, in memory, on the
/// benchmark thread, over a connection set up once. ManagedTls through its public facade (<see cref="SslObject.Write(ReadOnlySpan{byte})"/>,
/// the queues moved across, <see cref="SslObject.Read(Span{byte})"/>), BouncyCastle's TLS 1.2 in non-blocking mode
/// (WriteApplicationData, ReadOutput/OfferInput, ReadInput) and SslStream (OpenSSL, <see cref="SslProtocols.Tls12"/>
/// only, a <see cref="CipherSuitesPolicy"/> with the one suite) over an in-memory duplex stream that allocates nothing per write.
/// The setup checks each peer negotiated the suite, and encrypt_then_mac for the CBC suite where the peer tells.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class Tls12BulkBenchmarks
{
    /// <summary>Application bytes per operation: one full record.</summary>
    public const int RecordSize = 16384;

    private readonly byte[] _data = new byte[RecordSize];
    private readonly byte[] _sink = new byte[RecordSize];
    private readonly byte[] _wire = new byte[2 * RecordSize];
    private FacadePeers.Pair _managed = null!;
    private TlsClientProtocol _bcClient = null!;
    private TlsServerProtocol _bcServer = null!;
    private SslStream _sslClient = null!;
    private SslStream _sslServer = null!;

    /// <summary>The suite.</summary>
    [Params(Tls12BulkSuite.Aes128Gcm, Tls12BulkSuite.Aes256Gcm, Tls12BulkSuite.ChaCha20Poly1305, Tls12BulkSuite.Aes128CbcSha256Etm)]
    public Tls12BulkSuite Suite { get; set; }

    /// <summary>Connects the three pairs and checks what they negotiated.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new Random(5).NextBytes(_data);
        (string openSsl, int bc, TlsCipherSuite net) = Suite switch
        {
            Tls12BulkSuite.Aes128Gcm => ("ECDHE-ECDSA-AES128-GCM-SHA256", BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
            Tls12BulkSuite.Aes256Gcm => ("ECDHE-ECDSA-AES256-GCM-SHA384", BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
            Tls12BulkSuite.ChaCha20Poly1305 => ("ECDHE-ECDSA-CHACHA20-POLY1305", BcCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256),
            _ => ("ECDHE-ECDSA-AES128-SHA256", BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256),
        };

        _managed = new FacadePeers.Pair(
            FacadePeers.Client(TlsVersion.TlsV1_2, openSsl),
            FacadePeers.Server(ServerKey.EcdsaP256, TlsVersion.TlsV1_2, openSsl, tickets: 0));
        _managed.Handshake();
        Check(_managed.Client.Version() == "TLSv1.2" && _managed.Client.Cipher()?.Name == openSsl, $"ManagedTls {_managed.Client.Version()} {_managed.Client.Cipher()}");

        _bcClient = new TlsClientProtocol();
        _bcServer = new TlsServerProtocol();
        var bcServerPeer = new BcTls.Server(ServerKey.EcdsaP256, bc, ProtocolVersion.TLSv12);
        _bcServer.Accept(bcServerPeer);
        _bcClient.Connect(new BcTls.Client(bc, ProtocolVersion.TLSv12));
        BcTls.Pump(_bcClient, _bcServer);
        Check(!_bcClient.IsHandshaking && !_bcServer.IsHandshaking, "BouncyCastle handshake");
        SecurityParameters bcParams = bcServerPeer.Context.SecurityParameters;
        Check(bcParams.CipherSuite == bc && bcParams.NegotiatedVersion.Equals(ProtocolVersion.TLSv12), $"BouncyCastle {bcParams.NegotiatedVersion} {bcParams.CipherSuite}");
        Check(Suite != Tls12BulkSuite.Aes128CbcSha256Etm || bcParams.IsEncryptThenMac, "BouncyCastle without encrypt_then_mac");

        var (a, b) = QueueStream.CreatePair();
        _sslClient = new SslStream(a);
        _sslServer = new SslStream(b);
        Task.WaitAll(
            _sslClient.AuthenticateAsClientAsync(SslStreamPeers.Client(net, allowResume: false, SslProtocols.Tls12)),
            _sslServer.AuthenticateAsServerAsync(SslStreamPeers.Server(ServerKey.EcdsaP256, net, allowResume: false, SslProtocols.Tls12)));
        Check(_sslClient.SslProtocol == SslProtocols.Tls12 && _sslClient.NegotiatedCipherSuite == net, $"SslStream {_sslClient.SslProtocol} {_sslClient.NegotiatedCipherSuite}");

        int managedWire = ManagedTls12();
        int bcWire = BouncyCastleTls12();
        long before = a.Written;
        SslStreamTls12();
        Console.WriteLine($"// {Suite}: wire bytes per 16 KiB record: ManagedTls {managedWire}, BouncyCastle {bcWire}, SslStream {a.Written - before}");

        // Every row warmed up alternately, so the row measured first is not the one that meets shared code first.
        for (int i = 0; i < 200; i++)
        {
            ManagedTls12();
            BouncyCastleTls12();
            SslStreamTls12();
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

    /// <summary>ManagedTls facade: the client writes 16 KiB, the bytes move to the server, the server reads them.</summary>
    [Benchmark(Baseline = true)]
    public int ManagedTls12()
    {
        _managed.Client.Write(_data);
        int wire = _managed.MoveClientToServer();
        int got = 0;
        while (got < RecordSize)
        {
            got += _managed.Server.Read(_sink.AsSpan(got));
        }

        return wire;
    }

    /// <summary>BouncyCastle TLS 1.2, non-blocking: the same steps.</summary>
    [Benchmark]
    public int BouncyCastleTls12()
    {
        _bcClient.WriteApplicationData(_data, 0, RecordSize);
        int wire = 0;
        int n;
        while ((n = _bcClient.GetAvailableOutputBytes()) > 0)
        {
            int got = _bcClient.ReadOutput(_wire, 0, Math.Min(n, _wire.Length));
            _bcServer.OfferInput(_wire, 0, got);
            wire += got;
        }

        int read = 0;
        while (read < RecordSize)
        {
            int r = _bcServer.ReadInput(_sink, read, RecordSize - read);
            if (r == 0)
            {
                throw new InvalidOperationException("BouncyCastle: record not complete");
            }

            read += r;
        }

        return wire;
    }

    /// <summary>SslStream, TLS 1.2: synchronous Write on the client, Read on the server.</summary>
    [Benchmark]
    public int SslStreamTls12()
    {
        _sslClient.Write(_data, 0, RecordSize);
        int read = 0;
        while (read < RecordSize)
        {
            int r = _sslServer.Read(_sink, read, RecordSize - read);
            if (r == 0)
            {
                throw new EndOfStreamException();
            }

            read += r;
        }

        return read;
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException("unexpected negotiation: " + what);
        }
    }
}

/// <summary>
/// One end of an in-memory duplex stream whose writes copy into a reused buffer (no allocation per write once it
/// has grown), and whose reads wait (asynchronously or not) only when nothing is buffered.
/// </summary>
internal sealed class QueueStream(QueueStream.ByteQueue read, QueueStream.ByteQueue write) : Stream
{
    /// <summary>Bytes this end has written.</summary>
    public long Written => write.Written;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public static (QueueStream A, QueueStream B) CreatePair()
    {
        var ab = new ByteQueue();
        var ba = new ByteQueue();
        return (new QueueStream(ba, ab), new QueueStream(ab, ba));
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => read.Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => read.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => read.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        read.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => write.Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => write.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        write.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        write.Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        write.Complete();
        base.Dispose(disposing);
    }

    /// <summary>A byte queue with one reader and one writer.</summary>
    internal sealed class ByteQueue
    {
        private readonly object _lock = new();
        private readonly SemaphoreSlim _signal = new(0);
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _count;
        private bool _waiting;
        private bool _completed;

        public long Written { get; private set; }

        public void Write(ReadOnlySpan<byte> data)
        {
            bool wake;
            lock (_lock)
            {
                if (_start + _count + data.Length > _buffer.Length)
                {
                    byte[] target = _count + data.Length > _buffer.Length ? new byte[Math.Max(2 * _buffer.Length, _count + data.Length)] : _buffer;
                    Buffer.BlockCopy(_buffer, _start, target, 0, _count);
                    _buffer = target;
                    _start = 0;
                }

                data.CopyTo(_buffer.AsSpan(_start + _count));
                _count += data.Length;
                Written += data.Length;
                wake = _waiting;
                _waiting = false;
            }

            if (wake)
            {
                _signal.Release();
            }
        }

        public void Complete()
        {
            bool wake;
            lock (_lock)
            {
                _completed = true;
                wake = _waiting;
                _waiting = false;
            }

            if (wake)
            {
                _signal.Release();
            }
        }

        public int Read(Span<byte> destination)
        {
            while (true)
            {
                if (TryTake(destination, out int n))
                {
                    return n;
                }

                _signal.Wait();
            }
        }

        public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            while (true)
            {
                if (TryTake(destination.Span, out int n))
                {
                    return n;
                }

                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // Copies what is buffered; false (and the reader marked waiting) when there is nothing and no end yet.
        private bool TryTake(Span<byte> destination, out int n)
        {
            lock (_lock)
            {
                if (_count > 0 || _completed || destination.IsEmpty)
                {
                    n = Math.Min(_count, destination.Length);
                    _buffer.AsSpan(_start, n).CopyTo(destination);
                    _start += n;
                    _count -= n;
                    if (_count == 0)
                    {
                        _start = 0;
                    }

                    return true;
                }

                _waiting = true;
                n = 0;
                return false;
            }
        }
    }
}
