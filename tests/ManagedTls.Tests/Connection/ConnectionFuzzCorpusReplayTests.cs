using System.Diagnostics;
using ManagedTls.Connection;
using ManagedTls.Tests.Wire;
using ManagedTls.Wire;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Connection;

/// <summary>Replays every file of the connection fuzz targets' corpora (fuzz/corpus/TARGET/*) through its target.</summary>
public class ConnectionFuzzCorpusReplayTests(ITestOutputHelper output)
{
    // A single input runs in milliseconds; this only catches a hang on a machine under load.
    private static readonly TimeSpan SlowestAllowed = TimeSpan.FromSeconds(5);

    public static TheoryData<string> Targets()
    {
        var data = new TheoryData<string>();
        foreach (string name in ConnectionFuzzTargets.All.Keys.Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_file_ends_in_success_or_an_alert(string target)
    {
        WireFuzzTarget run = ConnectionFuzzTargets.All[target];
        string[] files = Directory.GetFiles(Path.Combine(FuzzCorpusReplayTests.CorpusDir(), target));
        Assert.True(files.Length >= 25, $"only {files.Length} corpus files for {target}");
        // The fixture (certificates, the resumption session, the recorded handshakes) is made once, before timing.
        var warmUp = Stopwatch.StartNew();
        for (int v = 0; v < ConnectionFuzzFixture.Variants; v++)
        {
            _ = ConnectionFuzzFixture.Recorded(v);
        }

        warmUp.Stop();
        var total = Stopwatch.StartNew();
        (TimeSpan Time, string File) slowest = default;
        int alerts = 0;
        foreach (string f in files.Order(StringComparer.Ordinal))
        {
            byte[] data = File.ReadAllBytes(f);
            var clock = Stopwatch.StartNew();
            try
            {
                run(data);
            }
            catch (TlsAlertException)
            {
                alerts++;
            }
            catch (Exception e)
            {
                Assert.Fail($"target {target} crashed on {f}: {e}");
            }

            if (clock.Elapsed > slowest.Time)
            {
                slowest = (clock.Elapsed, Path.GetFileName(f));
            }
        }

        output.WriteLine($"{target}: {files.Length} files ({alerts} ended in an alert) in {total.ElapsedMilliseconds} ms (fixture {warmUp.ElapsedMilliseconds} ms), slowest {slowest.File} {slowest.Time.TotalMilliseconds:F0} ms");
        Assert.True(slowest.Time < SlowestAllowed, $"{slowest.File} took {slowest.Time}");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_seed_runs_to_its_end(string target)
    {
        // Seeds are real transcripts (fuzz/ManagedTls.Fuzz generate-seeds): only the ones that end in the peer's
        // fatal alert fail, with the alert received.
        WireFuzzTarget run = ConnectionFuzzTargets.All[target];
        string dir = Path.Combine(FuzzCorpusReplayTests.CorpusDir(), target);
        foreach (string f in Directory.GetFiles(dir, "seed-*"))
        {
            TlsAlertException? failure = null;
            try
            {
                run(File.ReadAllBytes(f));
            }
            catch (TlsAlertException e)
            {
                failure = e;
            }

            if (Path.GetFileName(f).Contains("fatal_alert", StringComparison.Ordinal))
            {
                Assert.True(failure is { Received: true }, $"{f}: {failure?.Message ?? "no failure"}");
            }
            else
            {
                Assert.True(failure is null, $"{f}: {failure?.Message}");
            }
        }
    }
}
