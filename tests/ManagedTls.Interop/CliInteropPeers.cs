using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Cli;

namespace ManagedTls.Interop;

/// <summary>A stream that collects what is written and lets a test wait until some text has appeared.</summary>
internal sealed class CaptureStream : Stream
{
    private readonly MemoryStream _data = new();
    private readonly object _gate = new();

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return Encoding.UTF8.GetString(_data.ToArray());
            }
        }
    }

    public bool WaitFor(string text, int timeoutMs)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        lock (_gate)
        {
            while (!Encoding.UTF8.GetString(_data.ToArray()).Contains(text, StringComparison.Ordinal))
            {
                int left = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(_gate, left);
            }
        }

        return true;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_gate)
        {
            _data.Write(buffer, offset, count);
            Monitor.PulseAll(_gate);
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>What a finished client run produced.</summary>
internal sealed record ClientRun(int ExitCode, string Stdout, string Stderr);

/// <summary>Starts the peers the CLI tests need; every wait is bounded and every process is killed on dispose.</summary>
internal static class CliPeers
{
    public const int TimeoutMs = 20000;

    public static int FreePort() => OpenSslProcess.FreePort();

    /// <summary>Our s_client, in process, with <paramref name="stdin"/> as its input.</summary>
    public static ClientRun OurClient(string stdin, params string[] args) => OurClient(new MemoryStream(Encoding.UTF8.GetBytes(stdin)), args);

    /// <summary>Our s_client, in process, reading <paramref name="stdin"/>.</summary>
    public static ClientRun OurClient(Stream stdin, params string[] args)
    {
        var stdout = new CaptureStream();
        var stderr = new StringWriter();
        var task = Task.Run(() => SClientCommand.Run(args, stdin, stdout, TextWriter.Synchronized(stderr)));
        Assert.True(task.Wait(TimeoutMs), "s_client did not finish in time");
        return new ClientRun(task.Result, stdout.Text, stderr.ToString());
    }

    /// <summary>Our s_server, in process, serving until <c>-naccept</c> runs out; started when it printed ACCEPT.</summary>
    public static OurServer StartOurServer(int port, params string[] args)
    {
        var server = new OurServer(port, ["-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. args]);
        Assert.True(server.Stdout.WaitFor("ACCEPT", TimeoutMs), "s_server did not print ACCEPT: " + server.Stderr);
        return server;
    }

    /// <summary>openssl s_server on <paramref name="port"/>, started when it printed ACCEPT.</summary>
    public static OpenSslPeer StartOpenSslServer(int port, params string[] args)
    {
        var peer = new OpenSslPeer(["s_server", "-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. args], stdin: null);
        Assert.True(peer.Stdout.WaitFor("ACCEPT", TimeoutMs), "openssl s_server did not start: " + peer.Stderr);
        return peer;
    }

    /// <summary>openssl s_client run to its end with <paramref name="stdin"/>.</summary>
    public static ClientRun OpenSslClient(string stdin, params string[] args)
    {
        using var peer = new OpenSslPeer(["s_client", .. args], Encoding.UTF8.GetBytes(stdin));
        return peer.WaitExit();
    }

    /// <summary>Python's ssl module as a client of an HTTPS-like server; returns its stdout.</summary>
    public static ClientRun PythonGet(int port, string caFile)
    {
        const string Script = """
            import socket, ssl, sys
            ctx = ssl.create_default_context(cafile=sys.argv[2])
            with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                    data = b""
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    print(s.version(), s.cipher()[0])
                    print(data.decode())
            """;
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-c", Script, port.ToString(System.Globalization.CultureInfo.InvariantCulture), caFile })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        try
        {
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(TimeoutMs), "python did not finish in time");
            return new ClientRun(p.ExitCode, output.Result, error.Result);
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The managedtls CLI as its own process (<c>dotnet ManagedTls.Cli.dll ARGS</c>).</summary>
    public static OpenSslPeer CliProcess(byte[]? stdin, params string[] args) =>
        new(["exec", Path.Combine(AppContext.BaseDirectory, "ManagedTls.Cli.dll"), .. args], stdin, "dotnet");

    /// <summary>The <c>-brief</c> summary block: from CONNECTION ESTABLISHED, the "Name: value" lines.</summary>
    public static List<string> BriefLines(string stderr)
    {
        var lines = stderr.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        int start = Array.IndexOf(lines, "CONNECTION ESTABLISHED");
        Assert.True(start >= 0, "no CONNECTION ESTABLISHED in: " + stderr);
        return lines.Skip(start).TakeWhile(l => l == "CONNECTION ESTABLISHED" || l.Contains(": ", StringComparison.Ordinal) || l == "No peer certificate").ToList();
    }

    /// <summary>The key log lines of a file, comments left out.</summary>
    public static HashSet<string> KeyLogLines(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
}

/// <summary>Our s_server running on a background task.</summary>
internal sealed class OurServer : IDisposable
{
    private readonly StringWriter _stderr = new();
    private readonly Task<int> _task;
    private readonly int _port;

    public OurServer(int port, string[] args)
    {
        _port = port;
        _task = Task.Run(() => SServerCommand.Run(args, new MemoryStream(), Stdout, TextWriter.Synchronized(_stderr)));
    }

    public CaptureStream Stdout { get; } = new();

    public string Stderr => _stderr.ToString();

    /// <summary>Waits for the server to exit (after its -naccept connections) and returns its exit code.</summary>
    public int WaitExit()
    {
        Assert.True(_task.Wait(CliPeers.TimeoutMs), "s_server did not exit in time: " + Stderr);
        return _task.Result;
    }

    public void Dispose()
    {
        // A server still waiting for connections (a test failed early) is released by connections that close at once.
        for (int i = 0; i < 10 && !_task.Wait(i == 0 ? 0 : 2000); i++)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, _port);
            }
            catch (SocketException)
            {
                // Not listening any more.
            }
        }
    }
}

/// <summary>An openssl (or other) process with captured output; killed on dispose.</summary>
internal sealed class OpenSslPeer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stdoutCopy;

    public OpenSslPeer(IEnumerable<string> args, byte[]? stdin, string program = "openssl")
    {
        _process = OpenSslProcess.Start(program, args);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.Append(e.Data).Append('\n');
                }
            }
        };
        _process.BeginErrorReadLine();
        _stdoutCopy = _process.StandardOutput.BaseStream.CopyToAsync(Stdout);
        if (stdin is not null)
        {
            _process.StandardInput.BaseStream.Write(stdin);
            _process.StandardInput.Close();
        }
    }

    public CaptureStream Stdout { get; } = new();

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public ClientRun WaitExit()
    {
        Assert.True(_process.WaitForExit(CliPeers.TimeoutMs), "openssl did not finish in time: " + Stderr);
        _process.WaitForExit();
        _stdoutCopy.Wait(CliPeers.TimeoutMs);
        return new ClientRun(_process.ExitCode, Stdout.Text, Stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(CliPeers.TimeoutMs);
        }

        _process.Dispose();
    }
}
