using ManagedTls.X509;
using Org.BouncyCastle.Asn1.X509;
using static ManagedTls.Tests.X509.CertificateVerifierTests;
using static ManagedTls.Tests.X509.TestPki;

namespace ManagedTls.Tests.X509;

public class NameConstraintTests
{
    private static VerifyError Check(NameConstraints nc, Action<Spec> leafSpec, VerifyPurpose purpose = VerifyPurpose.ServerAuth)
    {
        Node root = Root("root");
        Node ica = Ca(root, "ica", s => s.NameConstraints = nc);
        Node leaf = Leaf(ica, "leaf", leafSpec);
        return Verify(leaf, [ica], [root], q => q.Purpose = purpose).Error;
    }

    private static NameConstraints Permit(params GeneralSubtree[] s) => new(new GeneralSubtrees(s), null);

    private static NameConstraints Exclude(params GeneralSubtree[] s) => new(null, new GeneralSubtrees(s));

    private static Action<Spec> San(params GeneralName[] names) => s => s.San = names.ToList();

    [Fact]
    public void Dns_PermittedAndExcluded()
    {
        var permit = Permit(Subtree(GeneralName.DnsName, "example.com"));
        Assert.Equal(VerifyError.Ok, Check(permit, San(new GeneralName(GeneralName.DnsName, "a.b.example.com"))));
        Assert.Equal(VerifyError.PermittedViolation, Check(permit, San(new GeneralName(GeneralName.DnsName, "example.org"))));
        var exclude = Exclude(Subtree(GeneralName.DnsName, "bad.example.com"));
        Assert.Equal(VerifyError.ExcludedViolation, Check(exclude, San(new GeneralName(GeneralName.DnsName, "ok.example.com"), new GeneralName(GeneralName.DnsName, "x.bad.example.com"))));
        Assert.Equal(VerifyError.ExcludedViolation, Check(exclude, San(new GeneralName(GeneralName.DnsName, "*.example.com"))));
        Assert.Equal(VerifyError.PermittedViolation, Check(Permit(Subtree(GeneralName.DnsName, "foo.example.com")), San(new GeneralName(GeneralName.DnsName, "*.example.com"))));
    }

    [Fact]
    public void Dns_AppliesToCommonNameWithoutSan()
    {
        var permit = Permit(Subtree(GeneralName.DnsName, "example.com"));
        Node root = Root("root");
        Node ica = Ca(root, "ica", s => s.NameConstraints = permit);
        Node leaf = Leaf(ica, "www.example.org", s => s.San = null);
        Assert.Equal(VerifyError.PermittedViolation, Verify(leaf, [ica], [root]).Error);
        Node good = Leaf(ica, "www.example.com", s => s.San = null);
        Assert.Equal(VerifyError.Ok, Verify(good, [ica], [root]).Error);
    }

    [Fact]
    public void Ip_Ranges()
    {
        var permit = Permit(IpSubtree([192, 0, 2, 0, 255, 255, 255, 0]));
        Assert.Equal(VerifyError.Ok, Check(permit, San(new GeneralName(GeneralName.IPAddress, "192.0.2.77"))));
        Assert.Equal(VerifyError.PermittedViolation, Check(permit, San(new GeneralName(GeneralName.IPAddress, "192.0.3.1"))));
        byte[] v6 = new byte[32];
        v6[15] = 1;
        for (int i = 16; i < 32; i++)
        {
            v6[i] = 0xff;
        }

        Assert.Equal(VerifyError.ExcludedViolation, Check(Exclude(IpSubtree(v6)), San(new GeneralName(GeneralName.IPAddress, "::1"))));
        Assert.Equal(VerifyError.Ok, Check(Exclude(IpSubtree(v6)), San(new GeneralName(GeneralName.DnsName, "a.example"))));
        Assert.Equal(VerifyError.UnsupportedConstraintSyntax, Check(Permit(IpSubtree([192, 0, 2, 0, 255, 0, 255, 0])), San(new GeneralName(GeneralName.IPAddress, "192.0.2.1"))));
    }

    [Fact]
    public void Email_MailboxHostAndDomain()
    {
        Action<Spec> Mail(string m) => s => { s.San = [new GeneralName(GeneralName.Rfc822Name, m)]; s.Eku = [KeyPurposeID.id_kp_clientAuth]; };
        VerifyError C(string constraint, string mail) => Check(Permit(Subtree(GeneralName.Rfc822Name, constraint)), Mail(mail), VerifyPurpose.ClientAuth);
        Assert.Equal(VerifyError.Ok, C("alice@example.com", "alice@example.com"));
        Assert.Equal(VerifyError.PermittedViolation, C("alice@example.com", "bob@example.com"));
        Assert.Equal(VerifyError.Ok, C("example.com", "bob@example.com"));
        Assert.Equal(VerifyError.PermittedViolation, C("example.com", "bob@mail.example.com"));
        Assert.Equal(VerifyError.Ok, C(".example.com", "bob@mail.example.com"));
        Assert.Equal(VerifyError.PermittedViolation, C("*@example.com", "bob@example.com"));
        Assert.Equal(VerifyError.UnsupportedConstraintSyntax, C("a@b@example.com", "bob@example.com"));
    }

    [Fact]
    public void DirectoryName_AppliesToSubject()
    {
        var permit = Permit(new GeneralSubtree(new GeneralName(new X509Name("O=Good"))));
        Assert.Equal(VerifyError.Ok, Check(permit, s => { s.Subject = new X509Name("O=Good,CN=leaf"); s.San = [new GeneralName(GeneralName.DnsName, "a.example")]; }));
        Assert.Equal(VerifyError.PermittedViolation, Check(permit, s => { s.Subject = new X509Name("O=Bad,CN=leaf"); s.San = [new GeneralName(GeneralName.DnsName, "a.example")]; }));
        var exclude = Exclude(new GeneralSubtree(new GeneralName(new X509Name("O=Bad"))));
        Assert.Equal(VerifyError.ExcludedViolation, Check(exclude, s => { s.Subject = new X509Name("O=bad,CN=leaf"); s.San = [new GeneralName(GeneralName.DnsName, "a.example")]; }));
    }

    [Fact]
    public void SelfIssuedIntermediate_IsExempt_ButLeafIsNot()
    {
        var permit = Permit(Subtree(GeneralName.DnsName, "example.com"));
        Node root = Root("root", s => s.NameConstraints = permit);
        var key = EcKey();
        Node ica = Ca(root, "ica", s => { s.Key = key; s.San = [new GeneralName(GeneralName.DnsName, "ica.example.org")]; });
        Node icaSelfIssued = Ca(ica, "ica", s => s.San = [new GeneralName(GeneralName.DnsName, "self.example.org")]);
        Node leaf = Leaf(icaSelfIssued, "leaf", null, "www.example.com");
        Assert.Equal(VerifyError.PermittedViolation, Verify(leaf, [ica, icaSelfIssued], [root]).Error);
        Node ica2 = Ca(root, "ica2");
        Node self2 = Ca(ica2, "ica2", s => s.San = [new GeneralName(GeneralName.DnsName, "self.example.org")]);
        Assert.Equal(VerifyError.Ok, Verify(Leaf(self2, "leaf", null, "www.example.com"), [ica2, self2], [root]).Error);
    }

    private static readonly Lazy<(Node Root, Node Ica)> ExampleComOnly = new(() =>
    {
        Node root = Root("root");
        return (root, Ca(root, "ica", s => s.NameConstraints = Permit(Subtree(GeneralName.DnsName, "example.com"))));
    });

    /// <summary>A leaf under the example.com-only intermediate, checked for the host <paramref name="host"/>.</summary>
    private static VerifyError CommonNameCheck(string cn, string? host, bool checkCommonName, params GeneralName[] san)
    {
        var (root, ica) = ExampleComOnly.Value;
        Node leaf = Leaf(ica, cn, s => s.San = san.Length == 0 ? null : san.ToList());
        return Verify(leaf, [ica], [root], q =>
        {
            q.ExpectedName = host is null ? null : PeerName.Dns(host);
            q.HostnameChecksCommonName = checkCommonName;
        }).Error;
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("intranet")]
    [InlineData("evil")]
    public void OneLabelCommonName_MatchedAsTheHost_IsSubjectToDnsConstraints(string cn)
    {
        // Without a dNSName entry and with hostname_checks_common_name the CN is the host name, so it must be inside
        // the intermediate's permitted subtree (example.com) like any dNSName.
        Assert.Equal(VerifyError.PermittedViolation, CommonNameCheck(cn, cn, checkCommonName: true));

        // A SAN without a dNSName entry leaves the CN in use.
        Assert.Equal(VerifyError.PermittedViolation, CommonNameCheck(cn, cn, checkCommonName: true, new GeneralName(GeneralName.IPAddress, "192.0.2.1")));

        // Not matched as a host name: the CN is not a name the certificate is used for (a user name, say).
        Assert.Equal(VerifyError.HostnameMismatch, CommonNameCheck(cn, cn, checkCommonName: false));
        Assert.Equal(VerifyError.Ok, CommonNameCheck(cn, null, checkCommonName: true));

        // With a dNSName entry the CN is never matched, so it is not constrained either.
        Assert.Equal(VerifyError.HostnameMismatch, CommonNameCheck(cn, cn, checkCommonName: true, new GeneralName(GeneralName.DnsName, "a.example.com")));
        Assert.Equal(VerifyError.Ok, CommonNameCheck(cn, "a.example.com", checkCommonName: true, new GeneralName(GeneralName.DnsName, "a.example.com")));
    }

    [Fact]
    public void OneLabelCommonName_InAnExcludedSubtree_IsRefused()
    {
        Node root = Root("root");
        Node ica = Ca(root, "ica", s => s.NameConstraints = Exclude(Subtree(GeneralName.DnsName, "intranet")));
        Node leaf = Leaf(ica, "intranet", s => s.San = null);
        VerifyResult Check(bool cn) => Verify(leaf, [ica], [root], q => { q.ExpectedName = PeerName.Dns("intranet"); q.HostnameChecksCommonName = cn; });
        Assert.Equal(VerifyError.ExcludedViolation, Check(true).Error);
        Assert.Equal(VerifyError.HostnameMismatch, Check(false).Error);
        Assert.Equal(VerifyError.Ok, Verify(Leaf(ica, "other", s => s.San = null), [ica], [root], q => { q.ExpectedName = PeerName.Dns("other"); q.HostnameChecksCommonName = true; }).Error);
    }

    [Fact]
    public void DottedCommonName_IsAlwaysSubjectToDnsConstraints()
    {
        // As OpenSSL (cn2dnsid): a CN with two labels or more is constrained whether or not it is matched.
        Assert.Equal(VerifyError.PermittedViolation, CommonNameCheck("www.example.org", null, checkCommonName: false));
        Assert.Equal(VerifyError.PermittedViolation, CommonNameCheck("www.example.org", "www.example.org", checkCommonName: true));
        Assert.Equal(VerifyError.Ok, CommonNameCheck("www.example.com", "www.example.com", checkCommonName: true));
        Assert.Equal(VerifyError.Ok, CommonNameCheck("www.example.com", null, checkCommonName: false));
    }

    [Fact]
    public void IpAddressCommonName_IsNeverMatchedAsAHostName()
    {
        // Dotted, so constrained as a DNS name like any dotted CN (as OpenSSL).
        Assert.Equal(VerifyError.PermittedViolation, CommonNameCheck("192.0.2.1", null, checkCommonName: true));

        // Under an intermediate constrained to 192.0.2.0/24 by iPAddress only, a CN outside that range must not pass as
        // the host name "198.51.100.7": an IP address is matched against iPAddress entries only, never the CN.
        Node root = Root("root");
        Node ica = Ca(root, "ica", s => s.NameConstraints = Permit(IpSubtree([192, 0, 2, 0, 255, 255, 255, 0])));
        Node leaf = Leaf(ica, "198.51.100.7", s => s.San = null);
        Assert.Equal(VerifyError.HostnameMismatch, Verify(leaf, [ica], [root], q => { q.ExpectedName = PeerName.Dns("198.51.100.7"); q.HostnameChecksCommonName = true; }).Error);
        Assert.Equal(VerifyError.IpAddressMismatch, Verify(leaf, [ica], [root], q => { q.ExpectedName = PeerName.Ip("198.51.100.7"); q.HostnameChecksCommonName = true; }).Error);
    }

    [Fact]
    public void TooManyNamesTimesConstraints_FailsQuickly()
    {
        // 1,100 names against 1,000 subtrees is over 2^20 comparisons for one certificate (OpenSSL's NAME_CHECK_MAX).
        GeneralSubtree[] subtrees = Enumerable.Range(0, 1000).Select(i => Subtree(GeneralName.DnsName, $"x{i}.example.com")).ToArray();
        Node root = Root("root");
        Node ica = Ca(root, "ica", s => s.NameConstraints = Exclude(subtrees));
        Node leaf = Leaf(ica, "leaf", null, Enumerable.Range(0, 1100).Select(i => $"h{i}.example.org").ToArray());
        var sw = System.Diagnostics.Stopwatch.StartNew();
        VerifyResult r = Verify(leaf, [ica], [root]);
        Assert.Equal(VerifyError.Unspecified, r.Error);
        Assert.Contains("too many names", r.Detail);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void NameConstraintWork_IsBoundedAcrossAllThePathsOfOneVerification()
    {
        // Twenty-four look-alike intermediates (one subject and one key, no key identifiers), each excluding 1,000
        // subtrees, and a leaf with 250 names whose last one they all exclude: path building validates all 24 paths, and
        // each costs 250,000 comparisons before it fails. The comparisons of one verification are bounded together
        // (2^20), so after four paths the others fail at once instead of costing 6 million comparisons.
        GeneralSubtree[] subtrees = Enumerable.Range(0, 999).Select(i => Subtree(GeneralName.DnsName, $"x{i}.example.com"))
            .Append(Subtree(GeneralName.DnsName, "h249.example.org")).ToArray();
        Node root = Root("root");
        var key = EcKey();
        Node[] icas = Enumerable.Range(0, 24).Select(_ => Ca(root, "ica", s => { s.Key = key; s.NoSki = true; s.NoAki = true; s.NameConstraints = Exclude(subtrees); })).ToArray();
        Node leaf = Leaf(icas[0], "leaf", s => s.NoAki = true, Enumerable.Range(0, 250).Select(i => $"h{i}.example.org").ToArray());
        VerifyResult one = Verify(leaf, [icas[0]], [root]);
        VerifyResult all = Verify(leaf, icas, [root]);
        Assert.Equal(VerifyError.ExcludedViolation, one.Error);
        Assert.Equal(VerifyError.ExcludedViolation, all.Error);
        Assert.Equal(251 * 1000, one.Work.NameConstraintComparisons);
        Assert.True(all.Work.NameConstraintComparisons <= 1 << 20, $"{all.Work.NameConstraintComparisons} comparisons for 24 paths");
    }
}
