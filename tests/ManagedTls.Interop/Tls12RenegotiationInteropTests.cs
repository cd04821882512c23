using System.Diagnostics;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// TLS 1.2 renegotiation (decision 0024) against real peers: <c>openssl s_server -tls1_2</c> renegotiating when
/// <c>R</c> is typed on its stdin, our client renegotiating with <c>openssl s_server</c> with and without
/// <c>-client_renegotiation</c>, <c>openssl s_client -tls1_2</c> typing <c>R</c> against our server under each option,
/// our server's HelloRequest to <c>openssl s_client</c> (answered, or refused with <c>-no_renegotiation</c>),
/// <c>gnutls-cli --rehandshake</c> against our server and our client against <c>gnutls-serv</c>. Every wait is bounded.
/// </summary>
public sealed class Tls12RenegotiationInteropTests(ClientAuthCertificates certs) : IClassFixture<ClientAuthCertificates>
{
    private const int TimeoutMs = 15000;

    /// <summary>A peer process whose stdout and stderr are collected as they come, with bounded waits for text.</summary>
    private sealed class Peer : IDisposable
    {
        private readonly StringBuilder _output = new();
        private readonly Process _process;

        public Peer(string file, IEnumerable<string> args)
        {
            _process = OpenSslProcess.Start(file, args);
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

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

        public void Type(string line)
        {
            _process.StandardInput.Write(line + "\n");
            _process.StandardInput.Flush();
        }

        public void WaitFor(string text)
        {
            var clock = Stopwatch.StartNew();
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                Assert.True(clock.ElapsedMilliseconds < TimeoutMs, $"'{text}' did not appear; output:\n{Output}");
                Thread.Sleep(20);
            }
        }

        /// <summary>
        /// Waits, bounded, for the process to exit, then for its last output lines: with asynchronous readers the
        /// bounded overload can return before the final lines (s_server's statistics at exit) have been delivered.
        /// </summary>
        public bool WaitForExit()
        {
            if (!_process.WaitForExit(TimeoutMs))
            {
                return false;
            }

            _process.WaitForExit();
            return true;
        }

        public void CloseInput() => _process.StandardInput.Close();

        public void Dispose()
        {
            OpenSslProcess.Kill(_process, TimeoutMs);
            _process.Dispose();
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
    }

    private Peer OpenSslServer(int port, params string[] extra) => new("openssl", [
        "s_server", "-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-tls1_2", "-naccept", "1",
        "-cert", certs.File("server.pem"), "-key", certs.File("server-key.pem"), .. extra,
    ]);

    private SslContext ClientContext()
    {
        var ctx = new SslContext(SslProtocol.TlsClient) { MaximumVersion = TlsVersion.TlsV1_2 };
        ctx.LoadVerifyLocations(cafile: certs.File("server.pem"));
        return ctx;
    }

    private SslContext ServerContext(SslOptions options)
    {
        var ctx = new SslContext(SslProtocol.TlsServer) { MinimumVersion = TlsVersion.TlsV1_2 };
        ctx.LoadCertChain(certs.File("server.pem"), certs.File("server-key.pem"));
        ctx.Options |= options;
        return ctx;
    }

    private static string ReadLine(SslSocket ssl)
    {
        var line = new StringBuilder();
        while (!line.ToString().Contains('\n', StringComparison.Ordinal))
        {
            byte[] chunk = ssl.Read();
            Assert.NotEmpty(chunk);
            line.Append(Encoding.ASCII.GetString(chunk));
        }

        return line.ToString().Trim();
    }

    [Fact]
    public void OurClientFollowsARenegotiationOpenSslServerStarts()
    {
        int port = OpenSslProcess.FreePort();
        using Peer server = OpenSslServer(port);
        using var socket = OpenSslProcess.ConnectWithRetry(port, TimeoutMs);
        using SslSocket client = ClientContext().WrapSocket(socket, serverHostname: "localhost");
        client.Write(Encoding.ASCII.GetBytes("hello\n"));
        server.WaitFor("hello");

        // s_server's R: a HelloRequest (its report of it is buffered, so nothing to wait for); our client answers it
        // from within its reads.
        server.Type("R");
        Thread.Sleep(300);
        server.Type("after");
        Assert.Equal("after", ReadLine(client));
        Thread.Sleep(300);
        server.Type("final");
        Assert.Equal("final", ReadLine(client));
        Assert.Equal(1, client.RenegotiationCount);
        client.Write(Encoding.ASCII.GetBytes("bye\n"));
        server.WaitFor("bye");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OurClientRenegotiatesWithOpenSslServerOnlyWhenItAllowsClients(bool allow)
    {
        int port = OpenSslProcess.FreePort();
        using Peer server = allow ? OpenSslServer(port, "-client_renegotiation") : OpenSslServer(port);
        using var socket = OpenSslProcess.ConnectWithRetry(port, TimeoutMs);
        using SslSocket client = ClientContext().WrapSocket(socket, serverHostname: "localhost");
        client.Write(Encoding.ASCII.GetBytes("hello\n"));
        server.WaitFor("hello");
        if (allow)
        {
            client.Renegotiate();
            Assert.Equal(1, client.RenegotiationCount);
        }
        else
        {
            // OpenSSL 3 answers with a no_renegotiation warning; the connection goes on under the old keys.
            Assert.Equal("NO_RENEGOTIATION", Assert.Throws<SslException>(client.Renegotiate).Reason);
            Assert.Equal(0, client.RenegotiationCount);
        }

        client.Write(Encoding.ASCII.GetBytes("after\n"));
        server.WaitFor("after");
        server.Type("reply");
        Assert.Equal("reply", ReadLine(client));
    }

    [Theory]
    [InlineData(SslOptions.AllowClientRenegotiation, true)]
    [InlineData(SslOptions.None, false)]
    [InlineData(SslOptions.AllowClientRenegotiation | SslOptions.NoRenegotiation, false)]
    public void OpenSslClientTypingRRenegotiatesWithOurServerAsTheOptionsSay(SslOptions options, bool completes)
    {
        var (listener, port) = CertificateAuthoritiesInteropTests.Listen();
        using (listener.Server)
        {
            SslContext context = ServerContext(options);
            using var firstRead = new ManualResetEventSlim();
            Task<(string First, string? Second, int Count)> serverTask = Task.Factory.StartNew(
                () =>
                {
                    using var socket = CertificateAuthoritiesInteropTests.Accept(listener);
                    using SslSocket ssl = context.WrapSocket(socket, serverSide: true);
                    string first = ReadLine(ssl);
                    firstRead.Set();
                    string? second = null;
                    try
                    {
                        second = ReadLine(ssl);
                    }
                    catch (SslException)
                    {
                        // OpenSSL's client fails the connection when its renegotiation is refused.
                    }

                    return (first, second, ssl.RenegotiationCount);
                },
                TaskCreationOptions.LongRunning);

            using var client = new Peer("openssl", ["s_client", "-connect", "127.0.0.1:" + port, "-tls1_2", "-CAfile", certs.File("server.pem")]);
            client.WaitFor("Verify return code");
            client.Type("hello");

            // One line per read of s_client's stdin: R must come alone to be a command.
            Assert.True(firstRead.Wait(TimeoutMs), "our server did not read the first line");
            client.Type("R");
            client.WaitFor("RENEGOTIATING");
            if (completes)
            {
                // s_client runs the new handshake to its end (blocking) before it reads the next line.
                client.Type("after");
            }
            else
            {
                client.WaitFor("no renegotiation");
            }

            var (first, second, count) = CertificateAuthoritiesInteropTests.Bounded(serverTask);
            Assert.Equal("hello", first);
            Assert.Equal(completes ? "after" : null, second);
            Assert.Equal(completes ? 1 : 0, count);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GnuTlsRehandshakeCompletesOnlyWhenOurServerAllowsClients(bool allow)
    {
        var (listener, port) = CertificateAuthoritiesInteropTests.Listen();
        using (listener.Server)
        {
            SslContext context = ServerContext(allow ? SslOptions.AllowClientRenegotiation : SslOptions.None);
            Task<int> serverTask = Task.Factory.StartNew(
                () =>
                {
                    using var socket = CertificateAuthoritiesInteropTests.Accept(listener);
                    using SslSocket ssl = context.WrapSocket(socket, serverSide: true);
                    try
                    {
                        // gnutls-cli renegotiates right after the handshake, then sends nothing and closes.
                        while (ssl.Read().Length > 0)
                        {
                        }
                    }
                    catch (SslException)
                    {
                        // gnutls-cli gives up after repeated refusals with a fatal alert.
                    }

                    return ssl.RenegotiationCount;
                },
                TaskCreationOptions.LongRunning);

            using var client = new Peer("gnutls-cli", ["--insecure", "--rehandshake", "--priority", "NORMAL:-VERS-TLS1.3", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1"]);
            client.WaitFor("Handshake was completed");
            if (allow)
            {
                client.WaitFor("ReHandshake was completed");
                client.CloseInput();
            }

            Assert.True(client.WaitForExit(), "gnutls-cli did not exit");

            // gnutls-cli exits 0 whether the rehandshake worked or not: its output tells.
            Assert.Equal(allow, client.Output.Contains("ReHandshake was completed", StringComparison.Ordinal));
            Assert.Equal(allow ? 1 : 0, CertificateAuthoritiesInteropTests.Bounded(serverTask));
        }
    }
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OurServerRenegotiatesWithOpenSslClientUnlessItRefuses(bool clientRefuses)
    {
        var (listener, port) = CertificateAuthoritiesInteropTests.Listen();
        using (listener.Server)
        {
            SslContext context = ServerContext(SslOptions.None);
            using var firstRead = new ManualResetEventSlim();
            Task<(string? Outcome, string Second, int Count)> serverTask = Task.Factory.StartNew(
                () =>
                {
                    using var socket = CertificateAuthoritiesInteropTests.Accept(listener);
                    using SslSocket ssl = context.WrapSocket(socket, serverSide: true);
                    Assert.Equal("hello", ReadLine(ssl));
                    string? outcome = null;
                    try
                    {
                        // s_client answers the HelloRequest from its read loop.
                        ssl.Renegotiate();
                    }
                    catch (SslException e)
                    {
                        outcome = e.Reason;
                    }

                    firstRead.Set();
                    return (outcome, ReadLine(ssl), ssl.RenegotiationCount);
                },
                TaskCreationOptions.LongRunning);

            string[] args = ["s_client", "-connect", "127.0.0.1:" + port, "-tls1_2", "-CAfile", certs.File("server.pem")];
            using var client = new Peer("openssl", clientRefuses ? [.. args, "-no_renegotiation"] : args);
            client.WaitFor("Verify return code");
            client.Type("hello");
            Assert.True(firstRead.Wait(TimeoutMs), "the renegotiation did not end");
            client.Type("after");
            var (outcome, second, count) = CertificateAuthoritiesInteropTests.Bounded(serverTask);

            // OpenSSL 3's client with NO_RENEGOTIATION answers HelloRequest with a no_renegotiation warning and goes on.
            Assert.Equal(clientRefuses ? "NO_RENEGOTIATION" : null, outcome);
            Assert.Equal("after", second);
            Assert.Equal(clientRefuses ? 0 : 1, count);
        }
    }

    [Fact]
    public void OurClientRenegotiatesWithGnuTlsServ()
    {
        int port = OpenSslProcess.FreePort();
        using var server = new Peer("gnutls-serv", [
            "--x509certfile", certs.File("server.pem"), "--x509keyfile", certs.File("server-key.pem"),
            "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--echo", "--priority", "NORMAL:-VERS-TLS1.3",
        ]);
        using var socket = OpenSslProcess.ConnectWithRetry(port, TimeoutMs);
        using SslSocket client = ClientContext().WrapSocket(socket, serverHostname: "localhost");
        client.Write(Encoding.ASCII.GetBytes("hello\n"));
        Assert.Equal("hello", ReadLine(client));
        client.Renegotiate();
        Assert.Equal(1, client.RenegotiationCount);
        client.Write(Encoding.ASCII.GetBytes("after\n"));
        Assert.Equal("after", ReadLine(client));
    }
    [Fact]
    public async Task OurCliClientRenegotiatesWhenRIsTyped()
    {
        int port2 = OpenSslProcess.FreePort();
        using Peer server2 = OpenSslServer(port2, "-client_renegotiation");
        server2.WaitFor("ACCEPT");
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        Task<int> run = Task.Factory.StartNew(
            () => ManagedTls.Cli.SClientCommand.Run(
                ["-connect", "127.0.0.1:" + port2, "-tls1_2"], new PacedLines("hello\n", "R\n", "after\n", "Q\n"), stdout, stderr),
            TaskCreationOptions.LongRunning);
        server2.WaitFor("after");
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromMilliseconds(TimeoutMs)));
        Assert.Contains("RENEGOTIATING", stderr.ToString(), StringComparison.Ordinal);
        Assert.True(server2.WaitForExit(), "s_server did not exit");

        // s_server's statistics at exit: the first handshake and the renegotiation both finished.
        Assert.Contains("1 server renegotiates", server2.Output, StringComparison.Ordinal);
        Assert.Contains("2 server accepts that finished", server2.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void CliRenegotiationFlagsSetOpenSslsOptions()
    {
        SslContext client = ManagedTls.Cli.TlsCliCommon.NewContext(serverSide: false);
        foreach (string flag in new[] { "-tls1_2", "-legacy_renegotiation", "-legacy_server_connect", "-no_renegotiation" })
        {
            var a = new ManagedTls.Cli.CliArgs([flag]);
            Assert.True(a.Next());
            Assert.True(ManagedTls.Cli.TlsCliCommon.ProtocolFlag(client, a, serverSide: false), flag);
        }

        Assert.Equal(TlsVersion.TlsV1_2, client.MaximumVersion);
        Assert.Equal(SslOptions.AllowUnsafeLegacyRenegotiation | SslOptions.LegacyServerConnect | SslOptions.NoRenegotiation,
            client.Options & (SslOptions.AllowUnsafeLegacyRenegotiation | SslOptions.LegacyServerConnect | SslOptions.NoRenegotiation));
        var off = new ManagedTls.Cli.CliArgs(["-no_legacy_server_connect"]);
        off.Next();
        ManagedTls.Cli.TlsCliCommon.ProtocolFlag(client, off, serverSide: false);
        Assert.Equal(SslOptions.None, client.Options & SslOptions.LegacyServerConnect);

        SslContext server = ManagedTls.Cli.TlsCliCommon.NewContext(serverSide: true);
        foreach (string flag in new[] { "-client_renegotiation", "-serverpref" })
        {
            var a = new ManagedTls.Cli.CliArgs([flag]);
            a.Next();
            Assert.True(ManagedTls.Cli.TlsCliCommon.ProtocolFlag(server, a, serverSide: true), flag);
        }

        Assert.Equal(SslOptions.AllowClientRenegotiation | SslOptions.CipherServerPreference,
            server.Options & (SslOptions.AllowClientRenegotiation | SslOptions.CipherServerPreference));
    }

    /// <summary>Standard input that hands out one line per read with a pause first, as a person typing.</summary>
    private sealed class PacedLines(params string[] lines) : Stream
    {
        private int _next;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_next >= lines.Length)
            {
                return 0;
            }

            Thread.Sleep(700);

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
