using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ManagedTls.Http.Tests;

/// <summary>A proxy that answers CONNECT with a header that never ends meets the tunnel's 16 KiB header bound.</summary>
public sealed class HostileProxyTests
{
    [Fact]
    public async Task A_proxy_header_that_never_ends_is_refused_at_16_KiB()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task serving = Task.Run(async () =>
        {
            using TcpClient peer = await listener.AcceptTcpClientAsync();
            NetworkStream stream = peer.GetStream();
            byte[] request = new byte[4096];
            _ = await stream.ReadAsync(request);
            byte[] line = Encoding.ASCII.GetBytes("X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 Connection established\r\n"));
            try
            {
                for (int i = 0; i < 100_000; i++)
                {
                    await stream.WriteAsync(line); // no blank line, ever
                }
            }
            catch (IOException)
            {
                // the client gave up, as it should
            }
        });

        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h =>
        {
            h.UseProxy = true;
            h.Proxy = new WebProxy(new Uri($"http://127.0.0.1:{port}/"));
        });
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        HttpRequestException e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://localhost:1/"));
        // SocketsHttpHandler wraps what its connect callback throws; the tunnel's own error is inside.
        HttpRequestException? refused = null;
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } h)
            {
                refused = h;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("longer than 16384 bytes", refused.Message, StringComparison.Ordinal);
        await serving.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
