using System.Diagnostics;
using System.Text;

namespace ManagedTls.Tests.SslFacade;

/// <summary>Paths to the committed vectors and bounded runs of the python3 and openssl oracles.</summary>
internal static class Oracles
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "vectors", "certs")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("vectors/certs not found above " + AppContext.BaseDirectory);
    });

    /// <summary>vectors/certs.</summary>
    public static string CertsDir => Path.Combine(Root.Value, "vectors", "certs");

    /// <summary>A file under vectors/certs.</summary>
    public static string Cert(string relative) => Path.Combine(CertsDir, relative);

    /// <summary>Names (without extension) of the PEM test certificates.</summary>
    public static IEnumerable<string> CertNames() =>
        Directory.GetFiles(Path.Combine(CertsDir, "pem"), "*.pem").Select(f => Path.GetFileNameWithoutExtension(f)!).OrderBy(n => n, StringComparer.Ordinal);

    /// <summary>Whether a program is on PATH.</summary>
    public static bool Has(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    /// <summary>Runs python3 with a script; stdout, or null when python3 is not installed. Fails on timeout or exit code.</summary>
    public static string? Python(string script, string? stdin = null, IDictionary<string, string?>? env = null) =>
        Has("python3") ? Run("python3", new[] { "-c", script }, stdin, env) : null;

    /// <summary>
    /// Runs python3 with a script whose output depends only on the committed vectors. Without python3 the answer
    /// recorded in vectors/certs/recorded/NAME.txt is returned instead; with MANAGEDTLS_RECORD=1 the live answer
    /// is written there.
    /// </summary>
    public static string PythonOrRecorded(string recordName, string script, string? stdin = null)
    {
        string recorded = Path.Combine(CertsDir, "recorded", recordName + ".txt");
        string? live = Python(script, stdin);
        if (live is null)
        {
            return File.ReadAllText(recorded);
        }

        if (Environment.GetEnvironmentVariable("MANAGEDTLS_RECORD") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(recorded)!);
            File.WriteAllText(recorded, live);
        }

        return live;
    }

    /// <summary>Runs a program with a 60 s bound and returns its stdout; throws on a non-zero exit or timeout.</summary>
    public static string Run(string program, IEnumerable<string> args, string? stdin = null, IDictionary<string, string?>? env = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = CertsDir,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        if (env is not null)
        {
            foreach (var kv in env)
            {
                if (kv.Value is null)
                {
                    psi.Environment.Remove(kv.Key);
                }
                else
                {
                    psi.Environment[kv.Key] = kv.Value;
                }
            }
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }

        p.StandardInput.Close();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException(program + " did not finish within 60 s");
        }

        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited {p.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }
}
