using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace ManagedTls.Tests.X509;

/// <summary>Builds test certificate hierarchies with BouncyCastle's certificate generator.</summary>
internal static class TestPki
{
    public static readonly DateTime Now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime NotBefore = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime NotAfter = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly SecureRandom Random = new();
    private static readonly Lazy<AsymmetricCipherKeyPair> Rsa2048 = new(() => RsaKey(2048));
    private static readonly Lazy<AsymmetricCipherKeyPair> Rsa1024 = new(() => RsaKey(1024));
    private static long _serial = 1000;

    public static AsymmetricCipherKeyPair EcKey(DerObjectIdentifier? curve = null)
    {
        var g = new ECKeyPairGenerator();
        g.Init(new ECKeyGenerationParameters(curve ?? SecObjectIdentifiers.SecP256r1, Random));
        return g.GenerateKeyPair();
    }

    public static AsymmetricCipherKeyPair RsaKey(int bits)
    {
        var g = new RsaKeyPairGenerator();
        g.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), Random, bits, 40));
        return g.GenerateKeyPair();
    }

    public static AsymmetricCipherKeyPair SharedRsa2048 => Rsa2048.Value;

    public static AsymmetricCipherKeyPair SharedRsa1024 => Rsa1024.Value;

    public static AsymmetricCipherKeyPair Ed25519Key()
    {
        var g = new Ed25519KeyPairGenerator();
        g.Init(new Ed25519KeyGenerationParameters(Random));
        return g.GenerateKeyPair();
    }

    public static AsymmetricCipherKeyPair Ed448Key()
    {
        var g = new Ed448KeyPairGenerator();
        g.Init(new Ed448KeyGenerationParameters(Random));
        return g.GenerateKeyPair();
    }

    /// <summary>A self-signed CA.</summary>
    public static Node Root(string cn, Action<Spec>? configure = null)
    {
        var spec = new Spec { Ca = true };
        configure?.Invoke(spec);
        return Build(cn, spec, null);
    }

    /// <summary>An intermediate CA signed by <paramref name="issuer"/>.</summary>
    public static Node Ca(Node issuer, string cn, Action<Spec>? configure = null)
    {
        var spec = new Spec { Ca = true };
        configure?.Invoke(spec);
        return Build(cn, spec, issuer);
    }

    /// <summary>An end-entity certificate for TLS servers with the given DNS names.</summary>
    public static Node Leaf(Node issuer, string cn, Action<Spec>? configure = null, params string[] dns)
    {
        var spec = new Spec
        {
            KeyUsage = KeyUsage.DigitalSignature,
            Eku = [KeyPurposeID.id_kp_serverAuth, KeyPurposeID.id_kp_clientAuth],
            San = dns.Select(d => new GeneralName(GeneralName.DnsName, d)).ToList(),
        };
        configure?.Invoke(spec);
        return Build(cn, spec, issuer);
    }

    private static Node Build(string cn, Spec spec, Node? issuer)
    {
        AsymmetricCipherKeyPair key = spec.Key ?? EcKey();
        var subject = spec.Subject ?? new X509Name("CN=" + cn);
        var gen = new X509V3CertificateGenerator();
        gen.SetSerialNumber(spec.Serial ?? BigInteger.ValueOf(Interlocked.Increment(ref _serial)));
        gen.SetSubjectDN(subject);
        gen.SetIssuerDN(issuer?.Cert.SubjectDN ?? subject);
        gen.SetNotBefore(spec.NotBefore);
        gen.SetNotAfter(spec.NotAfter);
        if (spec.PublicKeyInfo is { } spki)
        {
            gen.SetSubjectPublicKeyInfo(spki);
        }
        else
        {
            gen.SetPublicKey(key.Public);
        }
        if (spec.Ca)
        {
            gen.AddExtension(X509Extensions.BasicConstraints, true, spec.PathLen is int p ? new BasicConstraints(p) : new BasicConstraints(true));
        }
        else if (spec.LeafBasicConstraints)
        {
            gen.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        }

        int? ku = spec.KeyUsage ?? (spec.Ca ? KeyUsage.KeyCertSign | KeyUsage.CrlSign : null);
        if (ku is int k && k != 0)
        {
            gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(k));
        }

        if (spec.Eku is { } eku)
        {
            gen.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(eku));
        }

        if (spec.San is { Count: > 0 } san)
        {
            gen.AddExtension(X509Extensions.SubjectAlternativeName, spec.SanCritical, new GeneralNames(san.ToArray()));
        }

        if (spec.NameConstraints is { } nc)
        {
            gen.AddExtension(X509Extensions.NameConstraints, true, nc);
        }

        SubjectKeyIdentifier ski = spec.PublicKeyInfo is { } ownSpki
            ? X509ExtensionUtilities.CreateSubjectKeyIdentifier(ownSpki)
            : X509ExtensionUtilities.CreateSubjectKeyIdentifier(key.Public);
        if (!spec.NoSki)
        {
            gen.AddExtension(X509Extensions.SubjectKeyIdentifier, false, ski);
        }

        if (!spec.NoAki)
        {
            // The issuer's own subjectKeyIdentifier when it has one (its key may be a made-up one), else the hash of its key.
            byte[] authority = issuer is null ? ski.GetKeyIdentifier()
                : issuer.Cert.GetExtensionValue(X509Extensions.SubjectKeyIdentifier) is { } issuerSki
                    ? SubjectKeyIdentifier.GetInstance(Asn1Object.FromByteArray(issuerSki.GetOctets())).GetKeyIdentifier()
                    : X509ExtensionUtilities.CreateSubjectKeyIdentifier(issuer.Key.Public).GetKeyIdentifier();
            gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(authority));
        }

        foreach (var (oid, critical, value) in spec.Extra)
        {
            gen.AddExtension(oid, critical, value);
        }

        AsymmetricKeyParameter signer = issuer?.Key.Private ?? key.Private;
        string alg = spec.SignatureAlgorithm ?? DefaultAlgorithm(signer);
        ISignatureFactory factory = spec.FakeSignatureLength is int length
            ? new FakeSignatureFactory(length)
            : new Asn1SignatureFactory(alg, signer, Random);
        X509Certificate cert = gen.Generate(factory);
        return new Node(cert, key);
    }

    private static string DefaultAlgorithm(AsymmetricKeyParameter key) => key switch
    {
        RsaKeyParameters => "SHA256WITHRSA",
        Ed25519PrivateKeyParameters => "Ed25519",
        Ed448PrivateKeyParameters => "Ed448",
        _ => "SHA256WITHECDSA",
    };

    /// <summary>A CRL issued by <paramref name="issuer"/> revoking the given serials.</summary>
    public static byte[] Crl(Node issuer, DateTime thisUpdate, DateTime? nextUpdate, params BigInteger[] revoked)
    {
        var gen = new X509V2CrlGenerator();
        gen.SetIssuerDN(issuer.Cert.SubjectDN);
        gen.SetThisUpdate(thisUpdate);
        if (nextUpdate is DateTime nu)
        {
            gen.SetNextUpdate(nu);
        }

        foreach (BigInteger s in revoked)
        {
            gen.AddCrlEntry(s, thisUpdate, CrlReason.KeyCompromise);
        }

        gen.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BigInteger.One));
        gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(X509ExtensionUtilities.CreateSubjectKeyIdentifier(issuer.Key.Public).GetKeyIdentifier()));
        return gen.Generate(new Asn1SignatureFactory(DefaultAlgorithm(issuer.Key.Private), issuer.Key.Private, Random)).GetEncoded();
    }

    public static GeneralSubtree Subtree(int tag, string value) => new(new GeneralName(tag, value));

    public static GeneralSubtree IpSubtree(byte[] addressAndMask) => new(new GeneralName(GeneralName.IPAddress, new DerOctetString(addressAndMask)));

    public sealed record Node(X509Certificate Cert, AsymmetricCipherKeyPair Key)
    {
        public byte[] Der => Cert.GetEncoded();

        public BigInteger Serial => Cert.SerialNumber;
    }

    public sealed class Spec
    {
        public bool Ca { get; set; }

        public int? PathLen { get; set; }

        public int? KeyUsage { get; set; }

        public KeyPurposeID[]? Eku { get; set; }

        public List<GeneralName>? San { get; set; }

        public bool SanCritical { get; set; }

        public NameConstraints? NameConstraints { get; set; }

        public DateTime NotBefore { get; set; } = TestPki.NotBefore;

        public DateTime NotAfter { get; set; } = TestPki.NotAfter;

        public string? SignatureAlgorithm { get; set; }

        public AsymmetricCipherKeyPair? Key { get; set; }

        public X509Name? Subject { get; set; }

        public BigInteger? Serial { get; set; }

        public bool NoSki { get; set; }

        public bool NoAki { get; set; }

        public bool LeafBasicConstraints { get; set; }

        public List<(DerObjectIdentifier Oid, bool Critical, Asn1Encodable Value)> Extra { get; } = [];

        /// <summary>A subject public key to put in the certificate instead of <see cref="Key"/>'s (which still signs).</summary>
        public SubjectPublicKeyInfo? PublicKeyInfo { get; set; }

        /// <summary>
        /// Sign with sha256WithRSAEncryption but put random bytes of this length in the signature, for an issuer
        /// whose key is made up (its modulus has no known factors).
        /// </summary>
        public int? FakeSignatureLength { get; set; }
    }

    /// <summary>Runs <paramref name="work"/> and returns its result with the time it took.</summary>
    public static (T Result, TimeSpan Elapsed) Timed<T>(Func<T> work)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        T result = work();
        return (result, sw.Elapsed);
    }

    /// <summary>An RSA SubjectPublicKeyInfo with any modulus and exponent, none of them checked.</summary>
    public static SubjectPublicKeyInfo RsaSpki(BigInteger modulus, BigInteger exponent) =>
        new(new AlgorithmIdentifier(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.RsaEncryption, DerNull.Instance),
            new DerSequence(new DerInteger(modulus), new DerInteger(exponent)));

    /// <summary>
    /// A made-up RSA modulus: an odd number of exactly <paramref name="bits"/> bits without prime factors below
    /// 1000 (as a real modulus), whose factors nobody knows.
    /// </summary>
    public static BigInteger FakeModulus(int bits, int seed = 1)
    {
        var bytes = new byte[(bits + 7) / 8];
        new System.Random(seed).NextBytes(bytes);
        BigInteger n = new BigInteger(1, bytes).Mod(BigInteger.One.ShiftLeft(bits)).SetBit(bits - 1).SetBit(0);
        int[] residues = SmallPrimes.Select(p => n.Mod(BigInteger.ValueOf(p)).IntValue).ToArray();
        int step = 0;
        while (Enumerable.Range(0, SmallPrimes.Length).Any(i => (residues[i] + step) % SmallPrimes[i] == 0))
        {
            step += 2;
        }

        return n.Add(BigInteger.ValueOf(step));
    }

    private static readonly int[] SmallPrimes = Enumerable.Range(3, 997).Where(p => p % 2 == 1 && Enumerable.Range(3, Math.Max(0, (int)Math.Sqrt(p) - 2)).All(d => p % d != 0)).ToArray();

    /// <summary>Writes sha256WithRSAEncryption as the algorithm and random bytes as the signature.</summary>
    private sealed class FakeSignatureFactory(int length) : ISignatureFactory
    {
        public object AlgorithmDetails { get; } = new AlgorithmIdentifier(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance);

        public IStreamCalculator<IBlockResult> CreateCalculator() => new Calculator(length);

        private sealed class Calculator(int length) : IStreamCalculator<IBlockResult>
        {
            public Stream Stream { get; } = new MemoryStream();

            public IBlockResult GetResult()
            {
                var bytes = new byte[length];
                new System.Random(length).NextBytes(bytes);
                bytes[0] = 0x01; // below any modulus of this length
                return new SimpleBlockResult(bytes);
            }
        }
    }
}
