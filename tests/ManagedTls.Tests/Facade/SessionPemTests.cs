using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// The SSL_SESSION PEM codec against a session file written by <c>openssl s_client -sess_out</c> (OpenSSL 3.0.19,
/// against <c>openssl s_server</c> with the WrapKeys certificate); field values as <c>openssl sess_id -text</c> prints them.
/// </summary>
public sealed class SessionPemTests
{
    private const string OpenSslSession = """
        -----BEGIN SSL SESSION PARAMETERS-----
        MIIC/AIBAQICAwQEAhMCBCA/uMfNwJ+NNoL4gDlIN8ZYrPcKSiREuaxRzauFhF8A
        8QQwJAJMrsyldUQG+csRXQAfcxJ/7+0Nw+wGbx2GIsqwbKIobsdrvrAxWlI0jRQD
        AovRoQYCBGsEb4qiBAICHCCjggGZMIIBlTCCATugAwIBAgIUHfk/egN8tsEXHXSp
        nH5ysAdkl5YwCgYIKoZIzj0EAwIwFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2
        MTEyMzE2MTcxMloYDzIxMjYxMDMwMTYxNzEyWjAUMRIwEAYDVQQDDAlsb2NhbGhv
        c3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASF04OoqzYyqYZCZpDBH158gOU+
        bZRtBvwHBBxpL0YtSOVGoKWnBTYSxMRBnPIz7ndt/DZyOwn7IAOXnH4rBpiyo2kw
        ZzAdBgNVHQ4EFgQU5GM+KESCMelwTLXUhwvVEtopgR0wHwYDVR0jBBgwFoAU5GM+
        KESCMelwTLXUhwvVEtopgR0wDwYDVR0TAQH/BAUwAwEB/zAUBgNVHREEDTALggls
        b2NhbGhvc3QwCgYIKoZIzj0EAwIDSAAwRQIhAJBnNcDVkKBfrnb1uVsfmG9aRCdJ
        XGeCLf1fjMS810kLAiAauzD+f8GrDvWYR8RY8beVLih7Srcr++JDhNUdFyO4WqQC
        BAClAwIBEqkEAgIcIKqB0wSB0OQTr0u2ckAD/W7J6A+OqnJlrVvpLVhateBsHJth
        EXs8LrBebv9TYC9FcAEPILUXJEpwECNYUCrZpKenIm/o4Rdt1Raw2Yelfii3CPHc
        sUU23vNrMhUlmZMfFQzrzvohhoITZSjVBN5mrmBUttgeNQ7SqQnRvR1EjH+Zk2RU
        ZjldykJ4O9odYTUkqdveXqhzk7imIYkGpEqiJLyM/PNtpc4C+RNH/EQURmR11/Ou
        JJHIk5WzkxFUp64gciuA9MpD8hruA3vq24KBRVJ4EqA2Q2muBgIEIdEpmLMDAgEd
        -----END SSL SESSION PARAMETERS-----
        """;

    [Fact]
    public void ReadsOpenSslsSessionFile()
    {
        using Tls13Session s = SslSessionPem.FromPem(OpenSslSession);
        Assert.Equal("TLS_AES_256_GCM_SHA384", s.Suite.IanaName);
        Assert.Equal("24024CAECCA5754406F9CB115D001F73127FEFED0DC3EC066F1D8622CAB06CA2286EC76BBEB0315A52348D1403028BD1", CryptoUtil.ToHex(s.Psk.ToArray()).ToUpperInvariant());
        Assert.Equal(7200u, s.LifetimeSeconds);
        Assert.Equal(0x21D12998u, s.AgeAdd);
        Assert.Equal(1795452810, s.CreatedAt.ToUnixTimeSeconds());
        Assert.Equal(208, s.Ticket.Length);
        Assert.Null(s.ServerName);
        Assert.Null(s.Alpn);
        Assert.Single(s.PeerChain);
        Assert.Equal(ManagedTls.X509.VerifyError.DepthZeroSelfSignedCert, s.VerifyResult!.Error);
        // Session-ID is SHA-256 of the ticket, as OpenSSL computes it.
        Assert.Equal("3FB8C7CDC09F8D3682F880394837C658ACF70A4A2444B9AC51CDAB85845F00F1", CryptoUtil.ToHex(Hashes.Compute(HashAlgorithm.Sha256, s.Ticket)).ToUpperInvariant());
    }

    [Fact]
    public void WritesOpenSslsEncoding()
    {
        // OpenSSL's DER ends with [19] kex_group (x25519), which the engine's session does not keep: the rest is identical.
        byte[] openssl = PemDer(OpenSslSession);
        using Tls13Session s = SslSessionPem.FromPem(OpenSslSession);
        byte[] ours = SslSessionPem.Encode(s);
        byte[] expected = new byte[openssl.Length - 5];
        Array.Copy(openssl, expected, expected.Length);
        int contentLength = expected.Length - 4;
        expected[2] = (byte)(contentLength >> 8);
        expected[3] = (byte)contentLength;
        Assert.Equal("B30302011D", CryptoUtil.ToHex(openssl.AsSpan(openssl.Length - 5).ToArray()).ToUpperInvariant());
        Assert.Equal(CryptoUtil.ToHex(expected), CryptoUtil.ToHex(ours));
    }

    [Fact]
    public void RoundTripsThroughThePublicApi()
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        SslSession session = SslSession.FromPem(OpenSslSession, ctx);
        Assert.True(session.HasTicket);
        Assert.Equal("3FB8C7CDC09F8D3682F880394837C658ACF70A4A2444B9AC51CDAB85845F00F1", CryptoUtil.ToHex(session.Id).ToUpperInvariant());
        Assert.Equal(1795452810, session.Time);
        Assert.Equal(7200, session.Timeout);
        Assert.Equal(7200, session.TicketLifetimeHint);
        string pem = session.ToPem();
        Assert.StartsWith("-----BEGIN SSL SESSION PARAMETERS-----\n", pem);
        Assert.Equal(session, SslSession.FromPem(pem, ctx));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN SSL SESSION PARAMETERS-----\nMAA=\n-----END SSL SESSION PARAMETERS-----\n")]
    [InlineData("-----BEGIN SSL SESSION PARAMETERS-----\nMAMCAQE=\n-----END SSL SESSION PARAMETERS-----\n")]
    [InlineData("-----BEGIN SSL SESSION PARAMETERS-----\nMA0CAQECAgMDBAIAL+==\n-----END SSL SESSION PARAMETERS-----\n")]
    public void RejectsWhatIsNoTls13Session(string pem)
    {
        Assert.ThrowsAny<SslException>(() => SslSession.FromPem(pem, new SslContext(SslProtocol.TlsClient)));
    }

    [Fact]
    public void ATimeBeyondTheCalendarIsRefused()
    {
        using Tls13Session s = SslSessionPem.FromPem(OpenSslSession);
        byte[] der = SslSessionPem.Encode(s);
        // [1] { INTEGER 6B046F8A } -> the largest 4-byte positive value is fine; make it 8 bytes of 0x7f.. instead.
        int at = Array.IndexOf(der, (byte)0xA1);
        Assert.Equal(new byte[] { 0xA1, 0x06, 0x02, 0x04 }, der.AsSpan(at, 4).ToArray());
        der[at + 4] = 0x7f;
        Assert.NotNull(SslSessionPem.Decode(der));
        byte[] huge = [.. der.AsSpan(0, at), 0xA1, 0x0A, 0x02, 0x08, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, .. der.AsSpan(at + 8)];
        int content = huge.Length - 4;
        huge[2] = (byte)(content >> 8);
        huge[3] = (byte)content;
        Assert.ThrowsAny<SslException>(() => SslSessionPem.Decode(huge));
    }

    [Fact]
    public void TruncatedSessionsFailCleanly()
    {
        byte[] der = PemDer(OpenSslSession);
        for (int n = 0; n < der.Length; n += 7)
        {
            byte[] cut = der.AsSpan(0, n).ToArray();
            Assert.ThrowsAny<SslException>(() => SslSessionPem.Decode(cut));
        }
    }

    private static byte[] PemDer(string pem) =>
        Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim())));
}
