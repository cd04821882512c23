using System.Net;
using ManagedTls.Ssl;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>What <c>UseManagedTls</c> accepts, and the ALPN protocols it gives a context.</summary>
public sealed class OptionsTests
{
    private static ListenOptions Listen()
    {
        var kestrel = new KestrelServerOptions();
        ListenOptions? captured = null;
        kestrel.Listen(IPAddress.Loopback, 0, l => captured = l);
        return captured!;
    }

    [Fact]
    public void Arguments_are_checked_when_the_endpoint_is_configured()
    {
        Assert.Throws<ArgumentNullException>(() => Listen().UseManagedTls((SslContext)null!));
        Assert.Throws<ArgumentException>(() => Listen().UseManagedTls(new ManagedTlsConnectionOptions()));
        Assert.Throws<ArgumentException>(() => Listen().UseManagedTls(new SslContext(SslProtocol.TlsClient)));

        SslContext withCallback = TestPki.Shared.ServerContext();
        withCallback.SniCallback = (_, _, _) => null;
        Assert.Throws<ArgumentException>(() => Listen().UseManagedTls(new ManagedTlsConnectionOptions
        {
            Context = withCallback,
            ContextSelector = (_, _) => null,
        }));

        var options = new ManagedTlsConnectionOptions();
        Assert.Equal(TimeSpan.FromSeconds(10), options.HandshakeTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.HandshakeTimeout = TimeSpan.Zero);
        options.HandshakeTimeout = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, options.HandshakeTimeout);
    }

    [Theory]
    [InlineData(HttpProtocols.Http1, new[] { "http/1.1" }, "1.1")]
    [InlineData(HttpProtocols.Http2, new[] { "h2" }, "2")]
    [InlineData(HttpProtocols.Http1AndHttp2, new[] { "h2", "http/1.1" }, "2")]
    public async Task Alpn_comes_from_the_endpoint_protocols(HttpProtocols protocols, string[] alpn, string served)
    {
        SslContext context = TestPki.Shared.ServerContext();
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen =>
        {
            listen.UseManagedTls(context);
            listen.Protocols = protocols; // read when the endpoint binds, after UseManagedTls, as UseHttps reads it
        });
        Assert.Equal(alpn, context.AlpnProtocols);

        ExternalProcess.Result r = await ExternalProcess.CurlAsync(server.Port, "/", null, "--http2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.EndsWith("\n" + served, r.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_context_offering_a_protocol_the_endpoint_does_not_serve_is_refused_when_the_endpoint_binds()
    {
        SslContext shared = TestPki.Shared.ServerContext();
        await using (KestrelTlsServer both = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(shared)))
        {
            Assert.Equal(["h2", "http/1.1"], shared.AlpnProtocols);
        }

        // The same context on an HTTP/1.1-only endpoint would let a client agree on h2 with an HTTP/1.1 parser.
        var e = await Assert.ThrowsAnyAsync<Exception>(() => KestrelTlsServer.StartAsync(listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.UseManagedTls(shared);
        }));
        InvalidOperationException refused = Assert.IsType<InvalidOperationException>(e is InvalidOperationException ? e : e.InnerException ?? e);
        Assert.Contains("'h2'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_context_with_its_own_alpn_protocols_keeps_them()
    {
        SslContext context = TestPki.Shared.ServerContext();
        context.SetAlpnProtocols(["http/1.1"]);
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(context));
        Assert.Equal(["http/1.1"], context.AlpnProtocols);

        ExternalProcess.Result r = await ExternalProcess.CurlAsync(server.Port, "/", null, "--http2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("hello over HTTP/1.1", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kestrel_lists_the_endpoint_as_http_because_only_UseHttps_marks_it_as_tls()
    {
        // Decision 0036: ListenOptions.IsTls is internal to Kestrel. The endpoint is TLS all the same.
        await using KestrelTlsServer server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(TestPki.Shared.ServerContext()));
        Assert.StartsWith("http://127.0.0.1:", server.Address, StringComparison.Ordinal);
        ExternalProcess.Result r = await ExternalProcess.CurlAsync(server.Port, "/");
        Assert.True(r.ExitCode == 0, r.ToString());
    }
}
