using System.Net;
using System.Net.Http;

namespace ManagedTls.Http;

/// <summary>Redirects as <c>SocketsHttpHandler</c>'s <c>RedirectHandler</c> follows them, done above the scheme rewrite.</summary>
internal static class Redirects
{
    /// <summary>The URI to follow, or null: not a redirect, no Location, a scheme other than http(s), or https to http.</summary>
    public static Uri? Target(Uri requestUri, HttpResponseMessage response)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.Moved:
            case HttpStatusCode.Found:
            case HttpStatusCode.SeeOther:
            case HttpStatusCode.TemporaryRedirect:
            case HttpStatusCode.MultipleChoices:
            case HttpStatusCode.PermanentRedirect:
                break;
            default:
                return null;
        }

        Uri? location = response.Headers.Location;
        if (location is null)
        {
            return null;
        }

        if (!location.IsAbsoluteUri)
        {
            location = new Uri(requestUri, location);
        }

        // A fragment on the request is carried over when the Location has none (RFC 9110 section 10.2.2).
        if (requestUri.Fragment.Length > 0 && location.Fragment.Length == 0)
        {
            location = new UriBuilder(location) { Fragment = requestUri.Fragment.Substring(1) }.Uri;
        }

        bool https = location.Scheme == Uri.UriSchemeHttps;
        if (!https && location.Scheme != Uri.UriSchemeHttp)
        {
            return null;
        }

        // Never from https down to http.
        return requestUri.Scheme == Uri.UriSchemeHttps && !https ? null : location;
    }

    /// <summary>Points the request at <paramref name="next"/>: GET without content after 303 (and after 301/302 of a POST), no Authorization.</summary>
    public static void Prepare(HttpRequestMessage request, HttpStatusCode status, Uri next)
    {
        request.RequestUri = next;
        request.Headers.Authorization = null;
        bool forceGet = status switch
        {
            HttpStatusCode.Moved or HttpStatusCode.Found or HttpStatusCode.MultipleChoices => request.Method == HttpMethod.Post,
            HttpStatusCode.SeeOther => request.Method != HttpMethod.Get && request.Method != HttpMethod.Head,
            _ => false,
        };
        if (forceGet)
        {
            request.Method = HttpMethod.Get;
            request.Content = null;
            if (request.Headers.TransferEncodingChunked == true)
            {
                request.Headers.TransferEncodingChunked = false;
            }
        }
    }
}
