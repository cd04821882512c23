using System.Text;

namespace ManagedTls.X509.Store;

/// <summary>One PEM block: its label (the text after <c>BEGIN </c>) and its decoded bytes.</summary>
/// <param name="Label">For example <c>CERTIFICATE</c>, <c>TRUSTED CERTIFICATE</c>, <c>X509 CRL</c>.</param>
/// <param name="Data">The base64-decoded body.</param>
internal sealed record PemBlock(string Label, byte[] Data);

/// <summary>
/// Reads PEM blocks as OpenSSL's <c>PEM_read_bio</c> does: anything outside
/// <c>-----BEGIN X-----</c> … <c>-----END X-----</c> is skipped (comments, junk, other text), RFC 1421 header
/// lines (<c>Proc-Type: …</c>) up to the first empty line are skipped, the body is base64 with line breaks.
/// A block that starts but is broken (no END line, END label differs, bad base64) is an error at that block.
/// </summary>
internal static class PemReader
{
    private const string BeginPrefix = "-----BEGIN ";
    private const string EndPrefix = "-----END ";
    private const string Dashes = "-----";

    /// <summary>
    /// Yields blocks in order; throws <see cref="CertificateStoreException"/> (library <c>PEM</c>) when a block
    /// is malformed. Blocks before the broken one have already been yielded.
    /// </summary>
    public static IEnumerable<PemBlock> Read(string text)
    {
        string[] lines = text.Split('\n');
        int i = 0;
        while (i < lines.Length)
        {
            string line = TrimEnd(lines[i]);
            i++;
            if (!line.StartsWith(BeginPrefix, StringComparison.Ordinal) || !line.EndsWith(Dashes, StringComparison.Ordinal)
                || line.Length < BeginPrefix.Length + Dashes.Length)
            {
                continue;
            }

            string label = line.Substring(BeginPrefix.Length, line.Length - BeginPrefix.Length - Dashes.Length);
            var body = new List<string>();
            bool ended = false;
            while (i < lines.Length)
            {
                string l = TrimEnd(lines[i]);
                i++;
                if (l.StartsWith(EndPrefix, StringComparison.Ordinal))
                {
                    string endLabel = l.EndsWith(Dashes, StringComparison.Ordinal) && l.Length >= EndPrefix.Length + Dashes.Length
                        ? l.Substring(EndPrefix.Length, l.Length - EndPrefix.Length - Dashes.Length)
                        : "\0";
                    if (endLabel != label)
                    {
                        throw new CertificateStoreException("PEM", "BAD_END_LINE", "bad end line");
                    }

                    ended = true;
                    break;
                }

                body.Add(l);
            }

            if (!ended)
            {
                throw new CertificateStoreException("PEM", "BAD_END_LINE", "bad end line");
            }

            int first = 0;
            if (body.Count > 0 && body[0].IndexOf(':') >= 0)
            {
                while (first < body.Count && body[first].Length != 0)
                {
                    first++;
                }
            }

            byte[] data = DecodeBase64(body, first)
                ?? throw new CertificateStoreException("PEM", "BAD_BASE64_DECODE", "bad base64 decode");
            yield return new PemBlock(label, data);
        }
    }

    /// <summary>Bytes to text one byte per character, so PEM parsing never fails on non-ASCII junk.</summary>
    public static string Latin1(byte[] bytes)
    {
        char[] chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = (char)bytes[i];
        }

        return new string(chars);
    }

    private static string TrimEnd(string line) => line.TrimEnd(' ', '\t', '\r', '\n');

    private static byte[]? DecodeBase64(List<string> lines, int first)
    {
        var sb = new StringBuilder();
        for (int k = first; k < lines.Count; k++)
        {
            foreach (char c in lines[k])
            {
                if (c is ' ' or '\t' or '\r')
                {
                    continue;
                }

                if (!(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/' or '='))
                {
                    return null;
                }

                sb.Append(c);
            }
        }

        string s = sb.ToString();
        if (s.Length % 4 != 0)
        {
            return null;
        }

        int pad = s.EndsWith("==", StringComparison.Ordinal) ? 2 : s.EndsWith("=", StringComparison.Ordinal) ? 1 : 0;
        if (s.IndexOf('=') >= 0 && s.IndexOf('=') < s.Length - pad)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
