using System.Diagnostics;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslSocket"/>'s timeout is a deadline for a whole operation, as in Python 3.5+: a peer trickling one byte
/// at a time cannot keep <see cref="SslSocket.DoHandshake"/> or <see cref="SslSocket.Read(int)"/> alive past it. The
/// texts are Python's, per operation; a socket's own timeout is taken over when wrapping and given back by unwrap.
/// A write retried with other data after want-write is OpenSSL's bad write retry.
/// </summary>
public sealed class SocketDeadlineTests : IDisposable
{
    // Python 3.11.7 / OpenSSL 3.0, timeouts of 0.5 s (0.3 s for the silent peers), trickling one byte every 0.1 s for
    // 10 s: "in time" is within 4 s.
    private const string RecordedTimeouts =
        "handshake, peer trickling: TimeoutError The handshake operation timed out, in time\n" +
        "read, peer trickling: TimeoutError The read operation timed out, in time\n" +
        "write, peer not reading: TimeoutError The write operation timed out, in time\n" +
        "unwrap, peer silent: TimeoutError The read operation timed out, in time\n" +
        "adopted 0.7, after unwrap 0.7";

    private const string TimeoutsScript = """
        stop = []
        def trickle(sock, data):
            for b in data:
                if stop: return
                try: sock.send(bytes([b]))
                except OSError: return
                time.sleep(0.1)
        def report(label, f):
            start = time.monotonic()
            try: f(); r = 'no error'
            except Exception as e: r = type(e).__name__ + ' ' + re.sub(r'^_ssl\.c:\d+: ', '', str(e))
            print(label + ': ' + r + (', in time' if time.monotonic() - start < 4 else ', late'))
        c, s = raw(); c.settimeout(0.5)
        t = threading.Thread(target=trickle, args=(s, bytes.fromhex('1603034000') + bytes(100))); t.start()
        report('handshake, peer trickling', lambda: cctx.wrap_socket(c, server_hostname='localhost'))
        stop.append(1); t.join(); stop.clear()
        cs, ss, sraw = pair(0.5)
        t = threading.Thread(target=trickle, args=(sraw, bytes.fromhex('1703034000') + bytes(100))); t.start()
        report('read, peer trickling', lambda: cs.recv(10))
        stop.append(1); t.join(); stop.clear()
        cs, ss, sraw = pair(0.3)
        report('write, peer not reading', lambda: [cs.sendall(bytes(1 << 20)) for i in range(64)])
        cs, ss, sraw = pair(0.3)
        report('unwrap, peer silent', cs.unwrap)
        cs, ss, sraw = pair(0.7)
        a = cs.gettimeout(); t = threading.Thread(target=lambda: (ss.recv(1), ss.unwrap())); t.start()
        plain = cs.unwrap(); t.join()
        print('adopted %s, after unwrap %s' % (a, plain.gettimeout()))
        """;

    // Python 3.11.7 / OpenSSL 3.0 (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER): a non-blocking write interrupted by want-write,
    // retried once the peer reads. Python sends the first data for other data of the same length, and appends the
    // extra bytes for longer data; shorter data fails the connection.
    private const string RecordedRetries =
        "same data: returns 16384, the peer gets the first data\n" +
        "other data of the same length: returns 16384, the peer gets the first data\n" +
        "longer data: returns 16484, the peer gets the first data and the extra bytes\n" +
        "shorter data: SSLError BAD_LENGTH";

    private const string RetriesScript = """
        first = bytes(range(256)) * 64
        for label, retry in [('same data', first), ('other data of the same length', bytes(len(first))),
                             ('longer data', first + b'x' * 100), ('shorter data', first[:100])]:
            cs, ss, _ = pair(sndbuf=4096); cs.setblocking(False); sent = 0
            while True:
                try: sent += cs.write(first)
                except ssl.SSLWantWriteError: break
            got = bytearray(); done = []
            def drain():
                ss.settimeout(0.05)
                while not done or len(got) < sent:
                    try: got.extend(ss.recv(65536))
                    except socket.timeout: pass
                    except OSError: return
            t = threading.Thread(target=drain); t.start()
            result = None
            for i in range(500):
                try: n = cs.write(retry); result = 'returns %d' % n; break
                except ssl.SSLWantWriteError: time.sleep(0.01)
                except ssl.SSLError as e: result = 'SSLError ' + e.reason; break
            if result.startswith('returns'):
                end = time.monotonic() + 3
                while len(got) < sent + n and time.monotonic() < end: time.sleep(0.01)
                tail = bytes(got[sent:sent + n])
                result += ', the peer gets ' + ('the first data' if tail == first else 'the first data and the extra bytes' if tail == first + retry[len(first):] else 'other bytes')
            done.append(1); cs.close(); ss.close(); t.join()
            print(label + ': ' + result)
        """;

    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TimeoutsAreDeadlinesWithPythonsTexts()
    {
        var lines = new List<string>();

        // A server that sends a record header and then one byte every 50 ms, for ever.
        var (c, s) = WrapKeys.LoopbackSockets(0);
        using (s)
        using (SslSocket client = WrapKeys.ClientContext(_dir).WrapSocket(c, doHandshakeOnConnect: false, serverHostname: "localhost"))
        using (Trickle(s, [0x16, 0x03, 0x03, 0x40, 0x00]))
        {
            client.SetTimeout(0.5);
            lines.Add("handshake, peer trickling: " + Outcome(client.DoHandshake));
        }

        var (client2, server2) = FacadePeers.Sockets(_dir);
        using (client2)
        using (server2)
        using (Trickle(server2.Socket!, [0x17, 0x03, 0x03, 0x40, 0x00]))
        {
            client2.SetTimeout(0.5);
            lines.Add("read, peer trickling: " + Outcome(() => client2.Read(10)));
        }

        var (client3, server3) = FacadePeers.Sockets(_dir, timeout: 0.3);
        using (client3)
        using (server3)
        {
            byte[] chunk = new byte[1 << 20];
            lines.Add("write, peer not reading: " + Outcome(() =>
            {
                for (int i = 0; i < 64; i++)
                {
                    client3.Write(chunk);
                }
            }));
        }

        var (client4, server4) = FacadePeers.Sockets(_dir, timeout: 0.3);
        using (client4)
        using (server4)
        {
            lines.Add("unwrap, peer silent: " + Outcome(() => client4.Unwrap()));
        }

        // Python's wrap_socket takes over the socket's timeout, and unwrap gives the socket back with it.
        var (c5, s5) = WrapKeys.LoopbackSockets(0);
        c5.ReceiveTimeout = 700;
        c5.SendTimeout = 300;
        SslContext serverContext = WrapKeys.ServerContext(_dir);
        Task<SslSocket> accept = FacadePeers.Run(() => serverContext.WrapSocket(s5, serverSide: true));
        using (SslSocket client5 = WrapKeys.ClientContext(_dir).WrapSocket(c5, serverHostname: "localhost"))
        using (SslSocket server5 = FacadePeers.Wait(accept))
        {
            double? adopted = client5.GetTimeout();
            Task serverClose = FacadePeers.Run(() =>
            {
                server5.Read(1);
                server5.Unwrap().Dispose();
            });
            using Socket plain = client5.Unwrap();
            FacadePeers.Wait(serverClose);
            Assert.True(plain.Blocking);
            Assert.Equal(700, plain.SendTimeout);
            lines.Add(FormattableString.Invariant($"adopted {adopted}, after unwrap {plain.ReceiveTimeout / 1000.0}"));
        }

        Assert.Equal(RecordedTimeouts, string.Join("\n", lines));
    }

    [Fact]
    public void TimeoutsMatchLivePython()
    {
        Assert.Equal(RecordedTimeouts, FacadePeers.Python(_dir, TimeoutsScript));
    }

    [Fact]
    public void NonBlockingWriteRetriedWithOtherDataIsBadWriteRetry()
    {
        var (client, server) = FacadePeers.Sockets(_dir);
        using (client)
        using (server)
        {
            var (first, sent) = FacadePeers.InterruptWrite(client, seed: 11);

            // Ours: every retry that is not the same data is refused, and the connection stays usable.
            foreach (byte[] other in new[] { new byte[first.Length], first[..100], [.. first, .. new byte[100]] })
            {
                var e = Assert.Throws<SslException>(() => client.Write(other));
                Assert.Equal("BAD_WRITE_RETRY", e.Reason);
                Assert.Equal("[SSL: BAD_WRITE_RETRY] bad write retry", e.Message);
            }

            Task<byte[]> read = FacadePeers.Run(() => FacadePeers.ReadExactly(server, (int)sent + first.Length));
            int n = FacadePeers.Retry(() => client.Write(first));
            Assert.Equal(first.Length, n);
            byte[] got = FacadePeers.Wait(read);
            for (long i = 0; i < got.Length; i += first.Length)
            {
                Assert.Equal(first, got.AsSpan((int)i, first.Length).ToArray());
            }
        }
    }

    [Fact]
    public void WriteRetriesMatchLivePython()
    {
        Assert.Equal(RecordedRetries, FacadePeers.Python(_dir, RetriesScript));
    }

    // The exception's type and text in Python's terms, and whether it came within 4 s (the deadlines are 0.3-0.5 s; a
    // timeout per transport read would let the trickle go on for minutes).
    private static string Outcome(Action action)
    {
        var watch = Stopwatch.StartNew();
        Task<Exception?> run = FacadePeers.Catch(action);
        Assert.True(FacadePeers.Finish(TimeSpan.FromSeconds(8), run), "the operation outlived its deadline");
        string name = run.Result switch
        {
            null => "no error",
            TimeoutException t => "TimeoutError " + t.Message,
            Exception e => e.GetType().Name + " " + e.Message,
        };
        return name + (watch.Elapsed < TimeSpan.FromSeconds(4) ? ", in time" : ", late");
    }

    // Sends the bytes one by one, then zeros, every 50 ms until disposed.
    private static IDisposable Trickle(Socket socket, byte[] start)
    {
        var stop = new CancellationTokenSource();
        Task feeder = FacadePeers.Run(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested && i < 20_000; i++)
            {
                try
                {
                    socket.Send([i < start.Length ? start[i] : (byte)0]);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                stop.Token.WaitHandle.WaitOne(50);
            }
        });
        return new Stopper(stop, feeder);
    }

    private sealed class Stopper(CancellationTokenSource stop, Task feeder) : IDisposable
    {
        public void Dispose()
        {
            stop.Cancel();
            FacadePeers.Wait(feeder);
            stop.Dispose();
        }
    }
}
