using System.Net;
using ManagedTls.Crypto;
using ManagedTls.X509;
using ManagedTls.X509.Builder;
using ManagedTls.X509.PeerCert;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;
using BcParser = Org.BouncyCastle.X509.X509CertificateParser;

namespace ManagedTls.Tests.X509.Builder;

public class CertificateBuilderTests
{
    private static readonly DateTimeOffset Now = new(2031, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);

    private static CertificateBuilder Builder(CertificateKeyAlgorithm algorithm = CertificateKeyAlgorithm.EcdsaP256, IEntropySource? entropy = null) =>
        new(entropy, () => Now) { KeyAlgorithm = algorithm };

    private static VerifyResult Verify(GeneratedCertificate ca, GeneratedCertificate leaf, PeerName? name, DateTimeOffset? at = null, VerifyFlags flags = VerifyFlags.VerifyX509Strict, VerifyPurpose purpose = VerifyPurpose.ServerAuth) =>
        CertificateVerifier.Verify(new VerifyRequest
        {
            PeerChain = [leaf.CertificateDer],
            Trust = new TrustStore([ca.CertificateDer]),
            Time = at ?? Now,
            ExpectedName = name,
            Flags = flags,
            Purpose = purpose,
        });

    private static BcCertificate Parse(GeneratedCertificate c) => new BcParser().ReadCertificate(c.CertificateDer);

    public static TheoryData<CertificateKeyAlgorithm, CertificateKeyAlgorithm> KeyPairs()
    {
        var data = new TheoryData<CertificateKeyAlgorithm, CertificateKeyAlgorithm>();
        foreach (CertificateKeyAlgorithm ca in Enum.GetValues<CertificateKeyAlgorithm>())
        {
            foreach (CertificateKeyAlgorithm leaf in Enum.GetValues<CertificateKeyAlgorithm>())
            {
                data.Add(ca, leaf);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KeyPairs))]
    public void LeafVerifiesUnderItsCaWithNameChecks(CertificateKeyAlgorithm caKey, CertificateKeyAlgorithm leafKey)
    {
        CertificateBuilder b = Builder(caKey);
        GeneratedCertificate ca = b.CreateCertificateAuthority("Test CA");
        GeneratedCertificate leaf = b.CreateLeaf(ca, "server", ["server.example", "*.apps.example"], [IPAddress.Loopback, IPAddress.IPv6Loopback], key: CertificateKeyPair.Generate(leafKey));

        Assert.Equal(caKey, ca.Key.Algorithm);
        Assert.Equal(leafKey, leaf.Key.Algorithm);
        foreach (PeerName name in new[] { PeerName.Dns("server.example"), PeerName.Dns("SERVER.example"), PeerName.Dns("x.apps.example"), PeerName.Ip("127.0.0.1"), PeerName.Ip("::1") })
        {
            VerifyResult r = Verify(ca, leaf, name);
            Assert.True(r.IsValid, $"{name}: {r.Message} {r.Detail}");
            Assert.Equal(2, r.Chain.Count);
        }

        Assert.Equal(VerifyError.HostnameMismatch, Verify(ca, leaf, PeerName.Dns("other.example")).Error);
        Assert.Equal(VerifyError.HostnameMismatch, Verify(ca, leaf, PeerName.Dns("server")).Error); // the CN is not a SAN
        Assert.Equal(VerifyError.IpAddressMismatch, Verify(ca, leaf, PeerName.Ip("127.0.0.2")).Error);
        Assert.True(Verify(ca, leaf, PeerName.Dns("server.example"), purpose: VerifyPurpose.ClientAuth).IsValid);
    }

    [Fact]
    public void CaHasTheCaProfile()
    {
        GeneratedCertificate ca = Builder().CreateCertificateAuthority("Test CA", pathLength: 0);
        BcCertificate c = Parse(ca);

        Assert.Equal(3, c.Version);
        Assert.Equal(c.SubjectDN, c.IssuerDN);
        Assert.Equal("CN=Test CA", c.SubjectDN.ToString());
        Assert.Equal(0, c.GetBasicConstraints()); // cA TRUE, pathLenConstraint 0
        Assert.Contains(X509Extensions.BasicConstraints.Id, c.GetCriticalExtensionOids());
        Assert.Contains(X509Extensions.KeyUsage.Id, c.GetCriticalExtensionOids());
        bool[] ku = c.GetKeyUsage();
        Assert.True(ku[5] && ku[6], "keyCertSign and cRLSign");
        Assert.Equal(2, ku.Count(bit => bit));
        Assert.Equal(ca.Key.KeyIdentifier(), SubjectKeyIdentifier.GetInstance(c.GetExtensionParsedValue(X509Extensions.SubjectKeyIdentifier)).GetKeyIdentifier());
        Assert.Null(c.GetExtensionValue(X509Extensions.ExtendedKeyUsage));
        Assert.Equal("1.2.840.10045.4.3.2", c.SigAlgOid);
        Assert.True(ca.IsCertificateAuthority);

        BcCertificate unlimited = Parse(Builder().CreateCertificateAuthority("Unlimited", pathLength: null));
        Assert.Equal(int.MaxValue, unlimited.GetBasicConstraints());
    }

    [Fact]
    public void LeafHasTheLeafProfile()
    {
        CertificateBuilder b = Builder();
        b.Organization = "Example Org";
        GeneratedCertificate ca = b.CreateCertificateAuthority("Test CA");
        GeneratedCertificate leaf = b.CreateLeaf(ca, "localhost", ["localhost"], [IPAddress.Parse("192.0.2.7")], CertificateUsages.ServerAuth);
        BcCertificate c = Parse(leaf);

        Assert.Equal("O=Example Org,CN=localhost", c.SubjectDN.ToString());
        Assert.Equal("O=Example Org,CN=Test CA", c.IssuerDN.ToString());
        Assert.Equal(-1, c.GetBasicConstraints());
        Assert.Contains(X509Extensions.BasicConstraints.Id, c.GetCriticalExtensionOids());
        bool[] ku = c.GetKeyUsage();
        Assert.True(ku[0], "digitalSignature");
        Assert.Equal(1, ku.Count(bit => bit));
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], c.GetExtendedKeyUsage().Select(o => o.Id));
        Assert.DoesNotContain(X509Extensions.SubjectAlternativeName.Id, c.GetCriticalExtensionOids());
        byte[] aki = AuthorityKeyIdentifier.GetInstance(c.GetExtensionParsedValue(X509Extensions.AuthorityKeyIdentifier)).KeyIdentifier.GetOctets();
        Assert.Equal(ca.Key.KeyIdentifier(), aki);
        Assert.Equal(leaf.Key.KeyIdentifier(), SubjectKeyIdentifier.GetInstance(c.GetExtensionParsedValue(X509Extensions.SubjectKeyIdentifier)).GetKeyIdentifier());
        Assert.Equal(leaf.Key.SubjectPublicKeyInfo, c.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded());

        // Python's getpeercert() view of the same certificate.
        var dict = PeerCertificate.Decode(leaf.CertificateDer);
        var san = ((IEnumerable<KeyValuePair<string, object>>)dict["subjectAltName"]).Select(kv => $"{kv.Key}:{kv.Value}");
        Assert.Equal(["DNS:localhost", "IP Address:192.0.2.7"], san);
        Assert.False(leaf.IsCertificateAuthority);
        Assert.Equal(["localhost"], leaf.DnsNames);
        Assert.Equal([IPAddress.Parse("192.0.2.7")], leaf.IpAddresses);

        // Client authentication is not among the usages asked for.
        Assert.Equal(VerifyError.InvalidPurpose, Verify(ca, leaf, null, purpose: VerifyPurpose.ClientAuth).Error);
        BcCertificate noEku = Parse(b.CreateLeaf(ca, "plain", usages: CertificateUsages.None));
        Assert.Null(noEku.GetExtensionValue(X509Extensions.ExtendedKeyUsage));
        Assert.Null(noEku.GetExtensionValue(X509Extensions.SubjectAlternativeName));
    }

    [Fact]
    public void ValidityFollowsTheInjectedClock()
    {
        CertificateBuilder b = Builder();
        b.Validity = TimeSpan.FromDays(2);
        GeneratedCertificate ca = b.CreateCertificateAuthority("Test CA");
        GeneratedCertificate leaf = b.CreateLeaf(ca, "host", ["host.example"]);
        BcCertificate c = Parse(leaf);

        var expectedStart = new DateTimeOffset(2031, 3, 4, 5, 1, 7, TimeSpan.Zero); // five minutes back, whole seconds
        var expectedEnd = new DateTimeOffset(2031, 3, 6, 5, 6, 7, TimeSpan.Zero);
        Assert.Equal(expectedStart, leaf.NotBefore);
        Assert.Equal(expectedEnd, leaf.NotAfter);
        Assert.Equal(expectedStart.UtcDateTime, c.NotBefore.ToUniversalTime());
        Assert.Equal(expectedEnd.UtcDateTime, c.NotAfter.ToUniversalTime());

        Assert.True(Verify(ca, leaf, PeerName.Dns("host.example"), expectedStart).IsValid);
        Assert.True(Verify(ca, leaf, PeerName.Dns("host.example"), expectedEnd).IsValid);
        Assert.Equal(VerifyError.CertNotYetValid, Verify(ca, leaf, null, expectedStart.AddSeconds(-1)).Error);
        Assert.Equal(VerifyError.CertHasExpired, Verify(ca, leaf, null, expectedEnd.AddSeconds(1)).Error);
    }

    [Fact]
    public void LeafNeverOutlivesItsCa()
    {
        var clock = Now;
        var b = new CertificateBuilder(clock: () => clock) { Validity = TimeSpan.FromDays(10) };
        GeneratedCertificate ca = b.CreateCertificateAuthority("Test CA");
        clock = Now.AddDays(5);
        GeneratedCertificate leaf = b.CreateLeaf(ca, "host", ["host.example"]);
        Assert.Equal(ca.NotAfter, leaf.NotAfter);

        clock = Now.AddDays(11);
        Assert.Throws<InvalidOperationException>(() => b.CreateLeaf(ca, "late", ["late.example"]));
    }

    [Fact]
    public void SerialNumbersArePositiveSixteenBytesAndDistinct()
    {
        CertificateBuilder b = Builder();
        GeneratedCertificate ca = b.CreateCertificateAuthority("Test CA");
        var serials = new HashSet<string> { ca.SerialNumber };
        for (int i = 0; i < 20; i++)
        {
            GeneratedCertificate leaf = b.CreateLeaf(ca, "host" + i, key: ca.Key);
            Org.BouncyCastle.Math.BigInteger serial = Parse(leaf).SerialNumber;
            Assert.Equal(1, serial.SignValue);
            Assert.Equal(16, serial.ToByteArray().Length);
            Assert.Equal(serial.ToString(16).ToUpperInvariant(), leaf.SerialNumber);
            Assert.True(serials.Add(leaf.SerialNumber));
        }
    }

    [Fact]
    public void SameEntropyAndClockGiveTheSameCertificates()
    {
        GeneratedCertificate[] Make()
        {
            byte[] stream = new byte[8192];
            for (int i = 0; i < stream.Length / 32; i++)
            {
                Hashes.Compute(HashAlgorithm.Sha256, BitConverter.GetBytes(i), stream.AsSpan(i * 32, 32));
            }

            CertificateBuilder b = Builder(entropy: new ReplayEntropy(stream));
            GeneratedCertificate ca = b.CreateCertificateAuthority("Test CA");
            GeneratedCertificate ed = b.CreateLeaf(ca, "ed", ["ed.example"], key: CertificateKeyPair.Generate(CertificateKeyAlgorithm.Ed25519, b.Entropy));
            return [ca, ed];
        }

        GeneratedCertificate[] first = Make();
        GeneratedCertificate[] second = Make();
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i].CertificateDer, second[i].CertificateDer);
            Assert.Equal(first[i].Key.ExportPkcs8(), second[i].Key.ExportPkcs8());
        }

        Assert.NotEqual(first[0].SerialNumber, first[1].SerialNumber);
    }

    [Theory]
    [InlineData(CertificateKeyAlgorithm.EcdsaP256, "1.2.840.10045.2.1", "P256")]
    [InlineData(CertificateKeyAlgorithm.EcdsaP384, "1.2.840.10045.2.1", "P384")]
    [InlineData(CertificateKeyAlgorithm.Ed25519, "1.3.101.112", "None")]
    public void KeysExportAsPkcs8AndLoadBack(CertificateKeyAlgorithm algorithm, string oid, string curve)
    {
        using CertificateKeyPair key = CertificateKeyPair.Generate(algorithm);
        string pem = key.ExportPkcs8Pem();
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", pem);
        Assert.EndsWith("\n-----END PRIVATE KEY-----\n", pem);
        Assert.All(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----")), l => Assert.True(l.Length <= 64));

        var info = Org.BouncyCastle.Asn1.Pkcs.PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(key.ExportPkcs8()));
        Assert.Equal(oid, info.PrivateKeyAlgorithm.Algorithm.Id);
        PrivateKey loaded = PrivateKey.FromPem(pem);
        Assert.Equal(curve, loaded.Curve.ToString());
        Assert.True(loaded.Matches(PublicKey.FromSubjectPublicKeyInfo(key.SubjectPublicKeyInfo)));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", key.ExportPublicKeyPem());

        // A signature made with the exported key checks under the exported public key.
        SignatureAlgorithm alg = loaded.SignableAlgorithms(ManagedTls.CipherSuites.SignatureSchemes.All.Select(s => s.Algorithm), enforceCurve: true)[0];
        byte[] message = "to be signed"u8.ToArray();
        Assert.True(PublicKey.FromSubjectPublicKeyInfo(key.SubjectPublicKeyInfo).Verify(alg, message, loaded.Sign(alg, message, OsEntropy.Instance)));
    }

    [Fact]
    public void DisposedKeysRefuseExportAndUse()
    {
        CertificateBuilder b = Builder();
        var key = CertificateKeyPair.Generate(CertificateKeyAlgorithm.EcdsaP256);
        GeneratedCertificate ca = b.CreateCertificateAuthority("Test CA", key: key);
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.ExportPkcs8());
        Assert.Throws<ObjectDisposedException>(() => key.ExportPkcs8Pem());
        Assert.Throws<ArgumentException>(() => b.CreateLeaf(ca, "host"));
        Assert.Throws<ArgumentException>(() => b.CreateCertificateAuthority("Other", key: key));
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        CertificateBuilder b = Builder();
        GeneratedCertificate ca = b.CreateCertificateAuthority("Test CA");
        GeneratedCertificate leaf = b.CreateLeaf(ca, "host", ["host.example"]);

        Assert.Throws<ArgumentNullException>(() => b.CreateCertificateAuthority(null!));
        Assert.Throws<ArgumentException>(() => b.CreateCertificateAuthority(""));
        Assert.Throws<ArgumentException>(() => b.CreateCertificateAuthority(new string('a', 65)));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.CreateCertificateAuthority("CA", pathLength: -1));
        Assert.Throws<ArgumentNullException>(() => b.CreateLeaf(null!, "host"));
        Assert.Throws<ArgumentException>(() => b.CreateLeaf(leaf, "host")); // a leaf cannot issue
        Assert.Throws<ArgumentException>(() => b.CreateLeaf(ca, "host", ["bad name.example"]));
        Assert.Throws<ArgumentException>(() => b.CreateLeaf(ca, "host", ["bücher.example"]));
        Assert.Throws<ArgumentException>(() => b.CreateLeaf(ca, "host", ["-x.example"]));
        Assert.Throws<ArgumentException>(() => b.CreateLeaf(ca, "host", [""]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CertificateKeyPair.Generate((CertificateKeyAlgorithm)99));

        b.Validity = TimeSpan.Zero;
        Assert.Throws<ArgumentException>(() => b.CreateCertificateAuthority("CA"));
        b.Validity = TimeSpan.FromDays(1);
        b.Backdate = TimeSpan.FromSeconds(-1);
        Assert.Throws<ArgumentException>(() => b.CreateCertificateAuthority("CA"));
    }

    [Fact]
    public void KeyGenerationDrawsFromTheGivenEntropy()
    {
        var counting = new CountingEntropy();
        using var p256 = CertificateKeyPair.Generate(CertificateKeyAlgorithm.EcdsaP256, counting);
        Assert.True(counting.Bytes >= 32, "the P-256 scalar comes from the source");
        int before = counting.Bytes;
        using var ed = CertificateKeyPair.Generate(CertificateKeyAlgorithm.Ed25519, counting);
        Assert.Equal(before + 32, counting.Bytes);
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
