using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslSocket"/>'s life as Python's <c>SSLSocket</c>: wrapped unconnected and then connected, wrapped
/// listening and accepting, <c>shutdown</c>, <c>close</c> against <c>unwrap</c>, <c>sendfile</c> and <c>fileno</c>.
/// One script of steps runs in the live python3 and on ManagedTls; both print the same lines, recorded below
/// (Python 3.11.7, OpenSSL 3.0, Linux), Python's <c>ValueError</c> standing for <see cref="InvalidOperationException"/>
/// or <see cref="ArgumentException"/> and <c>OSError ENOTCONN</c> for a <see cref="SocketException"/> of that kind.
/// </summary>
public sealed class SocketLifecycleTests : IDisposable
{
    private const string Recorded = """
        unconnected version None
        unconnected read OSError ENOTCONN
        connect TLSv1.3
        read b'hi'
        accept True TLSv1.3 True True
        connect twice ValueError attempt to connect already-connected SSLSocket!
        connect_ex twice ValueError attempt to connect already-connected SSLSocket!
        server connect ValueError can't connect in server-side mode
        server connect_ex ValueError can't connect in server-side mode
        connect refused OSError ECONNREFUSED
        connect_ex refused ECONNREFUSED
        connect after connect_ex ValueError attempt to connect already-connected SSLSocket!
        connect without handshake None
        read b'hi'
        accept without handshake None
        shutdown version None None 0
        shutdown read ValueError Read on closed or unwrapped SSL socket.
        shutdown write ValueError Write on closed or unwrapped SSL socket.
        shutdown peer SSLEOFError
        close peer SSLEOFError
        fileno closed -1
        unwrap peer b''
        sendfile (94000, 95000)
        sendfile data True
        sendfile count 0 ValueError count must be a positive integer (got 0)
        sendfile beyond (0, 200000)
        sendfile to the end (100, 102400)
        sendfile non-blocking ValueError non-blocking sockets are not supported
        """;

    private const string PythonScript = """
        import errno, os, tempfile
        def kind(e):
            if isinstance(e, ssl.SSLError): return type(e).__name__
            if isinstance(e, OSError) and e.errno: return 'OSError ' + errno.errorcode[e.errno]
            return type(e).__name__ + ' ' + str(e)
        def tryp(label, f):
            try: r = f()
            except Exception as e: r = kind(e)
            print(label, r)
        l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(5); addr = l.getsockname()
        ls = sctx.wrap_socket(l, server_side=True)
        acc = []
        def serve(hs=True):
            ls.do_handshake_on_connect = hs
            def run():
                c, a = ls.accept(); acc.append((c, a, c.version()))
                if not hs: c.do_handshake()
                c.sendall(b'hi')
            t = threading.Thread(target=run); t.start(); return t
        t = serve()
        s = cctx.wrap_socket(socket.socket(), server_hostname='localhost')
        print('unconnected version', s.version())
        tryp('unconnected read', lambda: s.recv(1))
        tryp('connect', lambda: (s.connect(addr), s.version())[1])
        tryp('read', lambda: s.recv(2))
        t.join(); c, a, v = acc.pop()
        print('accept', c.server_side, v, c.context is sctx, a == s.getsockname())
        tryp('connect twice', lambda: s.connect(addr))
        tryp('connect_ex twice', lambda: s.connect_ex(addr))
        s.close(); c.close()
        ss = sctx.wrap_socket(socket.socket(), server_side=True)
        tryp('server connect', lambda: ss.connect(addr))
        tryp('server connect_ex', lambda: ss.connect_ex(addr))
        ss.close()
        p = socket.socket(); p.bind(('127.0.0.1', 0)); dead = p.getsockname(); p.close()
        s = cctx.wrap_socket(socket.socket(), server_hostname='localhost')
        tryp('connect refused', lambda: s.connect(dead))
        s.close()
        s = cctx.wrap_socket(socket.socket(), server_hostname='localhost')
        tryp('connect_ex refused', lambda: errno.errorcode[s.connect_ex(dead)])
        tryp('connect after connect_ex', lambda: s.connect(addr))
        s.close()
        t = serve(False)
        s = cctx.wrap_socket(socket.socket(), server_hostname='localhost', do_handshake_on_connect=False)
        tryp('connect without handshake', lambda: (s.connect_ex(addr), s.version())[1])
        s.do_handshake(); tryp('read', lambda: s.recv(2)); t.join()
        c, a, v = acc.pop(); print('accept without handshake', v); s.close(); c.close()
        cs, ss, _ = pair(); ss.suppress_ragged_eofs = False
        cs.shutdown(socket.SHUT_RDWR)
        print('shutdown version', cs.version(), cs.cipher(), cs.pending())
        tryp('shutdown read', lambda: cs.read(1))
        tryp('shutdown write', lambda: cs.write(b'x'))
        tryp('shutdown peer', lambda: ss.recv(1))
        cs.close(); ss.close()
        cs, ss, _ = pair(); ss.suppress_ragged_eofs = False
        cs.close(); tryp('close peer', lambda: ss.recv(1)); print('fileno closed', cs.fileno()); ss.close()
        cs, ss, _ = pair()
        t = threading.Thread(target=lambda: (acc.append(ss.recv(1)), ss.unwrap())); t.start()
        cs.unwrap(); t.join(); print('unwrap peer', acc.pop()); cs.close(); ss.close()
        blob = bytes(range(256)) * 400
        fd, path = tempfile.mkstemp(); os.write(fd, blob); os.close(fd)
        cs, ss, _ = pair(); got = bytearray()
        def rd(n):
            while len(got) < n: got.extend(ss.recv(65536))
        f = open(path, 'rb')
        t = threading.Thread(target=rd, args=(94000,)); t.start()
        tryp('sendfile', lambda: (cs.sendfile(f, 1000, 94000), f.tell())); t.join()
        print('sendfile data', bytes(got) == blob[1000:95000])
        tryp('sendfile count 0', lambda: cs.sendfile(f, 0, 0))
        tryp('sendfile beyond', lambda: (cs.sendfile(f, 200000), f.tell()))
        got.clear(); t = threading.Thread(target=rd, args=(100,)); t.start()
        tryp('sendfile to the end', lambda: (cs.sendfile(f, 102300), f.tell())); t.join()
        cs.setblocking(False); tryp('sendfile non-blocking', lambda: cs.sendfile(f))
        f.close(); os.remove(path); cs.close(); ss.close()
        """;

    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LifecycleMatchesRecordedPython()
    {
        Assert.Equal(Recorded.Split('\n'), Ours().ToArray());
    }

    [Fact]
    public void LifecycleMatchesLivePython()
    {
        Assert.Equal(Recorded.Split('\n'), FacadePeers.Python(_dir, PythonScript).Split('\n'));
    }

    [Fact]
    public void BlockingUnconnectedSocketConnectsByNameAndRunsTheHandshake()
    {
        using var listener = Listener(out SslContext serverContext, out EndPoint address);
        Task<string> server = FacadePeers.Run(() =>
        {
            var (connection, _) = listener.Accept();
            using (connection)
            {
                return Encoding.ASCII.GetString(FacadePeers.ReadExactly(connection, 4));
            }
        });

        // No timeout: the blocking path of connect, with the name resolved to the socket's family.
        using SslSocket client = WrapKeys.ClientContext(_dir).WrapSocket(NewSocket(), serverHostname: "localhost");
        Assert.Null(client.GetTimeout());
        Task connect = FacadePeers.Run(() => client.Connect("localhost", ((IPEndPoint)address).Port));
        FacadePeers.Wait(connect);
        Assert.Equal("TLSv1.3", client.Version());
        Assert.True(client.DoHandshakeOnConnect);
        client.Write(Encoding.ASCII.GetBytes("ping"));
        Assert.Equal("ping", FacadePeers.Wait(server));
        Assert.Equal(address, client.RemoteEndPoint);
    }

    [Fact]
    public void ConnectExReturnsZeroAndAFailedConnectMayBeRetried()
    {
        EndPoint dead = DeadAddress();
        using var listener = Listener(out _, out EndPoint address);
        Task<SslSocket> server = FacadePeers.Run(() => listener.Accept().Connection);
        using SslSocket client = WrapKeys.ClientContext(_dir).WrapSocket(NewSocket(timeoutMs: 10000), serverHostname: "localhost");
        var refused = Assert.Throws<SocketException>(() => client.Connect(dead));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        // Connect threw, so (as in Python) this object may connect again; the socket underneath is new to .NET's eyes
        // only on platforms that allow a second connect, so use a fresh one when the first refuses.
        SslSocket target = client;
        SslSocket? second = null;
        try
        {
            Assert.Equal(0, client.ConnectEx(address));
        }
        catch (Exception e) when (e is SocketException or PlatformNotSupportedException)
        {
            second = WrapKeys.ClientContext(_dir).WrapSocket(NewSocket(timeoutMs: 10000), serverHostname: "localhost");
            Assert.Equal(0, second.ConnectEx(address));
            target = second;
        }

        using (second)
        using (SslSocket accepted = FacadePeers.Wait(server))
        {
            Assert.Equal("TLSv1.3", target.Version());
            accepted.Write([1, 2, 3]);
            Assert.Equal(new byte[] { 1, 2, 3 }, FacadePeers.ReadExactly(target, 3));
        }
    }

    [Fact]
    public void AcceptWithATimeoutTimesOutAndAFailedHandshakeIsThrown()
    {
        using var listener = Listener(out _, out EndPoint address);
        listener.SetTimeout(0.3);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var timedOut = Assert.Throws<TimeoutException>(() => listener.Accept());
        Assert.Equal("timed out", timedOut.Message);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.25, 5);

        // A client that sends no TLS: the accepted connection's handshake fails and Accept throws it.
        listener.SetTimeout(FacadePeers.Bound.TotalSeconds);
        using var raw = NewSocket(timeoutMs: 10000);
        raw.Connect(address);
        raw.Send(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"));
        Assert.ThrowsAny<SslException>(() => listener.Accept());
    }

    [Fact]
    public void AcceptOnANonBlockingListenerWantsAConnection()
    {
        using var listener = Listener(out _, out _);
        listener.SetBlocking(false);
        var e = Assert.Throws<SocketException>(() => listener.Accept());
        Assert.Equal(SocketError.WouldBlock, e.SocketErrorCode);
    }

    [Fact]
    public void FilenoIsTheSocketHandle()
    {
        var (client, server) = FacadePeers.Sockets(_dir);
        using (server)
        {
            Assert.Equal(client.Socket!.Handle.ToInt64(), client.Fileno());
            Assert.True(client.Fileno() > 0);
            client.Close();
            Assert.Equal(-1, client.Fileno());
            Assert.Null(client.Socket);
        }
    }

    [Fact]
    public void CloseSendsNoCloseNotifyAndDisposeSendsIt()
    {
        SslContext strict = WrapKeys.ServerContext(_dir);
        foreach (bool dispose in new[] { false, true })
        {
            var (c, s) = WrapKeys.LoopbackSockets(10000);
            SslSocket server = strict.WrapSocket(s, serverSide: true, doHandshakeOnConnect: false, suppressRaggedEofs: false);
            SslSocket client = WrapKeys.ClientContext(_dir).WrapSocket(c, doHandshakeOnConnect: false, serverHostname: "localhost");
            using (server)
            {
                Task handshake = FacadePeers.Run(server.DoHandshake);
                client.DoHandshake();
                FacadePeers.Wait(handshake);
                RoundTrip(client, server);
                if (dispose)
                {
                    client.Dispose();
                    Assert.Empty(server.Read(10));
                }
                else
                {
                    client.Close();
                    Assert.Throws<SslEofException>(() => server.Read(10));
                }
            }
        }
    }

    [Fact]
    public void ShutdownOneWayStillDropsTls()
    {
        var (client, server) = FacadePeers.Sockets(_dir);
        using (client)
        using (server)
        {
            client.Shutdown(SocketShutdown.Send);
            Assert.Empty(server.Read(10));
            Assert.Equal("No SSL wrapper around the socket", Assert.Throws<InvalidOperationException>(() => client.Unwrap()).Message);
            Assert.Equal("No SSL wrapper around the socket", Assert.Throws<InvalidOperationException>(client.DoHandshake).Message);
            Assert.NotNull(client.Socket);
            client.Dispose();
            Assert.Throws<ObjectDisposedException>(() => client.Shutdown(SocketShutdown.Both));
        }
    }

    private IEnumerable<string> Ours()
    {
        SslContext serverContext = WrapKeys.ServerContext(_dir);
        SslContext clientContext = WrapKeys.ClientContext(_dir);
        using var listenSocket = NewSocket();
        listenSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listenSocket.Listen(5);
        EndPoint addr = listenSocket.LocalEndPoint!;
        using SslSocket ls = serverContext.WrapSocket(listenSocket, serverSide: true);
        ls.SetTimeout(FacadePeers.Bound.TotalSeconds);

        SslSocket NewClient(bool handshake = true) =>
            clientContext.WrapSocket(NewSocket(timeoutMs: 10000), serverHostname: "localhost", doHandshakeOnConnect: handshake);

        // The accepting side as Python's serve(): accept, note the version, (handshake,) send "hi".
        Task<(SslSocket C, EndPoint A, string? V)> Serve(SslSocket listener)
        {
            return FacadePeers.Run(() =>
            {
                var (c, a) = listener.Accept();
                string? v = c.Version();
                if (!listener.DoHandshakeOnConnect)
                {
                    c.DoHandshake();
                }

                c.Write(Encoding.ASCII.GetBytes("hi"));
                return (c, a, v);
            });
        }

        var t = Serve(ls);
        SslSocket s = NewClient();
        yield return "unconnected version " + Py(s.Version());
        yield return Line("unconnected read", () => s.Read(1));
        yield return Line("connect", () => { s.Connect(addr); return s.Version(); });
        yield return Line("read", () => s.Read(2));
        var (c, a, v) = FacadePeers.Wait(t);
        yield return $"accept {Py(c.ServerSide)} {v} {Py(ReferenceEquals(c.Context, serverContext))} {Py(a.Equals(s.Socket!.LocalEndPoint))}";
        yield return Line("connect twice", () => { s.Connect(addr); return null; });
        yield return Line("connect_ex twice", () => s.ConnectEx(addr));
        s.Close();
        c.Close();

        SslSocket ss = serverContext.WrapSocket(NewSocket(), serverSide: true);
        yield return Line("server connect", () => { ss.Connect(addr); return null; });
        yield return Line("server connect_ex", () => ss.ConnectEx(addr));
        ss.Close();

        EndPoint dead = DeadAddress();
        s = NewClient();
        yield return Line("connect refused", () => { s.Connect(dead); return null; });
        s.Close();
        s = NewClient();
        yield return Line("connect_ex refused", () => Errno(s.ConnectEx(dead)));
        yield return Line("connect after connect_ex", () => { s.Connect(addr); return null; });
        s.Close();

        SslSocket lsNoHandshake = serverContext.WrapSocket(ls.Socket!, serverSide: true, doHandshakeOnConnect: false);
        lsNoHandshake.SetTimeout(FacadePeers.Bound.TotalSeconds);
        t = Serve(lsNoHandshake);
        s = NewClient(handshake: false);
        yield return Line("connect without handshake", () => { s.ConnectEx(addr); return s.Version(); });
        s.DoHandshake();
        yield return Line("read", () => s.Read(2));
        (c, _, v) = FacadePeers.Wait(t);
        yield return "accept without handshake " + Py(v);
        s.Close();
        c.Close();

        var (cs, server) = PairStrictServer();
        cs.Shutdown(SocketShutdown.Both);
        yield return $"shutdown version {Py(cs.Version())} {Py(cs.Cipher())} {cs.Pending()}";
        yield return Line("shutdown read", () => cs.Read(1));
        yield return Line("shutdown write", () => cs.Write([1]));
        yield return Line("shutdown peer", () => server.Read(1));
        cs.Close();
        server.Close();

        (cs, server) = PairStrictServer();
        cs.Close();
        yield return Line("close peer", () => server.Read(1));
        yield return "fileno closed " + cs.Fileno();
        server.Close();

        (cs, server) = FacadePeers.Sockets(_dir);
        var peerRead = FacadePeers.Run(() =>
        {
            byte[] got = server.Read(1);
            server.Unwrap().Dispose();
            return got;
        });
        cs.Unwrap().Dispose();
        yield return "unwrap peer " + Py(FacadePeers.Wait(peerRead));
        cs.Close();
        server.Close();

        byte[] blob = Enumerable.Range(0, 102400).Select(i => (byte)i).ToArray();
        string path = Path.Combine(_dir, "blob.bin");
        File.WriteAllBytes(path, blob);
        (cs, server) = FacadePeers.Sockets(_dir);
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            var got = FacadePeers.Run(() => FacadePeers.ReadExactly(server, 94000));
            yield return Line("sendfile", () => $"({cs.SendFile(f, 1000, 94000)}, {f.Position})");
            yield return "sendfile data " + Py(FacadePeers.Wait(got).AsSpan().SequenceEqual(blob.AsSpan(1000, 94000)));
            yield return Line("sendfile count 0", () => cs.SendFile(f, 0, 0));
            yield return Line("sendfile beyond", () => $"({cs.SendFile(f, 200000)}, {f.Position})");
            got = FacadePeers.Run(() => FacadePeers.ReadExactly(server, 100));
            yield return Line("sendfile to the end", () => $"({cs.SendFile(path, 102300)}, {new FileInfo(path).Length})");
            Assert.Equal(blob.AsSpan(102300).ToArray(), FacadePeers.Wait(got));
            cs.SetBlocking(false);
            yield return Line("sendfile non-blocking", () => cs.SendFile(f));
        }

        cs.Close();
        server.Close();
    }

    // A pair whose server reports an end without close_notify (Python: ss.suppress_ragged_eofs = False).
    private (SslSocket Client, SslSocket Server) PairStrictServer()
    {
        var (c, s) = WrapKeys.LoopbackSockets(10000);
        SslSocket server = WrapKeys.ServerContext(_dir).WrapSocket(s, serverSide: true, doHandshakeOnConnect: false, suppressRaggedEofs: false);
        SslSocket client = WrapKeys.ClientContext(_dir).WrapSocket(c, doHandshakeOnConnect: false, serverHostname: "localhost");
        Task handshake = FacadePeers.Run(server.DoHandshake);
        client.DoHandshake();
        FacadePeers.Wait(handshake);
        RoundTrip(client, server);
        return (client, server);
    }

    // The client reads what the server sent after the handshake (its tickets), so that closing the client's socket
    // sends FIN and not RST (a socket closed with unread input is reset, which is a transport failure, not an end).
    private static void RoundTrip(SslSocket client, SslSocket server)
    {
        server.Write([7]);
        Assert.Equal(new byte[] { 7 }, client.Read(1));
    }

    private SslSocket Listener(out SslContext serverContext, out EndPoint address)
    {
        serverContext = WrapKeys.ServerContext(_dir);
        Socket socket = NewSocket();
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(5);
        address = socket.LocalEndPoint!;
        SslSocket listener = serverContext.WrapSocket(socket, serverSide: true);
        listener.SetTimeout(FacadePeers.Bound.TotalSeconds);
        return listener;
    }

    private static Socket NewSocket(int timeoutMs = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.ReceiveTimeout = timeoutMs;
        socket.SendTimeout = timeoutMs;
        return socket;
    }

    private static EndPoint DeadAddress()
    {
        using var probe = NewSocket();
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return probe.LocalEndPoint!;
    }

    // Python's errno.errorcode for the one number this script meets.
    private static string Errno(int code) =>
        code == (OperatingSystem.IsWindows() ? 10061 : OperatingSystem.IsMacOS() ? 61 : 111) ? "ECONNREFUSED" : code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Line(string label, Func<object?> call)
    {
        object? result;
        try
        {
            result = call();
        }
        catch (Exception e)
        {
            return label + " " + Kind(e);
        }

        return label + " " + Py(result);
    }

    private static string Kind(Exception e) => e switch
    {
        SslEofException => "SSLEOFError",
        SslException ssl => ssl.GetType().Name,
        SocketException { SocketErrorCode: SocketError.NotConnected } => "OSError ENOTCONN",
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "OSError ECONNREFUSED",
        ObjectDisposedException => e.ToString(),
        InvalidOperationException or ArgumentException => "ValueError " + (e is ArgumentException a && a.ParamName is not null ? a.Message[..a.Message.IndexOf(" (Parameter", StringComparison.Ordinal)] : e.Message),
        _ => e.ToString(),
    };

    private static string Py(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        byte[] bytes => "b'" + Encoding.ASCII.GetString(bytes) + "'",
        _ => value.ToString()!,
    };
}
