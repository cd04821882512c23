using System.Text.Json;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>curl (OpenSSL and nghttp2) against Kestrel over ManagedTls: the protocol curl used and what the app saw agree.</summary>
public sealed class CurlTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private int Port => fixture.Server.Port;

    [Fact]
    public async Task Http11_is_served_and_negotiated_by_alpn()
    {
        ExternalProcess.Result r = await ExternalProcess.CurlAsync(Port, "/info", null, "--http1.1");
        Assert.True(r.ExitCode == 0, r.ToString());
        (JsonElement info, string httpVersion) = Json.Parse(r.Stdout);
        Assert.Equal("1.1", httpVersion);
        Assert.Equal("HTTP/1.1", info.Str("protocol"));
        Assert.Equal("http/1.1", info.Str("alpn"));
        Assert.Equal("True", info.Str("isHttps"));
        Assert.Equal("TLSv1.3", info.Str("version"));
        Assert.Equal("Tls13", info.Str("handshakeProtocol"));
        Assert.Equal("localhost", info.Str("hostName"));
        Assert.Equal("localhost", info.Str("handshakeHostName"));
        // TLS 1.3 suites have one name in OpenSSL and IANA alike.
        Assert.Equal(info.Str("cipher"), info.Str("negotiatedCipherSuite"));
    }

    [Fact]
    public async Task Without_sni_the_host_name_is_empty()
    {
        // By address: curl sends no server_name (RFC 6066 allows host names only); the certificate names 127.0.0.1.
        ExternalProcess.Result r = await ExternalProcess.RunAsync("curl",
            ["--silent", "--show-error", "--max-time", "15", "--cacert", TestPki.Shared.AuthorityFile, $"https://127.0.0.1:{Port}/info"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        JsonElement info = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Null(info.Str("hostName"));
        Assert.Equal(string.Empty, info.Str("handshakeHostName"));
        Assert.Equal("HTTP/2", info.Str("protocol"));
    }

    [Fact]
    public async Task Http2_is_served_when_curl_asks_for_it()
    {
        ExternalProcess.Result r = await ExternalProcess.CurlAsync(Port, "/info", null, "--http2");
        Assert.True(r.ExitCode == 0, r.ToString());
        (JsonElement info, string httpVersion) = Json.Parse(r.Stdout);
        Assert.Equal("2", httpVersion);
        Assert.Equal("HTTP/2", info.Str("protocol"));
        Assert.Equal("h2", info.Str("alpn"));
    }

    [Fact]
    public async Task Http2_over_tls12_reports_the_suite_in_the_handshake_feature()
    {
        ExternalProcess.Result r = await ExternalProcess.CurlAsync(
            Port, "/info", null, "--http2", "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256");
        Assert.True(r.ExitCode == 0, r.ToString());
        (JsonElement info, string httpVersion) = Json.Parse(r.Stdout);
        Assert.Equal("2", httpVersion);
        Assert.Equal("TLSv1.2", info.Str("version"));
        Assert.Equal("Tls12", info.Str("handshakeProtocol"));
        Assert.Equal("ECDHE-ECDSA-AES128-GCM-SHA256", info.Str("cipher"));
        Assert.Equal("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", info.Str("negotiatedCipherSuite"));
        Assert.Equal("Aes128", info.Str("cipherAlgorithm"));
        Assert.Equal("128", info.Str("cipherStrength"));
        Assert.Equal("Sha256", info.Str("hashAlgorithm"));
        Assert.Equal("DiffieHellman", info.Str("keyExchangeAlgorithm"));
    }

    [Fact]
    public async Task Tls13_aes256_maps_to_aes256_and_sha384()
    {
        ExternalProcess.Result r = await ExternalProcess.CurlAsync(Port, "/info", null, "--tls13-ciphers", "TLS_AES_256_GCM_SHA384");
        Assert.True(r.ExitCode == 0, r.ToString());
        (JsonElement info, _) = Json.Parse(r.Stdout);
        Assert.Equal("TLS_AES_256_GCM_SHA384", info.Str("negotiatedCipherSuite"));
        Assert.Equal("Aes256", info.Str("cipherAlgorithm"));
        Assert.Equal("Sha384", info.Str("hashAlgorithm"));
    }

    [Fact]
    public async Task Many_requests_share_one_http2_connection()
    {
        // Ten URLs in one curl run go over one connection; each greeting must come back.
        var args = new List<string> { "--http2" };
        for (int i = 0; i < 9; i++)
        {
            args.Add($"https://localhost:{Port}/");
        }

        ExternalProcess.Result r = await ExternalProcess.CurlAsync(Port, "/", null, args.ToArray());
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(10, r.Stdout.Split("hello over HTTP/2").Length - 1);
    }

    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    public async Task A_megabyte_goes_down_and_up_intact(string protocol)
    {
        string download = Path.Combine(TestPki.Shared.Directory, $"big-{Guid.NewGuid():N}.bin");
        ExternalProcess.Result r = await ExternalProcess.CurlAsync(Port, "/big", null, protocol, "--output", download);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(KestrelTlsServer.BigBody, await File.ReadAllBytesAsync(download));

        ExternalProcess.Result up = await ExternalProcess.CurlAsync(Port, "/digest", null, protocol, "--data-binary", "@" + download);
        File.Delete(download);
        Assert.True(up.ExitCode == 0, up.ToString());
        string expected = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(KestrelTlsServer.BigBody));
        Assert.StartsWith(expected + "\n", up.Stdout, StringComparison.Ordinal);
    }
}
