using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using ManagedTls.CipherSuites;

namespace ManagedTls.Tests.CipherSuites;

/// <summary>One run of an oracle process.</summary>
internal sealed record OracleRun(int Exit, string Stdout, string Stderr);

/// <summary>
/// The recorded oracle answers in vectors/ciphers and the live oracles (the <c>openssl</c> binary and
/// <c>python3</c>), run with bounded timeouts. When an oracle binary is absent the live tests check the
/// recorded answers instead, so nothing is skipped.
/// </summary>
internal static class CipherOracles
{
    private static readonly Lazy<string> Root = new(FindRoot);
    private static readonly Lazy<JsonDocument> OpenSslDoc = new(() => Load("openssl_ciphers.json"));
    private static readonly Lazy<JsonDocument> PythonDoc = new(() => Load("python_get_ciphers.json"));

    /// <summary>The names of every suite we implement, as OpenSSL prints them.</summary>
    public static readonly HashSet<string> OurNames = new(CipherSuiteRegistry.All.Select(s => s.OpenSslName), StringComparer.Ordinal);

    public static string VectorsDir => Path.Combine(Root.Value, "vectors", "ciphers");

    public static JsonElement OpenSslRecord => OpenSslDoc.Value.RootElement;

    public static JsonElement PythonRecord => PythonDoc.Value.RootElement;

    /// <summary>Every recorded <c>openssl ciphers -- STRING</c> case's string.</summary>
    public static IEnumerable<string> RecordedStrings =>
        OpenSslRecord.GetProperty("strings").EnumerateArray().Select(e => e.GetProperty("string").GetString()!);

    /// <summary>The hand-picked strings (the seeded random ones are checked live through Python, in one process).</summary>
    public static IEnumerable<string> CuratedStrings =>
        OpenSslRecord.GetProperty("strings").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "curated")
            .Select(e => e.GetProperty("string").GetString()!);

    public static OracleRun RecordedString(string s)
    {
        var e = OpenSslRecord.GetProperty("strings").EnumerateArray().First(x => x.GetProperty("string").GetString() == s);
        return FromJson(e);
    }

    public static OracleRun FromJson(JsonElement e) =>
        new(e.GetProperty("exit").GetInt32(), e.GetProperty("stdout").GetString()!, e.GetProperty("stderr_first_line").GetString()!);

    /// <summary>Colon-separated output restricted to our suites.</summary>
    public static string FilterNames(string stdout) =>
        string.Join(":", stdout.Trim().Split(':').Where(OurNames.Contains));

    /// <summary>Verbose output restricted to the lines that describe one of our suites.</summary>
    public static string FilterLines(string stdout) =>
        string.Concat(stdout.Split('\n').Where(l => l.Split(' ').Any(OurNames.Contains)).Select(l => l + "\n"));

    /// <summary>Runs a process with a timeout; null when the program does not exist on this machine.</summary>
    public static OracleRun? Run(string program, IEnumerable<string> args, int timeoutMs = 30000)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (Win32Exception)
        {
            return null;
        }

        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutMs))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(" ", args)} did not finish in {timeoutMs} ms");
            }

            p.WaitForExit();
            return new OracleRun(p.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>Runs <c>openssl ciphers ARGS</c> for every argument list, a few at a time; null when there is no openssl.</summary>
    public static IReadOnlyList<OracleRun>? RunOpenSslCiphers(IReadOnlyList<string[]> argLists)
    {
        if (Run("openssl", new[] { "version" }) is not { Exit: 0 })
        {
            return null;
        }

        var results = new ConcurrentDictionary<int, OracleRun>();
        Parallel.For(0, argLists.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            results[i] = Run("openssl", new[] { "ciphers" }.Concat(argLists[i]))!;
        });
        return Enumerable.Range(0, argLists.Count).Select(i => results[i]).ToArray();
    }

    private static JsonDocument Load(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(VectorsDir, file)));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "vectors", "ciphers", "openssl_ciphers.json")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("vectors/ciphers not found above " + AppContext.BaseDirectory);
    }
}
