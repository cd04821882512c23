using ManagedTls.Ssl;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Memory an established, idle <see cref="TlsStream"/> keeps (decision 0031): the connection's state as for an
/// <see cref="SslObject"/> (<see cref="IdleConnectionMemoryTests"/>) plus the channel, which gives its record buffers
/// back to the pool between operations; before, it kept two 16.5 KiB buffers for its whole life (about 40 KiB per
/// side with the transport and the engine's state).
/// </summary>
[Collection("IdleMemory")]
public sealed class IdleStreamMemoryTests : IDisposable
{
    /// <summary>About 7.3 KiB (TLS 1.3) and 6.9 KiB (TLS 1.2) are measured with 2,000 pairs; one record buffer kept per side breaks it.</summary>
    private const long BoundPerSide = 10 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _dir = WrapKeys.WriteFiles();
    private readonly ITestOutputHelper _output;

    public IdleStreamMemoryTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("1.3")]
    [InlineData("1.2")]
    public async Task AnIdleTlsStreamKeepsNoRecordBuffer(string version)
    {
        int pairs = int.TryParse(Environment.GetEnvironmentVariable("MANAGEDTLS_IDLE_PAIRS"), out int n) && n > 0 ? Math.Min(n, 1000) : 300;
        SslContext client = WrapKeys.ClientContext(_dir);
        SslContext server = WrapKeys.ServerContext(_dir);
        if (version == "1.2")
        {
            client.MaximumVersion = TlsVersion.TlsV1_2;
        }

        foreach (var warm in await MakeAsync(client, server, 8))
        {
            warm.Client.Dispose();
            warm.Server.Dispose();
        }

        long before = Measure();
        var live = await MakeAsync(client, server, pairs);
        long after = Measure();
        long perSide = (after - before) / (2L * pairs);
        Assert.All(live, pair => Assert.False(pair.Client.HoldsReadBuffer || pair.Client.HoldsWriteBuffer || pair.Server.HoldsReadBuffer || pair.Server.HoldsWriteBuffer));
        foreach (var pair in live)
        {
            pair.Client.Dispose();
            pair.Server.Dispose();
        }

        _output.WriteLine($"TLS {version}: {pairs} TlsStream pairs, {perSide} bytes retained per idle side");
        Assert.True(perSide <= BoundPerSide, $"TLS {version}: {perSide} bytes retained per idle TlsStream side (bound {BoundPerSide})");
    }

    private static long Measure()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task<List<(TlsStream Client, TlsStream Server)>> MakeAsync(SslContext clientContext, SslContext serverContext, int count)
    {
        var list = new List<(TlsStream, TlsStream)>(count);
        byte[] buffer = new byte[16];
        for (int i = 0; i < count; i++)
        {
            var toServer = new ChunkPipe();
            var toClient = new ChunkPipe();
            var client = new TlsStream(new ChunkPipeStream(toClient, toServer), clientContext);
            var server = new TlsStream(new ChunkPipeStream(toServer, toClient), serverContext);
            await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);
            await client.WriteAsync("ping"u8.ToArray()).AsTask().WaitAsync(Timeout);
            Assert.Equal(4, await server.ReadAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout));
            await server.WriteAsync("pong"u8.ToArray()).AsTask().WaitAsync(Timeout);
            Assert.Equal(4, await client.ReadAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout));
            list.Add((client, server));
        }

        return list;
    }

    /// <summary>One direction of an in-memory transport that holds nothing but an empty queue while idle.</summary>
    private sealed class ChunkPipe
    {
        private readonly Queue<byte[]> _chunks = new();
        private readonly object _lock = new();
        private int _offset;
        private TaskCompletionSource<bool>? _waiter;

        public void Write(ReadOnlySpan<byte> data)
        {
            TaskCompletionSource<bool>? waiter;
            lock (_lock)
            {
                _chunks.Enqueue(data.ToArray());
                waiter = _waiter;
                _waiter = null;
            }

            waiter?.TrySetResult(true);
        }

        public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            while (true)
            {
                TaskCompletionSource<bool> waiter;
                lock (_lock)
                {
                    if (_chunks.Count > 0)
                    {
                        byte[] head = _chunks.Peek();
                        int n = Math.Min(destination.Length, head.Length - _offset);
                        head.AsSpan(_offset, n).CopyTo(destination.Span);
                        _offset += n;
                        if (_offset == head.Length)
                        {
                            _chunks.Dequeue();
                            _offset = 0;
                        }

                        return n;
                    }

                    waiter = _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                await waiter.Task.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class ChunkPipeStream(ChunkPipe input, ChunkPipe output) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            input.ReadAsync(buffer.AsMemory(offset, count), default).AsTask().GetAwaiter().GetResult();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            input.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            input.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            output.Write(buffer.Span);
            return default;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            output.Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
