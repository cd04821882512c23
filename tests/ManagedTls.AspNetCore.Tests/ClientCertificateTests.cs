using System.Text.Json;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>A context that requires client certificates: verified ones reach the app, missing or untrusted ones fail the handshake only.</summary>
public sealed class ClientCertificateTests : IAsyncLifetime
{
    private KestrelTlsServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(TestPki.Shared.ClientAuthContext()));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    public async Task The_app_sees_the_verified_client_certificate_through_both_features(string protocol)
    {
        Leaf client = TestPki.Shared.Client;
        ExternalProcess.Result r = await ExternalProcess.CurlAsync(
            _server.Port, "/info?x509", null, protocol, "--cert", client.CertificateFile, "--key", client.KeyFile);
        Assert.True(r.ExitCode == 0, r.ToString());
        (JsonElement info, _) = Json.Parse(r.Stdout);
        Assert.Equal(client.Sha256, info.Str("peerCertificate"));
        // curl (OpenSSL) sends the chain it can build from its CA file: the leaf, and the CA after it.
        Assert.InRange(int.Parse(info.Str("peerChainLength")!, System.Globalization.CultureInfo.InvariantCulture), 1, 2);
        Assert.Equal("2", info.Str("verifiedChainLength"));
        Assert.Equal(client.Sha256, info.Str("x509Thumbprint"));
        Assert.Equal("CN=test client", info.Str("x509Subject"));
        Assert.Equal("CN=test client", info.Str("connectionInfoSubject"));
    }

    [Fact]
    public async Task Without_a_certificate_the_handshake_fails_and_the_server_goes_on()
    {
        ExternalProcess.Result refused = await ExternalProcess.CurlAsync(_server.Port, "/info");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain("\"protocol\"", refused.Stdout, StringComparison.Ordinal);
        (_, string message, Exception? ex) = await _server.Logs.WaitForAsync(1, TimeSpan.FromSeconds(10));
        Assert.Contains("failed", message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(ex);

        Leaf client = TestPki.Shared.Client;
        ExternalProcess.Result ok = await ExternalProcess.CurlAsync(_server.Port, "/", null, "--cert", client.CertificateFile, "--key", client.KeyFile);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.StartsWith("hello over HTTP/2", ok.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_refused()
    {
        Leaf stranger = TestPki.Shared.StrangerClient;
        ExternalProcess.Result r = await ExternalProcess.CurlAsync(_server.Port, "/info", null, "--cert", stranger.CertificateFile, "--key", stranger.KeyFile);
        Assert.NotEqual(0, r.ExitCode);
        Assert.DoesNotContain("\"protocol\"", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpClient_over_SslStream_presents_a_client_certificate()
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            TestPki.Shared.Client.CertificateFile, TestPki.Shared.Client.KeyFile);
        using HttpClient client = PeerTests.SslStreamClient(certificate);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string body = await client.GetStringAsync(new Uri(_server.BaseUri, "/info"), cts.Token);
        Assert.Equal(TestPki.Shared.Client.Sha256, JsonDocument.Parse(body).RootElement.Str("peerCertificate"));
    }
}
