using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Text;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.X509;

namespace ManagedTls.Interop;

/// <summary>A server certificate (P-256, CN=localhost) and a client certificate (P-384), made once with openssl.</summary>
public sealed class EngineInteropCertificates : IDisposable
{
    public EngineInteropCertificates()
    {
        Cert = Path.Combine(Dir, "cert.pem");
        Key = Path.Combine(Dir, "key.pem");
        ClientCert = Path.Combine(Dir, "client-cert.pem");
        ClientKey = Path.Combine(Dir, "client-key.pem");
        OpenSslProcess.Run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", Key, "-out", Cert,
        ]);
        OpenSslProcess.Run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-days", "2",
            "-subj", "/O=Clients/CN=interop-client", "-keyout", ClientKey, "-out", ClientCert,
        ]);
        CertDer = PemToDer(File.ReadAllText(Cert));
        ClientCertDer = PemToDer(File.ReadAllText(ClientCert));
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("mtls-engine-").FullName;
    public string Cert { get; }
    public string Key { get; }
    public string ClientCert { get; }
    public string ClientKey { get; }
    internal byte[] CertDer { get; }
    internal byte[] ClientCertDer { get; }

    /// <summary>A client that trusts the server certificate and checks the name localhost.</summary>
    internal TlsConfig Client() => new()
    {
        Role = TlsRole.Client,
        Trust = new TrustStore([CertDer]),
        ServerName = "localhost",
        CheckHostname = true,
    };

    /// <summary>A server with the P-256 certificate.</summary>
    internal TlsConfig Server() => new()
    {
        Role = TlsRole.Server,
        CertificateChain = [CertDer],
        PrivateKey = PrivateKey.LoadFile(Key),
    };

    /// <summary>A path in the temporary directory that no other test uses.</summary>
    public string NewFile(string name) => Path.Combine(Dir, Guid.NewGuid().ToString("N") + "-" + name);

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    private static byte[] PemToDer(string pem)
    {
        string body = pem.Split("-----BEGIN CERTIFICATE-----")[1].Split("-----END CERTIFICATE-----")[0];
        return Convert.FromBase64String(body.Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal));
    }
}

/// <summary>
/// One engine <see cref="TlsConnection"/> over a loopback TCP socket. Every byte sent is kept so a test can
/// inspect our records; every wait is bounded by <see cref="TimeoutMs"/>.
/// </summary>
internal sealed class EngineSocket : IDisposable
{
    public const int TimeoutMs = 20000;

    private readonly Socket _socket;
    private readonly MemoryStream _sent = new();
    private readonly List<string> _keyLog = [];

    private EngineSocket(Socket socket, TlsConfig settings)
    {
        _socket = socket;
        _socket.ReceiveTimeout = TimeoutMs;
        _socket.SendTimeout = TimeoutMs;
        settings = settings with { KeyLog = line => { lock (_keyLog) { _keyLog.Add(line.TrimEnd()); } } };
        Tls = settings.Role == TlsRole.Client ? TlsConnection.CreateClient(settings) : TlsConnection.CreateServer(settings);
    }

    public TlsConnection Tls { get; }

    /// <summary>Every byte we have sent so far.</summary>
    public byte[] Sent => _sent.ToArray();

    /// <summary>The key log lines our side produced.</summary>
    public HashSet<string> KeyLog
    {
        get
        {
            lock (_keyLog)
            {
                return [.. _keyLog];
            }
        }
    }

    /// <summary>Connects a client to 127.0.0.1:<paramref name="port"/>, retrying until the listener is up.</summary>
    public static EngineSocket Connect(int port, TlsConfig settings)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Connect(IPAddress.Loopback, port);
                return new EngineSocket(socket, settings);
            }
            catch (SocketException) when (clock.ElapsedMilliseconds < TimeoutMs)
            {
                socket.Dispose();
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Accepts one connection on <paramref name="listener"/>; fails early when <paramref name="peer"/> exits first.</summary>
    public static EngineSocket Accept(TcpListener listener, TlsConfig settings, OpenSslSession? peer = null)
    {
        var clock = Stopwatch.StartNew();
        while (!listener.Pending())
        {
            Assert.True(clock.ElapsedMilliseconds < TimeoutMs, "the peer did not connect");
            Assert.False(peer is not null && peer.HasExited, "the peer exited before connecting: " + peer?.Stderr);
            Thread.Sleep(10);
        }

        return new EngineSocket(listener.AcceptSocket(), settings);
    }

    /// <summary>Sends what the connection has and feeds it what arrives until <paramref name="done"/> holds.</summary>
    public void Pump(Func<bool> done, string what = "the exchange")
    {
        byte[] buffer = new byte[32 * 1024];
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Flush();
            if (done())
            {
                return;
            }

            Assert.True(clock.ElapsedMilliseconds < TimeoutMs, what + " timed out");
            Assert.Null(Tls.Failure);
            if (!_socket.Poll(50_000, SelectMode.SelectRead))
            {
                continue;
            }

            int n = _socket.Receive(buffer);
            if (n == 0)
            {
                Assert.True(done(), "the peer closed the socket before " + what + " finished");
                return;
            }

            Tls.ReceiveBytes(buffer.AsSpan(0, n));
        }
    }

    /// <summary>Runs the handshake to its end.</summary>
    public void Handshake() => Pump(() => Tls.IsHandshakeComplete, "the handshake");

    /// <summary>Writes <paramref name="text"/> as application data and sends it.</summary>
    public void Send(string text)
    {
        Tls.WriteApplicationData(Encoding.UTF8.GetBytes(text));
        Flush();
    }

    /// <summary>Reads application data until the text received holds <paramref name="expected"/>; returns all of it.</summary>
    public string ReceiveUntil(string expected)
    {
        var text = new StringBuilder();
        Pump(() =>
        {
            if (Tls.PendingApplicationData > 0)
            {
                byte[] data = new byte[Tls.PendingApplicationData];
                Tls.ReadApplicationData(data);
                text.Append(Encoding.UTF8.GetString(data));
            }

            return text.ToString().Contains(expected, StringComparison.Ordinal) || Tls.PeerClosed;
        }, "waiting for \"" + expected + "\"");
        Assert.Contains(expected, text.ToString());
        return text.ToString();
    }

    /// <summary>Reads until the peer's close_notify; returns all application data received.</summary>
    public string ReceiveToEnd()
    {
        var text = new StringBuilder();
        Pump(() =>
        {
            if (Tls.PendingApplicationData > 0)
            {
                byte[] data = new byte[Tls.PendingApplicationData];
                Tls.ReadApplicationData(data);
                text.Append(Encoding.UTF8.GetString(data));
            }

            return Tls.PeerClosed;
        }, "waiting for close_notify");
        return text.ToString();
    }

    /// <summary>Queues close_notify and sends it.</summary>
    public void Close()
    {
        Tls.Close();
        Flush();
    }

    public void Flush()
    {
        while (Tls.HasOutgoing)
        {
            byte[] bytes = new byte[Tls.OutgoingLength];
            int n = Tls.TakeOutgoing(bytes);
            _sent.Write(bytes, 0, n);
            _socket.Send(bytes, 0, n, SocketFlags.None);
        }
    }

    public void Dispose()
    {
        Tls.Dispose();
        _socket.Dispose();
    }

    /// <summary>The content types of the plaintext record headers in <paramref name="stream"/>, in order.</summary>
    public static List<byte> RecordTypes(byte[] stream)
    {
        var types = new List<byte>();
        int at = 0;
        while (at + 5 <= stream.Length)
        {
            types.Add(stream[at]);
            at += 5 + ((stream[at + 3] << 8) | stream[at + 4]);
        }

        Assert.Equal(stream.Length, at);
        return types;
    }

    /// <summary>The legacy_session_id length of the ClientHello or ServerHello that opens <paramref name="stream"/>.</summary>
    public static int HelloSessionIdLength(byte[] stream)
    {
        Assert.Equal(22, stream[0]); // handshake record
        Assert.True(stream[5] is 1 or 2, "the first message is not a hello");
        return stream[5 + 4 + 2 + 32]; // record header, handshake header, legacy_version, random
    }
}

/// <summary>
/// An openssl process with standard input kept open for commands and lines, and its output captured.
/// Killed on dispose; every wait is bounded.
/// </summary>
internal sealed class OpenSslSession : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stdoutCopy;

    private OpenSslSession(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        _process = OpenSslProcess.Start("openssl", args, environment);
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

    public bool HasExited => _process.HasExited;

    /// <summary>Starts openssl with <paramref name="args"/> and standard input open.</summary>
    public static OpenSslSession Start(params string[] args) => new(args);

    /// <summary>Starts openssl with <paramref name="args"/>, standard input open and <paramref name="environment"/> added (an <c>OPENSSL_CONF</c>, say).</summary>
    public static OpenSslSession Start(IReadOnlyDictionary<string, string> environment, params string[] args) => new(args, environment);

    /// <summary>
    /// Starts <c>openssl s_server -accept 127.0.0.1:PORT ARGS</c> on a free port and waits for ACCEPT; when
    /// another process took the port in between, tries again on another one.
    /// </summary>
    public static OpenSslSession StartServer(out int port, params string[] args) => StartServer(out port, null, args);

    /// <summary>As <see cref="StartServer(out int, string[])"/>, with extra environment variables (OPENSSL_CONF).</summary>
    public static OpenSslSession StartServer(out int port, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        for (int attempt = 0; ; attempt++)
        {
            port = OpenSslProcess.FreePort();
            var server = new OpenSslSession(["s_server", "-accept", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), .. args], environment);
            var clock = Stopwatch.StartNew();
            while (!server.Stdout.WaitFor("ACCEPT", 50) && !server.HasExited && clock.ElapsedMilliseconds < EngineSocket.TimeoutMs)
            {
                // Waits in WaitFor; stops early when openssl exits (a port taken in between).
            }

            if (server.Stdout.Text.Contains("ACCEPT", StringComparison.Ordinal))
            {
                return server;
            }

            server.WaitExit(2000);
            string error = server.Stderr;
            server.Dispose();
            Assert.True(attempt < 5 && error.Contains("in use", StringComparison.OrdinalIgnoreCase), "openssl s_server did not start: " + error);
        }
    }

    /// <summary>Writes one line to openssl's standard input.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.Write(line + "\n");
        _process.StandardInput.Flush();
    }

    /// <summary>Closes openssl's standard input.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits until standard output holds <paramref name="text"/> <paramref name="count"/> times.</summary>
    public void WaitFor(string text, int count = 1)
    {
        var clock = Stopwatch.StartNew();
        while (Occurrences(Stdout.Text, text) < count)
        {
            Assert.True(clock.ElapsedMilliseconds < EngineSocket.TimeoutMs, $"openssl did not print \"{text}\" {count} times:\n{Stdout.Text}\n{Stderr}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Waits for the process to exit; returns its standard output.</summary>
    public string WaitExit(int timeoutMs = EngineSocket.TimeoutMs)
    {
        Assert.True(_process.WaitForExit(timeoutMs), "openssl did not exit in time: " + Stderr);
        _process.WaitForExit();
        _stdoutCopy.Wait(timeoutMs);
        return Stdout.Text;
    }

    public int ExitCode => _process.ExitCode;

    public static int Occurrences(string text, string what)
    {
        int count = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public void Dispose()
    {
        OpenSslProcess.Kill(_process, EngineSocket.TimeoutMs);
        _process.Dispose();
    }
}

/// <summary>Reads what openssl's <c>-trace</c> printed: hellos and record types.</summary>
internal static class OpenSslTrace
{
    /// <summary>Each ServerHello (HelloRetryRequest included) in order: its cipher suite name and key_share group code.</summary>
    public static List<(string Suite, int Group)> ServerHellos(string trace)
    {
        var hellos = new List<(string, int)>();
        string[] lines = trace.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].TrimStart().StartsWith("ServerHello, Length=", StringComparison.Ordinal))
            {
                continue;
            }

            string suite = "";
            int group = -1;
            for (int j = i + 1; j < lines.Length && !lines[j].EndsWith(" Record", StringComparison.Ordinal); j++)
            {
                string l = lines[j].Trim();
                if (l.StartsWith("cipher_suite ", StringComparison.Ordinal))
                {
                    suite = l[(l.LastIndexOf(' ') + 1)..];
                }
                else if (l.StartsWith("NamedGroup: ", StringComparison.Ordinal))
                {
                    group = int.Parse(l[(l.LastIndexOf('(') + 1)..l.LastIndexOf(')')], CultureInfo.InvariantCulture);
                }
            }

            hellos.Add((suite, group));
        }

        return hellos;
    }

    /// <summary>Each ClientHello in order: its legacy_session_id length and the groups of its key shares.</summary>
    public static List<(int SessionIdLength, List<int> KeyShares)> ClientHellos(string trace)
    {
        var hellos = new List<(int, List<int>)>();
        string[] lines = trace.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].TrimStart().StartsWith("ClientHello, Length=", StringComparison.Ordinal))
            {
                continue;
            }

            int sessionId = -1;
            var shares = new List<int>();
            for (int j = i + 1; j < lines.Length && !lines[j].EndsWith(" Record", StringComparison.Ordinal); j++)
            {
                string l = lines[j].Trim();
                if (l.StartsWith("session_id (len=", StringComparison.Ordinal))
                {
                    sessionId = int.Parse(l["session_id (len=".Length..l.IndexOf(')', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                }
                else if (l.StartsWith("NamedGroup: ", StringComparison.Ordinal) && l.EndsWith(')'))
                {
                    shares.Add(int.Parse(l[(l.LastIndexOf('(') + 1)..l.LastIndexOf(')')], CultureInfo.InvariantCulture));
                }
            }

            hellos.Add((sessionId, shares));
        }

        return hellos;
    }

    /// <summary>Every KeyUpdate in order: whether openssl sent it (else received it) and whether it requested an update.</summary>
    public static List<(bool Sent, bool Requested)> KeyUpdates(string trace)
    {
        var updates = new List<(bool, bool)>();
        bool sent = false;
        string[] lines = trace.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string l = lines[i].Trim();
            if (l is "Sent Record" or "Received Record")
            {
                sent = l == "Sent Record";
            }
            else if (l.StartsWith("KeyUpdate, Length=", StringComparison.Ordinal) && i + 1 < lines.Length)
            {
                updates.Add((sent, lines[i + 1].Trim().StartsWith("update_requested", StringComparison.Ordinal)));
            }
        }

        return updates;
    }

    /// <summary>The outer content type of every record openssl sent (<paramref name="sent"/>) or received.</summary>
    public static List<int> Records(string trace, bool sent)
    {
        var types = new List<int>();
        string[] lines = trace.Split('\n');
        string header = sent ? "Sent Record" : "Received Record";
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != header)
            {
                continue;
            }

            for (int j = i + 1; j < lines.Length && j < i + 5; j++)
            {
                string l = lines[j].Trim();
                if (l.StartsWith("Content Type = ", StringComparison.Ordinal))
                {
                    types.Add(int.Parse(l[(l.LastIndexOf('(') + 1)..l.LastIndexOf(')')], CultureInfo.InvariantCulture));
                    break;
                }
            }
        }

        return types;
    }

    /// <summary>The key log lines of an openssl <c>-keylogfile</c>, comments left out.</summary>
    public static HashSet<string> KeyLog(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.TrimEnd()).ToHashSet();

    /// <summary>Asserts both sides logged the same five TLS 1.3 secrets for each connection.</summary>
    public static void AssertSameKeyLog(HashSet<string> ours, string theirsPath, int connections = 1)
    {
        HashSet<string> theirs = KeyLog(theirsPath);
        Assert.Equal(5 * connections, ours.Count);
        Assert.True(ours.SetEquals(theirs), $"ours:\n{string.Join('\n', ours)}\ntheirs:\n{string.Join('\n', theirs)}");
    }
}
