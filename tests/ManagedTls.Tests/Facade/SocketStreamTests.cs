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
