using System.Diagnostics;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// A transport write that fails or is cancelled part-way through a record: a <see cref="TlsStream"/> is broken from
/// then on (every call throws <see cref="SslSyscallException"/>, as <c>SslStream</c> does not go on after such a
/// failure); an <see cref="SslSocket"/> with a timeout keeps what it could not send and finishes with the same data,
/// as Python and OpenSSL do. Nothing is sent twice, nothing is lost, the peer never sees a torn record followed by more.
/// </summary>
public sealed class FacadeTransportFailureTests : IDisposable
{
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task StreamWriteFailingPartWayBreaksTheStream()
    {
        Faulty? faulty = null;
        var (client, server, _, _) = await FacadePeers.StreamsAsync(_dir, inner => faulty = new Faulty(inner));
        await using (server)
        {
            faulty!.FailAfter = 10;
            // The transport's failure comes as SslSyscallException with the transport's exception inside (decision 0026).
            var e = await Assert.ThrowsAsync<SslSyscallException>(() => client.WriteAsync(new byte[1000]).AsTask());
            Assert.Equal("the transport failed", e.InnerException!.Message);
            Assert.IsType<IOException>(e.InnerException);
            await AssertBrokenAsync(client, e.InnerException);

            // The peer got a torn record and then nothing: an error, never data.
            Assert.True(faulty.Written > 0);
            client.Dispose();
            await Assert.ThrowsAnyAsync<SslException>(() => server.ReadAsync(new byte[10], 0, 10).WaitAsync(FacadePeers.Bound));
        }
    }

    [Fact]
    public async Task StreamWriteCancelledPartWayBreaksTheStream()
    {
        Faulty? faulty = null;
        var (client, server, _, _) = await FacadePeers.StreamsAsync(_dir, inner => faulty = new Faulty(inner));
        await using (server)
        await using (client)
        {
            faulty!.HangAfter = 10;
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.WriteAsync(new byte[1000], cts.Token).AsTask().WaitAsync(FacadePeers.Bound));
            await AssertBrokenAsync(client, e);
        }
    }

    [Fact]
    public async Task StreamWriteCancelledBeforeAnythingIsSentLeavesTheStreamWorking()
    {
        var (client, server, _, _) = await FacadePeers.StreamsAsync(_dir);
        await using (server)
        await using (client)
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.WriteAsync(new byte[] { 1, 2, 3 }, cancelled.Token).AsTask());
            await client.WriteAsync(new byte[] { 4, 5 }).AsTask().WaitAsync(FacadePeers.Bound);
            byte[] got = new byte[2];
            await server.ReadExactlyAsync(got).AsTask().WaitAsync(FacadePeers.Bound);
            Assert.Equal(new byte[] { 4, 5 }, got);
        }
    }

    [Fact]
    public void SocketWriteTimingOutKeepsTheRestAndFinishesWithTheSameData()
    {
        var (client, server) = FacadePeers.Sockets(_dir, timeout: 0.5);
        using (client)
        using (server)
        {
            client.Socket!.SendBufferSize = 4096;
            server.Socket!.ReceiveBufferSize = 65536;
            byte[] data = new byte[4 << 20];
            new Random(5).NextBytes(data);

            // The server does not read: the write stops at its deadline, part of a record on the wire.
            var watch = Stopwatch.StartNew();
            var e = Assert.Throws<TimeoutException>(() => client.Write(data));
            Assert.Equal("The write operation timed out", e.Message);
            Assert.InRange(watch.Elapsed.TotalSeconds, 0.4, 5);

            // Other data now is OpenSSL's bad write retry; the same data finishes, and the peer gets it once.
            var retry = Assert.Throws<SslException>(() => client.Write([1, 2, 3]));
            Assert.Equal("[SSL: BAD_WRITE_RETRY] bad write retry", retry.Message);
            server.SetTimeout(FacadePeers.Bound.TotalSeconds);
            client.SetTimeout(FacadePeers.Bound.TotalSeconds);
            Task<byte[]> read = FacadePeers.Run(() => FacadePeers.ReadExactly(server, data.Length));
            Assert.Equal(data.Length, client.Write(data));
            Assert.Equal(data, FacadePeers.Wait(read));
            client.Write([9]);
            Assert.Equal(new byte[] { 9 }, server.Read(10));
        }
    }

    [Fact]
    public void SocketReadReturnsItsDataWhenItsOwnAnswerCannotBeSentYet()
    {
        // Post-handshake authentication: the client's read takes in a CertificateRequest and data, and must answer
        // while its send buffer is full of an interrupted write. The data is returned; the answer waits its turn.
        SslContext serverContext = WrapKeys.ServerContext(_dir);
        serverContext.VerifyMode = VerifyMode.CertOptional;
        serverContext.LoadVerifyLocations(cafile: Path.Combine(_dir, "cert.pem"));
        serverContext.PostHandshakeAuth = true;
        SslContext clientContext = WrapKeys.ClientContext(_dir);
        clientContext.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        clientContext.PostHandshakeAuth = true;
        var (client, server) = FacadePeers.Sockets(_dir, clientContext: clientContext, serverContext: serverContext);
        using (client)
        using (server)
        {
            var (chunk, sent) = FacadePeers.InterruptWrite(client, seed: 3);
            server.VerifyClientPostHandshake();
            server.Write([5, 6, 7]);
            byte[] got = FacadePeers.Retry(() => client.Read(10));
            Assert.Equal(new byte[] { 5, 6, 7 }, got);

            // Once the server reads, the interrupted write and then the answer go out; a last byte shows the answer was taken.
            Task<byte[]> read = FacadePeers.Run(() => FacadePeers.ReadExactly(server, (int)sent + chunk.Length + 1));
            FacadePeers.Retry(() => client.Write(chunk));
            client.SetBlocking(true);
            client.Write([9]);
            byte[] all = FacadePeers.Wait(read);
            Assert.Equal(9, all[^1]);
            Assert.NotNull(server.GetPeerCert(binaryForm: true));
        }
    }

    private static async Task AssertBrokenAsync(TlsStream client, Exception first)
    {
        foreach (Func<Task> call in new Func<Task>[]
        {
            () => client.WriteAsync(new byte[] { 1 }).AsTask(),
            () => client.ReadAsync(new byte[10], 0, 10),
            () => client.ShutdownAsync(),
            () => Task.Run(() => client.Write(new byte[1], 0, 1)),
        })
        {
            var e = await Assert.ThrowsAsync<SslSyscallException>(() => call().WaitAsync(FacadePeers.Bound));
            Assert.Same(first, e.InnerException);
        }
    }

    /// <summary>A stream that, once armed, writes only part of the next buffer and then fails, or hangs until cancelled.</summary>
    private sealed class Faulty(Stream inner) : DelegatingStream(inner)
    {
        public int FailAfter { get; set; } = -1;

        public int HangAfter { get; set; } = -1;

        public int Written { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, default).GetAwaiter().GetResult();

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            int part = FailAfter >= 0 ? FailAfter : HangAfter;
            if (part < 0 || Written > 0)
            {
                await Inner.WriteAsync(buffer.AsMemory(offset, count), cancellationToken);
                return;
            }

            await Inner.WriteAsync(buffer.AsMemory(offset, Math.Min(part, count)), cancellationToken);
            await Inner.FlushAsync(cancellationToken);
            Written = Math.Min(part, count);
            if (FailAfter >= 0)
            {
                throw new IOException("the transport failed");
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
