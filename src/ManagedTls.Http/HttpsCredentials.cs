using System.Net;

namespace ManagedTls.Http;

/// <summary>
/// The caller's credentials as the inner handlers see them. The TLS handler's rewritten http URI is asked about as the
/// https URI it stands for. After a redirect, credentials other than a <see cref="CredentialCache"/> (which is tied to
/// URIs) are not given, as <c>SocketsHttpHandler</c> does not authenticate redirected requests with them.
/// </summary>
internal sealed class HttpsCredentials : ICredentials
{
    private static readonly AsyncLocal<bool> RedirectedFlow = new();

    private readonly ICredentials _inner;
    private readonly bool _mapToHttps;

    public HttpsCredentials(ICredentials inner, bool mapToHttps)
    {
        _inner = inner;
        _mapToHttps = mapToHttps;
    }

    /// <summary>Set (for the current asynchronous flow) while a redirected request is sent.</summary>
    public static bool Redirected
    {
        get => RedirectedFlow.Value;
        set => RedirectedFlow.Value = value;
    }

    public NetworkCredential? GetCredential(Uri uri, string authType)
    {
        if (Redirected && _inner is not CredentialCache)
        {
            return null;
        }

        return _inner.GetCredential(_mapToHttps && uri.Scheme == Uri.UriSchemeHttp ? new UriBuilder(uri) { Scheme = Uri.UriSchemeHttps, Port = uri.Port }.Uri : uri, authType);
    }
}
