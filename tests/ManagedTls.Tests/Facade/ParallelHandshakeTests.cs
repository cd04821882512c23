using System.Collections.Concurrent;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Two threads doing handshakes at once against one shared server <see cref="SslContext"/> and one shared client
/// context, as a real server does: each thread makes its own <see cref="SslObject"/> pairs over <see cref="MemoryBio"/>.
/// Full handshakes run on both threads together, then each thread resumes the sessions the other thread got, so tickets
/// sealed on one thread are opened on the other and session ids stored from one thread are found from the other. The
/// contexts' counters must add up exactly and every session must be distinct.
/// </summary>
public sealed class ParallelHandshakeTests : IDisposable
{
    private const int PerThread = 8;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(25);
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("TLSv1.3", false)] // stateless tickets: the context's ticket key ring
    [InlineData("TLSv1.3", true)] // NoTicket: single-use stateful tickets in the context's session cache
    [InlineData("TLSv1.2", false)] // RFC 5077 tickets: the ticket key ring
    [InlineData("TLSv1.2", true)] // NoTicket: session ids in the context's session cache
    public async Task TwoThreadsShareOneContextPair(string version, bool noTicket)
    {
        SslContext server = WrapKeys.ServerContext(_dir);
        SslContext client = WrapKeys.ClientContext(_dir);
        if (version == "TLSv1.2")
        {
            server.MaximumVersion = TlsVersion.TlsV1_2;
        }

        if (noTicket)
        {
            server.Options |= SslOptions.NoTicket;
        }

        var sessions = new[] { new ConcurrentQueue<SslSession>(), new ConcurrentQueue<SslSession>() };
        using var phase = new Barrier(2);
        Task[] threads = Enumerable.Range(0, 2).Select(t => Task.Factory.StartNew(
            () =>
            {
                Assert.True(phase.SignalAndWait(Bound), "the other thread did not start");
                for (int i = 0; i < PerThread; i++)
                {
                    var pair = new Pair(client, server, null);
                    pair.Handshake();
                    Assert.Equal(version, pair.Client.Version());
                    Assert.False(pair.Client.SessionReused);
                    Assert.False(pair.Server.SessionReused);
                    pair.RoundTrip($"full {t}.{i}");
                    SslSession session = pair.Client.Session!;
                    Assert.True(noTicket ? session.Id.Length == 32 : session.HasTicket, $"thread {t} handshake {i} got no resumable session");
                    sessions[1 - t].Enqueue(session);
                }

                // Every session of both threads exists before either thread resumes one of the other's.
                Assert.True(phase.SignalAndWait(Bound), "the other thread did not finish its full handshakes");
                for (int i = 0; i < PerThread; i++)
                {
                    Assert.True(sessions[t].TryDequeue(out SslSession? session));
                    var pair = new Pair(client, server, session);
                    pair.Handshake();
                    Assert.Equal(version, pair.Client.Version());
                    Assert.True(pair.Client.SessionReused, $"thread {t} did not resume session {i} of the other thread");
                    Assert.True(pair.Server.SessionReused);
                    pair.RoundTrip($"resumed {t}.{i}");
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        await Task.WhenAll(threads).WaitAsync(Bound);

        const int full = 2 * PerThread;
        // A TLS 1.2 server looks up the random legacy session id a TLS 1.3-capable client sends in every ClientHello,
        // so each full handshake is also a miss (Python 3.11 / OpenSSL 3.0 over MemoryBIO: misses 1 after one full
        // TLS 1.2 handshake, hits 1 and still misses 1 after its resumption).
        long serverMisses = version == "TLSv1.2" ? full : 0;
        IReadOnlyDictionary<string, long> s = server.SessionStats();
        Assert.Equal((2L * full, 2L * full, (long)full, serverMisses, 0L), (s["accept"], s["accept_good"], s["hits"], s["misses"], s["timeouts"]));
        IReadOnlyDictionary<string, long> c = client.SessionStats();
        Assert.Equal((2L * full, 2L * full, (long)full, 0L), (c["connect"], c["connect_good"], c["hits"], c["misses"]));
        if (version == "TLSv1.2" && noTicket)
        {
            // One session id stored per full handshake, each found (not taken) by the resumption.
            Assert.Equal(full, s["number"]);
        }
        else if (!noTicket)
        {
            Assert.Equal(0, s["number"]);
        }
    }

    [Fact]
    public async Task SessionsMadeOnTwoThreadsAtOnceAreAllDistinct()
    {
        SslContext server = WrapKeys.ServerContext(_dir);
        SslContext client = WrapKeys.ClientContext(_dir);
        server.MaximumVersion = TlsVersion.TlsV1_2;
        var ids = new ConcurrentBag<string>();
        using var start = new Barrier(2);
        Task[] threads = Enumerable.Range(0, 2).Select(t => Task.Factory.StartNew(
            () =>
            {
                Assert.True(start.SignalAndWait(Bound), "the other thread did not start");
                for (int i = 0; i < PerThread; i++)
                {
                    var pair = new Pair(client, server, null);
                    pair.Handshake();

                    // A TLS 1.2 ticket session's id is the SHA-256 of its ticket: equal ids would be equal tickets.
                    ids.Add(Convert.ToHexString(pair.Client.Session!.Id));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        await Task.WhenAll(threads).WaitAsync(Bound);
        Assert.Equal(2 * PerThread, ids.Count);
        Assert.Equal(2 * PerThread, ids.Distinct().Count());
    }

    /// <summary>One client/server pair over its own four memory BIOs, driven on the calling thread.</summary>
    private sealed class Pair
    {
        private readonly MemoryBio _clientIn = new(), _clientOut = new(), _serverIn = new(), _serverOut = new();

        public Pair(SslContext client, SslContext server, SslSession? session)
        {
            Client = client.WrapBio(_clientIn, _clientOut, serverHostname: "localhost", session: session);
            Server = server.WrapBio(_serverIn, _serverOut, serverSide: true);
        }

        public SslObject Client { get; }

        public SslObject Server { get; }

        public void Handshake()
        {
            bool clientDone = false, serverDone = false;
            for (int round = 0; round < 6 && !(clientDone && serverDone); round++)
            {
                clientDone = clientDone || Step(Client);
                Move(_clientOut, _serverIn);
                serverDone = serverDone || Step(Server);
                Move(_serverOut, _clientIn);
            }

            Assert.True(clientDone && serverDone, "the handshake did not complete");
        }

        /// <summary>Client to server and back; the client's read also takes in any tickets sent before the reply.</summary>
        public void RoundTrip(string text)
        {
            byte[] message = Encoding.UTF8.GetBytes(text);
            Client.Write(message);
            Move(_clientOut, _serverIn);
            Assert.Equal(message, Server.Read(1024));
            Server.Write(message);
            Move(_serverOut, _clientIn);
            Assert.Equal(message, Client.Read(1024));
        }

        private static bool Step(SslObject side)
        {
            try
            {
                side.DoHandshake();
                return true;
            }
            catch (SslWantReadException)
            {
                return false;
            }
        }

        private static void Move(MemoryBio from, MemoryBio to)
        {
            byte[] bytes = from.Read();
            if (bytes.Length > 0)
            {
                to.Write(bytes);
            }
        }
    }
}
