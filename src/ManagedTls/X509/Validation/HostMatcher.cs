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

    /// <summary>
    /// Python's <c>ssl.match_hostname(cert, hostname)</c> (3.7 to 3.11) over the fields of <c>getpeercert()</c>: null when
    /// <paramref name="hostname"/> matches, else Python's <c>CertificateError</c> text. Python's rules, which are not the
    /// verifier's (<see cref="Check"/>): a hostname that is a quad-dotted IPv4 or an IPv6 address is matched against
    /// <c>IP Address</c> entries byte for byte, any other against <c>DNS</c> entries; the subject's commonNames are tried
    /// only when there is no <c>DNS</c> or <c>IP Address</c> entry; a wildcard is one <c>*</c> forming the whole leftmost
    /// label of a name with more labels, matching one non-empty label (so <c>*.com</c> matches <c>a.com</c>); names
    /// compare case-insensitively, with no IDNA conversion. A wildcard Python refuses ends the search with its message.
    /// </summary>
    /// <param name="subjectAltNames">The <c>subjectAltName</c> entries as (kind, value), in order.</param>
    /// <param name="commonNames">The subject's <c>commonName</c> values, in order.</param>
    /// <param name="hostname">The host name or address.</param>
    /// <param name="invalidIp">Set when the text is Python's <c>ValueError</c> (an <c>IP Address</c> entry that is no address) rather than a <c>CertificateError</c>.</param>
    /// <returns>Null on a match, else the message.</returns>
    public static string? PythonMatch(IEnumerable<(string Kind, string Value)> subjectAltNames, IEnumerable<string> commonNames, string hostname, out bool invalidIp)
    {
        invalidIp = false;
        byte[]? hostIp = PythonIp(hostname, out _);
        var names = new List<string>();
        foreach (var (kind, value) in subjectAltNames)
        {
            if (kind == "DNS")
            {
                if (hostIp is null)
                {
                    if (PythonDnsMatch(value, hostname, out string? refused))
                    {
                        return null;
                    }

                    if (refused is not null)
                    {
                        return refused;
                    }
                }

                names.Add(value);
            }
            else if (kind == "IP Address")
            {
                if (hostIp is not null)
                {
                    string trimmed = value.TrimEnd();
                    byte[]? ip = PythonIp(trimmed, out string? notIp);
                    if (ip is null)
                    {
                        invalidIp = true;
                        return notIp;
                    }

                    if (ip.AsSpan().SequenceEqual(hostIp))
                    {
                        return null;
                    }
                }

                names.Add(value);
            }
        }

        if (names.Count == 0)
        {
            foreach (string cn in commonNames)
            {
                if (PythonDnsMatch(cn, hostname, out string? refused))
                {
                    return null;
                }

                if (refused is not null)
                {
                    return refused;
                }

                names.Add(cn);
            }
        }

        return names.Count switch
        {
            0 => "no appropriate commonName or subjectAltName fields were found",
            1 => "hostname " + PythonText.Repr(hostname) + " doesn't match " + PythonText.Repr(names[0]),
            _ => "hostname " + PythonText.Repr(hostname) + " doesn't match either of " + string.Join(", ", names.Select(PythonText.Repr)),
        };
    }

    /// <summary>True when Python's <c>match_hostname</c> treats <paramref name="hostname"/> as an IP address.</summary>
    public static bool IsPythonAddress(string hostname) => PythonIp(hostname, out _) is not null;

    /// <summary>Python's <c>_dnsname_match</c>; <paramref name="refused"/> carries its <c>CertificateError</c> for a wildcard it does not support.</summary>
    private static bool PythonDnsMatch(string dn, string hostname, out string? refused)
    {
        refused = null;
        if (dn.Length == 0)
        {
            return false;
        }

        int wildcards = dn.Count(c => c == '*');
        if (wildcards == 0)
        {
            return string.Equals(PythonLower(dn), PythonLower(hostname), StringComparison.Ordinal);
        }

        if (wildcards > 1)
        {
            refused = "too many wildcards in certificate DNS name: " + PythonText.Repr(dn) + ".";
            return false;
        }

        int dot = dn.IndexOf('.');
        string leftmost = dot < 0 ? dn : dn.Substring(0, dot);
        string remainder = dot < 0 ? "" : dn.Substring(dot + 1);
        if (remainder.IndexOf('*') >= 0)
        {
            refused = "wildcard can only be present in the leftmost label: " + PythonText.Repr(dn) + ".";
            return false;
        }

        if (dot < 0)
        {
            refused = "sole wildcard without additional labels are not support: " + PythonText.Repr(dn) + ".";
            return false;
        }

        if (leftmost != "*")
        {
            refused = "partial wildcards in leftmost label are not supported: " + PythonText.Repr(dn) + ".";
            return false;
        }

        int hostDot = hostname.IndexOf('.');
        if (hostDot <= 0)
        {
            return false;
        }

        return string.Equals(PythonLower(remainder), PythonLower(hostname.Substring(hostDot + 1)), StringComparison.Ordinal);
    }

    // str.lower() on the names certificates and host names hold; invariant lower-casing agrees with it outside a few
    // special cases (final sigma, dotted I), which no host name written in A-labels contains.
    private static string PythonLower(string s) => s.ToLowerInvariant();

    /// <summary>
    /// Python's <c>_inet_paton</c>: the 4 bytes of a quad-dotted IPv4 address written as <c>inet_ntoa</c> writes it (no
    /// leading zeros, no short forms), or the 16 of an IPv6 address (<c>inet_pton</c>); else null with Python's
    /// <c>ValueError</c> text.
    /// </summary>
    private static byte[]? PythonIp(string text, out string? notIp)
    {
        notIp = null;
        if (text.IndexOf(':') < 0)
        {
            if (NameSyntax.ParseIpv4(text) is { } v4)
            {
                return v4;
            }

            if (InetAtonAccepts(text))
            {
                notIp = PythonText.Repr(text) + " is not a quad-dotted IPv4 address.";
                return null;
            }
        }
        else if (NameSyntax.ParseIpv6(text) is { } v6)
        {
            return v6;
        }

        notIp = PythonText.Repr(text) + " is neither an IPv4 nor an IP6 address.";
        return null;
    }

    // glibc's inet_aton: one to four parts, each decimal, octal (leading 0) or hex (0x), the last filling the remaining
    // bytes, optionally followed by whitespace and anything.
    private static bool InetAtonAccepts(string text)
    {
        int end = text.IndexOfAny([' ', '\t', '\n', '\r', '\f', '\v']);
        string s = end >= 0 ? text.Substring(0, end) : text;
        string[] parts = s.Split('.');
        if (s.Length == 0 || parts.Length > 4)
        {
            return false;
        }

        var values = new List<ulong>();
        foreach (string part in parts)
        {
            if (part.Length == 0)
            {
                return false;
            }

            int radix = 10;
            string digits = part;
            if (part.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                radix = 16;
                digits = part.Substring(2);
            }
            else if (part.Length > 1 && part[0] == '0')
            {
                radix = 8;
                digits = part.Substring(1);
            }

            ulong v = 0;
            foreach (char c in digits)
            {
                int d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : c is >= 'A' and <= 'F' ? c - 'A' + 10 : 99;
                if (d >= radix)
                {
                    return false;
                }

                v = (v * (ulong)radix) + (ulong)d;
                if (v > uint.MaxValue)
                {
                    return false;
                }
            }

            values.Add(v);
        }

        for (int i = 0; i < values.Count - 1; i++)
        {
            if (values[i] > 255)
            {
                return false;
            }
        }

        int lastBytes = 4 - (values.Count - 1);
        return lastBytes >= 4 || values[values.Count - 1] < (1UL << (8 * lastBytes));
    }
}
