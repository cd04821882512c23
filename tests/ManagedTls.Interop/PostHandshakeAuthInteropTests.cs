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

    [Fact]
    public void OurClientAnswersOpenSslServersPostHandshakeRequest()
    {
        int port = OpenSslProcess.FreePort();
        Process server = OpenSslProcess.Start("openssl", [
            "s_server", "-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-cert", certs.File("server.pem"),
            "-key", certs.File("server-key.pem"), "-CAfile", certs.File("client.pem"), "-naccept", "1",
        ]);
        var stdout = new StringBuilder();
        bool Seen(string text)
        {
            lock (stdout)
            {
                return stdout.ToString().Contains(text, StringComparison.Ordinal);
            }
        }

        void Type(string line)
        {
            server.StandardInput.BaseStream.Write(Encoding.ASCII.GetBytes(line));
            server.StandardInput.BaseStream.Flush();
        }

        void WaitFor(string text)
        {
            var clock = Stopwatch.StartNew();
            while (!Seen(text))
            {
                Assert.True(clock.ElapsedMilliseconds < TimeoutMs, $"s_server did not print '{text}': {stdout}");
                Thread.Sleep(20);
            }
        }

        try
        {
            server.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (stdout)
                    {
                        stdout.Append(e.Data).Append('\n');
                    }
                }
            };
            server.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (stdout)
                    {
                        stdout.Append("stderr: ").Append(e.Data).Append('\n');
                    }
                }
            };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            WaitFor("ACCEPT");

            var ctx = new SslContext(SslProtocol.TlsClient) { PostHandshakeAuth = true };
            ctx.LoadVerifyLocations(cafile: certs.File("server.pem"));
            ctx.LoadCertChain(certs.File("client.pem"), certs.File("client-key.pem"));
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
            {
                ReceiveTimeout = TimeoutMs,
                SendTimeout = TimeoutMs,
            };
            socket.Connect(System.Net.IPAddress.Loopback, port);
            using SslSocket client = ctx.WrapSocket(socket, serverHostname: "localhost");
            client.Write(Encoding.ASCII.GetBytes("ready\n"));
            WaitFor("ready");
            Assert.False(Seen("CN = Interop Client"));

            // s_server's "c" command sends a post-handshake CertificateRequest; it prints what it did only when it
            // exits, so the request reaching our socket is what we wait for.
            Type("c\n");
            var waited = Stopwatch.StartNew();
            while (socket.Available == 0)
            {
                Assert.True(waited.ElapsedMilliseconds < TimeoutMs, "no CertificateRequest arrived");
                Thread.Sleep(20);
            }

            // Reading takes in the request and sends the answer; s_server sends no data after it, so the read
            // ends with the socket's timeout, made short here.
            client.SetTimeout(1.5);
            Assert.Equal("The read operation timed out", Assert.Throws<TimeoutException>(() => client.Read()).Message);
            client.SetTimeout(TimeoutMs / 1000.0);
            client.Write(Encoding.ASCII.GetBytes("after the request\n"));
            WaitFor("after the request");
            client.Close();
            Assert.True(server.WaitForExit(TimeoutMs), "s_server did not exit");
            server.WaitForExit();
            Assert.True(Seen("SSL_do_handshake -> 1"), stdout.ToString());
            Assert.True(Seen("stderr: depth=0 O = ManagedTls Interop, CN = Interop Client\nstderr: verify return:1\n"), stdout.ToString());
            Assert.False(Seen("verify error"), stdout.ToString());
        }
        finally
        {
            OpenSslProcess.Kill(server, TimeoutMs);
            server.Dispose();
        }
    }
}
