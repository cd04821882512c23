using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ManagedTls.Http.Tests;

/// <summary>A tiny HTTP CONNECT proxy on a loopback port: it records each CONNECT target and pipes bytes both ways.</summary>
internal sealed class ConnectProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _requests = new();

    public ConnectProxy(int status = 200)
    {
        _listener.Start();
        _ = AcceptLoopAsync(status);
    }

    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>The request heads received, each up to the blank line.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(int status)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = ServeAsync(client, status);
        }
    }

    private async Task ServeAsync(TcpClient client, int status)
    {
        using (client)
        {
            NetworkStream stream = client.GetStream();
            var head = new StringBuilder();
            byte[] one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one, _stop.Token) == 0)
                {
                    return;
                }

                head.Append((char)one[0]);
            }

            lock (_requests)
            {
                _requests.Add(head.ToString());
            }

            string[] target = head.ToString().Split(' ')[1].Split(':');
            if (status != 200)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Refused\r\nContent-Length: 0\r\n\r\n"));
                return;
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(target[0], int.Parse(target[1], System.Globalization.CultureInfo.InvariantCulture), _stop.Token);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 Connection established\r\n\r\n"));
            NetworkStream up = upstream.GetStream();
            Task a = up.CopyToAsync(stream, _stop.Token);
            Task b = stream.CopyToAsync(up, _stop.Token);
            await Task.WhenAny(a, b);
        }
    }
}
