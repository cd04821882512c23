using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// The facade's byte path (decision 0031): records opened where they arrive, in any split; no allocation per record
/// through <see cref="SslObject"/> over <see cref="MemoryBio"/> or through <see cref="TlsStream"/>; and the record
/// buffers of a <see cref="TlsStream"/> given back while idle, except for the bytes of a partial record.
/// </summary>
public sealed class ChannelBufferTests : IDisposable
{
    private const int Record = 16384;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("1.3")]
    [InlineData("1.2")]
    public void SslObjectWriteAndReadAllocateNothingPerRecord(string version)
    {
        var pair = new MemoryPair(ClientContext(version), WrapKeys.ServerContext(_dir));
        byte[] data = new byte[Record];
        byte[] sink = new byte[Record];
        new Random(7).NextBytes(data);

        // Warm up: code paths, the pool's buckets, the tickets still in flight.
        for (int i = 0; i < 32; i++)
        {
            pair.Transfer(pair.Client, pair.Server, data, sink);
            pair.Transfer(pair.Server, pair.Client, data, sink);
        }

        long allocated = LeastAllocated(() =>
        {
            for (int i = 0; i < 64; i++)
            {
                pair.Transfer(pair.Client, pair.Server, data, sink);
                pair.Transfer(pair.Server, pair.Client, data, sink);
            }
        });
        Assert.Equal(data, sink);
        Assert.True(allocated == 0, $"TLS {version}: {allocated} bytes allocated for 128 records of 16 KiB through SslObject");
    }

    [Fact]
    public async Task TlsStreamWriteAndReadAllocateNothingPerRecord()
    {
        var toServer = new MemoryPipe();
        var toClient = new MemoryPipe();
        using var client = new TlsStream(new PipeStream(toClient, toServer), WrapKeys.ClientContext(_dir));
        using var server = new TlsStream(new PipeStream(toServer, toClient), WrapKeys.ServerContext(_dir));
        Task accept = Task.Run(server.AuthenticateAsServer);
        client.AuthenticateAsClient("localhost");
        await accept.WaitAsync(Timeout);

        byte[] data = new byte[Record];
        byte[] sink = new byte[Record];
        new Random(8).NextBytes(data);
        for (int i = 0; i < 32; i++)
        {
            Transfer(client, server, data, sink);
            Transfer(server, client, data, sink);
        }

        long allocated = LeastAllocated(() =>
        {
            for (int i = 0; i < 64; i++)
            {
                Transfer(client, server, data, sink);
                Transfer(server, client, data, sink);
            }
        });
        Assert.Equal(data, sink);
        Assert.True(allocated == 0, $"{allocated} bytes allocated for 128 records of 16 KiB through TlsStream");
        Assert.False(client.HoldsReadBuffer || client.HoldsWriteBuffer || server.HoldsReadBuffer || server.HoldsWriteBuffer);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SslObjectDeliversEveryByteWhateverTheSplit(int seed)
    {
        var random = new Random(seed);
        var pair = new MemoryPair(WrapKeys.ClientContext(_dir), WrapKeys.ServerContext(_dir));
        byte[] data = new byte[300_000];
        random.NextBytes(data);
        var received = new MemoryStream();
        byte[] chunk = new byte[70_000];
        byte[] sink = new byte[40_000];
        int written = 0;
        while (received.Length < data.Length)
        {
            if (written < data.Length)
            {
                int n = Math.Min(data.Length - written, random.Next(1, 40_000));
                pair.Client.Write(data.AsSpan(written, n));
                written += n;
            }

            // Moved in pieces of any size, so records straddle the queue's segments and arrive a byte at a time.
            while (pair.ToServer.Pending > 0)
            {
                int piece = random.Next(4) == 0 ? random.Next(1, 8) : random.Next(1, chunk.Length);
                int m = pair.ToServer.Read(chunk.AsSpan(0, piece));
                pair.FromClient.Write(chunk.AsSpan(0, m));
                ReadAvailable(pair.Server, sink.AsSpan(0, random.Next(1, sink.Length)), received);
            }

            ReadAvailable(pair.Server, sink.AsSpan(0, random.Next(1, sink.Length)), received);
        }

        Assert.Equal(data, received.ToArray());
        Assert.Equal(0, pair.Server.Pending());
    }

    [Fact]
    public void ARecordThatFailsLeavesNoPlaintextInTheIncomingQueue()
    {
        var pair = new MemoryPair(WrapKeys.ClientContext(_dir), WrapKeys.ServerContext(_dir));
        byte[] secret = Enumerable.Repeat((byte)0x5A, 1000).ToArray();
        pair.Client.Write(secret);
        pair.Client.Write(secret);
        byte[] wire = pair.ToServer.Read();

        // The second record's last byte (its tag) altered: the first record opens in place in the queue's segment,
        // the second fails.
        wire[^1] ^= 0x01;
        pair.FromClient.Write(wire);
        Assert.ThrowsAny<SslException>(() => pair.Server.Read(new byte[4096]));
        byte[] left = pair.FromClient.Read();
        Assert.False(left.AsSpan().IndexOf(secret.AsSpan(0, 64)) >= 0, "the opened record's plaintext can be read back from the incoming queue");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task TlsStreamDeliversEveryByteWhateverTheTransportHandsOver(int seed)
    {
        var random = new Random(seed);
        var (c, s) = await StreamPairAsync();
        var chopped = new ChoppingStream(c, seed);
        using var client = new TlsStream(chopped, WrapKeys.ClientContext(_dir));
        using var server = new TlsStream(s, WrapKeys.ServerContext(_dir));
        await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);
        byte[] data = new byte[400_000];
        random.NextBytes(data);
        Task writer = Task.Run(() =>
        {
            var r = new Random(seed + 100);
            for (int done = 0; done < data.Length;)
            {
                int n = Math.Min(data.Length - done, r.Next(1, 70_000));
                server.Write(data, done, n);
                done += n;
            }
        });
        byte[] received = new byte[data.Length];
        int got = 0;
        while (got < data.Length)
        {
            int n = await client.ReadAsync(received.AsMemory(got, Math.Min(data.Length - got, random.Next(1, 50_000)))).AsTask().WaitAsync(Timeout);
            Assert.NotEqual(0, n);
            got += n;
        }

        await writer.WaitAsync(Timeout);
        Assert.Equal(data, received);
        Assert.False(client.HoldsReadBuffer, "the record buffer is kept after the last read");
    }

    [Fact]
    public async Task BothEndsWriteAndReadAtOnceWithoutLosingAByte()
    {
        var (c, s) = await StreamPairAsync();
        await using var client = new TlsStream(c, WrapKeys.ClientContext(_dir));
        await using var server = new TlsStream(s, WrapKeys.ServerContext(_dir));
        await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);
        byte[] up = new byte[1_500_000];
        byte[] down = new byte[1_500_000];
        new Random(21).NextBytes(up);
        new Random(22).NextBytes(down);

        // Each end's reader and writer run on their own threads at the same time, the writes synchronous, the reads not.
        Task<byte[]> serverReads = ReadAllAsync(server, up.Length);
        Task<byte[]> clientReads = ReadAllAsync(client, down.Length);
        Task clientWrites = Task.Run(() => WriteInPieces(client, up, 23));
        Task serverWrites = Task.Run(() => WriteInPieces(server, down, 24));
        await Task.WhenAll(clientWrites, serverWrites).WaitAsync(Timeout);
        Assert.Equal(up, await serverReads.WaitAsync(Timeout));
        Assert.Equal(down, await clientReads.WaitAsync(Timeout));
    }

    [Fact]
    public async Task AnIdleTlsStreamHoldsNoRecordBuffer()
    {
        var (c, s) = await StreamPairAsync();
        await using var client = new TlsStream(c, WrapKeys.ClientContext(_dir));
        await using var server = new TlsStream(s, WrapKeys.ServerContext(_dir));
        await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);
        Assert.False(client.HoldsReadBuffer || server.HoldsReadBuffer, "a record buffer is kept after the handshake");

        await client.WriteAsync(new byte[50_000]).AsTask().WaitAsync(Timeout);
        byte[] buffer = new byte[50_000];
        for (int got = 0; got < buffer.Length;)
        {
            got += await server.ReadAsync(buffer.AsMemory(got)).AsTask().WaitAsync(Timeout);
        }

        await server.WriteAsync("pong"u8.ToArray()).AsTask().WaitAsync(Timeout);
        Assert.Equal(4, await client.ReadAsync(buffer.AsMemory(0, 4)).AsTask().WaitAsync(Timeout));

        Assert.False(client.HoldsReadBuffer, "client read buffer");
        Assert.False(client.HoldsWriteBuffer, "client write buffer");
        Assert.False(server.HoldsReadBuffer, "server read buffer");
        Assert.False(server.HoldsWriteBuffer, "server write buffer");
    }

    [Fact]
    public async Task APartialRecordSurvivesBetweenReadsAndItsBufferGoesOnceComplete()
    {
        var (c, s) = await StreamPairAsync();
        var limited = new ChoppingStream(c, seed: null);
        using var client = new TlsStream(limited, WrapKeys.ClientContext(_dir));
        using var server = new TlsStream(s, WrapKeys.ServerContext(_dir));
        await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);

        // The tickets first, so that only the two records below are in flight.
        await server.WriteAsync(new byte[] { 1 }).AsTask().WaitAsync(Timeout);
        byte[] buffer = new byte[4096];
        Assert.Equal(1, await client.ReadAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout));

        // Two records of 100 bytes (122 bytes each on the wire with TLS_AES_256_GCM_SHA384); the transport hands over
        // the first and 10 bytes of the second.
        byte[] first = Enumerable.Repeat((byte)0xA1, 100).ToArray();
        byte[] second = Enumerable.Repeat((byte)0xB2, 100).ToArray();
        server.Write(first);
        server.Write(second);
        await WaitForBytesAsync(c, 244);
        limited.MaxRead = 132;

        Assert.Equal(100, client.Read(buffer, 0, buffer.Length));
        Assert.Equal(first, buffer.AsSpan(0, 100).ToArray());
        Assert.True(client.HoldsReadBuffer, "the partial record's buffer was given back");
        Assert.Equal(10, client.BufferedInput);

        Assert.Equal(100, client.Read(buffer, 0, buffer.Length));
        Assert.Equal(second, buffer.AsSpan(0, 100).ToArray());
        Assert.False(client.HoldsReadBuffer, "the buffer is kept once the record is complete");
        Assert.Equal(0, client.BufferedInput);
    }

    [Fact]
    public async Task DisposingDuringAReadGivesTheBufferBack()
    {
        var (c, s) = await StreamPairAsync();
        var client = new TlsStream(c, WrapKeys.ClientContext(_dir));
        await using var server = new TlsStream(s, WrapKeys.ServerContext(_dir));
        await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);
        Task<int> pending = client.ReadAsync(new byte[16], 0, 16);
        await Task.Delay(50);
        await client.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => pending.WaitAsync(Timeout));
        Assert.False(client.HoldsReadBuffer, "the record buffer outlived the stream");
    }

    // The bytes the calling thread allocated in the least of three runs of `run`. An allocation per record shows in
    // every run; a garbage collection caused by tests running beside this one may trim ArrayPool.Shared, whose refill
    // (one pooled array) then shows in one run only.
    private static long LeastAllocated(Action run)
    {
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 3 && least != 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            run();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }

    private SslContext ClientContext(string version)
    {
        SslContext context = WrapKeys.ClientContext(_dir);
        if (version == "1.2")
        {
            context.MaximumVersion = TlsVersion.TlsV1_2;
        }

        return context;
    }

    private static void WriteInPieces(Stream stream, byte[] data, int seed)
    {
        var random = new Random(seed);
        for (int done = 0; done < data.Length;)
        {
            int n = Math.Min(data.Length - done, random.Next(1, 50_000));
            stream.Write(data, done, n);
            done += n;
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, int count)
    {
        await Task.Yield();
        byte[] buffer = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(got, Math.Min(count - got, 30_000))).ConfigureAwait(false);
            got += n > 0 ? n : throw new EndOfStreamException();
        }

        return buffer;
    }

    private static void Transfer(Stream from, Stream to, byte[] data, byte[] sink)
    {
        from.Write(data, 0, data.Length);
        for (int got = 0; got < sink.Length;)
        {
            // No assertion inside the measured loop: xUnit's comparers allocate.
            int n = to.Read(sink, got, sink.Length - got);
            got += n > 0 ? n : throw new EndOfStreamException();
        }
    }

    private static void ReadAvailable(SslObject side, Span<byte> sink, MemoryStream received)
    {
        while (true)
        {
            int n;
            try
            {
                n = side.Read(sink);
            }
            catch (SslWantReadException)
            {
                return;
            }

            received.Write(sink.Slice(0, n));
        }
    }

    private static async Task WaitForBytesAsync(NetworkStream stream, int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (stream.Socket.Available < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "the records did not arrive");
            await Task.Delay(5);
        }
    }

    private static async Task<(NetworkStream Client, NetworkStream Server)> StreamPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        Task<TcpClient> accept = listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port).WaitAsync(Timeout);
        TcpClient server = await accept.WaitAsync(Timeout);
        return (client.GetStream(), server.GetStream());
    }

    /// <summary>A client and a server over four memory BIOs, handshaken, tickets taken in.</summary>
    private sealed class MemoryPair
    {
        private readonly byte[] _chunk = new byte[64 * 1024];

        public MemoryPair(SslContext client, SslContext server)
        {
            Client = client.WrapBio(FromServer, ToServer, serverHostname: "localhost");
            Server = server.WrapBio(FromClient, ToClient, serverSide: true);
            for (int round = 0; round < 6 && !(Client.IsHandshakeComplete && Server.IsHandshakeComplete); round++)
            {
                Step(Client);
                Move(ToServer, FromClient);
                Step(Server);
                Move(ToClient, FromServer);
            }

            Assert.True(Client.IsHandshakeComplete && Server.IsHandshakeComplete, "handshake did not complete");
        }

        public MemoryBio FromServer { get; } = new();

        public MemoryBio ToServer { get; } = new();

        public MemoryBio FromClient { get; } = new();

        public MemoryBio ToClient { get; } = new();

        public SslObject Client { get; }

        public SslObject Server { get; }

        /// <summary>One record of application data from one end to the other, read into <paramref name="sink"/>.</summary>
        public void Transfer(SslObject from, SslObject to, byte[] data, byte[] sink)
        {
            from.Write(data);
            if (from == Client)
            {
                Move(ToServer, FromClient);
            }
            else
            {
                Move(ToClient, FromServer);
            }

            for (int got = 0; got < sink.Length;)
            {
                got += to.Read(sink.AsSpan(got));
            }
        }

        private void Move(MemoryBio from, MemoryBio to)
        {
            int n;
            while ((n = from.Read(_chunk)) > 0)
            {
                to.Write(_chunk.AsSpan(0, n));
            }
        }

        private static void Step(SslObject side)
        {
            try
            {
                side.DoHandshake();
            }
            catch (SslWantReadException)
            {
                // Waits for the peer's flight.
            }
        }
    }

    /// <summary>A stream whose reads return fewer bytes than asked: at most <see cref="MaxRead"/>, or a random count.</summary>
    private sealed class ChoppingStream(Stream inner, int? seed) : DelegatingStream(inner)
    {
        private readonly Random? _random = seed is { } s ? new Random(s) : null;

        public int MaxRead { get; set; } = int.MaxValue;

        public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, Limit(count));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Inner.ReadAsync(buffer, offset, Limit(count), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Inner.ReadAsync(buffer.Slice(0, Limit(buffer.Length)), cancellationToken);

        private int Limit(int count)
        {
            int limit = _random is null ? MaxRead : (_random.Next(3) == 0 ? _random.Next(1, 6) : _random.Next(1, 40_000));
            return Math.Max(1, Math.Min(count, limit));
        }
    }

    /// <summary>One direction of an in-memory transport: a ring buffer with blocking reads, allocating nothing per write.</summary>
    private sealed class MemoryPipe
    {
        private readonly byte[] _ring = new byte[1 << 20];
        private readonly object _lock = new();
        private int _head;
        private int _count;

        public void Write(ReadOnlySpan<byte> data)
        {
            lock (_lock)
            {
                if (data.Length > _ring.Length - _count)
                {
                    throw new InvalidOperationException("pipe full");
                }

                for (int i = 0; i < data.Length;)
                {
                    int at = (_head + _count) % _ring.Length;
                    int n = Math.Min(data.Length - i, _ring.Length - at);
                    data.Slice(i, n).CopyTo(_ring.AsSpan(at));
                    _count += n;
                    i += n;
                }

                Monitor.PulseAll(_lock);
            }
        }

        public int Read(Span<byte> destination)
        {
            lock (_lock)
            {
                while (_count == 0)
                {
                    if (!Monitor.Wait(_lock, Timeout))
                    {
                        throw new TimeoutException("nothing to read");
                    }
                }

                int n = Math.Min(destination.Length, Math.Min(_count, _ring.Length - _head));
                _ring.AsSpan(_head, n).CopyTo(destination);
                _head = (_head + n) % _ring.Length;
                _count -= n;
                return n;
            }
        }
    }

    private sealed class PipeStream(MemoryPipe input, MemoryPipe output) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer.AsSpan(offset, count));

        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer.AsSpan(offset, count));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
