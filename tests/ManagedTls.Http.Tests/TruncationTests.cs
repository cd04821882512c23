using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace ManagedTls.Http.Tests;

/// <summary>
/// A transport that ends without close_notify reads as the end of the stream (as with SslStream); the HTTP framing is
/// what tells a cut message. The server is SslStream, closing its socket without ShutdownAsync.
/// </summary>
public sealed class TruncationTests
{
    private static async Task<(Uri Uri, Task Served)> ServeOnceAsync(string response)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var uri = new Uri($"https://localhost:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        Task served = Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            using Socket socket = await listener.AcceptSocketAsync(timeout.Token);
            listener.Stop();
            var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = KestrelTestServer.LocalhostCertificate.Value,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, timeout.Token);
            byte[] buffer = new byte[4096];
            var head = new StringBuilder();
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                int n = await ssl.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    return;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            await ssl.WriteAsync(Encoding.ASCII.GetBytes(response), timeout.Token);
            await ssl.FlushAsync(timeout.Token);
            socket.Shutdown(SocketShutdown.Both); // no close_notify
        });
        await Task.Yield();
        return (uri, served);
    }

    [Fact]
    public async Task A_close_delimited_body_ends_at_the_end_of_the_transport()
    {
        (Uri uri, Task served) = await ServeOnceAsync("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, without close_notify");
        using var client = new HttpClient(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext())) { Timeout = TimeSpan.FromSeconds(20) };

        Assert.Equal("hello, without close_notify", await client.GetStringAsync(uri));
        await served;
    }

    [Fact]
    public async Task A_body_cut_short_of_its_content_length_is_still_an_error()
    {
        (Uri uri, Task served) = await ServeOnceAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
        using var client = new HttpClient(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext())) { Timeout = TimeSpan.FromSeconds(20) };

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(uri));
        await served;
    }
}
