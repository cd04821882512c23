using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>Our <see cref="SslSocket"/> client against our <see cref="SslSocket"/> server over a loopback TCP pair.</summary>
public sealed class WrapSocketTests : IDisposable
{
    private const int TimeoutMs = 10000;
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SslContext ServerContext() => WrapKeys.ServerContext(_dir);

    private SslContext ClientContext() => WrapKeys.ClientContext(_dir);

    private static (Socket Client, Socket Server) SocketPair() => WrapKeys.LoopbackSockets(TimeoutMs);

    private static T Bounded<T>(Task<T> task) =>
        task.Wait(TimeoutMs) ? task.Result : throw new TimeoutException("peer thread did not finish");

    [Fact]
    public void EchoOverLoopback()
    {
        var (c, s) = SocketPair();
        SslContext serverCtx = ServerContext();
        Task<string> server = Task.Factory.StartNew(
            () =>
            {
                using SslSocket ssl = serverCtx.WrapSocket(s, serverSide: true);
                byte[] request = ssl.Recv(1024);
                ssl.SendAll(request.Concat(Encoding.ASCII.GetBytes(" back")).ToArray());
                ssl.Unwrap().Dispose();
                return Encoding.ASCII.GetString(request);
            },
            TaskCreationOptions.LongRunning);

        using SslSocket client = ClientContext().WrapSocket(c, serverHostname: "localhost");
        Assert.Equal("TLSv1.3", client.Version());
        Assert.Equal(("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256), client.Cipher());
        Assert.NotNull(client.GetPeerCert());
        Assert.Equal(5, client.Send(Encoding.ASCII.GetBytes("hello")));
        var got = new List<byte>();
        while (true)
        {
            byte[] part = client.Read();
            if (part.Length == 0)
            {
                break;
            }

            got.AddRange(part);
        }

        Assert.Equal("hello back", Encoding.ASCII.GetString(got.ToArray()));
        // The server waits in unwrap() for our close_notify.
        Socket plain = client.Unwrap();
        Assert.Equal("hello", Bounded(server));
        Assert.True(plain.Connected);
        plain.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RaggedEofFollowsSuppressRaggedEofs(bool suppress)
    {
        var (c, s) = SocketPair();
        SslContext serverCtx = ServerContext();
        Task<bool> server = Task.Factory.StartNew(
            () =>
            {
                SslSocket ssl = serverCtx.WrapSocket(s, serverSide: true);
                ssl.Write([1, 2, 3]);
                s.Shutdown(SocketShutdown.Send); // FIN without close_notify
                return true;
            },
            TaskCreationOptions.LongRunning);

        using SslSocket client = ClientContext().WrapSocket(c, suppressRaggedEofs: suppress, serverHostname: "localhost");
        Assert.True(Bounded(server));
        Assert.Equal(new byte[] { 1, 2, 3 }, client.Read());
        if (suppress)
        {
            Assert.Empty(client.Read());
        }
        else
        {
            Assert.Throws<SslEofException>(() => client.Read());
        }

        s.Dispose();
    }

    [Fact]
    public void HandshakeLaterWhenNotOnConnect()
    {
        var (c, s) = SocketPair();
        SslContext serverCtx = ServerContext();
        Task<string?> server = Task.Factory.StartNew(
            () =>
            {
                using SslSocket ssl = serverCtx.WrapSocket(s, serverSide: true, doHandshakeOnConnect: false);
                Assert.Null(ssl.Version());
                ssl.DoHandshake();
                return ssl.Version();
            },
            TaskCreationOptions.LongRunning);

        using SslSocket client = ClientContext().WrapSocket(c, doHandshakeOnConnect: false, serverHostname: "localhost");
        Assert.Null(client.Cipher());
        client.DoHandshake();
        Assert.Equal("TLSv1.3", Bounded(server));
    }

    [Fact]
    public void VerificationFailureSurfacesOnBothSides()
    {
        var (c, s) = SocketPair();
        SslContext serverCtx = ServerContext();
        Task<Exception?> server = Task.Factory.StartNew(
            Exception? () => Xunit.Record.Exception(() => serverCtx.WrapSocket(s, serverSide: true).Dispose()),
            TaskCreationOptions.LongRunning);

        var untrusting = new SslContext(SslProtocol.TlsClient);
        var e = Assert.Throws<SslCertVerificationException>(() => untrusting.WrapSocket(c, serverHostname: "localhost"));
        Assert.Equal(18, (int)e.VerifyCode);
        var serverError = Assert.IsAssignableFrom<SslException>(Bounded(server));
        Assert.Equal("TLSV1_ALERT_UNKNOWN_CA", serverError.Reason);
    }

    [Fact]
    public void WrapSocketChecksHostname()
    {
        var (c, s) = SocketPair();
        using (c)
        using (s)
        {
            var e = Assert.Throws<ArgumentException>(() => ClientContext().WrapSocket(c));
            Assert.StartsWith("check_hostname requires server_hostname", e.Message);
        }
    }
}
