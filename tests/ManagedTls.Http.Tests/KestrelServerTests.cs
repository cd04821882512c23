using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ManagedTls.Http.Tests;

/// <summary>
/// HttpClient over ManagedTls against Kestrel, HTTP/1.1 and HTTP/2. The server's TLS is <see cref="ServerTls"/>:
/// Kestrel's own SslStream here; a Kestrel over ManagedTls runs the same tests by deriving with its own.
/// </summary>
public abstract class KestrelServerTestsBase
{
    /// <summary>How the Kestrel listener does TLS.</summary>
    private protected abstract KestrelTestServer.ConfigureHttps ServerTls { get; }

    [Fact]
    public async Task H2_is_used_when_the_server_chooses_it_and_kestrel_sees_https()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
        using HttpClient client = Client(handler);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUri, "/a?b=c")) { Version = HttpVersion.Version20 };
        using HttpResponseMessage response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal($"protocol=HTTP/2 scheme=https host=localhost:{server.BaseUri.Port} path=/a?b=c", body);
        Assert.Equal(new Uri(server.BaseUri, "/a?b=c"), response.RequestMessage!.RequestUri);
        Assert.True(handler.Connector.ChoseHttp2($"localhost:{server.BaseUri.Port}"));
    }

    [Fact]
    public async Task H2_carries_many_streams_and_large_bodies_on_one_connection()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http2, ServerTls);
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
        using HttpClient client = Client(handler);
        client.DefaultRequestVersion = HttpVersion.Version20;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;

        byte[] payload = new byte[1 << 20];
        new Random(35).NextBytes(payload);
        string expected = $"{payload.Length} {Convert.ToHexString(SHA256.HashData(payload))}";
        Task<string>[] gets = Enumerable.Range(0, 20).Select(i => client.GetStringAsync(new Uri(server.BaseUri, "/n" + i))).ToArray();
        Task<HttpResponseMessage>[] posts = Enumerable.Range(0, 3)
            .Select(_ => client.PostAsync(new Uri(server.BaseUri, "/echo"), new ByteArrayContent(payload))).ToArray();

        string[] bodies = await Task.WhenAll(gets);
        HttpResponseMessage[] echoed = await Task.WhenAll(posts);

        for (int i = 0; i < bodies.Length; i++)
        {
            Assert.Equal($"protocol=HTTP/2 scheme=https host=localhost:{server.BaseUri.Port} path=/n{i}", bodies[i]);
        }

        foreach (HttpResponseMessage r in echoed)
        {
            Assert.Equal(HttpVersion.Version20, r.Version);
            Assert.Equal(expected, await r.Content.ReadAsStringAsync());
            r.Dispose();
        }

        Assert.Equal(1, handler.Connector.HandshakeCount);
        Assert.All(server.SeenSchemes, s => Assert.Equal("https", s));
    }

    [Fact]
    public async Task Http11_is_used_on_the_first_connection_when_the_server_offers_only_http11()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1, ServerTls);
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
        using HttpClient client = Client(handler);
        client.DefaultRequestVersion = HttpVersion.Version20;

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(server.BaseUri);
            Assert.Equal(HttpVersion.Version11, response.Version);
            Assert.Equal($"protocol=HTTP/1.1 scheme=https host=localhost:{server.BaseUri.Port} path=/", await response.Content.ReadAsStringAsync());
        }

        // One handshake: the HTTP/2 attempt's TLS connection served HTTP/1.1, then stayed pooled.
        Assert.Equal(1, handler.Connector.HandshakeCount);
    }

    [Fact]
    public async Task A_request_for_http11_offers_only_http11_to_a_server_that_prefers_h2()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext()));

        using HttpResponseMessage response = await client.GetAsync(server.BaseUri);

        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.StartsWith("protocol=HTTP/1.1 scheme=https", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Redirects_stay_on_https_and_the_response_names_the_final_https_uri(int major)
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext()));
        client.DefaultRequestVersion = new Version(major, major == 1 ? 1 : 0);

        using HttpResponseMessage response = await client.GetAsync(new Uri(server.BaseUri, "/redirect?to=/final"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Uri(server.BaseUri, "/final"), response.RequestMessage!.RequestUri);
        Assert.EndsWith("scheme=https host=localhost:" + server.BaseUri.Port + " path=/final", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Down to http is not followed, as SocketsHttpHandler does not.
        var down = new Uri(server.BaseUri, "/redirect?to=" + Uri.EscapeDataString($"http://localhost:{server.BaseUri.Port}/plain"));
        using HttpResponseMessage refused = await client.GetAsync(down);
        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        Assert.Equal(down, refused.RequestMessage!.RequestUri);
    }

    [Fact]
    public async Task Secure_cookies_are_kept_under_the_https_uri_and_sent_back()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        var cookies = new CookieContainer();
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h => h.CookieContainer = cookies));

        Assert.Equal("set", await client.GetStringAsync(new Uri(server.BaseUri, "/setcookie")));
        Assert.Equal("s=secret", await client.GetStringAsync(new Uri(server.BaseUri, "/cookies")));

        Cookie cookie = Assert.Single(cookies.GetCookies(server.BaseUri));
        Assert.True(cookie.Secure);
        Assert.Empty(cookies.GetCookies(new Uri($"http://localhost:{server.BaseUri.Port}/")));
    }

    [Fact]
    public async Task Without_the_scheme_rewrite_kestrel_refuses_h2_requests()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http2, ServerTls);
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
        handler.Connector.RewriteScheme = false;
        using HttpClient client = Client(handler);

        using var request = new HttpRequestMessage(HttpMethod.Get, server.BaseUri) { Version = HttpVersion.Version20 };
        HttpRequestException e = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(request));
        Assert.Contains("PROTOCOL_ERROR", e.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(server.SeenSchemes);
    }

    [Fact]
    public async Task Concurrent_first_requests_allowing_h2_to_an_http11_server_all_get_http11()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1, ServerTls);
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
        using HttpClient client = Client(handler);
        client.DefaultRequestVersion = HttpVersion.Version20;

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => client.GetAsync(new Uri(server.BaseUri, "/c" + i))));

        for (int i = 0; i < responses.Length; i++)
        {
            Assert.Equal(HttpVersion.Version11, responses[i].Version);
            Assert.EndsWith("path=/c" + i, await responses[i].Content.ReadAsStringAsync(), StringComparison.Ordinal);
            responses[i].Dispose();
        }

        // Each HTTP/2 attempt parked its connection for an HTTP/1.1 retry: no more handshakes than requests.
        Assert.InRange(handler.Connector.HandshakeCount, 1, responses.Length);
    }

    [Fact]
    public async Task Plain_http_goes_without_tls_and_its_redirect_to_https_uses_tls()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
        using HttpClient client = Client(handler);

        Assert.EndsWith("scheme=http host=localhost:" + server.PlainBaseUri.Port + " path=/p", await client.GetStringAsync(new Uri(server.PlainBaseUri, "/p")), StringComparison.Ordinal);
        Assert.Equal(0, handler.Connector.HandshakeCount);

        string target = Uri.EscapeDataString(new Uri(server.BaseUri, "/up").ToString());
        using HttpResponseMessage up = await client.GetAsync(new Uri(server.PlainBaseUri, "/redirect?to=" + target));
        Assert.Equal(new Uri(server.BaseUri, "/up"), up.RequestMessage!.RequestUri);
        Assert.StartsWith("protocol=HTTP/1.1 scheme=https", await up.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, handler.Connector.HandshakeCount);
    }

    [Fact]
    public async Task Credentials_are_looked_up_under_the_https_uri()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        var cache = new CredentialCache { { server.BaseUri, "Basic", new NetworkCredential("user", "pass") } };
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h => h.Credentials = cache));

        using HttpResponseMessage response = await client.GetAsync(new Uri(server.BaseUri, "/auth"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Basic " + Convert.ToBase64String("user:pass"u8.ToArray()), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Each_host_gets_its_own_connection_with_its_own_server_name()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
        using HttpClient client = Client(handler);
        client.DefaultRequestVersion = HttpVersion.Version20;
        int port = server.BaseUri.Port;

        Assert.Equal("localhost", await client.GetStringAsync($"https://localhost:{port}/sni"));
        Assert.Equal("", await client.GetStringAsync($"https://127.0.0.1:{port}/sni")); // no server_name for an address
        Assert.Equal("localhost", await client.GetStringAsync($"https://localhost:{port}/sni"));

        Assert.Equal(2, handler.Connector.HandshakeCount);
    }

    [Fact]
    public async Task After_a_redirect_only_uri_bound_credentials_are_used()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        var redirect = new Uri(server.BaseUri, "/redirect?to=/auth");
        var credential = new NetworkCredential("user", "pass");

        // As SocketsHttpHandler: a bare credential answers the server it was sent to, not one a redirect points at.
        using HttpClient bare = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h => h.Credentials = credential));
        Assert.Equal(HttpStatusCode.OK, (await bare.GetAsync(new Uri(server.BaseUri, "/auth"))).StatusCode);
        using HttpResponseMessage refused = await bare.GetAsync(redirect);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(new Uri(server.BaseUri, "/auth"), refused.RequestMessage!.RequestUri);

        var cache = new CredentialCache { { server.BaseUri, "Basic", credential } };
        using HttpClient cached = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h => h.Credentials = cache));
        using HttpResponseMessage allowed = await cached.GetAsync(redirect);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task An_ipv6_literal_is_verified_against_the_certificate_address_without_server_name()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext()));
        client.DefaultRequestVersion = HttpVersion.Version20;

        using HttpResponseMessage response = await client.GetAsync(new Uri(server.Ipv6BaseUri, "/x"));

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal($"protocol=HTTP/2 scheme=https host=[::1]:{server.Ipv6BaseUri.Port} path=/x", await response.Content.ReadAsStringAsync());
        Assert.Equal("", await client.GetStringAsync(new Uri(server.Ipv6BaseUri, "/sni")));
    }

    [Fact]
    public async Task H2_goes_through_a_connect_tunnel()
    {
        await using KestrelTestServer server = await KestrelTestServer.StartAsync(HttpProtocols.Http1AndHttp2, ServerTls);
        using var proxy = new ConnectProxy();
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h => h.Proxy = new WebProxy(proxy.Uri)));
        client.DefaultRequestVersion = HttpVersion.Version20;

        using HttpResponseMessage response = await client.GetAsync(server.BaseUri);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.StartsWith("protocol=HTTP/2 scheme=https", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.StartsWith($"CONNECT localhost:{server.BaseUri.Port} ", Assert.Single(proxy.Requests), StringComparison.Ordinal);
    }

    private static HttpClient Client(ManagedTlsHttpHandler handler) => new(handler) { Timeout = TimeSpan.FromSeconds(20) };
}

/// <summary>The Kestrel tests against Kestrel's own TLS (SslStream).</summary>
public sealed class KestrelSslStreamServerTests : KestrelServerTestsBase
{
    private protected override KestrelTestServer.ConfigureHttps ServerTls => KestrelTestServer.SslStreamTls;
}
