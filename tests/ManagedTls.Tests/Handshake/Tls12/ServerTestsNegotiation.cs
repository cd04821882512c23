using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Crypto.Agreement;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>What the TLS 1.2 server chooses: suite, group, DH group and signature scheme, from the two sides' lists and its key.</summary>
public class Tls12ServerNegotiationTests
{
    private const TlsCipherSuite EcdheEcdsaAes128 = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    private const TlsCipherSuite EcdheEcdsaChaCha = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
    private const TlsCipherSuite EcdheRsaAes128 = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    private const TlsCipherSuite DheRsaAes128 = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;
    private const TlsCipherSuite RsaAes128 = TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256;

    [Theory]
    [InlineData(false, EcdheEcdsaAes128)]
    [InlineData(true, EcdheEcdsaChaCha)]
    public void TheClientsOrderUnlessTheServerPrefersItsOwn(bool serverPreference, TlsCipherSuite expected)
    {
        // Our order (OpenSSL's) puts ChaCha20 before AES-128-GCM.
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings() with { PreferServerCipherSuites = serverPreference })
            .Start(EcdheEcdsaAes128, EcdheEcdsaChaCha);
        Assert.Equal(expected, client.ServerHello!.CipherSuite);
    }

    [Theory]
    [InlineData(ServerKeyType.EcdsaP256, EcdheEcdsaAes128)]
    [InlineData(ServerKeyType.Ed25519, EcdheEcdsaAes128)]
    [InlineData(ServerKeyType.Rsa2048, EcdheRsaAes128)]
    public void TheSuitesAuthenticationFollowsTheKey(ServerKeyType key, TlsCipherSuite expected)
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(key)).Start(EcdheRsaAes128, EcdheEcdsaAes128);
        Assert.Equal(expected, client.ServerHello!.CipherSuite);
    }

    [Fact]
    public void AnRsaKeyWithOnlyEcdsaSuitesOfferedIsHandshakeFailure()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048)).Start(EcdheEcdsaAes128, EcdheEcdsaChaCha);
        Tls12ServerHandshakeTests.AssertFailure(client, AlertDescription.HandshakeFailure);
    }

    [Fact]
    public void RsaKeyTransportNeedsAnRsaKey()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.EcdsaP256)).Start(RsaAes128);
        Tls12ServerHandshakeTests.AssertFailure(client, AlertDescription.HandshakeFailure);
    }

    [Fact]
    public void WithoutSignatureAlgorithmsOnlyRsaKeyTransportRemains()
    {
        // RFC 5246 section 7.4.1.4.1: such a client takes SHA-1 signatures only, which this library never makes.
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048));
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions().Where(e => e.Type != ExtensionType.SignatureAlgorithms).ToList();
        client.Start(client.MakeHello([EcdheRsaAes128, RsaAes128], extensions)).Finish();
        Assert.Equal(RsaAes128, client.ServerHello!.CipherSuite);
    }

    [Fact]
    public void TheServerKeyExchangeSchemeIsTheClientsFirstThatTheKeyCanMakeAndWeEnable()
    {
        TlsConfig settings = Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048) with
        {
            SignatureSchemes = [SignatureScheme.RsaPssRsaeSha256, SignatureScheme.RsaPkcs1Sha384, SignatureScheme.RsaPkcs1Sha256],
        };
        using var client = new Tls12TestClient(settings);
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions();
        extensions[2] = new SignatureAlgorithmsExtension([SignatureScheme.EcdsaSecp256r1Sha256, SignatureScheme.RsaPkcs1Sha512, SignatureScheme.RsaPkcs1Sha384, SignatureScheme.RsaPssRsaeSha256]);
        client.Start(client.MakeHello([EcdheRsaAes128], extensions)).Finish();
        Assert.Equal(SignatureScheme.RsaPkcs1Sha384, client.ServerKeyExchange!.Algorithm);
        Assert.Equal(SignatureScheme.RsaPkcs1Sha384, client.Server.SignatureScheme);
    }

    [Fact]
    public void NoSchemeTheKeyCanMakeRulesOutTheSignedSuites()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.EcdsaP256));
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions();
        extensions[2] = new SignatureAlgorithmsExtension([SignatureScheme.RsaPssRsaeSha256, SignatureScheme.Ed25519]);
        client.Start(client.MakeHello([EcdheEcdsaAes128], extensions));
        Tls12ServerHandshakeTests.AssertFailure(client, AlertDescription.HandshakeFailure);
    }

    [Fact]
    public void AnEcKeyOnACurveTheClientDoesNotNameCannotServe()
    {
        // RFC 8422 section 5.1: the certificate's curve must be one the client supports.
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.EcdsaP384));
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions();
        extensions[0] = new SupportedGroupsExtension([NamedGroup.X25519, NamedGroup.Secp256r1]);
        client.Start(client.MakeHello([EcdheEcdsaAes128], extensions));
        Tls12ServerHandshakeTests.AssertFailure(client, AlertDescription.HandshakeFailure);
    }

    [Theory]
    [InlineData(false, NamedGroup.Secp384r1)]
    [InlineData(true, NamedGroup.X25519)]
    public void TheCurveIsTheClientsFirstUnlessTheServerPrefersItsOwn(bool serverPreference, NamedGroup expected)
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048) with { PreferServerCipherSuites = serverPreference });
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions();
        extensions[0] = new SupportedGroupsExtension([NamedGroup.Secp384r1, NamedGroup.X25519]);
        client.Start(client.MakeHello([EcdheRsaAes128], extensions)).Finish();
        Assert.Equal(expected, client.Server.NamedGroup);
    }

    [Fact]
    public void WithoutSupportedGroupsTheCurveIsSecp256r1()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.EcdsaP384));
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions().Where(e => e.Type != ExtensionType.SupportedGroups).ToList();
        client.Start(client.MakeHello([EcdheEcdsaAes128], extensions)).Finish();
        Assert.Equal(NamedGroup.Secp256r1, client.Server.NamedGroup);
    }

    [Fact]
    public void KemGroupsAndFfdheAreNotCurves()
    {
        TlsConfig settings = Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048) with
        {
            Groups = [KeyExchangeGroups.X25519MlKem768, KeyExchangeGroups.Ffdhe2048, KeyExchangeGroups.Secp521r1],
        };
        using var client = new Tls12TestClient(settings);
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions();
        extensions[0] = new SupportedGroupsExtension([NamedGroup.X25519MLKEM768, NamedGroup.Ffdhe2048, NamedGroup.Secp521r1]);
        client.Start(client.MakeHello([EcdheRsaAes128], extensions)).Finish();
        Assert.Equal(NamedGroup.Secp521r1, client.Server.NamedGroup);
    }

    // ---- DHE ------------------------------------------------------------------------------------------------------

    [Fact]
    public void DheUsesAnRfc7919GroupTheClientNamesWithoutParametersOfOurOwn()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048));
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions();
        extensions[0] = new SupportedGroupsExtension([NamedGroup.X25519, NamedGroup.Ffdhe3072, NamedGroup.Ffdhe2048]);
        client.Start(client.MakeHello([DheRsaAes128], extensions)).Finish();
        Assert.Equal(NamedGroup.Ffdhe3072, client.Server.NamedGroup);
        Assert.Equal(KeyExchanges.Ffdhe3072.Prime, ((DheServerKeyExchange)client.ServerKeyExchange!).P);
    }

    [Fact]
    public void DheUsesOurParametersWhenTheClientNamesNoFfdheGroup()
    {
        FiniteFieldKeyExchange group = FiniteFieldKeyExchange.FromDhParameters(
            new DerSequence(new DerInteger(DHStandardGroups.rfc3526_2048.P), new DerInteger(DHStandardGroups.rfc3526_2048.G)).GetDerEncoded(), x942: false, out _);
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048) with { DhParameters = group }).Start(DheRsaAes128).Finish();
        Assert.Null(client.Server.NamedGroup);
        Assert.Equal(DHStandardGroups.rfc3526_2048.P.ToByteArrayUnsigned(), ((DheServerKeyExchange)client.ServerKeyExchange!).P);
        Assert.Equal([2], ((DheServerKeyExchange)client.ServerKeyExchange!).G);
    }

    [Fact]
    public void OurParametersServeAClientNamingTheirGroupWhenOurGroupsLackIt()
    {
        TlsConfig settings = Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048) with
        {
            Groups = [KeyExchangeGroups.X25519],
            DhParameters = KeyExchanges.Ffdhe3072,
        };
        using var client = new Tls12TestClient(settings);
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions();
        extensions[0] = new SupportedGroupsExtension([NamedGroup.Ffdhe2048, NamedGroup.Ffdhe3072]);
        client.Start(client.MakeHello([DheRsaAes128], extensions)).Finish();
        Assert.Equal(NamedGroup.Ffdhe3072, client.Server.NamedGroup);
    }

    [Fact]
    public void NoDheWithoutParametersOrAnFfdheGroup()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048)).Start(DheRsaAes128, EcdheRsaAes128);
        Assert.Equal(EcdheRsaAes128, client.ServerHello!.CipherSuite);
        using var only = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048)).Start(DheRsaAes128);
        Tls12ServerHandshakeTests.AssertFailure(only, AlertDescription.HandshakeFailure);
    }

    [Fact]
    public void AClientNamingOnlyFfdheGroupsWeLackGetsNoDheEvenWithOurParameters()
    {
        // RFC 7919 section 4: any FFDHE code point in supported_groups, none acceptable: no FFDHE suite.
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048) with { DhParameters = KeyExchanges.Ffdhe2048 });
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions();
        extensions[0] = new SupportedGroupsExtension([NamedGroup.X25519, (NamedGroup)0x01FF]);
        client.Start(client.MakeHello([DheRsaAes128, RsaAes128], extensions));
        Assert.Equal(RsaAes128, client.ServerHello!.CipherSuite);
    }
}
