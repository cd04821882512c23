using System.Diagnostics;

namespace ManagedTls.Interop;

/// <summary>Runs the openssl binary with a bounded timeout and returns stdout (stderr in the failure message).</summary>
internal static class OpenSslProcess
{
    public static byte[] Run(IEnumerable<string> args, byte[]? stdin = null, int timeoutMs = 30000)
    {
        var psi = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("openssl did not start");
        var output = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(output);
        var err = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.BaseStream.Write(stdin);
        }

        p.StandardInput.Close();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"openssl {string.Join(' ', args)} timed out");
        }

        copy.Wait(timeoutMs);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} exited {p.ExitCode}: {err.Result}");
        }

        return output.ToArray();
    }

    public static string RunText(params string[] args) => System.Text.Encoding.UTF8.GetString(Run(args)).Trim();
}
