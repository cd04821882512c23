using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary><see cref="TlsStream"/> client and server over loopback TCP, asynchronous and synchronous, with cancellation.</summary>
public sealed class WrapStreamTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SslContext ServerContext() => WrapKeys.ServerContext(_dir);

    private SslContext ClientContext() => WrapKeys.ClientContext(_dir);

    private static async Task<(NetworkStream Client, NetworkStream Server)> StreamPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        Task<TcpClient> accept = listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port).WaitAsync(Timeout);
        TcpClient server = await accept.WaitAsync(Timeout);
        return (client.GetStream(), server.GetStream());
    }

    private async Task<(TlsStream Client, TlsStream Server)> ConnectedAsync()
    {
        var (c, s) = await StreamPairAsync();
        var client = new TlsStream(c, ClientContext());
        var server = new TlsStream(s, ServerContext());
        await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);
        return (client, server);
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        byte[] buffer = new byte[count];
        int done = 0;
        while (done < count)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(done)).AsTask().WaitAsync(Timeout);
            Assert.NotEqual(0, n);
            done += n;
        }

        return buffer;
    }

    [Fact]
    public async Task SniCallbackReceivesTheServerStream()
    {
        var (c, s) = await StreamPairAsync();
        SslContext serverContext = ServerContext();
        object? owner = null;
        string? name = null;
        serverContext.SniCallback = (connection, serverName, _) =>
        {
            owner = connection;
            name = serverName;
            return null;
        };
        using var client = new TlsStream(c, ClientContext());
        using var server = new TlsStream(s, serverContext);
        await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);
        Assert.Same(server, owner);
        Assert.Equal("localhost", name);
    }

    [Fact]
    public async Task AsyncDataBothWays()
    {
        var (client, server) = await ConnectedAsync();
        await using (client)
        await using (server)
        {
            Assert.True(client.IsAuthenticated && server.IsAuthenticated);
            Assert.Equal("TLSv1.3", client.Ssl!.Version());
            byte[] big = new byte[200_000];
            new Random(3).NextBytes(big);
            Task write = client.WriteAsync(big).AsTask();
            Assert.Equal(big, await ReadExactlyAsync(server, big.Length));
            await write.WaitAsync(Timeout);

            await server.WriteAsync(Encoding.ASCII.GetBytes("pong"));
            await server.FlushAsync();
            Assert.Equal("pong", Encoding.ASCII.GetString(await ReadExactlyAsync(client, 4)));
        }
    }

    [Fact]
    public async Task OneReadAndOneWriteAtTheSameTime()
    {
        var (client, server) = await ConnectedAsync();
        await using (client)
        await using (server)
        {
            byte[] buffer = new byte[4];
            Task<int> pendingRead = client.ReadAsync(buffer, 0, buffer.Length);
            await client.WriteAsync(Encoding.ASCII.GetBytes("echo")).AsTask().WaitAsync(Timeout);
            byte[] echoed = await ReadExactlyAsync(server, 4);
            await server.WriteAsync(echoed);
            int n = await pendingRead.WaitAsync(Timeout);
            Assert.Equal("echo".Substring(0, n), Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    [Fact]
    public async Task ReadIsCancelled()
    {
        var (client, server) = await ConnectedAsync();
        await using (client)
        await using (server)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            byte[] buffer = new byte[16];
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReadAsync(buffer, 0, buffer.Length, cts.Token).WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task HandshakeIsCancelled()
    {
        var (c, s) = await StreamPairAsync();
        await using var client = new TlsStream(c, ClientContext());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        // Nobody answers the ClientHello.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.AuthenticateAsClientAsync("localhost", cts.Token).WaitAsync(Timeout));
        s.Dispose();
    }

    [Fact]
    public async Task DisposeSendsCloseNotifyAndPeerReadsEnd()
    {
        var (client, server) = await ConnectedAsync();
        await using (server)
        {
            await client.WriteAsync(new byte[] { 9 });
            client.Dispose();
            Assert.Equal(new byte[] { 9 }, await ReadExactlyAsync(server, 1));
            byte[] buffer = new byte[8];
            Assert.Equal(0, await server.ReadAsync(buffer).AsTask().WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task ShutdownCompletesOnBothSides()
    {
        var (client, server) = await ConnectedAsync();
        await using (client)
        await using (server)
        {
            Task shutdown = client.ShutdownAsync();
            byte[] buffer = new byte[8];
            Assert.Equal(0, await server.ReadAsync(buffer).AsTask().WaitAsync(Timeout));
            await server.ShutdownAsync().WaitAsync(Timeout);
            await shutdown.WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task SyncReadAndWriteShareThePump()
    {
        var (c, s) = await StreamPairAsync();
        using var client = new TlsStream(c, ClientContext());
        using var server = new TlsStream(s, ServerContext());
        Task serverSide = Task.Factory.StartNew(
            () =>
            {
                server.AuthenticateAsServer();
                byte[] buffer = new byte[5];
                int n = server.Read(buffer, 0, buffer.Length);
                server.Write(buffer, 0, n);
            },
            TaskCreationOptions.LongRunning);
        client.AuthenticateAsClient("localhost");
        client.Write(Encoding.ASCII.GetBytes("hello"), 0, 5);
        byte[] reply = new byte[5];
        int got = 0;
        while (got < 5)
        {
            got += client.Read(reply, got, 5 - got);
        }

        Assert.Equal("hello", Encoding.ASCII.GetString(reply));
        await serverSide.WaitAsync(Timeout);
    }

    [Fact]
    public async Task ReadBeforeAuthenticationIsRefused()
    {
        var (c, s) = await StreamPairAsync();
        using var client = new TlsStream(c, ClientContext());
        Assert.Throws<InvalidOperationException>(() => client.Read(new byte[1], 0, 1));
        s.Dispose();
    }
}
