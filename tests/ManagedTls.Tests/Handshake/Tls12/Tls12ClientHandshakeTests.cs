using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Tests.Connection;
using ManagedTls.Tests.X509;
using ManagedTls.Wire;
using ManagedTls.X509;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// The TLS 1.2 client against a scripted TLS 1.2 server in memory: every suite and key exchange, the extensions that
/// change the keys (extended_master_secret, encrypt_then_mac), client certificates, tickets, ALPN, record_size_limit,
/// tls-unique and the exporter, and each way the server can get a step wrong, with the alert the client sends.
/// </summary>
public class Tls12ClientHandshakeTests
{
    public static TheoryData<string> AllSuites()
    {
        var data = new TheoryData<string>();
        foreach (CipherSuiteInfo suite in CipherSuiteRegistry.Tls12Suites)
        {
            data.Add(suite.IanaName);
        }

        return data;
    }

    internal static CipherSuiteInfo Suite(string name) => CipherSuiteRegistry.FindByIanaName(name)!;

    /// <summary>A client offering only TLS 1.2 and <paramref name="suite"/>, trusting the test root.</summary>
    internal static TlsConfig Client(CipherSuiteInfo suite) => ConnectionTestKit.Client() with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = [suite],
    };

    // RSA key transport needs keyEncipherment in the leaf's keyUsage; the kit's leaves have only digitalSignature.
    internal static readonly Lazy<(byte[] Der, PrivateKey Key)> RsaEncipherment =
        new(() => ConnectionTestKit.CustomLeaf(ServerKeyType.Rsa2048, s => s.KeyUsage = KeyUsage.KeyEncipherment | KeyUsage.DigitalSignature));

    internal static Tls12ServerOptions Server(CipherSuiteInfo suite) => new()
    {
        Suite = suite,
        KeyType = suite.Authentication.Algorithm == AuthenticationAlgorithm.Ecdsa ? ServerKeyType.EcdsaP256 : ServerKeyType.Rsa2048,
        Certificate = suite.KeyExchange.Algorithm == SuiteKeyExchange.Rsa ? RsaEncipherment.Value : null,
    };

    [Theory]
    [MemberData(nameof(AllSuites))]
    public void EverySuiteCompletesAndCarriesData(string name)
    {
        CipherSuiteInfo suite = Suite(name);
        using var pair = new Tls12ClientPair(Client(suite), Server(suite));
        pair.Handshake();
        TlsConnectionAssert.Tls12(pair, suite);
    }

    [Theory]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false, false)]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", true, false)]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false, true)]
    [InlineData("TLS_RSA_WITH_AES_256_CBC_SHA256", false, false)]
    [InlineData("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", false, true)]
    [InlineData("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", true, false)]
    public void ExtendedMasterSecretAndEncryptThenMacOnAndOff(string name, bool extendedMasterSecret, bool encryptThenMac)
    {
        CipherSuiteInfo suite = Suite(name);
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { ExtendedMasterSecret = extendedMasterSecret, EncryptThenMac = encryptThenMac });
        pair.Handshake();
        Assert.Equal(extendedMasterSecret, pair.Server.Agreed.ExtendedMasterSecret);

        // encrypt_then_mac echoed for an AEAD suite is meaningless and ignored by both sides.
        Assert.Equal(encryptThenMac && suite.Cipher.Aead is null, pair.Server.Agreed.EncryptThenMac);
        TlsConnectionAssert.Tls12(pair, suite);
    }

    [Theory]
    [InlineData(NamedGroup.X25519)]
    [InlineData(NamedGroup.X448)]
    [InlineData(NamedGroup.Secp256r1)]
    [InlineData(NamedGroup.Secp384r1)]
    [InlineData(NamedGroup.Secp521r1)]
    public void EveryEcdheCurve(NamedGroup group)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        TlsConfig client = Client(suite) with { Groups = [KeyExchangeGroups.Find(group)!] };
        using var pair = new Tls12ClientPair(client, Server(suite) with { Group = group });
        pair.Handshake();
        Assert.Equal(group, pair.Client.NamedGroup);
        TlsConnectionAssert.Tls12(pair, suite);
    }

    [Theory]
    [InlineData(3072, NamedGroup.Ffdhe3072)]
    [InlineData(2048, NamedGroup.Ffdhe2048)]
    public void DheWithRfc7919Groups(int bits, NamedGroup group)
    {
        CipherSuiteInfo suite = Suite("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
        FiniteFieldKeyExchange dh = bits == 3072 ? KeyExchanges.Ffdhe3072 : KeyExchanges.Ffdhe2048;
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { DheGroup = dh });
        pair.Handshake();
        Assert.Equal(group, pair.Client.NamedGroup);
        TlsConnectionAssert.Tls12(pair, suite);
    }

    /// <summary>RFC 2409's 1024-bit MODP prime: refused at Python's level 2 ("dh key too small", handshake_failure), accepted at level 1.</summary>
    [Theory]
    [InlineData(2, false)]
    [InlineData(1, true)]
    public void DhePrimeBelowTheSecurityLevelIsHandshakeFailure(int level, bool accepted)
    {
        CipherSuiteInfo suite = Suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
        FiniteFieldKeyExchange modp1024 = FiniteFieldKeyExchange.FromServerParameters(Convert.FromHexString(
            "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
            "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
            "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF"), [2], minimumPrimeBits: 0);
        using var pair = new Tls12ClientPair(Client(suite) with { SecurityLevel = level }, Server(suite) with { DheGroup = modp1024 });
        if (accepted)
        {
            pair.Handshake();
            Assert.Null(pair.Client.NamedGroup);
            return;
        }

        TlsAlertException e = pair.Fails();
        Assert.Equal(AlertDescription.HandshakeFailure, e.Description);
        Assert.Contains("dh key too small", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ServerKeyType.Ed25519, null, SignatureScheme.Ed25519)]
    [InlineData(ServerKeyType.EcdsaP384, SignatureScheme.EcdsaSecp256r1Sha256, SignatureScheme.EcdsaSecp256r1Sha256)]
    [InlineData(ServerKeyType.EcdsaP256, SignatureScheme.EcdsaSecp521r1Sha512, SignatureScheme.EcdsaSecp521r1Sha512)]
    [InlineData(ServerKeyType.Rsa2048, SignatureScheme.RsaPkcs1Sha384, SignatureScheme.RsaPkcs1Sha384)]
    [InlineData(ServerKeyType.Rsa2048, SignatureScheme.RsaPssRsaeSha512, SignatureScheme.RsaPssRsaeSha512)]
    public void ServerKeyExchangeSignatures(ServerKeyType key, SignatureScheme? scheme, SignatureScheme expected)
    {
        // TLS 1.2 binds no curve to an ECDSA scheme and allows PKCS#1 v1.5.
        CipherSuiteInfo suite = Suite(key == ServerKeyType.Rsa2048 ? "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" : "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { KeyType = key, Scheme = scheme });
        pair.Handshake();
        Assert.Equal(expected, pair.Client.SignatureScheme);
    }

    [Theory]
    [InlineData(ServerKeyType.EcdsaP384, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", SignatureScheme.EcdsaSecp384r1Sha384)]
    [InlineData(ServerKeyType.EcdsaP256, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", SignatureScheme.EcdsaSecp256r1Sha256)]
    [InlineData(ServerKeyType.Rsa2048, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", SignatureScheme.RsaPssRsaeSha256)]
    [InlineData(ServerKeyType.Ed25519, "TLS_RSA_WITH_AES_128_GCM_SHA256", SignatureScheme.Ed25519)]
    public void ClientCertificateIsSignedOverTheHandshakeMessages(ServerKeyType key, string name, SignatureScheme expected)
    {
        CipherSuiteInfo suite = Suite(name);
        var (der, privateKey) = ConnectionTestKit.Leaf(key);
        TlsConfig client = Client(suite) with { CertificateChain = [der], PrivateKey = privateKey };
        using var pair = new Tls12ClientPair(client, Server(suite) with { RequestCertificateTypes = [1, 64] });
        pair.Handshake();
        Assert.Equal(expected, pair.Client.ClientSignatureScheme);
        Assert.Equal(expected, pair.Server.ClientSignatureScheme);
        Assert.Equal(der, Assert.Single(pair.Server.ClientChain!));
        Assert.Single(pair.Client.CertificateAuthorities);
        TlsConnectionAssert.Tls12(pair, suite);
    }

    /// <summary>With no certificate, or one of a type the server did not list, the client sends an empty Certificate and no CertificateVerify.</summary>
    [Theory]
    [InlineData(false, new byte[] { 1, 64 })]
    [InlineData(true, new byte[] { 1 })]
    public void ClientWithoutAFittingCertificateSendsAnEmptyOne(bool hasCertificate, byte[] types)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        var (der, privateKey) = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256);
        TlsConfig client = hasCertificate ? Client(suite) with { CertificateChain = [der], PrivateKey = privateKey } : Client(suite);
        using var pair = new Tls12ClientPair(client, Server(suite) with { RequestCertificateTypes = types });
        pair.Handshake();
        Assert.Empty(pair.Server.ClientChain!);
        Assert.Null(pair.Server.ClientSignatureScheme);
        Assert.Null(pair.Client.ClientSignatureScheme);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4 }, true)]
    [InlineData(new byte[0], false)]
    public void NewSessionTicketIsKept(byte[] ticket, bool kept)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { Ticket = ticket });
        pair.Handshake();
        Assert.Equal(kept ? ticket : null, pair.Client.Tls12Ticket?.Ticket);
        TlsConnectionAssert.Tls12(pair, suite);
    }

    [Fact]
    public void WithoutTicketsOfferedNothingIsKept()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite));
        pair.Handshake();
        Assert.Null(pair.Client.Tls12Ticket);
    }

    [Fact]
    public void Alpn()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        TlsConfig client = Client(suite) with { AlpnProtocols = ["h2"u8.ToArray(), "http/1.1"u8.ToArray()] };
        using var pair = new Tls12ClientPair(client, Server(suite) with { Alpn = "http/1.1"u8.ToArray() });
        pair.Handshake();
        Assert.Equal("http/1.1"u8.ToArray(), pair.Client.AlpnProtocol);
    }

    /// <summary>
    /// RFC 8449 in TLS 1.2: the limit counts plaintext, with no content type byte. The client's records carry at most
    /// the server's limit; a record above the client's own limit is record_overflow; unprotected records are not limited.
    /// </summary>
    [Theory]
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")]
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384")]
    public void RecordSizeLimitCountsPlaintext(string name)
    {
        CipherSuiteInfo suite = Suite(name);
        using var pair = new Tls12ClientPair(Client(suite) with { RecordSizeLimit = 256 }, Server(suite) with { RecordSizeLimit = 512 });
        pair.Handshake();
        Assert.Equal(512, pair.Client.PeerRecordSizeLimit);
        Assert.Equal(512, pair.Client.MaxOutgoingFragmentLength);
        pair.Client.WriteApplicationData(new byte[2000]);
        pair.Server.SendApplicationData(new byte[256]);
        pair.Pump();
        Assert.Equal([512, 512, 512, 464], pair.Server.ClientRecords.Where(r => r.Type == ContentType.ApplicationData).Select(r => r.PlaintextLength));
        Assert.Equal(256, pair.Client.PendingApplicationData);

        pair.Server.SendApplicationData(new byte[257]);
        pair.Pump();
        Assert.Equal(AlertDescription.RecordOverflow, pair.ClientError?.Description);
    }

    [Fact]
    public void WarningAlertsAreToleratedUpToTheBound()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { WarningsBeforeHello = 2 });
        pair.Handshake();
        for (int i = 0; i < 4; i++)
        {
            pair.Server.SendAlert(AlertLevel.Warning, AlertDescription.UnrecognizedName);
        }

        pair.Server.SendApplicationData([1]);
        for (int i = 0; i < 4; i++)
        {
            pair.Server.SendAlert(AlertLevel.Warning, AlertDescription.UserCanceled);
        }

        pair.Pump();
        Assert.Null(pair.ClientError);
        Assert.Equal(1, pair.Client.PendingApplicationData);

        pair.Server.SendAlert(AlertLevel.Warning, AlertDescription.BadCertificate);
        pair.Pump();
        Assert.Equal(AlertDescription.UnexpectedMessage, pair.ClientError?.Description);
    }

    [Theory]
    [InlineData(AlertLevel.Warning, AlertDescription.NoRenegotiation, AlertDescription.HandshakeFailure, false)]
    [InlineData(AlertLevel.Fatal, AlertDescription.UnrecognizedName, AlertDescription.UnrecognizedName, true)]
    [InlineData((AlertLevel)3, AlertDescription.UnrecognizedName, AlertDescription.IllegalParameter, false)]
    public void OtherAlertsEndTheConnection(AlertLevel level, AlertDescription description, AlertDescription expected, bool received)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite));
        pair.Handshake();
        pair.Server.SendAlert(level, description);
        pair.Pump();
        Assert.Equal(expected, pair.ClientError?.Description);
        Assert.Equal(received, pair.ClientError!.Received);
    }

    [Fact]
    public void CloseNotifyClosesTheConnection()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite));
        pair.Handshake();
        pair.Server.SendApplicationData([9]);
        pair.Server.SendAlert(AlertLevel.Warning, AlertDescription.CloseNotify);
        pair.Pump();
        Assert.True(pair.Client.PeerClosed);
        Assert.Equal([9], ConnectionPair.ReadAll(pair.Client));
    }

    /// <summary>
    /// A HelloRequest during the handshake is ignored (RFC 5246 section 7.4.1.1); after it, with renegotiation off
    /// (<c>OP_NO_RENEGOTIATION</c>), refused with a no_renegotiation warning.
    /// </summary>
    [Fact]
    public void HelloRequest()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        using var pair = new Tls12ClientPair(Client(suite) with { RefuseRenegotiation = true }, Server(suite) with { HelloRequestBefore = HandshakeType.ServerKeyExchange });
        pair.Handshake();
        pair.Server.SendRawHandshake(new ManagedTls.Wire.Messages.HelloRequest().Encode());
        pair.Pump();
        Assert.Null(pair.ClientError);
        Assert.Equal((1, AlertDescription.NoRenegotiation), Assert.Single(pair.Server.Alerts));
        TlsConnectionAssert.Tls12(pair, suite);
    }

    [Fact]
    public void LegacyServerConnectAllowsAServerWithoutRenegotiationInfo()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        using var refused = new Tls12ClientPair(Client(suite), Server(suite) with { RenegotiationInfo = false });
        Assert.Equal(AlertDescription.HandshakeFailure, refused.Fails().Description);

        using var pair = new Tls12ClientPair(Client(suite) with { LegacyServerConnect = true }, Server(suite) with { RenegotiationInfo = false });
        pair.Handshake();
        TlsConnectionAssert.Tls12(pair, suite);
    }

    [Fact]
    public void KeyLogHasTheMasterSecret()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");
        var lines = new List<string>();
        using var pair = new Tls12ClientPair(Client(suite) with { KeyLog = lines.Add }, Server(suite));
        pair.Handshake();
        string line = Assert.Single(lines);
        Assert.StartsWith("CLIENT_RANDOM " + Convert.ToHexStringLower(pair.Server.ClientHello!.Random) + " ", line, StringComparison.Ordinal);
    }

    /// <summary>A client offering TLS 1.3 too settles on TLS 1.2 with a TLS 1.2 server, sending its TLS 1.3 offer unused.</summary>
    [Fact]
    public void Tls13And12ClientSettlesOnTls12()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite) with { MaximumVersion = ProtocolVersion.Tls13 }, Server(suite));
        pair.Handshake();
        Assert.Equal(32, pair.Server.ClientHello!.SessionId.Length);
        TlsConnectionAssert.Tls12(pair, suite);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void DowngradeSentinelWhileOfferingTls13IsIllegalParameter(byte last)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        byte[] random = new byte[32];
        "DOWNGRD"u8.CopyTo(random.AsSpan(24));
        random[31] = last;
        using var pair = new Tls12ClientPair(Client(suite) with { MaximumVersion = ProtocolVersion.Tls13 }, Server(suite) with { Random = random });
        Assert.Equal(AlertDescription.IllegalParameter, pair.Fails().Description);

        // Offering only TLS 1.2, the sentinel means nothing (RFC 8446 section 4.1.3 binds TLS 1.3 clients).
        using var only12 = new Tls12ClientPair(Client(suite), Server(suite) with { Random = random });
        only12.Handshake();
    }

    // ---- The server gets a step wrong ----

    [Fact]
    public void ServerFinishedThatDoesNotVerifyIsDecryptError()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { Edit = m => Flip(m, HandshakeType.Finished, ^1) });
        Assert.Equal(AlertDescription.DecryptError, pair.Fails().Description);
    }

    [Theory]
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")]
    [InlineData("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")]
    public void ServerKeyExchangeSignatureThatDoesNotVerifyIsDecryptError(string name)
    {
        CipherSuiteInfo suite = Suite(name);

        // The last byte of an RSA signature, or of an ECDSA signature's s, changed.
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { Edit = m => Flip(m, HandshakeType.ServerKeyExchange, ^1) });
        Assert.Equal(AlertDescription.DecryptError, pair.Fails().Description);
    }

    [Fact]
    public void ServerKeyExchangeParamsChangedAfterSigningIsDecryptError()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");

        // A byte of the x25519 point (header 4, curve_type 1, namedcurve 2, length 1).
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { Edit = m => Flip(m, HandshakeType.ServerKeyExchange, 10) });
        Assert.Equal(AlertDescription.DecryptError, pair.Fails().Description);
    }

    [Fact]
    public void ServerKeyExchangeCurveNotOfferedIsIllegalParameter()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        TlsConfig client = Client(suite) with { Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Ffdhe2048] };
        using var pair = new Tls12ClientPair(client, Server(suite) with { Group = NamedGroup.Secp256r1 });
        Assert.Equal(AlertDescription.IllegalParameter, pair.Fails().Description);
    }

    [Theory]
    [InlineData(SignatureScheme.RsaPkcs1Sha256)]
    [InlineData(SignatureScheme.EcdsaSecp384r1Sha384)]
    public void ServerKeyExchangeSchemeNotOfferedIsIllegalParameter(SignatureScheme scheme)
    {
        CipherSuiteInfo suite = Suite(scheme == SignatureScheme.EcdsaSecp384r1Sha384 ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        TlsConfig client = Client(suite) with { SignatureSchemes = ManagedTls.CipherSuites.SignatureSchemes.Default.Where(s => s != scheme).ToArray() };
        using var pair = new Tls12ClientPair(client, Server(suite) with { Scheme = scheme });
        Assert.Equal(AlertDescription.IllegalParameter, pair.Fails().Description);
    }

    [Fact]
    public void ServerKeyExchangeSchemeThatDoesNotFitTheKeyIsIllegalParameter()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");

        // An ECDSA signature labelled rsa_pss_rsae_sha256: the algorithm field sits before the signature's length and body.
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { Edit = m => RelabelSignature(m, SignatureScheme.RsaPssRsaeSha256) });
        Assert.Equal(AlertDescription.IllegalParameter, pair.Fails().Description);
    }

    [Theory]
    [InlineData(ServerKeyType.EcdsaP256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")]
    [InlineData(ServerKeyType.Rsa2048, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")]
    [InlineData(ServerKeyType.Ed25519, "TLS_RSA_WITH_AES_128_GCM_SHA256")]
    public void CertificateOfTheWrongKindIsIllegalParameter(ServerKeyType key, string name)
    {
        // Verification passes (both keyUsage bits); then the key does not fit the suite, as OpenSSL checks after verifying.
        CipherSuiteInfo suite = Suite(name);
        var leaf = ConnectionTestKit.CustomLeaf(key, s => s.KeyUsage = KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment);
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { KeyType = key, Certificate = leaf });
        Assert.Equal(AlertDescription.IllegalParameter, pair.Fails().Description);
    }

    /// <summary>
    /// RFC 5246 section 7.4.2: with RSA key transport the leaf's keyUsage must allow keyEncipherment, with (EC)DHE
    /// digitalSignature; part of verification (unsupported_certificate, OpenSSL's invalid purpose), so not checked with
    /// verification off.
    /// </summary>
    [Theory]
    [InlineData("TLS_RSA_WITH_AES_128_GCM_SHA256", KeyUsage.DigitalSignature)]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", KeyUsage.KeyEncipherment)]
    public void LeafKeyUsageMustFitTheKeyExchange(string name, int keyUsage)
    {
        CipherSuiteInfo suite = Suite(name);
        var leaf = ConnectionTestKit.CustomLeaf(ServerKeyType.Rsa2048, s => s.KeyUsage = keyUsage);
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { Certificate = leaf });
        Assert.Equal(AlertDescription.UnsupportedCertificate, pair.Fails().Description);

        using var unverified = new Tls12ClientPair(Client(suite) with { VerifyPeer = false, CheckHostname = false }, Server(suite) with { Certificate = leaf });
        unverified.Handshake();
    }

    [Fact]
    public void NewSessionTicketMissingWhenPromisedIsUnexpectedMessage()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { Ticket = [1], Edit = m => m[0] == (byte)HandshakeType.NewSessionTicket ? null : m });
        Assert.Equal(AlertDescription.UnexpectedMessage, pair.Fails().Description);
    }

    [Fact]
    public void ChangeCipherSpecWithAnotherBodyIsUnexpectedMessage()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { ChangeCipherSpecBody = [2] });
        Assert.Equal(AlertDescription.UnexpectedMessage, pair.Fails().Description);
    }

    /// <summary>After its ChangeCipherSpec a TLS 1.2 server protects everything, alerts included: the client opens them.</summary>
    [Fact]
    public void AlertAfterTheServersChangeCipherSpecIsOpened()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with { Edit = m => m[0] == (byte)HandshakeType.Finished ? null : m });
        pair.Pump();
        Assert.False(pair.Client.IsHandshakeComplete);
        pair.Server.SendAlert(AlertLevel.Fatal, AlertDescription.InternalError);
        pair.Pump();
        Assert.Equal(AlertDescription.InternalError, pair.ClientError?.Description);
        Assert.True(pair.ClientError!.Received);
    }

    [Fact]
    public void ServerFinishedBeforeItsChangeCipherSpecIsUnexpectedMessage()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        using var pair = new Tls12ClientPair(Client(suite), Server(suite) with
        {
            // The server's NewSessionTicket replaced by a Finished, before its ChangeCipherSpec.
            Ticket = [1],
            Edit = m => m[0] == (byte)HandshakeType.NewSessionTicket ? new ManagedTls.Wire.Messages.Finished(new byte[12]).Encode() : m,
        });
        Assert.Equal(AlertDescription.UnexpectedMessage, pair.Fails().Description);
    }

    internal static byte[]? Flip(byte[] message, HandshakeType type, Index at)
    {
        if (message[0] == (byte)type)
        {
            message[at] ^= 0x01;
        }

        return message;
    }

    // ECDHE params: curve_type(1) namedcurve(2) point<1..255>; then algorithm(2) signature<0..2^16-1>.
    private static byte[]? RelabelSignature(byte[] message, SignatureScheme scheme)
    {
        if (message[0] == (byte)HandshakeType.ServerKeyExchange)
        {
            int at = 4 + 1 + 2;
            at += 1 + message[at];
            message[at] = (byte)((ushort)scheme >> 8);
            message[at + 1] = (byte)((ushort)scheme & 0xFF);
        }

        return message;
    }
}

/// <summary>Checks shared by the TLS 1.2 client tests.</summary>
internal static class TlsConnectionAssert
{
    /// <summary>Version, suite, tls-unique, exporter and data both ways agree with the server's view.</summary>
    public static void Tls12(Tls12ClientPair pair, CipherSuiteInfo suite)
    {
        Assert.Equal(ProtocolVersion.Tls12, pair.Client.Version);
        Assert.Equal(suite, pair.Client.CipherSuite);
        Assert.Equal(pair.Server.Finished!.Client, pair.Client.GetChannelBinding());
        Assert.Equal(pair.Server.Exporter!.Export("EXPORTER-test", [1, 2], 32), pair.Client.ExportKeyingMaterial("EXPORTER-test", [1, 2], 32));
        pair.Client.WriteApplicationData("ping"u8);
        pair.Server.SendApplicationData("pong"u8.ToArray());
        pair.Pump();
        Assert.Equal("ping"u8.ToArray(), pair.Server.Received[^1]);
        Assert.Equal("pong"u8.ToArray(), ConnectionPair.ReadAll(pair.Client));
    }
}
