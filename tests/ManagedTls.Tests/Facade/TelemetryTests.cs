using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;
using ManagedTls.Ssl;
using ManagedTls.Ssl.Telemetry;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// The "ManagedTls" meter and event source (decision 0037): what one handshake, full, resumed, TLS 1.2 or failed,
/// reports, that every count raised goes down exactly once, and that nothing is allocated while nobody listens.
/// The pairs here run on the test's own thread, and measurements are filtered by that thread, so they are exact even
/// if something else in the process made handshakes; the event source's counts are process-wide and compared as deltas.
/// </summary>
[Collection("Telemetry")]
public sealed class TelemetryTests : IDisposable
{
    private const string Duration = TlsTelemetry.HandshakeDurationName;
    private const string ActiveHandshakes = TlsTelemetry.ActiveHandshakesName;
    private const string ActiveConnections = TlsTelemetry.ActiveConnectionsName;

    private readonly string _dir = WrapKeys.WriteFiles();
    private readonly ITestOutputHelper _output;
    private readonly int _thread = Environment.CurrentManagedThreadId;

    public TelemetryTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AFullTls13HandshakeIsOneMeasurementPerSideWithItsTags()
    {
        using var capture = new MeterCapture();
        using (Pair.Connect(WrapKeys.ClientContext(_dir), WrapKeys.ServerContext(_dir)))
        {
        }

        List<Measurement> durations = capture.Of(Duration, _thread);
        Assert.Equal(2, durations.Count);
        Assert.Equal(["client", "server"], durations.Select(m => (string)m.Tag("managedtls.role")!).Order());
        foreach (Measurement m in durations)
        {
            Assert.Equal("1.3", m.Tag("tls.protocol.version"));
            Assert.Equal("TLS_AES_256_GCM_SHA384", m.Tag("tls.cipher"));
            Assert.Equal(false, m.Tag("tls.resumed"));
            Assert.False(m.Tags.ContainsKey("error.type"));
            Assert.InRange(m.Value, 1e-6, 10);
        }
    }

    [Fact]
    public void AResumedTls13HandshakeIsTaggedResumed()
    {
        SslContext client = WrapKeys.ClientContext(_dir);
        SslContext server = WrapKeys.ServerContext(_dir);
        SslSession session;
        using (Pair first = Pair.Connect(client, server))
        {
            first.ReadTickets();
            session = first.Client.Session!;
        }

        using var capture = new MeterCapture();
        using (Pair second = Pair.Connect(client, server, session))
        {
            Assert.True(second.Client.SessionReused);
        }

        List<Measurement> durations = capture.Of(Duration, _thread);
        Assert.Equal(2, durations.Count);
        Assert.All(durations, m => Assert.Equal(true, m.Tag("tls.resumed")));
        Assert.All(durations, m => Assert.Equal("1.3", m.Tag("tls.protocol.version")));
    }

    [Fact]
    public void ATls12HandshakeIsTaggedWithItsVersionAndSuite()
    {
        SslContext client = WrapKeys.ClientContext(_dir);
        client.MaximumVersion = TlsVersion.TlsV1_2;
        using var capture = new MeterCapture();
        using (Pair pair = Pair.Connect(client, WrapKeys.ServerContext(_dir)))
        {
            Assert.Equal("TLSv1.2", pair.Client.Version());
            List<Measurement> open = capture.Of(ActiveConnections, _thread);
            Assert.Equal(2, open.Count);
            Assert.All(open, m => Assert.Equal(1.0, m.Value));
            Assert.All(open, m => Assert.Equal("1.2", m.Tag("tls.protocol.version")));
        }

        List<Measurement> durations = capture.Of(Duration, _thread);
        Assert.Equal(2, durations.Count);
        Assert.All(durations, m => Assert.Equal("1.2", m.Tag("tls.protocol.version")));
        Assert.All(durations, m => Assert.Equal("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", m.Tag("tls.cipher")));
        Assert.All(durations, m => Assert.Equal(false, m.Tag("tls.resumed")));
    }

    [Fact]
    public void AFailedHandshakeCarriesTheErrorEachSideRaised()
    {
        // The client trusts nothing: it refuses the certificate, the server receives its alert.
        var untrusting = new SslContext(SslProtocol.TlsClient);
        using var capture = new MeterCapture();
        SslException clientError, serverError;
        using (Pair pair = Pair.Connect(untrusting, WrapKeys.ServerContext(_dir)))
        {
            clientError = Assert.IsAssignableFrom<SslException>(pair.ClientError);
            serverError = Assert.IsAssignableFrom<SslException>(pair.ServerError);
        }

        Assert.Equal("CERTIFICATE_VERIFY_FAILED", clientError.Reason);
        List<Measurement> durations = capture.Of(Duration, _thread);
        Assert.Equal(2, durations.Count);
        Measurement client = Assert.Single(durations, m => (string?)m.Tag("managedtls.role") == "client");
        Measurement server = Assert.Single(durations, m => (string?)m.Tag("managedtls.role") == "server");
        Assert.Equal("CERTIFICATE_VERIFY_FAILED", client.Tag("error.type"));
        Assert.Equal(serverError.Reason, server.Tag("error.type"));
        Assert.NotNull(serverError.Reason);
        Assert.All(durations, m => Assert.False(m.Tags.ContainsKey("tls.resumed")));

        // Both handshakes went up and came down; no connection was ever open.
        Assert.Equal([1.0, 1.0, -1.0, -1.0], capture.Of(ActiveHandshakes, _thread).Select(m => m.Value).OrderDescending());
        Assert.Empty(capture.Of(ActiveConnections, _thread));
    }

    [Fact]
    public void OpenConnectionsGoBackDownExactlyOnceHoweverTheyEnd()
    {
        SslContext client = WrapKeys.ClientContext(_dir);
        SslContext server = WrapKeys.ServerContext(_dir);
        using var capture = new MeterCapture();

        // Disposed.
        Pair.Connect(client, server).Dispose();
        Assert.Equal(0, Sum(capture.Of(ActiveConnections, _thread)));

        // Unwrapped both ways (close_notify each way), then disposed: down at the unwrap, not again.
        using (Pair pair = Pair.Connect(client, server))
        {
            Assert.Throws<SslWantReadException>(pair.Client.Unwrap);
            pair.Move();
            Assert.Empty(pair.Server.Read(1));
            pair.Server.Unwrap();
            pair.Move();
            pair.Client.Unwrap();
            Assert.Equal(0, Sum(capture.Of(ActiveConnections, _thread)));
        }

        Assert.Equal(0, Sum(capture.Of(ActiveConnections, _thread)));

        // A fatal error after the handshake: the failed side is down at once, the other when disposed.
        using (Pair pair = Pair.Connect(client, server))
        {
            pair.ClientIn.Write([23, 3, 3, 0, 20, .. new byte[20]]);
            Assert.ThrowsAny<SslException>(() => pair.Client.Read(1));
            Assert.ThrowsAny<SslException>(() => pair.Client.Read(1));
            Assert.Equal(1, Sum(capture.Of(ActiveConnections, _thread)));
        }

        List<Measurement> all = capture.Of(ActiveConnections, _thread);
        Assert.Equal(0, Sum(all));
        Assert.Equal(6, all.Count(m => m.Value == 1));
        Assert.Equal(6, all.Count(m => m.Value == -1));
        Assert.Equal(6, capture.Of(Duration, _thread).Count);
        Assert.Equal(0, Sum(capture.Of(ActiveHandshakes, _thread)));
    }

    [Fact]
    public void AHandshakeDisposedBeforeItEndsIsAbandoned()
    {
        using var capture = new MeterCapture();
        var pair = new Pair(WrapKeys.ClientContext(_dir), WrapKeys.ServerContext(_dir));
        Assert.Throws<SslWantReadException>(pair.Client.DoHandshake);
        Assert.Equal(1, Sum(capture.Of(ActiveHandshakes, _thread)));
        pair.Dispose();

        // The server never started (it was never asked to): only the client counts.
        Measurement m = Assert.Single(capture.Of(Duration, _thread));
        Assert.Equal("abandoned", m.Tag("error.type"));
        Assert.Equal("client", m.Tag("managedtls.role"));
        Assert.Equal(0, Sum(capture.Of(ActiveHandshakes, _thread)));
    }

    [Fact]
    public void ConnectionsDroppedWithoutDisposalAreEndedByTheCollector()
    {
        (long Started, long Finished, long Failed, long Open, long Open12, long Open13) before;
        using var counters = new CounterListener();
        using var capture = new MeterCapture();
        CollectGarbage();
        before = TlsEventSource.Log.Snapshot();
        DropAnOpenPairAndAHalfHandshake(WrapKeys.ClientContext(_dir), WrapKeys.ServerContext(_dir));
        Assert.Equal(2, TlsEventSource.Log.Snapshot().Open - before.Open);
        Assert.Equal(1, TlsEventSource.Log.Snapshot().Started - TlsEventSource.Log.Snapshot().Finished - (before.Started - before.Finished));

        CollectGarbage();

        var after = TlsEventSource.Log.Snapshot();
        Assert.Equal(before.Open, after.Open);
        Assert.Equal(before.Open13, after.Open13);
        Assert.Equal(after.Started - before.Started, after.Finished - before.Finished);
        Assert.Equal(1, after.Failed - before.Failed);

        // From the finalizer thread: the open pair's two connections went down, the half handshake failed as abandoned.
        Assert.Equal(0, Sum(capture.Of(ActiveConnections)));
        Assert.Equal(0, Sum(capture.Of(ActiveHandshakes)));
        Assert.Single(capture.Of(Duration), m => (string?)m.Tag("error.type") == "abandoned");
    }

    [Fact]
    public void TheEventSourceHasSystemNetSecuritysCountersAndEvents()
    {
        using var listener = new CounterListener();
        var before = TlsEventSource.Log.Snapshot();
        Pair tls13 = Pair.Connect(WrapKeys.ClientContext(_dir), WrapKeys.ServerContext(_dir));
        SslContext client12 = WrapKeys.ClientContext(_dir);
        client12.MaximumVersion = TlsVersion.TlsV1_2;
        Pair tls12 = Pair.Connect(client12, WrapKeys.ServerContext(_dir));
        using (Pair failed = Pair.Connect(new SslContext(SslProtocol.TlsClient), WrapKeys.ServerContext(_dir)))
        {
            Assert.NotNull(failed.ClientError);
        }

        var during = TlsEventSource.Log.Snapshot();
        Assert.Equal(6, during.Started - before.Started);
        Assert.Equal(6, during.Finished - before.Finished);
        Assert.Equal(2, during.Failed - before.Failed);
        Assert.Equal(4, during.Open - before.Open);
        Assert.Equal(2, during.Open12 - before.Open12);
        Assert.Equal(2, during.Open13 - before.Open13);

        // The counters publish what the source counted (no other handshake runs in this collection).
        listener.WaitFor("all-tls-sessions-open", p => Mean(p) == during.Open);
        listener.WaitFor("tls12-sessions-open", p => Mean(p) == during.Open12);
        listener.WaitFor("tls13-sessions-open", p => Mean(p) == during.Open13);
        listener.WaitFor("total-tls-handshakes", p => Mean(p) == during.Finished);
        listener.WaitFor("failed-tls-handshakes", p => Mean(p) == during.Failed);
        listener.WaitFor("current-tls-handshakes", p => Mean(p) == during.Started - during.Finished);
        IDictionary<string, object?> rate = listener.WaitFor("tls-handshake-rate", p => p.ContainsKey("Increment"));
        Assert.Equal("TLS handshakes completed", rate["DisplayName"]);
        Assert.True(listener.Counter("tls-handshake-rate").Sum(p => Convert.ToDouble(p["Increment"], null)) >= 6);
        Assert.Equal("All TLS Sessions Active", listener.Counter("all-tls-sessions-open")[0]["DisplayName"]);
        Assert.Equal("Total TLS handshakes completed", listener.Counter("total-tls-handshakes")[0]["DisplayName"]);
        Assert.Equal("Current TLS handshakes", listener.Counter("current-tls-handshakes")[0]["DisplayName"]);
        Assert.Equal("Total TLS handshakes failed", listener.Counter("failed-tls-handshakes")[0]["DisplayName"]);
        foreach ((string name, string display, int count) in new[]
        {
            ("all-tls-handshake-duration", "TLS Handshake Duration", 4),
            ("tls12-handshake-duration", "TLS 1.2 Handshake Duration", 2),
            ("tls13-handshake-duration", "TLS 1.3 Handshake Duration", 2),
        })
        {
            IDictionary<string, object?> d = listener.WaitFor(name, p => Convert.ToInt32(p["Count"], null) >= count);
            Assert.Equal(display, d["DisplayName"]);
            Assert.Equal("ms", d["DisplayUnits"]);
            Assert.True(Mean(d) > 0);
        }

        Assert.Empty(listener.Counter("tls10-sessions-open"));
        Assert.Empty(listener.Counter("tls11-handshake-duration"));

        // SslStream's events: HandshakeStart(isServer, targetHost), HandshakeStop(protocol), HandshakeFailed(isServer, ms, message).
        var events = listener.Events.ToList();
        Assert.Contains(events, e => e.EventName == "HandshakeStart" && (bool)e.Payload![0]! == false && (string)e.Payload[1]! == "localhost");
        Assert.Contains(events, e => e.EventName == "HandshakeStart" && (bool)e.Payload![0]! && (string)e.Payload[1]! == string.Empty);
        Assert.Equal(2, events.Count(e => e.EventName == "HandshakeStop" && Convert.ToInt32(e.Payload![0], null) == 12288));
        Assert.Equal(2, events.Count(e => e.EventName == "HandshakeStop" && Convert.ToInt32(e.Payload![0], null) == 3072));
        Assert.Equal(2, events.Count(e => e.EventName == "HandshakeStop" && Convert.ToInt32(e.Payload![0], null) == 0));
        EventWrittenEventArgs failure = Assert.Single(events, e => e.EventName == "HandshakeFailed" && (bool)e.Payload![0]! == false);
        Assert.Contains("CERTIFICATE_VERIFY_FAILED", (string)failure.Payload![2]!, StringComparison.Ordinal);
        Assert.InRange((double)failure.Payload[1]!, 0, 10_000);
        Assert.Equal(EventLevel.Error, failure.Level);

        // Disposed: the sessions are closed, and the published counts return to where they were.
        tls13.Dispose();
        tls12.Dispose();
        var after = TlsEventSource.Log.Snapshot();
        Assert.Equal(before.Open, after.Open);
        Assert.Equal(before.Open12, after.Open12);
        Assert.Equal(before.Open13, after.Open13);
        Assert.Equal(0, after.Started - after.Finished);
        listener.WaitFor("all-tls-sessions-open", p => Mean(p) == after.Open);
        listener.WaitFor("current-tls-handshakes", p => Mean(p) == 0);
        _output.WriteLine($"before {before}, during {during}, after {after}");
    }

    [Fact]
    public void NothingIsAllocatedWhileNobodyListens()
    {
        Assert.False(TlsEventSource.Log.IsEnabled(), "a listener from elsewhere is enabled");
        Assert.False(TlsMetrics.AnyEnabled, "a meter listener from elsewhere is enabled");
        SslContext client = WrapKeys.ClientContext(_dir);
        SslContext server = WrapKeys.ServerContext(_dir);

        // The hook that decides: null, and not a byte allocated.
        _ = ConnectionTelemetry.Start(server: false, "localhost");
        long start = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Assert.Null(ConnectionTelemetry.Start(server: i % 2 == 0, "localhost"));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - start);

        // Whole handshakes, for the record: the bytes a pair's handshake allocates vary by more (buffer pools, caches)
        // than the two trackers a listener adds, so they are reported, not compared. The data path has no hook: a
        // listener changes nothing there.
        long quiet = long.MaxValue, observed = long.MaxValue, quietData = 0, observedData = 0;
        for (int i = 0; i < 3; i++)
        {
            quiet = Math.Min(quiet, HandshakeBytes(client, server, out quietData));
        }

        using (var listener = new CounterListener())
        using (var capture = new MeterCapture())
        {
            for (int i = 0; i < 3; i++)
            {
                observed = Math.Min(observed, HandshakeBytes(client, server, out observedData));
            }

            Assert.Equal(6, capture.Of(Duration, _thread).Count);
        }

        _output.WriteLine($"handshake pair (least of 3): {quiet} bytes without listeners, {observed} with; 10 x 1 KiB each way: {quietData} / {observedData} bytes");
        Assert.Equal(0, quietData);
        Assert.Equal(0, observedData);
    }

    [Fact]
    public async Task TlsStreamHandshakesAndTransportFailuresAreObserved()
    {
        using var capture = new MeterCapture();
        var (client, server, _, _) = await FacadePeers.StreamsAsync(_dir);
        Assert.Equal(1, Sum(capture.Of(ActiveConnections).Where(m => (string?)m.Tag("managedtls.role") == "client")));
        await client.DisposeAsync();
        await server.DisposeAsync();
        Assert.Equal(2, capture.Of(Duration).Count(m => !m.Tags.ContainsKey("error.type")));
        Assert.Equal(0, Sum(capture.Of(ActiveConnections)));

        // The server's transport closes before it answers: the client's handshake fails with the end of stream.
        var (c, s) = WrapKeys.LoopbackSockets(0);
        using var stream = new TlsStream(new System.Net.Sockets.NetworkStream(c, ownsSocket: true), WrapKeys.ClientContext(_dir));
        Task handshake = stream.AuthenticateAsClientAsync("localhost");
        s.Dispose();
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => handshake.WaitAsync(FacadePeers.Bound));
        Measurement failed = Assert.Single(capture.Of(Duration), m => m.Tags.ContainsKey("error.type"));
        Assert.Equal(ConnectionTelemetry.ErrorType(e), failed.Tag("error.type"));
        Assert.Equal("client", failed.Tag("managedtls.role"));
        _output.WriteLine($"transport failure: {e.GetType()} {e.Message} -> {failed.Tag("error.type")}");
        Assert.Equal(0, Sum(capture.Of(ActiveHandshakes)));
    }

    [Fact]
    public void SslSocketHandshakesTimeoutsAndClosesAreObserved()
    {
        using var capture = new MeterCapture();
        var (client, server) = FacadePeers.Sockets(_dir);
        Assert.Equal(2, Sum(capture.Of(ActiveConnections)));
        client.Dispose();
        server.Close();
        Assert.Equal(0, Sum(capture.Of(ActiveConnections)));
        Assert.Equal(2, capture.Of(Duration).Count(m => !m.Tags.ContainsKey("error.type")));

        // A server that never answers: the client's handshake times out, which is remembered (the handshake could go
        // on), not yet counted; closing the socket then ends it as failed, with the timeout as its error.
        var (c, s) = WrapKeys.LoopbackSockets(0);
        using (s)
        {
            SslSocket waiting = WrapKeys.ClientContext(_dir).WrapSocket(c, doHandshakeOnConnect: false, serverHostname: "localhost");
            waiting.SetTimeout(0.2);
            Assert.Throws<TimeoutException>(waiting.DoHandshake);
            Assert.Equal(1, Sum(capture.Of(ActiveHandshakes)));
            Assert.Equal(2, capture.Of(Duration).Count);
            waiting.Close();
        }

        Measurement failed = Assert.Single(capture.Of(Duration), m => m.Tags.ContainsKey("error.type"));
        Assert.Equal("System.TimeoutException", failed.Tag("error.type"));
        Assert.Equal(0, Sum(capture.Of(ActiveHandshakes)));
    }

    private static double Sum(IEnumerable<Measurement> measurements) => measurements.Sum(m => m.Value);

    private static double Mean(IDictionary<string, object?> payload) => Convert.ToDouble(payload["Mean"], null);

    private static void CollectGarbage()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropAnOpenPairAndAHalfHandshake(SslContext client, SslContext server)
    {
        Pair open = Pair.Connect(client, server);
        Assert.True(open.Client.IsHandshakeComplete);
        var half = new Pair(client, server);
        Assert.Throws<SslWantReadException>(half.Client.DoHandshake);
    }

    // Bytes this thread allocates for one pair's handshake and disposal; `data` gets those of a 1 KiB round trip.
    private static long HandshakeBytes(SslContext client, SslContext server, out long data)
    {
        byte[] message = new byte[1024];
        byte[] into = new byte[1024];
        long start = GC.GetAllocatedBytesForCurrentThread();
        Pair pair = Pair.Connect(client, server);
        long handshake = GC.GetAllocatedBytesForCurrentThread() - start;
        pair.Client.Write(message);
        pair.Move();
        pair.Server.Read(into);
        long dataStart = GC.GetAllocatedBytesForCurrentThread();
        int received = 0;
        for (int i = 0; i < 10; i++)
        {
            pair.Client.Write(message.AsSpan());
            pair.MoveToServer();
            received += pair.Server.Read(into.AsSpan());
        }

        data = GC.GetAllocatedBytesForCurrentThread() - dataStart;
        Assert.Equal(10 * 1024, received);
        pair.Dispose();
        return handshake;
    }

    /// <summary>A client and a server over memory queues, stepped on the calling thread.</summary>
    private sealed class Pair : IDisposable
    {
        private readonly MemoryBio _clientOut = new(), _serverIn = new(), _serverOut = new();
        private readonly byte[] _buffer = new byte[20 * 1024];

        public Pair(SslContext client, SslContext server, SslSession? session = null)
        {
            Client = client.WrapBio(ClientIn, _clientOut, serverHostname: "localhost", session: session);
            Server = server.WrapBio(_serverIn, _serverOut, serverSide: true);
        }

        public MemoryBio ClientIn { get; } = new();

        public SslObject Client { get; }

        public SslObject Server { get; }

        public Exception? ClientError { get; private set; }

        public Exception? ServerError { get; private set; }

        public static Pair Connect(SslContext client, SslContext server, SslSession? session = null)
        {
            var pair = new Pair(client, server, session);
            for (int round = 0; round < 6 && !(pair.Done(pair.Client, pair.ClientError) && pair.Done(pair.Server, pair.ServerError)); round++)
            {
                pair.ClientError ??= Step(pair.Client);
                pair.Move();
                pair.ServerError ??= Step(pair.Server);
                pair.Move();
            }

            return pair;
        }

        public void Move()
        {
            MoveToServer();
            if (_serverOut.Pending > 0)
            {
                ClientIn.Write(_serverOut.Read());
            }
        }

        // Through a reused buffer: moving records allocates nothing.
        public void MoveToServer()
        {
            while (_clientOut.Pending > 0)
            {
                int n = _clientOut.Read(_buffer.AsSpan());
                _serverIn.Write(_buffer.AsSpan(0, n));
            }
        }

        /// <summary>Lets the client read what followed the handshake (TLS 1.3 tickets).</summary>
        public void ReadTickets()
        {
            Move();
            Assert.Throws<SslWantReadException>(() => Client.Read(1));
        }

        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
        }

        private static Exception? Step(SslObject side)
        {
            try
            {
                side.DoHandshake();
                return null;
            }
            catch (SslWantReadException)
            {
                return null;
            }
            catch (SslException e)
            {
                return e;
            }
        }

        private bool Done(SslObject side, Exception? error) => error is not null || side.IsHandshakeComplete;
    }
}
