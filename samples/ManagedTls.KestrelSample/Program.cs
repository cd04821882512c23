// Kestrel serving HTTPS (HTTP/2 and HTTP/1.1) through ManagedTls, without OpenSSL.
//
//   dotnet run --project samples/ManagedTls.KestrelSample -c Release -- [--port 5443] [--cert cert.pem --key key.pem]
//   curl --cacert <the CA it prints> https://localhost:5443/
//
// Without --cert it makes a throwaway CA and a localhost certificate with ManagedTls's CertificateBuilder and writes
// the CA to a temporary directory for the client to trust. Nothing here loads libssl or libcrypto: run it under
// shared/tools/without-openssl to check (GET /tls reports whether either is mapped into the process).
using System.Net;
using System.Text.Json;
using ManagedTls.AspNetCore;
using ManagedTls.Ssl;
using ManagedTls.X509.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

int port = 5443;
string? certFile = null;
string? keyFile = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--cert": certFile = args[i + 1]; break;
        case "--key": keyFile = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

if (certFile is null)
{
    string dir = Path.Combine(Path.GetTempPath(), "managedtls-kestrel-sample");
    Directory.CreateDirectory(dir);
    var builder = new CertificateBuilder();
    GeneratedCertificate ca = builder.CreateCertificateAuthority("ManagedTls Kestrel sample CA");
    GeneratedCertificate leaf = builder.CreateLeaf(ca, "localhost", ["localhost"], [IPAddress.Loopback, IPAddress.IPv6Loopback]);
    certFile = Path.Combine(dir, "cert.pem");
    keyFile = Path.Combine(dir, "key.pem");
    File.WriteAllText(certFile, leaf.CertificatePem);
    File.WriteAllText(keyFile, leaf.Key.ExportPkcs8Pem());
    File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.CertificatePem);
    Console.WriteLine($"trust {Path.Combine(dir, "ca.pem")}");
}

var tls = new SslContext(SslProtocol.TlsServer);
tls.LoadCertChain(certFile, keyFile);

var web = WebApplication.CreateBuilder(args);
web.Logging.SetMinimumLevel(LogLevel.Warning);
web.WebHost.ConfigureKestrel(kestrel =>
    // The endpoint's protocols stay Kestrel's default (HTTP/1.1 and HTTP/2, chosen by ALPN). Setting them explicitly
    // works as well, but Kestrel then logs that HTTP/2 needs TLS: it only knows its own UseHttps (decision 0036).
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseManagedTls(tls)));

var app = web.Build();
app.MapGet("/", (HttpContext http) =>
{
    IManagedTlsFeature tlsFeature = http.Features.GetRequiredFeature<IManagedTlsFeature>();
    return $"Hello over {http.Request.Protocol}, {tlsFeature.Ssl.Version()} {tlsFeature.Ssl.Cipher()?.Name}, ALPN {tlsFeature.ApplicationProtocol ?? "none"}\n";
});
app.MapGet("/tls", (HttpContext http) =>
{
    IManagedTlsFeature tlsFeature = http.Features.GetRequiredFeature<IManagedTlsFeature>();
    ITlsHandshakeFeature handshake = http.Features.GetRequiredFeature<ITlsHandshakeFeature>();
    string maps = File.Exists("/proc/self/maps") ? File.ReadAllText("/proc/self/maps") : string.Empty;
    return Results.Text(JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["protocol"] = http.Request.Protocol,
        ["tls"] = tlsFeature.Ssl.Version(),
        ["cipher"] = tlsFeature.Ssl.Cipher()?.Name,
        ["alpn"] = tlsFeature.ApplicationProtocol,
        ["hostName"] = tlsFeature.HostName,
        ["handshakeProtocol"] = handshake.Protocol.ToString(),
        ["openSslLoaded"] = maps.Contains("libssl", StringComparison.Ordinal) || maps.Contains("libcrypto", StringComparison.Ordinal),
    }) + "\n", "application/json");
});

await app.StartAsync();
foreach (string address in app.Urls)
{
    // Kestrel names the endpoint http://: only its own UseHttps marks an endpoint as TLS (see decision 0036).
    Console.WriteLine($"listening on https://{new Uri(address).Authority}/");
}

await app.WaitForShutdownAsync();
return 0;
