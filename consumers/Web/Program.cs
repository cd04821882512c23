using System.Net;
using ManagedTls.AspNetCore;
using ManagedTls.Http;
using ManagedTls.Ssl;
using ManagedTls.X509.Builder;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

// Kestrel over ManagedTls serving HTTP/2 and HTTP/1.1, and HttpClient over ManagedTls fetching from it with each, both
// from the installed packages. Run with libssl/libcrypto hidden; the last line is "web: ok" or "web: FAILED ...".
string dir = Path.Combine(Path.GetTempPath(), "managedtls-consumer-web-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(dir);
try
{
    var certificates = new CertificateBuilder { Organization = "ManagedTls consumer", Validity = TimeSpan.FromDays(1) };
    GeneratedCertificate ca = certificates.CreateCertificateAuthority("ManagedTls consumer CA");
    GeneratedCertificate leaf = certificates.CreateLeaf(ca, "localhost", dnsNames: new[] { "localhost" });
    string caFile = Path.Combine(dir, "ca.pem"), certFile = Path.Combine(dir, "cert.pem"), keyFile = Path.Combine(dir, "key.pem");
    File.WriteAllText(caFile, ca.CertificatePem);
    File.WriteAllText(certFile, leaf.CertificatePem);
    File.WriteAllText(keyFile, leaf.Key.ExportPkcs8Pem());

    var serverContext = new SslContext(SslProtocol.TlsServer);
    serverContext.LoadCertChain(certFile, keyFile);
    WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    ListenOptions? endpoint = null;
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
    {
        endpoint = listen;
        listen.UseManagedTls(serverContext);
    }));
    await using WebApplication app = builder.Build();
    app.Run(http => http.Response.WriteAsync($"hello over {http.Request.Protocol}"));
    await app.StartAsync();

    var uri = new Uri($"https://localhost:{endpoint!.IPEndPoint!.Port}/");
    using var client = new HttpClient(ManagedTlsHttp.CreateHandler(SslContext.CreateDefault(cafile: caFile))) { Timeout = TimeSpan.FromSeconds(30) };
    foreach (Version version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using HttpResponseMessage response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        string expected = version == HttpVersion.Version20 ? "hello over HTTP/2" : "hello over HTTP/1.1";
        if (body != expected || response.Version != version)
        {
            throw new InvalidOperationException($"asked for HTTP/{version}, got HTTP/{response.Version} with \"{body}\"");
        }

        Console.WriteLine($"web: HttpClient over ManagedTls.Http got \"{body}\" from Kestrel over ManagedTls.AspNetCore");
    }

    await app.StopAsync();
    Console.WriteLine("web: ok");
    return 0;
}
catch (Exception e)
{
    Console.WriteLine($"web: FAILED {e}");
    return 1;
}
finally
{
    Directory.Delete(dir, recursive: true);
}
