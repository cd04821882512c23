using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;
using ManagedTls.X509;

namespace ManagedTls.Http.Tests;

/// <summary>HttpClient over ManagedTls against <c>openssl s_server -www</c> (HTTP/1.0 answers, one connection each).</summary>
public sealed class OpenSslServerTests
{
    private static HttpClient Client(ManagedTlsHttpHandler handler) => new(handler) { Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task Get_over_tls13_returns_the_page_and_the_https_request()
    {
        using OpenSslWwwServer server = OpenSslWwwServer.Start();
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext()));

        using HttpResponseMessage response = await client.GetAsync(server.BaseUri);
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("New, TLSv1.3", body, StringComparison.Ordinal);
        Assert.Equal(new Version(1, 0), response.Version);
        Assert.Equal(server.BaseUri, response.RequestMessage!.RequestUri);
    }

    [Theory]
    [InlineData("TLSv1.3")]
    [InlineData("TLSv1.2")]
    public async Task Second_connection_resumes_the_first_ones_session(string version)
    {
        using OpenSslWwwServer server = version == "TLSv1.2" ? OpenSslWwwServer.Start("-tls1_2") : OpenSslWwwServer.Start();
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
        using HttpClient client = Client(handler);

        // s_server -www closes each connection after its page, so each request opens a new pooled connection.
        string first = await client.GetStringAsync(server.BaseUri);
        string second = await client.GetStringAsync(server.BaseUri);

        Assert.Contains($"New, {version}", first, StringComparison.Ordinal);
        Assert.Contains($"Reused, {version}", second, StringComparison.Ordinal);
        Assert.Equal(2, handler.Connector.HandshakeCount);
    }

    [Fact]
    public async Task Request_allowing_h2_uses_http11_on_the_same_tls_connection_when_the_server_has_no_alpn()
    {
        using OpenSslWwwServer server = OpenSslWwwServer.Start();
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
        using HttpClient client = Client(handler);

        using var request = new HttpRequestMessage(HttpMethod.Get, server.BaseUri) { Version = HttpVersion.Version20 };
        using HttpResponseMessage response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(1, response.Version.Major);
        Assert.Contains("New, TLSv1.3", body, StringComparison.Ordinal);
        Assert.Equal(1, handler.Connector.HandshakeCount); // the h2 attempt's connection served the HTTP/1.1 retry
        Assert.False(handler.Connector.ChoseHttp2($"localhost:{server.Port}"));
    }

    [Fact]
    public async Task Request_for_exactly_h2_fails_when_the_server_does_not_choose_h2()
    {
        // A server that answers ALPN with http/1.1 only refuses an offer of h2 alone (no_application_protocol).
        using OpenSslWwwServer strict = OpenSslWwwServer.Start("-alpn", "http/1.1");
        // A server without ALPN completes the handshake; the client refuses to go on without h2.
        using OpenSslWwwServer noAlpn = OpenSslWwwServer.Start();
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext()));

        HttpRequestException e = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(ExactlyH2(strict.BaseUri)));
        SslException alert = Assert.IsAssignableFrom<SslException>(e.InnerException);
        Assert.Contains("NO_APPLICATION_PROTOCOL", alert.Message, StringComparison.OrdinalIgnoreCase);

        e = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(ExactlyH2(noAlpn.BaseUri)));
        Assert.Contains("while the server chose no protocol in ALPN", e.ToString(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage ExactlyH2(Uri uri) => new(HttpMethod.Get, uri)
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    [Fact]
    public void Synchronous_send_uses_http11()
    {
        using OpenSslWwwServer server = OpenSslWwwServer.Start("-alpn", "h2,http/1.1");
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext()));

        using var request = new HttpRequestMessage(HttpMethod.Get, server.BaseUri) { Version = HttpVersion.Version20 };
        using HttpResponseMessage response = client.Send(request);
        using var reader = new StreamReader(response.Content.ReadAsStream());
        Assert.Contains("New, TLSv1.3", reader.ReadToEnd(), StringComparison.Ordinal);
        Assert.Equal(server.BaseUri, response.RequestMessage!.RequestUri);

        Assert.Throws<NotSupportedException>(() => client.Send(ExactlyH2(server.BaseUri)));
    }

    [Fact]
    public async Task Unknown_ca_is_a_certificate_verification_error_inside_the_http_error()
    {
        using OpenSslWwwServer server = OpenSslWwwServer.Start();
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(TestPkis.WrongHost)));

        HttpRequestException e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(server.BaseUri));
        SslCertVerificationException inner = Assert.IsType<SslCertVerificationException>(e.InnerException);
        Assert.Equal(VerifyError.UnableToGetIssuerCertLocally, inner.VerifyCode);
    }

    [Fact]
    public async Task Wrong_host_is_a_hostname_mismatch_inside_the_http_error()
    {
        using OpenSslWwwServer server = OpenSslWwwServer.Start(TestPkis.WrongHost);
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(TestPkis.WrongHost)));

        HttpRequestException e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(server.BaseUri));
        SslCertVerificationException inner = Assert.IsType<SslCertVerificationException>(e.InnerException);
        Assert.Equal(VerifyError.HostnameMismatch, inner.VerifyCode);
        Assert.Contains("'localhost'", inner.VerifyMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-tls1_3")]
    [InlineData("-tls1_2")]
    public async Task Client_certificate_from_the_context_is_sent_and_required(string version)
    {
        using OpenSslWwwServer server = OpenSslWwwServer.Start(version, "-Verify", "1", "-CAfile", TestPkis.Localhost.AuthorityFile);
        SslContext withCert = TestPkis.ClientContext();
        withCert.LoadCertChain(TestPkis.Localhost.CertificateFile, TestPkis.Localhost.KeyFile);
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(withCert));

        string body = await client.GetStringAsync(server.BaseUri);
        Assert.Contains("Client certificate", body, StringComparison.Ordinal);

        using HttpClient without = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext()));
        HttpRequestException e = await Assert.ThrowsAsync<HttpRequestException>(() => without.GetAsync(server.BaseUri));
        Assert.Contains(Chain(e), x => x is SslException);
    }

    [Fact]
    public async Task Https_goes_through_a_connect_tunnel_of_the_configured_proxy()
    {
        using OpenSslWwwServer server = OpenSslWwwServer.Start();
        using var proxy = new ConnectProxy();
        ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h =>
        {
            h.UseProxy = true;
            h.Proxy = new WebProxy(proxy.Uri) { Credentials = new NetworkCredential("user", "pass") };
        });
        using HttpClient client = Client(handler);

        string body = await client.GetStringAsync(server.BaseUri);

        Assert.Contains("New, TLSv1.3", body, StringComparison.Ordinal);
        string connect = Assert.Single(proxy.Requests);
        Assert.StartsWith($"CONNECT localhost:{server.Port} HTTP/1.1\r\n", connect, StringComparison.Ordinal);
        Assert.Contains("\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n", connect, StringComparison.Ordinal);
        Assert.Equal(1, handler.Connector.TunnelCount);
    }

    [Fact]
    public async Task A_connect_callback_of_the_caller_supplies_the_transport_under_tls()
    {
        using OpenSslWwwServer server = OpenSslWwwServer.Start();
        int calls = 0;
        using HttpClient client = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h => h.ConnectCallback = async (context, token) =>
        {
            Interlocked.Increment(ref calls);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, token);
            return new NetworkStream(socket, ownsSocket: true);
        }));

        Assert.Contains("New, TLSv1.3", await client.GetStringAsync(server.BaseUri), StringComparison.Ordinal);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Proxy_bypass_and_proxy_refusal_are_honoured()
    {
        using OpenSslWwwServer server = OpenSslWwwServer.Start();
        using var proxy = new ConnectProxy();
        using HttpClient bypassing = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h =>
            h.Proxy = new WebProxy(proxy.Uri, BypassOnLocal: false, BypassList: ["localhost"])));
        Assert.Contains("New, TLSv1.3", await bypassing.GetStringAsync(server.BaseUri), StringComparison.Ordinal);
        Assert.Empty(proxy.Requests);

        using var refusing = new ConnectProxy(status: 407);
        using HttpClient refused = Client(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h => h.Proxy = new WebProxy(refusing.Uri)));
        HttpRequestException e = await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetAsync(server.BaseUri));
        Assert.Contains("'407'", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_times_out_as_a_cancellation()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var uri = new Uri($"https://localhost:{((IPEndPoint)silent.LocalEndpoint).Port}/");
        using var client = new HttpClient(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext())) { Timeout = TimeSpan.FromSeconds(1) };

        TaskCanceledException timeout = await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync(uri));
        Assert.IsType<TimeoutException>(timeout.InnerException);

        // SocketsHttpHandler's ConnectTimeout covers the handshake, as it covers SslStream's.
        using var client2 = new HttpClient(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(), h => h.ConnectTimeout = TimeSpan.FromSeconds(1)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Exception connect = await Assert.ThrowsAnyAsync<Exception>(() => client2.GetAsync(uri));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 10);
        Assert.True(connect is TaskCanceledException { InnerException: TimeoutException }, connect.ToString());

        // The caller's token.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TaskCanceledException>(() => client2.GetAsync(uri, cts.Token));
    }

    internal static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }
}
