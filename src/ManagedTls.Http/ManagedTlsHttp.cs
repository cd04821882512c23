using System.Net.Http;
using ManagedTls.Ssl;

namespace ManagedTls.Http;

/// <summary>Makes <see cref="HttpClient"/> handlers whose TLS is ManagedTls: <c>new HttpClient(ManagedTlsHttp.CreateHandler(context))</c>.</summary>
public static class ManagedTlsHttp
{
    /// <summary>A handler with <see cref="SocketsHttpHandler"/>'s defaults, its https connections made from <paramref name="context"/>.</summary>
    /// <param name="context">A client context (<see cref="SslProtocol.TlsClient"/>, e.g. <see cref="SslContext.CreateDefault"/>): trust,
    /// client certificates, versions and suites. Its ALPN list is not used: h2 and http/1.1 are offered as each request allows.</param>
    /// <returns>The handler; dispose it (or the <see cref="HttpClient"/> that owns it) to close its connections.</returns>
    public static ManagedTlsHttpHandler CreateHandler(SslContext context) => new(context, null);

    /// <summary>
    /// A handler configured as <paramref name="configure"/> sets up a <see cref="SocketsHttpHandler"/> (timeouts, pool
    /// limits, proxy, credentials, cookies, redirects, decompression...), its https connections made from
    /// <paramref name="context"/>. <see cref="SocketsHttpHandler.SslOptions"/> is not used; a
    /// <see cref="SocketsHttpHandler.ConnectCallback"/> set there supplies the transport of direct connections.
    /// </summary>
    /// <param name="context">A client context: trust, client certificates, versions and suites.</param>
    /// <param name="configure">Called once with a new <see cref="SocketsHttpHandler"/> before the handler is made.</param>
    /// <returns>The handler.</returns>
    public static ManagedTlsHttpHandler CreateHandler(SslContext context, Action<SocketsHttpHandler> configure) =>
        new(context, configure ?? throw new ArgumentNullException(nameof(configure)));
}
