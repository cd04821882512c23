using System.Net;

namespace ManagedTls.Http;

/// <summary>The caller's credentials, asked with the https URI the TLS handler's rewritten http URI stands for.</summary>
internal sealed class HttpsCredentials : ICredentials
{
    private readonly ICredentials _inner;

    public HttpsCredentials(ICredentials inner) => _inner = inner;

    public NetworkCredential? GetCredential(Uri uri, string authType) =>
        _inner.GetCredential(uri.Scheme == Uri.UriSchemeHttp ? new UriBuilder(uri) { Scheme = Uri.UriSchemeHttps, Port = uri.Port }.Uri : uri, authType);
}
