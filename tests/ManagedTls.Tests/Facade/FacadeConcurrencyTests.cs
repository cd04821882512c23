using System.Diagnostics;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslSocket"/> and <see cref="TlsStream"/> from several threads, as <c>SslStream</c> allows: one reader and
/// one writer at a time on each end, information methods from anywhere; a second reader or writer, or a shutdown
/// beside a read, is refused with <c>SslStream</c>'s <see cref="NotSupportedException"/> (checked with .NET 10's
/// SslStream: <c>This method may not be called when another read operation is pending.</c>, and the same for write).
/// </summary>
public sealed class FacadeConcurrencyTests : IDisposable
{
    private static readonly TimeSpan StressTime = TimeSpan.FromSeconds(1.5);
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SocketsReadAndWriteOnBothEndsFromFourThreads()
    {
        // No handshake yet: whichever of the four threads comes first runs it, the others wait for it.
        var (client, server) = FacadePeers.Sockets(_dir, handshake: false);
        using (client)
        using (server)
        {
            using var done = new CancellationTokenSource();
            Task getters = FacadePeers.Run(() => Inspect(client, server, done.Token));
            Task[] pumps =
            [
                FacadePeers.Run(() => WriteFrames(data => client.Write(data), seed: 1)),
                FacadePeers.Run(() => ReadFrames((b, o, c) => client.Read(b, o, c), seed: 2)),
                FacadePeers.Run(() => WriteFrames(data => server.Write(data), seed: 2)),
                FacadePeers.Run(() => ReadFrames((b, o, c) => server.Read(b, o, c), seed: 1)),
            ];
            bool finished = FacadePeers.Finish(FacadePeers.Bound, pumps);
            done.Cancel();
            FacadePeers.Wait(getters);
            Assert.True(finished, "the pumps did not finish");
            foreach (Task pump in pumps)
            {
                FacadePeers.Wait(pump);
            }
        }
    }

    [Fact]
    public async Task StreamsReadAndWriteOnBothEndsAtOnce()
    {
        var (client, server, _, _) = await FacadePeers.StreamsAsync(_dir);
        await using (client)
        await using (server)
        {
            using var done = new CancellationTokenSource();
            Task getters = FacadePeers.Run(() => Inspect(client.Ssl!, server.Ssl!, done.Token));
            Task[] pumps =
            [
                Task.Run(() => WriteFramesAsync(client, seed: 1)),
                Task.Run(() => ReadFramesAsync(client, seed: 2)),
                Task.Run(() => WriteFramesAsync(server, seed: 2)),
                Task.Run(() => ReadFramesAsync(server, seed: 1)),
            ];
            await Task.WhenAll(pumps).WaitAsync(FacadePeers.Bound);
            done.Cancel();
            await getters.WaitAsync(FacadePeers.Bound);
        }
    }

    [Fact]
    public void SocketRefusesASecondReadAndAShutdownBesideARead()
    {
        var (client, server) = FacadePeers.Sockets(_dir);
        using (client)
        using (server)
        {
            Task<byte[]> first = FacadePeers.Run(() => client.Read(10));
            FacadePeers.Until(() => client.ReadInProgress, "the first read did not start");
            var e = Assert.Throws<NotSupportedException>(() => client.Read(10));
            Assert.Equal("This method may not be called when another read operation is pending.", e.Message);
            e = Assert.Throws<NotSupportedException>(() => client.Unwrap());
            Assert.Equal("This method may not be called when another read operation is pending.", e.Message);

            // Nothing was disturbed: the first read gets the data, and a shutdown afterwards completes on both ends.
            server.Write([42]);
            Assert.Equal(new byte[] { 42 }, FacadePeers.Wait(first));
            Task serverClose = FacadePeers.Run(() =>
            {
                Assert.Empty(server.Read(10));
                server.Unwrap().Dispose();
            });
            client.Unwrap().Dispose();
            FacadePeers.Wait(serverClose);
        }
    }

    [Fact]
    public void SocketRefusesASecondWrite()
    {
        var (client, server) = FacadePeers.Sockets(_dir);
        using (client)
        using (server)
        {
            client.Socket!.SendBufferSize = 4096;
            server.Socket!.ReceiveBufferSize = 65536;
            byte[] big = Pattern(0, 4 << 20);
            Task<int> first = FacadePeers.Run(() => client.Write(big));
            FacadePeers.Until(() => client.WriteInProgress, "the first write did not start");
            var e = Assert.Throws<NotSupportedException>(() => client.Write([1]));
            Assert.Equal("This method may not be called when another write operation is pending.", e.Message);
            Assert.Equal(big, FacadePeers.ReadExactly(server, big.Length));
            Assert.Equal(big.Length, FacadePeers.Wait(first));
        }
    }

    [Fact]
    public async Task StreamRefusesASecondReadASecondWriteAndAShutdownBesideARead()
    {
        var (client, server, clientSocket, serverSocket) = await FacadePeers.StreamsAsync(_dir);
        await using (client)
        await using (server)
        {
            byte[] buffer = new byte[10];
            Task<int> first = client.ReadAsync(buffer, 0, buffer.Length);
            Assert.True(client.ReadInProgress);
            var e = await Assert.ThrowsAsync<NotSupportedException>(() => client.ReadAsync(new byte[1], 0, 1).WaitAsync(FacadePeers.Bound));
            Assert.Equal("This method may not be called when another read operation is pending.", e.Message);
            await Assert.ThrowsAsync<NotSupportedException>(() => Task.Run(() => client.Read(new byte[1], 0, 1)).WaitAsync(FacadePeers.Bound));
            await Assert.ThrowsAsync<NotSupportedException>(() => client.ShutdownAsync().WaitAsync(FacadePeers.Bound));

            clientSocket.SendBufferSize = 4096;
            serverSocket.ReceiveBufferSize = 65536;
            byte[] big = Pattern(0, 4 << 20);
            Task write = client.WriteAsync(big, 0, big.Length);
            Assert.False(write.IsCompleted);
            e = await Assert.ThrowsAsync<NotSupportedException>(() => client.WriteAsync(new byte[1], 0, 1).WaitAsync(FacadePeers.Bound));
            Assert.Equal("This method may not be called when another write operation is pending.", e.Message);

            byte[] got = new byte[big.Length];
            int received = 0;
            while (received < got.Length)
            {
                int n = await server.ReadAsync(got.AsMemory(received)).AsTask().WaitAsync(FacadePeers.Bound);
                Assert.NotEqual(0, n);
                received += n;
            }

            Assert.Equal(big, got);
            await write.WaitAsync(FacadePeers.Bound);
            await server.WriteAsync(new byte[] { 7 });
            Assert.Equal(1, await first.WaitAsync(FacadePeers.Bound));
            Assert.Equal(7, buffer[0]);
        }
    }

    [Fact]
    public void SocketDisposeBesideABlockedReadEndsTheRead()
    {
        var (client, server) = FacadePeers.Sockets(_dir, timeout: null);
        using (server)
        {
            Task<Exception?> read = FacadePeers.Catch(() => client.Read(10));
            FacadePeers.Until(() => client.ReadInProgress, "the read did not start");
            var watch = Stopwatch.StartNew();
            client.Dispose();
            Assert.IsType<ObjectDisposedException>(FacadePeers.Wait(read));
            Assert.InRange(watch.Elapsed.TotalSeconds, 0, 5);
            Assert.Throws<ObjectDisposedException>(() => client.Read(10));
        }
    }

    [Fact]
    public async Task StreamDisposeBesideAPendingReadEndsTheRead()
    {
        var (client, server, _, _) = await FacadePeers.StreamsAsync(_dir);
        await using (server)
        {
            Task<int> read = client.ReadAsync(new byte[10], 0, 10);
            var watch = Stopwatch.StartNew();
            client.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(FacadePeers.Bound));
            Assert.InRange(watch.Elapsed.TotalSeconds, 0, 5);
        }
    }

    [Fact]
    public void TwoAuthenticationsStartedAtOnceLeaveOneChannel()
    {
        SslContext context = WrapKeys.ClientContext(_dir);
        for (int i = 0; i < 50; i++)
        {
            using var stream = new TlsStream(new MemoryStream(), context, leaveInnerStreamOpen: true);
            using var start = new Barrier(2);
            Task<Exception?>[] both =
            [
                FacadePeers.Catch(() => { start.SignalAndWait(); stream.AuthenticateAsClientAsync("localhost"); }),
                FacadePeers.Catch(() => { start.SignalAndWait(); stream.AuthenticateAsClientAsync("localhost"); }),
            ];
            Exception?[] errors = [FacadePeers.Wait(both[0]), FacadePeers.Wait(both[1])];
            Assert.Single(errors, e => e is InvalidOperationException { Message: "authentication was already started" });
            Assert.Single(errors, e => e is null);
        }
    }

    // Frames of random length (a 4-byte length, then the pattern continued), for StressTime, then a zero length.
    private static void WriteFrames(Func<byte[], int> write, int seed)
    {
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        long offset = 0;
        while (watch.Elapsed < StressTime)
        {
            int length = random.Next(1, 40_000);
            write(Frame(seed, offset, length));
            offset += length;
        }

        write(new byte[4]);
    }

    private static void ReadFrames(Func<byte[], int, int, int> read, int seed)
    {
        long offset = 0;
        while (true)
        {
            int length = BitConverter.ToInt32(ReadExactly(read, 4));
            if (length == 0)
            {
                return;
            }

            Assert.Equal(Pattern(seed + offset, length), ReadExactly(read, length));
            offset += length;
        }
    }

    private static async Task WriteFramesAsync(Stream stream, int seed)
    {
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        long offset = 0;
        while (watch.Elapsed < StressTime)
        {
            int length = random.Next(1, 40_000);
            await stream.WriteAsync(Frame(seed, offset, length));
            offset += length;
        }

        await stream.WriteAsync(new byte[4]);
    }

    private static async Task ReadFramesAsync(Stream stream, int seed)
    {
        long offset = 0;
        byte[] header = new byte[4];
        while (true)
        {
            await stream.ReadExactlyAsync(header);
            int length = BitConverter.ToInt32(header);
            if (length == 0)
            {
                return;
            }

            byte[] payload = new byte[length];
            await stream.ReadExactlyAsync(payload);
            Assert.Equal(Pattern(seed + offset, length), payload);
            offset += length;
        }
    }

    private static byte[] ReadExactly(Func<byte[], int, int, int> read, int count)
    {
        byte[] buffer = new byte[count];
        int done = 0;
        while (done < count)
        {
            int n = read(buffer, done, count - done);
            Assert.NotEqual(0, n);
            done += n;
        }

        return buffer;
    }

    private static byte[] Frame(int seed, long offset, int length)
    {
        byte[] frame = new byte[4 + length];
        BitConverter.GetBytes(length).CopyTo(frame, 0);
        Pattern(seed + offset, length).CopyTo(frame, 4);
        return frame;
    }

    private static byte[] Pattern(long start, int length)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            long k = start + i;
            data[i] = (byte)((k * 131) ^ (k >> 9));
        }

        return data;
    }

    // Information methods from a third thread while both ends pump; before the handshake some may refuse.
    private static void Inspect(SslSocket client, SslSocket server, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            foreach (SslSocket s in new[] { client, server })
            {
                _ = s.Cipher();
                _ = s.Version();
                _ = s.Pending();
                _ = s.SelectedAlpnProtocol();
                _ = s.Group();
                _ = s.SignatureScheme();
                _ = s.SessionReused;
                _ = s.Session;
                _ = s.SharedCiphers();
                _ = s.Context;
                PeerCert(() => s.GetPeerCert(binaryForm: true));
            }
        }
    }

    private static void Inspect(SslObject client, SslObject server, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            foreach (SslObject s in new[] { client, server })
            {
                _ = s.Cipher();
                _ = s.Version();
                _ = s.Pending();
                _ = s.IsHandshakeComplete;
                _ = s.Group();
                _ = s.SessionReused;
                _ = s.Session;
                PeerCert(() => s.GetPeerCert(binaryForm: true));
            }
        }
    }

    private static void PeerCert(Func<object?> get)
    {
        try
        {
            get();
        }
        catch (InvalidOperationException)
        {
            // Before the handshake completes (Python's ValueError).
        }
    }
}
