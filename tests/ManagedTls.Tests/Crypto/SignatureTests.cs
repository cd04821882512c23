using System.Text;
using ManagedTls.SelfTest;
using ManagedTls.Crypto;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace ManagedTls.Tests.Crypto;

public class SignatureTests
{
    private static readonly byte[] Message = Encoding.ASCII.GetBytes(SignatureTestVectors.Message);

    private static readonly Dictionary<KeyKind, string> KeyFiles = new()
    {
        [KeyKind.Rsa] = "rsa2048.pem",
        [KeyKind.RsaPss] = "rsapss2048.pem",
        [KeyKind.Ed25519] = "ed25519.pem",
        [KeyKind.Ed448] = "ed448.pem",
    };

    public static TheoryData<string> SignableAlgorithms()
    {
        var data = new TheoryData<string>();
        foreach (SignatureAlgorithm a in SignatureAlgorithm.All.Where(a => !a.VerifyOnly))
        {
            data.Add(a.Name);
        }

        return data;
    }

    public static TheoryData<string> AllAlgorithms()
    {
        var data = new TheoryData<string>();
        foreach (SignatureAlgorithm a in SignatureAlgorithm.All)
        {
            data.Add(a.Name);
        }

        return data;
    }

    public static TheoryData<string> OpenSslSignatureFiles()
    {
        var data = new TheoryData<string>();
        foreach (var (scheme, key, _) in SignatureTestVectors.OpenSslSignatures)
        {
            data.Add(key == "RsaPss2048Sha256" ? scheme + "_restricted" : scheme);
        }

        return data;
    }

    private static SignatureAlgorithm Named(string name) => SignatureAlgorithm.All.Single(a => a.Name == name);

    private static PrivateKey KeyFor(SignatureAlgorithm algorithm) => algorithm.Key == KeyKind.Ec
        ? KeyTestFiles.Load(algorithm.Curve switch { EcCurve.P384 => "p384.pem", EcCurve.P521 => "p521.pem", _ => "p256.pem" })
        : KeyTestFiles.Load(KeyFiles[algorithm.Key]);

    [Theory]
    [MemberData(nameof(SignableAlgorithms))]
    public void Sign_then_verify(string name)
    {
        SignatureAlgorithm algorithm = Named(name);
        PrivateKey key = KeyFor(algorithm);
        byte[] signature = key.Sign(algorithm, Message, OsEntropy.Instance);
        Assert.True(key.PublicKey.Verify(algorithm, Message, signature));

        byte[] otherMessage = (byte[])Message.Clone();
        otherMessage[^1] ^= 0x80;
        Assert.False(key.PublicKey.Verify(algorithm, otherMessage, signature));

        for (int i = 0; i < signature.Length; i += Math.Max(1, signature.Length / 7))
        {
            byte[] tampered = (byte[])signature.Clone();
            tampered[i] ^= 0x01;
            Assert.False(key.PublicKey.Verify(algorithm, Message, tampered));
        }

        Assert.False(key.PublicKey.Verify(algorithm, Message, signature.AsSpan(0, signature.Length - 1)));
        Assert.False(key.PublicKey.Verify(algorithm, Message, [.. signature, 0]));
        Assert.False(key.PublicKey.Verify(algorithm, Message, []));
    }

    [Theory]
    [MemberData(nameof(SignableAlgorithms))]
    public void Deterministic_algorithms_repeat_and_pss_does_not(string name)
    {
        SignatureAlgorithm algorithm = Named(name);
        PrivateKey key = KeyFor(algorithm);
        byte[] first = key.Sign(algorithm, Message, OsEntropy.Instance);
        byte[] second = key.Sign(algorithm, Message, OsEntropy.Instance);
        Assert.Equal(algorithm.Padding != SignaturePadding.Pss, first.AsSpan().SequenceEqual(second));
    }

    [Theory]
    [MemberData(nameof(OpenSslSignatureFiles))]
    public void Openssl_signatures_verify(string file)
    {
        string scheme = file.Replace("_restricted", string.Empty, StringComparison.Ordinal);
        string spki = file.EndsWith("_restricted", StringComparison.Ordinal) ? "rsapss2048-sha256.spki.der"
            : scheme.StartsWith("rsa_pss_pss", StringComparison.Ordinal) ? "rsapss2048.spki.der"
            : scheme.StartsWith("rsa", StringComparison.Ordinal) ? "rsa2048.spki.der"
            : scheme switch
            {
                "ecdsa_secp384r1_sha384" => "p384.spki.der",
                "ecdsa_secp521r1_sha512" => "p521.spki.der",
                "ed25519" => "ed25519.spki.der",
                "ed448" => "ed448.spki.der",
                _ => "p256.spki.der",
            };
        PublicKey key = KeyTestFiles.Spki(spki);
        byte[] message = KeyTestFiles.Read("sigs/message.txt");
        byte[] signature = KeyTestFiles.Read($"sigs/{file}.sig");
        Assert.True(key.Verify(Named(scheme), message, signature));

        // The same signature under any other algorithm is refused.
        foreach (SignatureAlgorithm other in SignatureAlgorithm.All.Where(a => a.Name != scheme))
        {
            Assert.False(key.Verify(other, message, signature), other.Name);
        }
    }

    [Fact]
    public void Key_kinds_decide_what_can_be_signed()
    {
        var expectations = new (string File, string[] Tls13, string[] Tls12)[]
        {
            ("rsa2048.pem", ["rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512", "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512"], ["rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512", "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512"]),
            ("rsapss2048.pem", ["rsa_pss_pss_sha256", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512"], ["rsa_pss_pss_sha256", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512"]),
            ("rsapss2048-sha256.pem", ["rsa_pss_pss_sha256"], ["rsa_pss_pss_sha256"]),
            ("p256.pem", ["ecdsa_secp256r1_sha256"], ["ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512"]),
            ("p384.pem", ["ecdsa_secp384r1_sha384"], ["ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512"]),
            ("p521.pem", ["ecdsa_secp521r1_sha512"], ["ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512"]),
            ("ed25519.pem", ["ed25519"], ["ed25519"]),
            ("ed448.pem", ["ed448"], ["ed448"]),
        };

        foreach (var (file, tls13, tls12) in expectations)
        {
            PrivateKey key = KeyTestFiles.Load(file);
            Assert.Equal(tls13.Order(), key.SignableAlgorithms(SignatureAlgorithm.All, enforceCurve: true).Select(a => a.Name).Order());
            Assert.Equal(tls12.Order(), key.SignableAlgorithms(SignatureAlgorithm.All, enforceCurve: false).Select(a => a.Name).Order());
        }
    }

    [Fact]
    public void Ecdsa_in_tls12_signs_with_any_hash_on_any_curve()
    {
        PrivateKey p384 = KeyTestFiles.Load("p384.pem");
        byte[] signature = p384.Sign(SignatureAlgorithm.EcdsaP256Sha256, Message, OsEntropy.Instance);
        Assert.True(p384.PublicKey.Verify(SignatureAlgorithm.EcdsaP256Sha256, Message, signature));
        Assert.False(p384.PublicKey.CanVerify(SignatureAlgorithm.EcdsaP256Sha256, enforceCurve: true));
    }

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public void Foreign_key_kinds_cannot_sign_or_verify(string name)
    {
        SignatureAlgorithm algorithm = Named(name);
        foreach (string file in new[] { "rsa2048.pem", "rsapss2048.pem", "p256.pem", "ed25519.pem", "ed448.pem" })
        {
            PrivateKey key = KeyTestFiles.Load(file);
            if (key.Kind == algorithm.Key)
            {
                continue;
            }

            Assert.False(key.CanSign(algorithm, enforceCurve: false));
            Assert.False(key.PublicKey.CanVerify(algorithm, enforceCurve: false));
            var e = Assert.Throws<TlsAlertException>(() => key.Sign(algorithm, Message, OsEntropy.Instance));
            Assert.Equal(AlertDescription.InternalError, e.Description);
        }
    }

    [Fact]
    public void Rsae_signature_does_not_verify_under_the_same_modulus_as_pss_key()
    {
        // The same RSA modulus presented as an id-RSASSA-PSS key must not accept rsa_pss_rsae signatures.
        PrivateKey rsa = KeyTestFiles.Load("rsa2048.pem");
        byte[] signature = rsa.Sign(SignatureAlgorithm.RsaPssRsaeSha256, Message, OsEntropy.Instance);
        var pssView = PublicKey.FromParameters(rsa.PublicKey.Parameters, new AlgorithmIdentifier(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.IdRsassaPss));
        Assert.Equal(KeyKind.RsaPss, pssView.Kind);
        Assert.False(pssView.Verify(SignatureAlgorithm.RsaPssRsaeSha256, Message, signature));
        Assert.True(pssView.Verify(SignatureAlgorithm.RsaPssPssSha256, Message, signature));
    }

    [Fact]
    public void Sha1_is_verify_only()
    {
        PrivateKey rsa = KeyTestFiles.Load("rsa2048.pem");
        Assert.False(rsa.CanSign(SignatureAlgorithm.RsaPkcs1Sha1, enforceCurve: false));
        Assert.True(rsa.PublicKey.CanVerify(SignatureAlgorithm.RsaPkcs1Sha1, enforceCurve: false));
        Assert.Throws<TlsAlertException>(() => rsa.Sign(SignatureAlgorithm.RsaPkcs1Sha1, Message, OsEntropy.Instance));
    }

    [Fact]
    public void Ecdsa_rejects_every_non_der_form()
    {
        PrivateKey key = KeyTestFiles.Load("p256.pem");
        byte[] der = key.Sign(SignatureAlgorithm.EcdsaP256Sha256, Message, OsEntropy.Instance);
        Asn1Sequence seq = (Asn1Sequence)Asn1Object.FromByteArray(der);
        var r = ((DerInteger)seq[0]).Value;
        var s = ((DerInteger)seq[1]).Value;
        var n = ((ECPublicKeyParameters)key.PublicKey.Parameters).Parameters.N;
        PublicKey pub = key.PublicKey;
        Assert.True(pub.Verify(SignatureAlgorithm.EcdsaP256Sha256, Message, der));

        byte[] Encode(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

        var bad = new List<(string, byte[])>
        {
            ("trailing byte", [.. der, 0]),
            ("long-form length", [der[0], 0x81, .. der.AsSpan(1).ToArray()]),
            ("indefinite length", [0x30, 0x80, .. der.AsSpan(2).ToArray(), 0, 0]),
            ("leading zero in r", Encode([0x30, (byte)(der[1] + 1), 0x02, (byte)(der[3] + 1), 0x00], der.AsSpan(4).ToArray())),
            ("raw r || s", Encode(Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(32, r), Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(32, s))),
            ("s = s + n", new DerSequence(new DerInteger(r), new DerInteger(s.Add(n))).GetEncoded()),
            ("r = 0", new DerSequence(DerInteger.ValueOf(0), new DerInteger(s)).GetEncoded()),
            ("negative r", new DerSequence(new DerInteger(r.Negate()), new DerInteger(s)).GetEncoded()),
            ("three integers", new DerSequence(new DerInteger(r), new DerInteger(s), DerInteger.ValueOf(1)).GetEncoded()),
            ("SET instead of SEQUENCE", [0x31, .. der.AsSpan(1).ToArray()]),
            ("swapped", new DerSequence(new DerInteger(s), new DerInteger(r)).GetEncoded()),
            ("empty sequence", [0x30, 0x00]),
            ("truncated", der.AsSpan(0, der.Length - 3).ToArray()),
            ("only the header", der.AsSpan(0, 2).ToArray()),
        };

        foreach (var (what, signature) in bad)
        {
            Assert.False(pub.Verify(SignatureAlgorithm.EcdsaP256Sha256, Message, signature), what);
        }
    }

    [Fact]
    public void Pss_with_another_salt_length_is_rejected()
    {
        PrivateKey key = KeyTestFiles.Load("rsa2048.pem");
        foreach (int salt in new[] { 0, 20, 31, 33, 64 })
        {
            var signer = new PssSigner(new RsaEngine(), new Sha256Digest(), new Sha256Digest(), salt);
            signer.Init(true, new ParametersWithRandom(key.Parameters, BcRandom.Create(OsEntropy.Instance)));
            signer.BlockUpdate(Message, 0, Message.Length);
            byte[] signature = signer.GenerateSignature();
            Assert.False(key.PublicKey.Verify(SignatureAlgorithm.RsaPssRsaeSha256, Message, signature), $"salt {salt}");
        }
    }

    [Fact]
    public void Pss_with_another_mgf_hash_is_rejected()
    {
        PrivateKey key = KeyTestFiles.Load("rsa2048.pem");
        var signer = new PssSigner(new RsaEngine(), new Sha256Digest(), new Sha1Digest(), 32);
        signer.Init(true, new ParametersWithRandom(key.Parameters, BcRandom.Create(OsEntropy.Instance)));
        signer.BlockUpdate(Message, 0, Message.Length);
        Assert.False(key.PublicKey.Verify(SignatureAlgorithm.RsaPssRsaeSha256, Message, signer.GenerateSignature()));
    }

    [Fact]
    public void Pkcs1_requires_the_exact_digest_info()
    {
        PrivateKey key = KeyTestFiles.Load("rsa2048.pem");
        byte[] hash = Hashes.Compute(HashAlgorithm.Sha256, Message);
        byte[] SignRaw(byte[] block)
        {
            var rsa = new Pkcs1Encoding(new RsaEngine());
            rsa.Init(true, key.Parameters);
            return rsa.ProcessBlock(block, 0, block.Length);
        }

        byte[] correct = new DigestInfo(new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance), hash).GetDerEncoded();
        Assert.True(key.PublicKey.Verify(SignatureAlgorithm.RsaPkcs1Sha256, Message, SignRaw(correct)));

        byte[] withoutNull = new DigestInfo(new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256), hash).GetDerEncoded();
        Assert.False(key.PublicKey.Verify(SignatureAlgorithm.RsaPkcs1Sha256, Message, SignRaw(withoutNull)));
        Assert.False(key.PublicKey.Verify(SignatureAlgorithm.RsaPkcs1Sha256, Message, SignRaw(hash)));
        Assert.False(key.PublicKey.Verify(SignatureAlgorithm.RsaPkcs1Sha256, Message, SignRaw([.. correct, 0])));

        byte[] good = SignRaw(correct);
        Assert.False(key.PublicKey.Verify(SignatureAlgorithm.RsaPkcs1Sha256, Message, [0, .. good]));
        Assert.False(key.PublicKey.Verify(SignatureAlgorithm.RsaPkcs1Sha384, Message, good));
    }

    [Fact]
    public void Restricted_pss_key_accepts_only_its_hash()
    {
        PrivateKey key = KeyTestFiles.Load("rsapss2048-sha256.pem");
        byte[] signature = key.Sign(SignatureAlgorithm.RsaPssPssSha256, Message, OsEntropy.Instance);
        Assert.True(key.PublicKey.Verify(SignatureAlgorithm.RsaPssPssSha256, Message, signature));
        Assert.False(key.PublicKey.CanVerify(SignatureAlgorithm.RsaPssPssSha384, enforceCurve: false));
        Assert.Throws<TlsAlertException>(() => key.Sign(SignatureAlgorithm.RsaPssPssSha512, Message, OsEntropy.Instance));
    }

    [Fact]
    public void Ed25519_signatures_are_the_published_ones()
    {
        // RFC 8032 section 7.1, TEST 2 (one-byte message 0x72).
        var parameters = new Ed25519PrivateKeyParameters(CryptoUtil.FromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
        PrivateKey key = PrivateKey.FromParameters(parameters, null);
        byte[] signature = key.Sign(SignatureAlgorithm.Ed25519, [0x72], OsEntropy.Instance);
        Assert.Equal("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00", CryptoUtil.ToHex(signature));
    }

    [Fact]
    public void Signing_draws_pss_salt_from_the_given_entropy()
    {
        PrivateKey key = KeyTestFiles.Load("rsa2048.pem");
        var counting = new CountingEntropy();
        key.Sign(SignatureAlgorithm.RsaPssRsaeSha256, Message, counting);
        Assert.True(counting.Bytes >= 32);
    }

    private sealed class CountingEntropy : IEntropySource
    {
        public int Bytes { get; private set; }

        public void GetBytes(Span<byte> destination)
        {
            OsEntropy.Instance.GetBytes(destination);
            Bytes += destination.Length;
        }
    }
}
