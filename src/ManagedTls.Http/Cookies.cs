using System.Net;
using System.Net.Http;

namespace ManagedTls.Http;

/// <summary>Keeps a response's cookies under the URI the caller asked for (https, not the rewritten http).</summary>
internal static class Cookies
{
    public static void Store(CookieContainer container, Uri uri, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out IEnumerable<string>? values))
        {
            return;
        }

        foreach (string value in values)
        {
            try
            {
                container.SetCookies(uri, value);
            }
            catch (CookieException)
            {
                // As SocketsHttpHandler: a cookie the container refuses is ignored.
            }
        }
    }
}
