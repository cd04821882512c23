using System.Diagnostics;
using ManagedTls.X509;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using static ManagedTls.Tests.X509.TestPki;

namespace ManagedTls.Tests.X509;

public class CertificateVerifierTests
{
    private static readonly Lazy<(Node Root, Node Ica, Node Leaf)> Basic = new(() =>
    {
        Node root = Root("root");
        Node ica = Ca(root, "ica");
        Node leaf = Leaf(ica, "leaf", null, "www.example.com");
        return (root, ica, leaf);
    });

    internal static VerifyResult Verify(Node leaf, Node[] untrusted, Node[] anchors, Action<VerifyRequest>? configure = null)
    {
        var req = new VerifyRequest
        {
            PeerChain = [leaf.Der],
            Untrusted = untrusted.Select(n => n.Der).ToArray(),
            Trust = new TrustStore(anchors.Select(n => n.Der)),
            Time = Now,
        };
        configure?.Invoke(req);
        return CertificateVerifier.Verify(req);
    }

    private static void Expect(VerifyError expected, VerifyResult r, int? depth = null)
    {
        Assert.Equal(expected, r.Error);
        if (depth is int d)
        {
            Assert.Equal(d, r.ErrorDepth);
        }
    }

    [Fact]
    public void ThreeCertificateChain_Verifies_AndReturnsLeafToRoot()
    {
        var (root, ica, leaf) = Basic.Value;
        VerifyResult r = Verify(leaf, [ica], [root], q => q.Flags = VerifyFlags.VerifyX509Strict);
        Assert.True(r.IsValid, r.Detail);
        Assert.Equal([leaf.Der, ica.Der, root.Der], r.Chain);
        Assert.Equal("ok", r.Message);
    }

    [Fact]
    public void MissingIntermediate_Is20_AtDepth0()
    {
        var (root, _, leaf) = Basic.Value;
        VerifyResult r = Verify(leaf, [], [root]);
        Expect(VerifyError.UnableToGetIssuerCertLocally, r, 0);
        Assert.Equal("unable to get local issuer certificate", r.Message);
    }

    [Fact]
    public void UntrustedSelfSignedLeaf_Is18()
    {
        Node ss = Root("self");
        Expect(VerifyError.DepthZeroSelfSignedCert, Verify(ss, [], []), 0);
        Assert.Equal("self-signed certificate", VerifyErrors.Message(VerifyError.DepthZeroSelfSignedCert));
    }

    [Fact]
    public void UntrustedRootInChain_Is19()
    {
        var (root, ica, leaf) = Basic.Value;
        Expect(VerifyError.SelfSignedCertInChain, Verify(leaf, [ica, root], []), 2);
    }

    [Fact]
    public void ValidityBoundaries_AreInclusive_ToTheSecond()
    {
        var (root, ica, _) = Basic.Value;
        var nb = new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var na = new DateTime(2025, 4, 1, 0, 0, 0, DateTimeKind.Utc);
        Node leaf = Leaf(ica, "leaf", s => { s.NotBefore = nb; s.NotAfter = na; }, "a.example");
        VerifyResult At(DateTime t) => Verify(leaf, [ica], [root], q => q.Time = t);
        Assert.True(At(nb).IsValid);
        Assert.True(At(na).IsValid);
        Assert.True(At(na.AddMilliseconds(999)).IsValid);
        Expect(VerifyError.CertNotYetValid, At(nb.AddMilliseconds(-1)), 0);
        Expect(VerifyError.CertHasExpired, At(na.AddSeconds(1)), 0);
        Assert.Equal("certificate has expired", At(na.AddSeconds(1)).Message);
    }

    [Fact]
    public void ExpiredRoot_IsReportedAtItsDepth()
    {
        Node root = Root("old-root", s => s.NotAfter = Now.AddDays(-1));
        Node leaf = Leaf(root, "leaf", null, "a.example");
        Expect(VerifyError.CertHasExpired, Verify(leaf, [], [root]), 1);
    }

    [Fact]
    public void IntermediateWithoutCaBit_IsInvalidCa()
    {
        Node root = Root("root");
        Node notCa = Leaf(root, "not-a-ca", s => s.KeyUsage = KeyUsage.KeyCertSign | KeyUsage.DigitalSignature, "x.example");
        Node leaf = Leaf(notCa, "leaf", null, "a.example");
        Expect(VerifyError.InvalidCa, Verify(leaf, [notCa], [root]), 1);
    }

    [Fact]
    public void CaWithoutKeyCertSign_Is32()
    {
        Node root = Root("root");
        Node ica = Ca(root, "ica", s => s.KeyUsage = KeyUsage.CrlSign);
        Node leaf = Leaf(ica, "leaf", null, "a.example");
        Expect(VerifyError.KeyusageNoCertsign, Verify(leaf, [ica], [root]), 1);
    }

    [Fact]
    public void PathLength_IsEnforced_AndSelfIssuedDoNotCount()
    {
        Node root = Root("root", s => s.PathLen = 1);
        Node a = Ca(root, "a");
        Node b = Ca(a, "b");
        Node leaf = Leaf(b, "leaf", null, "a.example");
        Expect(VerifyError.PathLengthExceeded, Verify(leaf, [a, b], [root]), 3);

        // root(pathlen 1) -> ica -> ica' (self-issued, new key) -> leaf: only one intermediate counts.
        var icaKey = EcKey();
        Node ica = Ca(root, "ica", s => s.Key = icaKey);
        Node icaRekey = Ca(ica, "ica", s => s.PathLen = 0);
        Node leaf2 = Leaf(icaRekey, "leaf", null, "a.example");
        Assert.True(Verify(leaf2, [ica, icaRekey], [root]).IsValid);
    }

    [Fact]
    public void MaxDepth_CountsIntermediates()
    {
        var (root, ica, leaf) = Basic.Value;
        Assert.True(Verify(leaf, [ica], [root], q => q.MaxDepth = 1).IsValid);
        Expect(VerifyError.CertChainTooLong, Verify(leaf, [ica], [root], q => q.MaxDepth = 0));
    }

    [Fact]
    public void ExtendedKeyUsage_MustAllowThePurpose_AndCaEkuNests()
    {
        Node root = Root("root");
        Node serverOnly = Leaf(root, "leaf", s => s.Eku = [KeyPurposeID.id_kp_serverAuth], "a.example");
        Assert.True(Verify(serverOnly, [], [root]).IsValid);
        Expect(VerifyError.InvalidPurpose, Verify(serverOnly, [], [root], q => q.Purpose = VerifyPurpose.ClientAuth), 0);

        Node any = Leaf(root, "leaf", s => s.Eku = [KeyPurposeID.AnyExtendedKeyUsage], "a.example");
        Assert.True(Verify(any, [], [root]).IsValid);
        Expect(VerifyError.InvalidPurpose, Verify(any, [], [root], q => q.Flags = VerifyFlags.VerifyX509Strict), 0);

        Node clientCa = Ca(root, "client-ca", s => s.Eku = [KeyPurposeID.id_kp_clientAuth]);
        Node leaf = Leaf(clientCa, "leaf", null, "a.example");
        Expect(VerifyError.InvalidPurpose, Verify(leaf, [clientCa], [root]), 1);
        Assert.True(Verify(leaf, [clientCa], [root], q => q.Purpose = VerifyPurpose.ClientAuth).IsValid);
    }

    [Fact]
    public void RequiredLeafKeyUsage_AppliesToEveryLeaf_ACaCertificateIncluded()
    {
        Node root = Root("root");
        Node keyEncipherment = Leaf(root, "leaf", s => s.KeyUsage = KeyUsage.KeyEncipherment, "a.example");
        Assert.True(Verify(keyEncipherment, [], [root]).IsValid);
        Expect(VerifyError.InvalidPurpose, Verify(keyEncipherment, [], [root], q => q.RequiredLeafKeyUsage = VerifyRequest.KeyUsageDigitalSignature), 0);

        // A CA certificate presented as the leaf (RFC 5280 allows it) must still allow what the protocol does with its key.
        Node caAsLeaf = Ca(root, "ca-as-leaf", s => s.San = [new GeneralName(GeneralName.DnsName, "a.example")]);
        Assert.True(Verify(caAsLeaf, [], [root]).IsValid);
        Expect(VerifyError.InvalidPurpose, Verify(caAsLeaf, [], [root], q => q.RequiredLeafKeyUsage = VerifyRequest.KeyUsageDigitalSignature), 0);
    }

    [Fact]
    public void UnknownCriticalExtension_Fails_AndNonCriticalIsIgnored()
    {
        Node root = Root("root");
        var oid = new DerObjectIdentifier("1.3.6.1.4.1.55738.666.1");
        Node crit = Leaf(root, "leaf", s => s.Extra.Add((oid, true, DerNull.Instance)), "a.example");
        Node plain = Leaf(root, "leaf", s => s.Extra.Add((oid, false, DerNull.Instance)), "a.example");
        Expect(VerifyError.UnhandledCriticalExtension, Verify(crit, [], [root]), 0);
        Assert.True(Verify(plain, [], [root]).IsValid);
    }

    [Fact]
    public void BadSignature_Is7()
    {
        Node root = Root("root");
        Node other = Root("root");
        Node leaf = Leaf(other, "leaf", null, "a.example");
        VerifyResult r = Verify(leaf, [], [root], q => q.Flags = VerifyFlags.VerifyX509TrustedFirst);
        Assert.False(r.IsValid);
        Assert.Contains(r.Error, new[] { VerifyError.CertSignatureFailure, VerifyError.UnableToGetIssuerCertLocally });
    }

    [Fact]
    public void SignatureAlgorithms_RsaPkcs1_RsaPss_Ed25519_Ed448_Verify()
    {
        Node rsaRoot = Root("rsa", s => s.Key = SharedRsa2048);
        Assert.True(Verify(Leaf(rsaRoot, "l", null, "a.example"), [], [rsaRoot]).IsValid);
        Node pssLeaf = Leaf(rsaRoot, "l", s => s.SignatureAlgorithm = "SHA384WITHRSAANDMGF1", "a.example");
        Assert.True(Verify(pssLeaf, [], [rsaRoot]).IsValid);
        foreach (Node signed in new[] { Leaf(rsaRoot, "l", null, "a.example"), pssLeaf })
        {
            byte[] tampered = signed.Der;
            tampered[^5] ^= 0x01; // inside the signature value
            VerifyResult bad = CertificateVerifier.Verify(new VerifyRequest { PeerChain = [tampered], Trust = new TrustStore([rsaRoot.Der]), Time = Now });
            Assert.Equal(VerifyError.CertSignatureFailure, bad.Error);
        }

        Node pss32 = Leaf(rsaRoot, "l", s => s.SignatureAlgorithm = "SHA256WITHRSAANDMGF1", "a.example");
        Assert.True(Verify(pss32, [], [rsaRoot]).IsValid);
        Node ed = Root("ed", s => s.Key = Ed25519Key());
        Assert.True(Verify(Leaf(ed, "l", null, "a.example"), [], [ed]).IsValid);
        Node ed448 = Root("ed448", s => s.Key = Ed448Key());
        Assert.True(Verify(Leaf(ed448, "l", null, "a.example"), [], [ed448]).IsValid);
        Node p384 = Root("p384", s => { s.Key = EcKey(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP384r1); s.SignatureAlgorithm = "SHA384WITHECDSA"; });
        Assert.True(Verify(Leaf(p384, "l", s => s.SignatureAlgorithm = "SHA384WITHECDSA", "a.example"), [], [p384]).IsValid);
    }

    [Fact]
    public void WeakAlgorithmsAndKeys_AreRefused()
    {
        Node root = Root("root");
        Node sha1 = Leaf(root, "l", s => s.SignatureAlgorithm = "SHA1WITHECDSA", "a.example");
        Expect(VerifyError.CaMdTooWeak, Verify(sha1, [], [root]), 0);
        // OpenSSL 3.0 rates SHA-1 at 63 bits, below level 1's 80 (openssl verify -auth_level 1 says 68): only level 0 takes it.
        Expect(VerifyError.CaMdTooWeak, Verify(sha1, [], [root], q => q.SecurityLevel = 1), 0);
        Assert.True(Verify(sha1, [], [root], q => q.SecurityLevel = 0).IsValid);

        Node weakLeaf = Leaf(root, "l", s => s.Key = SharedRsa1024, "a.example");
        Expect(VerifyError.EeKeyTooSmall, Verify(weakLeaf, [], [root]), 0);
        Node weakRoot = Root("weak", s => s.Key = SharedRsa1024);
        Expect(VerifyError.CaKeyTooSmall, Verify(Leaf(weakRoot, "l", null, "a.example"), [], [weakRoot]), 1);

        Node p192 = Leaf(root, "l", s => s.Key = EcKey(Org.BouncyCastle.Asn1.X9.X9ObjectIdentifiers.Prime192v1), "a.example");
        Expect(VerifyError.EeKeyTooSmall, Verify(p192, [], [root]), 0);
    }

    [Fact]
    public void PartialChain_MakesTrustedIntermediateAndLeafAnchors()
    {
        var (_, ica, leaf) = Basic.Value;
        Expect(VerifyError.UnableToGetIssuerCert, Verify(leaf, [], [ica]), 1);
        VerifyResult r = Verify(leaf, [], [ica], q => q.Flags = VerifyFlags.VerifyX509PartialChain);
        Assert.True(r.IsValid);
        Assert.Equal(2, r.Chain.Count);
        Assert.True(Verify(leaf, [], [leaf], q => q.Flags = VerifyFlags.VerifyX509PartialChain).IsValid);
    }

    [Fact]
    public void TrustedFirst_PrefersTheTrustedCopyOfACrossSignedCa()
    {
        // new-root is trusted; the peer also sends new-root cross-signed by old-root (untrusted, not anchored).
        var newKey = EcKey();
        Node newRoot = Root("new-root", s => s.Key = newKey);
        Node oldRoot = Root("old-root");
        Node cross = Ca(oldRoot, "new-root", s => s.Key = newKey);
        Node leaf = Leaf(newRoot, "leaf", null, "a.example");
        VerifyResult trustedFirst = Verify(leaf, [cross], [newRoot], q => q.Flags = VerifyFlags.VerifyX509TrustedFirst);
        Assert.True(trustedFirst.IsValid);
        Assert.Equal(2, trustedFirst.Chain.Count);

        // Without trusted-first the cross-signed copy is tried first, fails to anchor, and the search backtracks.
        VerifyResult untrustedFirst = Verify(leaf, [cross], [newRoot]);
        Assert.True(untrustedFirst.IsValid);
        Assert.Equal(newRoot.Der, untrustedFirst.Chain[^1]);

        // Only the old root trusted: the path goes through the cross certificate.
        VerifyResult viaCross = Verify(leaf, [cross], [oldRoot]);
        Assert.True(viaCross.IsValid);
        Assert.Equal([leaf.Der, cross.Der, oldRoot.Der], viaCross.Chain);
    }

    [Fact]
    public void ExpiredAlternateIssuer_IsPassedOverForAValidOne()
    {
        Node root = Root("root");
        var key = EcKey();
        Node expired = Ca(root, "ica", s => { s.Key = key; s.NotAfter = Now.AddDays(-10); });
        Node fresh = Ca(root, "ica", s => s.Key = key);
        Node leaf = Leaf(fresh, "leaf", null, "a.example");
        VerifyResult r = Verify(leaf, [expired, fresh], [root]);
        Assert.True(r.IsValid);
        Assert.Equal(fresh.Der, r.Chain[1]);
        Expect(VerifyError.CertHasExpired, Verify(leaf, [expired], [root]), 1);
    }

    [Fact]
    public void CrossSignatureLoop_EndsQuickly()
    {
        // a and b sign each other, neither reaches the trusted root.
        var ka = EcKey();
        var kb = EcKey();
        Node root = Root("root");
        Node a0 = Root("a", s => s.Key = ka);
        Node b = Ca(a0, "b", s => s.Key = kb);
        Node a = Ca(b, "a", s => s.Key = ka);
        Node b2 = Ca(a, "b", s => s.Key = kb);
        Node leaf = Leaf(a, "leaf", null, "a.example");
        var sw = Stopwatch.StartNew();
        VerifyResult r = Verify(leaf, [b, a, b2], [root]);
        Assert.False(r.IsValid);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void ManyIssuersWithOneSubject_AreBoundedByTheWorkLimit()
    {
        Node root = Root("root");
        var decoys = Enumerable.Range(0, 60).Select(_ => Root("ica", s => s.NoSki = true)).ToArray();
        Node ica = Ca(root, "ica", s => s.NoSki = true);
        Node leaf = Leaf(ica, "leaf", s => s.NoAki = true, "a.example");
        var sw = Stopwatch.StartNew();
        VerifyResult r = Verify(leaf, decoys.Append(ica).ToArray(), [root]);
        Assert.True(r.IsValid, r.Detail);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Crl_RevokedMissingAndClean()
    {
        var (root, ica, leaf) = Basic.Value;
        byte[] revoking = Crl(ica, Now.AddDays(-1), Now.AddDays(7), leaf.Serial);
        byte[] clean = Crl(ica, Now.AddDays(-1), Now.AddDays(7), BigInteger.ValueOf(99999));
        byte[] stale = Crl(ica, Now.AddDays(-30), Now.AddDays(-1));
        Expect(VerifyError.UnableToGetCrl, Verify(leaf, [ica], [root], q => q.Flags = VerifyFlags.VerifyCrlCheckLeaf), 0);
        Assert.Equal("unable to get certificate CRL", VerifyErrors.Message(VerifyError.UnableToGetCrl));
        Expect(VerifyError.CertRevoked, Verify(leaf, [ica], [root], q => { q.Flags = VerifyFlags.VerifyCrlCheckLeaf; q.Crls = [revoking]; }), 0);
        Assert.True(Verify(leaf, [ica], [root], q => { q.Flags = VerifyFlags.VerifyCrlCheckLeaf; q.Crls = [clean]; }).IsValid);
        Expect(VerifyError.CrlHasExpired, Verify(leaf, [ica], [root], q => { q.Flags = VerifyFlags.VerifyCrlCheckLeaf; q.Crls = [stale]; }), 0);

        // CHECK_CHAIN needs a CRL for every certificate, the root's issued by itself.
        byte[] rootCrl = Crl(root, Now.AddDays(-1), Now.AddDays(7));
        Expect(VerifyError.UnableToGetCrl, Verify(leaf, [ica], [root], q => { q.Flags = VerifyFlags.VerifyCrlCheckChain; q.Crls = [clean]; }), 1);
        Assert.True(Verify(leaf, [ica], [root], q => { q.Flags = VerifyFlags.VerifyCrlCheckChain; q.Crls = [clean, rootCrl, Crl(root, Now.AddDays(-1), Now.AddDays(7))]; }).IsValid);
    }

    [Fact]
    public void PeerNames_DnsIpEmail()
    {
        Node root = Root("root");
        Node leaf = Leaf(root, "leaf", s => s.San =
        [
            new GeneralName(GeneralName.DnsName, "*.example.com"),
            new GeneralName(GeneralName.IPAddress, "192.0.2.1"),
            new GeneralName(GeneralName.IPAddress, "2001:db8::1"),
            new GeneralName(GeneralName.Rfc822Name, "alice@example.com"),
        ]);
        VerifyResult V(PeerName n) => Verify(leaf, [], [root], q => q.ExpectedName = n);
        Assert.True(V(PeerName.Dns("www.EXAMPLE.com.")).IsValid);
        Expect(VerifyError.HostnameMismatch, V(PeerName.Dns("example.com")), 0);
        Assert.Equal("hostname mismatch", V(PeerName.Dns("example.com")).Message);
        Assert.True(V(PeerName.Ip("192.0.2.1")).IsValid);
        Assert.True(V(PeerName.Ip("2001:0DB8:0:0::0:1")).IsValid);
        Expect(VerifyError.IpAddressMismatch, V(PeerName.Ip("192.0.2.01")), 0);
        Assert.Equal("IP address mismatch", V(PeerName.Ip("192.0.2.2")).Message);
        Assert.True(V(PeerName.Email("alice@EXAMPLE.com")).IsValid);
        Expect(VerifyError.EmailMismatch, V(PeerName.Email("Alice@example.com")), 0);
    }

    [Fact]
    public void CommonName_IsConsultedOnlyWhenAskedAndWithoutSan()
    {
        Node root = Root("root");
        Node leaf = Leaf(root, "www.example.com", s => s.San = null);
        Expect(VerifyError.HostnameMismatch, Verify(leaf, [], [root], q => q.ExpectedName = PeerName.Dns("www.example.com")), 0);
        Assert.True(Verify(leaf, [], [root], q => { q.ExpectedName = PeerName.Dns("www.example.com"); q.HostnameChecksCommonName = true; }).IsValid);
        Node withSan = Leaf(root, "www.example.com", null, "other.example.com");
        Expect(VerifyError.HostnameMismatch, Verify(withSan, [], [root], q => { q.ExpectedName = PeerName.Dns("www.example.com"); q.HostnameChecksCommonName = true; }));
    }

    [Fact]
    public void Malformed_Input_FailsWithoutThrowing()
    {
        var (root, ica, leaf) = Basic.Value;
        var rnd = new Random(5);
        byte[] der = leaf.Der;
        for (int i = 0; i < 300; i++)
        {
            byte[] bad = (byte[])der.Clone();
            bad[rnd.Next(bad.Length)] ^= (byte)(1 << rnd.Next(8));
            if (i % 3 == 0)
            {
                bad = bad.AsSpan(0, rnd.Next(bad.Length)).ToArray();
            }

            VerifyResult r = CertificateVerifier.Verify(new VerifyRequest
            {
                PeerChain = [bad],
                Untrusted = [ica.Der, bad],
                Trust = new TrustStore([root.Der, bad]),
                Time = Now,
                Crls = [bad],
                Flags = VerifyFlags.VerifyX509Strict | VerifyFlags.VerifyCrlCheckLeaf,
            });
            Assert.False(r.IsValid);
        }
    }

    [Fact]
    public void StrictRules_AkiSkiBasicConstraintsSerial()
    {
        Node root = Root("root");
        Node noAki = Leaf(root, "leaf", s => s.NoAki = true, "a.example");
        Assert.True(Verify(noAki, [], [root]).IsValid);
        Expect(VerifyError.MissingAuthorityKeyIdentifier, Verify(noAki, [], [root], q => q.Flags = VerifyFlags.VerifyX509Strict), 0);

        Node noSkiRoot = Root("root2", s => s.NoSki = true);
        Node leaf = Leaf(noSkiRoot, "leaf", null, "a.example");
        Expect(VerifyError.MissingSubjectKeyIdentifier, Verify(leaf, [], [noSkiRoot], q => q.Flags = VerifyFlags.VerifyX509Strict), 1);

        Node longSerial = Leaf(root, "leaf", s => s.Serial = new BigInteger(1, Enumerable.Repeat((byte)0x7f, 21).ToArray()), "a.example");
        Assert.False(Verify(longSerial, [], [root], q => q.Flags = VerifyFlags.VerifyX509Strict).IsValid);

        Node leafWithCertSign = Leaf(root, "leaf", s => s.KeyUsage = KeyUsage.DigitalSignature | KeyUsage.KeyCertSign, "a.example");
        Expect(VerifyError.KuKeyCertSignInvalidForNonCa, Verify(leafWithCertSign, [], [root], q => q.Flags = VerifyFlags.VerifyX509Strict), 0);
    }

    [Fact]
    public void SanSyntax_UnderscoreOnlyUnderStrict_WrongIpLengthAlways()
    {
        Node root = Root("root");
        Node underscore = Leaf(root, "leaf", null, "foo_bar.example.com");
        Assert.True(Verify(underscore, [], [root]).IsValid);
        Expect(VerifyError.UnsupportedNameSyntax, Verify(underscore, [], [root], q => q.Flags = VerifyFlags.VerifyX509Strict), 0);
        Node badIp = Leaf(root, "leaf", s => s.San = [new GeneralName(GeneralName.IPAddress, new DerOctetString(new byte[] { 192, 0, 2, 0, 255, 255, 255, 0 }))]);
        Expect(VerifyError.UnsupportedNameSyntax, Verify(badIp, [], [root]), 0);
    }

    [Fact]
    public void TrustStoreSources_AreSearchedBySubject()
    {
        var (root, ica, leaf) = Basic.Value;
        var source = new DictionarySource(root);
        VerifyResult r = CertificateVerifier.Verify(new VerifyRequest
        {
            PeerChain = [leaf.Der, ica.Der],
            Trust = new TrustStore([], [source]),
            Time = Now,
        });
        Assert.True(r.IsValid, r.Detail);
        Assert.Equal(2, source.Lookups); // one per distinct issuer name: "ica" (not in the source) and "root"
    }

    [Fact]
    public void VerifyFlags_HavePythonValues()
    {
        Assert.Equal(0, (int)VerifyFlags.VerifyDefault);
        Assert.Equal(0x4, (int)VerifyFlags.VerifyCrlCheckLeaf);
        Assert.Equal(0xC, (int)VerifyFlags.VerifyCrlCheckChain);
        Assert.Equal(0x20, (int)VerifyFlags.VerifyX509Strict);
        Assert.Equal(0x40, (int)VerifyFlags.VerifyAllowProxyCerts);
        Assert.Equal(0x8000, (int)VerifyFlags.VerifyX509TrustedFirst);
        Assert.Equal(0x80000, (int)VerifyFlags.VerifyX509PartialChain);
    }

    private sealed class DictionarySource(Node cert) : ICertificateSource
    {
        public int Lookups { get; private set; }

        public IEnumerable<byte[]> FindBySubject(byte[] subjectNameDer)
        {
            Lookups++;
            return subjectNameDer.AsSpan().SequenceEqual(cert.Cert.SubjectDN.GetEncoded()) ? [cert.Der] : [];
        }
    }
}
