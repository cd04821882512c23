using System.Globalization;

namespace ManagedTls.Interop.Peers;

/// <summary>How to run curl. Defaults: TLS 1.2 only, no certificate check (-k), GET https://localhost:PORT/.</summary>
internal sealed record CurlOptions
{
    /// <summary>--cacert: verify the server against this file; null for -k (no verification).</summary>
    public string? CaFile { get; init; }

    /// <summary>--ciphers, in OpenSSL's cipher-list format (curl here is built on OpenSSL).</summary>
    public string? Ciphers { get; init; }

    /// <summary>--cert and --key: a client certificate.</summary>
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>The host name in the URL (SNI, Host, the name checked); --resolve maps it to 127.0.0.1.</summary>
    public string HostName { get; init; } = "localhost";

    public string Path { get; init; } = "/";

    /// <summary>Anything else, passed as is (for example --http1.1).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    internal List<string> Arguments(int port, int timeoutMs)
    {
        string p = port.ToString(CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            "--silent", "--show-error", "--verbose",
            "--tlsv1.2", "--tls-max", "1.2",
            "--max-time", Math.Max(1, timeoutMs / 1000).ToString(CultureInfo.InvariantCulture),
            "--resolve", $"{HostName}:{p}:127.0.0.1",
        };
        args.AddRange(CaFile is null ? ["--insecure"] : ["--cacert", CaFile]);
        if (Ciphers is not null)
        {
            args.AddRange(["--ciphers", Ciphers]);
        }

        if (CertFile is not null)
        {
            args.AddRange(["--cert", CertFile, "--key", KeyFile ?? throw new ArgumentException("a client certificate needs its key")]);
        }

        args.AddRange(ExtraArgs);
        args.Add($"https://{HostName}:{p}{Path}");
        return args;
    }
}

/// <summary>
/// A finished curl run: the body on <see cref="Body"/>, curl's --verbose trace on <see cref="Stderr"/>, from which
/// <see cref="Version"/> and <see cref="Cipher"/> are read ("* SSL connection using TLSv1.2 / ECDHE-...").
/// Exit code 35 is curl's "SSL connect error".
/// </summary>
internal sealed record CurlRun(int ExitCode, string Body, string Stderr, bool TimedOut)
{
    private const string Connection = "* SSL connection using ";

    public string? Version => ConnectionLine?.Split(" / ")[0];

    public string? Cipher => ConnectionLine?.Split(" / ") is [_, string cipher, ..] ? cipher : null;

    /// <summary>The protocol the server chose by ALPN, if any ("* ALPN: server accepted http/1.1").</summary>
    public string? Alpn =>
        Lines.FirstOrDefault(l => l.StartsWith("* ALPN: server accepted ", StringComparison.Ordinal))?["* ALPN: server accepted ".Length..].Trim()
        ?? Lines.FirstOrDefault(l => l.StartsWith("* ALPN, server accepted to use ", StringComparison.Ordinal))?["* ALPN, server accepted to use ".Length..].Trim();

    private string? ConnectionLine => Lines.FirstOrDefault(l => l.StartsWith(Connection, StringComparison.Ordinal))?[Connection.Length..].Trim();

    private string[] Lines => Stderr.Replace("\r", "", StringComparison.Ordinal).Split('\n');

    public override string ToString() => $"curl exit {ExitCode}{(TimedOut ? " (timed out)" : "")}\n{Stderr}\n{Body}";
}

/// <summary>curl as a TLS 1.2 client (<c>curl --tlsv1.2 --tls-max 1.2 https://localhost:PORT/</c>), bounded in time.</summary>
internal static class CurlClient
{
    public static CurlRun Get(int port, CurlOptions? options = null, int timeoutMs = PeerProcess.TimeoutMs)
    {
        PeerRun run = PeerProcess.Run("curl", (options ?? new CurlOptions()).Arguments(port, timeoutMs), null, timeoutMs + 2000);
        return new CurlRun(run.ExitCode, run.Stdout, run.Stderr, run.TimedOut);
    }
}
