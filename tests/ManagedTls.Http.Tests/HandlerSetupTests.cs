using System.Net;

namespace ManagedTls.Http.Tests;

public sealed class HandlerSetupTests
{
    [Theory]
    [InlineData(1, 1, HttpVersionPolicy.RequestVersionOrLower, 1)]
    [InlineData(1, 0, HttpVersionPolicy.RequestVersionExact, 1)]
    [InlineData(1, 1, HttpVersionPolicy.RequestVersionOrHigher, 3)]
    [InlineData(2, 0, HttpVersionPolicy.RequestVersionOrLower, 3)]
    [InlineData(2, 0, HttpVersionPolicy.RequestVersionExact, 2)]
    [InlineData(2, 0, HttpVersionPolicy.RequestVersionOrHigher, 2)]
    [InlineData(3, 0, HttpVersionPolicy.RequestVersionOrLower, 3)]
    public void Request_version_and_policy_give_the_alpn_protocols(int major, int minor, HttpVersionPolicy policy, int expected) =>
        Assert.Equal((AllowedProtocols)expected, HttpsTarget.For(new Version(major, minor), policy));

    [Fact]
    public void Http3_without_lowering_is_refused() =>
        Assert.Throws<HttpRequestException>(() => HttpsTarget.For(HttpVersion.Version30, HttpVersionPolicy.RequestVersionExact));

    [Fact]
    public void SslStream_settings_are_refused_rather_than_ignored()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(),
            h => h.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true));
        Assert.Contains("RemoteCertificateValidationCallback", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ManagedTlsHttp.CreateHandler(TestPkis.ClientContext(),
            h => h.SslOptions.EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13));
        Assert.Throws<ArgumentNullException>(() => ManagedTlsHttp.CreateHandler(null!));
    }

    [Fact]
    public async Task Other_schemes_are_not_supported()
    {
        using var client = new HttpClient(ManagedTlsHttp.CreateHandler(TestPkis.ClientContext()));
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetAsync(new Uri("ftp://localhost/")));
    }
}
