using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ManagedTls.Interop.Peers;

/// <summary>How the Python peer behaves. Defaults: TLS 1.2 only (minimum and maximum), SNI localhost, no certificate checks.</summary>
internal sealed record PythonTlsOptions
{
    /// <summary>The server's certificate, or the client's when it should authenticate (load_cert_chain).</summary>
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>load_verify_locations: a client then verifies the server (CERT_REQUIRED, check_hostname); a server verifies a client certificate sent.</summary>
    public string? CaFile { get; init; }

    /// <summary>A server fails the handshake when the client sends no certificate (CERT_REQUIRED; needs <see cref="CaFile"/>).</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>load_dh_params: a PEM file of DH parameters, which a server needs for DHE suites.</summary>
    public string? DhParamsFile { get; init; }

    /// <summary>set_ciphers, in OpenSSL's cipher-list format.</summary>
    public string? Ciphers { get; init; }

    /// <summary>set_alpn_protocols.</summary>
    public IReadOnlyList<string> Alpn { get; init; } = [];

    /// <summary>The client's server_hostname (SNI and the name checked).</summary>
    public string ServerName { get; init; } = "localhost";

    /// <summary>Text sent after the handshake (the server sends it after reading).</summary>
    public string? Send { get; init; }

    /// <summary>Reading stops once the text received holds this (else at the peer's close).</summary>
    public string? Until { get; init; }

    /// <summary>A server sends back what it read.</summary>
    public bool Echo { get; init; }

    /// <summary>ssl.TLSVersion names for minimum_version and maximum_version.</summary>
    public string MinimumVersion { get; init; } = "TLSv1_2";

    public string MaximumVersion { get; init; } = "TLSv1_2";

    /// <summary>Socket timeout inside the script, in seconds.</summary>
    public int TimeoutSeconds { get; init; } = 10;

    internal List<string> Arguments()
    {
        var args = new List<string> { "--min-version", MinimumVersion, "--max-version", MaximumVersion, "--server-name", ServerName, "--timeout", TimeoutSeconds.ToString(CultureInfo.InvariantCulture) };
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                args.AddRange([name, value]);
            }
        }

        Add("--cert", CertFile);
        Add("--key", KeyFile);
        Add("--cafile", CaFile);
        Add("--ciphers", Ciphers);
        Add("--dhparams", DhParamsFile);
        Add("--send", Send);
        Add("--until", Until);
        foreach (string p in Alpn)
        {
            args.AddRange(["--alpn", p]);
        }

        if (RequireClientCertificate)
        {
            args.Add("--require-client-cert");
        }

        if (Echo)
        {
            args.Add("--echo");
        }

        return args;
    }
}

/// <summary>
/// What the Python peer reported: <see cref="Version"/> and <see cref="Cipher"/> as ssl's version() and cipher()[0]
/// (OpenSSL names), get_channel_binding("tls-unique"), the ALPN protocol, the peer's certificate (DER), the SNI name a
/// server saw, the text received, or the error that ended it.
/// </summary>
internal sealed record PythonTlsReport(
    int ExitCode,
    string? Version,
    string? Cipher,
    byte[]? TlsUnique,
    string? Alpn,
    byte[]? PeerCertificate,
    string? ServerName,
    string Received,
    string? Error,
    string Stdout,
    string Stderr)
{
    public bool Succeeded => ExitCode == 0 && Error is null && Version is not null;

    public static PythonTlsReport Parse(PeerRun run)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (string line in run.Stdout.Split('\n'))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                fields[p.Name] = p.Value.Clone();
            }
        }

        string? Text(string name) => fields.TryGetValue(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        byte[]? Hex(string name) => Text(name) is string h ? Convert.FromHexString(h) : null;
        return new PythonTlsReport(run.ExitCode, Text("version"), Text("cipher"), Hex("tls_unique"), Text("alpn"), Hex("peer_cert"),
            Text("server_name"), Text("received") ?? "", Text("error"), run.Stdout, run.Stderr);
    }

    public override string ToString() => $"python exit {ExitCode}: {Error}\n{Stdout}\n{Stderr}";
}

/// <summary>
/// Python's ssl module as a TLS 1.2 peer: <c>python3 tls12_peer.py client|server OPTIONS</c>, bounded in time. The
/// script (below) prints one JSON line after the handshake and one at the end; see the README.
/// </summary>
internal static class PythonTlsPeer
{
    private const string Script = """
        # A TLS peer over Python's ssl module for ManagedTls's interop tests (TLS 1.2 only unless told).
        # Prints "LISTENING <port>" (server), then JSON lines: the handshake's facts, then what was received.
        import argparse, json, socket, ssl, sys, time

        p = argparse.ArgumentParser()
        p.add_argument("role", choices=["client", "server"])
        p.add_argument("--port", type=int, default=0)
        p.add_argument("--cert"); p.add_argument("--key"); p.add_argument("--cafile")
        p.add_argument("--require-client-cert", action="store_true")
        p.add_argument("--ciphers"); p.add_argument("--dhparams"); p.add_argument("--alpn", action="append", default=[])
        p.add_argument("--server-name", default="localhost")
        p.add_argument("--send"); p.add_argument("--until"); p.add_argument("--echo", action="store_true")
        p.add_argument("--min-version", default="TLSv1_2"); p.add_argument("--max-version", default="TLSv1_2")
        p.add_argument("--timeout", type=float, default=10)
        a = p.parse_args()

        def say(**kw):
            print(json.dumps(kw), flush=True)

        server = a.role == "server"
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion[a.min_version]
        ctx.maximum_version = ssl.TLSVersion[a.max_version]
        if a.cert:
            ctx.load_cert_chain(a.cert, a.key)
        if a.ciphers:
            ctx.set_ciphers(a.ciphers)
        if a.dhparams:
            ctx.load_dh_params(a.dhparams)
        if a.alpn:
            ctx.set_alpn_protocols(a.alpn)
        if a.cafile:
            ctx.load_verify_locations(cafile=a.cafile)
            if server:
                ctx.verify_mode = ssl.CERT_REQUIRED if a.require_client_cert else ssl.CERT_OPTIONAL
        elif not server:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        seen = {}
        if server:
            ctx.sni_callback = lambda obj, name, c: seen.__setitem__("name", name)

        def describe(s):
            unique = s.get_channel_binding("tls-unique")
            cert = s.getpeercert(binary_form=True)
            say(event="handshake", version=s.version(), cipher=s.cipher()[0], bits=s.cipher()[2],
                tls_unique=unique.hex() if unique else None, alpn=s.selected_alpn_protocol(),
                peer_cert=cert.hex() if cert else None, server_name=seen.get("name") if server else a.server_name)

        def receive(s):
            data = b""
            while a.until is None or a.until.encode() not in data:
                try:
                    chunk = s.recv(65536)
                except (ssl.SSLZeroReturnError, ssl.SSLEOFError, ConnectionResetError):
                    break
                if not chunk:
                    break
                data += chunk
            return data

        def close(s):
            try:
                s.settimeout(min(a.timeout, 2))  # unwrap waits for the peer's close_notify
                s.unwrap()
            except (OSError, ValueError):
                pass
            s.close()

        try:
            if server:
                listener = socket.create_server(("127.0.0.1", a.port))
                listener.settimeout(a.timeout)
                print("LISTENING %d" % listener.getsockname()[1], flush=True)
                raw, _ = listener.accept()
                raw.settimeout(a.timeout)
                s = ctx.wrap_socket(raw, server_side=True)
                describe(s)
                data = receive(s)
                if a.echo:
                    s.sendall(data)
                if a.send:
                    s.sendall(a.send.encode())
            else:
                deadline = time.monotonic() + a.timeout
                while True:
                    try:
                        raw = socket.create_connection(("127.0.0.1", a.port), timeout=a.timeout)
                        break
                    except ConnectionRefusedError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.05)
                s = ctx.wrap_socket(raw, server_hostname=a.server_name)
                describe(s)
                if a.send:
                    s.sendall(a.send.encode())
                data = receive(s)
            say(event="done", received=data.decode("utf-8", "replace"))
            close(s)
        except (ssl.SSLError, OSError) as e:
            say(event="error", error="%s: %s" % (type(e).__name__, e))
            sys.exit(1)
        """;

    private static readonly Lazy<string> ScriptFile = new(() =>
    {
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Script)))[..12];
        string path = Path.Combine(Path.GetTempPath(), $"managedtls-tls12-peer-{hash}.py");
        if (!File.Exists(path))
        {
            string temp = path + "." + Guid.NewGuid().ToString("N");
            File.WriteAllText(temp, Script);
            File.Move(temp, path, overwrite: true);
        }

        return path;
    });

    /// <summary>Runs a client against 127.0.0.1:<paramref name="port"/> (retrying while the server starts) to its end.</summary>
    public static PythonTlsReport RunClient(int port, PythonTlsOptions options, int timeoutMs = PeerProcess.TimeoutMs) =>
        PythonTlsReport.Parse(PeerProcess.Run("python3", [ScriptFile.Value, "client", "--port", port.ToString(CultureInfo.InvariantCulture), .. options.Arguments()], null, timeoutMs));

    /// <summary>Starts a server for one connection on a port it chooses; returns once it listens.</summary>
    public static PythonTlsServer StartServer(PythonTlsOptions options) => new(PeerProcess.Start("python3", [ScriptFile.Value, "server", .. options.Arguments()]));
}

/// <summary>A Python ssl server waiting for one connection; killed on dispose.</summary>
internal sealed class PythonTlsServer : IDisposable
{
    private readonly PeerProcess _process;

    internal PythonTlsServer(PeerProcess process)
    {
        _process = process;
        Assert.True(process.WaitFor("LISTENING "), "the Python server did not start: " + process.Stderr.Text + process.Stdout.Text);
        string line = process.Stdout.Text.Split('\n').First(l => l.StartsWith("LISTENING ", StringComparison.Ordinal));
        Port = int.Parse(line["LISTENING ".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    public int Port { get; }

    /// <summary>Waits for the server to finish its connection and returns its report.</summary>
    public PythonTlsReport WaitReport(int timeoutMs = PeerProcess.TimeoutMs) => PythonTlsReport.Parse(_process.WaitExit(timeoutMs));

    public void Dispose() => _process.Dispose();
}
