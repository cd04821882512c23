using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>Server key types of the handshake benchmarks.</summary>
public enum ServerKey
{
    /// <summary>ECDSA P-256 leaf (ecdsa_secp256r1_sha256).</summary>
    EcdsaP256,

    /// <summary>RSA-2048 leaf (rsa_pss_rsae_sha256).</summary>
    Rsa2048,

    /// <summary>Ed25519 leaf (ed25519; TLS 1.3 only in these benchmarks).</summary>
    Ed25519,
}

/// <summary>A leaf certificate and its key in the forms each peer loads.</summary>
public sealed class BenchLeaf
{
    /// <summary>Leaf certificate DER.</summary>
    public required byte[] Der { get; init; }

    /// <summary>PKCS#8 private key DER.</summary>
    public required byte[] Pkcs8 { get; init; }

    /// <summary>BouncyCastle private key.</summary>
    public required AsymmetricKeyParameter Private { get; init; }

    /// <summary>Certificate PEM.</summary>
    public string CertPem => Pem("CERTIFICATE", Der);

    /// <summary>Key PEM (PKCS#8).</summary>
    public string KeyPem => Pem("PRIVATE KEY", Pkcs8);

    internal static string Pem(string label, byte[] der) =>
        $"-----BEGIN {label}-----\n{Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks)}\n-----END {label}-----\n";
}

/// <summary>
/// One test CA (ECDSA P-256) and two leaves for <see cref="HostName"/> (ECDSA P-256 and RSA-2048) signed by it,
/// generated once per process and shared by every peer of every benchmark.
/// </summary>
public static class BenchPki
{
    /// <summary>The name in the leaves' subjectAltName.</summary>
    public const string HostName = "server.test";

    private static readonly SecureRandom Random = new();
    private static readonly Lazy<(byte[] Der, AsymmetricCipherKeyPair Key)> Root = new(MakeRoot);
    private static readonly Lazy<BenchLeaf> Ec = new(() => MakeLeaf(EcKey()));
    private static readonly Lazy<BenchLeaf> Rsa = new(() => MakeLeaf(RsaKey()));
    private static readonly Lazy<BenchLeaf> Ed = new(() => MakeLeaf(EdKey()));

    /// <summary>The two key types every peer (BouncyCastle's TLS and SslStream included) is measured with.</summary>
    public static ServerKey[] ClassicKeys { get; } = [ServerKey.EcdsaP256, ServerKey.Rsa2048];

    /// <summary>The CA certificate DER.</summary>
    public static byte[] RootDer => Root.Value.Der;

    /// <summary>The CA certificate PEM.</summary>
    public static string RootPem => BenchLeaf.Pem("CERTIFICATE", RootDer);

    /// <summary>The CA public key (the BouncyCastle TLS client checks the leaf signature with it).</summary>
    public static AsymmetricKeyParameter RootPublic => Root.Value.Key.Public;

    /// <summary>The leaf of the given key type.</summary>
    public static BenchLeaf Leaf(ServerKey key) => key switch
    {
        ServerKey.EcdsaP256 => Ec.Value,
        ServerKey.Rsa2048 => Rsa.Value,
        _ => Ed.Value,
    };

    private static AsymmetricCipherKeyPair EdKey()
    {
        var g = new Ed25519KeyPairGenerator();
        g.Init(new Ed25519KeyGenerationParameters(Random));
        return g.GenerateKeyPair();
    }

    private static AsymmetricCipherKeyPair EcKey()
    {
        var g = new ECKeyPairGenerator();
        g.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, Random));
        return g.GenerateKeyPair();
    }

    private static AsymmetricCipherKeyPair RsaKey()
    {
        var g = new RsaKeyPairGenerator();
        g.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), Random, 2048, 80));
        return g.GenerateKeyPair();
    }

    private static (byte[], AsymmetricCipherKeyPair) MakeRoot()
    {
        AsymmetricCipherKeyPair key = EcKey();
        X509Certificate cert = Issue("CN=Benchmark Root", key.Public, "CN=Benchmark Root", key, ca: true);
        return (cert.GetEncoded(), key);
    }

    private static BenchLeaf MakeLeaf(AsymmetricCipherKeyPair key)
    {
        X509Certificate cert = Issue("CN=" + HostName, key.Public, "CN=Benchmark Root", Root.Value.Key, ca: false);
        PrivateKeyInfo info = PrivateKeyInfoFactory.CreatePrivateKeyInfo(key.Private);
        return new BenchLeaf { Der = cert.GetEncoded(), Pkcs8 = info.GetDerEncoded(), Private = key.Private };
    }

    private static X509Certificate Issue(string subject, AsymmetricKeyParameter key, string issuer, AsymmetricCipherKeyPair issuerKey, bool ca)
    {
        DateTime now = DateTime.UtcNow;
        var gen = new X509V3CertificateGenerator();
        gen.SetSerialNumber(BigInteger.ValueOf((Random.NextInt() & 0x7fffffff) | 1));
        gen.SetSubjectDN(new X509Name(subject));
        gen.SetIssuerDN(new X509Name(issuer));
        gen.SetNotBefore(now.AddDays(-1));
        gen.SetNotAfter(now.AddDays(365));
        gen.SetPublicKey(key);
        gen.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(ca));
        gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(ca ? KeyUsage.KeyCertSign | KeyUsage.CrlSign : KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment));
        gen.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(key));
        gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(X509ExtensionUtilities.CreateSubjectKeyIdentifier(issuerKey.Public).GetKeyIdentifier()));
        if (!ca)
        {
            gen.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth));
            gen.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.DnsName, HostName)));
        }

        return gen.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", issuerKey.Private, Random));
    }
}
