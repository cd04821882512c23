using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>The mapping from a context to the engine's frozen configuration.</summary>
public sealed class WrapSettingsTests : IDisposable
{
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private SslContext Server(VerifyMode mode)
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        ctx.VerifyMode = mode;
        return ctx;
    }

    [Theory]
    [InlineData(VerifyMode.CertNone, false, false, false)]
    [InlineData(VerifyMode.CertOptional, true, true, false)]
    [InlineData(VerifyMode.CertRequired, true, true, true)]
    public void ServerVerifyModeMapsToCertificateRequest(VerifyMode mode, bool verify, bool request, bool require)
    {
        TlsConfig s = Server(mode).Freeze(serverSide: true);
        Assert.Equal(TlsRole.Server, s.Role);
        Assert.Equal(verify, s.VerifyPeer);
        Assert.Equal(request, s.RequestClientCertificate);
        Assert.Equal(require, s.RequireClientCertificate);
        Assert.Single(s.CertificateChain);
        Assert.NotNull(s.PrivateKey);
    }

    [Fact]
    public void ClientSettingsCarryHostnameTrustAndOptions()
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.LoadVerifyLocations(cafile: Path.Combine(_dir, "cert.pem"));
        ctx.SetAlpnProtocols(["h2"]);
        ctx.Options &= ~SslOptions.EnableMiddleboxCompat;
        TlsConfig s = ctx.Freeze(serverSide: false);
        Assert.Equal(TlsRole.Client, s.Role);
        Assert.True(s.VerifyPeer);
        Assert.True(s.CheckHostname);
        Assert.Single(s.Trust.Anchors);
        Assert.Equal("h2"u8.ToArray(), Assert.Single(s.AlpnProtocols));
        Assert.False(s.MiddleboxCompatibility);
        Assert.Null(s.KeyLog);
        Assert.All(s.CipherSuites, x => Assert.True(x.IsTls13));
    }

    [Fact]
    public void CertNoneClientDoesNotVerifyOrCheckHostname()
    {
        var ctx = new SslContext(SslProtocol.TlsClient) { CheckHostname = false, VerifyMode = VerifyMode.CertNone };
        TlsConfig s = ctx.Freeze(serverSide: false);
        Assert.False(s.VerifyPeer);
        Assert.False(s.CheckHostname);
    }

    [Fact]
    public void ServerPreferenceFollowsTheOption()
    {
        SslContext ctx = Server(VerifyMode.CertNone);
        ctx.Options |= SslOptions.CipherServerPreference;
        Assert.True(ctx.Freeze(serverSide: true).PreferServerCipherSuites);
        ctx.Options &= ~SslOptions.CipherServerPreference;
        Assert.False(ctx.Freeze(serverSide: true).PreferServerCipherSuites);
    }

    [Fact]
    public void TlsOneThreeDisabledLeavesTlsOneTwoAndBothDisabledIsRefused()
    {
        // As Python: OP_NO_TLSv1_3 alone wraps fine (TLS 1.2 is left); with OP_NO_TLSv1_2 too nothing is.
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.Options |= SslOptions.NoTlsV1_3;
        ctx.WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost").Dispose();
        ctx.Options |= SslOptions.NoTlsV1_2;
        var e = Assert.Throws<SslException>(() => ctx.WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost"));
        Assert.Equal("NO_PROTOCOLS_AVAILABLE", e.Reason);
    }

    [Fact]
    public void ServerWithoutCertificateIsMadeAndFailsAtTheHello()
    {
        // As Python: wrap_bio succeeds; the handshake fails with NO_SHARED_CIPHER (ContextSwitchTests records the rest).
        var ctx = new SslContext(SslProtocol.TlsServer);
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = new SslContext(SslProtocol.TlsClient) { CheckHostname = false, VerifyMode = VerifyMode.CertNone }.WrapBio(bios[0], bios[1]);
        SslObject s = ctx.WrapBio(bios[2], bios[3], serverSide: true);
        var (clientError, serverError) = ServerNameCallbackFacadeTests.Handshake(c, s, bios);
        Assert.Equal("NO_SHARED_CIPHER", Assert.IsAssignableFrom<SslException>(serverError).Reason);
        Assert.Equal("SSLV3_ALERT_HANDSHAKE_FAILURE", Assert.IsAssignableFrom<SslException>(clientError).Reason);
    }
}
