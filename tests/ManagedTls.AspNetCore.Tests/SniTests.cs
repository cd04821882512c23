using System.Collections.Concurrent;
using System.Text.Json;
using ManagedTls.Ssl;

namespace ManagedTls.AspNetCore.Tests;

/// <summary><c>ContextSelector</c> chooses the certificate by the name the client asks for.</summary>
public sealed class SniTests
{
    [Fact]
    public async Task Each_name_gets_its_own_certificate_and_an_unknown_one_fails_alone()
    {
        SslContext alpha = TestPki.Shared.ServerContext(TestPki.Shared.Alpha);
        SslContext beta = TestPki.Shared.ServerContext(TestPki.Shared.Beta);
        var seen = new ConcurrentQueue<(string? Name, string? Remote)>();
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(o =>
            o.ContextSelector = (connection, name) =>
            {
                seen.Enqueue((name, connection.RemoteEndPoint?.ToString()));
                return name switch { "alpha.test" => alpha, "beta.test" => beta, _ => null };
            }));

        foreach ((string name, Leaf leaf) in new[] { ("alpha.test", TestPki.Shared.Alpha), ("beta.test", TestPki.Shared.Beta) })
        {
            // curl checks the certificate against the name: success means the right one was served.
            ExternalProcess.Result r = await ExternalProcess.CurlAsync(server.Port, "/info", name, "--http2");
            Assert.True(r.ExitCode == 0, r.ToString());
            (JsonElement info, string httpVersion) = Json.Parse(r.Stdout);
            Assert.Equal("2", httpVersion);
            Assert.Equal(name, info.Str("hostName"));
            Assert.Equal(name, info.Str("handshakeHostName"));
            Assert.Equal(leaf.Sha256, info.Str("context"));
            Assert.Equal("h2", info.Str("alpn"));
        }

        // Without a base context, a name the selector does not know has no certificate: that handshake fails.
        ExternalProcess.Result unknown = await ExternalProcess.CurlAsync(server.Port, "/", "gamma.test");
        Assert.NotEqual(0, unknown.ExitCode);
        await server.Logs.WaitForAsync(1, TimeSpan.FromSeconds(10));

        ExternalProcess.Result again = await ExternalProcess.CurlAsync(server.Port, "/", "alpha.test");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains(seen, s => s.Name == "gamma.test" && s.Remote is not null);
        // The selected contexts were given the endpoint's ALPN protocols.
        Assert.Equal(["h2", "http/1.1"], alpha.AlpnProtocols);
    }

    [Fact]
    public async Task With_a_base_context_a_null_answer_serves_the_base_certificate()
    {
        SslContext alpha = TestPki.Shared.ServerContext(TestPki.Shared.Alpha);
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(new ManagedTlsConnectionOptions
        {
            Context = TestPki.Shared.ServerContext(),
            ContextSelector = (_, name) => name == "alpha.test" ? alpha : null,
        }));

        ExternalProcess.Result r = await ExternalProcess.CurlAsync(server.Port, "/info");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(TestPki.Shared.Server.Sha256, Json.Parse(r.Stdout).Info.Str("context"));

        ExternalProcess.Result a = await ExternalProcess.CurlAsync(server.Port, "/info", "alpha.test");
        Assert.True(a.ExitCode == 0, a.ToString());
        Assert.Equal(TestPki.Shared.Alpha.Sha256, Json.Parse(a.Stdout).Info.Str("context"));

        // openssl confirms which certificate went out for each name.
        ExternalProcess.Result s = await ExternalProcess.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{server.Port}", "-servername", "alpha.test", "-CAfile", TestPki.Shared.AuthorityFile], stdin: string.Empty);
        Assert.Contains("subject=CN = alpha.test", s.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_selector_that_throws_fails_that_handshake_only()
    {
        int calls = 0;
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(new ManagedTlsConnectionOptions
        {
            Context = TestPki.Shared.ServerContext(),
            ContextSelector = (_, _) => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("no") : null,
        }));

        ExternalProcess.Result first = await ExternalProcess.CurlAsync(server.Port, "/");
        Assert.NotEqual(0, first.ExitCode);
        Assert.Contains("handshake failure", first.Stderr, StringComparison.OrdinalIgnoreCase);
        ExternalProcess.Result second = await ExternalProcess.CurlAsync(server.Port, "/");
        Assert.True(second.ExitCode == 0, second.ToString());
    }

    [Fact]
    public async Task A_name_never_lets_a_client_skip_the_base_context_client_authentication()
    {
        // The base requires client certificates; the context chosen for alpha.test does not ask for any. Decision 0027:
        // the stricter wins, so alpha.test still needs a certificate, and the app sees it.
        SslContext alpha = TestPki.Shared.ServerContext(TestPki.Shared.Alpha);
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(new ManagedTlsConnectionOptions
        {
            Context = TestPki.Shared.ClientAuthContext(),
            ContextSelector = (_, name) => name == "alpha.test" ? alpha : null,
        }));

        ExternalProcess.Result refused = await ExternalProcess.CurlAsync(server.Port, "/info", "alpha.test");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain("\"protocol\"", refused.Stdout, StringComparison.Ordinal);

        // The switched-to context's trust store verifies the certificate (OpenSSL's rule): alpha's has no CA yet, so
        // even the right certificate is refused (unknown_ca), failing closed.
        Leaf client = TestPki.Shared.Client;
        ExternalProcess.Result untrusted = await ExternalProcess.CurlAsync(server.Port, "/info", "alpha.test", "--cert", client.CertificateFile, "--key", client.KeyFile);
        Assert.NotEqual(0, untrusted.ExitCode);
        // curl may see the alert or only the closed connection; the server says why.
        await server.Logs.WaitForAsync(1, TimeSpan.FromSeconds(10), e => e is SslCertVerificationException);

        alpha.LoadVerifyLocations(TestPki.Shared.AuthorityFile);
        ExternalProcess.Result ok = await ExternalProcess.CurlAsync(server.Port, "/info", "alpha.test", "--cert", client.CertificateFile, "--key", client.KeyFile);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        JsonElement info = Json.Parse(ok.Stdout).Info;
        Assert.Equal(TestPki.Shared.Alpha.Sha256, info.Str("context"));
        Assert.Equal(client.Sha256, info.Str("peerCertificate"));
    }
}
