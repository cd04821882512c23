using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>.NET SslStream (OpenSSL on Linux) options with the benchmark certificates.</summary>
internal static class SslStreamPeers
{
    private static readonly Dictionary<ServerKey, SslStreamCertificateContext> Contexts = [];

    public static SslClientAuthenticationOptions Client(TlsCipherSuite? suite, bool allowResume, SslProtocols protocols = SslProtocols.Tls13)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(BenchPki.RootDer));
        return new SslClientAuthenticationOptions
        {
            TargetHost = BenchPki.HostName,
            EnabledSslProtocols = protocols,
            CipherSuitesPolicy = suite is { } one ? new CipherSuitesPolicy([one]) : null,
            CertificateChainPolicy = policy,
            AllowTlsResume = allowResume,
        };
    }

    public static SslServerAuthenticationOptions Server(ServerKey key, TlsCipherSuite? suite, bool allowResume, SslProtocols protocols = SslProtocols.Tls13)
    {
        SslStreamCertificateContext context;
        lock (Contexts)
        {
            if (!Contexts.TryGetValue(key, out context!))
            {
                BenchLeaf leaf = BenchPki.Leaf(key);
                using var pem = X509Certificate2.CreateFromPem(leaf.CertPem, leaf.KeyPem);
                // A PKCS#12 round trip gives a certificate whose key OpenSSL can use on every platform.
                var cert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
                context = SslStreamCertificateContext.Create(cert, null, offline: true);
                Contexts[key] = context;
            }
        }

        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = protocols,
            CipherSuitesPolicy = suite is { } one ? new CipherSuitesPolicy([one]) : null,
            ClientCertificateRequired = false,
            AllowTlsResume = allowResume,
        };
    }
}

/// <summary>One direction of an in-memory byte pipe.</summary>
internal sealed class MemoryPipe
{
    private readonly Channel<byte[]> _channel = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private byte[] _current = [];
    private int _offset;

    /// <summary>Bytes written so far.</summary>
    public long Written { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        Written += data.Length;
        _channel.Writer.TryWrite(data.ToArray());
    }

    public void Complete() => _channel.Writer.TryComplete();

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_offset == _current.Length)
        {
            if (!await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            _current = await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            _offset = 0;
        }

        int n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }
}

/// <summary>One end of an in-memory duplex stream pair.</summary>
internal sealed class DuplexStream(MemoryPipe read, MemoryPipe write) : Stream
{
    public static (DuplexStream A, DuplexStream B) CreatePair()
    {
        var ab = new MemoryPipe();
        var ba = new MemoryPipe();
        return (new DuplexStream(ba, ab), new DuplexStream(ab, ba));
    }

    /// <summary>Bytes this end has written.</summary>
    public long Written => write.Written;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => read.ReadAsync(buffer.AsMemory(offset, count), default).AsTask().GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => read.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        read.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => write.Write(buffer.AsSpan(offset, count));

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
}
