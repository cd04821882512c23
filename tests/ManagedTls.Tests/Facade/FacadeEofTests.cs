using System.Diagnostics;
using System.Net.Sockets;
using ManagedTls.Ssl;
using ManagedTls.Tests.Connection;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// A close_notify during the handshake, and the end of the incoming queue at any point of a connection: the first
/// error is Python's, and after it (or after the end of input) no call answers want-read again. Python 3.11 answers
/// some later calls with want-read or <c>SSLSyscallError</c>; every later call here raises.
/// </summary>
public sealed class FacadeEofTests : IDisposable
{
    private static readonly byte[] CloseNotify = [0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00];

    // Python 3.11.7 with OpenSSL 3.0: the first error of each case and what the failing side sent.
    private const string Recorded =
        "server, close_notify before the ClientHello: SSLError UNEXPECTED_MESSAGE, sent 1503030002020a\n" +
        "client, close_notify in place of the ServerHello: SSLZeroReturnError, sent nothing\n" +
        "server, close_notify after the ClientHello: SSLZeroReturnError, sent nothing";

    private const string Script = """
        cn = bytes.fromhex('15030300020100')
        def first(label, o, out):
            try:
                o.do_handshake(); r = 'done'
            except ssl.SSLError as e:
                r = type(e).__name__ + (' ' + e.reason if type(e) is ssl.SSLError else '')
            print(label + ': ' + r + ', sent ' + (out.read().hex() or 'nothing'))
        i, o = ssl.MemoryBIO(), ssl.MemoryBIO(); s = sctx.wrap_bio(i, o, server_side=True); i.write(cn)
        first('server, close_notify before the ClientHello', s, o)
        i, o = ssl.MemoryBIO(), ssl.MemoryBIO(); c = cctx.wrap_bio(i, o, server_hostname='localhost')
        try: c.do_handshake()
        except ssl.SSLWantReadError: o.read()
        i.write(cn); first('client, close_notify in place of the ServerHello', c, o)
        ci, co = ssl.MemoryBIO(), ssl.MemoryBIO(); c = cctx.wrap_bio(ci, co, server_hostname='localhost')
        try: c.do_handshake()
        except ssl.SSLWantReadError: pass
        i, o = ssl.MemoryBIO(), ssl.MemoryBIO(); s = sctx.wrap_bio(i, o, server_side=True); i.write(co.read())
        try: s.do_handshake()
        except ssl.SSLWantReadError: o.read()
        i.write(cn); first('server, close_notify after the ClientHello', s, o)
        """;

    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CloseNotifyDuringTheHandshakeFailsAsPython()
    {
        var lines = new List<string>();

        SslObject server = WrapKeys.ServerContext(_dir).WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true);
        server.Incoming.Write(CloseNotify);
        lines.Add("server, close_notify before the ClientHello: " + FirstError(server));

        SslObject client = WrapKeys.ClientContext(_dir).WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost");
        Assert.Throws<SslWantReadException>(client.DoHandshake);
        client.Outgoing.Read();
        client.Incoming.Write(CloseNotify);
        lines.Add("client, close_notify in place of the ServerHello: " + FirstError(client));

        SslObject hello = WrapKeys.ClientContext(_dir).WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost");
        Assert.Throws<SslWantReadException>(hello.DoHandshake);
        SslObject server2 = WrapKeys.ServerContext(_dir).WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true);
        server2.Incoming.Write(hello.Outgoing.Read());
        Assert.Throws<SslWantReadException>(server2.DoHandshake);
        server2.Outgoing.Read();
        server2.Incoming.Write(CloseNotify);
        lines.Add("server, close_notify after the ClientHello: " + FirstError(server2));

        Assert.Equal(Recorded, string.Join("\n", lines));

        // Every later call raises, with more bytes or without, before and after the end of input.
        foreach (SslObject o in new[] { server, client, server2 })
        {
            AssertEveryCallRaises(o);
            o.Incoming.Write([0x16, 0x03, 0x01]);
            AssertEveryCallRaises(o);
            o.Incoming.WriteEof();
            AssertEveryCallRaises(o);
            o.Dispose();
        }
    }

    [Fact]
    public void CloseNotifyDuringTheHandshakeMatchesLivePython()
    {
        Assert.Equal(Recorded, FacadePeers.Python(_dir, Script));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SocketServerGettingCloseNotifyFirstRaisesAndAnswersAsPython(bool nonBlocking)
    {
        var (c, s) = WrapKeys.LoopbackSockets(10_000);
        using (c)
        using (SslSocket server = WrapKeys.ServerContext(_dir).WrapSocket(s, serverSide: true, doHandshakeOnConnect: false))
        {
            server.SetTimeout(nonBlocking ? 0 : FacadePeers.Bound.TotalSeconds);
            c.Send([.. CloseNotify, 0x16, 0x03, 0x01]);
            c.Shutdown(SocketShutdown.Send);
            var e = Assert.IsType<SslException>(FirstNotWantingRead(server.DoHandshake));
            Assert.Equal("UNEXPECTED_MESSAGE", e.Reason);
            byte[] alert = new byte[16];
            Assert.Equal(7, c.Receive(alert));
            Assert.Equal("1503030002020a", Convert.ToHexString(alert, 0, 7).ToLowerInvariant());
            AssertSocketCallsRaise(server);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SocketEndsWithoutAnyByteOrWithCloseNotifyInPlaceOfTheServerHello(bool nonBlocking)
    {
        // A server whose peer closes the TCP connection without a byte. With suppress_ragged_eofs (the default) read()
        // gives an empty result for that end, as Python's does; without it every call raises.
        foreach (bool suppress in new[] { false, true })
        {
            var (c, s) = WrapKeys.LoopbackSockets(10_000);
            using SslSocket server = WrapKeys.ServerContext(_dir).WrapSocket(s, serverSide: true, doHandshakeOnConnect: false, suppressRaggedEofs: suppress);
            server.SetTimeout(nonBlocking ? 0 : FacadePeers.Bound.TotalSeconds);
            c.Dispose();
            Assert.IsType<SslEofException>(FirstNotWantingRead(server.DoHandshake));
            if (suppress)
            {
                Assert.Empty(server.Read(10));
                Assert.Empty(server.Read(10));
            }
            else
            {
                AssertSocketCallsRaise(server);
            }
        }

        // A client that gets close_notify where the ServerHello should be (Python: SSLZeroReturnError).
        var (c2, s2) = WrapKeys.LoopbackSockets(10_000);
        using (s2)
        using (SslSocket client = WrapKeys.ClientContext(_dir).WrapSocket(c2, doHandshakeOnConnect: false, serverHostname: "localhost"))
        {
            client.SetTimeout(nonBlocking ? 0 : FacadePeers.Bound.TotalSeconds);
            s2.Send(CloseNotify);
            s2.Shutdown(SocketShutdown.Send);
            Assert.IsType<SslZeroReturnException>(FirstNotWantingRead(client.DoHandshake));
            AssertSocketCallsRaise(client);
        }
    }

    [Fact]
    public async Task StreamServerGettingCloseNotifyFirstRaisesAndKeepsRaising()
    {
        var (c, s) = WrapKeys.LoopbackSockets(10_000);
        using (c)
        await using (var server = new TlsStream(new NetworkStream(s, ownsSocket: true), WrapKeys.ServerContext(_dir)))
        {
            c.Send([.. CloseNotify, 0x16, 0x03, 0x01]);
            c.Shutdown(SocketShutdown.Send);
            var e = await Assert.ThrowsAsync<SslException>(() => server.AuthenticateAsServerAsync().WaitAsync(FacadePeers.Bound));
            Assert.Equal("UNEXPECTED_MESSAGE", e.Reason);
            for (int round = 0; round < 2; round++)
            {
                await Assert.ThrowsAsync<SslException>(() => server.ReadAsync(new byte[10], 0, 10).WaitAsync(FacadePeers.Bound));
                await Assert.ThrowsAsync<SslException>(() => server.WriteAsync(new byte[1], 0, 1).WaitAsync(FacadePeers.Bound));
                await Assert.ThrowsAsync<SslException>(() => server.ShutdownAsync().WaitAsync(FacadePeers.Bound));
                Assert.ThrowsAny<SslException>(() => server.Read(new byte[10], 0, 10));
            }
        }
    }

    public static TheoryData<bool, string> Cases()
    {
        var data = new TheoryData<bool, string>();
        foreach (bool serverVictim in new[] { true, false })
        {
            foreach (string extra in new[] { "nothing", "close_notify", "garbage" })
            {
                data.Add(serverVictim, extra);
            }
        }

        return data;
    }

    /// <summary>
    /// A connection (handshake, data both ways, close) whose bytes towards one side stop after n bytes, for cuts at
    /// the first bytes, at and around every record boundary and in between; then that side gets nothing more, a
    /// plaintext close_notify, or garbage; one call takes that in, a few more bytes follow, then the end of input. From
    /// then on no call answers want-read.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void AfterTheEndOfInputNothingWantsRead(bool serverVictim, string extra)
    {
        byte[] tail = extra switch
        {
            "close_notify" => CloseNotify,
            "garbage" => [0x17, 0x03, 0x03, 0x00, 0x05, 1, 2],
            _ => [],
        };

        // The stream towards the victim in a complete run gives the record boundaries.
        int total = Run(serverVictim, int.MaxValue, tail, out List<int> boundaries);
        var cuts = new SortedSet<int> { 0, 1, 2, 3, 4, 5 };
        foreach (int b in boundaries)
        {
            cuts.UnionWith([b - 1, b, b + 1, b + 5]);
        }

        for (int c = 0; c < total; c += 97)
        {
            cuts.Add(c);
        }

        int[] chosen = cuts.Where(c => c >= 0 && c <= total).ToArray();
        Assert.True(chosen.Length > 20, $"only {chosen.Length} cuts");
        foreach (int cut in chosen)
        {
            Run(serverVictim, cut, tail, out _);
        }
    }

    // Drives a client and a server over memory, delivering at most `cut` bytes to the victim; then the victim gets
    // `tail` and the end of input, and every call on it is checked. Returns how many bytes went to the victim.
    private int Run(bool serverVictim, int cut, byte[] tail, out List<int> boundaries)
    {
        SslObject client = WrapKeys.ClientContext(_dir).WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost");
        SslObject server = WrapKeys.ServerContext(_dir).WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true);
        SslObject victim = serverVictim ? server : client;
        SslObject other = serverVictim ? client : server;
        boundaries = [];
        int delivered = 0;
        bool ended = false;
        var done = new HashSet<SslObject>();
        var wrote = new HashSet<SslObject>();
        for (int step = 0; step < 50; step++)
        {
            Advance(client, done, wrote, [1, 2, 3]);
            Advance(server, done, wrote, [4, 5, 6]);
            bool moved = false;
            byte[] toOther = victim.Outgoing.Read();
            if (toOther.Length > 0)
            {
                other.Incoming.Write(toOther);
                moved = true;
            }

            byte[] toVictim = other.Outgoing.Read();
            if (toVictim.Length > 0 && !ended)
            {
                foreach (byte[] record in Records.Split([toVictim]))
                {
                    int n = Math.Min(record.Length, cut - delivered);
                    victim.Incoming.Write(record.AsSpan(0, n));
                    delivered += n;
                    boundaries.Add(delivered);
                    if (delivered == cut)
                    {
                        break;
                    }
                }

                moved = true;
            }

            if (delivered >= cut && !ended)
            {
                ended = true;
                End(victim, tail);
            }

            if (!moved)
            {
                break;
            }
        }

        if (!ended)
        {
            End(victim, tail);
        }

        AssertNoWantRead(victim, $"cut {cut}");
        client.Dispose();
        server.Dispose();
        return delivered;
    }

    // The tail, one call that takes it in, then more bytes and the end of input.
    private static void End(SslObject victim, byte[] tail)
    {
        victim.Incoming.Write(tail);
        Xunit.Record.Exception(() => victim.Read(10));
        if (tail.Length > 0)
        {
            victim.Incoming.Write([0x16, 0x03, 0x01]);
        }

        victim.Incoming.WriteEof();
    }

    // Handshake, one write, reads until the peer's close_notify, then unwrap; want-read simply waits for the next step.
    private static void Advance(SslObject o, HashSet<SslObject> done, HashSet<SslObject> wrote, byte[] data)
    {
        if (done.Contains(o))
        {
            return;
        }

        try
        {
            o.DoHandshake();
            if (wrote.Add(o))
            {
                o.Write(data);
            }

            while (o.Read(100).Length > 0)
            {
            }

            o.Unwrap();
            done.Add(o);
        }
        catch (SslWantReadException)
        {
        }
        catch (SslException)
        {
            done.Add(o);
        }
    }

    private static void AssertNoWantRead(SslObject o, string where)
    {
        for (int round = 0; round < 2; round++)
        {
            foreach (var (name, call) in Calls(o))
            {
                Exception? e = Xunit.Record.Exception(call);
                Assert.False(e is SslWantReadException, $"{name} wanted read after the end of input ({where})");
                Assert.True(e is null or SslException or InvalidOperationException, $"{name} threw {e?.GetType().Name} ({where}): {e}");
            }
        }
    }

    // Calls `call` (again after want-read, as a non-blocking caller would) until it ends otherwise.
    private static Exception? FirstNotWantingRead(Action call)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            Exception? e = Xunit.Record.Exception(call);
            if (e is not SslWantReadException)
            {
                return e;
            }

            Assert.True(watch.Elapsed < FacadePeers.Bound, "want-read for ever");
            Thread.Sleep(5);
        }
    }

    private static void AssertSocketCallsRaise(SslSocket ssl)
    {
        for (int round = 0; round < 2; round++)
        {
            foreach (var (name, call) in new (string, Action)[]
            {
                ("do_handshake", ssl.DoHandshake),
                ("read", () => ssl.Read(10)),
                ("write", () => ssl.Write([1])),
                ("unwrap", () => ssl.Unwrap()),
            })
            {
                Exception? e = Xunit.Record.Exception(call);
                Assert.NotNull(e);
                Assert.False(e is SslWantReadException, $"{name} wanted read after the end");
                Assert.IsAssignableFrom<SslException>(e);
            }
        }
    }

    private static void AssertEveryCallRaises(SslObject o)
    {
        foreach (var (name, call) in Calls(o).Take(4))
        {
            Exception? e = Xunit.Record.Exception(call);
            Assert.NotNull(e);
            Assert.False(e is SslWantReadException, $"{name} wanted read after the failure");
            Assert.IsAssignableFrom<SslException>(e);
        }

        Assert.Equal(0, o.Pending());
        Assert.Null(o.Version());
        Assert.Null(o.Cipher());
        Assert.Throws<InvalidOperationException>(() => o.GetPeerCert());
    }

    private static IEnumerable<(string Name, Action Call)> Calls(SslObject o) =>
    [
        ("do_handshake", o.DoHandshake),
        ("read", () => o.Read(10)),
        ("write", () => o.Write([7])),
        ("unwrap", o.Unwrap),
        ("pending", () => o.Pending()),
        ("cipher", () => o.Cipher()),
        ("getpeercert", () => o.GetPeerCert()),
    ];

    private static string FirstError(SslObject o)
    {
        Exception e = Assert.IsAssignableFrom<SslException>(Xunit.Record.Exception(o.DoHandshake));
        string name = e switch
        {
            SslZeroReturnException => "SSLZeroReturnError",
            SslException { Reason: { } reason } when e.GetType() == typeof(SslException) => "SSLError " + reason,
            _ => e.GetType().Name,
        };
        byte[] sent = o.Outgoing.Read();
        return name + ", sent " + (sent.Length == 0 ? "nothing" : Convert.ToHexString(sent).ToLowerInvariant());
    }
}
