using ManagedTls.Ssl;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Facade;

/// <summary>Runs alone: <see cref="GC.GetTotalMemory"/> counts the whole process, so no other test may allocate meanwhile.</summary>
[CollectionDefinition("IdleMemory", DisableParallelization = true)]
public sealed class IdleMemoryCollection
{
}

/// <summary>
/// Memory an established, idle connection keeps: many in-memory pairs (<see cref="SslObject"/> over
/// <see cref="MemoryBio"/>, both ends), each handshaken and past one small exchange, then left alone. Record
/// buffers go back to the pool when empty and the handshake machinery is dropped once done, so what stays per side
/// is the connection's keys, negotiated parameters and the peer's certificate.
/// </summary>
[Collection("IdleMemory")]
public sealed class IdleConnectionMemoryTests : IDisposable
{
    /// <summary>
    /// The bound per idle side: about 3.7 KiB (TLS 1.2) and 4.0 KiB (TLS 1.3) are measured (decision 0032: one frozen
    /// configuration per context, shared by its connections), so a configuration copied per connection again, a record
    /// buffer (4 KiB or more) or the 16.5 KiB transport buffer kept per connection breaks it.
    /// </summary>
    private const long BoundPerSide = 4 * 1024;

    private readonly string _dir = WrapKeys.WriteFiles();
    private readonly ITestOutputHelper _output;

    public IdleConnectionMemoryTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("1.3")]
    [InlineData("1.2")]
    public void AnIdleEstablishedConnectionKeepsLittleManagedMemory(string version)
    {
        int pairs = int.TryParse(Environment.GetEnvironmentVariable("MANAGEDTLS_IDLE_PAIRS"), out int n) && n > 0 ? n : 1000;
        SslContext client = WrapKeys.ClientContext(_dir);
        SslContext server = WrapKeys.ServerContext(_dir);
        if (version == "1.2")
        {
            client.MaximumVersion = TlsVersion.TlsV1_2;
        }

        long perSide = IdlePairs.RetainedBytesPerSide(client, server, pairs);
        _output.WriteLine($"TLS {version}: {pairs} pairs, {perSide} bytes retained per idle side");
        Assert.True(perSide <= BoundPerSide, $"TLS {version}: {perSide} bytes retained per idle side (bound {BoundPerSide})");
    }
}

/// <summary>Establishes idle pairs and measures the managed memory they keep.</summary>
internal static class IdlePairs
{
    /// <summary>
    /// Makes <paramref name="count"/> pairs (handshake, one small exchange each way, then idle) and returns the
    /// growth of <see cref="GC.GetTotalMemory"/> after full collections, divided by the number of sides.
    /// </summary>
    public static long RetainedBytesPerSide(SslContext client, SslContext server, int count)
    {
        // Warm up: code paths, the pool's buckets, the contexts' frozen snapshots.
        var warmUp = new Pair[16];
        Fill(warmUp, client, server);
        foreach (Pair warm in warmUp)
        {
            warm.Dispose();
        }

        // The pairs are held in an array made before the first measurement, so only what the connections and their
        // queues keep is counted, not the test's own bookkeeping.
        var pairs = new Pair[count];
        long before = Measure();
        Fill(pairs, client, server);
        long after = Measure();
        GC.KeepAlive(pairs);
        foreach (Pair pair in pairs)
        {
            pair.Dispose();
        }

        return (after - before) / (2L * count);
    }

    private static long Measure()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static void Fill(Pair[] pairs, SslContext client, SslContext server)
    {
        for (int i = 0; i < pairs.Length; i++)
        {
            pairs[i] = Pair.Establish(client, server);
        }
    }

    /// <summary>One client and one server over four memory BIOs.</summary>
    private readonly struct Pair : IDisposable
    {
        private readonly MemoryBio _ci = new(), _co = new(), _si = new(), _so = new();
        private readonly SslObject _client, _server;

        private Pair(SslContext client, SslContext server)
        {
            _client = client.WrapBio(_ci, _co, serverHostname: "localhost");
            _server = server.WrapBio(_si, _so, serverSide: true);
        }

        public static Pair Establish(SslContext client, SslContext server)
        {
            var pair = new Pair(client, server);
            for (int round = 0; round < 6 && !(pair._client.IsHandshakeComplete && pair._server.IsHandshakeComplete); round++)
            {
                Step(pair._client);
                Move(pair._co, pair._si);
                Step(pair._server);
                Move(pair._so, pair._ci);
            }

            Assert.True(pair._client.IsHandshakeComplete && pair._server.IsHandshakeComplete, "handshake did not complete");
            pair._client.Write("ping"u8);
            Move(pair._co, pair._si);
            Assert.Equal("ping"u8.ToArray(), pair._server.Read(16));
            pair._server.Write("pong"u8);
            Move(pair._so, pair._ci);
            Assert.Equal("pong"u8.ToArray(), pair._client.Read(16));
            Assert.Equal(0, pair._ci.Pending + pair._co.Pending + pair._si.Pending + pair._so.Pending);
            return pair;
        }

        public void Dispose()
        {
            _client.Dispose();
            _server.Dispose();
        }

        private static void Step(SslObject side)
        {
            try
            {
                side.DoHandshake();
            }
            catch (SslWantReadException)
            {
                // Waits for the peer's flight.
            }
        }

        private static void Move(MemoryBio from, MemoryBio to)
        {
            Span<byte> chunk = stackalloc byte[4096];
            int n;
            while ((n = from.Read(chunk)) > 0)
            {
                to.Write(chunk.Slice(0, n));
            }
        }
    }
}
