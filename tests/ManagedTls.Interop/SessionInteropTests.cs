using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// Session files (<c>-sess_out</c>/<c>-sess_in</c>, OpenSSL's SSL_SESSION PEM) exchanged between our s_client and
/// s_server and openssl's, and resumption through the facade against openssl; loopback, ephemeral ports, bounded waits.
/// </summary>
public sealed class SessionInteropTests : IClassFixture<CliCertificates>
{
    private readonly CliCertificates _c;

    public SessionInteropTests(CliCertificates certificates) => _c = certificates;

    private static string P(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string SessionFile() => Path.Combine(_c.Dir, "sess-" + Guid.NewGuid().ToString("N") + ".pem");

    [Fact]
    public void OurClientResumesWithOpenSslServer()
    {
        int port = CliPeers.FreePort();
        string file = SessionFile();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "2");
        string[] common = ["-connect", "127.0.0.1:" + P(port), "-CAfile", _c.EcCert, "-servername", "localhost"];
        ClientRun first = CliPeers.OurClient("", [.. common, "-sess_out", file]);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384", first.Stdout);
        Assert.Contains("-----BEGIN SSL SESSION PARAMETERS-----", File.ReadAllText(file));

        // openssl reads our file.
        string text = OpenSslProcess.RunText("sess_id", "-in", file, "-text", "-noout");
        Assert.Contains("Protocol  : TLSv1.3", text);
        Assert.Contains("Cipher    : TLS_AES_256_GCM_SHA384", text);
        Assert.Contains("TLS session ticket lifetime hint: 7200 (seconds)", text);

        ClientRun second = CliPeers.OurClient("", [.. common, "-sess_in", file]);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384", second.Stdout);
    }

    [Fact]
    public void NoTicketNoSessionFile()
    {
        int port = CliPeers.FreePort();
        string file = SessionFile();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "1", "-num_tickets", "0");
        ClientRun run = CliPeers.OurClient("", "-connect", "127.0.0.1:" + P(port), "-CAfile", _c.EcCert, "-servername", "localhost", "-sess_out", file);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("no session to write: the server sent no ticket", run.Stderr);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void OpenSslClientResumesWithOurServer()
    {
        int port = CliPeers.FreePort();
        string file = SessionFile();
        // -www: our server answers one request and closes, so openssl's client has read the tickets when it ends.
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "2", "-www");
        string[] common = ["-connect", "127.0.0.1:" + P(port), "-servername", "localhost", "-ign_eof"];
        const string Get = "GET / HTTP/1.0\r\n\r\n";
        ClientRun first = CliPeers.OpenSslClient(Get, [.. common, "-sess_out", file]);
        Assert.Contains("New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384", first.Stdout);
        ClientRun second = CliPeers.OpenSslClient(Get, [.. common, "-sess_in", file]);
        Assert.Contains("Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384", second.Stdout);
        // Our page says the same, first, as openssl's -www page says it in its session block.
        Assert.Contains("\r\n\r\nReused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384\n", second.Stdout[second.Stdout.IndexOf("HTTP/1.0 200 ok", StringComparison.Ordinal)..]);
        Assert.Equal(0, server.WaitExit());
    }

    [Fact]
    public void OpenSslSessionFileResumesWithOurClient()
    {
        // A file written by openssl s_client (no host name in it: openssl's server does not acknowledge server_name).
        int port = CliPeers.FreePort();
        string file = SessionFile();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "2", "-www");
        ClientRun first = CliPeers.OpenSslClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + P(port), "-servername", "localhost", "-ign_eof", "-sess_out", file);
        Assert.Contains("New, TLSv1.3", first.Stdout);
        ClientRun second = CliPeers.OurClient("", "-connect", "127.0.0.1:" + P(port), "-CAfile", _c.EcCert, "-servername", "localhost", "-sess_in", file);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384", second.Stdout);
    }

    [Fact]
    public void FacadeClientResumesWithOpenSslServer()
    {
        int port = CliPeers.FreePort();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_3", "-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "2", "-rev");
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.LoadVerifyLocations(cafile: _c.EcCert);

        SslSession session;
        using (SslSocket first = Connect(ctx, port, null))
        {
            first.Write("abc\n"u8.ToArray());
            Assert.Equal("cba", System.Text.Encoding.ASCII.GetString(first.Read(3)));
            Assert.False(first.SessionReused);
            session = first.Session!;
            Assert.True(session.HasTicket);
        }

        using SslSocket second = Connect(ctx, port, session);
        Assert.True(second.SessionReused);
        second.Write("xyz\n"u8.ToArray());
        Assert.Equal("zyx", System.Text.Encoding.ASCII.GetString(second.Read(3)));
        Assert.Equal(1, ctx.SessionStats()["hits"]);
    }

    [Fact]
    public async Task PythonClientResumesWithFacadeServer()
    {
        const string Script = """
            import socket, ssl, sys
            ctx = ssl.create_default_context(cafile=sys.argv[2])
            session = None
            for i in range(2):
                with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:
                    with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
                        s.sendall(b"ping")
                        assert s.recv(4) == b"pong"
                        print(i, s.session_reused, s.session.has_ticket)
                        session = s.session
            print(ctx.session_stats()["hits"])
            """;
        var server = new SslContext(SslProtocol.TlsServer);
        server.LoadCertChain(_c.EcCert, _c.EcKey);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serving = Task.Run(() =>
        {
            var reused = new List<bool>();
            for (int i = 0; i < 2; i++)
            {
                using Socket s = listener.AcceptSocket();
                s.ReceiveTimeout = CliPeers.TimeoutMs;
                s.SendTimeout = CliPeers.TimeoutMs;
                using SslSocket ssl = server.WrapSocket(s, serverSide: true);
                Assert.Equal("ping"u8.ToArray(), ssl.Read(4));
                ssl.Write("pong"u8.ToArray());
                reused.Add(ssl.SessionReused);
                ssl.Read(); // Python closes after reading the ticket with its data
            }

            return reused;
        });

        var psi = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-c", Script, P(port), _c.EcCert })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        bool exited = p.WaitForExit(CliPeers.TimeoutMs);
        if (!exited)
        {
            p.Kill(entireProcessTree: true);
        }

        var bound = TimeSpan.FromMilliseconds(CliPeers.TimeoutMs);
        Assert.True(exited && p.ExitCode == 0, await error.WaitAsync(bound));
        // Python: the second connection resumed (session_reused True), and its context counted one hit.
        Assert.Equal("0 False True\n1 True True\n1\n", (await output.WaitAsync(bound)).Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal([false, true], await serving.WaitAsync(bound));
        Assert.Equal(1, server.SessionStats()["hits"]);
    }

    private static SslSocket Connect(SslContext ctx, int port, SslSession? session)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = CliPeers.TimeoutMs, SendTimeout = CliPeers.TimeoutMs };
        socket.Connect(IPAddress.Loopback, port);
        return ctx.WrapSocket(socket, serverHostname: "localhost", session: session);
    }
}
