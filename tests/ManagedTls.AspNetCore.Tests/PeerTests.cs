using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>Python's urllib, <c>openssl s_client</c> and HttpClient over SslStream against Kestrel over ManagedTls.</summary>
public sealed class PeerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private int Port => fixture.Server.Port;

    [Fact]
    public async Task Python_urllib_fetches_a_page_trusting_the_test_ca()
    {
        const string script = """
            import ssl, sys, urllib.request
            ctx = ssl.create_default_context(cafile=sys.argv[1])
            with urllib.request.urlopen(sys.argv[2], context=ctx, timeout=15) as r:
                print(r.status)
                print(r.read().decode())
            """;
        ExternalProcess.Result r = await ExternalProcess.RunAsync(
            "python3", ["-c", script, TestPki.Shared.AuthorityFile, $"https://localhost:{Port}/info"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n', 2);
        Assert.Equal("200", lines[0].Trim());
        JsonElement info = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal("HTTP/1.1", info.Str("protocol"));
        Assert.Equal("TLSv1.3", info.Str("version"));
        Assert.Equal("localhost", info.Str("hostName"));
    }

    [Theory]
    [InlineData("-tls1_3", "TLSv1.3")]
    [InlineData("-tls1_2", "TLSv1.2")]
    public async Task Openssl_s_client_gets_h2_by_alpn_and_verifies_the_chain(string versionFlag, string version)
    {
        ExternalProcess.Result r = await ExternalProcess.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{Port}", "-servername", "localhost", "-verify_hostname", "localhost",
             "-CAfile", TestPki.Shared.AuthorityFile, "-alpn", "h2,http/1.1", versionFlag],
            stdin: string.Empty);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("ALPN protocol: h2", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 0 (ok)", r.Stdout, StringComparison.Ordinal);
        Assert.Contains($"New, {version}, Cipher is", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("subject=CN = localhost", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Server Temp Key: X25519", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Openssl_s_client_offering_only_http11_gets_it()
    {
        ExternalProcess.Result r = await ExternalProcess.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{Port}", "-servername", "localhost", "-CAfile", TestPki.Shared.AuthorityFile, "-alpn", "http/1.1", "-ign_eof"],
            stdin: $"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", timeoutSeconds: 20);
        Assert.Contains("ALPN protocol: http/1.1", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("hello over HTTP/1.1", r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 0)]
    public async Task HttpClient_over_SslStream_gets_the_version_it_asks_for(int major, int minor)
    {
        using HttpClient client = SslStreamClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Server.BaseUri, "/info"))
        {
            Version = new Version(major, minor),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage response = await client.SendAsync(request, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(major, minor), response.Version);
        JsonElement info = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token)).RootElement;
        Assert.Equal(major == 2 ? "HTTP/2" : "HTTP/1.1", info.Str("protocol"));
        // SocketsHttpHandler offers ALPN only when HTTP/2 may be used; without ALPN Kestrel serves HTTP/1.1.
        Assert.Equal(major == 2 ? "h2" : null, info.Str("alpn"));
    }

    [Fact]
    public async Task HttpClient_over_SslStream_runs_parallel_http2_streams()
    {
        using HttpClient client = SslStreamClient();
        client.DefaultRequestVersion = HttpVersion.Version20;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        byte[][] bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            client.GetByteArrayAsync(new Uri(fixture.Server.BaseUri, "/big"), cts.Token)));
        Assert.All(bodies, b => Assert.Equal(KestrelTlsServer.BigBody, b));
    }

    [Fact]
    public async Task Twenty_http11_connections_at_once_all_complete_their_handshakes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        string[] bodies = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            // One client each: twenty connections, twenty handshakes running side by side.
            using HttpClient client = SslStreamClient();
            return await client.GetStringAsync(fixture.Server.BaseUri, cts.Token);
        }));
        Assert.All(bodies, b => Assert.Equal("hello over HTTP/1.1", b));
    }

    /// <summary>HttpClient with .NET's own TLS (SslStream), trusting only the test CA.</summary>
    internal static HttpClient SslStreamClient(X509Certificate2? clientCertificate = null)
    {
        var authority = X509CertificateLoader.LoadCertificateFromFile(TestPki.Shared.AuthorityFile);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
        }

        return new HttpClient(handler);
    }
}
