using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Sessions over <see cref="SslSocket"/> and <see cref="TlsStream"/>, non-blocking sockets and <c>DisposeAsync</c>.
/// Non-blocking expectations were recorded from Python 3.11: over a non-blocking socket pair the handshake goes
/// client want-read, server want-read, client done, server done; recv with nothing received raises want-read;
/// <c>wrap_socket</c> of a non-blocking socket with <c>do_handshake_on_connect</c> raises ValueError.
/// </summary>
public sealed class SocketSessionTests : IDisposable
{
    private const int TimeoutMs = 10000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(TimeoutMs);
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SslContext ServerContext() => WrapKeys.ServerContext(_dir);

    private SslContext ClientContext() => WrapKeys.ClientContext(_dir);

    private static (Socket Client, Socket Server) SocketPair() => WrapKeys.LoopbackSockets(TimeoutMs);

    private static T Bounded<T>(Task<T> task) =>
        task.Wait(TimeoutMs) ? task.Result : throw new TimeoutException("peer thread did not finish");

    private static bool Step(SslSocket s)
    {
        try
        {
            s.DoHandshake();
            return true;
        }
        catch (SslWantReadException)
        {
            return false;
        }
    }

    private static (SslSocket Client, SslSocket Server) NonBlockingPair(SslContext client, SslContext server, SslSession? session = null)
    {
        var (c, s) = SocketPair();
        SslSocket ssl = client.WrapSocket(c, doHandshakeOnConnect: false, serverHostname: "localhost", session: session);
        SslSocket srv = server.WrapSocket(s, serverSide: true, doHandshakeOnConnect: false);
        ssl.SetBlocking(false);
        srv.SetBlocking(false);
        return (ssl, srv);
    }

    private static void HandshakeNonBlocking(SslSocket client, SslSocket server)
    {
        var steps = new List<string>();
        for (int i = 0; i < 200 && steps.Count(x => x.EndsWith("done", StringComparison.Ordinal)) < 2; i++)
        {
            if (!steps.Contains("C done"))
            {
                steps.Add(Step(client) ? "C done" : "C wantread");
            }

            if (!steps.Contains("S done"))
            {
                steps.Add(Step(server) ? "S done" : "S wantread");
            }
        }

        Assert.Equal(["C wantread", "S wantread", "C done", "S done"], steps);
    }

    [Fact]
    public void NonBlockingHandshakeAndReadsWantRead()
    {
        var (client, server) = NonBlockingPair(ClientContext(), ServerContext());
        using (client)
        using (server)
        {
            Assert.False(client.GetBlocking());
            Assert.Equal(0.0, client.GetTimeout());
            HandshakeNonBlocking(client, server);
            Assert.Throws<SslWantReadException>(() => server.Read());
            server.Write("hi"u8.ToArray());
            Assert.Equal("hi"u8.ToArray(), client.Read(10));
            Assert.Throws<SslWantReadException>(() => client.Read(10));
            Assert.Equal([("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256)], server.SharedCiphers()!.Take(1));
            Assert.Null(client.SharedCiphers());
        }
    }

    [Fact]
    public void NonBlockingWriteWantsWriteWhenThePeerDoesNotRead()
    {
        var (client, server) = NonBlockingPair(ClientContext(), ServerContext());
        using (client)
        using (server)
        {
            HandshakeNonBlocking(client, server);
            client.Socket!.SendBufferSize = 4096;
            server.Socket!.ReceiveBufferSize = 4096;
            byte[] chunk = new byte[64 * 1024];
            new Random(7).NextBytes(chunk);
            long written = 0;
            SslWantWriteException? blocked = null;
            for (int i = 0; i < 1000 && blocked is null; i++)
            {
                try
                {
                    written += client.Write(chunk);
                }
                catch (SslWantWriteException e)
                {
                    blocked = e;
                }
            }

            Assert.NotNull(blocked);
            Assert.Equal("The operation did not complete (write)", blocked.Message);

            // Drain on the server while retrying the same write on the client: every byte arrives once, in order.
            long expected = written + chunk.Length;
            long received = 0;
            bool retried = false;
            var deadline = DateTime.UtcNow + Timeout;
            byte[] buffer = new byte[65536];
            while (received < expected && DateTime.UtcNow < deadline)
            {
                if (!retried)
                {
                    try
                    {
                        Assert.Equal(chunk.Length, client.Write(chunk));
                        retried = true;
                    }
                    catch (SslWantWriteException)
                    {
                    }
                }

                try
                {
                    int n = server.Read(buffer, 0, buffer.Length);
                    for (int k = 0; k < n; k++)
                    {
                        Assert.Equal(chunk[(int)((received + k) % chunk.Length)], buffer[k]);
                    }

                    received += n;
                }
                catch (SslWantReadException)
                {
                    Thread.Sleep(1);
                }
            }

            Assert.True(retried);
            Assert.Equal(expected, received);
        }
    }

    [Fact]
    public void NonBlockingSocketRefusesHandshakeOnConnect()
    {
        var (c, s) = SocketPair();
        using (c)
        using (s)
        {
            c.Blocking = false;
            var e = Assert.Throws<ArgumentException>(() => ClientContext().WrapSocket(c, serverHostname: "localhost"));
            Assert.StartsWith("do_handshake_on_connect should not be specified for non-blocking sockets", e.Message);
            using SslSocket adopted = ClientContext().WrapSocket(c, doHandshakeOnConnect: false, serverHostname: "localhost");
            Assert.False(adopted.GetBlocking());
            Assert.Throws<ArgumentException>(() => adopted.SetTimeout(-1));
            adopted.SetTimeout(2.5);
            Assert.True(adopted.GetBlocking());
            Assert.Equal(2.5, adopted.GetTimeout());
            adopted.SetBlocking(true);
            Assert.Null(adopted.GetTimeout());
        }
    }

    [Fact]
    public void TimeoutSurfacesAsPythonsTimeoutError()
    {
        var (c, s) = SocketPair();
        using (c)
        using (s)
        {
            // Python 3.11: settimeout(0.2) then a handshake with a silent peer raises TimeoutError('The handshake operation timed out').
            using SslSocket tls = ClientContext().WrapSocket(c, doHandshakeOnConnect: false, serverHostname: "localhost");
            tls.SetTimeout(0.2);
            var e = Assert.Throws<TimeoutException>(tls.DoHandshake);
            Assert.Equal("The handshake operation timed out", e.Message);
            Assert.Equal(SocketError.TimedOut, Assert.IsType<SocketException>(e.InnerException).SocketErrorCode);
        }
    }

    [Fact]
    public void SocketsResumeThroughTheServerContext()
    {
        SslContext clientCtx = ClientContext(), serverCtx = ServerContext();
        SslSession? session = null;
        for (int round = 0; round < 2; round++)
        {
            var (c, s) = SocketPair();
            Task<bool> server = Task.Factory.StartNew(
                () =>
                {
                    using SslSocket ssl = serverCtx.WrapSocket(s, serverSide: true);
                    ssl.Write("ticket time"u8.ToArray());
                    ssl.Read();
                    return ssl.SessionReused;
                },
                TaskCreationOptions.LongRunning);
            using SslSocket client = clientCtx.WrapSocket(c, serverHostname: "localhost", session: session);
            Assert.Equal("ticket time"u8.ToArray(), client.Read(11));
            Assert.Equal(round == 1, client.SessionReused);
            session = client.Session;
            Assert.True(session!.HasTicket);
            client.Write("bye"u8.ToArray());
            Assert.Equal(round == 1, Bounded(server));
        }

        Assert.Equal(1, serverCtx.SessionStats()["hits"]);
        Assert.Equal(2, serverCtx.SessionStats()["accept_good"]);
    }

    [Fact]
    public async Task TlsStreamResumesAndDisposesAsynchronously()
    {
        SslContext clientCtx = ClientContext(), serverCtx = ServerContext();
        SslSession? session = null;
        for (int round = 0; round < 2; round++)
        {
            var (c, s) = SocketPair();
            var client = new TlsStream(new NetworkStream(c, ownsSocket: true), clientCtx);
            var server = new TlsStream(new NetworkStream(s, ownsSocket: true), serverCtx);
            await Task.WhenAll(client.AuthenticateAsClientAsync("localhost", session), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);
            Assert.Equal(round == 1, client.Ssl!.SessionReused);
            await server.WriteAsync("x"u8.ToArray()).AsTask().WaitAsync(Timeout);
            byte[] one = new byte[1];
            Assert.Equal(1, await client.ReadAsync(one).AsTask().WaitAsync(Timeout));
            session = client.Ssl.Session;
            Assert.True(session!.HasTicket);

            // DisposeAsync sends close_notify: the server reads a clean end of stream.
            await client.DisposeAsync().AsTask().WaitAsync(Timeout);
            Assert.Equal(0, await server.ReadAsync(one).AsTask().WaitAsync(Timeout));
            await server.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        Assert.Equal(1, clientCtx.SessionStats()["hits"]);
    }

    [Fact]
    public async Task DisposeAsyncNeverThrowsOnADeadOrStuckPeer()
    {
        var (c, s) = SocketPair();
        var client = new TlsStream(new NetworkStream(c, ownsSocket: true), ClientContext());
        var server = new TlsStream(new NetworkStream(s, ownsSocket: true), ServerContext());
        await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);
        await server.DisposeAsync();
        c.Shutdown(SocketShutdown.Both);
        await client.DisposeAsync().AsTask().WaitAsync(Timeout);

        // A transport whose writes never complete: DisposeAsync gives up after the bound.
        var (c2, s2) = SocketPair();
        using (s2)
        {
            var stuck = new StuckStream(new NetworkStream(c2, ownsSocket: true));
            var client2 = new TlsStream(stuck, ClientContext());
            var server2 = new TlsStream(new NetworkStream(s2, ownsSocket: false), ServerContext(), leaveInnerStreamOpen: true);
            await Task.WhenAll(client2.AuthenticateAsClientAsync("localhost"), server2.AuthenticateAsServerAsync()).WaitAsync(Timeout);
            stuck.Stuck = true;
            client2.CloseNotifyTimeout = TimeSpan.FromMilliseconds(200);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await client2.DisposeAsync().AsTask().WaitAsync(Timeout);
            Assert.InRange(watch.ElapsedMilliseconds, 0, 5000);
            server2.Dispose();
        }
    }

    /// <summary>A stream whose writes hang, ignoring cancellation, once <see cref="Stuck"/> is set.</summary>
    private sealed class StuckStream(Stream inner) : DelegatingStream(inner)
    {
        public bool Stuck { get; set; }

        public override Task FlushAsync(CancellationToken cancellationToken) => Stuck ? new TaskCompletionSource().Task : base.FlushAsync(cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Stuck ? new TaskCompletionSource().Task : base.WriteAsync(buffer, offset, count, cancellationToken);
    }
}
