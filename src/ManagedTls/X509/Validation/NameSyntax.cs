using System.Globalization;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.X509.Validation;

/// <summary>Syntax rules for names in certificates and peer names: DNS names, IP addresses, email addresses.</summary>
internal static class NameSyntax
{
    /// <summary>
    /// Checks one subjectAltName entry; null when well formed, else the reason. <paramref name="strictOnly"/> is
    /// set when the entry is readable but breaks the preferred name syntax (an underscore, say), which only
    /// <see cref="VerifyFlags.VerifyX509Strict"/> refuses.
    /// </summary>
    public static string? CheckGeneralName(GeneralName n, out bool strictOnly)
    {
        strictOnly = false;
        switch (n.TagNo)
        {
            case GeneralName.DnsName:
            {
                string? s = Ia5(n);
                strictOnly = s is not null;
                return s is not null && IsDnsName(s, allowWildcard: true) ? null : "malformed dNSName";
            }

            case GeneralName.IPAddress:
            {
                int len = Asn1OctetString.GetInstance(n.Name).GetOctets().Length;
                return len is 4 or 16 ? null : "malformed iPAddress";
            }

            case GeneralName.Rfc822Name:
            {
                string? s = Ia5(n);
                return s is not null && IsMailbox(s) ? null : "malformed rfc822Name";
            }

            default:
                return null;
        }
    }

    /// <summary>The text of an IA5String name, or null when it is not printable ASCII.</summary>
    public static string? Ia5(GeneralName n)
    {
        if (n.Name is not DerIA5String ia5)
        {
            return null;
        }

        string s = ia5.GetString();
        foreach (char c in s)
        {
            if (c < 0x21 || c > 0x7e)
            {
                return null;
            }
        }

        return s;
    }

    /// <summary>
    /// A host name in preferred syntax (letters, digits, hyphens; labels 1..63; total at most 253), optionally
    /// with "*" as its whole first label when <paramref name="allowWildcard"/>.
    /// </summary>
    public static bool IsDnsName(string s, bool allowWildcard)
    {
        if (s.Length == 0 || s.Length > 253)
        {
            return false;
        }

        string[] labels = s.Split('.');
        for (int i = 0; i < labels.Length; i++)
        {
            string l = labels[i];
            if (i == 0 && allowWildcard && l == "*")
            {
                continue;
            }

            if (l.Length == 0 || l.Length > 63 || l[0] == '-' || l[l.Length - 1] == '-')
            {
                return false;
            }

            foreach (char c in l)
            {
                if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>local@domain with exactly one '@', a non-empty local part and a host-name domain.</summary>
    public static bool IsMailbox(string s)
    {
        int at = s.IndexOf('@');
        if (at <= 0 || at != s.LastIndexOf('@') || at == s.Length - 1)
        {
            return false;
        }

        foreach (char c in s.AsSpan(0, at))
        {
            if (c < 0x21 || c > 0x7e || c is '(' or ')' or '<' or '>' or '[' or ']' or ',' or ';' or ':' or '\\' or '"')
            {
                return false;
            }
        }

        return IsDnsName(s.Substring(at + 1), allowWildcard: false);
    }

    /// <summary>Parses an IPv4 (strict dotted decimal) or IPv6 address; null when malformed.</summary>
    public static byte[]? ParseIp(string s)
    {
        return s.IndexOf(':') >= 0 ? ParseIpv6(s) : ParseIpv4(s);
    }

    /// <summary>Strict dotted decimal: four parts, no leading zeros, each at most 255.</summary>
    public static byte[]? ParseIpv4(string s)
    {
        string[] parts = s.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        var r = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            string p = parts[i];
            if (p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0'))
            {
                return null;
            }

            int v = 0;
            foreach (char c in p)
            {
                if (c is < '0' or > '9')
                {
                    return null;
                }

                v = (v * 10) + (c - '0');
            }

            if (v > 255)
            {
                return null;
            }

            r[i] = (byte)v;
        }

        return r;
    }

    /// <summary>RFC 4291 text form: eight groups of 1..4 hex digits, one "::" at most, an optional dotted IPv4 tail.</summary>
    public static byte[]? ParseIpv6(string s)
    {
        if (s.Length < 2 || s.Length > 45)
        {
            return null;
        }

        int dbl = s.IndexOf("::", StringComparison.Ordinal);
        if (dbl >= 0 && s.IndexOf("::", dbl + 1, StringComparison.Ordinal) >= 0)
        {
            return null;
        }

        var head = new List<ushort>();
        var tail = new List<ushort>();
        if (dbl >= 0)
        {
            if (!Groups(s.Substring(0, dbl), head, allowV4: false) || !Groups(s.Substring(dbl + 2), tail, allowV4: true))
            {
                return null;
            }

            if (head.Count + tail.Count > 7)
            {
                return null;
            }
        }
        else
        {
            if (!Groups(s, head, allowV4: true) || head.Count != 8)
            {
                return null;
            }
        }

        var r = new byte[16];
        for (int i = 0; i < head.Count; i++)
        {
            r[2 * i] = (byte)(head[i] >> 8);
            r[(2 * i) + 1] = (byte)head[i];
        }

        for (int i = 0; i < tail.Count; i++)
        {
            int k = 8 - tail.Count + i;
            r[2 * k] = (byte)(tail[i] >> 8);
            r[(2 * k) + 1] = (byte)tail[i];
        }

        return r;
    }

    private static bool Groups(string s, List<ushort> into, bool allowV4)
    {
        if (s.Length == 0)
        {
            return true;
        }

        string[] parts = s.Split(':');
        for (int i = 0; i < parts.Length; i++)
        {
            string p = parts[i];
            if (allowV4 && i == parts.Length - 1 && p.IndexOf('.') >= 0)
            {
                byte[]? v4 = ParseIpv4(p);
                if (v4 is null)
                {
                    return false;
                }

                into.Add((ushort)((v4[0] << 8) | v4[1]));
                into.Add((ushort)((v4[2] << 8) | v4[3]));
                continue;
            }

            if (p.Length is 0 or > 4 || !ushort.TryParse(p, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort g))
            {
                return false;
            }

            into.Add(g);
        }

        return true;
    }

    /// <summary>The canonical text of an address: dotted decimal, or RFC 5952 for IPv6.</summary>
    public static string FormatIp(byte[] a)
    {
        if (a.Length == 4)
        {
            return $"{a[0]}.{a[1]}.{a[2]}.{a[3]}";
        }

        var g = new int[8];
        for (int i = 0; i < 8; i++)
        {
            g[i] = (a[2 * i] << 8) | a[(2 * i) + 1];
        }

        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;)
        {
            if (g[i] != 0)
            {
                i++;
                continue;
            }

            int j = i;
            while (j < 8 && g[j] == 0)
            {
                j++;
            }

            if (j - i > bestLen)
            {
                bestStart = i;
                bestLen = j - i;
            }

            i = j;
        }

        var sb = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.Append("::");
                i += bestLen - 1;
                continue;
            }

            if (sb.Length > 0 && sb[sb.Length - 1] != ':')
            {
                sb.Append(':');
            }

            sb.Append(g[i].ToString("x", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
