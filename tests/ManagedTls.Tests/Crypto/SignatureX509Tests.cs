using ManagedTls.Crypto;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace ManagedTls.Tests.Crypto;

public class SignatureX509Tests
{
    [Theory]
    [InlineData("rsa2048-cert.pem")]
    [InlineData("p256-cert.pem")]
    [InlineData("cert-rsa-pss-salt20.pem")]
    [InlineData("cert-rsa-sha384.pem")]
    [InlineData("cert-rsa-sha1.pem")]
    [InlineData("cert-rsapss-key.pem")]
    [InlineData("cert-p384.pem")]
    [InlineData("cert-ed25519.pem")]
    [InlineData("cert-ed448.pem")]
    public void Self_signed_certificates_verify(string file)
    {
        X509CertificateStructure cert = new X509CertificateParser().ReadCertificate(KeyTestFiles.Read(file)).CertificateStructure;
        PublicKey key = PublicKey.FromSubjectPublicKeyInfo(cert.SubjectPublicKeyInfo.GetDerEncoded());
        byte[] tbs = cert.TbsCertificate.GetDerEncoded();
        byte[] signature = cert.Signature.GetOctets();
        Assert.True(X509Signatures.Verify(key, cert.SignatureAlgorithm, tbs, signature));

        byte[] tampered = (byte[])tbs.Clone();
        tampered[^5] ^= 0x01;
        Assert.False(X509Signatures.Verify(key, cert.SignatureAlgorithm, tampered, signature));
        Assert.False(X509Signatures.Verify(key, cert.SignatureAlgorithm, tbs, signature.AsSpan(1)));

        // Another issuer's key does not verify it.
        PublicKey other = KeyTestFiles.Spki(key.Kind == KeyKind.Ec ? "p521.spki.der" : "p256.spki.der");
        Assert.False(X509Signatures.Verify(other, cert.SignatureAlgorithm, tbs, signature));
    }

    [Fact]
    public void Restricted_pss_issuer_refuses_other_parameters()
    {
        X509CertificateStructure cert = new X509CertificateParser().ReadCertificate(KeyTestFiles.Read("cert-rsa-pss-salt20.pem")).CertificateStructure;

        // Same modulus as rsa2048, but presented as an id-RSASSA-PSS key bound to a 32-byte salt: the
        // certificate's 20-byte salt is below the key's minimum.
        PrivateKey rsa = KeyTestFiles.Load("rsa2048.pem");
        var restricted = PublicKey.FromParameters(rsa.PublicKey.Parameters, AlgorithmIdentifier.GetInstance(
            Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(KeyTestFiles.Spki("rsapss2048-sha256.spki.der").SubjectPublicKeyInfo)
                is Org.BouncyCastle.Asn1.Asn1Sequence seq ? seq[0] : null));
        Assert.Equal(KeyKind.RsaPss, restricted.Kind);
        Assert.False(X509Signatures.Verify(restricted, cert.SignatureAlgorithm, cert.TbsCertificate.GetDerEncoded(), cert.Signature.GetOctets()));
        Assert.True(X509Signatures.Verify(rsa.PublicKey, cert.SignatureAlgorithm, cert.TbsCertificate.GetDerEncoded(), cert.Signature.GetOctets()));
    }

    [Fact]
    public void Unknown_algorithms_do_not_verify()
    {
        X509CertificateStructure cert = new X509CertificateParser().ReadCertificate(KeyTestFiles.Read("rsa2048-cert.pem")).CertificateStructure;
        PublicKey key = PublicKey.FromSubjectPublicKeyInfo(cert.SubjectPublicKeyInfo.GetDerEncoded());
        var md5 = new AlgorithmIdentifier(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.MD5WithRsaEncryption);
        Assert.False(X509Signatures.Verify(key, md5, cert.TbsCertificate.GetDerEncoded(), cert.Signature.GetOctets()));
    }
}
