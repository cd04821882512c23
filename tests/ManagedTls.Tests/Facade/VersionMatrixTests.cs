using System.Globalization;
using System.Text.Json;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Version negotiation through the facade, every pair of version settings on the two sides (minimum and maximum of
/// TLS 1.0 to TLS 1.3 as far as Python lets them be set, an inverted range, <c>OP_NO_TLSv1_2</c>, <c>OP_NO_TLSv1_3</c>
/// and the defaults), our client against our server in memory, compared cell by cell with what Python's ssl does
/// between two Python contexts with the same settings: the same version, or the same exception type and reason on
/// each side that fails.
/// </summary>
public sealed class VersionMatrixTests : IClassFixture<VersionMatrixTests.Oracle>
{
    /// <summary>The settings of one side: a range (minimum-maximum), one OP_NO_ option, or the defaults.</summary>
    public static readonly string[] Settings =
    [
        "1.0-1.0", "1.0-1.1", "1.0-1.2", "1.0-1.3", "1.1-1.1", "1.1-1.3", "1.2-1.2", "1.2-1.3", "1.3-1.3", "1.3-1.2",
        "no1.2", "no1.3", "default",
    ];

    private readonly Oracle _python;

    public VersionMatrixTests(Oracle python) => _python = python;

    public static TheoryData<string, string> Pairs()
    {
        var data = new TheoryData<string, string>();
        foreach (string client in Settings)
        {
            foreach (string server in Settings)
            {
                data.Add(client, server);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void OurClientAndServerEndAsPythonsDo(string client, string server)
    {
        (string pyClient, string pyServer) = _python.Outcomes[(client, server)];
        (string ours, string oursServer) = RunOurs(client, server);
        string cell = $"client {client}, server {server}: python {pyClient} / {pyServer}, ours {ours} / {oursServer}";

        // A side that has no version it may speak fails before it sends anything. Python's OpenSSL fails in
        // do_handshake: with NO_PROTOCOLS_AVAILABLE for an empty range, and with NO_CIPHERS_AVAILABLE for a range
        // below TLS 1.2 (its default cipher string drops every suite TLS 1.0 and 1.1 can use). This library speaks
        // neither version, so both are an empty range to it, refused with NO_PROTOCOLS_AVAILABLE when the connection
        // is made (wrap_bio). Its peer then receives nothing, where OpenSSL's server would answer the ClientHello
        // with an alert first: protocol_version or handshake_failure.
        if (Unspeakable(client))
        {
            Assert.True(pyClient is "SSLError:NO_PROTOCOLS_AVAILABLE" or "SSLError:NO_CIPHERS_AVAILABLE", cell);
            Assert.True(ours == "wrap:SSLError:NO_PROTOCOLS_AVAILABLE", cell);
            return;
        }

        if (Unspeakable(server))
        {
            Assert.True(pyServer is "SSLError:NO_PROTOCOLS_AVAILABLE" or "SSLError:NO_CIPHERS_AVAILABLE", cell);
            Assert.True(pyClient is "SSLError:TLSV1_ALERT_PROTOCOL_VERSION" or "SSLError:SSLV3_ALERT_HANDSHAKE_FAILURE", cell);
            Assert.True(oursServer == "wrap:SSLError:NO_PROTOCOLS_AVAILABLE", cell);
            return;
        }

        Assert.True(pyClient == ours && pyServer == oursServer, cell);
    }

    [Fact]
    public void TheOracleSeesEveryKindOfOutcome()
    {
        var outcomes = _python.Outcomes.Values.SelectMany(o => new[] { o.Client, o.Server }).ToHashSet();
        Assert.Contains("TLSv1.2", outcomes);
        Assert.Contains("TLSv1.3", outcomes);
        Assert.Contains("SSLError:TLSV1_ALERT_PROTOCOL_VERSION", outcomes);
        Assert.Contains("SSLError:UNSUPPORTED_PROTOCOL", outcomes);
        Assert.Contains("SSLError:NO_PROTOCOLS_AVAILABLE", outcomes);
        Assert.Equal(Settings.Length * Settings.Length, _python.Outcomes.Count);
    }

    // Below TLS 1.2 at both ends of the range, or a range that is empty.
    private static bool Unspeakable(string setting) => setting is "1.0-1.0" or "1.0-1.1" or "1.1-1.1" or "1.3-1.2";

    private static readonly Dictionary<string, TlsVersion> Versions = new(StringComparer.Ordinal)
    {
        ["1.0"] = TlsVersion.TlsV1,
        ["1.1"] = TlsVersion.TlsV1_1,
        ["1.2"] = TlsVersion.TlsV1_2,
        ["1.3"] = TlsVersion.TlsV1_3,
    };

    private static SslContext Context(bool server, string setting, string dir)
    {
        var ctx = new SslContext(server ? SslProtocol.TlsServer : SslProtocol.TlsClient);
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
                ctx.MinimumVersion = Versions[range[0]];
                ctx.MaximumVersion = Versions[range[1]];
                break;
        }

        if (server)
        {
            ctx.LoadCertChain(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
        }
        else
        {
            ctx.LoadVerifyLocations(cafile: Path.Combine(dir, "cert.pem"));
        }

        return ctx;
    }

    private (string Client, string Server) RunOurs(string client, string server)
    {
        SslObject? c = null, s = null;
        string? clientOutcome = null, serverOutcome = null;
        MemoryBio ci = new(), co = new(), si = new(), so = new();
        try
        {
            c = Context(false, client, _python.Dir).WrapBio(ci, co, serverHostname: "localhost");
        }
        catch (SslException e)
        {
            clientOutcome = "wrap:" + Describe(e);
        }

        try
        {
            s = Context(true, server, _python.Dir).WrapBio(si, so, serverSide: true);
        }
        catch (SslException e)
        {
            serverOutcome = "wrap:" + Describe(e);
        }

        for (int round = 0; round < 10; round++)
        {
            Step(c, ref clientOutcome, co, si);
            Step(s, ref serverOutcome, so, ci);
        }

        return (clientOutcome ?? "pending", serverOutcome ?? "pending");
    }

    private static void Step(SslObject? side, ref string? outcome, MemoryBio outgoing, MemoryBio peerIncoming)
    {
        if (side is null)
        {
            return;
        }

        if (outcome is null)
        {
            try
            {
                side.DoHandshake();
                outcome = side.Version();
            }
            catch (SslWantReadException)
            {
                // Wait for the peer.
            }
            catch (SslException e)
            {
                outcome = Describe(e);
            }
        }

        byte[] bytes = outgoing.Read();
        if (bytes.Length > 0)
        {
            peerIncoming.Write(bytes);
        }
    }

    // As Python prints type(e).__name__ and e.reason.
    private static string Describe(SslException e) => e switch
    {
        SslCertVerificationException => "SSLCertVerificationError",
        SslEofException => "SSLEOFError",
        SslZeroReturnException => "SSLZeroReturnError",
        SslSyscallException => "SSLSyscallError",
        _ => "SSLError",
    } + ":" + e.Reason;

    /// <summary>Python's outcome for every pair of settings, computed once with two Python contexts over memory BIOs.</summary>
    public sealed class Oracle : IDisposable
    {
        public Oracle()
        {
            Dir = FacadeKeys.WriteFiles();
            string pairs = string.Join(",", Settings.SelectMany(c => Settings.Select(s => $"({PyString(c)}, {PyString(s)})")));
            string script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "oracles", "version_pairs.py"))
                + $"\nrun_pairs({PyString(Path.Combine(Dir, "cert.pem"))}, {PyString(Path.Combine(Dir, "key.pem"))}, [{pairs}])\n";
            string json = PythonOracle.Run(script, 60000)!;
            using JsonDocument doc = JsonDocument.Parse(json);
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                string[] key = p.Name.Split(' ');
                Outcomes[(key[0], key[1])] = (p.Value[0].GetString()!, p.Value[1].GetString()!);
            }
        }

        /// <summary>The directory with the certificate and key both implementations load.</summary>
        public string Dir { get; }

        /// <summary>Python's (client, server) outcome by (client setting, server setting): a version or <c>Type:REASON</c>.</summary>
        public Dictionary<(string Client, string Server), (string Client, string Server)> Outcomes { get; } = [];

        public void Dispose() => Directory.Delete(Dir, recursive: true);

        private static string PyString(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
    }
}
