using System.Diagnostics;
using System.Globalization;

namespace ManagedTls.Interop.Peers;

/// <summary>GnuTLS priority strings the peers use.</summary>
internal static class GnuTlsPriority
{
    /// <summary>GnuTLS's defaults with TLS 1.2 as the only version.</summary>
    public const string Tls12Only = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

    /// <summary>TLS 1.2 only, then <paramref name="more"/> (for example <c>-CIPHER-ALL:+AES-128-GCM</c>).</summary>
    public static string Tls12(string more) => Tls12Only + ":" + more;
}

/// <summary>
/// One handshake as gnutls-cli or gnutls-serv describe it ("- Name: value" lines from "- Description:" on).
/// <see cref="Version"/> is GnuTLS's spelling (TLS1.2); <see cref="OpenSslVersion"/> is OpenSSL's (TLSv1.2).
/// </summary>
internal sealed record GnuTlsSessionInfo(
    string Description,
    string? Version,
    string? KeyExchange,
    string? Cipher,
    string? Mac,
    string? ServerSignature,
    string? ClientSignature,
    string? ServerName,
    string? Options,
    byte[]? TlsUnique)
{
    /// <summary>The version in OpenSSL's and Python's spelling: TLS1.2 becomes TLSv1.2.</summary>
    public string? OpenSslVersion => Version?.Replace("TLS1.", "TLSv1.", StringComparison.Ordinal);

    /// <summary>Every session block in <paramref name="text"/>, in order (a rehandshake adds a second block).</summary>
    public static List<GnuTlsSessionInfo> Parse(string text)
    {
        var sessions = new List<GnuTlsSessionInfo>();
        string[] lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("- Description: ", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            byte[]? unique = null;
            for (int j = i; j < lines.Length; j++)
            {
                string l = lines[j];
                if (j > i && (l.StartsWith("- Description: ", StringComparison.Ordinal) || l.StartsWith("* Accepted", StringComparison.Ordinal)
                    || l.Contains("andshake was completed", StringComparison.Ordinal)))
                {
                    break;
                }

                if (l.StartsWith(" - 'tls-unique': ", StringComparison.Ordinal))
                {
                    unique = Convert.FromHexString(l[" - 'tls-unique': ".Length..].Trim());
                }
                else if (l.StartsWith("- Given server name[1]: ", StringComparison.Ordinal))
                {
                    fields["ServerName"] = l["- Given server name[1]: ".Length..].Trim();
                }
                else if (l.StartsWith("- ", StringComparison.Ordinal) && l.IndexOf(": ", StringComparison.Ordinal) is int colon and > 2)
                {
                    fields.TryAdd(l[2..colon], l[(colon + 2)..].Trim());
                }
            }

            sessions.Add(new GnuTlsSessionInfo(
                fields["Description"],
                fields.GetValueOrDefault("Version"),
                fields.GetValueOrDefault("Key Exchange"),
                fields.GetValueOrDefault("Cipher"),
                fields.GetValueOrDefault("MAC"),
                fields.GetValueOrDefault("Server Signature"),
                fields.GetValueOrDefault("Client Signature"),
                fields.GetValueOrDefault("ServerName"),
                fields.GetValueOrDefault("Options"),
                unique));
        }

        return sessions;
    }
}

/// <summary>What gnutls-serv does with a connection: echo every line back, or answer HTTP with a page describing the session.</summary>
internal enum GnuTlsServerMode
{
    Echo,
    Http,
}

/// <summary>How to start gnutls-serv.</summary>
internal sealed record GnuTlsServerOptions
{
    public required string CertFile { get; init; }

    public required string KeyFile { get; init; }

    /// <summary>The --priority string; TLS 1.2 only unless changed.</summary>
    public string Priority { get; init; } = GnuTlsPriority.Tls12Only;

    public GnuTlsServerMode Mode { get; init; } = GnuTlsServerMode.Echo;

    /// <summary>Trusted issuers of client certificates (--x509cafile); a client certificate sent is then verified.</summary>
    public string? ClientCaFile { get; init; }

    /// <summary>--require-client-cert: a client without a certificate fails the handshake.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>--disable-client-cert: no CertificateRequest at all (gnutls-serv asks for one by default).</summary>
    public bool NoClientCertificateRequest { get; init; }

    /// <summary>--alpn, one protocol per entry.</summary>
    public IReadOnlyList<string> Alpn { get; init; } = [];

    /// <summary>Anything else, passed as is.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>The server is killed after this many seconds whatever happens.</summary>
    public int LifetimeSeconds { get; init; } = PeerProcess.DefaultLifetimeSeconds;

    internal List<string> Arguments(int port)
    {
        var args = new List<string>
        {
            Mode == GnuTlsServerMode.Echo ? "--echo" : "--http",
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--x509certfile", CertFile, "--x509keyfile", KeyFile,
            "--priority", Priority,
        };
        if (ClientCaFile is not null)
        {
            args.AddRange(["--x509cafile", ClientCaFile, "--verify-client-cert"]);
        }

        if (RequireClientCertificate)
        {
            args.Add("--require-client-cert");
        }

        if (NoClientCertificateRequest)
        {
            args.Add("--disable-client-cert");
        }

        foreach (string p in Alpn)
        {
            args.AddRange(["--alpn", p]);
        }

        args.AddRange(ExtraArgs);
        return args;
    }
}

/// <summary>
/// gnutls-serv on a free port (it binds every interface; connect to 127.0.0.1). Ready once it printed that its
/// IPv4 socket listens; a port taken in between is retried on another. Each accepted connection's session is
/// printed on standard output and read by <see cref="Sessions"/>. In echo mode a line <c>**REHANDSHAKE**</c>
/// asks it to send HelloRequest (see the README: this does not work in gnutls 3.7). Killed on dispose.
/// </summary>
internal sealed class GnuTlsServer : IDisposable
{
    private readonly PeerProcess _process;

    private GnuTlsServer(PeerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What gnutls-serv printed on standard output: one block per accepted connection.</summary>
    public string Output => _process.Stdout.Text;

    /// <summary>What gnutls-serv printed on standard error: listening sockets, echo commands, errors.</summary>
    public string Log => _process.Stderr.Text;

    public bool HasExited => _process.HasExited;

    /// <summary>The sessions reported so far, in order of acceptance.</summary>
    public List<GnuTlsSessionInfo> Sessions => GnuTlsSessionInfo.Parse(Output);

    /// <summary>Starts gnutls-serv with <paramref name="options"/> and returns when it listens.</summary>
    public static GnuTlsServer Start(GnuTlsServerOptions options)
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = OpenSslProcess.FreePort();
            var process = PeerProcess.Start("gnutls-serv", options.Arguments(port), options.LifetimeSeconds);
            string ready = "IPv4 0.0.0.0 port " + port.ToString(CultureInfo.InvariantCulture) + "...";
            var clock = Stopwatch.StartNew();
            while (!process.Stderr.WaitFor(ready + "done", 50) && !process.Stderr.Text.Contains(ready + "bind() failed", StringComparison.Ordinal)
                && !process.HasExited && clock.ElapsedMilliseconds < PeerProcess.TimeoutMs)
            {
                // gnutls-serv prints "...done" or "...bind() failed" (and then keeps running without that socket).
            }

            if (process.Stderr.Text.Contains(ready + "done", StringComparison.Ordinal))
            {
                return new GnuTlsServer(process, port);
            }

            string log = process.Stdout.Text + process.Stderr.Text;
            process.Dispose();
            Assert.True(attempt < 5 && log.Contains("bind() failed", StringComparison.Ordinal), "gnutls-serv did not start: " + log);
        }
    }

    /// <summary>Waits until <paramref name="count"/> sessions have been reported completely (tls-unique included) and returns the last.</summary>
    public GnuTlsSessionInfo WaitForSession(int count = 1, int timeoutMs = PeerProcess.TimeoutMs)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            List<GnuTlsSessionInfo> sessions = Sessions;
            if (sessions.Count >= count && sessions[count - 1].TlsUnique is not null)
            {
                return sessions[count - 1];
            }

            Assert.True(clock.ElapsedMilliseconds < timeoutMs && !_process.HasExited, $"gnutls-serv reported {sessions.Count} of {count} sessions:\n{Output}\n{Log}");
            _process.Stdout.WaitFor("tls-exporter", 50);
            Thread.Sleep(20);
        }
    }

    /// <summary>Waits until standard error holds <paramref name="text"/> (echo commands, handshake errors).</summary>
    public bool WaitForLog(string text, int timeoutMs = PeerProcess.TimeoutMs) => _process.WaitFor(text, timeoutMs, inStderr: true);

    public void Dispose() => _process.Dispose();
}

/// <summary>How to run gnutls-cli.</summary>
internal sealed record GnuTlsClientOptions
{
    /// <summary>The --priority string; TLS 1.2 only unless changed.</summary>
    public string Priority { get; init; } = GnuTlsPriority.Tls12Only;

    /// <summary>Trusted certificates (--x509cafile); null for --insecure (no verification at all).</summary>
    public string? CaFile { get; init; }

    /// <summary>The name sent in SNI and checked against the certificate (--sni-hostname, --verify-hostname).</summary>
    public string ServerName { get; init; } = "localhost";

    /// <summary>A client certificate and key (--x509certfile, --x509keyfile).</summary>
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>--rehandshake: right after the handshake, renegotiate once (TLS 1.2).</summary>
    public bool Rehandshake { get; init; }

    /// <summary>--resume: connect twice, the second time resuming the first session.</summary>
    public bool Resume { get; init; }

    /// <summary>--alpn, one protocol per entry.</summary>
    public IReadOnlyList<string> Alpn { get; init; } = [];

    /// <summary>Anything else, passed as is.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    internal List<string> Arguments(int port, string logFile)
    {
        var args = new List<string>
        {
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--priority", Priority,
            "--sni-hostname", ServerName,
            "--verify-hostname", ServerName,
            "--logfile", logFile,
            "--verbose",
        };
        args.AddRange(CaFile is null ? ["--insecure"] : ["--x509cafile", CaFile]);
        if (CertFile is not null)
        {
            args.AddRange(["--x509certfile", CertFile, "--x509keyfile", KeyFile ?? throw new ArgumentException("a client certificate needs its key")]);
        }

        if (Rehandshake)
        {
            args.Add("--rehandshake");
        }

        if (Resume)
        {
            args.Add("--resume");
        }

        foreach (string p in Alpn)
        {
            args.AddRange(["--alpn", p]);
        }

        args.AddRange(ExtraArgs);
        args.Add("127.0.0.1");
        return args;
    }
}

/// <summary>
/// A finished gnutls-cli run. <see cref="Stdout"/> holds only the application data received; everything
/// gnutls-cli says about the connection (sessions, certificates, alerts) is in <see cref="Log"/> (its --logfile).
/// </summary>
internal sealed record GnuTlsClientRun(int ExitCode, string Stdout, string Log, string Stderr, bool TimedOut)
{
    /// <summary>The sessions reported: the handshake, then the rehandshake or the resumption if any.</summary>
    public List<GnuTlsSessionInfo> Sessions => GnuTlsSessionInfo.Parse(Log);

    public bool HandshakeCompleted => Log.Contains("- Handshake was completed", StringComparison.Ordinal);

    /// <summary>
    /// Whether --rehandshake succeeded. gnutls-cli exits 0 even when it did not, so read this, not the exit code.
    /// </summary>
    public bool RehandshakeCompleted => Log.Contains("- ReHandshake was completed", StringComparison.Ordinal);

    public bool RehandshakeFailed => (Log + Stderr).Contains("ReHandshake has failed", StringComparison.Ordinal);

    /// <summary>Whether --resume resumed the first session.</summary>
    public bool Resumed => Log.Contains("*** This is a resumed session", StringComparison.Ordinal);

    /// <summary>Every "*** Received alert [N]: ..." line's alert number, in order.</summary>
    public List<int> AlertsReceived =>
        Log.Split('\n').Where(l => l.StartsWith("*** Received alert [", StringComparison.Ordinal))
            .Select(l => int.Parse(l["*** Received alert [".Length..l.IndexOf(']', StringComparison.Ordinal)], CultureInfo.InvariantCulture))
            .ToList();

    public override string ToString() => $"gnutls-cli exit {ExitCode}{(TimedOut ? " (timed out)" : "")}\n--- data\n{Stdout}\n--- log\n{Log}\n--- stderr\n{Stderr}";
}

/// <summary>Runs gnutls-cli against a local port, bounded in time.</summary>
internal static class GnuTlsClient
{
    /// <summary>
    /// Connects gnutls-cli to 127.0.0.1:<paramref name="port"/>, writes <paramref name="stdin"/>, then closes its
    /// input after <paramref name="holdInputMs"/> (end of input makes gnutls-cli send close_notify; it then reads
    /// until the server closes). Killed after <paramref name="timeoutMs"/>.
    /// </summary>
    public static GnuTlsClientRun Run(int port, GnuTlsClientOptions options, string stdin = "", int holdInputMs = 0, int timeoutMs = PeerProcess.TimeoutMs)
    {
        string log = Path.Combine(Path.GetTempPath(), "gnutls-cli-" + Guid.NewGuid().ToString("N") + ".log");
        try
        {
            PeerRun run = PeerProcess.Run("gnutls-cli", options.Arguments(port, log), stdin, timeoutMs, holdInputMs);
            string text = File.Exists(log) ? File.ReadAllText(log) : "";
            return new GnuTlsClientRun(run.ExitCode, run.Stdout, text, run.Stderr, run.TimedOut);
        }
        finally
        {
            File.Delete(log);
        }
    }
}
