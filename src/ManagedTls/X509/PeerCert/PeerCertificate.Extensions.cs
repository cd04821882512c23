using System.Collections;
using System.Globalization;
using System.Text;
using ManagedTls.X509.Store;

namespace ManagedTls.X509.PeerCert;

/// <content>subjectAltName, authorityInfoAccess and cRLDistributionPoints as Python renders them; JSON.</content>
public static partial class PeerCertificate
{
    /// <summary>
    /// Renders a decoded certificate (or any value inside one) exactly as Python's <c>json.dumps</c> renders the
    /// Python value: <c>", "</c> and <c>": "</c> separators, keys in order, tuples as arrays, non-ASCII as
    /// <c>\uXXXX</c>.
    /// </summary>
    /// <param name="value">A dictionary from <see cref="Decode"/> or a part of it.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(object value)
    {
        var sb = new StringBuilder();
        WriteJson(sb, value);
        return sb.ToString();
    }

    /// <summary>
    /// <code>
    /// GeneralName ::= CHOICE {
    ///      otherName                 [0]  OtherName,
    ///      rfc822Name                [1]  IA5String,
    ///      dNSName                   [2]  IA5String,
    ///      x400Address               [3]  ORAddress,
    ///      directoryName             [4]  Name,
    ///      ediPartyName              [5]  EDIPartyName,
    ///      uniformResourceIdentifier [6]  IA5String,
    ///      iPAddress                 [7]  OCTET STRING,
    ///      registeredID              [8]  OBJECT IDENTIFIER }
    /// OtherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY DEFINED BY type-id }
    /// </code>
    /// </summary>
    private static List<KeyValuePair<string, object>>? DecodeSubjectAltNames(RawCertificate cert)
    {
        List<KeyValuePair<string, object>>? result = null;
        foreach (var ext in cert.Extensions)
        {
            if (ext.Oid != SubjectAltName)
            {
                continue;
            }

            result ??= new List<KeyValuePair<string, object>>();
            foreach (DerNode gn in DerNode.Parse(ext.Value).Sequence())
            {
                result.Add(DecodeGeneralName(gn));
            }
        }

        return result;
    }

    private static KeyValuePair<string, object> DecodeGeneralName(DerNode gn)
    {
        if (!gn.IsContext)
        {
            throw DerNode.Bad("GeneralName must be context-tagged");
        }

        switch (gn.TagNumber)
        {
            case 1:
                return new("email", Ia5(gn));
            case 2:
                return new("DNS", Ia5(gn));
            case 6:
                return new("URI", Ia5(gn));
            case 4:
                return new("DirName", DecodeName(gn.Explicit()));
            case 7:
                return new("IP Address", FormatIp(Primitive(gn)));
            case 8:
                return new("Registered ID", OpenSslObjectNames.Name(gn.OidContent()));
            case 0:
                return SplitPrinted(OtherName(gn.Children()));
            case 3:
                return SplitPrinted("X400Name:<unsupported>");
            case 5:
                return SplitPrinted("EdiPartyName:<unsupported>");
            default:
                throw DerNode.Bad("unknown GeneralName tag");
        }
    }

    /// <summary>OpenSSL 3.0's <c>GENERAL_NAME_print</c> for otherName: a few known string forms, else unsupported.</summary>
    private static string OtherName(List<DerNode> other)
    {
        if (other.Count != 2 || !other[1].IsContext || other[1].TagNumber != 0)
        {
            throw DerNode.Bad("bad otherName");
        }

        string typeId = other[0].Oid();
        DerNode inner = other[1].Explicit();
        bool srv = typeId == "1.3.6.1.5.5.7.8.7";
        string? label = typeId switch
        {
            "1.3.6.1.5.5.7.8.9" => "SmtpUTF8Mailbox",
            "1.3.6.1.5.5.7.8.5" => "XmppAddr",
            "1.3.6.1.5.5.7.8.7" => "SRVName",
            "1.3.6.1.4.1.311.20.2.3" => "UPN",
            "1.3.6.1.5.5.7.8.8" => "NAIRealm",
            _ => null,
        };
        bool typeOk = srv ? inner.Is(22) : inner.Is(Asn1Text.Utf8String);
        if (label is null || !typeOk)
        {
            return "othername:<unsupported>";
        }

        return "othername:" + label + ":" + CString(inner.ContentBytes());
    }

    /// <summary>Python splits OpenSSL's printed line at the first colon into the pair.</summary>
    private static KeyValuePair<string, object> SplitPrinted(string line)
    {
        int nl = line.IndexOf('\n');
        if (nl >= 0)
        {
            line = line.Substring(0, nl + 1);
        }

        int colon = line.IndexOf(':');
        return new(line.Substring(0, colon), line.Substring(colon + 1));
    }

    /// <summary>A C string view of bytes (stops at NUL) decoded as UTF-8, as printf's <c>%.*s</c> then Python see it.</summary>
    private static string CString(byte[] content)
    {
        int n = Array.IndexOf(content, (byte)0);
        return StrictUtf8.GetString(content, 0, n < 0 ? content.Length : n);
    }

    private static string Ia5(DerNode gn) => StrictUtf8.GetString(Primitive(gn));

    private static byte[] Primitive(DerNode node) => node.IsConstructed ? throw DerNode.Bad("expected a primitive value") : node.ContentBytes();

    /// <summary>IPv4 dotted; IPv6 as eight upper-case hex groups without zero compression (Python's own format).</summary>
    internal static string FormatIp(byte[] ip)
    {
        if (ip.Length == 4)
        {
            return string.Join(".", ip.Select(b => b.ToString(CultureInfo.InvariantCulture)));
        }

        if (ip.Length == 16)
        {
            var groups = new string[8];
            for (int i = 0; i < 8; i++)
            {
                groups[i] = ((ip[2 * i] << 8) | ip[(2 * i) + 1]).ToString("X", CultureInfo.InvariantCulture);
            }

            return string.Join(":", groups);
        }

        return "<invalid>";
    }

    /// <summary>
    /// <code>
    /// AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
    /// AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }
    /// </code>
    /// URIs of the given method, or null when there are none (or the extension is repeated, as OpenSSL refuses).
    /// </summary>
    private static List<string>? AiaUris(RawCertificate cert, string method)
    {
        if (cert.CountExtensions(AuthorityInfoAccess) != 1)
        {
            return null;
        }

        var list = new List<string>();
        foreach (DerNode item in DerNode.Parse(cert.FindExtension(AuthorityInfoAccess)!).Sequence())
        {
            var ad = item.Sequence();
            if (ad.Count != 2)
            {
                throw DerNode.Bad("bad AccessDescription");
            }

            DerNode location = ad[1];
            if (ad[0].Oid() == method && location.IsContext && location.TagNumber == 6)
            {
                list.Add(Ia5(location));
            }
        }

        return list.Count == 0 ? null : list;
    }

    /// <summary>
    /// <code>
    /// CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
    /// DistributionPoint ::= SEQUENCE {
    ///      distributionPoint       [0]     DistributionPointName OPTIONAL,
    ///      reasons                 [1]     ReasonFlags OPTIONAL,
    ///      cRLIssuer               [2]     GeneralNames OPTIONAL }
    /// DistributionPointName ::= CHOICE {
    ///      fullName                [0]     GeneralNames,
    ///      nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }
    /// </code>
    /// URIs of the full names, or null when there are none.
    /// </summary>
    private static List<string>? CrlDistributionPointUris(RawCertificate cert)
    {
        if (cert.CountExtensions(CrlDistributionPoints) != 1)
        {
            return null;
        }

        var list = new List<string>();
        foreach (DerNode item in DerNode.Parse(cert.FindExtension(CrlDistributionPoints)!).Sequence())
        {
            foreach (DerNode field in item.Sequence())
            {
                if (!field.IsContext || field.TagNumber != 0)
                {
                    continue;
                }

                DerNode dpName = field.Explicit();
                if (!dpName.IsContext || dpName.TagNumber != 0)
                {
                    continue;
                }

                foreach (DerNode gn in dpName.Children())
                {
                    if (gn.IsContext && gn.TagNumber == 6)
                    {
                        list.Add(Ia5(gn));
                    }
                }
            }
        }

        return list.Count == 0 ? null : list;
    }

    private static void WriteJson(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case string s:
                WriteJsonString(sb, s);
                break;
            case int i:
                sb.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case IReadOnlyDictionary<string, object> dict:
                sb.Append('{');
                bool firstKey = true;
                foreach (var kv in dict)
                {
                    if (!firstKey)
                    {
                        sb.Append(", ");
                    }

                    firstKey = false;
                    WriteJsonString(sb, kv.Key);
                    sb.Append(": ");
                    WriteJson(sb, kv.Value);
                }

                sb.Append('}');
                break;
            case KeyValuePair<string, string> pair:
                WriteJson(sb, new object[] { pair.Key, pair.Value });
                break;
            case KeyValuePair<string, object> pair:
                WriteJson(sb, new object[] { pair.Key, pair.Value });
                break;
            case IEnumerable list:
                sb.Append('[');
                bool first = true;
                foreach (object? item in list)
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    WriteJson(sb, item);
                }

                sb.Append(']');
                break;
            default:
                throw new ArgumentException("value of type " + value.GetType().Name + " is not part of a decoded certificate", nameof(value));
        }
    }

    private static void WriteJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>A read-only dictionary that keeps insertion order (Python dicts do).</summary>
    private sealed class OrderedDictionary : IReadOnlyDictionary<string, object>
    {
        private readonly List<KeyValuePair<string, object>> _items = new();

        public int Count => _items.Count;

        public IEnumerable<string> Keys => _items.Select(i => i.Key);

        public IEnumerable<object> Values => _items.Select(i => i.Value);

        public object this[string key] => TryGetValue(key, out object? v) ? v : throw new KeyNotFoundException(key);

        public void Add(string key, object value) => _items.Add(new(key, value));

        public bool ContainsKey(string key) => _items.Any(i => i.Key == key);

        public bool TryGetValue(string key, out object value)
        {
            foreach (var i in _items)
            {
                if (i.Key == key)
                {
                    value = i.Value;
                    return true;
                }
            }

            value = null!;
            return false;
        }

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
