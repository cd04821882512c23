using System.Diagnostics;
using System.Text.Json;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>
/// The sample (samples/ManagedTls.KestrelSample, built with this project) serves HTTPS with libssl and libcrypto
/// hidden by <c>shared/tools/without-openssl</c> (the tool CI uses for the demo; <c>MANAGEDTLS_WITHOUT_OPENSSL</c> names
/// another copy): any use of OpenSSL would abort the process. With them present, the process maps neither.
/// </summary>
public sealed class WithoutOpenSslTests
{
    [Fact]
    public async Task The_sample_serves_http2_and_http11_with_openssl_hidden()
    {
        string tool = Environment.GetEnvironmentVariable("MANAGEDTLS_WITHOUT_OPENSSL")
            ?? Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "tools", "without-openssl"));
        Assert.True(File.Exists(tool), $"{tool} is missing: it is what proves the sample runs without OpenSSL");
        await using var sample = await Sample.StartAsync(tool, "dotnet", SamplePath());
        await AssertServesAsync(sample.Port);
    }

    [Fact]
    public async Task The_sample_never_maps_openssl_even_when_it_is_there()
    {
        await using var sample = await Sample.StartAsync("dotnet", SamplePath());
        await AssertServesAsync(sample.Port);
    }

    private static async Task AssertServesAsync(int port)
    {
        foreach ((string flag, string protocol) in new[] { ("--http2", "HTTP/2"), ("--http1.1", "HTTP/1.1") })
        {
            ExternalProcess.Result r = await ExternalProcess.CurlAsync(port, "/tls", null, flag);
            Assert.True(r.ExitCode == 0, r.ToString());
            JsonElement info = Json.Parse(r.Stdout).Info;
            Assert.Equal(protocol, info.Str("protocol"));
            Assert.Equal("TLSv1.3", info.Str("tls"));
            Assert.Equal("localhost", info.Str("hostName"));
            Assert.Equal("False", info.Str("openSslLoaded"));
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ManagedTls.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ManagedTls.sln not found above " + AppContext.BaseDirectory);
    }

    private static string SamplePath()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        string path = Path.Combine(RepositoryRoot(), "samples", "ManagedTls.KestrelSample", "bin", configuration, "net10.0", "ManagedTls.KestrelSample.dll");
        Assert.True(File.Exists(path), $"{path} is missing (the test project builds it)");
        return path;
    }

    /// <summary>The sample process on a free port, with the test's localhost certificate; killed on disposal.</summary>
    private sealed class Sample : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output;

        private Sample(Process process, System.Text.StringBuilder output, int port)
        {
            _process = process;
            _output = output;
            Port = port;
        }

        public int Port { get; }

        public static async Task<Sample> StartAsync(params string[] command)
        {
            var start = new ProcessStartInfo(command[0])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in command.Skip(1).Concat(["--port", "0", "--cert", TestPki.Shared.Server.CertificateFile, "--key", TestPki.Shared.Server.KeyFile]))
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the sample");
            var output = new System.Text.StringBuilder();
            var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }

                const string prefix = "listening on https://127.0.0.1:";
                if (e.Data is { } line && line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    port.TrySetResult(int.Parse(line[prefix.Length..].TrimEnd('/'), System.Globalization.CultureInfo.InvariantCulture));
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            };
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => port.TrySetException(new InvalidOperationException("the sample exited"));
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                return new Sample(process, output, await port.Task.WaitAsync(TimeSpan.FromSeconds(25)));
            }
            catch (Exception ex)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                lock (output)
                {
                    throw new InvalidOperationException($"the sample did not start: {ex.Message}\n{output}", ex);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
            _process.Dispose();
        }
    }
}
