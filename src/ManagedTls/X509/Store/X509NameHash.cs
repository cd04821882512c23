using System.Text;
using ManagedTls.Crypto;

namespace ManagedTls.X509.Store;

/// <summary>
/// OpenSSL's canonical form of a distinguished name and the subject hash derived from it
/// (<c>X509_NAME_hash_ex</c>, the file name in a <c>c_rehash</c> directory).
/// </summary>
/// <remarks>
/// The canonical form keeps each RDN as a SET OF AttributeTypeAndValue (re-sorted as DER sorts a SET OF)
/// and concatenates the SETs without the outer SEQUENCE header. Values of the directory-string types
/// (UTF8String, BMPString, UniversalString, PrintableString, T61String, IA5String, VisibleString) become a
/// UTF8String whose text has leading and trailing ASCII white space removed, every inner run of ASCII white
/// space folded to one space and ASCII letters lower-cased; bytes outside ASCII are kept as they are. Values of
/// any other type are kept with their original encoding. The hash is the first four bytes of SHA-1 over the
/// canonical form, read little-endian. Two names are equal for OpenSSL when their canonical forms are equal.
/// </remarks>
internal static class X509NameHash
{
    private const int CanonMask = (1 << Asn1Text.Utf8String) | (1 << Asn1Text.BmpString) | (1 << Asn1Text.UniversalString)
        | (1 << 19) | (1 << 20) | (1 << 22) | (1 << 26); // Printable, T61, IA5, Visible

    /// <summary>Canonical encoding of a Name given as DER.</summary>
    public static byte[] Canonical(byte[] nameDer) => Canonical(DerNode.Parse(nameDer));

    /// <summary>Canonical encoding of a parsed Name.</summary>
    public static byte[] Canonical(DerNode name)
    {
        var output = new List<byte>();
        foreach (var rdn in RawCertificate.NameRdns(name))
        {
            var entries = new List<byte[]>();
            foreach (var (type, value) in rdn)
            {
                entries.Add(Tlv(0x30, Concat(type.Encoded(), CanonicalValue(value))));
            }

            entries.Sort(DerCompare);
            output.AddRange(Tlv(0x31, Concat(entries.ToArray())));
        }

        return output.ToArray();
    }

    /// <summary>The 32-bit subject hash (<c>openssl x509 -hash</c>) of a Name given as DER.</summary>
    public static uint Hash(byte[] nameDer) => HashCanonical(Canonical(nameDer));

    /// <summary>The 32-bit hash of an already canonical encoding.</summary>
    public static uint HashCanonical(byte[] canonical)
    {
        byte[] sha = Hashes.Compute(HashAlgorithm.Sha1, canonical);
        return sha[0] | ((uint)sha[1] << 8) | ((uint)sha[2] << 16) | ((uint)sha[3] << 24);
    }

    /// <summary>The hash as the eight lower-case hex digits used for file names.</summary>
    public static string HashHex(uint hash) => hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] CanonicalValue(DerNode value)
    {
        int tag = value.TagNumber;
        if (!value.IsUniversal || value.IsConstructed || tag >= 31 || ((1 << tag) & CanonMask) == 0)
        {
            return value.Encoded();
        }

        string text = Asn1Text.ToText(tag, value.ContentBytes())
            ?? throw new TlsAlertException(AlertDescription.BadCertificate, "name attribute value is not a valid string");
        return Tlv(Asn1Text.Utf8String, Encoding.UTF8.GetBytes(Fold(text)));
    }

    /// <summary>Trims, folds and lower-cases ASCII only, as OpenSSL's name canonicalisation does.</summary>
    internal static string Fold(string text)
    {
        int start = 0;
        int end = text.Length;
        while (start < end && IsSpace(text[start]))
        {
            start++;
        }

        while (end > start && IsSpace(text[end - 1]))
        {
            end--;
        }

        var sb = new StringBuilder(end - start);
        int i = start;
        while (i < end)
        {
            char c = text[i];
            if (c >= 0x80)
            {
                sb.Append(c);
                i++;
            }
            else if (IsSpace(c))
            {
                sb.Append(' ');
                while (i < end && IsSpace(text[i]))
                {
                    i++;
                }
            }
            else
            {
                sb.Append(c is >= 'A' and <= 'Z' ? (char)(c + 32) : c);
                i++;
            }
        }

        return sb.ToString();
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static int DerCompare(byte[] a, byte[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return a[i] - b[i];
            }
        }

        return a.Length - b.Length;
    }

    private static byte[] Concat(params byte[][] parts)
    {
        int total = 0;
        foreach (byte[] p in parts)
        {
            total += p.Length;
        }

        byte[] result = new byte[total];
        int offset = 0;
        foreach (byte[] p in parts)
        {
            Buffer.BlockCopy(p, 0, result, offset, p.Length);
            offset += p.Length;
        }

        return result;
    }

    /// <summary>DER tag-length-value with a single-byte tag.</summary>
    internal static byte[] Tlv(int tag, byte[] content)
    {
        int len = content.Length;
        int lenBytes = len < 0x80 ? 0 : len <= 0xFF ? 1 : len <= 0xFFFF ? 2 : len <= 0xFFFFFF ? 3 : 4;
        byte[] result = new byte[2 + lenBytes + len];
        result[0] = (byte)tag;
        if (lenBytes == 0)
        {
            result[1] = (byte)len;
        }
        else
        {
            result[1] = (byte)(0x80 | lenBytes);
            for (int i = 0; i < lenBytes; i++)
            {
                result[2 + i] = (byte)(len >> (8 * (lenBytes - 1 - i)));
            }
        }

        Buffer.BlockCopy(content, 0, result, 2 + lenBytes, len);
        return result;
    }
}
