using System.Runtime.InteropServices;
using ManagedTls.Crypto;

namespace ManagedTls.Tests.Crypto;

public class EntropyTests
{
    [Fact]
    public void OsEntropyGivesDifferentNonZeroOutput()
    {
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        OsEntropy.Instance.GetBytes(a);
        OsEntropy.Instance.GetBytes(b);
        Assert.Contains(a, x => x != 0);
        Assert.Contains(b, x => x != 0);
        Assert.NotEqual(a, b);

        // Large requests (past getentropy's 256-byte limit and /dev/urandom's chunk) are filled completely:
        // the last 32 bytes of a zeroed buffer are not all zero any more.
        byte[] large = new byte[70000];
        OsEntropy.Instance.GetBytes(large);
        Assert.Contains(large.Skip(large.Length - 32), x => x != 0);

        // Byte values are spread out (a stuck or mostly-zero source would fail this).
        Assert.True(large.Distinct().Count() == 256);
        OsEntropy.Instance.GetBytes(Span<byte>.Empty);
    }

    [Fact]
    public void OsEntropyUsesGetRandomOnLinux()
    {
        string mechanism = OsEntropy.Instance.Mechanism;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            Assert.Equal("getrandom", mechanism);
        }
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            Assert.Equal("BCryptGenRandom", mechanism);
        }
        else
        {
            Assert.Contains(mechanism, new[] { "getentropy", "/dev/urandom" });
        }
    }

    [Fact]
    public void OsEntropyIsUsableFromManyThreads()
    {
        var results = new byte[8][];
        Parallel.For(0, results.Length, i =>
        {
            results[i] = new byte[32];
            OsEntropy.Instance.GetBytes(results[i]);
        });
        Assert.Equal(results.Length, results.Select(r => CryptoUtil.ToHex(r)).Distinct().Count());
    }

    [Fact]
    public void ReplayEntropyReturnsItsBytesInOrderAndThenFails()
    {
        var source = ReplayEntropy.FromHex("000102030405");
        byte[] first = new byte[4];
        source.GetBytes(first);
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, first);
        Assert.Equal(2, source.Remaining);
        byte[] second = new byte[2];
        source.GetBytes(second);
        Assert.Equal(new byte[] { 4, 5 }, second);
        Assert.Throws<InvalidOperationException>(() => source.GetBytes(new byte[1]));
    }

    [Fact]
    public void RepeatingReplayEntropyCycles()
    {
        var source = new ReplayEntropy([1, 2, 3], repeat: true);
        byte[] output = new byte[8];
        source.GetBytes(output);
        Assert.Equal(new byte[] { 1, 2, 3, 1, 2, 3, 1, 2 }, output);
        Assert.Throws<ArgumentException>(() => new ReplayEntropy([], repeat: true));
    }

    [Fact]
    public void BouncyCastleRandomDrawsFromTheInjectedSource()
    {
        var random = BcRandom.Create(ReplayEntropy.FromHex("a1a2a3a4a5a6a7a8"));
        byte[] output = new byte[8];
        random.NextBytes(output);
        Assert.Equal("a1a2a3a4a5a6a7a8", CryptoUtil.ToHex(output));
    }
}
