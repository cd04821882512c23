using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// The facade's TLS 1.2 renegotiation (a .NET extra, decision 0024): <c>Renegotiate</c> driven by <c>DoHandshake</c> on
/// memory BIOs, the peer's refusal as <c>NO_RENEGOTIATION</c> with the connection still usable, and a client certificate
/// asked for after the handshake on TLS 1.2 (by renegotiation) and TLS 1.3 (post-handshake authentication) through
/// <c>VerifyClientPostHandshake</c>, <c>SslSocket.NegotiateClientCertificate</c> and <c>TlsStream.NegotiateClientCertificateAsync</c>.
/// </summary>
public sealed class RenegotiationFacadeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _server = WrapKeys.WriteFiles();
    private readonly string _client = FacadeKeys.WriteFiles();

    public void Dispose()
    {
        Directory.Delete(_server, recursive: true);
        Directory.Delete(_client, recursive: true);
    }

    private SslContext ServerContext(TlsVersion max = TlsVersion.TlsV1_2, SslOptions extra = SslOptions.None, VerifyMode mode = VerifyMode.CertNone)
    {
        var ctx = new SslContext(SslProtocol.TlsServer) { MaximumVersion = max };
        ctx.LoadCertChain(Path.Combine(_server, "cert.pem"), Path.Combine(_server, "key.pem"));
        ctx.LoadVerifyLocations(cafile: Path.Combine(_client, "cert.pem"));
        ctx.VerifyMode = mode;
        ctx.PostHandshakeAuth = max == TlsVersion.TlsV1_3 && mode != VerifyMode.CertNone;
        ctx.Options |= extra;
        return ctx;
    }

    private SslContext ClientContext(TlsVersion max = TlsVersion.TlsV1_2, SslOptions extra = SslOptions.None)
    {
        var ctx = new SslContext(SslProtocol.TlsClient) { CheckHostname = false, VerifyMode = VerifyMode.CertNone, MaximumVersion = max, PostHandshakeAuth = true };
        ctx.LoadCertChain(Path.Combine(_client, "cert.pem"), Path.Combine(_client, "key.pem"));
        ctx.Options |= extra;
        return ctx;
    }

    private static (SslObject Client, SslObject Server, MemoryBio[] Bios) Connect(SslContext client, SslContext server)
    {
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = client.WrapBio(bios[0], bios[1], serverHostname: "localhost");
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c, s, bios));
        return (c, s, bios);
    }

    private static byte[] ReadOrEmpty(SslObject o)
    {
        try
        {
            return o.Read();
        }
        catch (SslWantReadException)
        {
            return [];
        }
    }

    // Runs `initiator.DoHandshake()` until it returns, the other side reading (which answers the renegotiation).
    private static void DriveRenegotiation(SslObject initiator, SslObject other, MemoryBio[] bios, bool initiatorIsClient)
    {
        (MemoryBio initIn, MemoryBio initOut, MemoryBio otherIn, MemoryBio otherOut) = initiatorIsClient
            ? (bios[0], bios[1], bios[2], bios[3])
            : (bios[2], bios[3], bios[0], bios[1]);
        for (int i = 0; i < 10; i++)
        {
            try
            {
                initiator.DoHandshake();

                // The initiator is done; its last flight still has to reach the other side.
                otherIn.Write(initOut.Read());
                Assert.Empty(ReadOrEmpty(other));
                return;
            }
            catch (SslWantReadException)
            {
            }

            otherIn.Write(initOut.Read());
            Assert.Empty(ReadOrEmpty(other));
            initIn.Write(otherOut.Read());
        }

        Assert.Fail("the renegotiation did not complete");
    }

    private static void AssertDataFlows(SslObject c, SslObject s, MemoryBio[] bios)
    {
        c.Write(Encoding.ASCII.GetBytes("ping"));
        bios[2].Write(bios[1].Read());
        Assert.Equal("ping", Encoding.ASCII.GetString(s.Read()));
        s.Write(Encoding.ASCII.GetBytes("pong"));
        bios[0].Write(bios[3].Read());
        Assert.Equal("pong", Encoding.ASCII.GetString(c.Read()));
    }

    [Fact]
    public void OptionValuesAreOpenSsls()
    {
        Assert.Equal(0x100L, (long)SslOptions.AllowClientRenegotiation);
        Assert.Equal(0x40000L, (long)SslOptions.AllowUnsafeLegacyRenegotiation);
        Assert.Equal(0x40000000L, (long)SslOptions.NoRenegotiation);
    }

    [Fact]
    public void AClientRenegotiatesThroughDoHandshake()
    {
        var (c, s, bios) = Connect(ClientContext(), ServerContext(extra: SslOptions.AllowClientRenegotiation));
        byte[] before = c.GetChannelBinding()!;
        c.Renegotiate();
        Assert.True(c.RenegotiationPending);
        DriveRenegotiation(c, s, bios, initiatorIsClient: true);

        Assert.False(c.RenegotiationPending);
        Assert.Equal(1, c.RenegotiationCount);
        Assert.Equal(1, s.RenegotiationCount);
        Assert.NotEqual(before, c.GetChannelBinding());
        Assert.Equal(c.GetChannelBinding(), s.GetChannelBinding());
        AssertDataFlows(c, s, bios);
    }

    [Fact]
    public void AServerRenegotiatesThroughDoHandshake()
    {
        var (c, s, bios) = Connect(ClientContext(), ServerContext());
        s.Renegotiate();
        DriveRenegotiation(s, c, bios, initiatorIsClient: false);
        Assert.Equal(1, s.RenegotiationCount);
        Assert.Equal(1, c.RenegotiationCount);
        AssertDataFlows(c, s, bios);
    }

    [Fact]
    public void ARefusedRenegotiationIsNoRenegotiationAndTheConnectionGoesOn()
    {
        var (c, s, bios) = Connect(ClientContext(), ServerContext());
        c.Renegotiate();
        var e = Assert.Throws<SslException>(() => DriveRenegotiation(c, s, bios, initiatorIsClient: true));
        Assert.Equal("NO_RENEGOTIATION", e.Reason);
        Assert.False(c.RenegotiationPending);
        Assert.Equal(0, s.RenegotiationCount);
        AssertDataFlows(c, s, bios);
    }

    [Fact]
    public void RenegotiateIsRefusedOnTls13AndWithNoRenegotiation()
    {
        var (c13, _, _) = Connect(ClientContext(TlsVersion.TlsV1_3), ServerContext(TlsVersion.TlsV1_3));
        Assert.Equal("WRONG_SSL_VERSION", Assert.Throws<SslException>(() => c13.Renegotiate()).Reason);

        var (c, _, _) = Connect(ClientContext(extra: SslOptions.NoRenegotiation), ServerContext());
        Assert.Equal("NO_RENEGOTIATION", Assert.Throws<SslException>(() => c.Renegotiate()).Reason);
    }

    [Fact]
    public void VerifyClientPostHandshakeOnTls12RenegotiatesForTheCertificate()
    {
        var (c, s, bios) = Connect(ClientContext(), ServerContext(mode: VerifyMode.CertRequired));

        // A TLS 1.2 server with CERT_REQUIRED asks at the handshake; ask again after it, by renegotiation.
        Assert.NotNull(s.GetPeerCert(binaryForm: true));
        s.VerifyClientPostHandshake();
        s.Write(Encoding.ASCII.GetBytes("ping"));
        Assert.Equal("handshake not done yet", Assert.Throws<InvalidOperationException>(() => s.GetPeerCert()).Message);
        for (int i = 0; i < 6; i++)
        {
            bios[0].Write(bios[3].Read());
            byte[] got = ReadOrEmpty(c);
            if (got.Length > 0)
            {
                Assert.Equal("ping", Encoding.ASCII.GetString(got));
            }

            bios[2].Write(bios[1].Read());
            Assert.Empty(ReadOrEmpty(s));
        }

        Assert.Equal(ServerNameCallbackFacadeTests.Der(FacadeKeys.Certificate), s.GetPeerCert(binaryForm: true));
        Assert.Equal(1, s.RenegotiationCount);
    }

    [Theory]
    [InlineData(TlsVersion.TlsV1_2)]
    [InlineData(TlsVersion.TlsV1_3)]
    public async Task ASocketServerNegotiatesAClientCertificateOnEitherVersion(TlsVersion version)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        // With post_handshake_auth the server asks only after the handshake, on either version.
        SslContext serverContext = ServerContext(version, mode: VerifyMode.CertOptional);
        serverContext.PostHandshakeAuth = true;
        Task<string> server = Task.Run(() =>
        {
            using Socket raw = listener.AcceptSocket();
            raw.ReceiveTimeout = raw.SendTimeout = 10000;
            using SslSocket tls = serverContext.WrapSocket(raw, serverSide: true);
            Assert.Null(tls.GetPeerCert(binaryForm: true));
            tls.Write(Encoding.ASCII.GetBytes("hello"));
            tls.NegotiateClientCertificate();
            byte[] der = (byte[])tls.GetPeerCert(binaryForm: true)!;
            tls.Write(Encoding.ASCII.GetBytes("done"));
            return Convert.ToHexString(der);
        });

        using var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10000, SendTimeout = 10000 };
        c.Connect(listener.LocalEndpoint);
        using SslSocket client = ClientContext(version).WrapSocket(c, serverHostname: "localhost");
        var received = new StringBuilder();
        while (!received.ToString().EndsWith("done", StringComparison.Ordinal))
        {
            byte[] chunk = client.Read();
            Assert.NotEmpty(chunk);
            received.Append(Encoding.ASCII.GetString(chunk));
        }

        Assert.Equal("hellodone", received.ToString());
        Assert.Equal(Convert.ToHexString(ServerNameCallbackFacadeTests.Der(FacadeKeys.Certificate)), await server.WaitAsync(Timeout));
    }

    [Fact]
    public async Task AStreamClientRenegotiatesWhileTheServerReads()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var tcp = new TcpClient();
        Task<TcpClient> accept = listener.AcceptTcpClientAsync();
        await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port).WaitAsync(Timeout);
        using TcpClient serverTcp = await accept.WaitAsync(Timeout);
        await using var client = new TlsStream(tcp.GetStream(), ClientContext());
        await using var server = new TlsStream(serverTcp.GetStream(), ServerContext(extra: SslOptions.AllowClientRenegotiation));
        await Task.WhenAll(client.AuthenticateAsClientAsync("localhost"), server.AuthenticateAsServerAsync()).WaitAsync(Timeout);

        byte[] buffer = new byte[16];
        Task<int> serverRead = server.ReadAsync(buffer).AsTask();
        await client.RenegotiateAsync().WaitAsync(Timeout);
        Assert.Equal(1, client.Ssl!.RenegotiationCount);
        await client.WriteAsync(Encoding.ASCII.GetBytes("after")).AsTask().WaitAsync(Timeout);
        int n = await serverRead.WaitAsync(Timeout);
        Assert.Equal("after", Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal(1, server.Ssl!.RenegotiationCount);
    }
}
