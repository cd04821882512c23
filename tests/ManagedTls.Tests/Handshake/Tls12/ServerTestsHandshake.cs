using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;
using ManagedTls.X509.Store;
using ServerHelloStep = ManagedTls.Handshake.Tls12.Tls12ServerHello;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>Full TLS 1.2 handshakes with the server, driven by <see cref="Tls12TestClient"/>, and the client's flight broken at each step.</summary>
public class Tls12ServerHandshakeTests
{
    /// <summary>Every TLS 1.2 suite with each key that can serve it: RSA for RSA suites, P-256, P-384 and Ed25519 for ECDSA suites.</summary>
    public static TheoryData<string, ServerKeyType> SuitesAndKeys()
    {
        var data = new TheoryData<string, ServerKeyType>();
        foreach (CipherSuiteInfo suite in CipherSuiteRegistry.Tls12Suites)
        {
            ServerKeyType[] keys = suite.Authentication.Algorithm == AuthenticationAlgorithm.Rsa
                ? [ServerKeyType.Rsa2048]
                : [ServerKeyType.EcdsaP256, ServerKeyType.EcdsaP384, ServerKeyType.Ed25519];
            foreach (ServerKeyType key in keys)
            {
                data.Add(suite.IanaName, key);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SuitesAndKeys))]
    public void EverySuiteCompletesWithEachKey(string suiteName, ServerKeyType key)
    {
        CipherSuiteInfo suite = CipherSuiteRegistry.FindByIanaName(suiteName)!;
        var keyLog = new List<string>();
        TlsConfig settings = Tls12TestClient.ServerSettings(key) with { DhParameters = KeyExchanges.Ffdhe2048, KeyLog = keyLog.Add };
        using var client = new Tls12TestClient(settings).Start(suite.Suite);
        client.Finish();
        Assert.Equal(suite, client.Server.CipherSuite);
        Assert.Equal(ProtocolVersion.Tls12, client.Server.Version);
        Assert.Equal(suite.Cbc is not null, client.EncryptThenMac);
        Assert.True(client.ExtendedMasterSecret);
        Assert.Equal($"CLIENT_RANDOM {Convert.ToHexString(client.Random).ToLowerInvariant()} {Convert.ToHexString(client.Master!.Secret).ToLowerInvariant()}", Assert.Single(keyLog));
        switch (suite.KeyExchange.Algorithm)
        {
            case SuiteKeyExchange.Ecdhe:
                Assert.Equal(NamedGroup.X25519, client.Server.NamedGroup);
                CheckSignature(client, key);
                break;
            case SuiteKeyExchange.Dhe:
                Assert.Equal(NamedGroup.Ffdhe2048, client.Server.NamedGroup);
                CheckSignature(client, key);
                break;
            default:
                Assert.Null(client.ServerKeyExchange);
                Assert.Null(client.Server.NamedGroup);
                Assert.Null(client.Server.SignatureScheme);
                break;
        }

        ExchangeData(client);
    }

    [Theory]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)]
    [InlineData(TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA256)]
    [InlineData(TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)]
    public void WithoutExtendedMasterSecretOrEncryptThenMac(TlsCipherSuite suite)
    {
        var keyLog = new List<string>();
        TlsConfig settings = Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048) with { DhParameters = KeyExchanges.Ffdhe2048, KeyLog = keyLog.Add };
        using var client = new Tls12TestClient(settings);
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions()
            .Where(e => e.Type is not (ExtensionType.ExtendedMasterSecret or ExtensionType.EncryptThenMac)).ToList();
        client.Start(client.MakeHello([suite], extensions)).Finish();
        Assert.False(client.ExtendedMasterSecret);
        Assert.False(client.EncryptThenMac);
        Assert.EndsWith(Convert.ToHexString(client.Master!.Secret).ToLowerInvariant(), Assert.Single(keyLog), StringComparison.Ordinal);
        ExchangeData(client);
    }

    [Fact]
    public void TheExporterIsRfc5705OverTheMasterSecret()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings()).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).Finish();
        byte[] context = [1, 2, 3];
        Assert.Equal(
            client.Master!.Export("EXPERIMENTAL test", client.Random, client.ServerHello!.Random, context, 40),
            client.Server.ExportKeyingMaterial("EXPERIMENTAL test", context, 40));
    }

    [Fact]
    public void ARenegotiationAttemptIsRefusedWithAWarningAndTheConnectionGoesOn()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings()).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256).Finish();
        client.SendHandshake(client.MakeHello([TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]).Encode());
        Assert.Null(client.ServerFailure);
        Assert.Equal(AlertDescription.NoRenegotiation, client.ReadAlert());
        ExchangeData(client);
    }

    // ---- client certificates --------------------------------------------------------------------------------------

    [Theory]
    [InlineData(ServerKeyType.Rsa2048)]
    [InlineData(ServerKeyType.EcdsaP256)]
    [InlineData(ServerKeyType.EcdsaP384)]
    [InlineData(ServerKeyType.Ed25519)]
    public void AClientCertificateIsVerifiedWithItsCertificateVerify(ServerKeyType clientKey)
    {
        var (der, key) = ConnectionTestKit.Leaf(clientKey);
        using var client = new Tls12TestClient(ClientAuth(required: true)).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
        CertificateRequest12 request = client.CertificateRequest!;
        Assert.Equal([ServerHelloStep.RsaSign, ServerHelloStep.EcdsaSign], request.CertificateTypes);
        Assert.Equal(SignatureSchemes.Default, request.SignatureAlgorithms);
        Assert.Equal(RawCertificate.Parse(ConnectionTestKit.RootDer).SubjectDer, Assert.Single(request.Authorities));
        client.Finish([der], key);
        Assert.Equal(der, client.Server.PeerCertificateChain[0]);
        Assert.True(client.Server.VerifyResult!.IsValid);
        Assert.Equal(SignatureSchemes.SignableBy(key, SignatureSchemes.Default, tls13: false)[0].Scheme, client.Server.ClientSignatureScheme);
        ExchangeData(client);
    }

    [Theory]
    [InlineData(SignatureScheme.RsaPkcs1Sha256)]
    [InlineData(SignatureScheme.RsaPssRsaeSha512)]
    public void TheClientMaySignWithAnyOfferedSchemeItsKeyFits(SignatureScheme scheme)
    {
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.Rsa2048);
        using var client = new Tls12TestClient(ClientAuth(required: true)).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.Finish([der], key, scheme);
        Assert.Equal(scheme, client.Server.ClientSignatureScheme);
    }

    [Fact]
    public void NoCertificateWhenOneIsRequiredIsHandshakeFailure()
    {
        using var client = new Tls12TestClient(ClientAuth(required: true)).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendCertificate([]);
        AssertFailure(client, AlertDescription.HandshakeFailure);
    }

    [Fact]
    public void NoCertificateWhenOneIsOptionalCompletes()
    {
        using var client = new Tls12TestClient(ClientAuth(required: false)).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).Finish();
        Assert.Empty(client.Server.PeerCertificateChain);
        Assert.Null(client.Server.ClientSignatureScheme);
    }

    [Fact]
    public void AnUntrustedClientCertificateIsUnknownCa()
    {
        var (der, _) = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256);
        using var client = new Tls12TestClient(ClientAuth(required: true) with { Trust = new TrustStore([ConnectionTestKit.OtherRootDer]) })
            .Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendCertificate([der]);
        AssertFailure(client, AlertDescription.UnknownCa);
    }

    [Fact]
    public void ACertificateWithoutCertificateVerifyIsUnexpectedMessage()
    {
        var (der, _) = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256);
        using var client = new Tls12TestClient(ClientAuth(required: true)).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendCertificate([der]);
        client.SendKeyExchange();
        client.SendChangeCipherSpec();
        AssertFailure(client, AlertDescription.UnexpectedMessage);
    }

    [Theory]
    [InlineData(ServerKeyType.Rsa2048, SignatureScheme.RsaPkcs1Sha1)]
    [InlineData(ServerKeyType.EcdsaP256, SignatureScheme.EcdsaSha1)]
    [InlineData(ServerKeyType.Rsa2048, SignatureScheme.EcdsaSecp256r1Sha256)]
    [InlineData(ServerKeyType.EcdsaP256, SignatureScheme.RsaPssRsaeSha256)]
    [InlineData(ServerKeyType.Ed25519, SignatureScheme.Ed448)]
    public void ACertificateVerifyWithASchemeNotOfferedOrNotFittingTheKeyIsIllegalParameter(ServerKeyType clientKey, SignatureScheme scheme)
    {
        var (der, _) = ConnectionTestKit.Leaf(clientKey);
        using var client = new Tls12TestClient(ClientAuth(required: true)).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendCertificate([der]);
        client.SendKeyExchange();
        client.SendHandshake(new CertificateVerify(scheme, new byte[64]).Encode());
        AssertFailure(client, AlertDescription.IllegalParameter);
    }

    [Fact]
    public void ACertificateVerifyThatDoesNotVerifyIsDecryptError()
    {
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256);
        using var client = new Tls12TestClient(ClientAuth(required: true)).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendCertificate([der]);
        client.SendKeyExchange();
        // The scheme is fine, the signature covers other bytes.
        client.SendCertificateVerify(key, SignatureScheme.EcdsaSecp384r1Sha384, _ => key.Sign(SignatureAlgorithm.EcdsaP256Sha256, [1, 2, 3], OsEntropy.Instance));
        AssertFailure(client, AlertDescription.DecryptError);
    }

    [Fact]
    public void ACertificateWhenNoneWasRequestedIsUnexpectedMessage()
    {
        var (der, _) = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256);
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings()).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendCertificate([der]);
        AssertFailure(client, AlertDescription.UnexpectedMessage);
    }

    // ---- the key exchange -----------------------------------------------------------------------------------------

    [Theory]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 32)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 31)]
    [InlineData(TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, 1)]
    [InlineData(TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, 257)]
    public void AnInvalidKeyShareIsIllegalParameter(TlsCipherSuite suite, int length)
    {
        ServerKeyType key = suite == TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 ? ServerKeyType.Rsa2048 : ServerKeyType.EcdsaP256;
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(key) with { DhParameters = KeyExchanges.Ffdhe2048 }).Start(suite);

        // All zeros: the X25519 point of small order, a 31-byte point, DH values 0 and of more than |p| bytes.
        client.SendKeyExchange(_ => new byte[length]);
        AssertFailure(client, AlertDescription.IllegalParameter);
    }

    [Fact]
    public void ANistPointNotOnTheCurveIsIllegalParameter()
    {
        TlsConfig settings = Tls12TestClient.ServerSettings();
        using var client = new Tls12TestClient(settings);
        List<TlsExtension> extensions = Tls12TestClient.DefaultExtensions();
        extensions[0] = new SupportedGroupsExtension([NamedGroup.Secp256r1]);
        client.Start(client.MakeHello([TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256], extensions));
        Assert.Equal(NamedGroup.Secp256r1, ((EcdheServerKeyExchange)client.ServerKeyExchange!).Group);
        client.SendKeyExchange(point =>
        {
            point[^1] ^= 1;
            return point;
        });
        AssertFailure(client, AlertDescription.IllegalParameter);
    }

    [Theory]
    [InlineData(0x0302)]
    [InlineData(0x0304)]
    public void AnRsaPremasterWithAnotherVersionFailsOnlyAtTheFinished(int version)
    {
        // The server must not tell a wrong premaster version from a right one: it goes on with a random premaster, and
        // the client's Finished, sealed under keys the server does not have, fails to authenticate.
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048)).Start(TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256);
        client.SendKeyExchange(premasterVersion: (ushort)version);
        Assert.Null(client.ServerFailure);
        client.SendChangeCipherSpec();
        Assert.Null(client.ServerFailure);
        client.SendFinished();
        AssertFailure(client, AlertDescription.BadRecordMac);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    public void AMalformedRsaCiphertextFailsOnlyAtTheFinished(int lengthChange)
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings(ServerKeyType.Rsa2048)).Start(TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256);
        client.SendKeyExchange(ciphertext =>
        {
            byte[] changed = new byte[ciphertext.Length + lengthChange];
            ciphertext.AsSpan(0, Math.Min(ciphertext.Length, changed.Length)).CopyTo(changed);
            changed[^1] ^= 0x55;
            return changed;
        });
        client.SendChangeCipherSpec();
        Assert.Null(client.ServerFailure);
        client.SendFinished();
        AssertFailure(client, AlertDescription.BadRecordMac);
    }

    // ---- change_cipher_spec and Finished --------------------------------------------------------------------------

    [Theory]
    [InlineData(new byte[] { 1, 1 })]
    [InlineData(new byte[] { 2 })]
    [InlineData(new byte[] { })]
    public void AChangeCipherSpecOtherThanTheByteOneIsIllegalParameter(byte[] body)
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings()).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendKeyExchange();
        if (body.Length == 0)
        {
            // An empty record of a type other than application_data is refused by the record layer first.
            client.Deliver(Tls12TestClient.Record(ContentType.ChangeCipherSpec, body));
            Assert.NotNull(client.ServerFailure);
            return;
        }

        client.Deliver(Tls12TestClient.Record(ContentType.ChangeCipherSpec, body));
        AssertFailure(client, AlertDescription.IllegalParameter);
    }

    [Fact]
    public void AChangeCipherSpecBeforeTheKeyExchangeIsUnexpectedMessage()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings()).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.Deliver(Tls12TestClient.Record(ContentType.ChangeCipherSpec, [1]));
        AssertFailure(client, AlertDescription.UnexpectedMessage);
    }

    [Fact]
    public void AFinishedWithoutChangeCipherSpecIsUnexpectedMessage()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings()).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendKeyExchange();
        client.SendFinished();
        AssertFailure(client, AlertDescription.UnexpectedMessage);
    }

    [Fact]
    public void ASecondChangeCipherSpecIsUnexpectedMessage()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings()).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendKeyExchange();
        client.SendChangeCipherSpec();
        client.Deliver(Tls12TestClient.Record(ContentType.ChangeCipherSpec, [1]));
        Assert.Equal(AlertDescription.UnexpectedMessage, client.ServerFailure?.Description);
    }

    [Theory]
    [InlineData(12, AlertDescription.DecryptError)]
    [InlineData(11, AlertDescription.DecodeError)]
    [InlineData(32, AlertDescription.DecodeError)]
    public void AWrongClientFinishedIsRefused(int length, AlertDescription alert)
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings()).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA);
        client.SendKeyExchange();
        client.SendChangeCipherSpec();
        client.SendFinished(new byte[length]);
        Assert.Equal(alert, client.ServerFailure?.Description);
        Assert.False(client.Server.IsHandshakeComplete);
    }

    [Fact]
    public void ApplicationDataBeforeTheHandshakeEndsIsRefused()
    {
        using var client = new Tls12TestClient(Tls12TestClient.ServerSettings()).Start(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        client.SendKeyExchange();
        client.SendChangeCipherSpec();
        client.SendApplicationData("early"u8.ToArray());
        Assert.Equal(AlertDescription.UnexpectedMessage, client.ServerFailure?.Description);
    }

    // ---- record_size_limit ----------------------------------------------------------------------------------------

    [Fact]
    public void RecordSizeLimitsCountPlaintextInTls12()
    {
        TlsConfig settings = Tls12TestClient.ServerSettings() with { RecordSizeLimit = 512 };
        using var client = new Tls12TestClient(settings);
        List<TlsExtension> extensions = [.. Tls12TestClient.DefaultExtensions(), new RecordSizeLimitExtension(256)];
        client.Start(client.MakeHello([TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256], extensions)).Finish();
        Assert.Equal(256, client.Server.PeerRecordSizeLimit);
        Assert.Equal(256, client.Server.MaxOutgoingFragmentLength);

        // 512 bytes of plaintext are within our limit; 513 are record_overflow.
        client.SendApplicationData(new byte[512]);
        Assert.Null(client.ServerFailure);
        client.SendApplicationData(new byte[513]);
        Assert.Equal(AlertDescription.RecordOverflow, client.ServerFailure?.Description);
    }

    internal static void AssertFailure(Tls12TestClient client, AlertDescription alert)
    {
        Assert.Equal(alert, client.ServerFailure?.Description);
        Assert.Equal(alert, client.ReadAlert());
        Assert.False(client.Server.IsHandshakeComplete);
    }

    private static TlsConfig ClientAuth(bool required) => Tls12TestClient.ServerSettings() with
    {
        RequestClientCertificate = true,
        RequireClientCertificate = required,
        Trust = new TrustStore([ConnectionTestKit.RootDer]),
    };

    // The ServerKeyExchange signature verifies under the certificate's key with the scheme it names.
    private static void CheckSignature(Tls12TestClient client, ServerKeyType key)
    {
        ServerKeyExchange ske = client.ServerKeyExchange!;
        Assert.Equal(ske.Algorithm, client.Server.SignatureScheme);
        SignatureSchemeInfo info = SignatureSchemes.Find(ske.Algorithm)!;
        byte[] content = [.. client.Random, .. client.ServerHello!.Random, .. ske.EncodeParams()];
        PublicKey publicKey = CertificatePublicKey.FromCertificate(ConnectionTestKit.Leaf(key).Der);
        Assert.True(publicKey.Verify(info.Algorithm, content, ske.Signature));

        // The client's most preferred scheme the key can make (TLS 1.2 does not bind the ECDSA curve to the hash).
        Assert.Equal(SignatureSchemes.SignableBy(ConnectionTestKit.Leaf(key).Key, SignatureSchemes.Default, tls13: false)[0].Scheme, ske.Algorithm);
    }

    private static void ExchangeData(Tls12TestClient client)
    {
        client.SendApplicationData(Encoding.ASCII.GetBytes("ping"));
        Assert.Null(client.ServerFailure);
        Assert.Equal("ping", Encoding.ASCII.GetString(ConnectionPair.ReadAll(client.Server)));
        client.Server.WriteApplicationData(Encoding.ASCII.GetBytes("pong"));
        Assert.Equal("pong", Encoding.ASCII.GetString(client.ReadApplicationData()));
    }
}
