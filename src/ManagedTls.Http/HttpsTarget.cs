namespace ManagedTls.Http;

/// <summary>The application protocols a request allows, from its version and version policy.</summary>
[Flags]
internal enum AllowedProtocols
{
    /// <summary>HTTP/1.1 (or 1.0): ALPN http/1.1.</summary>
    Http11 = 1,

    /// <summary>HTTP/2: ALPN h2.</summary>
    Http2 = 2,

    /// <summary>Either, h2 preferred.</summary>
    Both = Http11 | Http2,
}

/// <summary>What the TLS inner handler's connect callback needs to know of the request that opens a connection: the
/// caller's https URI (for the proxy choice) and the protocols it allows.</summary>
/// <param name="Uri">The https URI the caller asked for.</param>
/// <param name="Allowed">The protocols the caller's request allows.</param>
internal sealed record HttpsTarget(Uri Uri, AllowedProtocols Allowed)
{
    /// <summary>The request option that carries the target on the rewritten request.</summary>
    public static readonly HttpRequestOptionsKey<HttpsTarget> Key = new("ManagedTls.Http.HttpsTarget");

    /// <summary>
    /// The protocols a request's <paramref name="version"/> and <paramref name="policy"/> allow, as
    /// <c>SocketsHttpHandler</c> reads them for https (HTTP/3 is served as HTTP/2 when lowering is allowed).
    /// </summary>
    /// <exception cref="HttpRequestException">HTTP/3 or higher without lowering.</exception>
    public static AllowedProtocols For(Version version, HttpVersionPolicy policy)
    {
        if (version.Major >= 3)
        {
            return policy == HttpVersionPolicy.RequestVersionOrLower
                ? AllowedProtocols.Both
                : throw new HttpRequestException(
                    $"Requesting HTTP version {version} with version policy {policy}: HTTP/3 is not available over ManagedTls.");
        }

        if (version.Major == 2)
        {
            return policy == HttpVersionPolicy.RequestVersionOrLower ? AllowedProtocols.Both : AllowedProtocols.Http2;
        }

        return policy == HttpVersionPolicy.RequestVersionOrHigher ? AllowedProtocols.Both : AllowedProtocols.Http11;
    }
}

/// <summary>Thrown by the connect callback when an HTTP/2 connection's server chose http/1.1 (or no ALPN) and the
/// request also allows HTTP/1.1: the TLS connection is parked, and the request is sent again as HTTP/1.1.</summary>
internal sealed class Http11ChosenException : Exception
{
    public Http11ChosenException()
        : base("The server chose http/1.1 in ALPN; the request is sent again as HTTP/1.1.")
    {
    }
}
