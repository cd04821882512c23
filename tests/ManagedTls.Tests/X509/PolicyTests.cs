using System.Diagnostics;
using ManagedTls.X509;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using static ManagedTls.Tests.X509.CertificateVerifierTests;
using static ManagedTls.Tests.X509.TestPki;

namespace ManagedTls.Tests.X509;

/// <summary>Certificate policies processed as RFC 5280 section 6.1 asks, with anyPolicy as the acceptable set.</summary>
public class PolicyTests
{
    private const string AnyPolicy = "2.5.29.32.0";
    private const string P1 = "1.3.6.1.4.1.55738.1.1";
    private const string P2 = "1.3.6.1.4.1.55738.1.2";

    private static readonly DerObjectIdentifier CertificatePoliciesOid = X509Extensions.CertificatePolicies;

    private static Asn1Encodable Policies(params string[] oids) =>
        new DerSequence(oids.Select(o => (Asn1Encodable)new DerSequence(new DerObjectIdentifier(o))).ToArray());

    private static Asn1Encodable Mappings(params (string From, string To)[] pairs) =>
        new DerSequence(pairs.Select(p => (Asn1Encodable)new DerSequence(new DerObjectIdentifier(p.From), new DerObjectIdentifier(p.To))).ToArray());

    private static Asn1Encodable Constraints(int? requireExplicit, int? inhibitMapping = null)
    {
        var v = new Asn1EncodableVector();
        if (requireExplicit is int r)
        {
            v.Add(new DerTaggedObject(false, 0, DerInteger.ValueOf(r)));
        }

        if (inhibitMapping is int m)
        {
            v.Add(new DerTaggedObject(false, 1, DerInteger.ValueOf(m)));
        }

        return new DerSequence(v);
    }

    private static Action<Spec> With(params (DerObjectIdentifier Oid, bool Critical, Asn1Encodable Value)[] extensions) =>
        s => s.Extra.AddRange(extensions);

    private static VerifyResult Chain(Action<Spec> ica, Action<Spec> leaf)
    {
        Node root = Root("policy root");
        Node i = Ca(root, "policy ica", ica);
        Node l = Leaf(i, "leaf", leaf, "a.example");
        return Verify(l, [i], [root]);
    }

    private static (DerObjectIdentifier, bool, Asn1Encodable) Pol(bool critical, params string[] oids) => (CertificatePoliciesOid, critical, Policies(oids));

    private static (DerObjectIdentifier, bool, Asn1Encodable) RequireExplicit(int skip) => (X509Extensions.PolicyConstraints, true, Constraints(skip));

    [Fact]
    public void RequireExplicitPolicy_LeafWithoutPolicies_Is43()
    {
        VerifyResult r = Chain(With(Pol(true, P1), RequireExplicit(0)), _ => { });
        Assert.Equal(VerifyError.NoExplicitPolicy, r.Error);
        Assert.Equal(0, r.ErrorDepth);
    }

    [Fact]
    public void RequireExplicitPolicy_LeafWithTheCaPolicy_Verifies()
    {
        Assert.True(Chain(With(Pol(true, P1), RequireExplicit(0)), With(Pol(true, P1))).IsValid);
        Assert.True(Chain(With(Pol(false, AnyPolicy), RequireExplicit(0)), With(Pol(false, P2))).IsValid);
    }

    [Fact]
    public void RequireExplicitPolicy_LeafWithAnotherPolicy_Is43()
    {
        Assert.Equal(VerifyError.NoExplicitPolicy, Chain(With(Pol(true, P1), RequireExplicit(0)), With(Pol(true, P2))).Error);
    }

    [Fact]
    public void RequireExplicitPolicy_SkipsCertificates()
    {
        // SkipCerts counts the certificates after the intermediate; the leaf's wrap-up (6.1.5 (a)) counts as one, so
        // 0 and 1 both bind the leaf and 2 does not.
        Assert.Equal(VerifyError.NoExplicitPolicy, Chain(With(Pol(false, P1), RequireExplicit(1)), _ => { }).Error);
        Assert.True(Chain(With(RequireExplicit(2)), _ => { }).IsValid);
    }

    [Fact]
    public void CriticalPolicies_WithoutAnExplicitPolicyRequirement_Verify()
    {
        // Processed, and with anyPolicy acceptable and nothing demanding an explicit policy, any policies are fine.
        Assert.True(Chain(With(Pol(true, P1)), With(Pol(true, P2))).IsValid);
        Assert.True(Chain(_ => { }, With(Pol(true, P2))).IsValid);
    }

    [Fact]
    public void InhibitAnyPolicy_StopsAnyPolicyFromStandingForAPolicy()
    {
        var inhibit = (X509Extensions.InhibitAnyPolicy, true, (Asn1Encodable)DerInteger.ValueOf(0));
        Assert.True(Chain(With(Pol(false, AnyPolicy), RequireExplicit(0)), With(Pol(false, AnyPolicy))).IsValid);
        Assert.Equal(VerifyError.NoExplicitPolicy, Chain(With(Pol(false, AnyPolicy), RequireExplicit(0), inhibit), With(Pol(false, AnyPolicy))).Error);
    }

    [Fact]
    public void PolicyMapping_RenamesTheExpectedPolicy()
    {
        var map = (X509Extensions.PolicyMappings, true, Mappings((P1, P2)));
        Assert.True(Chain(With(Pol(false, P1), RequireExplicit(0), map), With(Pol(false, P2))).IsValid);
        Assert.Equal(VerifyError.NoExplicitPolicy, Chain(With(Pol(false, P1), RequireExplicit(0), map), With(Pol(false, P1))).Error);

        // inhibitPolicyMapping 0 in a higher intermediate deletes the mapped policy instead.
        var noMapping = (X509Extensions.PolicyConstraints, true, Constraints(0, 0));
        Node root = Root("policy root");
        Node upper = Ca(root, "upper", With(Pol(false, P1), noMapping));
        Node lower = Ca(upper, "lower", With(Pol(false, P1), map));
        Node leaf = Leaf(lower, "leaf", With(Pol(false, P2)), "a.example");
        Assert.Equal(VerifyError.NoExplicitPolicy, Verify(leaf, [upper, lower], [root]).Error);
        Node upperAllowing = Ca(root, "upper", With(Pol(false, P1), RequireExplicit(0)));
        Node lower2 = Ca(upperAllowing, "lower", With(Pol(false, P1), map));
        Assert.True(Verify(Leaf(lower2, "leaf", With(Pol(false, P2)), "a.example"), [upperAllowing, lower2], [root]).IsValid);
    }

    [Fact]
    public void MappingAnyPolicy_Is42()
    {
        var map = (X509Extensions.PolicyMappings, true, Mappings((AnyPolicy, P2)));
        VerifyResult r = Chain(With(Pol(false, P1), map), With(Pol(false, P2)));
        Assert.Equal(VerifyError.InvalidPolicyExtension, r.Error);
        Assert.Equal(1, r.ErrorDepth);
    }

    [Fact]
    public void PolicyExplosionChain_FinishesQuickly()
    {
        // CVE-2023-0464's shape: every intermediate asserts k policies and maps each of them to all k, so the
        // valid_policy_tree of RFC 5280 doubles its width k times per level (k^depth nodes, 10^8 here).
        const int k = 10;
        const int depth = 8;
        string[] oids = Enumerable.Range(1, k).Select(j => "1.3.6.1.4.1.55738.9." + j).ToArray();
        var mappings = Mappings(oids.SelectMany(a => oids.Select(b => (a, b))).ToArray());
        Node root = Root("explosion root");
        var chain = new List<Node>();
        Node issuer = root;
        for (int d = 0; d < depth; d++)
        {
            issuer = Ca(issuer, "explosion " + d, With((CertificatePoliciesOid, false, Policies(oids)), (X509Extensions.PolicyMappings, false, mappings), RequireExplicit(0)));
            chain.Add(issuer);
        }

        Node leaf = Leaf(issuer, "leaf", With((CertificatePoliciesOid, false, Policies(oids[0]))), "a.example");
        var sw = Stopwatch.StartNew();
        VerifyResult r = Verify(leaf, chain.ToArray(), [root]);
        Assert.True(r.IsValid, r.Detail);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1), $"took {sw.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void PolicyWorkPastTheCap_Is42_Quickly()
    {
        // Four intermediates of 5,000 policies each need more than the 16,384 steps one verification may spend.
        string[] oids = Enumerable.Range(1, 5000).Select(j => "1.3.6.1.4.1.55738.8." + j).ToArray();
        Node root = Root("wide root");
        var chain = new List<Node>();
        Node issuer = root;
        for (int d = 0; d < 4; d++)
        {
            issuer = Ca(issuer, "wide " + d, With((CertificatePoliciesOid, false, Policies(oids))));
            chain.Add(issuer);
        }

        Node leaf = Leaf(issuer, "leaf", With((CertificatePoliciesOid, false, Policies(oids[0]))), "a.example");
        var sw = Stopwatch.StartNew();
        VerifyResult r = Verify(leaf, chain.ToArray(), [root]);
        Assert.Equal(VerifyError.InvalidPolicyExtension, r.Error);
        Assert.Contains("gave up", r.Detail);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed.TotalMilliseconds} ms");
    }
}
