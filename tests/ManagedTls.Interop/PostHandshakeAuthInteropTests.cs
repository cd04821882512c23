using System.Diagnostics;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// Our facade server asks <c>openssl s_client -enable_pha</c> for its certificate after the handshake
/// (TLS 1.3 post-handshake authentication) while application data keeps flowing.
/// </summary>
public sealed class PostHandshakeAuthInteropTests(ClientAuthCertificates certs) : IClassFixture<ClientAuthCertificates>
{
    private const int TimeoutMs = CertificateAuthoritiesInteropTests.TimeoutMs;

    [Fact]
    public void OpenSslClientAnswersAPostHandshakeCertificateRequest()
    {
        var ctx = new SslContext(SslProtocol.TlsServer) { VerifyMode = VerifyMode.CertRequired, PostHandshakeAuth = true };
        ctx.LoadCertChain(certs.File("server.pem"), certs.File("server-key.pem"));
        ctx.LoadVerifyLocations(cafile: certs.File("client.pem"));
        var (listener, port) = CertificateAuthoritiesInteropTests.Listen();
        using (listener.Server)
        {
            Task<(object? Before, string Second, object? After)> server = Task.Factory.StartNew(
                () =>
                {
                    using var socket = CertificateAuthoritiesInteropTests.Accept(listener);
                    using SslSocket ssl = ctx.WrapSocket(socket, serverSide: true);
                    Assert.Equal("first", Encoding.ASCII.GetString(ssl.Read()).Trim());
                    object? before = ssl.GetPeerCert(binaryForm: true);
                    ssl.VerifyClientPostHandshake();
                    ssl.Write(Encoding.ASCII.GetBytes("reply\n"));
                    string second = Encoding.ASCII.GetString(ssl.Read()).Trim();
                    return (before, second, ssl.GetPeerCert(binaryForm: true));
                },
                TaskCreationOptions.LongRunning);

            Process client = OpenSslProcess.Start("openssl", [
                "s_client", "-connect", "127.0.0.1:" + port, "-enable_pha", "-cert", certs.File("client.pem"),
                "-key", certs.File("client-key.pem"), "-CAfile", certs.File("server.pem"), "-quiet",
            ]);
            try
            {
                var stdout = new StringBuilder();
                var gotReply = new ManualResetEventSlim();
                client.OutputDataReceived += (_, e) =>
                {
                    if (e.Data is null)
                    {
                        return;
                    }

                    lock (stdout)
                    {
                        stdout.Append(e.Data).Append('\n');
                    }

                    if (e.Data.Contains("reply", StringComparison.Ordinal))
                    {
                        gotReply.Set();
                    }
                };
                client.BeginOutputReadLine();
                Task<string> stderr = client.StandardError.ReadToEndAsync();
                client.StandardInput.Write("first\n");
                client.StandardInput.Flush();
                Assert.True(gotReply.Wait(TimeoutMs), "s_client did not print the reply");
                client.StandardInput.Write("second\n");
                client.StandardInput.Flush();
                var (before, second, after) = CertificateAuthoritiesInteropTests.Bounded(server);
                client.StandardInput.Close();
                Assert.Null(before);
                Assert.Equal("second", second);
                byte[] clientDer = Convert.FromBase64String(string.Concat(
                    File.ReadAllLines(certs.File("client.pem")).Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
                Assert.Equal(clientDer, after);
                Assert.True(client.WaitForExit(TimeoutMs), "s_client did not exit");
                Assert.NotNull(CertificateAuthoritiesInteropTests.Bounded(stderr));
            }
            finally
            {
                OpenSslProcess.Kill(client, TimeoutMs);
                client.Dispose();
            }
        }
    }
}
