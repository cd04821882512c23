using System.Text;

namespace ManagedTls.Ssl;

/// <summary>
/// Python's treatment of <c>server_hostname</c>: the name is encoded with the <c>idna</c> codec (IDNA 2003) before it is
/// sent in server_name and matched against the certificate, so <c>bücher.example</c> becomes
/// <c>xn--bcher-kva.example</c> and <see cref="SslObject.ServerHostname"/> reports the encoded form.
/// </summary>
/// <remarks>
/// As Python's codec: an all-ASCII label is kept as written (case included) and only its length is checked (1 to 63; a
/// single trailing dot is allowed); any other label goes through nameprep (compatibility normalisation, case folding,
/// the IDNA 2003 mappings ß → ss and ς → σ, and removal of the characters RFC 3454 table B.1 maps to nothing) and, if it
/// is still not ASCII, Punycode with the <c>xn--</c> prefix. The full stops U+3002, U+FF0E and U+FF61 separate labels
/// too. Nameprep's prohibited-character and bidirectional checks are not made.
/// </remarks>
internal static class ServerHostnames
{
    private static readonly char[] Dots = ['.', '\u3002', '\uff0e', '\uff61'];

    /// <summary>The encoded name, or null for null.</summary>
    /// <exception cref="ArgumentException">The name is empty (Python's <c>ValueError</c>) or a label is empty, too
    /// long or cannot be encoded (Python's <c>UnicodeError</c>), with Python's text.</exception>
    public static string? Encode(string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (name.Length == 0)
        {
            throw new ArgumentException("server_hostname cannot be an empty string or start with a leading dot.", nameof(name));
        }

        if (IsAscii(name))
        {
            CheckLabels(name.Split('.'));
            return name;
        }

        string[] labels = name.Split(Dots);
        for (int i = 0; i < labels.Length; i++)
        {
            if (!IsAscii(labels[i]))
            {
                labels[i] = EncodeLabel(labels[i]);
            }
        }

        CheckLabels(labels);
        return string.Join(".", labels);
    }

    private static void CheckLabels(string[] labels)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            bool trailing = i == labels.Length - 1 && i > 0;
            if ((labels[i].Length == 0 && !trailing) || labels[i].Length > 63)
            {
                throw Failure("label empty or too long");
            }
        }
    }

    private static string EncodeLabel(string label)
    {
        string mapped = Nameprep(label);
        if (IsAscii(mapped))
        {
            return mapped;
        }

        string encoded = "xn--" + Punycode(mapped);
        return encoded.Length <= 63 ? encoded : throw Failure("label empty or too long");
    }

    // RFC 3492 section 6.3 encoding, parameters of section 5 (base 36, tmin 1, tmax 26, skew 38, damp 700, initial
    // bias 72, initial n 128); the label is first turned into code points so characters outside the BMP count once.
    private static string Punycode(string label)
    {
        const int Base = 36, TMin = 1, TMax = 26;
        var input = new List<int>(label.Length);
        for (int i = 0; i < label.Length; i++)
        {
            if (char.IsHighSurrogate(label[i]) && i + 1 < label.Length && char.IsLowSurrogate(label[i + 1]))
            {
                input.Add(char.ConvertToUtf32(label[i], label[i + 1]));
                i++;
            }
            else if (char.IsSurrogate(label[i]))
            {
                throw Failure("unpaired surrogate");
            }
            else
            {
                input.Add(label[i]);
            }
        }

        var output = new StringBuilder();
        foreach (int c in input)
        {
            if (c < 0x80)
            {
                output.Append((char)c);
            }
        }

        int basic = output.Length;
        int handled = basic;
        if (basic > 0)
        {
            output.Append('-');
        }

        int n = 0x80, bias = 72;
        long delta = 0;
        while (handled < input.Count)
        {
            int m = int.MaxValue;
            foreach (int c in input)
            {
                if (c >= n && c < m)
                {
                    m = c;
                }
            }

            delta += (long)(m - n) * (handled + 1);
            n = m;
            foreach (int c in input)
            {
                if (c < n)
                {
                    delta++;
                }

                if (c == n)
                {
                    long q = delta;
                    for (int k = Base; ; k += Base)
                    {
                        int t = k <= bias ? TMin : k >= bias + TMax ? TMax : k - bias;
                        if (q < t)
                        {
                            break;
                        }

                        output.Append(Digit((int)(t + ((q - t) % (Base - t)))));
                        q = (q - t) / (Base - t);
                    }

                    output.Append(Digit((int)q));
                    bias = Adapt(delta, handled + 1, handled == basic);
                    delta = 0;
                    handled++;
                }
            }

            delta++;
            n++;
        }

        return output.ToString();
    }

    private static char Digit(int d) => (char)(d < 26 ? 'a' + d : '0' + d - 26);

    private static int Adapt(long delta, int points, bool first)
    {
        delta = first ? delta / 700 : delta / 2;
        delta += delta / points;
        int k = 0;
        while (delta > ((36 - 1) * 26) / 2)
        {
            delta /= 36 - 1;
            k += 36;
        }

        return (int)(k + ((36 - 1 + 1) * delta / (delta + 38)));
    }

    private static string Nameprep(string label)
    {
        var sb = new StringBuilder(label.Length);
        foreach (char c in label.Normalize(NormalizationForm.FormKC).ToLowerInvariant())
        {
            switch (c)
            {
                case '\u00df':
                    sb.Append("ss");
                    break;
                case '\u03c2':
                    sb.Append('\u03c3');
                    break;
                case '\u00ad' or '\u034f' or '\u1806' or (>= '\u180b' and <= '\u180d') or (>= '\u200b' and <= '\u200d')
                    or '\u2060' or (>= '\ufe00' and <= '\ufe0f') or '\ufeff':
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString().Normalize(NormalizationForm.FormKC);
    }

    private static bool IsAscii(string s)
    {
        foreach (char c in s)
        {
            if (c > 0x7f)
            {
                return false;
            }
        }

        return true;
    }

    private static ArgumentException Failure(string why) =>
        new($"encoding with 'idna' codec failed (UnicodeError: {why})", "server_hostname");
}
