using ManagedTls.Crypto;

namespace ManagedTls.Interop;

/// <summary>
/// Key exchange and signatures against the openssl binary: each side's public output is consumed by the
/// other, so a disagreement in encoding, validation or arithmetic fails here even when our own known
/// answers pass.
/// </summary>
public sealed class CryptoInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("managedtls-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string[]> Groups() => new()
    {
        { "X25519", new[] { "-algorithm", "X25519" } },
        { "X448", new[] { "-algorithm", "X448" } },
        { "secp256r1", new[] { "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "ec_param_enc:named_curve" } },
        { "secp384r1", new[] { "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-pkeyopt", "ec_param_enc:named_curve" } },
        { "secp521r1", new[] { "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521", "-pkeyopt", "ec_param_enc:named_curve" } },
    };

    [Theory]
    [MemberData(nameof(Groups))]
    public void KeyExchangeAgreesWithOpenSsl(string group, string[] genpkey)
    {
        KeyExchangeAlgorithm algorithm = KeyExchanges.All.Single(a => string.Equals(a.Name, group, StringComparison.OrdinalIgnoreCase));
        string theirKey = Path.Combine(_dir, group + ".pem");
        OpenSslProcess.Run(new[] { "genpkey" }.Concat(genpkey).Concat(new[] { "-out", theirKey }));
        byte[] theirSpki = OpenSslProcess.Run(new[] { "pkey", "-in", theirKey, "-pubout", "-outform", "DER" });

        using IKeyExchange ours = algorithm.Generate(OsEntropy.Instance);
        int shareLength = ours.PublicShare.Length;
        byte[] theirShare = theirSpki.AsSpan(theirSpki.Length - shareLength).ToArray();

        // Our public share in the same SubjectPublicKeyInfo framing openssl used for its own key.
        byte[] ourSpki = theirSpki.AsSpan(0, theirSpki.Length - shareLength).ToArray().Concat(ours.PublicShare.ToArray()).ToArray();
        string ourPub = Path.Combine(_dir, group + "-ours.der");
        File.WriteAllBytes(ourPub, ourSpki);

        byte[] theirSecret = OpenSslProcess.Run(new[] { "pkeyutl", "-derive", "-inkey", theirKey, "-peerkey", ourPub, "-peerform", "DER" });
        byte[] ourSecret = ours.DeriveSharedSecret(theirShare);
        Assert.Equal(CryptoUtil.ToHex(theirSecret), CryptoUtil.ToHex(ourSecret));
    }

    public static TheoryData<string, string[], string[]> SignatureCases() => new()
    {
        // scheme, openssl genpkey args, openssl dgst signing options (empty for EdDSA)
        { "rsa_pkcs1_sha256", new[] { "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048" }, new[] { "-sha256" } },
        { "rsa_pkcs1_sha512", new[] { "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048" }, new[] { "-sha512" } },
        { "rsa_pss_rsae_sha256", new[] { "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048" }, new[] { "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest" } },
        { "rsa_pss_rsae_sha384", new[] { "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048" }, new[] { "-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest" } },
        { "rsa_pss_pss_sha256", new[] { "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048" }, new[] { "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest" } },
        { "ecdsa_secp256r1_sha256", new[] { "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256" }, new[] { "-sha256" } },
        { "ecdsa_secp384r1_sha384", new[] { "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384" }, new[] { "-sha384" } },
        { "ecdsa_secp521r1_sha512", new[] { "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521" }, new[] { "-sha512" } },
        { "ed25519", new[] { "-algorithm", "ED25519" }, Array.Empty<string>() },
        { "ed448", new[] { "-algorithm", "ED448" }, Array.Empty<string>() },
    };

    [Theory]
    [MemberData(nameof(SignatureCases))]
    public void SignaturesCrossVerifyWithOpenSsl(string scheme, string[] genpkey, string[] dgst)
    {
        SignatureAlgorithm algorithm = SignatureAlgorithm.All.Single(a => a.Name == scheme);
        string key = Path.Combine(_dir, scheme + ".pem");
        string pub = Path.Combine(_dir, scheme + ".pub.pem");
        string msg = Path.Combine(_dir, scheme + ".msg");
        string ourSig = Path.Combine(_dir, scheme + ".ours.sig");
        string theirSig = Path.Combine(_dir, scheme + ".theirs.sig");
        byte[] message = System.Text.Encoding.ASCII.GetBytes("TLS 1.3, server CertificateVerify interop " + scheme);
        File.WriteAllBytes(msg, message);
        OpenSslProcess.Run(new[] { "genpkey" }.Concat(genpkey).Concat(new[] { "-out", key }));
        OpenSslProcess.Run(new[] { "pkey", "-in", key, "-pubout", "-out", pub });
        byte[] spki = OpenSslProcess.Run(new[] { "pkey", "-in", key, "-pubout", "-outform", "DER" });

        // We sign with the key openssl generated; openssl verifies.
        var privateKey = PrivateKey.LoadFile(key);
        File.WriteAllBytes(ourSig, privateKey.Sign(algorithm, message, OsEntropy.Instance));
        bool eddsa = dgst.Length == 0;
        string verified = System.Text.Encoding.ASCII.GetString(eddsa
            ? OpenSslProcess.Run(new[] { "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", msg, "-sigfile", ourSig })
            : OpenSslProcess.Run(new[] { "dgst" }.Concat(dgst).Concat(new[] { "-verify", pub, "-signature", ourSig, msg })));
        Assert.Contains("Verified", verified, StringComparison.OrdinalIgnoreCase);

        // openssl signs; we verify, and reject a tampered message.
        if (eddsa)
        {
            OpenSslProcess.Run(new[] { "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", msg, "-out", theirSig });
        }
        else
        {
            OpenSslProcess.Run(new[] { "dgst" }.Concat(dgst).Concat(new[] { "-sign", key, "-out", theirSig, msg }));
        }

        var publicKey = PublicKey.FromSubjectPublicKeyInfo(spki);
        byte[] signature = File.ReadAllBytes(theirSig);
        Assert.True(publicKey.Verify(algorithm, message, signature));
        message[0] ^= 1;
        Assert.False(publicKey.Verify(algorithm, message, signature));
    }
}
