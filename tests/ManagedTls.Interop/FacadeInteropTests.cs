using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// The facade against the oracles: our <see cref="SslSocket"/> client against <c>openssl s_server</c>, Python's
/// <c>ssl</c> client against our <see cref="TlsStream"/> server, and a CA-issued chain failing as OpenSSL reports it.
/// Every wait is bounded.
/// </summary>
public sealed class FacadeInteropTests : IDisposable
{
    private const int TimeoutMs = 15000;
    private readonly string _dir = Directory.CreateTempSubdirectory("mtls-facade-interop-").FullName;
    private readonly string _cert;
    private readonly string _key;

    public FacadeInteropTests()
    {
        _cert = Path.Combine(_dir, "cert.pem");
        _key = Path.Combine(_dir, "key.pem");
        OpenSslProcess.Run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", _key, "-out", _cert,
        ]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SslSocketClientAgainstOpenSslServer()
    {
        int port = OpenSslProcess.FreePort();
        using Process server = OpenSslProcess.Start("openssl", [
            "s_server", "-accept", $"127.0.0.1:{port}", "-tls1_3", "-cert", _cert, "-key", _key, "-www", "-naccept", "1",
        ]);
        try
        {
            var ctx = new SslContext(SslProtocol.TlsClient);
            ctx.LoadVerifyLocations(cafile: _cert);
            Socket socket = Connect(port);
            using SslSocket ssl = ctx.WrapSocket(socket, serverHostname: "localhost");
            Assert.Equal("TLSv1.3", ssl.Version());
            ssl.SendAll(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"));
            var page = new StringBuilder();
            while (true)
            {
                byte[] part = ssl.Read(4096);
                if (part.Length == 0)
                {
                    break;
                }

                page.Append(Encoding.ASCII.GetString(part));
            }

            string text = page.ToString();
            Assert.StartsWith("HTTP/1.0 200 ok", text);
            Assert.Contains("TLSv1.3", text);
            Assert.Contains(ssl.Cipher()!.Value.Name, text);
        }
        finally
        {
            OpenSslProcess.Kill(server, TimeoutMs);
        }
    }

    [Fact]
    public async Task PythonClientAgainstTlsStreamServer()
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(_cert, _key);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string script = $$"""
            import socket, ssl
            ctx = ssl.create_default_context(cafile={{PyString(_cert)}})
            with socket.create_connection(("127.0.0.1", {{port}}), timeout=10) as s:
                with ctx.wrap_socket(s, server_hostname="localhost") as t:
                    print(t.version(), t.cipher()[0], t.cipher()[2])
                    t.sendall(b"ping")
                    print(t.recv(100).decode())
                    t.unwrap()
                    print("unwrapped")
            """;
        using Process python = OpenSslProcess.Start("python3", ["-c", script]);
        Task<string> output = python.StandardOutput.ReadToEndAsync();
        Task<string> errors = python.StandardError.ReadToEndAsync();
        try
        {
            using var cts = new CancellationTokenSource(TimeoutMs);
            using TcpClient accepted = await listener.AcceptTcpClientAsync(cts.Token);
            await using var tls = new TlsStream(accepted.GetStream(), ctx);
            await tls.AuthenticateAsServerAsync(cts.Token);
            byte[] buffer = new byte[4];
            int got = 0;
            while (got < 4)
            {
                int n = await tls.ReadAsync(buffer.AsMemory(got), cts.Token);
                Assert.NotEqual(0, n);
                got += n;
            }

            Assert.Equal("ping", Encoding.ASCII.GetString(buffer));
            await tls.WriteAsync(Encoding.ASCII.GetBytes("pong"), cts.Token);
            Assert.Equal(0, await tls.ReadAsync(buffer, cts.Token));
            await tls.ShutdownAsync(cts.Token);
            Assert.True(python.WaitForExit(TimeoutMs), "python3 did not exit");
            Assert.True(python.ExitCode == 0, await errors);
            string[] lines = (await output).Trim().Split('\n');
            Assert.Equal("TLSv1.3 TLS_AES_256_GCM_SHA384 256", lines[0]);
            Assert.Equal("pong", lines[1]);
            Assert.Equal("unwrapped", lines[2]);
            Assert.Equal(("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256), tls.Ssl!.Cipher());
        }
        finally
        {
            OpenSslProcess.Kill(python, TimeoutMs);
        }
    }

    [Fact]
    public void CaIssuedLeafWithoutTrustIsCode20()
    {
        string caKey = Path.Combine(_dir, "ca.key");
        string caCert = Path.Combine(_dir, "ca.pem");
        string leafKey = Path.Combine(_dir, "leaf.key");
        string leafCsr = Path.Combine(_dir, "leaf.csr");
        string leafCert = Path.Combine(_dir, "leaf.pem");
        string ext = Path.Combine(_dir, "ext.cnf");
        File.WriteAllText(ext, "subjectAltName=DNS:localhost\n");
        OpenSslProcess.Run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=Test CA", "-keyout", caKey, "-out", caCert]);
        OpenSslProcess.Run(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost", "-keyout", leafKey, "-out", leafCsr]);
        OpenSslProcess.Run(["x509", "-req", "-in", leafCsr, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", leafCert]);

        var server = new SslContext(SslProtocol.TlsServer);
        server.LoadCertChain(leafCert, leafKey);
        var client = new SslContext(SslProtocol.TlsClient);
        MemoryBio ci = new(), co = new(), si = new(), so = new();
        SslObject c = client.WrapBio(ci, co, serverHostname: "localhost");
        SslObject s = server.WrapBio(si, so, serverSide: true);
        Assert.Throws<SslWantReadException>(() => c.DoHandshake());
        si.Write(co.Read());
        Assert.Throws<SslWantReadException>(() => s.DoHandshake());
        ci.Write(so.Read());
        var e = Assert.Throws<SslCertVerificationException>(() => c.DoHandshake());
        Assert.Equal(20, (int)e.VerifyCode);
        Assert.Equal("unable to get local issuer certificate", e.VerifyMessage);
        Assert.Contains("certificate verify failed: unable to get local issuer certificate", e.Message);

        // With the CA trusted the same chain verifies.
        client.LoadVerifyLocations(cafile: caCert);
        MemoryBio ci2 = new(), co2 = new(), si2 = new(), so2 = new();
        c = client.WrapBio(ci2, co2, serverHostname: "localhost");
        s = server.WrapBio(si2, so2, serverSide: true);
        Assert.Throws<SslWantReadException>(() => c.DoHandshake());
        si2.Write(co2.Read());
        Assert.Throws<SslWantReadException>(() => s.DoHandshake());
        ci2.Write(so2.Read());
        c.DoHandshake();
        Assert.Equal("TLSv1.3", c.Version());
    }

    private static string PyString(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    private static Socket Connect(int port) => OpenSslProcess.ConnectWithRetry(port, TimeoutMs);

}
