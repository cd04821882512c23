using System.Diagnostics;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// <c>smoke</c>: runs each TLS benchmark a few times outside BenchmarkDotNet and prints the mean time and bytes
/// allocated on this thread, to check the setup works and to measure quickly while tuning.
/// </summary>
internal static class Smoke
{
    public static void Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 50;
        string filter = args.Length > 1 ? args[1] : "";
        if (filter.StartsWith("tls12", StringComparison.OrdinalIgnoreCase))
        {
            RunTls12(n, filter);
            return;
        }

        foreach (ServerKey key in filter.StartsWith("bulk", StringComparison.OrdinalIgnoreCase) ? [] : BenchPki.ClassicKeys)
        {
            var full = new FullHandshakeBenchmarks { Key = key };
            full.Setup();
            Time($"full {key} ManagedTls", n, filter, () => full.ManagedTls());
            Time($"full {key} BouncyCastleTls", n, filter, () => full.BouncyCastleTls());
            Time($"full {key} SslStream", n, filter, () => full.SslStream());
        }

        if (!filter.StartsWith("bulk", StringComparison.OrdinalIgnoreCase))
        {
            var resumed = new ResumedHandshakeBenchmarks();
            resumed.Setup();
            Time("resumed ManagedTls", n, filter, () => resumed.ManagedTls());
            Time("resumed BouncyCastleTls external PSK", n, filter, () => resumed.BouncyCastleTlsExternalPsk());
            Time("resumed SslStream", n, filter, () => resumed.SslStream());
        }

        if ("bulk".Contains(filter, StringComparison.OrdinalIgnoreCase) || filter.StartsWith("bulk", StringComparison.OrdinalIgnoreCase))
        {
            var bulk = new BulkBenchmarks();
            bulk.Setup();
            Time("bulk 1 MiB ManagedTls", n, filter, () => bulk.ManagedTls());
            Time("bulk 1 MiB BouncyCastleTls", n, filter, () => bulk.BouncyCastleTls());
            Time("bulk 1 MiB SslStream", n, filter, () => bulk.SslStream());
            bulk.Cleanup();
        }
    }

    // The TLS 1.2 classes; names start with "tls12" so "tls12 full", "tls12 resumed", "tls12 bulk" pick a group.
    private static void RunTls12(int n, string filter)
    {
        foreach (ServerKey key in BenchPki.ClassicKeys)
        {
            if (!$"tls12 full {key}".Contains(filter, StringComparison.OrdinalIgnoreCase) && filter.Length > "tls12".Length && !filter.StartsWith("tls12 full", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var full = new Tls12FullHandshakeBenchmarks { Key = key };
            full.Setup();
            Time($"tls12 full {key} ManagedTls12", n, filter, () => full.ManagedTls12());
            Time($"tls12 full {key} BouncyCastleTls12", n, filter, () => full.BouncyCastleTls12());
            Time($"tls12 full {key} SslStreamTls12", n, filter, () => full.SslStreamTls12());
            Time($"tls12 full {key} ManagedTls13", n, filter, () => full.ManagedTls13());
        }

        if ("tls12 resumed".StartsWith(filter, StringComparison.OrdinalIgnoreCase) || filter.StartsWith("tls12 resumed", StringComparison.OrdinalIgnoreCase))
        {
            var resumed = new Tls12ResumedHandshakeBenchmarks();
            resumed.Setup();
            Time("tls12 resumed ManagedTls13", n, filter, () => resumed.ManagedTls13());
            Time("tls12 resumed ManagedTls12Ticket", n, filter, () => resumed.ManagedTls12Ticket());
            Time("tls12 resumed ManagedTls12SessionId", n, filter, () => resumed.ManagedTls12SessionId());
            Time("tls12 resumed BouncyCastleTls12", n, filter, () => resumed.BouncyCastleTls12());
            Time("tls12 resumed SslStreamTls12", n, filter, () => resumed.SslStreamTls12());
            Time("tls12 resumed SslStreamTls13", n, filter, () => resumed.SslStreamTls13());
        }

        if ("tls12 bulk".StartsWith(filter, StringComparison.OrdinalIgnoreCase) || filter.StartsWith("tls12 bulk", StringComparison.OrdinalIgnoreCase))
        {
            foreach (Tls12BulkSuite suite in Enum.GetValues<Tls12BulkSuite>())
            {
                var bulk = new Tls12BulkBenchmarks { Suite = suite };
                bulk.Setup();
                Time($"tls12 bulk {suite} ManagedTls12", n, filter, () => bulk.ManagedTls12());
                Time($"tls12 bulk {suite} BouncyCastleTls12", n, filter, () => bulk.BouncyCastleTls12());
                Time($"tls12 bulk {suite} SslStreamTls12", n, filter, () => bulk.SslStreamTls12());
                bulk.Cleanup();
            }
        }
    }

    private static void Time(string name, int n, string filter, Func<long> action)
    {
        if (!name.Contains(filter, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        for (int i = 0; i < Math.Max(3, n / 10); i++)
        {
            action();
        }

        long bytes = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        double min = double.MaxValue;
        for (int i = 0; i < n; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            min = Math.Min(min, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        sw.Stop();
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Console.WriteLine($"{name,-40} mean {sw.Elapsed.TotalMicroseconds / n,8:F0} us  min {min,8:F0} us {bytes / n,10} B/op (this thread)");
    }

    private static void Time(string name, int n, string filter, Func<int> action) => Time(name, n, filter, () => (long)action());
}
