using System.Text;
using ManagedTls.Cli;

namespace ManagedTls.Interop;

/// <summary>Certificates for the CLI tests, made once with openssl in a temporary directory.</summary>
public sealed class CliCertificates : IDisposable
{
    public CliCertificates()
    {
        EcCert = Path.Combine(Dir, "ec-cert.pem");
        EcKey = Path.Combine(Dir, "ec-key.pem");
        RsaCert = Path.Combine(Dir, "rsa-cert.pem");
        RsaKey = Path.Combine(Dir, "rsa-key.pem");
        ClientCert = Path.Combine(Dir, "client-cert.pem");
        ClientKey = Path.Combine(Dir, "client-key.pem");
        EdCert = Path.Combine(Dir, "ed-cert.pem");
        EdKey = Path.Combine(Dir, "ed-key.pem");
        OpenSslProcess.Run([
            "req", "-x509", "-newkey", "ed25519", "-nodes", "-days", "2",
            "-subj", "/CN=localhost/OU=Edwards", "-keyout", EdKey, "-out", EdCert,
        ]);
        OpenSslProcess.Run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", EcKey, "-out", EcCert,
        ]);
        OpenSslProcess.Run([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/C=US/O=Test Org/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", RsaKey, "-out", RsaCert,
        ]);
        OpenSslProcess.Run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-days", "2", "-passout", "pass:" + ClientPassword,
            "-subj", "/O=Clients/CN=cli-client", "-keyout", ClientKey, "-out", ClientCert,
        ]);
    }

    public const string ClientPassword = "s3cret";

    public string Dir { get; } = Directory.CreateTempSubdirectory("mtls-cli-").FullName;
    public string EcCert { get; }
    public string EcKey { get; }
    public string RsaCert { get; }
    public string RsaKey { get; }
    public string ClientCert { get; }
    public string ClientKey { get; }
    public string EdCert { get; }
    public string EdKey { get; }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>
/// <c>managedtls s_client</c> and <c>s_server</c> against openssl's s_server and s_client and Python's ssl module,
/// over loopback with ephemeral ports; our commands run in process.
/// </summary>
public sealed class CliInteropTests : IClassFixture<CliCertificates>
{
    private readonly CliCertificates _c;

    public CliInteropTests(CliCertificates certificates) => _c = certificates;

    private static string P(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void OurClientExchangesDataWithOpenSslServer()
    {
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-rev");
        ClientRun run = CliPeers.OurClient("hello world\n", "-connect", "127.0.0.1:" + P(port), "-CAfile", _c.EcCert, "-servername", "localhost");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("dlrow olleh", run.Stdout);
        Assert.Contains("New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384", run.Stdout);
        Assert.Contains("Verify return code: 0 (ok)", run.Stdout);
    }

    [Theory]
    [InlineData("ec", true, null, null)]
    [InlineData("ec", false, "X448", "TLS_CHACHA20_POLY1305_SHA256")]
    [InlineData("rsa", true, "P-256", "TLS_AES_128_GCM_SHA256")]
    [InlineData("rsa", false, "P-384:X25519", null)]
    [InlineData("ed", true, "ffdhe2048", null)]
    [InlineData("ed", false, "P-521", "TLS_AES_128_CCM_SHA256:TLS_AES_256_GCM_SHA384")]
    public void BriefSummaryMatchesOpenSslClient(string key, bool trust, string? groups, string? suites)
    {
        (string cert, string keyFile) = key switch
        {
            "ec" => (_c.EcCert, _c.EcKey),
            "rsa" => (_c.RsaCert, _c.RsaKey),
            _ => (_c.EdCert, _c.EdKey),
        };
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", cert, "-key", keyFile, "-rev",
            "-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256");
        var args = new List<string> { "-connect", "127.0.0.1:" + P(port), "-brief", "-servername", "localhost" };
        if (suites is not null)
        {
            args.AddRange(["-ciphersuites", suites]);
        }

        if (trust)
        {
            args.AddRange(["-CAfile", cert]);
        }

        if (groups is not null)
        {
            args.AddRange(["-groups", groups]);
        }

        ClientRun theirs = CliPeers.OpenSslClient("", [.. args]);
        ClientRun ours = CliPeers.OurClient("", [.. args]);
        Assert.True(ours.ExitCode == 0, ours.Stderr);
        List<string> expected = CliPeers.BriefLines(theirs.Stderr);
        Assert.Equal(expected, CliPeers.BriefLines(ours.Stderr));
        Assert.Contains(trust ? "Verification: OK" : "Verification error: self-signed certificate", expected);
    }

    [Fact]
    public void VerifyReturnErrorStopsOnUntrustedServer()
    {
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-rev");
        ClientRun run = CliPeers.OurClient("hello\n", "-connect", "127.0.0.1:" + P(port), "-verify_return_error", "-brief");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("self-signed certificate", run.Stderr);
        Assert.DoesNotContain("olleh", run.Stdout);
    }

    [Fact]
    public void OpenSslClientGetsPageFromOurServerWithAlpn()
    {
        int port = CliPeers.FreePort();
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.EcCert, "-key", _c.EcKey, "-www", "-naccept", "1", "-alpn", "h2,http/1.1");
        ClientRun run = CliPeers.OpenSslClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + P(port), "-ign_eof",
            "-alpn", "http/1.1", "-CAfile", _c.EcCert, "-servername", "localhost", "-verify_return_error");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\n", run.Stdout);
        Assert.Contains("ALPN protocol: http/1.1", run.Stdout); // openssl's own line
        // The page opens with openssl's -www session block, from the facade's Version() and Cipher().
        Assert.Contains(
            "Content-type: text/plain\r\n\r\nNew, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384\nSSL-Session:\n"
            + "    Protocol  : TLSv1.3\n    Cipher    : TLS_AES_256_GCM_SHA384\n    Verify return code: 0 (ok)\n---\n",
            run.Stdout);
        Assert.Equal(0, server.WaitExit());
    }

    [Fact]
    public void PythonClientGetsPageFromOurServer()
    {
        int port = CliPeers.FreePort();
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.RsaCert, "-key", _c.RsaKey, "-www", "-naccept", "1", "-quiet");
        ClientRun run = CliPeers.PythonGet(port, _c.RsaCert);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.StartsWith("TLSv1.3 TLS_", run.Stdout);
        Assert.Contains("HTTP/1.0 200 ok", run.Stdout);
        Assert.Equal(0, server.WaitExit());
    }

    [Fact]
    public void OurClientAuthenticatesToOpenSslServerWithEncryptedKey()
    {
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-rev",
            "-Verify", "1", "-CAfile", _c.ClientCert, "-verify_return_error");
        ClientRun run = CliPeers.OurClient("client auth\n", "-connect", "127.0.0.1:" + P(port), "-CAfile", _c.EcCert,
            "-cert", _c.ClientCert, "-key", _c.ClientKey, "-pass", "pass:" + CliCertificates.ClientPassword, "-brief");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("htua tneilc", run.Stdout);
    }

    [Fact]
    public void OurClientWithATls12CipherListStillSpeaksTls13()
    {
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-rev");
        ClientRun run = CliPeers.OurClient("cipher\n", "-connect", "127.0.0.1:" + P(port), "-cipher", "kRSA+AESGCM", "-ciphersuites", "TLS_AES_128_GCM_SHA256");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", run.Stdout);
        Assert.Contains("rehpic", run.Stdout);
    }

    [Fact]
    public void OurServerReportsAnUntrustedClientCertificateAndGoesOn()
    {
        // As openssl's s_server: -verify asks for the certificate; one that does not verify is reported, not refused.
        int port = CliPeers.FreePort();
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.EcCert, "-key", _c.EcKey, "-www", "-naccept", "1", "-verify", "1", "-brief");
        ClientRun run = CliPeers.OpenSslClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + P(port), "-ign_eof",
            "-cert", _c.ClientCert, "-key", _c.ClientKey, "-pass", "pass:" + CliCertificates.ClientPassword);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("    Verify return code: 18 (self-signed certificate)\n", run.Stdout);
        Assert.Contains("Client certificate: O = Clients, CN = cli-client", run.Stdout);
        Assert.Equal(0, server.WaitExit());
        Assert.Contains("Hash used: SHA384", server.Stderr);
        Assert.Contains("Verification error: self-signed certificate", server.Stderr);
    }

    [Fact]
    public void OurServerRequiresAndReportsClientCertificate()
    {
        int port = CliPeers.FreePort();
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.EcCert, "-key", _c.EcKey, "-www", "-naccept", "2",
            "-Verify", "1", "-CAfile", _c.ClientCert, "-brief");
        ClientRun with = CliPeers.OpenSslClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + P(port), "-ign_eof",
            "-cert", _c.ClientCert, "-key", _c.ClientKey, "-pass", "pass:" + CliCertificates.ClientPassword);
        Assert.True(with.ExitCode == 0, with.Stderr);
        Assert.Contains("Client certificate: O = Clients, CN = cli-client", with.Stdout);

        ClientRun without = CliPeers.OpenSslClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + P(port), "-ign_eof");
        Assert.DoesNotContain("HTTP/1.0 200 ok", without.Stdout);
        Assert.Equal(1, server.WaitExit());
        Assert.Contains("Peer certificate: O = Clients, CN = cli-client", server.Stderr);
        Assert.Contains("Verification: OK", server.Stderr);
        Assert.Contains("handshake failed: CertificateRequired", server.Stderr);
    }

    [Fact]
    public void OurClientRetriesHelloWithOpenSslServer()
    {
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-rev", "-groups", "X25519", "-msg");
        ClientRun run = CliPeers.OurClient("retry\n", "-connect", "127.0.0.1:" + P(port), "-groups", "X448:X25519", "-brief");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("yrter", run.Stdout);
        Assert.Contains("Server Temp Key: X25519, 253 bits", run.Stderr);
        Assert.True(server.Stdout.WaitFor("ServerHello", CliPeers.TimeoutMs));
        Assert.Equal(2, CountLines(server.Stdout.Text, ">>> ", "ServerHello"));
    }

    [Fact]
    public void OurServerRetriesHelloWithOpenSslClient()
    {
        int port = CliPeers.FreePort();
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.EcCert, "-key", _c.EcKey, "-www", "-naccept", "1", "-groups", "X25519");
        ClientRun run = CliPeers.OpenSslClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + P(port), "-ign_eof", "-groups", "P-256:X25519", "-msg");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(2, CountLines(run.Stdout, "<<< ", "ServerHello"));
        Assert.Contains("Key exchange group: X25519", run.Stdout);
        Assert.Equal(0, server.WaitExit());
    }

    [Fact]
    public void OurClientNegotiatesAlpnWithOpenSslServer()
    {
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-rev", "-alpn", "http/1.1");
        ClientRun run = CliPeers.OurClient("alpn\n", "-connect", "127.0.0.1:" + P(port), "-alpn", "h2,http/1.1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("ALPN protocol: http/1.1", run.Stdout);
        Assert.Contains("npla", run.Stdout);
    }

    [Fact]
    public void OurClientSendsKeyUpdatesOnCommandLetters()
    {
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-rev");
        ClientRun run = CliPeers.OurClient(new LineStream("k\n", "K\n", "after update\n"), "-connect", "127.0.0.1:" + P(port));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(2, CountLines(run.Stderr, "KEYUPDATE", ""));
        Assert.Contains("etadpu retfa", run.Stdout);
    }

    [Fact]
    public void OurClientQuitsOnQ()
    {
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-rev");
        ClientRun run = CliPeers.OurClient(new LineStream("first\n", "Q\n", "never sent\n"), "-connect", "127.0.0.1:" + P(port), "-brief");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("tsrif", run.Stdout);
        Assert.DoesNotContain("tnes reven", run.Stdout);
        Assert.Contains("DONE", run.Stderr);
    }

    [Fact]
    public void KeyLogOfOurClientMatchesOpenSslServer()
    {
        int port = CliPeers.FreePort();
        string ours = Path.Combine(_c.Dir, $"client-{port}.keys"), theirs = Path.Combine(_c.Dir, $"server-{port}.keys");
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-www", "-keylogfile", theirs);
        ClientRun run = CliPeers.OurClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + P(port), "-keylogfile", ours, "-quiet");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.StartsWith("HTTP/1.0 200 ok", run.Stdout); // -quiet: only the server's data, after input EOF
        AssertSameKeyLog(ours, theirs);
    }

    [Fact]
    public void KeyLogOfOurServerMatchesOpenSslClient()
    {
        int port = CliPeers.FreePort();
        string ours = Path.Combine(_c.Dir, $"server-{port}.keys"), theirs = Path.Combine(_c.Dir, $"client-{port}.keys");
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.RsaCert, "-key", _c.RsaKey, "-www", "-naccept", "1", "-keylogfile", ours);
        ClientRun run = CliPeers.OpenSslClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + P(port), "-ign_eof", "-keylogfile", theirs);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(0, server.WaitExit());
        AssertSameKeyLog(ours, theirs);
    }

    [Fact]
    public void CliProcessesTalkToOpenSsl()
    {
        int port = CliPeers.FreePort();
        using (OpenSslPeer server = CliPeers.CliProcess(null, "s_server", "-accept", P(port), "-cert", _c.EcCert, "-key", _c.EcKey, "-www", "-naccept", "1"))
        {
            Assert.True(server.Stdout.WaitFor("ACCEPT", CliPeers.TimeoutMs), server.Stderr);
            ClientRun get = CliPeers.OpenSslClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + P(port), "-ign_eof");
            Assert.Contains("HTTP/1.0 200 ok", get.Stdout);
            Assert.Equal(0, server.WaitExit().ExitCode);
        }

        port = CliPeers.FreePort();
        using var openssl = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-rev");
        using OpenSslPeer client = CliPeers.CliProcess("over a pipe\n"u8.ToArray(), "s_client", "-connect", "127.0.0.1:" + P(port), "-brief", "-CAfile", _c.EcCert);
        ClientRun run = client.WaitExit();
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("epip a revo", run.Stdout);
        Assert.Contains("Verification: OK", run.Stderr);
    }

    [Theory]
    [InlineData("s_client")]
    [InlineData("s_client", "-connect", "localhost")]
    [InlineData("s_client", "-connect", "127.0.0.1:1", "-sess_out", "s.pem")]
    [InlineData("s_client", "-connect", "127.0.0.1:1", "-sess_in", "s.pem")]
    [InlineData("s_client", "-connect", "127.0.0.1:1", "-tls1_1")]
    [InlineData("s_client", "-connect", "127.0.0.1:1", "-bogus")]
    [InlineData("s_client", "-connect", "127.0.0.1:1", "-groups", "nosuchgroup")]
    [InlineData("s_client", "-connect", "127.0.0.1:1", "-ciphersuites", "TLS_NOPE")]
    [InlineData("s_client", "-connect", "127.0.0.1:1", "-ciphersuites", "")]
    [InlineData("s_client", "-connect", "127.0.0.1:1", "-cipher", "NOPE")]
    [InlineData("s_client", "-connect", "127.0.0.1:1", "-cert", "/nonexistent/cert.pem")]
    [InlineData("s_client", "-connect")]
    [InlineData("s_server")]
    [InlineData("s_server", "-accept", "x", "-cert", "c.pem")]
    [InlineData("s_server", "-accept", "4433")]
    [InlineData("s_server", "-accept", "4433", "-cert", "/nonexistent/cert.pem")]
    [InlineData("s_server", "-accept", "4433", "-cert", "c.pem", "-tls1")]
    [InlineData("s_server", "-accept", "4433", "-cert", "c.pem", "-naccept", "0")]
    public void BadArgumentsExitOne(params string[] args) => Assert.Equal(1, Program.Main(args));

    private static void AssertSameKeyLog(string ours, string theirs)
    {
        HashSet<string> a = CliPeers.KeyLogLines(ours), b = CliPeers.KeyLogLines(theirs);
        Assert.Equal(
            new[] { "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "EXPORTER_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0" },
            a.Select(l => l.Split(' ')[0]).Order(StringComparer.Ordinal));
        Assert.Single(a.Select(l => l.Split(' ')[1]).Distinct());
        Assert.True(a.SetEquals(b), $"ours:\n{string.Join('\n', a)}\ntheirs:\n{string.Join('\n', b)}");
    }

    private static int CountLines(string text, string prefix, string contains) =>
        text.Split('\n').Count(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.Contains(contains, StringComparison.Ordinal));

    /// <summary>Standard input that hands out one line per read, as a terminal does, with a pause between lines.</summary>
    private sealed class LineStream(params string[] lines) : Stream
    {
        private int _next;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_next >= lines.Length)
            {
                return 0;
            }

            Thread.Sleep(200);
            byte[] line = Encoding.ASCII.GetBytes(lines[_next++]);
            line.CopyTo(buffer, offset);
            return line.Length;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
