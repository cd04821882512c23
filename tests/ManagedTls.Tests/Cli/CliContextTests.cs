using ManagedTls.Cli;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Cli;

/// <summary>The contexts s_client and s_server start from: openssl's defaults where they differ from Python's.</summary>
public sealed class CliContextTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StartsFromOpenSslsDefaults(bool serverSide)
    {
        SslContext context = TlsCliCommon.NewContext(serverSide);
        IReadOnlyList<SslCipherInfo> ciphers = context.GetCiphers();

        // TLS 1.3 first, then OpenSSL's DEFAULT list, which (unlike Python's) keeps the RSA key exchange suites.
        Assert.Equal(
            ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"],
            ciphers.Where(c => c.Protocol == "TLSv1.3").Select(c => c.Name));
        Assert.Contains(ciphers, c => c.Name == "AES256-GCM-SHA384");
        Assert.Equal(0, (int)(context.Options & SslOptions.CipherServerPreference));
        Assert.Equal(serverSide ? SslProtocol.TlsServer : SslProtocol.TlsClient, context.Protocol);
        Assert.Equal(VerifyMode.CertNone, context.VerifyMode);
        Assert.False(context.CheckHostname);
    }

    [Fact]
    public void BadListsAreUsageErrors()
    {
        SslContext context = TlsCliCommon.NewContext(serverSide: false);
        Assert.Throws<UsageException>(() => TlsCliCommon.SetCiphers(context, "NOPE"));
        Assert.Throws<UsageException>(() => TlsCliCommon.SetCiphersuites(context, "TLS_NOPE"));
        Assert.Throws<UsageException>(() => TlsCliCommon.SetCiphersuites(context, string.Empty));
        Assert.Contains("unknown group 'nosuch'", Assert.Throws<UsageException>(() => TlsCliCommon.SetGroups(context, "X25519:nosuch")).Message);
        Assert.Throws<UsageException>(() => TlsCliCommon.SetAlpn(context, "h2,,http/1.1"));
        TlsCliCommon.SetCiphersuites(context, "TLS_AES_128_GCM_SHA256");
        Assert.Equal("TLS_AES_128_GCM_SHA256", context.GetCiphers()[0].Name);
    }
}
