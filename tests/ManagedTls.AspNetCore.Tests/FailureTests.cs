using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>A handshake that fails or never finishes closes that connection, is logged, and the server goes on serving.</summary>
public sealed class FailureTests
{
    [Fact]
    public async Task Plain_http_to_the_tls_port_is_refused_then_a_tls_request_works()
    {
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(TestPki.Shared.ServerContext()));
        using (var tcp = new TcpClient())
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await tcp.ConnectAsync(IPAddress.Loopback, server.Port, cts.Token);
            NetworkStream stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), cts.Token);
            byte[] answer = await ReadToEndAsync(stream, cts.Token);
            // At most an alert record (content type 21), never an HTTP answer.
            Assert.True(answer.Length == 0 || answer[0] == 21, Convert.ToHexString(answer));
        }

        (_, _, Exception? ex) = await server.Logs.WaitForAsync(1, TimeSpan.FromSeconds(10));
        Assert.IsAssignableFrom<IOException>(ex);

        ExternalProcess.Result r = await ExternalProcess.CurlAsync(server.Port, "/");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("hello over HTTP/2", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_server_fails_then_one_that_does_succeeds()
    {
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(TestPki.Shared.ServerContext()));
        // The system's trust store does not know the test CA: curl refuses the certificate (exit 60) and aborts.
        ExternalProcess.Result refused = await ExternalProcess.RunAsync("curl",
            ["--silent", "--show-error", "--max-time", "15", "--resolve", $"localhost:{server.Port}:127.0.0.1", $"https://localhost:{server.Port}/"]);
        Assert.Equal(60, refused.ExitCode);
        await server.Logs.WaitForAsync(1, TimeSpan.FromSeconds(10));

        ExternalProcess.Result ok = await ExternalProcess.CurlAsync(server.Port, "/", null, "--http1.1");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.StartsWith("hello over HTTP/1.1", ok.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_client_is_dropped_after_the_handshake_timeout()
    {
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(o =>
        {
            o.Context = TestPki.Shared.ServerContext();
            o.HandshakeTimeout = TimeSpan.FromSeconds(1);
        }));
        using (var tcp = new TcpClient())
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await tcp.ConnectAsync(IPAddress.Loopback, server.Port, cts.Token);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            byte[] answer = await ReadToEndAsync(tcp.GetStream(), cts.Token);
            Assert.Empty(answer);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(12));
        }

        (_, string message, _) = await server.Logs.WaitForAsync(2, TimeSpan.FromSeconds(10));
        Assert.Contains("did not complete within", message, StringComparison.Ordinal);

        ExternalProcess.Result ok = await ExternalProcess.CurlAsync(server.Port, "/");
        Assert.True(ok.ExitCode == 0, ok.ToString());
    }

    private static async Task<byte[]> ReadToEndAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                all.Write(buffer, 0, n);
            }
        }
        catch (IOException)
        {
            // A reset after the alert ends the connection as well.
        }

        return all.ToArray();
    }
}
