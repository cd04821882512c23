using BenchmarkDotNet.Attributes;
using ManagedTls.X509;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkix;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace ManagedTls.Benchmarks;

/// <summary>
/// Verifying a three-certificate chain (leaf, intermediate, root) from DER, RSA-2048 and ECDSA P-256, with
/// ManagedTls's verifier beside BouncyCastle's PkixCertPathValidator. Both parse the DER each time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class X509Benchmarks
{
    private static readonly DateTime Now = new(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
    private byte[][] _rsa = [];
    private byte[][] _ec = [];

    /// <summary>Creates both chains.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new SecureRandom();
        _rsa = Chain(() => RsaKey(random), "SHA256WITHRSA", random);
        _ec = Chain(() => EcKey(random), "SHA256WITHECDSA", random);
    }

    /// <summary>ManagedTls, RSA-2048 chain.</summary>
    [Benchmark]
    public bool ManagedTls_Rsa2048() => ManagedVerify(_rsa);

    /// <summary>ManagedTls, ECDSA P-256 chain.</summary>
    [Benchmark]
    public bool ManagedTls_EcdsaP256() => ManagedVerify(_ec);

    /// <summary>BouncyCastle PkixCertPathValidator, RSA-2048 chain.</summary>
    [Benchmark]
    public bool BouncyCastle_Rsa2048() => BcVerify(_rsa);

    /// <summary>BouncyCastle PkixCertPathValidator, ECDSA P-256 chain.</summary>
    [Benchmark]
    public bool BouncyCastle_EcdsaP256() => BcVerify(_ec);

    private static bool ManagedVerify(byte[][] chain)
    {
        VerifyResult r = CertificateVerifier.Verify(new VerifyRequest
        {
            PeerChain = [chain[0], chain[1]],
            Trust = new TrustStore([chain[2]]),
            Time = Now,
            Flags = VerifyFlags.VerifyX509Strict,
        });
        return r.IsValid ? true : throw new InvalidOperationException(r.Message);
    }

    private static bool BcVerify(byte[][] chain)
    {
        var parser = new X509CertificateParser();
        X509Certificate leaf = parser.ReadCertificate(chain[0]);
        X509Certificate ica = parser.ReadCertificate(chain[1]);
        X509Certificate root = parser.ReadCertificate(chain[2]);
        var p = new PkixParameters(new HashSet<TrustAnchor> { new(root, null) })
        {
            IsRevocationEnabled = false,
            Date = Now,
        };
        new PkixCertPathValidator().Validate(new PkixCertPath(new List<X509Certificate> { leaf, ica }), p);
        return true;
    }

    private static AsymmetricCipherKeyPair RsaKey(SecureRandom random)
    {
        var g = new RsaKeyPairGenerator();
        g.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), random, 2048, 40));
        return g.GenerateKeyPair();
    }

    private static AsymmetricCipherKeyPair EcKey(SecureRandom random)
    {
        var g = new ECKeyPairGenerator();
        g.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        return g.GenerateKeyPair();
    }

    private static byte[][] Chain(Func<AsymmetricCipherKeyPair> newKey, string alg, SecureRandom random)
    {
        AsymmetricCipherKeyPair rootKey = newKey();
        AsymmetricCipherKeyPair icaKey = newKey();
        AsymmetricCipherKeyPair leafKey = newKey();
        X509Certificate root = Issue("CN=root", rootKey.Public, "CN=root", rootKey, true, alg, random);
        X509Certificate ica = Issue("CN=ica", icaKey.Public, "CN=root", rootKey, true, alg, random);
        X509Certificate leaf = Issue("CN=www.example.com", leafKey.Public, "CN=ica", icaKey, false, alg, random);
        return [leaf.GetEncoded(), ica.GetEncoded(), root.GetEncoded()];
    }

    private static X509Certificate Issue(string subject, AsymmetricKeyParameter key, string issuer, AsymmetricCipherKeyPair issuerKey, bool ca, string alg, SecureRandom random)
    {
        var gen = new X509V3CertificateGenerator();
        gen.SetSerialNumber(BigInteger.ValueOf(random.NextInt() & 0x7fffffff | 1));
        gen.SetSubjectDN(new X509Name(subject));
        gen.SetIssuerDN(new X509Name(issuer));
        gen.SetNotBefore(Now.AddDays(-30));
        gen.SetNotAfter(Now.AddDays(300));
        gen.SetPublicKey(key);
        gen.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(ca));
        gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(ca ? KeyUsage.KeyCertSign | KeyUsage.CrlSign : KeyUsage.DigitalSignature));
        gen.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(key));
        gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(X509ExtensionUtilities.CreateSubjectKeyIdentifier(issuerKey.Public).GetKeyIdentifier()));
        if (!ca)
        {
            gen.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth));
            gen.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.DnsName, "www.example.com")));
        }

        return gen.Generate(new Asn1SignatureFactory(alg, issuerKey.Private, random));
    }
}
