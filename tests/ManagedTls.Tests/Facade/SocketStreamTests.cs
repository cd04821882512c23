using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslSocket.GetStream"/> (Python's <c>makefile</c>) and <see cref="SslSocket.SendFile(FileStream, long, long?)"/>
/// beyond what <see cref="SocketLifecycleTests"/> compares with Python: the stream goes through the socket's one TLS
/// connection, its disposal follows the ownership asked for, and sendfile sends large files with bounded memory.
/// </summary>
public sealed class SocketStreamTests : IDisposable
{
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void StreamReadsAndWritesThroughTheSocket()
    {
        var (client, server) = FacadePeers.Sockets(_dir);
        using (client)
        using (server)
        {
            using (Stream stream = client.GetStream())
            {
                Assert.True(stream.CanRead && stream.CanWrite && !stream.CanSeek);
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1024, leaveOpen: true) { NewLine = "\n" };
                writer.WriteLine("hello over TLS");
                writer.Flush();
                Assert.Equal("hello over TLS\n", Encoding.UTF8.GetString(FacadePeers.ReadExactly(server, 15)));

                server.Write(Encoding.UTF8.GetBytes("answer\n"));
                using var reader = new StreamReader(stream, Encoding.UTF8, false, 1024, leaveOpen: true);
                Assert.Equal("answer", reader.ReadLine());

                // The stream and the socket share the connection: bytes written either way arrive in order.
                client.Write([1]);
                stream.Write([2, 3], 0, 2);
                Assert.Equal(new byte[] { 1, 2, 3 }, FacadePeers.ReadExactly(server, 3));
            }

            // Disposing a stream that does not own the socket leaves the socket open and the connection usable.
            Assert.NotNull(client.Socket);
            client.Write([4]);
            Assert.Equal(new byte[] { 4 }, server.Read(1));

            // The peer's close_notify reads as the end of the stream.
            Stream again = client.GetStream();
            server.Dispose();
            Assert.Equal(0, again.Read(new byte[10], 0, 10));
        }
    }

    [Fact]
    public void OwningStreamDisposesTheSocketAndClosingTheSocketEndsTheStream()
    {
        var (client, server) = FacadePeers.Sockets(_dir);
        using (server)
        {
            Stream owning = client.GetStream(ownsSocket: true);
            owning.Dispose();
            Assert.Null(client.Socket);
            Assert.Equal(-1, client.Fileno());

            // Dispose (not Close) sent close_notify: the peer reads a clean end.
            Assert.Empty(server.Read(10));
            Assert.Throws<ObjectDisposedException>(() => client.GetStream());
            Assert.Throws<ObjectDisposedException>(() => owning.Write([1], 0, 1));
        }

        var (client2, server2) = FacadePeers.Sockets(_dir);
        using (server2)
        {
            Stream stream = client2.GetStream();
            client2.Close();
            Assert.False(stream.CanRead);
            Assert.Throws<ObjectDisposedException>(() => stream.Read(new byte[1], 0, 1));
            Assert.Throws<ObjectDisposedException>(() => stream.Write([1], 0, 1));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(10.0)]
    public async Task AsyncWriteRunsWhileAnAsyncReadWaitsOnTheSameStream(double? timeout)
    {
        // Without a timeout the stream's calls are asynchronous; with one they are the blocking calls on the pool.
        var (client, server) = FacadePeers.Sockets(_dir, timeout);
        using (client)
        using (server)
        using (Stream stream = client.GetStream())
        {
            // A read that waits for the peer, then a write on the same stream: the write must finish while the read waits.
            byte[] readBuffer = new byte[16];
            Task<int> read = stream.ReadAsync(readBuffer, 0, readBuffer.Length);
            await Task.Delay(100);
            Assert.False(read.IsCompleted);
            await stream.WriteAsync(new byte[] { 1, 2, 3 }, 0, 3).WaitAsync(TimeSpan.FromSeconds(5));
            await stream.WriteAsync(new byte[] { 4 }.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.False(read.IsCompleted);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, await FacadePeers.Run(() => FacadePeers.ReadExactly(server, 4)).WaitAsync(FacadePeers.Bound));

            // The peer's answer completes the pending read.
            server.Write([9, 8]);
            Assert.Equal(2, await read.WaitAsync(FacadePeers.Bound));
            Assert.Equal(new byte[] { 9, 8 }, readBuffer.AsSpan(0, 2).ToArray());

            // The Memory overload of the read and the APM pair (BeginWrite) do not serialise either.
            Memory<byte> memory = new byte[8];
            Task<int> memoryRead = stream.ReadAsync(memory).AsTask();
            await Task.Delay(100);
            Assert.False(memoryRead.IsCompleted);
            IAsyncResult begun = stream.BeginWrite([5], 0, 1, null, null);
            Assert.True(begun.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)), "BeginWrite waited behind the pending read");
            stream.EndWrite(begun);
            await stream.FlushAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(new byte[] { 5 }, await FacadePeers.Run(() => FacadePeers.ReadExactly(server, 1)).WaitAsync(FacadePeers.Bound));
            server.Write([7]);
            Assert.Equal(1, await memoryRead.WaitAsync(FacadePeers.Bound));
            Assert.Equal(7, memory.Span[0]);
        }
    }

    [Fact]
    public async Task WithATimeoutTheTokenIsCheckedBeforeTheCallStarts()
    {
        var (client, server) = FacadePeers.Sockets(_dir, timeout: 10);
        using (client)
        using (server)
        using (Stream stream = client.GetStream())
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            byte[] got = new byte[4];
            Task<int> read = stream.ReadAsync(got, 0, 4, cancelled.Token);
            Task write = stream.WriteAsync(new byte[] { 1 }, 0, 1, cancelled.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
            Assert.True(read.IsCanceled && write.IsCanceled);

            // Nothing was sent or taken: the next bytes either way are the next ones.
            server.Write([2]);
            Assert.Equal(1, await stream.ReadAsync(got, 0, 4).WaitAsync(FacadePeers.Bound));
            Assert.Equal(2, got[0]);
            await stream.WriteAsync(new byte[] { 3 }, 0, 1).WaitAsync(FacadePeers.Bound);
            Assert.Equal(new byte[] { 3 }, server.Read(4));
        }
    }

    [Fact]
    public async Task CancelledAsyncReadTakesNothingAndLeavesTheConnectionUsable()
    {
        var (client, server) = FacadePeers.Sockets(_dir, timeout: null);
        using (client)
        using (server)
        using (Stream stream = client.GetStream())
        {
            // A read waiting for the peer ends when its token is cancelled, without a byte having arrived.
            using var cancel = new CancellationTokenSource();
            Task<int> read = stream.ReadAsync(new byte[16], 0, 16, cancel.Token);
            await Task.Delay(100);
            Assert.False(read.IsCompleted);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.True(read.IsCanceled);
            Assert.False(client.ReadInProgress);

            // The connection is whole: both ways still work, through the stream and the socket.
            server.Write([1, 2, 3]);
            byte[] got = new byte[16];
            Assert.Equal(3, await stream.ReadAsync(got.AsMemory()).AsTask().WaitAsync(FacadePeers.Bound));
            Assert.Equal(new byte[] { 1, 2, 3 }, got.AsSpan(0, 3).ToArray());
            await stream.WriteAsync(new byte[] { 4 }, 0, 1).WaitAsync(FacadePeers.Bound);
            Assert.Equal(new byte[] { 4 }, await FacadePeers.Run(() => FacadePeers.ReadExactly(server, 1)).WaitAsync(FacadePeers.Bound));

            // A token cancelled before the call starts nothing, for a write as for a read.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.WriteAsync(new byte[] { 5 }, 0, 1, cancel.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(got, 0, 1, cancel.Token));
            server.Write([6]);
            Assert.Equal(1, await stream.ReadAsync(got, 0, 16).WaitAsync(FacadePeers.Bound));
            Assert.Equal(6, got[0]);

            // After asynchronous use the socket's own modes still hold: a timeout, then blocking again.
            client.SetTimeout(0.3);
            Assert.Equal("The read operation timed out", Assert.Throws<TimeoutException>(() => client.Read(1)).Message);
            client.SetTimeout(null);
            server.Write([7]);
            Assert.Equal(1, await stream.ReadAsync(got, 0, 16).WaitAsync(FacadePeers.Bound));
            Assert.Equal(7, got[0]);

            // Closing the socket ends a read waiting on the stream.
            Task<int> waiting = stream.ReadAsync(got, 0, 16);
            await Task.Delay(50);
            client.Close();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(FacadePeers.Bound));
        }
    }

    [Fact]
    public async Task CopyToAsyncReadsToCloseNotifyWhileWritesGoOn()
    {
        var (client, server) = FacadePeers.Sockets(_dir, timeout: null);
        using (client)
        using (Stream stream = client.GetStream())
        {
            // CopyToAsync reads the stream while this side writes on it; the peer echoes, then closes cleanly.
            byte[] data = new byte[200_000];
            new Random(3).NextBytes(data);
            using var sink = new MemoryStream();
            Task copy = stream.CopyToAsync(sink);
            Task echo = FacadePeers.Run(() =>
            {
                byte[] got = FacadePeers.ReadExactly(server, data.Length);
                server.Write(got);
                server.Dispose();
            });
            for (int i = 0; i < data.Length; i += 10_000)
            {
                await stream.WriteAsync(data.AsMemory(i, 10_000)).AsTask().WaitAsync(FacadePeers.Bound);
            }

            await Task.WhenAll(copy, echo).WaitAsync(FacadePeers.Bound);
            Assert.True(sink.ToArray().AsSpan().SequenceEqual(data), "the echo came back different");
        }
    }

    [Fact]
    public void SendFileSendsALargeFileWithBoundedMemory()
    {
        string path = Path.Combine(_dir, "large.bin");
        byte[] data = new byte[8 << 20];
        new Random(7).NextBytes(data);
        File.WriteAllBytes(path, data);
        var (client, server) = FacadePeers.Sockets(_dir);
        using (client)
        using (server)
        {
            Task<byte[]> read = FacadePeers.Run(() => FacadePeers.ReadExactly(server, data.Length));
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);

            // Warm up the pool and the connection, then measure this thread's allocations over 8 MiB.
            Assert.Equal(5, client.SendFile(file, 0, 5));
            long before = GC.GetAllocatedBytesForCurrentThread();
            long sent = client.SendFile(file, 5, null);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(data.Length - 5, sent);
            Assert.Equal(data.Length, file.Position);
            byte[] got = FacadePeers.Wait(read);
            Assert.True(got.AsSpan().SequenceEqual(data), "the peer got other bytes");

            // 512 chunks of 16 KiB: far less than one chunk's worth of garbage each.
            Assert.True(allocated < 1 << 20, $"sendfile allocated {allocated} bytes for 8 MiB");
        }
    }

    [Fact]
    public void SendFileWithATimeoutCanBeResumedFromTheFilePosition()
    {
        string path = Path.Combine(_dir, "blob.bin");
        byte[] data = new byte[2 << 20];
        new Random(9).NextBytes(data);
        File.WriteAllBytes(path, data);
        var (client, server) = FacadePeers.Sockets(_dir, timeout: 0.3);
        using (client)
        using (server)
        {
            client.Socket!.SendBufferSize = 4096;
            server.Socket!.ReceiveBufferSize = 65536;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);

            // The peer does not read: the send stops at the deadline, the position after what went out whole.
            Assert.Throws<TimeoutException>(() => client.SendFile(file));
            long resumeAt = file.Position;
            Assert.True(resumeAt < data.Length);

            server.SetTimeout(FacadePeers.Bound.TotalSeconds);
            client.SetTimeout(FacadePeers.Bound.TotalSeconds);
            Task<byte[]> read = FacadePeers.Run(() => FacadePeers.ReadExactly(server, data.Length));
            Assert.Equal(data.Length - resumeAt, client.SendFile(file, resumeAt));
            Assert.True(FacadePeers.Wait(read).AsSpan().SequenceEqual(data));
        }
    }
}
