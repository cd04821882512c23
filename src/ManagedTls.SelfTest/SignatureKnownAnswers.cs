using System.Text;
using ManagedTls.Crypto;
using ManagedTls.X509.Store;
using ManagedTls.X509.Validation;
using V = ManagedTls.SelfTest.SignatureTestVectors;

namespace ManagedTls.SelfTest;

/// <summary>
/// Known answers for keys, signatures and RSA key transport: openssl-made signatures verify, RFC 8032 and
/// RFC 6979 signatures are reproduced, every algorithm round-trips, an openssl-encrypted premaster decrypts,
/// and a corrupted one is implicitly rejected with the substitute an independent implementation computes.
/// </summary>
internal static class SignatureKnownAnswers
{
    private static readonly byte[] Message = Encoding.ASCII.GetBytes(V.Message);

    public static IEnumerable<KnownAnswerTest> All()
    {
        foreach (var (scheme, keyName, signatureHex) in V.OpenSslSignatures)
        {
            string name = keyName == "RsaPss2048Sha256" ? scheme + " (restricted RSA-PSS key)" : scheme;
            yield return new($"verify openssl {name}", () => VerifyOpenSsl(scheme, keyName, signatureHex));
        }

        foreach (string keyName in KeyNames)
        {
            yield return new($"load {keyName} PKCS#8 and match its SubjectPublicKeyInfo", () =>
            {
                PrivateKey key = PrivateKey.FromPem(PemOf(keyName));
                KnownAnswerTest.Expect("SubjectPublicKeyInfo", SpkiOf(keyName), key.PublicKey.SubjectPublicKeyInfo);
                KnownAnswerTest.Check(key.Matches(PublicKey.FromSubjectPublicKeyInfo(CryptoUtil.FromHex(SpkiOf(keyName)))), "key does not match its public key");
            });
        }

        yield return new("Ed25519 RFC 8032 section 7.1 test 1", Ed25519Rfc8032);
        yield return new("ECDSA P-256 SHA-256 RFC 6979 A.2.5 'sample'", EcdsaRfc6979);

        foreach (SignatureAlgorithm algorithm in SignatureAlgorithm.All)
        {
            if (!algorithm.VerifyOnly)
            {
                yield return new($"sign and verify {algorithm.Name}", () => RoundTrip(algorithm));
            }
        }

        yield return new("X.509 RSASSA-PSS (salt 20) certificate signature", X509Pss);
        yield return new("key kinds refuse foreign algorithms", KeyKindsRefuseForeignAlgorithms);
        yield return new("ECDSA verify rejects non-DER signatures", EcdsaRejectsNonDer);
        yield return new("RSA decrypt of an openssl-encrypted premaster", () =>
        {
            PrivateKey key = PrivateKey.FromPem(V.Rsa2048Pem);
            byte[] premaster = RsaKeyExchange.DecryptPremaster(key, CryptoUtil.FromHex(V.PremasterCiphertext), 0x0303, OsEntropy.Instance);
            KnownAnswerTest.Expect("premaster", V.Premaster, premaster);
        });
        yield return new("RSA premaster implicit rejection", ImplicitRejection);
        yield return new("RSA premaster encrypt and decrypt", () =>
        {
            PrivateKey key = PrivateKey.FromPem(V.Rsa2048Pem);
            byte[] premaster = CryptoUtil.FromHex(V.Premaster);
            byte[] ciphertext = RsaKeyExchange.EncryptPremaster(key.PublicKey, premaster, OsEntropy.Instance);
            KnownAnswerTest.Check(ciphertext.Length == 256, "ciphertext is not modulus-sized");
            KnownAnswerTest.Expect("premaster", V.Premaster, RsaKeyExchange.DecryptPremaster(key, ciphertext, 0x0303, OsEntropy.Instance));
        });
    }

    private static readonly string[] KeyNames =
    [
        "Rsa2048", "RsaPss2048", "RsaPss2048Sha256", "P256", "P384", "P521", "Ed25519", "Ed448",
    ];

    private static string PemOf(string keyName) => keyName switch
    {
        "Rsa2048" => V.Rsa2048Pem,
        "RsaPss2048" => V.RsaPss2048Pem,
        "RsaPss2048Sha256" => V.RsaPss2048Sha256Pem,
        "P256" => V.P256Pem,
        "P384" => V.P384Pem,
        "P521" => V.P521Pem,
        "Ed25519" => V.Ed25519Pem,
        _ => V.Ed448Pem,
    };

    private static string SpkiOf(string keyName) => keyName switch
    {
        "Rsa2048" => V.Rsa2048Spki,
        "RsaPss2048" => V.RsaPss2048Spki,
        "RsaPss2048Sha256" => V.RsaPss2048Sha256Spki,
        "P256" => V.P256Spki,
        "P384" => V.P384Spki,
        "P521" => V.P521Spki,
        "Ed25519" => V.Ed25519Spki,
        _ => V.Ed448Spki,
    };

    /// <summary>The key an algorithm is exercised with in the round trips.</summary>
    internal static string KeyFor(SignatureAlgorithm algorithm) => algorithm.Key switch
    {
        KeyKind.Rsa => "Rsa2048",
        KeyKind.RsaPss => "RsaPss2048",
        KeyKind.Ed25519 => "Ed25519",
        KeyKind.Ed448 => "Ed448",
        _ => algorithm.Curve switch
        {
            EcCurve.P384 => "P384",
            EcCurve.P521 => "P521",
            _ => "P256",
        },
    };

    /// <summary>The private key of a test key name (see <see cref="SignatureTestVectors"/>).</summary>
    internal static PrivateKey LoadKey(string keyName) => PrivateKey.FromPem(PemOf(keyName));

    private static SignatureAlgorithm AlgorithmNamed(string name) =>
        SignatureAlgorithm.All.FirstOrDefault(a => a.Name == name) ?? throw new InvalidOperationException($"no algorithm {name}");

    private static void VerifyOpenSsl(string scheme, string keyName, string signatureHex)
    {
        SignatureAlgorithm algorithm = AlgorithmNamed(scheme);
        PublicKey key = PublicKey.FromSubjectPublicKeyInfo(CryptoUtil.FromHex(SpkiOf(keyName)));
        byte[] signature = CryptoUtil.FromHex(signatureHex);
        KnownAnswerTest.Check(key.Verify(algorithm, Message, signature), $"{scheme}: openssl signature does not verify");

        byte[] tampered = (byte[])Message.Clone();
        tampered[0] ^= 1;
        KnownAnswerTest.Check(!key.Verify(algorithm, tampered, signature), $"{scheme}: signature verifies over a different message");
        signature[signature.Length / 2] ^= 0x10;
        KnownAnswerTest.Check(!key.Verify(algorithm, Message, signature), $"{scheme}: corrupted signature verifies");
    }

    private static void Ed25519Rfc8032()
    {
        PrivateKey key = PrivateKey.FromDer(CryptoUtil.FromHex(V.Ed25519Rfc8032Pkcs8));
        KnownAnswerTest.Expect("public key", "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", key.PublicKey.SubjectPublicKeyInfo);
        byte[] signature = key.Sign(SignatureAlgorithm.Ed25519, [], OsEntropy.Instance);
        KnownAnswerTest.Expect("signature", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", signature);
        KnownAnswerTest.Check(key.PublicKey.Verify(SignatureAlgorithm.Ed25519, [], signature), "RFC 8032 signature does not verify");
    }

    private static void EcdsaRfc6979()
    {
        PrivateKey key = PrivateKey.FromDer(CryptoUtil.FromHex(V.EcdsaRfc6979Pkcs8));
        byte[] signature = key.Sign(SignatureAlgorithm.EcdsaP256Sha256, "sample"u8, OsEntropy.Instance);
        KnownAnswerTest.Expect(
            "DER (r, s)",
            "3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716022100f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
            signature);
    }

    private static void RoundTrip(SignatureAlgorithm algorithm)
    {
        PrivateKey key = LoadKey(KeyFor(algorithm));
        KnownAnswerTest.Check(key.CanSign(algorithm, enforceCurve: true), $"{key} cannot sign {algorithm}");
        byte[] signature = key.Sign(algorithm, Message, OsEntropy.Instance);
        KnownAnswerTest.Check(key.PublicKey.Verify(algorithm, Message, signature), $"{algorithm}: own signature does not verify");
        byte[] other = (byte[])signature.Clone();
        other[other.Length - 1] ^= 0x01;
        KnownAnswerTest.Check(!key.PublicKey.Verify(algorithm, Message, other), $"{algorithm}: corrupted own signature verifies");
    }

    private static void X509Pss()
    {
        Cert cert = Cert.Parse(PemReader.Read(V.RsaPssSalt20CertificatePem).Single().Data);
        PublicKey key = PublicKey.FromSubjectPublicKeyInfo(cert.PublicKeyInfo);
        KnownAnswerTest.Expect("issuer key", V.Rsa2048Spki, key.SubjectPublicKeyInfo);
        byte[] tbs = (byte[])cert.TbsDer.Clone();
        KnownAnswerTest.Check(X509Signatures.Verify(key, cert.SignatureAlgorithm, tbs, cert.Signature), "certificate signature does not verify");
        tbs[tbs.Length - 1] ^= 1;
        KnownAnswerTest.Check(!X509Signatures.Verify(key, cert.SignatureAlgorithm, tbs, cert.Signature), "altered certificate verifies");
    }

    private static void KeyKindsRefuseForeignAlgorithms()
    {
        PrivateKey rsa = LoadKey("Rsa2048");
        PrivateKey pss = LoadKey("RsaPss2048");
        PrivateKey pss256 = LoadKey("RsaPss2048Sha256");
        PrivateKey p256 = LoadKey("P256");
        KnownAnswerTest.Check(!pss.CanSign(SignatureAlgorithm.RsaPssRsaeSha256, false) && !pss.CanSign(SignatureAlgorithm.RsaPkcs1Sha256, false), "RSA-PSS key signs rsae/pkcs1");
        KnownAnswerTest.Check(!rsa.CanSign(SignatureAlgorithm.RsaPssPssSha256, false), "rsaEncryption key signs rsa_pss_pss");
        KnownAnswerTest.Check(pss256.CanSign(SignatureAlgorithm.RsaPssPssSha256, true) && !pss256.CanSign(SignatureAlgorithm.RsaPssPssSha384, false), "restricted RSA-PSS key ignores its hash");
        KnownAnswerTest.Check(!rsa.CanSign(SignatureAlgorithm.RsaPkcs1Sha1, false), "SHA-1 is verify-only");
        KnownAnswerTest.Check(!p256.CanSign(SignatureAlgorithm.EcdsaP384Sha384, enforceCurve: true), "P-256 key signs ecdsa_secp384r1_sha384 in TLS 1.3");
        KnownAnswerTest.Check(p256.CanSign(SignatureAlgorithm.EcdsaP384Sha384, enforceCurve: false), "P-256 key cannot sign ECDSA-SHA384 in TLS 1.2");
        IReadOnlyList<SignatureAlgorithm> signable = p256.SignableAlgorithms(SignatureAlgorithm.All, enforceCurve: true);
        KnownAnswerTest.Check(signable.Count == 1 && signable[0] == SignatureAlgorithm.EcdsaP256Sha256, "P-256 key in TLS 1.3 signs more than ecdsa_secp256r1_sha256");

        byte[] rsaeSignature = rsa.Sign(SignatureAlgorithm.RsaPssRsaeSha256, Message, OsEntropy.Instance);
        PublicKey pssPublic = PublicKey.FromSubjectPublicKeyInfo(CryptoUtil.FromHex(V.RsaPss2048Spki));
        KnownAnswerTest.Check(!pssPublic.Verify(SignatureAlgorithm.RsaPssRsaeSha256, Message, rsaeSignature), "RSA-PSS public key verifies an rsae scheme");
        KnownAnswerTest.Check(!p256.PublicKey.Verify(SignatureAlgorithm.RsaPssRsaeSha256, Message, rsaeSignature), "EC key verifies an RSA signature");

        bool threw = false;
        try
        {
            pss.Sign(SignatureAlgorithm.RsaPkcs1Sha256, Message, OsEntropy.Instance);
        }
        catch (TlsAlertException e) when (e.Description == AlertDescription.InternalError)
        {
            threw = true;
        }

        KnownAnswerTest.Check(threw, "signing with a foreign algorithm did not fail");
    }

    private static void EcdsaRejectsNonDer()
    {
        PrivateKey key = LoadKey("P256");
        byte[] der = key.Sign(SignatureAlgorithm.EcdsaP256Sha256, Message, OsEntropy.Instance);
        KnownAnswerTest.Check(key.PublicKey.Verify(SignatureAlgorithm.EcdsaP256Sha256, Message, der), "DER signature does not verify");

        byte[] trailing = [.. der, 0x00];
        KnownAnswerTest.Check(!key.PublicKey.Verify(SignatureAlgorithm.EcdsaP256Sha256, Message, trailing), "signature with a trailing byte verifies");

        // The same SEQUENCE with its length in long form (0x81 nn): valid BER, not DER.
        byte[] longForm = [der[0], 0x81, .. der.AsSpan(1).ToArray()];
        KnownAnswerTest.Check(!key.PublicKey.Verify(SignatureAlgorithm.EcdsaP256Sha256, Message, longForm), "BER long-form length verifies");

        // r with a superfluous leading zero byte (non-minimal INTEGER), lengths fixed up.
        int rLength = der[3];
        byte[] padded = [0x30, (byte)(der[1] + 1), 0x02, (byte)(rLength + 1), 0x00, .. der.AsSpan(4).ToArray()];
        KnownAnswerTest.Check(!key.PublicKey.Verify(SignatureAlgorithm.EcdsaP256Sha256, Message, padded), "non-minimal INTEGER verifies");
        KnownAnswerTest.Check(!key.PublicKey.Verify(SignatureAlgorithm.EcdsaP256Sha256, Message, new byte[64]), "raw 64-byte signature verifies");
    }

    private static void ImplicitRejection()
    {
        PrivateKey key = PrivateKey.FromPem(V.Rsa2048Pem);
        byte[] ciphertext = CryptoUtil.FromHex(V.PremasterCiphertext);
        string real = V.Premaster;

        byte[] corrupted = (byte[])ciphertext.Clone();
        corrupted[100] ^= 0x40;
        CheckRejected(RsaKeyExchange.DecryptPremaster(key, corrupted, 0x0303, OsEntropy.Instance), real, "corrupted ciphertext");
        CheckRejected(RsaKeyExchange.DecryptPremaster(key, ciphertext, 0x0302, OsEntropy.Instance), real, "wrong client version");
        CheckRejected(RsaKeyExchange.DecryptPremaster(key, ciphertext.AsSpan(1), 0x0303, OsEntropy.Instance), real, "short ciphertext");
        byte[] tooBig = new byte[256];
        tooBig.AsSpan().Fill(0xff);
        CheckRejected(RsaKeyExchange.DecryptPremaster(key, tooBig, 0x0303, OsEntropy.Instance), real, "ciphertext above the modulus");

        // A correctly padded message of the wrong length (47 bytes) is rejected too.
        byte[] shortMessage = CryptoUtil.FromHex(V.ShortPremasterCiphertext);
        CheckRejected(RsaKeyExchange.DecryptPremaster(key, shortMessage, 0x0303, OsEntropy.Instance), real, "47-byte message");

        // The substitute is derived from the key and the ciphertext: a known answer, the same on every call,
        // and different for a different ciphertext.
        byte[] first = RsaKeyExchange.DecryptPremaster(key, corrupted, 0x0303, OsEntropy.Instance);
        KnownAnswerTest.Expect("substitute premaster", V.PremasterCorruptedSubstitute, first);
        KnownAnswerTest.Expect("substitute premaster again", V.PremasterCorruptedSubstitute, RsaKeyExchange.DecryptPremaster(key, corrupted, 0x0303, OsEntropy.Instance));
        byte[] other = (byte[])corrupted.Clone();
        other[101] ^= 0x01;
        KnownAnswerTest.Check(!CryptoUtil.FixedTimeEquals(first, RsaKeyExchange.DecryptPremaster(key, other, 0x0303, OsEntropy.Instance)), "two ciphertexts share a substitute");
    }

    private static void CheckRejected(byte[] premaster, string realHex, string what)
    {
        KnownAnswerTest.Check(premaster.Length == RsaKeyExchange.PremasterLength, $"{what}: result is not 48 bytes");
        KnownAnswerTest.Check(CryptoUtil.ToHex(premaster) != realHex, $"{what}: returned the real premaster");
    }
}
