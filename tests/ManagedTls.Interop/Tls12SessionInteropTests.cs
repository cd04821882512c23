using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// TLS 1.2 session resumption with OpenSSL 3.0 and GnuTLS in both directions (decision 0023): our s_client and facade
/// against <c>openssl s_server -tls1_2</c> by ticket and by session id (<c>-no_ticket</c>), <c>-reconnect</c>, session
/// files both ways, and <c>openssl s_client -sess_out/-sess_in</c> and <c>gnutls-cli --resume</c> against our server.
/// Loopback, ephemeral ports, every wait bounded.
/// </summary>
public sealed class Tls12SessionInteropTests : IClassFixture<CliCertificates>
{
    private const string Get = "GET / HTTP/1.0\r\n\r\n";
    private const string Suite = "ECDHE-ECDSA-AES256-GCM-SHA384";
    private readonly CliCertificates _c;

    public Tls12SessionInteropTests(CliCertificates certificates) => _c = certificates;

    private static string P(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string SessionFile() => Path.Combine(_c.Dir, "sess12-" + Guid.NewGuid().ToString("N") + ".pem");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OurClientResumesWithOpenSslServer(bool noTicket)
    {
        int port = CliPeers.FreePort();
        string file = SessionFile();
        string[] serverArgs = ["-tls1_2", "-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "2"];
        using var server = CliPeers.StartOpenSslServer(port, noTicket ? [.. serverArgs, "-no_ticket"] : serverArgs);
        string[] common = ["-connect", "127.0.0.1:" + P(port), "-CAfile", _c.EcCert, "-servername", "localhost", "-tls1_2"];
        ClientRun first = CliPeers.OurClient("", [.. common, "-sess_out", file]);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains($"New, TLSv1.2, Cipher is {Suite}", first.Stdout);

        // openssl reads our TLS 1.2 file.
        string text = OpenSslProcess.RunText("sess_id", "-in", file, "-text", "-noout");
        Assert.Contains("Protocol  : TLSv1.2", text);
        Assert.Contains($"Cipher    : {Suite}", text);
        Assert.Contains("Extended master secret: yes", text);
        Assert.Equal(!noTicket, text.Contains("TLS session ticket lifetime hint: 7200 (seconds)", StringComparison.Ordinal));

        ClientRun second = CliPeers.OurClient("", [.. common, "-sess_in", file]);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains($"Reused, TLSv1.2, Cipher is {Suite}", second.Stdout);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OurClientReconnectsFiveTimesResumingEachTime(bool noTicket)
    {
        int port = CliPeers.FreePort();
        string[] serverArgs = ["-tls1_2", "-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "6"];
        using var server = CliPeers.StartOpenSslServer(port, noTicket ? [.. serverArgs, "-no_ticket"] : serverArgs);
        ClientRun run = CliPeers.OurClient("", "-connect", "127.0.0.1:" + P(port), "-servername", "localhost", "-tls1_2", "-reconnect");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Single(Lines(run.Stdout, $"New, TLSv1.2, Cipher is {Suite}"));
        Assert.Equal(5, Lines(run.Stdout, $"Reused, TLSv1.2, Cipher is {Suite}").Count);
        Assert.Equal(5, Lines(run.Stdout, "drop connection and then reconnect").Count);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void OpenSslClientResumesWithOurServer(bool clientNoTicket, bool serverNoTicket)
    {
        int port = CliPeers.FreePort();
        string file = SessionFile();
        string[] serverArgs = ["-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "2", "-www", "-tls1_2"];
        using OurServer server = CliPeers.StartOurServer(port, serverNoTicket ? [.. serverArgs, "-no_ticket"] : serverArgs);
        string[] common = ["-connect", "127.0.0.1:" + P(port), "-servername", "localhost", "-ign_eof", "-tls1_2"];
        if (clientNoTicket)
        {
            common = [.. common, "-no_ticket"];
        }

        ClientRun first = CliPeers.OpenSslClient(Get, [.. common, "-sess_out", file]);
        Assert.Contains($"New, TLSv1.2, Cipher is {Suite}", first.Stdout);
        Assert.Equal(!clientNoTicket && !serverNoTicket, first.Stdout.Contains("TLS session ticket lifetime hint: 7200", StringComparison.Ordinal));
        ClientRun second = CliPeers.OpenSslClient(Get, [.. common, "-sess_in", file]);
        Assert.Contains($"Reused, TLSv1.2, Cipher is {Suite}", second.Stdout);

        // Our -www page says it too, with the context's counters as openssl prints them.
        string page = second.Stdout[second.Stdout.IndexOf("HTTP/1.0 200 ok", StringComparison.Ordinal)..];
        Assert.Contains($"\r\n\r\nReused, TLSv1.2, Cipher is {Suite}\n", page);
        Assert.Contains("   1 session cache hits\n", page);
        Assert.Contains($"   {(clientNoTicket || serverNoTicket ? 1 : 0)} items in the session cache\n", page);
        Assert.Equal(0, server.WaitExit());
    }

    [Fact]
    public void OpenSslTls12SessionFileResumesWithOurClient()
    {
        int port = CliPeers.FreePort();
        string file = SessionFile();
        using var server = CliPeers.StartOpenSslServer(port, "-tls1_2", "-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "2", "-www");
        ClientRun first = CliPeers.OpenSslClient(Get, "-connect", "127.0.0.1:" + P(port), "-servername", "localhost", "-ign_eof", "-tls1_2", "-sess_out", file);
        Assert.Contains("New, TLSv1.2", first.Stdout);
        ClientRun second = CliPeers.OurClient("", "-connect", "127.0.0.1:" + P(port), "-servername", "localhost", "-tls1_2", "-sess_in", file);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains($"Reused, TLSv1.2, Cipher is {Suite}", second.Stdout);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GnuTlsClientResumesWithOurServer(bool serverNoTicket)
    {
        int port = CliPeers.FreePort();
        string[] serverArgs = ["-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "2", "-www", "-tls1_2"];
        using OurServer server = CliPeers.StartOurServer(port, serverNoTicket ? [.. serverArgs, "-no_ticket"] : serverArgs);
        using var gnutls = new OpenSslPeer(["--resume", "--insecure", "--priority", "NORMAL:-VERS-TLS1.3", "-p", P(port), "127.0.0.1"], [], "gnutls-cli");
        ClientRun run = gnutls.WaitExit();
        Assert.Contains("*** This is a resumed session", run.Stdout + run.Stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FacadeClientResumesWithOpenSslServer(bool noTicket)
    {
        int port = CliPeers.FreePort();
        string[] serverArgs = ["-tls1_2", "-cert", _c.EcCert, "-key", _c.EcKey, "-naccept", "2", "-rev"];
        using var server = CliPeers.StartOpenSslServer(port, noTicket ? [.. serverArgs, "-no_ticket"] : serverArgs);
        var ctx = new SslContext(SslProtocol.TlsClient) { MaximumVersion = TlsVersion.TlsV1_2 };
        ctx.LoadVerifyLocations(cafile: _c.EcCert);

        SslSession session;
        using (SslSocket first = Connect(ctx, port, null))
        {
            first.Write("abc\n"u8.ToArray());
            Assert.Equal("cba", System.Text.Encoding.ASCII.GetString(first.Read(3)));
            Assert.False(first.SessionReused);
            session = first.Session!;
            Assert.Equal(!noTicket, session.HasTicket);
        }

        using SslSocket second = Connect(ctx, port, session);
        Assert.True(second.SessionReused);
        Assert.Equal("TLSv1.2", second.Version());
        second.Write("xyz\n"u8.ToArray());
        Assert.Equal("zyx", System.Text.Encoding.ASCII.GetString(second.Read(3)));
        Assert.Equal(1, ctx.SessionStats()["hits"]);
    }

    private static List<string> Lines(string text, string line) =>
        text.Replace("\r", "", StringComparison.Ordinal).Split('\n').Where(l => l == line).ToList();

    private static SslSocket Connect(SslContext ctx, int port, SslSession? session)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = CliPeers.TimeoutMs, SendTimeout = CliPeers.TimeoutMs };
        socket.Connect(IPAddress.Loopback, port);
        return ctx.WrapSocket(socket, serverHostname: "localhost", session: session);
    }
}
