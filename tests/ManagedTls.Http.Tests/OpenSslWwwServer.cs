using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ManagedTls.Http.Tests;

/// <summary>
/// <c>openssl s_server -www</c> on a loopback port: it answers each connection with an HTTP/1.0 page describing the
/// TLS connection ("New, TLSv1.3, Cipher is ..." or "Reused, ..."), then closes it. It only exits when killed.
/// </summary>
internal sealed class OpenSslWwwServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OpenSslWwwServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseUri => new($"https://localhost:{Port}/");

    /// <summary>Everything the server printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server with <paramref name="extra"/> arguments and waits (at most 10 s) until it accepts.</summary>
    public static OpenSslWwwServer Start(params string[] extra) => Start(TestPkis.Localhost, extra);

    /// <summary>Starts the server presenting <paramref name="files"/>' leaf.</summary>
    public static OpenSslWwwServer Start(ManagedTls.Testing.PemFiles files, params string[] extra)
    {
        int port = FreePort();
        var psi = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "s_server", "-www", "-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-cert", files.CertificateFile, "-key", files.KeyFile }.Concat(extra))
        {
            psi.ArgumentList.Add(a);
        }

        Process process = Process.Start(psi) ?? throw new InvalidOperationException("openssl did not start");
        var server = new OpenSslWwwServer(process, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!server.Output.Contains("ACCEPT", StringComparison.Ordinal))
        {
            if (clock.ElapsedMilliseconds > 10000 || process.HasExited)
            {
                server.Dispose();
                throw new InvalidOperationException("openssl s_server did not start: " + server.Output);
            }

            Thread.Sleep(20);
        }

        return server;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
