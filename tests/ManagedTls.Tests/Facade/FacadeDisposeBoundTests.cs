using System.Diagnostics;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Synchronous disposal against a peer that stopped reading (its receive window and our send buffer full): close_notify
/// cannot be written, and <see cref="TlsStream.Dispose(bool)"/>, <see cref="SslSocket.Dispose"/> and
/// <see cref="SslSocket.Close"/> give up after their bound instead of blocking for ever; a write blocked in another
/// thread then fails instead of hanging.
/// </summary>
public sealed class FacadeDisposeBoundTests : IDisposable
{
    private static readonly TimeSpan CloseBound = TimeSpan.FromMilliseconds(300);
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SocketDisposeIsBoundedWhenThePeerDoesNotRead(bool close)
    {
        var (client, server) = FacadePeers.Sockets(_dir, timeout: null);
        Socket peer = server.Socket!;
        try
        {
            FacadePeers.FillWindow(client.Socket!, peer);
            client.CloseNotifyTimeout = CloseBound;
            AssertReturnsInTime(close ? client.Close : client.Dispose);
            Assert.Null(client.Socket);
        }
        finally
        {
            // Unblocks the old, unbounded close_notify if it is still waiting.
            peer.Dispose();
            server.Dispose();
        }
    }

    [Fact]
    public async Task StreamDisposeIsBoundedWhenThePeerDoesNotRead()
    {
        var (client, server, clientSocket, serverSocket) = await FacadePeers.StreamsAsync(_dir);
        try
        {
            FacadePeers.FillWindow(clientSocket, serverSocket);
            client.CloseNotifyTimeout = CloseBound;
            AssertReturnsInTime(client.Dispose);
            Assert.False(client.CanWrite);
        }
        finally
        {
            serverSocket.Dispose();
            server.Dispose();
        }
    }

    [Fact]
    public void SocketDisposeBesideABlockedWriteEndsTheWrite()
    {
        var (client, server) = FacadePeers.Sockets(_dir, timeout: null);
        Socket peer = server.Socket!;
        using (server)
        using (peer)
        {
            client.Socket!.SendBufferSize = 4096;
            server.Socket!.ReceiveBufferSize = 65536;
            Task<Exception?> write = FacadePeers.Catch(() => client.Write(new byte[8 << 20]));
            FacadePeers.Until(() => client.WriteInProgress, "the write did not start");
            client.CloseNotifyTimeout = CloseBound;
            AssertReturnsInTime(client.Dispose);
            Exception? e = FacadePeers.Wait(write);
            Assert.True(e is ObjectDisposedException, e?.ToString());
        }
    }

    // Disposal on its own thread must return within 5 s (its bound is 0.3 s; the old one waited for ever).
    private static void AssertReturnsInTime(Action dispose)
    {
        Task run = FacadePeers.Run(dispose);
        Assert.True(FacadePeers.Finish(TimeSpan.FromSeconds(5), run), "Dispose did not return");
        FacadePeers.Wait(run);
    }
}
