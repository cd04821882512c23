using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedTls.Http.Tests;

/// <summary>
/// A Kestrel app serving a few test endpoints over HTTPS. How the listener's TLS is set up is the one swappable part
/// (<see cref="ConfigureHttps"/>): <see cref="SslStreamTls"/> is Kestrel's own <c>UseHttps</c> (SslStream); a Kestrel
/// over ManagedTls plugs in the same way.
/// </summary>
internal sealed class KestrelTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelTestServer(WebApplication app, Uri baseUri, Uri plainUri, Uri ipv6Uri)
    {
        _app = app;
        BaseUri = baseUri;
        PlainBaseUri = plainUri;
        Ipv6BaseUri = ipv6Uri;
    }

    /// <summary>Sets up TLS on a Kestrel listener.</summary>
    public delegate void ConfigureHttps(ListenOptions listen);

    /// <summary>
    /// Kestrel's own <c>UseHttps</c>, with the localhost test certificate; the server name the client sent is kept in
    /// the connection's items under "sni" (another server-side TLS may set it, or <c>ITlsHandshakeFeature.HostName</c>).
    /// </summary>
    public static ConfigureHttps SslStreamTls => listen => listen.UseHttps(o => o.ServerCertificateSelector = (connection, name) =>
    {
        connection!.Items["sni"] = name ?? "";
        return LocalhostCertificate.Value;
    });

    public Uri BaseUri { get; }

    /// <summary>The same app over HTTPS on ::1, another port.</summary>
    public Uri Ipv6BaseUri { get; }

    /// <summary>The same app over plain HTTP/1.1 on another port.</summary>
    public Uri PlainBaseUri { get; }

    /// <summary>The scheme Kestrel saw on each request, in order (it checks HTTP/2's :scheme against the transport).</summary>
    public List<string> SeenSchemes { get; } = new();

    internal static readonly Lazy<X509Certificate2> LocalhostCertificate = new(() =>
    {
        using var pem = X509Certificate2.CreateFromPemFile(TestPkis.Localhost.CertificateFile, TestPkis.Localhost.KeyFile);
        // SslStream on Linux needs a key it can export into OpenSSL: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    });

    /// <summary>Starts Kestrel on a loopback port with <paramref name="protocols"/>.</summary>
    public static async Task<KestrelTestServer> StartAsync(HttpProtocols protocols, ConfigureHttps? https = null)
    {
        https ??= SslStreamTls;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The bound ports are read back from the listen options: a TLS layer other than UseHttps (UseManagedTls) is
        // listed among the server's addresses as http://, since Kestrel's own TLS flag is internal.
        var endpoints = new ListenOptions[3];
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                endpoints[0] = listen;
                listen.Protocols = protocols;
                https(listen);
            });
            k.Listen(IPAddress.Loopback, 0, listen => endpoints[1] = listen);
            k.Listen(IPAddress.IPv6Loopback, 0, listen =>
            {
                endpoints[2] = listen;
                listen.Protocols = protocols;
                https(listen);
            });
        });
        WebApplication app = builder.Build();
        KestrelTestServer? self = null;
        app.Run(async context => await Serve(self!, context));
        await app.StartAsync();
        int port = endpoints[0].IPEndPoint!.Port;
        int plainPort = endpoints[1].IPEndPoint!.Port;
        int ipv6Port = endpoints[2].IPEndPoint!.Port;
        self = new KestrelTestServer(app, new Uri($"https://localhost:{port}/"), new Uri($"http://localhost:{plainPort}/"), new Uri($"https://[::1]:{ipv6Port}/"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private static async Task Serve(KestrelTestServer self, HttpContext context)
    {
        HttpRequest request = context.Request;
        lock (self.SeenSchemes)
        {
            self.SeenSchemes.Add(request.Scheme);
        }

        switch (request.Path.Value)
        {
            case "/redirect":
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = request.Query["to"].ToString();
                return;
            case "/sni":
                object? sni = context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items["sni"];
                await context.Response.WriteAsync(sni as string ?? context.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>()?.HostName ?? "(none)");
                return;
            case "/auth":
                if (request.Headers.Authorization.Count == 0)
                {
                    context.Response.StatusCode = 401;
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"test\"";
                    return;
                }

                await context.Response.WriteAsync(request.Headers.Authorization.ToString());
                return;
            case "/setcookie":
                context.Response.Headers.SetCookie = "s=secret; Secure; Path=/";
                await context.Response.WriteAsync("set");
                return;
            case "/cookies":
                await context.Response.WriteAsync(request.Headers.Cookie.ToString());
                return;
            case "/echo":
                using (var body = new MemoryStream())
                {
                    await request.Body.CopyToAsync(body);
                    byte[] hash = SHA256.HashData(body.ToArray());
                    await context.Response.WriteAsync($"{body.Length} {Convert.ToHexString(hash)}");
                }

                return;
            default:
                await context.Response.WriteAsync(
                    $"protocol={request.Protocol} scheme={request.Scheme} host={request.Host} path={request.Path}{request.QueryString}", Encoding.UTF8);
                return;
        }
    }
}
