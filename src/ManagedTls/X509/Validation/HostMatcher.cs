using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.X509.Validation;

/// <summary>
/// Matches the expected peer name against the leaf certificate (RFC 6125 and the CA/Browser Forum rules):
/// dNSName with a whole-leftmost-label wildcard, iPAddress byte for byte, rfc822Name for email.
/// </summary>
internal static class HostMatcher
{
    /// <summary>
    /// Registry-controlled suffixes of more than one label under which no wildcard may stand. This is a short
    /// list of the most used ones, not the whole Public Suffix List; single-label suffixes are refused by rule.
    /// </summary>
    private static readonly HashSet<string> MultiLabelSuffixes = new(StringComparer.Ordinal)
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "net.uk", "ltd.uk", "plc.uk", "nhs.uk", "sch.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "org.nz", "net.nz", "co.jp", "ne.jp", "or.jp",
        "ac.jp", "go.jp", "co.kr", "or.kr", "com.cn", "net.cn", "org.cn", "gov.cn", "com.br", "net.br", "org.br",
        "co.in", "net.in", "org.in", "co.za", "org.za", "com.mx", "com.tr", "com.tw", "com.hk", "com.sg", "co.il",
        "com.ar", "com.co", "co.id", "com.my", "com.ph", "com.vn", "com.ua", "com.pl", "co.at", "or.at",
        "s3.amazonaws.com", "compute.amazonaws.com", "elasticbeanstalk.com", "cloudfront.net", "appspot.com",
        "blogspot.com", "github.io", "gitlab.io", "herokuapp.com", "azurewebsites.net", "cloudapp.net",
        "firebaseapp.com", "web.app", "pages.dev", "workers.dev", "netlify.app", "vercel.app",
    };

    /// <summary>Ok when the leaf carries the name, else the OpenSSL mismatch code.</summary>
    public static VerifyError Check(Cert leaf, PeerName name, bool checkCommonName)
    {
        GeneralName[] sans = leaf.Ext.SubjectAltNames ?? [];
        switch (name.Kind)
        {
            case PeerNameKind.Dns:
            {
                string host = NormalizeHost(name.Value);
                if (host.Length == 0)
                {
                    return VerifyError.HostnameMismatch;
                }

                bool anyDns = false;
                foreach (GeneralName g in sans)
                {
                    if (g.TagNo != GeneralName.DnsName)
                    {
                        continue;
                    }

                    anyDns = true;
                    string? pattern = NameSyntax.Ia5(g);
                    if (pattern is not null && MatchDns(pattern, host))
                    {
                        return VerifyError.Ok;
                    }
                }

                if (!anyDns && checkCommonName)
                {
                    foreach (string cn in CertNames.HostCommonNames(leaf))
                    {
                        if (MatchDns(cn, host))
                        {
                            return VerifyError.Ok;
                        }
                    }
                }

                return VerifyError.HostnameMismatch;
            }

            case PeerNameKind.IpAddress:
            {
                byte[]? ip = NameSyntax.ParseIp(name.Value);
                if (ip is null)
                {
                    return VerifyError.IpAddressMismatch;
                }

                foreach (GeneralName g in sans)
                {
                    if (g.TagNo == GeneralName.IPAddress && Asn1OctetString.GetInstance(g.Name).GetOctets().AsSpan().SequenceEqual(ip))
                    {
                        return VerifyError.Ok;
                    }
                }

                return VerifyError.IpAddressMismatch;
            }

            default:
            {
                string mail = name.Value;
                if (!NameSyntax.IsMailbox(mail))
                {
                    return VerifyError.EmailMismatch;
                }

                bool anyMail = false;
                foreach (GeneralName g in sans)
                {
                    if (g.TagNo != GeneralName.Rfc822Name)
                    {
                        continue;
                    }

                    anyMail = true;
                    string? m = NameSyntax.Ia5(g);
                    if (m is not null && MailEquals(m, mail))
                    {
                        return VerifyError.Ok;
                    }
                }

                if (!anyMail && checkCommonName)
                {
                    foreach (var (oid, text) in CertNames.SubjectStrings(leaf))
                    {
                        if (oid == "1.2.840.113549.1.9.1" && MailEquals(text, mail))
                        {
                            return VerifyError.Ok;
                        }
                    }
                }

                return VerifyError.EmailMismatch;
            }
        }
    }

    private static bool MailEquals(string a, string b)
    {
        int ia = a.LastIndexOf('@');
        int ib = b.LastIndexOf('@');
        return ia > 0 && ib > 0
            && string.Equals(a.Substring(0, ia), b.Substring(0, ib), StringComparison.Ordinal)
            && string.Equals(a.Substring(ia + 1), b.Substring(ib + 1), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Lower case, one trailing dot removed; empty when the name is not a valid host name.</summary>
    internal static string NormalizeHost(string host)
    {
        string h = host.EndsWith(".", StringComparison.Ordinal) ? host.Substring(0, host.Length - 1) : host;
        return NameSyntax.IsDnsName(h, allowWildcard: false) ? h.ToLowerInvariant() : "";
    }

    /// <summary>
    /// One dNSName pattern against a normalized host. A wildcard is allowed only as the whole leftmost label,
    /// matches exactly one label, and needs at least two labels after it that are not a public suffix.
    /// </summary>
    internal static bool MatchDns(string pattern, string host)
    {
        string p = pattern.EndsWith(".", StringComparison.Ordinal) ? pattern.Substring(0, pattern.Length - 1) : pattern;
        p = p.ToLowerInvariant();
        if (!p.StartsWith("*.", StringComparison.Ordinal))
        {
            return p.IndexOf('*') < 0 && p == host;
        }

        string rest = p.Substring(2);
        if (rest.IndexOf('*') >= 0 || rest.IndexOf('.') < 0 || MultiLabelSuffixes.Contains(rest))
        {
            return false;
        }

        int dot = host.IndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        return host.Substring(dot + 1) == rest;
    }
}
