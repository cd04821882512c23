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
        // Our page says the same.
        Assert.Contains("Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384", second.Stdout[second.Stdout.IndexOf("managedtls s_server", StringComparison.Ordinal)..]);
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

    private static SslSocket Connect(SslContext ctx, int port, SslSession? session)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = CliPeers.TimeoutMs, SendTimeout = CliPeers.TimeoutMs };
        socket.Connect(IPAddress.Loopback, port);
        return ctx.WrapSocket(socket, serverHostname: "localhost", session: session);
    }
}
