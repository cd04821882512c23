using ManagedTls.AspNetCore;
using ManagedTls.Ssl;

namespace ManagedTls.Http.Tests;

/// <summary>
/// The Kestrel tests again with both ends on ManagedTls: HttpClient over <see cref="ManagedTlsHttp"/> against Kestrel
/// over <c>UseManagedTls</c> (HTTP/1.1 and HTTP/2 by ALPN, sessions, SNI, redirects, the <c>:scheme</c> check).
/// </summary>
public sealed class KestrelManagedTlsServerTests : KestrelServerTestsBase
{
    // A context per server: UseManagedTls gives a context without ALPN protocols the endpoint's list, and the servers
    // here differ in what they speak (HTTP/1.1 only, HTTP/2 only, both).
    private protected override KestrelTestServer.ConfigureHttps ServerTls => listen => listen.UseManagedTls(o =>
    {
        var context = new SslContext(SslProtocol.TlsServer);
        context.LoadCertChain(TestPkis.Localhost.CertificateFile, TestPkis.Localhost.KeyFile);
        o.Context = context;
        o.ContextSelector = (connection, name) =>
        {
            connection.Items["sni"] = name ?? "";
            return null;
        };
    });
}
