using System.Diagnostics;

namespace ManagedTls.Tests;

/// <summary>Runs python3 as an oracle with a bounded timeout. CI installs python3, so absence is a failure.</summary>
internal static class PythonOracle
{
    public static string? Run(string code, int timeoutMs = 20000)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(code);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("python3 oracle timed out");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"python3 failed: {stderr.Result}");
        }

        return stdout.Result.Trim();
    }
}
