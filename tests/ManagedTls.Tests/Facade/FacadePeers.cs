using System.Diagnostics;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Connected facade peers over loopback TCP for the concurrency, timeout and disposal tests, with the raw sockets
/// underneath, and the helpers those tests share: a bound on every wait, and a peer whose window is full.
/// </summary>
internal static class FacadePeers
{
    /// <summary>The most any single step of these tests may take on a loaded machine.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// What every Python check of these tests starts with: the WrapKeys contexts from <c>d</c> (<c>sctx</c>, <c>cctx</c>),
    /// <c>raw()</c> for a loopback TCP pair, and <c>pair(timeout, sndbuf)</c> for a wrapped client and server (the client
    /// with the timeout and send buffer given) and the server's raw socket.
    /// </summary>
    private const string PythonPrelude = """
        import ssl, socket, threading, time, re
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
        cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.load_verify_locations(d + '/cert.pem')
        def raw():
            l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
            c = socket.create_connection(l.getsockname()); s, _ = l.accept(); l.close(); return c, s
        def pair(timeout=None, sndbuf=None):
            c, s = raw(); box = {}
            if sndbuf: c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
            t = threading.Thread(target=lambda: box.__setitem__('s', sctx.wrap_socket(s, server_side=True))); t.start()
            c.settimeout(timeout); cs = cctx.wrap_socket(c, server_hostname='localhost'); t.join(); return cs, box['s'], s

        """;

    /// <summary>Runs <paramref name="script"/> in the live python3 after <see cref="PythonPrelude"/>, with the key files in <paramref name="dir"/>.</summary>
    public static string Python(string dir, string script) =>
        PythonOracle.Run("d = " + ContextConfigTests.Py(dir) + "\n" + PythonPrelude + script)!.Replace("\r", string.Empty, StringComparison.Ordinal);

    /// <summary>A <see cref="SslSocket"/> client and server, the handshake done (or not), with the given timeout on both.</summary>
    public static (SslSocket Client, SslSocket Server) Sockets(
        string dir, double? timeout = 10, bool handshake = true, SslContext? clientContext = null, SslContext? serverContext = null)
    {
        var (c, s) = WrapKeys.LoopbackSockets(0);
        SslSocket server = (serverContext ?? WrapKeys.ServerContext(dir)).WrapSocket(s, serverSide: true, doHandshakeOnConnect: false);
        SslSocket client = (clientContext ?? WrapKeys.ClientContext(dir)).WrapSocket(c, doHandshakeOnConnect: false, serverHostname: "localhost");
        if (handshake)
        {
            // The handshake gets the generous bound (the machine may be loaded); the timeout asked for applies after it.
            client.SetTimeout(Bound.TotalSeconds);
            server.SetTimeout(Bound.TotalSeconds);
            Task serverHandshake = Run(server.DoHandshake);
            client.DoHandshake();
            Wait(serverHandshake);
        }

        client.SetTimeout(timeout);
        server.SetTimeout(timeout);
        return (client, server);
    }

    /// <summary>A <see cref="TlsStream"/> client and server over loopback, authenticated; the client's transport may be wrapped.</summary>
    public static async Task<(TlsStream Client, TlsStream Server, Socket ClientSocket, Socket ServerSocket)> StreamsAsync(
        string dir, Func<Stream, Stream>? wrapClient = null, bool authenticate = true)
    {
        var (c, s) = WrapKeys.LoopbackSockets(0);
        Stream clientInner = new NetworkStream(c, ownsSocket: true);
        var client = new TlsStream(wrapClient is null ? clientInner : wrapClient(clientInner), WrapKeys.ClientContext(dir));
        var server = new TlsStream(new NetworkStream(s, ownsSocket: true), WrapKeys.ServerContext(dir));
        if (authenticate)
        {
            await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Bound);
        }

        return (client, server, c, s);
    }

    /// <summary>
    /// Makes <paramref name="socket"/>'s peer's receive window and its own send buffer full by sending raw bytes
    /// without blocking until the kernel takes no more (the peer must not be reading). The socket is left blocking.
    /// </summary>
    public static void FillWindow(Socket socket, Socket peer)
    {
        peer.ReceiveBufferSize = 4096;
        socket.SendBufferSize = 4096;
        socket.Blocking = false;
        byte[] junk = new byte[64 * 1024];
        var watch = Stopwatch.StartNew();
        int refusals = 0;
        while (refusals < 3)
        {
            Assert.True(watch.Elapsed < Bound, "the window did not fill");
            socket.Send(junk, 0, junk.Length, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                // The window may open a little as the peer's kernel catches up; three refusals in a row mean full.
                refusals++;
                Thread.Sleep(50);
            }
            else
            {
                Assert.Equal(SocketError.Success, error);
                refusals = 0;
            }
        }

        socket.Blocking = true;
    }

    /// <summary>Waits for <paramref name="task"/> within <see cref="Bound"/>, rethrowing its exception.</summary>
    public static void Wait(Task task)
    {
        Assert.True(task.Wait(Bound), "did not finish within the bound");
    }

    /// <summary>Waits for <paramref name="task"/> within <see cref="Bound"/> and returns its result.</summary>
    public static T Wait<T>(Task<T> task)
    {
        Assert.True(task.Wait(Bound), "did not finish within the bound");
        return task.Result;
    }

    /// <summary>Whether every task finishes within <paramref name="bound"/> (exceptions are left in the tasks).</summary>
    public static bool Finish(TimeSpan bound, params Task[] tasks)
    {
        try
        {
            return Task.WaitAll(tasks, bound);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    /// <summary>Runs <paramref name="action"/> on its own thread and returns what it threw, or null.</summary>
    public static Task<Exception?> Catch(Action action) => Run<Exception?>(() => Xunit.Record.Exception(action));

    /// <summary>Starts <paramref name="action"/> on its own thread.</summary>
    public static Task Run(Action action) => Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Starts <paramref name="func"/> on its own thread.</summary>
    public static Task<T> Run<T>(Func<T> func) => Task.Factory.StartNew(func, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Spins (with short sleeps) until <paramref name="condition"/> holds, within <see cref="Bound"/>.</summary>
    public static void Until(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Bound, what);
            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// Makes <paramref name="ssl"/> non-blocking with a small send buffer and writes a random 16 KiB chunk (from
    /// <paramref name="seed"/>) while its peer does not read, until a write wants write: that write is interrupted, its
    /// data taken. Returns the chunk and the bytes written before it.
    /// </summary>
    public static (byte[] Chunk, long Sent) InterruptWrite(SslSocket ssl, int seed)
    {
        ssl.SetBlocking(false);
        ssl.Socket!.SendBufferSize = 4096;
        byte[] chunk = new byte[16384];
        new Random(seed).NextBytes(chunk);
        long sent = 0;
        while (true)
        {
            try
            {
                sent += ssl.Write(chunk);
            }
            catch (SslWantWriteException)
            {
                return (chunk, sent);
            }

            Assert.True(sent < 64 << 20, "the write never wanted write");
        }
    }

    /// <summary>Calls a non-blocking <paramref name="call"/> again after want-read or want-write until it returns, within <see cref="Bound"/>.</summary>
    public static T Retry<T>(Func<T> call)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return call();
            }
            catch (Exception e) when (e is SslWantReadException or SslWantWriteException)
            {
                Assert.True(watch.Elapsed < Bound, "the call never completed");
                Thread.Sleep(2);
            }
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes from <paramref name="ssl"/>.</summary>
    public static byte[] ReadExactly(SslSocket ssl, int count)
    {
        byte[] buffer = new byte[count];
        int done = 0;
        while (done < count)
        {
            int n = ssl.Read(buffer, done, count - done);
            Assert.NotEqual(0, n);
            done += n;
        }

        return buffer;
    }
}
