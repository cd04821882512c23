using FsCheck.Xunit;
using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Ssl;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Tests.Facade;

/// <summary>Freezing a context into a TlsConfig: every resolution rule, and isolation from later changes.</summary>
public class TlsConfigTests
{
    [Fact]
    public void DefaultClientConfig()
    {
        TlsConfig c = new SslContext(SslProtocol.TlsClient).Freeze(false);
        Assert.False(c.Role == TlsRole.Server);
        Assert.Equal((ProtocolVersion.Tls12, ProtocolVersion.Tls13), (c.MinimumVersion, c.MaximumVersion));
        Assert.True(c.MinimumVersion == ProtocolVersion.Tls12 && c.OffersTls13);
        Assert.Equal(Tls13CipherSuiteList.Default, c.CipherSuites);
        Assert.Equal(CipherString.Parse(CipherString.PythonDefault).Suites, c.Tls12CipherSuites);
        Assert.Equal(KeyExchangeGroups.Default, c.Groups);
        Assert.Equal(SignatureSchemes.Default, c.SignatureSchemes);
        Assert.Equal(PeerVerification.Required, c.Verification);
        Assert.True(c.CheckHostname);
        Assert.True(c.HostnameChecksCommonName);
        Assert.Equal(VerifyFlags.VerifyX509TrustedFirst, c.VerifyFlags);
        Assert.True(c.MiddleboxCompatibility);
        Assert.True(c.PreferServerCipherSuites);
        Assert.True(c.StatelessTickets);
        Assert.False(c.IgnoreUnexpectedEof);
        Assert.False(c.RefuseRenegotiation);
        Assert.False(c.LegacyServerConnect);
        Assert.Equal(2, c.NumTickets);
        Assert.Equal(2, c.SecurityLevel);
        Assert.Empty(c.AlpnProtocols);
        Assert.Empty(c.CertificateChain);
        Assert.Null(c.PrivateKey);
        Assert.NotNull(c.Trust);
        Assert.Null(c.KeyLog);
        Assert.Null(c.ServerNameCallback);
    }

    [Theory]
    [InlineData(TlsVersion.TlsV1_2, TlsVersion.MaximumSupported, SslOptions.None, ProtocolVersion.Tls12, ProtocolVersion.Tls13)]
    [InlineData(TlsVersion.MinimumSupported, TlsVersion.MaximumSupported, SslOptions.None, ProtocolVersion.Tls12, ProtocolVersion.Tls13)]
    [InlineData(TlsVersion.TlsV1, TlsVersion.MaximumSupported, SslOptions.None, ProtocolVersion.Tls12, ProtocolVersion.Tls13)]
    [InlineData(TlsVersion.SslV3, TlsVersion.TlsV1_2, SslOptions.None, ProtocolVersion.Tls12, ProtocolVersion.Tls12)]
    [InlineData(TlsVersion.TlsV1_3, TlsVersion.MaximumSupported, SslOptions.None, ProtocolVersion.Tls13, ProtocolVersion.Tls13)]
    [InlineData(TlsVersion.TlsV1_2, TlsVersion.TlsV1_2, SslOptions.None, ProtocolVersion.Tls12, ProtocolVersion.Tls12)]
    [InlineData(TlsVersion.TlsV1_2, TlsVersion.MaximumSupported, SslOptions.NoTlsV1_3, ProtocolVersion.Tls12, ProtocolVersion.Tls12)]
    [InlineData(TlsVersion.TlsV1_2, TlsVersion.MaximumSupported, SslOptions.NoTlsV1_2, ProtocolVersion.Tls13, ProtocolVersion.Tls13)]
    [InlineData(TlsVersion.TlsV1_1, TlsVersion.MaximumSupported, SslOptions.NoTlsV1_2 | SslOptions.NoTlsV1_1 | SslOptions.NoTlsV1, ProtocolVersion.Tls13, ProtocolVersion.Tls13)]
    public void VersionRangeResolution(TlsVersion min, TlsVersion max, SslOptions extra, ProtocolVersion lo, ProtocolVersion hi)
    {
        var ctx = new SslContext(SslProtocol.TlsClient) { MinimumVersion = min, MaximumVersion = max };
        ctx.Options |= extra;
        TlsConfig c = ctx.Freeze(false);
        Assert.Equal((lo, hi), (c.MinimumVersion, c.MaximumVersion));
        Assert.Equal(hi == ProtocolVersion.Tls13, c.CipherSuites.Count > 0);
        Assert.Equal(lo == ProtocolVersion.Tls12, c.Tls12CipherSuites.Count > 0);
    }

    [Theory]
    [InlineData(TlsVersion.TlsV1_2, TlsVersion.TlsV1_1, SslOptions.None)]
    [InlineData(TlsVersion.TlsV1, TlsVersion.TlsV1, SslOptions.None)]
    [InlineData(TlsVersion.TlsV1_2, TlsVersion.MaximumSupported, SslOptions.NoTlsV1_2 | SslOptions.NoTlsV1_3)]
    [InlineData(TlsVersion.TlsV1_3, TlsVersion.MaximumSupported, SslOptions.NoTlsV1_3)]
    [InlineData(TlsVersion.TlsV1_2, TlsVersion.TlsV1_2, SslOptions.NoTlsV1_2)]
    public void EmptyRangeIsNoProtocolsAvailable(TlsVersion min, TlsVersion max, SslOptions extra)
    {
        var ctx = new SslContext(SslProtocol.TlsClient) { MinimumVersion = min, MaximumVersion = max };
        ctx.Options |= extra;
        var e = Assert.Throws<SslException>(() => ctx.Freeze(false));
        Assert.Equal("[SSL: NO_PROTOCOLS_AVAILABLE] no protocols available", e.Message);
    }

    [Fact]
    public void OpenSslReportsTheSameForAnEmptyRange()
    {
        // Python/OpenSSL accept the settings and fail when the handshake starts, with the same reason.
        string live = PythonOracle.Run(
            "import ssl\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.maximum_version = ssl.TLSVersion.TLSv1_1\n" +
            "o = c.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname='x')\n" +
            "try: o.do_handshake()\nexcept ssl.SSLError as e: print(e.library, e.reason)")!;
        Assert.Equal("SSL NO_PROTOCOLS_AVAILABLE", live);
    }

    /// <summary>
    /// Any minimum, maximum and disabling options: the frozen range is exactly the versions in [min, max] ∩ {1.2, 1.3}
    /// that are not disabled (a contiguous range here), or freezing fails with no protocols available.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool RangeIsTheModelsIntersection(byte minPick, byte maxPick, bool no12, bool no13)
    {
        TlsVersion[] values = { TlsVersion.MinimumSupported, TlsVersion.MaximumSupported, TlsVersion.SslV3, TlsVersion.TlsV1, TlsVersion.TlsV1_1, TlsVersion.TlsV1_2, TlsVersion.TlsV1_3 };
        var ctx = new SslContext(SslProtocol.TlsClient)
        {
            MinimumVersion = values[minPick % values.Length],
            MaximumVersion = values[maxPick % values.Length],
        };
        if (no12)
        {
            ctx.Options |= SslOptions.NoTlsV1_2;
        }

        if (no13)
        {
            ctx.Options |= SslOptions.NoTlsV1_3;
        }

        int lo = ctx.MinimumVersion == TlsVersion.MinimumSupported ? 0 : (int)ctx.MinimumVersion;
        int hi = ctx.MaximumVersion == TlsVersion.MaximumSupported ? int.MaxValue : (int)ctx.MaximumVersion;
        var allowed = new[] { (0x0303, !no12), (0x0304, !no13) }.Where(v => v.Item2 && v.Item1 >= lo && v.Item1 <= hi).Select(v => v.Item1).ToArray();
        try
        {
            TlsConfig c = ctx.Freeze(false);
            return allowed.Length > 0 && (int)c.MinimumVersion == allowed.Min() && (int)c.MaximumVersion == allowed.Max()
                && c.MinimumVersion == ProtocolVersion.Tls12 == allowed.Contains(0x0303) && c.OffersTls13 == allowed.Contains(0x0304);
        }
        catch (SslException e)
        {
            return allowed.Length == 0 && e.Reason == "NO_PROTOCOLS_AVAILABLE";
        }
    }

    [Fact]
    public void OptionFlagsBecomeTypedSettings()
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.Options = (ctx.Options & ~(SslOptions.EnableMiddleboxCompat | SslOptions.CipherServerPreference))
            | SslOptions.NoTicket | SslOptions.IgnoreUnexpectedEof | SslOptions.NoRenegotiation | SslOptions.LegacyServerConnect;
        ctx.NumTickets = 0;
        ctx.PostHandshakeAuth = true;
        ctx.HostnameChecksCommonName = false;
        ctx.VerifyMode = VerifyMode.CertOptional;
        ctx.VerifyFlags = VerifyFlags.VerifyX509Strict;
        ctx.SetCiphers("ECDHE+AESGCM:@SECLEVEL=3");
        TlsConfig c = ctx.Freeze(true);
        Assert.True(c.Role == TlsRole.Server);
        Assert.False(c.MiddleboxCompatibility);
        Assert.False(c.PreferServerCipherSuites);
        Assert.False(c.StatelessTickets);
        Assert.True(c.IgnoreUnexpectedEof);
        Assert.True(c.RefuseRenegotiation);
        Assert.True(c.LegacyServerConnect);
        Assert.Equal(0, c.NumTickets);
        Assert.True(c.PostHandshakeAuth);
        Assert.False(c.HostnameChecksCommonName);
        Assert.Equal(PeerVerification.Optional, c.Verification);
        Assert.Equal(VerifyFlags.VerifyX509Strict, c.VerifyFlags);
        Assert.Equal(3, c.SecurityLevel);
        Assert.All(c.Tls12CipherSuites, s => Assert.StartsWith("ECDHE-", s.OpenSslName, StringComparison.Ordinal));
    }

    [Fact]
    public void ClientWithoutTrustAnchorsIsAllowedAsInPython()
    {
        // Python creates a CERT_REQUIRED client connection with an empty store; verification fails later, in the handshake.
        TlsConfig c = new SslContext(SslProtocol.TlsClient).Freeze(false);
        Assert.Equal(PeerVerification.Required, c.Verification);
        Assert.Equal("ok", PythonOracle.Run(
            "import ssl\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname='x'); print('ok')"));
    }

    [Fact]
    public void WrongSideIsRejectedAsPython()
    {
        const string recorded = "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context\nCannot create a client socket with a PROTOCOL_TLS_SERVER context";
        string ours = Assert.Throws<SslException>(() => new SslContext(SslProtocol.TlsClient).Freeze(true)).Message + "\n" +
            Assert.Throws<SslException>(() => new SslContext(SslProtocol.TlsServer).Freeze(false)).Message;
        Assert.Equal(recorded, ours);
        string live = PythonOracle.Run(
            "import ssl\nfor p, s in ((ssl.PROTOCOL_TLS_CLIENT, True), (ssl.PROTOCOL_TLS_SERVER, False)):\n" +
            "    try: ssl.SSLContext(p).wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_side=s)\n    except ssl.SSLError as e: print(str(e).split(' (_ssl')[0])")!;
        Assert.Equal(recorded, live.Replace("\r", string.Empty, StringComparison.Ordinal));
#pragma warning disable CS0618 // ssl.PROTOCOL_TLS is deprecated: this test is about it.
        Assert.True(new SslContext(SslProtocol.Tls).Freeze(true).Role == TlsRole.Server);
        Assert.False(new SslContext(SslProtocol.Tls).Freeze(false).Role == TlsRole.Server);
#pragma warning restore CS0618
    }

    [Fact]
    public void LaterChangesDoNotReachAFrozenConfig()
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.SetAlpnProtocols(new[] { "h2" });
        var dir = FacadeKeys.WriteFiles();
        try
        {
            ctx.LoadCertChain(Path.Combine(dir, "combined.pem"));
            TlsConfig frozen = ctx.Freeze(true);
            byte[] leaf = frozen.CertificateChain[0].ToArray();
            ctx.Options |= SslOptions.NoTlsV1_3 | SslOptions.NoTicket;
            ctx.MinimumVersion = TlsVersion.TlsV1_2;
            ctx.VerifyMode = VerifyMode.CertRequired;
            ctx.SetCiphers("ECDHE-RSA-AES128-GCM-SHA256");
            ctx.SetAlpnProtocols(new[] { "http/1.1", "spdy/1" });
            ctx.NumTickets = 7;
            ctx.HostnameChecksCommonName = false;
            ctx.SniCallback = (_, _, _) => AlertDescription.UnrecognizedName;
            ctx.CertificateChain[0][0] ^= 0xFF;
            Assert.Equal(ProtocolVersion.Tls13, frozen.MaximumVersion);
            Assert.True(frozen.StatelessTickets);
            Assert.Equal(PeerVerification.None, frozen.Verification);
            Assert.True(frozen.Tls12CipherSuites.Count > 1);
            Assert.Equal(new[] { "h2" }, frozen.AlpnProtocols.Select(p => System.Text.Encoding.ASCII.GetString(p)));
            Assert.Equal(2, frozen.NumTickets);
            Assert.True(frozen.HostnameChecksCommonName);
            Assert.Null(frozen.ServerNameCallback);
            Assert.Equal(leaf, frozen.CertificateChain[0]);

            TlsConfig second = ctx.Freeze(true);
            Assert.Equal(ProtocolVersion.Tls12, second.MaximumVersion);
            Assert.Equal(7, second.NumTickets);
            Assert.Single(second.Tls12CipherSuites);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SniCallbackIsBoundToConnectionAndContext()
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        object connection = new();
        (object? Conn, string? Name, SslContext? Ctx) seen = default;
        ctx.SniCallback = (conn, name, c) =>
        {
            seen = (conn, name, c);
            return name == "bad" ? AlertDescription.UnrecognizedName : null;
        };
        TlsConfig config = ctx.Freeze(true, connection);
        Assert.Null(config.ServerNameCallback!("example.com"));
        Assert.Same(connection, seen.Conn);
        Assert.Equal("example.com", seen.Name);
        Assert.Same(ctx, seen.Ctx);
        Assert.Equal(AlertDescription.UnrecognizedName, Assert.Throws<TlsAlertException>(() => config.ServerNameCallback("bad")).Description);

        ctx.SniCallback = (_, _, _) => throw new InvalidOperationException("callback bug");
        TlsConfig failing = ctx.Freeze(true, connection);
        Assert.Equal(AlertDescription.HandshakeFailure, Assert.Throws<TlsAlertException>(() => failing.ServerNameCallback!("x")).Description);
    }

    [Fact]
    public void SecurityLevelDropsForbiddenSuites()
    {
        // openssl ciphers -s: static RSA key exchange is gone from level 3; "AES128-SHA" alone leaves nothing there.
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.SetCiphers("AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=3");
        Assert.Equal(2, ctx.GetCiphers().Count - 3);
        TlsConfig c = ctx.Freeze(false);
        Assert.Equal(new[] { "ECDHE-RSA-AES128-GCM-SHA256" }, c.Tls12CipherSuites.Select(x => x.OpenSslName));
        ctx.SetCiphers("AES128-SHA:@SECLEVEL=3");
        ctx.MaximumVersion = TlsVersion.TlsV1_2;
        Assert.Equal("[SSL: NO_CIPHERS_AVAILABLE] no ciphers available", Assert.Throws<SslException>(() => ctx.Freeze(false)).Message);
        ctx.SetCiphers("AES128-SHA:@SECLEVEL=2");
        Assert.Single(ctx.Freeze(false).Tls12CipherSuites);
        string live = PythonOracle.Run(
            "import ssl\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.set_ciphers('AES128-SHA:@SECLEVEL=3')\nc.maximum_version = ssl.TLSVersion.TLSv1_2\n" +
            "o = c.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname='x')\n" +
            "try: o.do_handshake()\nexcept ssl.SSLError as e: print(e.library, e.reason)")!;
        Assert.Equal("SSL NO_CIPHERS_AVAILABLE", live);
    }

    [Fact]
    public void ARangeWithoutTls13LeavesOnlyTls12Suites()
    {
        var ctx = new SslContext(SslProtocol.TlsClient) { MaximumVersion = TlsVersion.TlsV1_2 };
        TlsConfig only12 = ctx.Freeze(false);
        Assert.False(only12.OffersTls13);
        Assert.Empty(only12.CipherSuites);
        Assert.NotEmpty(only12.Tls12CipherSuites);
        TlsConfig only13 = new SslContext(SslProtocol.TlsClient) { MinimumVersion = TlsVersion.TlsV1_3 }.Freeze(false);
        Assert.True(only13.OffersTls13);
        Assert.Empty(only13.Tls12CipherSuites);
    }
}
