using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.X509.Validation;

/// <summary>
/// Canonical form of a distinguished name for comparison, as OpenSSL compares names: string values trimmed,
/// inner white space collapsed and case folded, attributes within an RDN sorted, string types ignored.
/// </summary>
internal static class NameKey
{
    public static string Of(X509Name name) => Of(Asn1Sequence.GetInstance(name.ToAsn1Object()));

    public static string Of(Asn1Sequence rdns)
    {
        var sb = new StringBuilder();
        var avas = new List<string>();
        foreach (Asn1Encodable rdn in rdns)
        {
            avas.Clear();
            foreach (Asn1Encodable ava in Asn1Set.GetInstance(rdn))
            {
                var seq = Asn1Sequence.GetInstance(ava);
                var oid = DerObjectIdentifier.GetInstance(seq[0]);
                avas.Add(oid.Id + "=" + Value(seq[1]));
            }

            avas.Sort(StringComparer.Ordinal);
            sb.Append('/').Append(string.Join("+", avas));
        }

        return sb.ToString();
    }

    private static string Value(Asn1Encodable value)
    {
        if (value is IAsn1String s && value is not DerBitString)
        {
            string raw = s.GetString();
            var sb = new StringBuilder(raw.Length);
            bool space = false;
            foreach (char ch in raw.Trim())
            {
                if (char.IsWhiteSpace(ch))
                {
                    space = true;
                    continue;
                }

                if (space)
                {
                    sb.Append(' ');
                    space = false;
                }

                sb.Append(char.ToLowerInvariant(ch));
            }

            return "\"" + sb.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("/", "\\/").Replace("+", "\\+") + "\"";
        }

        return "#" + CryptoUtilHex(value.ToAsn1Object().GetEncoded(Asn1Encodable.Der));
    }

    private static string CryptoUtilHex(byte[] b) => ManagedTls.Crypto.CryptoUtil.ToHex(b);
}
