using System.Diagnostics;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>Runs a command with a bound on its time, capturing what it prints.</summary>
internal static class ExternalProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, string? stdin = null, int timeoutSeconds = 20)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeoutSeconds} s");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>curl against 127.0.0.1 under the name localhost (or <paramref name="hostName"/>), trusting the test CA.</summary>
    public static Task<Result> CurlAsync(int port, string path, string? hostName = null, params string[] extra)
    {
        string host = hostName ?? "localhost";
        var args = new List<string>
        {
            "--silent", "--show-error", "--max-time", "15",
            "--resolve", $"{host}:{port}:127.0.0.1",
            "--cacert", TestPki.Shared.AuthorityFile,
            "--write-out", "\n%{http_version}",
        };
        args.AddRange(extra);
        args.Add($"https://{host}:{port}{path}");
        return RunAsync("curl", args);
    }
}
