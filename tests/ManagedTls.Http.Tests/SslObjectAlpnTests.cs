using ManagedTls.Ssl;

namespace ManagedTls.Http.Tests;

/// <summary><see cref="SslObject.SetAlpnProtocols"/>: one connection's ALPN list in place of its context's.</summary>
public sealed class SslObjectAlpnTests
{
    private static (SslObject Client, SslObject Server) Pair(string[] clientContextAlpn, string[] serverAlpn)
    {
        SslContext clientContext = TestPkis.ClientContext();
        clientContext.SetAlpnProtocols(clientContextAlpn);
        var serverContext = new SslContext(SslProtocol.TlsServer);
        serverContext.LoadCertChain(TestPkis.Localhost.CertificateFile, TestPkis.Localhost.KeyFile);
        serverContext.SetAlpnProtocols(serverAlpn);
        MemoryBio c2s = new(), s2c = new();
        return (clientContext.WrapBio(s2c, c2s, serverHostname: "localhost"), serverContext.WrapBio(c2s, s2c, serverSide: true));
    }

    private static void Handshake(SslObject client, SslObject server)
    {
        for (int i = 0; i < 10 && !(client.IsHandshakeComplete && server.IsHandshakeComplete); i++)
        {
            foreach (SslObject side in new[] { client, server })
            {
                try
                {
                    side.DoHandshake();
                }
                catch (SslWantReadException)
                {
                }
            }
        }

        Assert.True(client.IsHandshakeComplete && server.IsHandshakeComplete);
    }

    [Theory]
    [InlineData(new[] { "http/1.1" }, "http/1.1")]
    [InlineData(new[] { "h2" }, "h2")]
    [InlineData(new string[0], null)]
    public void The_connection_list_replaces_the_context_list(string[] connectionAlpn, string? selected)
    {
        (SslObject client, SslObject server) = Pair(["h2", "http/1.1"], ["h2", "http/1.1"]);
        client.SetAlpnProtocols(connectionAlpn);
        Handshake(client, server);
        Assert.Equal(selected, client.SelectedAlpnProtocol());
        Assert.Equal(selected, server.SelectedAlpnProtocol());
    }

    [Fact]
    public void Refused_on_a_server_after_the_handshake_started_and_for_bad_names()
    {
        (SslObject client, SslObject server) = Pair(["h2"], ["h2"]);
        Assert.Throws<InvalidOperationException>(() => server.SetAlpnProtocols(["h2"]));
        Assert.Throws<SslException>(() => client.SetAlpnProtocols([""]));
        Assert.Throws<ArgumentException>(() => client.SetAlpnProtocols(["h\u00e9"]));
        Assert.Throws<SslWantReadException>(() => client.DoHandshake());
        Assert.Throws<InvalidOperationException>(() => client.SetAlpnProtocols(["http/1.1"]));
        Handshake(client, server);
        Assert.Equal("h2", client.SelectedAlpnProtocol());
    }
}
