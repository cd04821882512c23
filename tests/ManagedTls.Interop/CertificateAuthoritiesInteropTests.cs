using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>Certificates for the tests below: a server certificate and a self-signed client certificate (openssl req).</summary>
public sealed class ClientAuthCertificates : IDisposable
{
    public ClientAuthCertificates()
    {
        Dir = Directory.CreateTempSubdirectory("mtls-clientauth-").FullName;
        foreach ((string name, string subject) in new[] { ("server", "/CN=localhost"), ("client", "/O=ManagedTls Interop/CN=Interop Client") })
        {
            OpenSslProcess.Run([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", subject, "-keyout", Path.Combine(Dir, name + "-key.pem"), "-out", Path.Combine(Dir, name + ".pem"),
            ]);
        }
    }

    public string Dir { get; }

    public string File(string name) => Path.Combine(Dir, name);

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>
/// Our facade server against <c>openssl s_client</c>: the CertificateRequest names the server's trust anchors
/// (certificate_authorities), which s_client prints as "Acceptable client certificate CA names".
/// </summary>
public sealed class CertificateAuthoritiesInteropTests(ClientAuthCertificates certs) : IClassFixture<ClientAuthCertificates>
{
    internal const int TimeoutMs = 15000;

    internal static (TcpListener Listener, int Port) Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return (listener, ((IPEndPoint)listener.LocalEndpoint).Port);
    }

    internal static Socket Accept(TcpListener listener)
    {
        Task<Socket> accept = listener.AcceptSocketAsync();
        Assert.True(accept.Wait(TimeoutMs), "the client did not connect");
        Socket socket = accept.Result;
        socket.ReceiveTimeout = TimeoutMs;
        socket.SendTimeout = TimeoutMs;
        return socket;
    }

    internal static T Bounded<T>(Task<T> task) =>
        task.Wait(TimeoutMs) ? task.Result : throw new TimeoutException("the server did not finish");

    [Fact]
    public void OpenSslClientSeesTheAcceptableCaNamesAndStillAuthenticates()
    {
        var ctx = new SslContext(SslProtocol.TlsServer) { VerifyMode = VerifyMode.CertOptional };
        ctx.LoadCertChain(certs.File("server.pem"), certs.File("server-key.pem"));
        ctx.LoadVerifyLocations(cafile: certs.File("client.pem"));
        var (listener, port) = Listen();
        using (listener.Server)
        {
            Task<object?> server = Task.Factory.StartNew(
                () =>
                {
                    using Socket socket = Accept(listener);
                    using SslSocket ssl = ctx.WrapSocket(socket, serverSide: true);
                    Assert.Equal("hello", Encoding.ASCII.GetString(ssl.Read()).Trim());
                    return ssl.GetPeerCert(binaryForm: true);
                },
                TaskCreationOptions.LongRunning);

            Process client = OpenSslProcess.Start("openssl", [
                "s_client", "-connect", "127.0.0.1:" + port, "-cert", certs.File("client.pem"), "-key", certs.File("client-key.pem"),
                "-CAfile", certs.File("server.pem"),
            ]);
            try
            {
                Task<string> stdout = client.StandardOutput.ReadToEndAsync();
                Task<string> stderr = client.StandardError.ReadToEndAsync();
                client.StandardInput.Write("hello\n");
                client.StandardInput.Flush();
                object? peerCert = Bounded(server);
                client.StandardInput.Close();
                Assert.True(client.WaitForExit(TimeoutMs), "s_client did not exit");
                string output = Bounded(stdout);
                Assert.Contains("Acceptable client certificate CA names\nO = ManagedTls Interop, CN = Interop Client\n", output.Replace("\r", "", StringComparison.Ordinal));
                Assert.NotNull(peerCert);
                Assert.NotNull(Bounded(stderr));
            }
            finally
            {
                OpenSslProcess.Kill(client, TimeoutMs);
                client.Dispose();
            }
        }
    }
}
