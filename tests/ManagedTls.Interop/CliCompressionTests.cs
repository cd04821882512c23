using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// <c>-comp</c> and <c>-no_comp</c> on <c>managedtls s_server</c> and <c>s_client</c>: with <c>-comp</c> the server
/// compresses for a TLS 1.2 client that clears OP_NO_COMPRESSION too, and for nobody else; <c>-no_comp</c> (the
/// default) never. As in OpenSSL, s_client's hello offers TLS 1.3, so its <c>-comp</c> offers nothing more.
/// </summary>
public sealed class CliCompressionTests : IClassFixture<CliCertificates>
{
    private readonly CliCertificates _c;

    public CliCompressionTests(CliCertificates certificates) => _c = certificates;

    [Fact]
    public void CompOnTheServerCompressesOnlyForAClientAllowingIt()
    {
        int port = CliPeers.FreePort();
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.RsaCert, "-key", _c.RsaKey, "-www", "-comp", "-naccept", "3");
        Assert.Equal("ZLIB", Connect(port, compression: true, tls12: true));
        Assert.Null(Connect(port, compression: false, tls12: true));
        ClientRun ours = CliPeers.OurClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + port, "-comp");
        Assert.Contains("Protocol  : TLSv1.3", ours.Stdout);
        Assert.Equal(0, server.WaitExit());
    }

    [Fact]
    public void NoCompOnTheServerNeverCompresses()
    {
        int port = CliPeers.FreePort();
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.RsaCert, "-key", _c.RsaKey, "-www", "-comp", "-no_comp", "-naccept", "1");
        Assert.Null(Connect(port, compression: true, tls12: true));
        Assert.Equal(0, server.WaitExit());
    }

    private string? Connect(int port, bool compression, bool tls12)
    {
        var context = new SslContext(SslProtocol.TlsClient);
        context.LoadVerifyLocations(cafile: _c.RsaCert);
        if (compression)
        {
            context.Options &= ~SslOptions.NoCompression;
        }

        if (tls12)
        {
            context.MaximumVersion = TlsVersion.TlsV1_2;
        }

        using var raw = new Socket(SocketType.Stream, ProtocolType.Tcp);
        raw.Connect(IPAddress.Loopback, port);
        using SslSocket tls = context.WrapSocket(raw, serverHostname: "localhost");
        tls.SetTimeout(10.0);
        tls.SendAll("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
        Assert.NotEmpty(tls.Recv(16384));
        return tls.Compression();
    }
}
