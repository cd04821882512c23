using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ManagedTls.Interop.Peers;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// Python's outcome for every pair of (our setting, openssl's setting as a Python setting), each way round, computed
/// once with two Python contexts over memory BIOs: a version, or <c>Type:REASON</c> for a side that failed.
/// </summary>
public sealed class VersionOracle
{
    public VersionOracle()
    {
        string dir = Directory.CreateTempSubdirectory("mtls-version-oracle-").FullName;
        try
        {
            string cert = Path.Combine(dir, "cert.pem");
            string key = Path.Combine(dir, "key.pem");
            OpenSslProcess.Run([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert,
            ]);
            string[] theirs = VersionMatrixInteropTests.OpenSsl.Values.Select(x => x.Python).Distinct().ToArray();
            // Each pair both ways: "client A B" is our A as the client against B, "server A B" our A as the server.
            var pairs = new List<(string Client, string Server, string Key)>();
            foreach (string a in VersionMatrixInteropTests.Ours)
            {
                foreach (string b in theirs)
                {
                    pairs.Add((a, b, "client " + a + " " + b));
                    pairs.Add((b, a, "server " + a + " " + b));
                }
            }

            string list = string.Join(",", pairs.Select(x => $"({Py(x.Client)}, {Py(x.Server)})"));
            string script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "oracles", "version_pairs.py"))
                + $"\nrun_pairs({Py(cert)}, {Py(key)}, [{list}])\n";
            PeerRun run = PeerProcess.Run("python3", ["-c", script], timeoutMs: 60000);
            Assert.True(run.ExitCode == 0, run.Stderr);
            using JsonDocument doc = JsonDocument.Parse(run.Stdout);
            foreach ((string client, string server, string name) in pairs)
            {
                JsonElement outcome = doc.RootElement.GetProperty(client + " " + server);
                Outcomes[name] = (outcome[0].GetString()!, outcome[1].GetString()!);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// By <c>client|server OURS THEIRS</c> (our role first): Python's (client, server) outcome with Python in our role
    /// set as we are and Python in openssl's role set as openssl is.
    /// </summary>
    public Dictionary<string, (string Client, string Server)> Outcomes { get; } = new(StringComparer.Ordinal);

    private static string Py(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}

/// <summary>
/// Version negotiation between the facade and openssl 3.0 over loopback, both directions: every pair of our version
/// settings (<c>MinimumVersion</c>/<c>MaximumVersion</c>, <c>OP_NO_TLSv1_2</c>/<c>OP_NO_TLSv1_3</c>, defaults) and
/// openssl's (<c>-tls1_2</c>, <c>-tls1_3</c>, <c>-min_protocol</c>/<c>-max_protocol</c>, <c>-no_tls1_2</c>,
/// <c>-no_tls1_3</c>) ends as two Python contexts with the same settings end: the same version on both sides, or on
/// our side the same exception type and reason as Python's, on openssl's side the same reason in its error output.
/// The downgrade sentinel is crossed whenever a 1.3-capable side settles on TLS 1.2; TLS_FALLBACK_SCSV from
/// <c>openssl s_client -fallback_scsv -tls1_2</c> is inappropriate_fallback for our 1.3-capable server, as for Python's.
/// </summary>
[Collection(PeersCollection.Name)]
public sealed class VersionMatrixInteropTests(PeerCertificates certs, VersionOracle oracle) : IClassFixture<VersionOracle>
{
    private const int TimeoutMs = 15000;

    /// <summary>Our settings that leave a version to speak (the ones that leave none fail before any byte, in the unit matrix).</summary>
    public static readonly string[] Ours = ["1.0-1.2", "1.1-1.3", "1.2-1.2", "1.2-1.3", "1.3-1.3", "no1.2", "no1.3", "default"];

    /// <summary>openssl's settings: its arguments, and the Python setting that means the same.</summary>
    public static readonly Dictionary<string, (string[] Args, string Python)> OpenSsl = new(StringComparer.Ordinal)
    {
        ["-tls1_2"] = (["-tls1_2"], "1.2-1.2"),
        ["-tls1_3"] = (["-tls1_3"], "1.3-1.3"),
        ["-min_protocol TLSv1.2 -max_protocol TLSv1.3"] = (["-min_protocol", "TLSv1.2", "-max_protocol", "TLSv1.3"], "1.2-1.3"),
        ["-min_protocol TLSv1 -max_protocol TLSv1.2"] = (["-min_protocol", "TLSv1", "-max_protocol", "TLSv1.2"], "1.0-1.2"),
        ["-no_tls1_3"] = (["-no_tls1_3"], "no1.3"),
        ["-min_protocol TLSv1.2 -no_tls1_2"] = (["-min_protocol", "TLSv1.2", "-no_tls1_2"], "no1.2"),
    };

    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (string ours in Ours)
        {
            foreach (string theirs in OpenSsl.Keys)
            {
                data.Add(ours, theirs);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void OurClientAgainstOpenSslServer(string ours, string theirs)
    {
        (string expected, string expectedPeer) = oracle.Outcomes[$"client {ours} {OpenSsl[theirs].Python}"];
        using OpenSslSession server = OpenSslSession.StartServer(out int port,
            [.. OpenSsl[theirs].Args, "-cert", certs.EcdsaCert, "-key", certs.EcdsaKey, "-www", "-naccept", "1"]);
        SslContext ctx = Context(serverSide: false, ours);
        string outcome;
        string page = "";
        using (Socket socket = OpenSslProcess.ConnectWithRetry(port, TimeoutMs))
        {
            try
            {
                using SslSocket ssl = ctx.WrapSocket(socket, serverHostname: "localhost");
                outcome = ssl.Version()!;
                ssl.SendAll(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"));
                page = ReadAll(ssl);
            }
            catch (SslException e)
            {
                outcome = Describe(e);
            }
        }

        string output = server.WaitExit(TimeoutMs) + server.Stderr;
        string cell = $"ours {ours} / openssl {theirs}: python says {expected} / {expectedPeer}; ours {outcome}\n{output}";
        Assert.True(expected == outcome, cell);
        if (expected.StartsWith("TLS", StringComparison.Ordinal))
        {
            Assert.True(page.Contains($"New, {expected}, Cipher is ", StringComparison.Ordinal), cell + page);
        }
        else
        {
            Assert.True(output.Contains(Reason(expectedPeer), StringComparison.Ordinal), cell);
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task OpenSslClientAgainstOurServer(string ours, string theirs)
    {
        (string expectedPeer, string expected) = oracle.Outcomes[$"server {ours} {OpenSsl[theirs].Python}"];
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        SslContext ctx = Context(serverSide: true, ours);
        Task<string> serve = Task.Run(() => Serve(listener, ctx));
        PeerRun client = PeerProcess.Run("openssl",
            ["s_client", "-connect", $"127.0.0.1:{port}", "-servername", "localhost", .. OpenSsl[theirs].Args], "", TimeoutMs);
        string outcome = await serve.WaitAsync(TimeSpan.FromMilliseconds(TimeoutMs));
        string output = client.Stdout + client.Stderr;
        string cell = $"openssl {theirs} / ours {ours}: python says {expectedPeer} / {expected}; ours {outcome}\n{output}";
        Assert.True(expected == outcome, cell);
        if (expected.StartsWith("TLS", StringComparison.Ordinal))
        {
            Assert.True(output.Contains($"New, {expected}, Cipher is ", StringComparison.Ordinal), cell);
        }
        else
        {
            Assert.True(output.Contains(Reason(expectedPeer), StringComparison.Ordinal), cell);
        }
    }

    /// <summary>
    /// A bare <c>-no_tls1_2</c> is no "TLS 1.3 only" for the openssl CLI, whose lowest version is TLS 1.0: OpenSSL stops
    /// at the hole and offers TLS 1.0 and 1.1 only. Our server refuses it with protocol_version, as Python's does.
    /// </summary>
    [Fact]
    public async Task OpenSslWithAHoleAtTls12SpeaksOnlyTheVersionsBelowIt()
    {
        string[] hole = ["-no_tls1_2"];

        // Server side: openssl's ClientHello offers TLS 1.0 and 1.1; Python's server and ours refuse it with protocol_version.
        using (PythonTlsServer python = PythonTlsPeer.StartServer(new PythonTlsOptions
        {
            CertFile = certs.EcdsaCert, KeyFile = certs.EcdsaKey, MinimumVersion = "TLSv1_2", MaximumVersion = "MAXIMUM_SUPPORTED", TimeoutSeconds = 5,
        }))
        {
            PeerRun pyClient = PeerProcess.Run("openssl", ["s_client", "-connect", $"127.0.0.1:{python.Port}", .. hole], "", TimeoutMs);
            PythonTlsReport report = python.WaitReport();
            Assert.Contains("UNSUPPORTED_PROTOCOL", report.Error);
            Assert.Contains("tlsv1 alert protocol version", pyClient.Stderr);
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<string> serve = Task.Run(() => Serve(listener, Context(serverSide: true, "default")));
        PeerRun client = PeerProcess.Run("openssl", ["s_client", "-connect", $"127.0.0.1:{port}", .. hole], "", TimeoutMs);
        Assert.Equal("SSLError:UNSUPPORTED_PROTOCOL", await serve.WaitAsync(TimeSpan.FromMilliseconds(TimeoutMs)));
        Assert.Contains("tlsv1 alert protocol version", client.Stderr);
    }

    [Theory]
    [InlineData("default", "TLSV1_ALERT_INAPPROPRIATE_FALLBACK")]
    [InlineData("1.2-1.3", "TLSV1_ALERT_INAPPROPRIATE_FALLBACK")]
    [InlineData("no1.3", null)]
    [InlineData("1.2-1.2", null)]
    public async Task FallbackScsvFromATls12ClientIsRefusedByA13CapableServer(string ours, string? alert)
    {
        // The oracle: a Python server with the same settings.
        string[] range = ours switch
        {
            "default" or "1.2-1.3" => ["TLSv1_2", "TLSv1_3"],
            _ => ["TLSv1_2", "TLSv1_2"],
        };
        string[] fallback = ["-tls1_2", "-fallback_scsv", "-servername", "localhost"];
        using (PythonTlsServer python = PythonTlsPeer.StartServer(new PythonTlsOptions
        {
            CertFile = certs.EcdsaCert, KeyFile = certs.EcdsaKey, MinimumVersion = range[0], MaximumVersion = range[1], TimeoutSeconds = 5,
        }))
        {
            PeerRun pyClient = PeerProcess.Run("openssl", ["s_client", "-connect", $"127.0.0.1:{python.Port}", .. fallback], "", TimeoutMs);
            PythonTlsReport report = python.WaitReport();
            if (alert is null)
            {
                Assert.True(report.Version == "TLSv1.2", report.ToString());
            }
            else
            {
                Assert.Contains("INAPPROPRIATE_FALLBACK", report.Error);
                Assert.Contains(Reason("SSLError:" + alert), pyClient.Stderr);
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<string> serve = Task.Run(() => Serve(listener, Context(serverSide: true, ours)));
        PeerRun client = PeerProcess.Run("openssl", ["s_client", "-connect", $"127.0.0.1:{port}", .. fallback], "", TimeoutMs);
        string outcome = await serve.WaitAsync(TimeSpan.FromMilliseconds(TimeoutMs));
        if (alert is null)
        {
            Assert.Equal("TLSv1.2", outcome);
            Assert.Contains("New, TLSv1.2, Cipher is ", client.Stdout);
        }
        else
        {
            Assert.Equal("SSLError:INAPPROPRIATE_FALLBACK", outcome);
            Assert.Contains(Reason("SSLError:" + alert), client.Stderr);
            Assert.DoesNotContain("New, TLSv1", client.Stdout);
        }
    }

    private static string Serve(TcpListener listener, SslContext ctx)
    {
        using var cts = new CancellationTokenSource(TimeoutMs);
        using Socket socket = listener.AcceptSocketAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        socket.ReceiveTimeout = TimeoutMs;
        socket.SendTimeout = TimeoutMs;
        try
        {
            using SslSocket ssl = ctx.WrapSocket(socket, serverSide: true);
            string version = ssl.Version()!;

            // Read until openssl closes (end of its input): every post-handshake message it sends is processed.
            ReadAll(ssl);
            return version;
        }
        catch (SslException e)
        {
            return Describe(e);
        }
    }

    private static string ReadAll(SslSocket ssl)
    {
        var text = new StringBuilder();
        try
        {
            while (true)
            {
                byte[] part = ssl.Read(4096);
                if (part.Length == 0)
                {
                    break;
                }

                text.Append(Encoding.ASCII.GetString(part));
            }
        }
        catch (SslException)
        {
            // A peer that closes without close_notify after the exchange.
        }

        return text.ToString();
    }

    private SslContext Context(bool serverSide, string setting)
    {
        var ctx = new SslContext(serverSide ? SslProtocol.TlsServer : SslProtocol.TlsClient);
        switch (setting)
        {
            case "no1.2":
                ctx.Options |= SslOptions.NoTlsV1_2;
                break;
            case "no1.3":
                ctx.Options |= SslOptions.NoTlsV1_3;
                break;
            case "default":
                break;
            default:
                string[] range = setting.Split('-');
                ctx.MinimumVersion = Version(range[0]);
                ctx.MaximumVersion = Version(range[1]);
                break;
        }

        if (serverSide)
        {
            ctx.LoadCertChain(certs.EcdsaCert, certs.EcdsaKey);
        }
        else
        {
            ctx.LoadVerifyLocations(cafile: certs.EcdsaCert);
        }

        return ctx;
    }

    private static TlsVersion Version(string v) => v switch
    {
        "1.0" => TlsVersion.TlsV1,
        "1.1" => TlsVersion.TlsV1_1,
        "1.2" => TlsVersion.TlsV1_2,
        _ => TlsVersion.TlsV1_3,
    };

    // As Python prints type(e).__name__ and e.reason.
    private static string Describe(SslException e) => e switch
    {
        SslCertVerificationException => "SSLCertVerificationError",
        SslEofException => "SSLEOFError",
        SslZeroReturnException => "SSLZeroReturnError",
        SslSyscallException => "SSLSyscallError",
        _ => "SSLError",
    } + ":" + e.Reason;

    // OpenSSL's error text for a Python outcome: SSLError:TLSV1_ALERT_PROTOCOL_VERSION is "tlsv1 alert protocol version".
    private static string Reason(string outcome) => outcome[(outcome.IndexOf(':', StringComparison.Ordinal) + 1)..].ToLowerInvariant().Replace('_', ' ');
}
