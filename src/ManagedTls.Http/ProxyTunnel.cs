using System.Globalization;
using System.Net;
using System.Text;

namespace ManagedTls.Http;

/// <summary>An HTTP/1.1 CONNECT tunnel (RFC 9110 section 9.3.6) through an http:// proxy, opened before the TLS handshake.</summary>
internal static class ProxyTunnel
{
    private const int MaxResponseHeaderBytes = 16 * 1024;

    /// <summary>Asks the proxy on <paramref name="stream"/> for a tunnel to <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <exception cref="HttpRequestException">The proxy refused (its status code is in the message) or answered something else than HTTP.</exception>
    public static async Task ConnectAsync(Stream stream, Uri proxyUri, string host, int port, NetworkCredential? credential, CancellationToken cancellationToken)
    {
        string authority = TlsConnector.Authority(host, port);
        var request = new StringBuilder()
            .Append("CONNECT ").Append(authority).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(authority).Append("\r\n");
        if (credential is { UserName.Length: > 0 })
        {
            string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.UserName + ":" + credential.Password));
            request.Append("Proxy-Authorization: Basic ").Append(basic).Append("\r\n");
        }

        request.Append("\r\n");
        byte[] bytes = Encoding.ASCII.GetBytes(request.ToString());
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        // The target speaks only after our ClientHello, so nothing may follow the proxy's header: read it byte-wise.
        var header = new List<byte>(256);
        byte[] one = new byte[1];
        while (!EndsWithBlankLine(header))
        {
            if (header.Count >= MaxResponseHeaderBytes)
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The proxy '{proxyUri}' sent a response header longer than {MaxResponseHeaderBytes} bytes.");
            }

            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new HttpRequestException(HttpRequestError.ProxyTunnelError, $"The proxy '{proxyUri}' closed the connection during the tunnel request.");
            }

            header.Add(one[0]);
        }

        string statusLine = Encoding.ASCII.GetString(header.ToArray()).Split("\r\n")[0];
        string[] parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The proxy '{proxyUri}' answered the tunnel request with '{statusLine}'.");
        }

        if (status is < 200 or > 299)
        {
            // SocketsHttpHandler's text.
            throw new HttpRequestException(HttpRequestError.ProxyTunnelError,
                $"The proxy tunnel request to proxy '{proxyUri}' failed with status code '{status}'.", null, (HttpStatusCode)status);
        }
    }

    private static bool EndsWithBlankLine(List<byte> b) =>
        b.Count >= 4 && b[^4] == '\r' && b[^3] == '\n' && b[^2] == '\r' && b[^1] == '\n';
}
