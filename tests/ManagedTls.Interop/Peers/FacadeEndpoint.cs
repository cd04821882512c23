using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Interop.Peers;

/// <summary>What our side of one connection saw: the facade's answers, what it received, or the error that ended it.</summary>
internal sealed record FacadeReport(string? Version, string? Cipher, byte[]? TlsUnique, string? Alpn, byte[]? PeerCertificate, string Received, SslException? Error)
{
    public bool Succeeded => Error is null && Version is not null;

    public override string ToString() => $"ours: {Version} {Cipher} alpn {Alpn}, received \"{Received}\", error {Error?.Message}";
}

/// <summary>
/// Our facade (<see cref="SslContext"/> and <see cref="SslSocket"/>) as one end of a loopback connection to a peer,
/// every wait bounded: a server accepting one connection, or a client connecting with retries.
/// </summary>
internal static class FacadeEndpoint
{
    public const int TimeoutMs = PeerProcess.TimeoutMs;

    /// <summary>A listener on a port the OS chose.</summary>
    public static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    public static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>
    /// Accepts one connection on <paramref name="listener"/> and runs the handshake as a server; then reads until a
    /// line (or the peer's end), answers <c>pong: LINE</c>, and closes with close_notify.
    /// </summary>
    public static Task<FacadeReport> ServeOne(TcpListener listener, SslContext ctx) => Task.Run(async () =>
    {
        using var cts = new CancellationTokenSource(TimeoutMs);
        using Socket socket = await listener.AcceptSocketAsync(cts.Token);
        socket.ReceiveTimeout = TimeoutMs;
        socket.SendTimeout = TimeoutMs;
        return Exchange(() => ctx.WrapSocket(socket, serverSide: true), ssl =>
        {
            string line = ReadUntil(ssl, "\n");
            if (line.Length > 0)
            {
                ssl.SendAll(Encoding.UTF8.GetBytes("pong: " + line));
            }

            return line;
        });
    });

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>, runs the handshake as a client, sends <c>ping\n</c> and reads until it comes back.</summary>
    public static FacadeReport Connect(int port, SslContext ctx, string send = "ping\n", string until = "ping\n")
    {
        using Socket socket = OpenSslProcess.ConnectWithRetry(port, TimeoutMs);
        return Exchange(() => ctx.WrapSocket(socket, serverHostname: "localhost"), ssl =>
        {
            ssl.SendAll(Encoding.UTF8.GetBytes(send));
            return ReadUntil(ssl, until);
        });
    }

    private static FacadeReport Exchange(Func<SslSocket> wrap, Func<SslSocket, string> talk)
    {
        SslSocket? ssl = null;
        try
        {
            ssl = wrap();
            string? version = ssl.Version();
            string? cipher = ssl.Cipher()?.Name;
            byte[]? unique = ssl.GetChannelBinding();
            string? alpn = ssl.SelectedAlpnProtocol();
            byte[]? peer = ssl.GetPeerCert(binaryForm: true) as byte[];
            string received = talk(ssl);
            try
            {
                ssl.Unwrap().Dispose();
            }
            catch (Exception e) when (e is SslException or IOException or SocketException or ObjectDisposedException)
            {
                // The peer may close the connection without waiting for our close_notify.
            }

            return new FacadeReport(version, cipher, unique, alpn, peer, received, null);
        }
        catch (SslException e)
        {
            return new FacadeReport(null, null, null, null, null, "", e);
        }
        finally
        {
            ssl?.Dispose();
        }
    }

    private static string ReadUntil(SslSocket ssl, string expected)
    {
        var text = new StringBuilder();
        try
        {
            while (!text.ToString().Contains(expected, StringComparison.Ordinal))
            {
                byte[] part = ssl.Read(16 * 1024);
                if (part.Length == 0)
                {
                    break;
                }

                text.Append(Encoding.UTF8.GetString(part));
            }
        }
        catch (SslException)
        {
            // The peer's end without close_notify.
        }

        return text.ToString();
    }
}
