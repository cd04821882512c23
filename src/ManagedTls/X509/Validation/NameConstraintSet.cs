using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.X509.Validation;

/// <summary>
/// A nameConstraints extension (RFC 5280 4.2.1.10) and its checks for DNS names, IP ranges, email addresses,
/// directory names and otherNames.
/// </summary>
/// <remarks>
/// NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] GeneralSubtrees OPTIONAL }
/// GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1] BaseDistance OPTIONAL }
/// </remarks>
internal sealed class NameConstraintSet
{
    /// <summary>
    /// Most name-by-subtree comparisons one certificate may cost, as OpenSSL bounds it (<c>NAME_CHECK_MAX</c>), and
    /// also all the checks of one verification together: path building may validate many paths through look-alike
    /// constrained intermediates, and each would otherwise pay the whole cost again.
    /// </summary>
    public const int MaxComparisons = 1 << 20;

    public List<GeneralName> Permitted { get; } = [];

    public List<GeneralName> Excluded { get; } = [];

    public bool Critical { get; private set; }

    public static NameConstraintSet Parse(Asn1Sequence seq, bool critical, Cert cert)
    {
        var nc = new NameConstraintSet { Critical = critical };
        foreach (Asn1Encodable e in seq)
        {
            var t = Asn1TaggedObject.GetInstance(e);
            List<GeneralName> into = t.TagNo switch
            {
                0 => nc.Permitted,
                1 => nc.Excluded,
                _ => throw new FormatException("bad NameConstraints"),
            };
            foreach (Asn1Encodable s in Asn1Sequence.GetInstance(t, false))
            {
                var sub = Asn1Sequence.GetInstance(s);
                into.Add(GeneralName.GetInstance(sub[0]));
                for (int i = 1; i < sub.Count; i++)
                {
                    var mm = Asn1TaggedObject.GetInstance(sub[i]);
                    if (mm.TagNo == 1 || DerInteger.GetInstance(mm, false).Value.SignValue != 0)
                    {
                        cert.Problems.Add(new(VerifyError.SubtreeMinmax, "name constraint with minimum or maximum"));
                    }
                }
            }
        }

        if (nc.Permitted.Count == 0 && nc.Excluded.Count == 0)
        {
            cert.Problems.Add(new(VerifyError.InvalidExtension, "nameConstraints with no subtrees"));
        }

        foreach (GeneralName g in nc.Permitted.Concat(nc.Excluded))
        {
            string? bad = CheckSyntax(g);
            if (bad is not null)
            {
                cert.Problems.Add(new(VerifyError.UnsupportedConstraintSyntax, bad));
            }
        }

        return nc;
    }

    private static string? CheckSyntax(GeneralName g)
    {
        switch (g.TagNo)
        {
            case GeneralName.DnsName:
            {
                string? s = NameSyntax.Ia5(g);
                return s is not null && (s.Length == 0 || NameSyntax.IsDnsName(s, allowWildcard: false)) ? null : "malformed dNSName constraint";
            }

            case GeneralName.IPAddress:
            {
                byte[] b = Asn1OctetString.GetInstance(g.Name).GetOctets();
                if (b.Length is not (8 or 32))
                {
                    return "malformed iPAddress constraint";
                }

                int half = b.Length / 2;
                bool zeros = false;
                for (int i = half; i < b.Length; i++)
                {
                    for (int bit = 7; bit >= 0; bit--)
                    {
                        bool one = ((b[i] >> bit) & 1) != 0;
                        if (one && zeros)
                        {
                            return "non-contiguous iPAddress constraint mask";
                        }

                        zeros |= !one;
                    }
                }

                return null;
            }

            case GeneralName.Rfc822Name:
            {
                string? s = NameSyntax.Ia5(g);
                if (s is null)
                {
                    return "malformed rfc822Name constraint";
                }

                if (s.IndexOf('@') >= 0)
                {
                    return NameSyntax.IsMailbox(s) ? null : "malformed rfc822Name constraint";
                }

                string host = s.StartsWith(".", StringComparison.Ordinal) ? s.Substring(1) : s;
                return NameSyntax.IsDnsName(host, allowWildcard: false) ? null : "malformed rfc822Name constraint";
            }

            default:
                return null;
        }
    }

    /// <summary>
    /// Checks the names of one certificate; Ok or the violation. The comparisons are taken from
    /// <paramref name="budget"/>, the verification's share.
    /// </summary>
    public VerifyError Check(CertNames names, WorkBudget budget, out string? reason)
    {
        reason = null;
        long cost = (long)names.Count * (Permitted.Count + Excluded.Count);
        if (cost > MaxComparisons)
        {
            reason = "too many names times name constraints";
            return VerifyError.Unspecified;
        }

        if (!budget.Spend((int)cost))
        {
            reason = $"name constraint checking gave up: more than {MaxComparisons} comparisons in this verification";
            return VerifyError.Unspecified;
        }

        foreach (var (tag, value) in names.All)
        {
            bool anyPermittedOfType = false;
            bool permitted = false;
            foreach (GeneralName p in Permitted)
            {
                if (!SameType(p.TagNo, tag))
                {
                    continue;
                }

                anyPermittedOfType = true;
                if (Matches(p, tag, value, excluded: false))
                {
                    permitted = true;
                    break;
                }
            }

            if (anyPermittedOfType && !permitted)
            {
                reason = "name outside the permitted subtrees";
                return VerifyError.PermittedViolation;
            }

            foreach (GeneralName x in Excluded)
            {
                if (SameType(x.TagNo, tag) && Matches(x, tag, value, excluded: true))
                {
                    reason = "name inside an excluded subtree";
                    return VerifyError.ExcludedViolation;
                }
            }

            if (tag is GeneralName.X400Address or GeneralName.EdiPartyName or GeneralName.RegisteredID or GeneralName.UniformResourceIdentifier
                && Permitted.Concat(Excluded).Any(g => g.TagNo == tag))
            {
                reason = "name constraint type not supported";
                return VerifyError.UnsupportedConstraintType;
            }
        }

        return VerifyError.Ok;
    }

    private static bool SameType(int constraintTag, int nameTag) => constraintTag == nameTag;

    private static bool Matches(GeneralName c, int tag, object value, bool excluded)
    {
        switch (tag)
        {
            case GeneralName.DnsName:
                return DnsMatch(NameSyntax.Ia5(c) ?? "\0", (string)value, excluded);
            case GeneralName.IPAddress:
            {
                byte[] cb = Asn1OctetString.GetInstance(c.Name).GetOctets();
                byte[] ip = (byte[])value;
                if (cb.Length != ip.Length * 2)
                {
                    return false;
                }

                for (int i = 0; i < ip.Length; i++)
                {
                    byte m = cb[ip.Length + i];
                    if ((ip[i] & m) != (cb[i] & m))
                    {
                        return false;
                    }
                }

                return true;
            }

            case GeneralName.Rfc822Name:
                return EmailMatch(NameSyntax.Ia5(c) ?? "\0", (string)value);
            case GeneralName.DirectoryName:
            {
                var cs = Asn1Sequence.GetInstance(X509Name.GetInstance(c.Name).ToAsn1Object());
                var ns = (Asn1Sequence)value;
                if (cs.Count > ns.Count)
                {
                    return false;
                }

                for (int i = 0; i < cs.Count; i++)
                {
                    if (NameKey.Of(new DerSequence(cs[i])) != NameKey.Of(new DerSequence(ns[i])))
                    {
                        return false;
                    }
                }

                return true;
            }

            case GeneralName.OtherName:
            {
                var co = Asn1Sequence.GetInstance(c.Name);
                var no = (Asn1Sequence)value;
                if (!co[0].Equals(no[0]))
                {
                    return false;
                }

                // An excluded otherName of the same type excludes every name of that type (values of unknown
                // types cannot be compared by meaning); a permitted one admits only the identical value.
                return excluded || co.Equals(no);
            }

            default:
                return false;
        }
    }

    /// <summary>
    /// DNS subtree match. A wildcard name "*.B" is inside a permitted subtree only when every name it can match
    /// is, and hits an excluded subtree when any name it can match does.
    /// </summary>
    internal static bool DnsMatch(string constraint, string name, bool excluded)
    {
        string c = constraint.TrimEnd('.').ToLowerInvariant();
        string n = name.TrimEnd('.').ToLowerInvariant();
        if (c.Length == 0)
        {
            return true;
        }

        if (n.StartsWith("*.", StringComparison.Ordinal))
        {
            string b = n.Substring(2);
            if (Within(b, c))
            {
                return true;
            }

            if (!excluded)
            {
                return false;
            }

            // Excluded C = x.B (one label more than B) is matched by *.B.
            return c.EndsWith("." + b, StringComparison.Ordinal) && c.IndexOf('.') == c.Length - b.Length - 1;
        }

        return Within(n, c);
    }

    private static bool Within(string n, string c) => n == c || n.EndsWith("." + c, StringComparison.Ordinal);

    private static bool EmailMatch(string c, string mailbox)
    {
        int at = mailbox.LastIndexOf('@');
        string domain = mailbox.Substring(at + 1);
        if (c.IndexOf('@') >= 0)
        {
            int cat = c.LastIndexOf('@');
            return string.Equals(c.Substring(0, cat), mailbox.Substring(0, at), StringComparison.Ordinal)
                && string.Equals(c.Substring(cat + 1), domain, StringComparison.OrdinalIgnoreCase);
        }

        if (c.StartsWith(".", StringComparison.Ordinal))
        {
            return domain.EndsWith(c, StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(c, domain, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>The names of one certificate that name constraints apply to, gathered once.</summary>
internal sealed class CertNames
{
    public List<(int Tag, object Value)> All { get; } = [];

    public int Count => All.Count;

    /// <summary>
    /// Subject DN, SAN entries, and for a leaf without dNSName SANs the subject common names that are host names;
    /// subject emailAddress attributes count as rfc822 names.
    /// </summary>
    /// <remarks>
    /// Which common names: OpenSSL (<c>cn2dnsid</c>) constrains a CN only when it has two labels or more, on the
    /// grounds that a single label cannot be precluded; but its host check, and ours with
    /// <c>HostnameChecksCommonName</c>, will match a one-label CN such as <c>localhost</c> or <c>intranet</c>, which
    /// would then escape the issuer's DNS constraints. So a dotted host-name CN is always constrained (as OpenSSL does),
    /// and when <paramref name="commonNamesAreHosts"/> (this verification may match the CN as the host name) every CN
    /// the host check could match (<see cref="HostCommonNames"/>) is constrained too. A one-label CN that cannot be
    /// matched (a client certificate's user name, say) stays unconstrained, as in OpenSSL.
    /// </remarks>
    public static CertNames Of(Cert cert, bool leaf, bool commonNamesAreHosts = false)
    {
        var r = new CertNames();
        var subject = Asn1Sequence.GetInstance(cert.Subject.ToAsn1Object());
        if (subject.Count > 0)
        {
            r.All.Add((GeneralName.DirectoryName, subject));
        }

        bool hasDns = false;
        foreach (GeneralName g in cert.Ext.SubjectAltNames ?? [])
        {
            switch (g.TagNo)
            {
                case GeneralName.DnsName:
                    hasDns = true;
                    r.All.Add((g.TagNo, NameSyntax.Ia5(g) ?? ""));
                    break;
                case GeneralName.Rfc822Name:
                    r.All.Add((g.TagNo, NameSyntax.Ia5(g) ?? ""));
                    break;
                case GeneralName.IPAddress:
                    r.All.Add((g.TagNo, Asn1OctetString.GetInstance(g.Name).GetOctets()));
                    break;
                case GeneralName.DirectoryName:
                    r.All.Add((g.TagNo, Asn1Sequence.GetInstance(X509Name.GetInstance(g.Name).ToAsn1Object())));
                    break;
                case GeneralName.OtherName:
                    r.All.Add((g.TagNo, Asn1Sequence.GetInstance(g.Name)));
                    break;
                default:
                    r.All.Add((g.TagNo, g.Name));
                    break;
            }
        }

        foreach (var (oid, text) in SubjectStrings(cert))
        {
            if (oid == "1.2.840.113549.1.9.1")
            {
                r.All.Add((GeneralName.Rfc822Name, text));
            }
            else if (leaf && !hasDns && oid == "2.5.4.3" && NameSyntax.IsDnsName(text, allowWildcard: true)
                && (text.IndexOf('.') > 0 || (commonNamesAreHosts && IsHostCommonName(text))))
            {
                r.All.Add((GeneralName.DnsName, text));
            }
        }

        return r;
    }

    /// <summary>
    /// The subject common names that a host-name check may match when it falls back to the CN: those that are host
    /// names (letters, digits, hyphens, a leading wildcard label) and not IP addresses, which are matched only
    /// against iPAddress entries.
    /// </summary>
    public static IEnumerable<string> HostCommonNames(Cert cert) =>
        SubjectStrings(cert).Where(a => a.Oid == "2.5.4.3" && IsHostCommonName(a.Text)).Select(a => a.Text);

    private static bool IsHostCommonName(string text) =>
        NameSyntax.IsDnsName(text, allowWildcard: true) && NameSyntax.ParseIp(text) is null;

    /// <summary>Every (attribute OID, string value) of the subject.</summary>
    public static IEnumerable<(string Oid, string Text)> SubjectStrings(Cert cert)
    {
        foreach (Asn1Encodable rdn in Asn1Sequence.GetInstance(cert.Subject.ToAsn1Object()))
        {
            foreach (Asn1Encodable ava in Asn1Set.GetInstance(rdn))
            {
                var seq = Asn1Sequence.GetInstance(ava);
                if (seq[1] is IAsn1String s)
                {
                    yield return (DerObjectIdentifier.GetInstance(seq[0]).Id, s.GetString());
                }
            }
        }
    }
}
