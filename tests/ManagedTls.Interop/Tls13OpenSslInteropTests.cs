using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Interop;

/// <summary>Our TLS 1.3 engine against openssl s_server and s_client on loopback, every step time-bounded.</summary>
public sealed class Tls13OpenSslInteropTests : IDisposable
{
    private const int TimeoutMs = 15000;
    private readonly string _dir = Directory.CreateTempSubdirectory("mtls-interop-").FullName;
    private readonly string _cert;
    private readonly string _key;

    public Tls13OpenSslInteropTests()
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

    [Theory]
    [InlineData("X25519", "X25519")]
    [InlineData("P-256", "secp256r1")]
    [InlineData("X448", "x448")]
    [InlineData("ffdhe2048", "ffdhe2048")]
    public void OurClientAgainstOpenSslServer(string openSslGroup, string ourGroup)
    {
        KeyExchangeGroup group = KeyExchangeGroups.FindByName(ourGroup)!;
        RunAgainstServer(["-groups", openSslGroup], ClientSettings() with { Groups = [group] }, client =>
        {
            Assert.Equal(group.Group, client.NamedGroup);
            Assert.False(client.HelloRetried);
        });
    }

    [Fact]
    public void OurClientAgainstOpenSslServerWithHelloRetryRequest()
    {
        TlsConfig settings = ClientSettings() with
        {
            Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp384r1],
            KeyShareGroups = [NamedGroup.X25519],
        };
        RunAgainstServer(["-groups", "P-384"], settings, client =>
        {
            Assert.True(client.HelloRetried);
            Assert.Equal(NamedGroup.Secp384r1, client.NamedGroup);
        });
    }

    [Fact]
    public void OurClientAuthenticatesToOpenSslServer()
    {
        TlsConfig settings = ClientSettings() with
        {
            CertificateChain = [PemToDer(File.ReadAllText(_cert))],
            PrivateKey = PrivateKey.LoadFile(_key),
        };
        RunAgainstServer(["-Verify", "1", "-CAfile", _cert, "-verify_return_error"], settings, client =>
            Assert.Equal(SignatureScheme.EcdsaSecp256r1Sha256, client.ClientSignatureScheme));
    }

    [Theory]
    [InlineData("TLS_AES_256_GCM_SHA384")]
    [InlineData("TLS_CHACHA20_POLY1305_SHA256")]
    public void OpenSslClientAgainstOurServer(string suite)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using Process client = OpenSslProcess.Start("openssl", [
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-ciphersuites", suite, "-servername", "localhost",
            "-CAfile", _cert, "-verify_return_error", "-verify_hostname", "localhost", "-alpn", "h2",
        ]);
        try
        {
            var clock = Stopwatch.StartNew();
            while (!listener.Pending())
            {
                Assert.True(clock.ElapsedMilliseconds < TimeoutMs, "s_client did not connect");
                Thread.Sleep(20);
            }

            using Socket socket = listener.AcceptSocket();
            socket.ReceiveTimeout = TimeoutMs;
            using TlsConnection server = TlsConnection.CreateServer(ServerSettings() with { AlpnProtocols = [Encoding.ASCII.GetBytes("h2")] });
            Pump(socket, server, () => server.IsHandshakeComplete);
            client.StandardInput.Write("hello from openssl\n");
            client.StandardInput.Flush();
            Pump(socket, server, () => server.PendingApplicationData >= 19 || server.PeerClosed);
            byte[] received = new byte[server.PendingApplicationData];
            server.ReadApplicationData(received);
            Assert.Equal("hello from openssl\n", Encoding.ASCII.GetString(received));
            Assert.Equal(suite, server.CipherSuite!.IanaName);
            Assert.Equal("localhost", server.ServerName);
            Assert.Equal("h2", Encoding.ASCII.GetString(server.AlpnProtocol!));
            server.WriteApplicationData("hello from ManagedTls\n"u8);
            server.Close();
            Flush(socket, server);
            client.StandardInput.Close();
            Assert.True(client.WaitForExit(TimeoutMs), "s_client did not exit");
            string output = client.StandardOutput.ReadToEnd();
            Assert.Contains("Verify return code: 0 (ok)", output);
            Assert.Contains("hello from ManagedTls", output);
            Assert.Contains("TLSv1.3", output);
        }
        finally
        {
            OpenSslProcess.Kill(client, TimeoutMs);
        }
    }

    [Fact]
    public void OpenSslClientAuthenticatesToOurServer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using Process client = OpenSslProcess.Start("openssl", [
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-servername", "localhost", "-CAfile", _cert,
            "-verify_return_error", "-cert", _cert, "-key", _key,
        ]);
        try
        {
            var clock = Stopwatch.StartNew();
            while (!listener.Pending())
            {
                Assert.True(clock.ElapsedMilliseconds < TimeoutMs, "s_client did not connect");
                Thread.Sleep(20);
            }

            using Socket socket = listener.AcceptSocket();
            socket.ReceiveTimeout = TimeoutMs;
            TlsConfig settings = ServerSettings() with
            {
                RequestClientCertificate = true,
                RequireClientCertificate = true,
                Trust = new TrustStore([PemToDer(File.ReadAllText(_cert))]),
            };
            using TlsConnection server = TlsConnection.CreateServer(settings);
            Pump(socket, server, () => server.IsHandshakeComplete);
            Assert.True(server.VerifyResult!.IsValid);
            Assert.Equal(PemToDer(File.ReadAllText(_cert)), server.PeerCertificateChain[0]);
            Assert.NotNull(server.ClientSignatureScheme);
            server.Close();
            Flush(socket, server);
            client.StandardInput.Close();
            Assert.True(client.WaitForExit(TimeoutMs), "s_client did not exit");
        }
        finally
        {
            OpenSslProcess.Kill(client, TimeoutMs);
        }
    }

    private void RunAgainstServer(string[] serverArgs, TlsConfig settings, Action<TlsConnection> check)
    {
        int port = OpenSslProcess.FreePort();
        using Process server = OpenSslProcess.Start("openssl", [
            "s_server", "-accept", $"127.0.0.1:{port}", "-tls1_3", "-cert", _cert, "-key", _key, "-www", "-naccept", "1", .. serverArgs,
        ]);
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = TimeoutMs };
            Connect(socket, port);
            using TlsConnection client = TlsConnection.CreateClient(settings);
            Pump(socket, client, () => client.IsHandshakeComplete);
            Assert.True(client.VerifyResult!.IsValid);
            check(client);
            client.WriteApplicationData("GET / HTTP/1.0\r\n\r\n"u8);
            Pump(socket, client, () => client.PeerClosed);
            byte[] page = new byte[client.PendingApplicationData];
            client.ReadApplicationData(page);
            string text = Encoding.ASCII.GetString(page);
            Assert.Contains("TLSv1.3", text);
            Assert.Contains(settings.CipherSuites[0].IanaName, text);
        }
        finally
        {
            OpenSslProcess.Kill(server, TimeoutMs);
        }
    }

    private TlsConfig ClientSettings() => new()
    {
        Role = TlsRole.Client,
        Trust = new TrustStore([PemToDer(File.ReadAllText(_cert))]),
        ServerName = "localhost",
        CheckHostname = true,
    };

    private TlsConfig ServerSettings() => new()
    {
        Role = TlsRole.Server,
        CertificateChain = [PemToDer(File.ReadAllText(_cert))],
        PrivateKey = PrivateKey.LoadFile(_key),
    };

    private static byte[] PemToDer(string pem)
    {
        string body = pem.Split("-----BEGIN CERTIFICATE-----")[1].Split("-----END CERTIFICATE-----")[0];
        return Convert.FromBase64String(body.Replace("\n", "").Replace("\r", ""));
    }

    // Sends what the connection has and feeds it what arrives until the condition holds; the socket's
    // receive timeout bounds every wait.
    private static void Pump(Socket socket, TlsConnection connection, Func<bool> done)
    {
        byte[] buffer = new byte[32 * 1024];
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Flush(socket, connection);
            if (done())
            {
                return;
            }

            Assert.True(deadline.ElapsedMilliseconds < TimeoutMs, "interop exchange timed out");
            int n = socket.Receive(buffer);
            if (n == 0)
            {
                Assert.True(done(), "the peer closed the socket early");
                return;
            }

            connection.ReceiveBytes(buffer.AsSpan(0, n));
        }
    }

    private static void Flush(Socket socket, TlsConnection connection)
    {
        while (connection.HasOutgoing)
        {
            byte[] bytes = new byte[connection.OutgoingLength];
            connection.TakeOutgoing(bytes);
            socket.Send(bytes);
        }
    }

    private static void Connect(Socket socket, int port)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                socket.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (clock.ElapsedMilliseconds < TimeoutMs)
            {
                Thread.Sleep(50);
            }
        }
    }

}
