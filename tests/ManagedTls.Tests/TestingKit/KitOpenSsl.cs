using System.Diagnostics;
using System.Globalization;
using System.Text;
using ManagedTls.Testing;

namespace ManagedTls.Tests.TestingKit;

/// <summary>
/// <c>openssl s_server</c> and <c>s_client</c> for the kit's tests: one connection each, on loopback, every wait bounded,
/// the process killed and its temporary files deleted on dispose.
/// </summary>
internal sealed class KitOpenSsl : IDisposable
{
    private static readonly Lazy<(string Certificate, string Key)> RsaCredentials = new(MakeRsaCredentials);

    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _output = new();

    private KitOpenSsl(Process process, string dir)
    {
        _process = process;
        _dir = dir;
    }

    /// <summary>The port s_server accepts on.</summary>
    public int Port { get; private set; }

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
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

    /// <summary>
    /// Starts <c>openssl s_server -accept 127.0.0.1:0 -naccept 1</c> with the kit's ECDSA certificate (or a throwaway
    /// RSA one) and <paramref name="args"/>, in which <c>{ca}</c> stands for the kit's CA file, and waits for its port.
    /// </summary>
    public static KitOpenSsl Server(bool rsa, params string[] args)
    {
        string dir = TempDirectory();
        PemFiles pki = EngineTargets.Pki.WritePemFiles(dir);
        (string cert, string key) = rsa ? WriteRsa(dir) : (pki.CertificateFile, pki.KeyFile);
        string[] all = ["s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-cert", cert, "-key", key, .. args.Select(a => a == "{ca}" ? pki.AuthorityFile : a)];
        KitOpenSsl server = Start(dir, all);
        try
        {
            server.Port = server.WaitForPort();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Starts <c>openssl s_client -connect 127.0.0.1:port</c>, trusting the kit's CA, with <paramref name="args"/>.</summary>
    public static KitOpenSsl Client(int port, params string[] args)
    {
        string dir = TempDirectory();
        PemFiles files = EngineTargets.Pki.WritePemFiles(dir);
        string[] all = ["s_client", "-connect", $"127.0.0.1:{port}", "-CAfile", files.AuthorityFile, "-servername", "localhost", .. args];
        return Start(dir, all);
    }

    /// <summary>Writes a line to the process's stdin.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.Write(line + "\n");
        _process.StandardInput.Flush();
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to end; true when it did.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            return false;
        }

        _process.WaitForExit();
        return true;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for <paramref name="text"/> in the output.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                return Output.Contains(text, StringComparison.Ordinal);
            }

            Thread.Sleep(20);
        }

        return false;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static KitOpenSsl Start(string dir, string[] args)
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

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("openssl did not start");
        }
        catch
        {
            Directory.Delete(dir, recursive: true);
            throw;
        }

        var result = new KitOpenSsl(process, dir);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Append(line).Append('\n');
            }
        }
    }

    private int WaitForPort()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            foreach (string line in Output.Split('\n'))
            {
                if (line.StartsWith("ACCEPT ", StringComparison.Ordinal))
                {
                    return int.Parse(line.AsSpan(line.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture);
                }
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"openssl s_server ended without printing its port: {Output}");
            }

            Thread.Sleep(10);
        }

        throw new TimeoutException("openssl s_server did not report its port within 10 s");
    }

    private static string TempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mtls-kit-openssl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static (string Certificate, string Key) WriteRsa(string dir)
    {
        (string cert, string key) = RsaCredentials.Value;
        string certFile = Path.Combine(dir, "rsa-cert.pem");
        string keyFile = Path.Combine(dir, "rsa-key.pem");
        File.WriteAllText(certFile, cert);
        File.WriteAllText(keyFile, key);
        return (certFile, keyFile);
    }

    /// <summary>A self-signed RSA-2048 certificate for localhost made once per process by <c>openssl req</c>.</summary>
    private static (string Certificate, string Key) MakeRsaCredentials()
    {
        string dir = TempDirectory();
        try
        {
            string cert = Path.Combine(dir, "cert.pem");
            string key = Path.Combine(dir, "key.pem");
            var psi = new ProcessStartInfo("openssl")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-days", "2" })
            {
                psi.ArgumentList.Add(a);
            }

            using Process process = Process.Start(psi) ?? throw new InvalidOperationException("openssl did not start");
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(20_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("openssl req did not finish within 20 s");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException("openssl req failed: " + stderr.Result);
            }

            return (File.ReadAllText(cert), File.ReadAllText(key));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
