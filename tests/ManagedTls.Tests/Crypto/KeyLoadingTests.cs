using System.Text;
using ManagedTls.Crypto;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.X509;

namespace ManagedTls.Tests.Crypto;

public class KeyLoadingTests
{
    public static TheoryData<string, string?, string, string, int, string> KeyFiles() => new()
    {
        { "rsa2048.pem", null, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsa2048.der", null, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsa2048-pkcs1.pem", null, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsa2048-pkcs1.der", null, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsa2048-pkcs8-aes256.pem", KeyTestFiles.Password, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsa2048-pkcs8-des3.pem", KeyTestFiles.Password, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsa2048-pkcs8-pbe-sha1-3des.pem", KeyTestFiles.Password, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsa2048-pkcs8-aes128-sha512.der", KeyTestFiles.Password, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsa2048-legacy-aes128.pem", KeyTestFiles.Password, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsa2048-legacy-des3.pem", KeyTestFiles.Password, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "chain-and-key.pem", null, "Rsa", "None", 2048, "rsa2048.spki.der" },
        { "rsapss2048.pem", null, "RsaPss", "None", 2048, "rsapss2048.spki.der" },
        { "rsapss2048-sha256.pem", null, "RsaPss", "None", 2048, "rsapss2048-sha256.spki.der" },
        { "p256.pem", null, "Ec", "P256", 256, "p256.spki.der" },
        { "p256-sec1.pem", null, "Ec", "P256", 256, "p256.spki.der" },
        { "p256-sec1.der", null, "Ec", "P256", 256, "p256.spki.der" },
        { "p256-sec1-nopub.pem", null, "Ec", "P256", 256, "p256.spki.der" },
        { "p384.pem", null, "Ec", "P384", 384, "p384.spki.der" },
        { "p384-legacy-aes256.pem", KeyTestFiles.Password, "Ec", "P384", 384, "p384.spki.der" },
        { "p256-pkcs8-scrypt.pem", KeyTestFiles.Password, "Ec", "P256", 256, "p256.spki.der" },
        { "p256-pkcs8-aria256.pem", KeyTestFiles.Password, "Ec", "P256", 256, "p256.spki.der" },
        { "p256-pkcs8-camellia256.pem", KeyTestFiles.Password, "Ec", "P256", 256, "p256.spki.der" },
        { "p521.pem", null, "Ec", "P521", 521, "p521.spki.der" },
        { "p521-pkcs8-aes256.pem", KeyTestFiles.Password, "Ec", "P521", 521, "p521.spki.der" },
        { "ed25519.pem", null, "Ed25519", "None", 253, "ed25519.spki.der" },
        { "ed25519-pkcs8-aes256.pem", KeyTestFiles.Password, "Ed25519", "None", 253, "ed25519.spki.der" },
        { "ed448.pem", null, "Ed448", "None", 456, "ed448.spki.der" },
    };

    [Theory]
    [MemberData(nameof(KeyFiles))]
    public void Loads_every_format(string file, string? password, string kind, string curve, int bits, string spkiFile)
    {
        PrivateKey key = KeyTestFiles.Load(file, password);
        Assert.Equal(kind, key.Kind.ToString());
        Assert.Equal(curve, key.Curve.ToString());
        Assert.Equal(bits, key.Bits);
        PublicKey expected = KeyTestFiles.Spki(spkiFile);
        Assert.True(key.Matches(expected));
        Assert.Equal(KeyTestFiles.Read(spkiFile), key.PublicKey.SubjectPublicKeyInfo);
    }

    [Theory]
    [InlineData("rsa2048-pkcs8-aes256.pem")]
    [InlineData("rsa2048-pkcs8-des3.pem")]
    [InlineData("rsa2048-pkcs8-pbe-sha1-3des.pem")]
    [InlineData("rsa2048-pkcs8-aes128-sha512.der")]
    [InlineData("rsa2048-legacy-aes128.pem")]
    [InlineData("rsa2048-legacy-des3.pem")]
    [InlineData("p384-legacy-aes256.pem")]
    [InlineData("p521-pkcs8-aes256.pem")]
    [InlineData("ed25519-pkcs8-aes256.pem")]
    [InlineData("p256-pkcs8-scrypt.pem")]
    [InlineData("p256-pkcs8-camellia256.pem")]
    public void Encrypted_keys_need_the_right_password(string file)
    {
        var wrong = Assert.Throws<KeyFormatException>(() => KeyTestFiles.Load(file, "not the password"));
        Assert.Equal(KeyFormatError.WrongPassword, wrong.Reason);
        var empty = Assert.Throws<KeyFormatException>(() => KeyTestFiles.Load(file, string.Empty));
        Assert.Equal(KeyFormatError.WrongPassword, empty.Reason);
        var missing = Assert.Throws<KeyFormatException>(() => KeyTestFiles.Load(file));
        Assert.Equal(KeyFormatError.PasswordRequired, missing.Reason);
    }

    [Fact]
    public void A_password_given_for_an_unencrypted_key_is_ignored()
    {
        Assert.Equal(KeyKind.Rsa, KeyTestFiles.Load("rsa2048.pem", "unused").Kind);
    }

    [Fact]
    public void LoadFile_reads_from_disk()
    {
        Assert.Equal(EcCurve.P384, PrivateKey.LoadFile(KeyTestFiles.PathOf("p384.pem")).Curve);
        Assert.Throws<FileNotFoundException>(() => PrivateKey.LoadFile(KeyTestFiles.PathOf("does-not-exist.pem")));
    }

    [Theory]
    [InlineData("garbage.pem", "Malformed")]
    [InlineData("truncated.der", "Malformed")]
    [InlineData("rsa2048-cert.pem", "NoKey")]
    [InlineData("rsa2048.spki.der", "Malformed")]
    public void Rejects_input_without_a_key(string file, string reason)
    {
        var e = Assert.Throws<KeyFormatException>(() => KeyTestFiles.Load(file));
        Assert.Equal(reason, e.Reason.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMAA=\n")]
    [InlineData("-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n")]
    public void Malformed_pem_is_a_key_format_error(string text)
    {
        Assert.Throws<KeyFormatException>(() => PrivateKey.Load(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Unsupported_key_types_are_reported_as_such()
    {
        // An X25519 key is a valid PKCS#8 key but cannot sign.
        const string x25519 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIHBgJSkzrG56SpsOsmMsWgQKhyV624aaPszD0WtyTyZH\n-----END PRIVATE KEY-----\n";
        var e = Assert.Throws<KeyFormatException>(() => PrivateKey.FromPem(x25519));
        Assert.Equal(KeyFormatError.Unsupported, e.Reason);
    }

    [Fact]
    public void Sec1_without_curve_uses_a_preceding_ec_parameters_block()
    {
        byte[] der = KeyTestFiles.Read("p256-sec1.der");
        ECPrivateKeyStructure full = ECPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(der));
        var bare = new ECPrivateKeyStructure(256, full.GetKey(), full.PublicKey, null);
        byte[] bareDer = bare.GetEncoded();

        var e = Assert.Throws<KeyFormatException>(() => PrivateKey.FromDer(bareDer));
        Assert.Equal(KeyFormatError.Malformed, e.Reason);

        string parameters = File.ReadAllText(KeyTestFiles.PathOf("p256-ecparam.pem"));
        parameters = parameters.Substring(0, parameters.IndexOf("-----BEGIN EC PRIVATE KEY", StringComparison.Ordinal));
        string pem = parameters + "-----BEGIN EC PRIVATE KEY-----\n" + Convert.ToBase64String(bareDer, Base64FormattingOptions.InsertLineBreaks) + "\n-----END EC PRIVATE KEY-----\n";
        PrivateKey key = PrivateKey.FromPem(pem);
        Assert.True(key.Matches(KeyTestFiles.Spki("p256.spki.der")));
    }

    [Fact]
    public void Openssl_ecparam_genkey_output_loads()
    {
        PrivateKey key = KeyTestFiles.Load("p256-ecparam.pem");
        Assert.Equal(EcCurve.P256, key.Curve);
    }

    [Fact]
    public void Chain_and_key_file_key_matches_its_certificate()
    {
        PrivateKey key = KeyTestFiles.Load("chain-and-key.pem");
        X509Certificate cert = new X509CertificateParser().ReadCertificate(KeyTestFiles.Read("rsa2048-cert.pem"));
        PublicKey certKey = PublicKey.FromSubjectPublicKeyInfo(cert.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded());
        Assert.True(key.Matches(certKey));

        X509Certificate other = new X509CertificateParser().ReadCertificate(KeyTestFiles.Read("p256-cert.pem"));
        Assert.False(key.Matches(PublicKey.FromSubjectPublicKeyInfo(other.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded())));
    }

    [Fact]
    public void Rsa_pss_key_restrictions_are_read()
    {
        Assert.Null(KeyTestFiles.Load("rsapss2048.pem").PssRestrictions);
        Assert.Equal(new RsaPssRestrictions(HashAlgorithm.Sha256, HashAlgorithm.Sha256, 32), KeyTestFiles.Load("rsapss2048-sha256.pem").PssRestrictions);
        Assert.Equal(new RsaPssRestrictions(HashAlgorithm.Sha256, HashAlgorithm.Sha256, 32), KeyTestFiles.Spki("rsapss2048-sha256.spki.der").PssRestrictions);
    }

    [Fact]
    public void Private_key_public_half_round_trips_through_spki()
    {
        foreach (string name in new[] { "rsa2048", "rsapss2048", "rsapss2048-sha256", "p256", "p384", "p521", "ed25519", "ed448" })
        {
            PublicKey fromFile = KeyTestFiles.Spki(name + ".spki.der");
            PublicKey again = PublicKey.FromSubjectPublicKeyInfo(fromFile.SubjectPublicKeyInfo);
            Assert.True(fromFile.KeyEquals(again));
            Assert.Equal(fromFile.Kind, again.Kind);
            Assert.Equal(fromFile.Bits, again.Bits);
        }
    }

    [Fact]
    public void Keys_of_different_kinds_never_match()
    {
        Assert.False(KeyTestFiles.Load("p256.pem").Matches(KeyTestFiles.Spki("p384.spki.der")));
        Assert.False(KeyTestFiles.Load("rsa2048.pem").Matches(KeyTestFiles.Spki("rsapss2048.spki.der")));
        Assert.False(KeyTestFiles.Load("ed25519.pem").Matches(KeyTestFiles.Spki("ed448.spki.der")));
    }

    [Theory]
    [InlineData("rsa2048.der")]
    [InlineData("p256-sec1.der")]
    [InlineData("rsa2048-pkcs8-aes128-sha512.der")]
    [InlineData("rsa2048.spki.der")]
    public void Mutated_der_never_escapes_as_another_exception(string file)
    {
        byte[] original = KeyTestFiles.Read(file);
        var random = new Random(file.Length);
        bool spki = file.EndsWith(".spki.der", StringComparison.Ordinal);
        for (int i = 0; i < 80; i++)
        {
            byte[] mutated = (byte[])original.Clone();
            int position = random.Next(Math.Min(mutated.Length, 64));
            mutated[position] = (byte)random.Next(256);
            int length = random.Next(2) == 0 ? mutated.Length : random.Next(mutated.Length);
            byte[] input = mutated.AsSpan(0, length).ToArray();
            try
            {
                if (spki)
                {
                    PublicKey.FromSubjectPublicKeyInfo(input);
                }
                else
                {
                    PrivateKey.FromDer(input, KeyTestFiles.Password);
                }
            }
            catch (KeyFormatException)
            {
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("3000")]
    [InlineData("300d06092a864886f70d0101010500")]
    [InlineData("301a300d06092a864886f70d010101050003090030060201020201ff")]
    public void Malformed_spki_is_a_key_format_error(string hex)
    {
        Assert.Throws<KeyFormatException>(() => PublicKey.FromSubjectPublicKeyInfo(CryptoUtil.FromHex(hex)));
    }

    [Fact]
    public void Pem_with_crlf_and_surrounding_text_loads()
    {
        string pem = File.ReadAllText(KeyTestFiles.PathOf("p256.pem")).Replace("\n", "\r\n", StringComparison.Ordinal);
        string text = "Bag Attributes\r\n    localKeyID: 01 02 03\r\nKey Attributes: <No Attributes>\r\n" + pem + "trailing words\r\n";
        Assert.True(PrivateKey.FromPem(text).Matches(KeyTestFiles.Spki("p256.spki.der")));
    }

    [Fact]
    public void Public_keys_of_unsupported_curves_are_rejected()
    {
        // secp256k1 SubjectPublicKeyInfo (generator point as the key).
        const string secp256k1 = "3056301006072a8648ce3d020106052b8104000a0342000479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
        var e = Assert.Throws<KeyFormatException>(() => PublicKey.FromSubjectPublicKeyInfo(CryptoUtil.FromHex(secp256k1)));
        Assert.Equal(KeyFormatError.Unsupported, e.Reason);
    }
}
