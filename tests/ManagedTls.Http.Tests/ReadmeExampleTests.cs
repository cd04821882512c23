using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.AspNetCore;
using ManagedTls.Ssl;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace ManagedTls.Http.Tests;

/// <summary>
/// The four examples on the first screen of README.md, as written there, with the throwaway PKI instead of the files
/// and host names the README names: a socket client, a socket server, HttpClient and Kestrel. If one of these stops
/// compiling or working, the README is wrong.
/// </summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_readme_client_talks_to_the_readme_server()
    {
        // README: server
        var context = new SslContext(SslProtocol.TlsServer);
        context.LoadCertChain(TestPkis.Localhost.CertificateFile, TestPkis.Localhost.KeyFile);
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using SslSocket server = context.WrapSocket(listener, serverSide: true);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Task serving = Task.Run(() =>
        {
            (SslSocket connection, _) = server.Accept();
            using (connection) connection.SendAll(connection.Recv(4096));   // echo one read back
        });

        // README: client
        SslContext clientContext = SslContext.CreateDefault(cafile: TestPkis.Localhost.AuthorityFile);
        using var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp);
        tcp.Connect("localhost", port);
        using SslSocket tls = clientContext.WrapSocket(tcp, serverHostname: "localhost");
        tls.SendAll("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.Equal("TLSv1.3", tls.Version());
        Assert.Equal("TLS_AES_256_GCM_SHA384", tls.Cipher()?.Name);
        Assert.StartsWith("GET / HTTP/1.1\r\nHost: localhost", Encoding.UTF8.GetString(tls.Recv(4096)), StringComparison.Ordinal);
        await serving.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task The_readme_httpclient_fetches_from_the_readme_kestrel()
    {
        // README: Kestrel
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var serverContext = new SslContext(SslProtocol.TlsServer);
        serverContext.LoadCertChain(TestPkis.Localhost.CertificateFile, TestPkis.Localhost.KeyFile);
        ListenOptions? endpoint = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            endpoint = listen;
            listen.UseManagedTls(serverContext);
        }));
        await using WebApplication app = builder.Build();
        app.Run(http => http.Response.WriteAsync($"hello over {http.Request.Protocol}"));
        await app.StartAsync();

        // README: HttpClient
        using var client = new HttpClient(ManagedTlsHttp.CreateHandler(SslContext.CreateDefault(cafile: TestPkis.Localhost.AuthorityFile)))
        {
            DefaultRequestVersion = HttpVersion.Version20,
            Timeout = TimeSpan.FromSeconds(20),
        };
        string body = await client.GetStringAsync($"https://localhost:{endpoint!.IPEndPoint!.Port}/");
        Assert.Equal("hello over HTTP/2", body);
        await app.StopAsync();
    }
}
