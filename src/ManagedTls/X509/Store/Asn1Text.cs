using System.Text;

namespace ManagedTls.X509.Store;

/// <summary>
/// Directory-string conversion as OpenSSL's <c>ASN1_STRING_to_UTF8</c> does it: the universal tag decides
/// the character width (Latin-1 for the one-byte string types, UCS-2 for BMPString, UCS-4 for UniversalString,
/// UTF-8 as is), every other type is refused.
/// </summary>
internal static class Asn1Text
{
    /// <summary>UTF8String.</summary>
    public const int Utf8String = 12;

    /// <summary>UniversalString.</summary>
    public const int UniversalString = 28;

    /// <summary>BMPString.</summary>
    public const int BmpString = 30;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>
    /// The character width OpenSSL uses for a universal tag: 0 = UTF-8, 1 = Latin-1, 2 = UCS-2, 4 = UCS-4,
    /// -1 = not a string type.
    /// </summary>
    public static int Width(int tag) => tag switch
    {
        Utf8String => 0,
        18 or 19 or 20 or 22 or 23 or 24 or 26 or 27 => 1, // Numeric, Printable, T61, IA5, UTCTime, GeneralizedTime, Visible, General
        UniversalString => 4,
        BmpString => 2,
        _ => -1,
    };

    /// <summary>
    /// Converts the content octets of a string of universal type <paramref name="tag"/> to text; null when
    /// OpenSSL would refuse it (not a string type, bad UTF-8, odd UCS-2/UCS-4 length, surrogates, out of range).
    /// </summary>
    public static string? ToText(int tag, byte[] content)
    {
        switch (Width(tag))
        {
            case 0:
                try
                {
                    string s = StrictUtf8.GetString(content);
                    return s;
                }
                catch (DecoderFallbackException)
                {
                    return null;
                }

            case 1:
                var latin = new StringBuilder(content.Length);
                foreach (byte b in content)
                {
                    latin.Append((char)b);
                }

                return latin.ToString();

            case 2:
                if (content.Length % 2 != 0)
                {
                    return null;
                }

                var bmp = new StringBuilder(content.Length / 2);
                for (int i = 0; i < content.Length; i += 2)
                {
                    int cp = (content[i] << 8) | content[i + 1];
                    if (cp is >= 0xD800 and <= 0xDFFF)
                    {
                        return null;
                    }

                    bmp.Append((char)cp);
                }

                return bmp.ToString();

            case 4:
                if (content.Length % 4 != 0)
                {
                    return null;
                }

                var ucs = new StringBuilder(content.Length / 4);
                for (int i = 0; i < content.Length; i += 4)
                {
                    long cp = ((long)content[i] << 24) | ((long)content[i + 1] << 16) | ((long)content[i + 2] << 8) | content[i + 3];
                    if (cp > 0x10FFFF || cp is >= 0xD800 and <= 0xDFFF)
                    {
                        return null;
                    }

                    ucs.Append(char.ConvertFromUtf32((int)cp));
                }

                return ucs.ToString();

            default:
                return null;
        }
    }
}
