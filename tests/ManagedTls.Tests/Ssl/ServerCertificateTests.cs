using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;
using ManagedTls.X509;
using SslModule = ManagedTls.Ssl.Ssl;

namespace ManagedTls.Tests.SslFacade;

/// <summary>
/// <c>Ssl.GetServerCertificate</c> (Python's <c>get_server_certificate</c>) against our own server on loopback, in
/// process: the PEM it returns is the server's leaf as Python's <c>DER_cert_to_PEM_cert</c> writes it and as Python's
/// own <c>get_server_certificate</c> returns it (live); with <c>caCerts</c> the chain must verify but the host name is
/// not checked; without it nothing is verified; a server that never answers times out.
/// </summary>
public sealed class ServerCertificateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("servercert").FullName;

    public ServerCertificateTests()
    {
        string P(string name) => Path.Combine(_dir, name);
        void Openssl(params string[] args) => Oracles.Run("openssl", args);
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        string[] caExt = ["-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
        Openssl(["req", "-x509", .. ec, "-keyout", P("root.key"), "-out", P("root.pem"), "-days", "3650", "-subj", "/CN=root", .. caExt]);
        Openssl(["req", "-x509", .. ec, "-keyout", P("other.key"), "-out", P("other.pem"), "-days", "3650", "-subj", "/CN=other", .. caExt]);
        File.WriteAllText(P("ee.ext"), "basicConstraints=CA:false\nsubjectAltName=DNS:a.example\n");
        Openssl(["req", "-new", .. ec, "-keyout", P("leaf.key"), "-out", P("leaf.csr"), "-subj", "/CN=leaf"]);
        Openssl("x509", "-req", "-in", P("leaf.csr"), "-CA", P("root.pem"), "-CAkey", P("root.key"), "-CAcreateserial", "-out", P("leaf.pem"),
            "-days", "365", "-sha256", "-extfile", P("ee.ext"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ReturnsTheLeafAsPemWithAndWithoutVerification()
    {
        string leafPem = File.ReadAllText(Path.Combine(_dir, "leaf.pem"));
        byte[] leafDer = SslModule.PemCertToDerCert(leafPem);
        using var server = new LoopbackServer(Path.Combine(_dir, "leaf.pem"), Path.Combine(_dir, "leaf.key"));

        string unverified = await Task.Run(() => SslModule.GetServerCertificate(("127.0.0.1", server.Port), timeout: 10)).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(SslModule.DerCertToPemCert(leafDer), unverified);
        Assert.Equal(leafDer, SslModule.PemCertToDerCert(unverified));

        // Verified against the root; the host name "localhost" is not the certificate's (a.example), and is not checked.
        string verified = await Task.Run(() => SslModule.GetServerCertificate(("localhost", server.Port), caCerts: Path.Combine(_dir, "root.pem"), timeout: 10))
            .WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(unverified, verified);

        var e = await Assert.ThrowsAsync<SslCertVerificationException>(() =>
            Task.Run(() => SslModule.GetServerCertificate(("127.0.0.1", server.Port), caCerts: Path.Combine(_dir, "other.pem"), timeout: 10)).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(VerifyError.UnableToGetIssuerCertLocally, e.VerifyCode);

        // Python's own get_server_certificate against the same server returns the same text.
        string port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string? python = Oracles.Python($"import ssl, sys\nsys.stdout.write(ssl.get_server_certificate(('127.0.0.1', {port}), timeout=10))");
        if (python is not null)
        {
            Assert.Equal(unverified, python);
        }
    }

    [Fact]
    public async Task ASilentServerTimesOut()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            Task.Run(() => SslModule.GetServerCertificate(("127.0.0.1", port), timeout: 1)).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("The handshake operation timed out", e.Message);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
        Assert.Throws<ArgumentException>(() => SslModule.GetServerCertificate(("127.0.0.1", port), timeout: -1));
    }

    /// <summary>Our server on a loopback port, serving handshakes on a background thread until disposed.</summary>
    private sealed class LoopbackServer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Thread _thread;
        private volatile bool _stopped;

        public LoopbackServer(string certFile, string keyFile)
        {
            var context = new SslContext(SslProtocol.TlsServer);
            context.LoadCertChain(certFile, keyFile);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(8);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
            _thread = new Thread(() =>
            {
                while (!_stopped)
                {
                    Socket accepted;
                    try
                    {
                        accepted = _listener.Accept();
                    }
                    catch (SocketException)
                    {
                        return;
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }

                    using (accepted)
                    {
                        accepted.ReceiveTimeout = 10_000;
                        accepted.SendTimeout = 10_000;
                        try
                        {
                            using SslSocket tls = context.WrapSocket(accepted, serverSide: true);
                        }
                        catch (Exception e) when (e is SslException or IOException or SocketException or TimeoutException)
                        {
                        }
                    }
                }
            })
            { IsBackground = true };
            _thread.Start();
        }

        public int Port { get; }

        public void Dispose()
        {
            _stopped = true;
            _listener.Dispose();
            _thread.Join(TimeSpan.FromSeconds(10));
        }
    }
}
