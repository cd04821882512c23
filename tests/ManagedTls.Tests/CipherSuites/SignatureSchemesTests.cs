using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Tests.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Tests.CipherSuites;

public class SignatureSchemesTests
{
    [Fact]
    public void Every_code_point_has_one_descriptor_with_matching_name()
    {
        foreach (SignatureScheme scheme in Enum.GetValues<SignatureScheme>())
        {
            SignatureSchemeInfo? info = SignatureSchemes.Find(scheme);
            Assert.NotNull(info);
            Assert.Equal(scheme.ToString().ToLowerInvariant(), info.Name.Replace("_", string.Empty, StringComparison.Ordinal));
            Assert.Same(info, SignatureSchemes.Find(info.Algorithm));
        }

        Assert.Equal(SignatureSchemes.All.Count, SignatureSchemes.All.Select(i => i.Scheme).Distinct().Count());
        Assert.Null(SignatureSchemes.Find((SignatureScheme)0x0303));
    }

    [Fact]
    public void Default_is_openssl_3_client_order()
    {
        // openssl s_client -trace (OpenSSL 3.0.19) ClientHello signature_algorithms, minus sha224 and DSA.
        ushort[] openssl = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601];
        Assert.Equal(openssl, SignatureSchemes.Default.Select(s => (ushort)s));
        Assert.Equal(SignatureSchemes.Default, SignatureSchemes.All.Where(i => !i.VerifyOnly).Select(i => i.Scheme));
    }

    [Fact]
    public void Tls13_excludes_pkcs1_and_sha1()
    {
        foreach (SignatureSchemeInfo info in SignatureSchemes.All)
        {
            bool legacy = info.Algorithm.Padding == SignaturePadding.Pkcs1 || info.Algorithm.Hash == HashAlgorithm.Sha1;
            Assert.Equal(!legacy, info.Tls13);
            Assert.Equal(!legacy, SignatureSchemes.AllowedInTls13(info.Scheme));
        }
    }

    [Theory]
    [InlineData("RSA+SHA256", SignatureScheme.RsaPkcs1Sha256)]
    [InlineData("rsa+sha1", SignatureScheme.RsaPkcs1Sha1)]
    [InlineData("RSA-PSS+SHA256", SignatureScheme.RsaPssRsaeSha256)]
    [InlineData("PSS+SHA384", SignatureScheme.RsaPssRsaeSha384)]
    [InlineData("ECDSA+SHA512", SignatureScheme.EcdsaSecp521r1Sha512)]
    [InlineData("ECDSA+SHA1", SignatureScheme.EcdsaSha1)]
    [InlineData("ed25519", SignatureScheme.Ed25519)]
    [InlineData("rsa_pss_pss_sha384", SignatureScheme.RsaPssPssSha384)]
    [InlineData(" ecdsa_secp384r1_sha384 ", SignatureScheme.EcdsaSecp384r1Sha384)]
    public void Openssl_names_resolve(string name, SignatureScheme expected)
    {
        Assert.Equal(expected, SignatureSchemes.FindByName(name)?.Scheme);
    }

    [Fact]
    public void Openssl_lists_parse_in_order_without_duplicates()
    {
        Assert.Equal(
            [SignatureScheme.Ed25519, SignatureScheme.RsaPssRsaeSha256, SignatureScheme.EcdsaSecp256r1Sha256],
            SignatureSchemes.ParseList("ed25519:RSA-PSS+SHA256:ECDSA+SHA256:rsa_pss_rsae_sha256"));
        Assert.Throws<FormatException>(() => SignatureSchemes.ParseList("RSA+MD5"));
        Assert.Throws<FormatException>(() => SignatureSchemes.ParseList(string.Empty));
        Assert.Throws<FormatException>(() => SignatureSchemes.ParseList("ed25519::ed448"));
    }

    [Fact]
    public void Signable_by_key_and_version()
    {
        PrivateKey p256 = KeyTestFiles.Load("p256.pem");
        Assert.Equal([SignatureScheme.EcdsaSecp256r1Sha256], SignatureSchemes.SignableBy(p256, SignatureSchemes.Default, tls13: true).Select(i => i.Scheme));
        Assert.Equal(
            [SignatureScheme.EcdsaSecp256r1Sha256, SignatureScheme.EcdsaSecp384r1Sha384, SignatureScheme.EcdsaSecp521r1Sha512],
            SignatureSchemes.SignableBy(p256, SignatureSchemes.Default, tls13: false).Select(i => i.Scheme));

        PrivateKey rsa = KeyTestFiles.Load("rsa2048.pem");
        Assert.Equal(
            [SignatureScheme.RsaPssRsaeSha256, SignatureScheme.RsaPssRsaeSha384, SignatureScheme.RsaPssRsaeSha512],
            SignatureSchemes.SignableBy(rsa, SignatureSchemes.Default, tls13: true).Select(i => i.Scheme));
        Assert.Equal(6, SignatureSchemes.SignableBy(rsa, SignatureSchemes.Default, tls13: false).Count);
        Assert.Empty(SignatureSchemes.SignableBy(rsa, SignatureSchemes.Tls12Implicit, tls13: false));

        PrivateKey pss = KeyTestFiles.Load("rsapss2048-sha256.pem");
        Assert.Equal([SignatureScheme.RsaPssPssSha256], SignatureSchemes.SignableBy(pss, SignatureSchemes.Default, tls13: true).Select(i => i.Scheme));

        // Unknown code points offered by a peer are skipped, and the peer's order is kept.
        Assert.Equal(
            [SignatureScheme.RsaPkcs1Sha512, SignatureScheme.RsaPssRsaeSha256],
            SignatureSchemes.SignableBy(rsa, [(SignatureScheme)0x0303, SignatureScheme.RsaPkcs1Sha512, SignatureScheme.Ed25519, SignatureScheme.RsaPssRsaeSha256], tls13: false).Select(i => i.Scheme));
    }
}
