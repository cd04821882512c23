using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ManagedTls.Interop;

/// <summary>Runs the openssl binary with a bounded timeout and returns stdout (stderr in the failure message).</summary>
internal static class OpenSslProcess
{
    public static byte[] Run(IEnumerable<string> args, byte[]? stdin = null, int timeoutMs = 30000)
    {
        using Process p = Start("openssl", args);
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

    /// <summary>Starts <paramref name="file"/> with every standard stream redirected and <paramref name="environment"/> added to its environment.</summary>
    public static Process Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (KeyValuePair<string, string> variable in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[variable.Key] = variable.Value;
        }

        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (KeyValuePair<string, string> variable in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[variable.Key] = variable.Value;
        }

        return Process.Start(psi) ?? throw new InvalidOperationException(file + " did not start");
    }

    /// <summary>Kills the process and its children if it is still running, waiting at most <paramref name="timeoutMs"/>.</summary>
    public static void Kill(Process process, int timeoutMs)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(timeoutMs);
        }
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    /// <summary>Connects to a local server that may still be starting, retrying until <paramref name="timeoutMs"/>.</summary>
    public static Socket ConnectWithRetry(int port, int timeoutMs)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            {
                ReceiveTimeout = timeoutMs,
                SendTimeout = timeoutMs,
            };
            try
            {
                socket.Connect(IPAddress.Loopback, port);
                return socket;
            }
            catch (SocketException) when (clock.ElapsedMilliseconds < timeoutMs)
            {
                socket.Dispose();
                Thread.Sleep(50);
            }
        }
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static string RunText(params string[] args) => System.Text.Encoding.UTF8.GetString(Run(args)).Trim();
}
