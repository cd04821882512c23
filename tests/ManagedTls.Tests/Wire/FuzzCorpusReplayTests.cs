using ManagedTls.Wire;

namespace ManagedTls.Tests.Wire;

/// <summary>Replays every fuzz seed (fuzz/corpus/*/*) through every wire fuzz target.</summary>
public class FuzzCorpusReplayTests
{
    internal static string CorpusDir()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            string c = Path.Combine(d, "fuzz", "corpus");
            if (Directory.Exists(c))
            {
                return c;
            }
        }

        throw new InvalidOperationException("fuzz/corpus not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Every_corpus_file_through_every_target_raises_only_alerts()
    {
        string[] files = Directory.GetFiles(CorpusDir(), "*", SearchOption.AllDirectories);
        Assert.True(files.Length > 100, $"only {files.Length} corpus files");
        foreach (string f in files)
        {
            byte[] data = File.ReadAllBytes(f);
            foreach (KeyValuePair<string, WireFuzzTarget> t in WireFuzzTargets.All)
            {
                try
                {
                    t.Value(data);
                }
                catch (TlsAlertException)
                {
                }
                catch (Exception e)
                {
                    Assert.Fail($"target {t.Key} crashed on {f}: {e}");
                }
            }
        }
    }

    [Fact]
    public void Every_seed_decodes_in_its_own_target()
    {
        foreach (string dir in Directory.GetDirectories(CorpusDir()))
        {
            string name = Path.GetFileName(dir);
            if (!WireFuzzTargets.All.TryGetValue(name, out WireFuzzTarget? target))
            {
                continue;
            }

            // Real and hand-made messages must decode; inputs kept from afl-fuzz queues ("afl-*") may be rejected.
            foreach (string f in Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).StartsWith("afl-", StringComparison.Ordinal)))
            {
                target(File.ReadAllBytes(f));
            }
        }
    }
}
