using System.Diagnostics;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake.Tls13;

public class ServerSessionCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SessionTicketState State(long createdAtMs, uint lifetimeSeconds = 7200) =>
        new(new byte[32], TlsCipherSuite.TLS_AES_128_GCM_SHA256, createdAtMs, lifetimeSeconds, 0);

    [Fact]
    public void StoringIntoAFullCacheStaysCheapAndDropsTheOldest()
    {
        // Every ticket a server issues is stored under the cache's lock; storing must not cost a sort of the whole
        // cache (20,480 entries), or issuing tickets turns into a global bottleneck an attacker can drive.
        using var cache = new ServerSessionCache();
        var entropy = new SeededEntropy(5);
        long ms = Now.ToUnixTimeMilliseconds();
        byte[] first = cache.Store(State(ms), entropy, Now);
        for (int i = 1; i < cache.Capacity; i++)
        {
            cache.Store(State(ms + i), entropy, Now);
        }

        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 5000; i++)
        {
            cache.Store(State(ms + cache.Capacity + i), entropy, Now);
        }

        watch.Stop();
        Assert.Equal(cache.Capacity, cache.Count);
        Assert.Null(cache.Take(first));
        Assert.True(watch.ElapsedMilliseconds < 2000, $"5000 stores into a full cache took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void ExpiredEntriesGoFirstAndAnEntryIsTakenOnce()
    {
        using var cache = new ServerSessionCache(capacity: 4);
        var entropy = new SeededEntropy(6);
        long ms = Now.ToUnixTimeMilliseconds();
        byte[] expired = cache.Store(State(ms - 10_000, lifetimeSeconds: 5), entropy, Now);
        Assert.Equal(1, cache.Count);

        // The next store sweeps the expired entry from the old end.
        byte[] live = cache.Store(State(ms), entropy, Now);
        Assert.Equal(1, cache.Count);
        Assert.Null(cache.Take(expired));
        Assert.NotNull(cache.Take(live));
        Assert.Null(cache.Take(live));
        Assert.Equal(0, cache.Count);
    }
}
