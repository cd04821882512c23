using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslSocket.AcceptAsync"/>: the wait and the handshake without a thread held, cancellation of either, the
/// listener's timeout, and a failed handshake thrown with the new socket closed.
/// </summary>
public sealed class SocketAcceptAsyncTests : IDisposable
{
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AcceptAsyncReturnsTheHandshakenConnection()
    {
        using SslSocket listener = Listener(out EndPoint address);
        var accept = listener.AcceptAsync();
        await Task.Delay(50);
        Assert.False(accept.IsCompleted);

        using SslSocket client = WrapKeys.ClientContext(_dir).WrapSocket(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), serverHostname: "localhost");
        client.SetTimeout(FacadePeers.Bound.TotalSeconds);
        Task connect = FacadePeers.Run(() => client.Connect(address));
        var (connection, peer) = await accept.WaitAsync(FacadePeers.Bound);
        using (connection)
        {
            await connect.WaitAsync(FacadePeers.Bound);
            Assert.Equal("TLSv1.3", connection.Version());
            Assert.True(connection.ServerSide && connection.DoHandshakeOnConnect);
            Assert.Null(connection.GetTimeout());
            Assert.Equal(client.Socket!.LocalEndPoint, peer);
            client.Write([1, 2, 3]);
            Assert.Equal(new byte[] { 1, 2, 3 }, FacadePeers.ReadExactly(connection, 3));
        }
    }

    [Fact]
    public async Task CancellationEndsTheWaitAndTheTimeoutIsTimedOut()
    {
        using SslSocket listener = Listener(out EndPoint address);
        using var cancel = new CancellationTokenSource();
        var accept = listener.AcceptAsync(cancel.Token);
        await Task.Delay(50);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accept.WaitAsync(TimeSpan.FromSeconds(5)));

        // The listener is still usable, and its timeout bounds the wait.
        listener.SetTimeout(0.3);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => listener.AcceptAsync().WaitAsync(FacadePeers.Bound));
        Assert.Equal("timed out", timedOut.Message);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.25, 5);
    }

    [Fact]
    public async Task AHandshakeThatStallsIsCancelledAndOneThatFailsIsThrown()
    {
        using SslSocket listener = Listener(out EndPoint address);

        // A client that connects and says nothing: the accept completes its wait, the handshake waits; cancel it.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource();
        var accept = listener.AcceptAsync(cancel.Token);
        silent.Connect(address);
        await Task.Delay(200);
        Assert.False(accept.IsCompleted);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accept.WaitAsync(TimeSpan.FromSeconds(5)));

        // The new socket was closed: the silent client reads the end of the stream.
        silent.ReceiveTimeout = 5000;
        Assert.Equal(0, silent.Receive(new byte[16]));

        // A client that sends no TLS: the handshake fails and the failure is thrown.
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        raw.Connect(address);
        raw.Send("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
        await Assert.ThrowsAnyAsync<SslException>(() => listener.AcceptAsync().WaitAsync(FacadePeers.Bound));
    }

    private SslSocket Listener(out EndPoint address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(5);
        address = socket.LocalEndPoint!;
        return WrapKeys.ServerContext(_dir).WrapSocket(socket, serverSide: true);
    }
}
