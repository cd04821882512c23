using System.Globalization;
using System.Text;
using ManagedTls.X509.Store;

namespace ManagedTls.X509.PeerCert;

/// <summary>
/// The dictionary Python's <c>SSLSocket.getpeercert()</c> returns (and <c>ssl._ssl._test_decode_cert</c>), built
/// from a DER certificate with the same keys, order and text as CPython's <c>_decode_certificate</c> over
/// OpenSSL 3.
/// </summary>
/// <remarks>
/// <para>Keys, in this order, the last four only when the certificate has them:</para>
/// <list type="bullet">
/// <item><c>subject</c>, <c>issuer</c>: <see cref="IReadOnlyList{T}"/> of RDNs, each an
/// <see cref="IReadOnlyList{T}"/> of <see cref="KeyValuePair{TKey,TValue}"/> (attribute name, value) with
/// string key and value; names are OpenSSL long names (<c>commonName</c>, <c>emailAddress</c>), unknown types
/// their dotted OID.</item>
/// <item><c>version</c>: <see cref="int"/> (1 or 3).</item>
/// <item><c>serialNumber</c>: upper-case hex as OpenSSL's <c>i2a_ASN1_INTEGER</c> prints it.</item>
/// <item><c>notBefore</c>, <c>notAfter</c>: OpenSSL's text form, <c>Jan  5 09:34:43 2018 GMT</c>.</item>
/// <item><c>subjectAltName</c>: <see cref="IReadOnlyList{T}"/> of <see cref="KeyValuePair{TKey,TValue}"/> of
/// string and object: the value is a string, except for <c>DirName</c> where it is a name as above.</item>
/// <item><c>OCSP</c>, <c>caIssuers</c>, <c>crlDistributionPoints</c>: <see cref="IReadOnlyList{T}"/> of URI strings.</item>
/// </list>
/// <para>Python's tuples become read-only lists and its 2-tuples key/value pairs; <see cref="ToJson"/> renders the
/// whole as Python's <c>json.dumps</c> would render the Python value.</para>
/// </remarks>
public static partial class PeerCertificate
{
    private const string SubjectAltName = "2.5.29.17";
    private const string AuthorityInfoAccess = "1.3.6.1.5.5.7.1.1";
    private const string CrlDistributionPoints = "2.5.29.31";
    private const string Ocsp = "1.3.6.1.5.5.7.48.1";
    private const string CaIssuers = "1.3.6.1.5.5.7.48.2";
    private static readonly string[] Months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Decodes a DER certificate into Python's <c>getpeercert()</c> dictionary.</summary>
    /// <param name="der">The certificate.</param>
    /// <returns>The dictionary, keys in Python's order.</returns>
    /// <exception cref="TlsAlertException">bad_certificate when the certificate or an extension Python reads is malformed.</exception>
    public static IReadOnlyDictionary<string, object> Decode(byte[] der)
    {
        if (der is null)
        {
            throw new ArgumentNullException(nameof(der));
        }

        var cert = RawCertificate.Parse(der);
        try
        {
            var result = new OrderedDictionary();
            result.Add("subject", DecodeName(cert.Subject));
            result.Add("issuer", DecodeName(cert.Issuer));
            result.Add("version", cert.Version + 1);
            result.Add("serialNumber", FormatSerial(cert.SerialContent));
            result.Add("notBefore", FormatTime(cert.NotBefore));
            result.Add("notAfter", FormatTime(cert.NotAfter));
            var san = DecodeSubjectAltNames(cert);
            if (san is not null)
            {
                result.Add("subjectAltName", san);
            }

            var ocsp = AiaUris(cert, Ocsp);
            if (ocsp is not null)
            {
                result.Add("OCSP", ocsp);
            }

            var caIssuers = AiaUris(cert, CaIssuers);
            if (caIssuers is not null)
            {
                result.Add("caIssuers", caIssuers);
            }

            var crlDp = CrlDistributionPointUris(cert);
            if (crlDp is not null)
            {
                result.Add("crlDistributionPoints", crlDp);
            }

            return result;
        }
        catch (DecoderFallbackException e)
        {
            throw new TlsAlertException(AlertDescription.BadCertificate, "cannot decode certificate: " + e.Message, e);
        }
    }

    /// <summary>A Name as Python renders it: RDNs in encoded order, each a list of (long name, value) pairs.</summary>
    internal static IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> DecodeName(DerNode name)
    {
        var rdns = new List<IReadOnlyList<KeyValuePair<string, string>>>();
        foreach (var entries in RawCertificate.NameRdns(name))
        {
            var rdn = new List<KeyValuePair<string, string>>();
            foreach (var (typeNode, valueNode) in entries)
            {
                string type = OpenSslObjectNames.Name(typeNode.Oid());
                string value = (valueNode.IsUniversal && !valueNode.IsConstructed ? Asn1Text.ToText(valueNode.TagNumber, valueNode.ContentBytes()) : null)
                    ?? throw new TlsAlertException(AlertDescription.BadCertificate, "name attribute " + type + " is not a string OpenSSL can convert");
                rdn.Add(new KeyValuePair<string, string>(type, value));
            }

            if (rdn.Count > 0)
            {
                rdns.Add(rdn);
            }
        }

        return rdns;
    }

    /// <summary>
    /// OpenSSL's <c>i2a_ASN1_INTEGER</c> as Python reads it back (one line): a minus sign for negative values,
    /// the magnitude in upper-case hex (at least one byte), and after 35 bytes the backslash-newline OpenSSL
    /// inserts, where Python's line read stops.
    /// </summary>
    internal static string FormatSerial(byte[] content)
    {
        bool negative = content.Length > 0 && (content[0] & 0x80) != 0;
        byte[] magnitude = (byte[])content.Clone();
        if (negative)
        {
            for (int i = 0; i < magnitude.Length; i++)
            {
                magnitude[i] = (byte)~magnitude[i];
            }

            for (int i = magnitude.Length - 1; i >= 0; i--)
            {
                if (++magnitude[i] != 0)
                {
                    break;
                }
            }
        }

        int start = 0;
        while (start < magnitude.Length - 1 && magnitude[start] == 0)
        {
            start++;
        }

        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        if (magnitude.Length == 0)
        {
            return sb.Append("00").ToString();
        }

        for (int i = start, n = 0; i < magnitude.Length; i++, n++)
        {
            if (n != 0 && n % 35 == 0)
            {
                return sb.Append("\\\n").ToString();
            }

            sb.Append(magnitude[i].ToString("X2", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>
    /// OpenSSL's <c>ASN1_TIME_print</c> (RFC 822 style): <c>Mon DD HH:MM:SS[.fff] YYYY GMT</c>, the day padded
    /// with a space, <c>GMT</c> only when the value ends in <c>Z</c>, <c>Bad time value</c> when it does not parse.
    /// </summary>
    internal static string FormatTime(DerNode time)
    {
        string s = Encoding.ASCII.GetString(time.ContentBytes());
        bool generalized = time.Is(24);
        if (!generalized && !time.Is(23))
        {
            return "Bad time value";
        }

        if (!ParseTime(s, generalized, out int year, out int month, out int day, out int hour, out int minute, out int second, out string fraction))
        {
            return "Bad time value";
        }

        bool gmt = s.EndsWith("Z", StringComparison.Ordinal);
        return string.Format(CultureInfo.InvariantCulture, "{0} {1,2} {2:00}:{3:00}:{4:00}{5} {6}{7}",
            Months[month - 1], day, hour, minute, second, fraction, year, gmt ? " GMT" : string.Empty);
    }

    private static bool ParseTime(string s, bool generalized, out int year, out int month, out int day, out int hour, out int minute, out int second, out string fraction)
    {
        year = month = day = hour = minute = second = 0;
        fraction = string.Empty;
        int p = 0;
        bool Digits(int count, out int value)
        {
            value = 0;
            if (p + count > s.Length)
            {
                return false;
            }

            for (int k = 0; k < count; k++)
            {
                char c = s[p + k];
                if (c is < '0' or > '9')
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            p += count;
            return true;
        }

        if (generalized)
        {
            if (!Digits(4, out year))
            {
                return false;
            }
        }
        else
        {
            if (!Digits(2, out year))
            {
                return false;
            }

            year += year < 50 ? 2000 : 1900;
        }

        if (!Digits(2, out month) || !Digits(2, out day) || !Digits(2, out hour) || !Digits(2, out minute))
        {
            return false;
        }

        if (p < s.Length && s[p] is >= '0' and <= '9' && !Digits(2, out second))
        {
            return false;
        }

        if (generalized && p < s.Length && s[p] == '.')
        {
            int f = p + 1;
            while (f < s.Length && s[f] is >= '0' and <= '9')
            {
                f++;
            }

            if (f == p + 1)
            {
                return false;
            }

            fraction = s.Substring(p, f - p);
            p = f;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, Math.Min(9999, year)), month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        if (p < s.Length && s[p] == 'Z')
        {
            return p + 1 == s.Length;
        }

        if (p < s.Length && s[p] is '+' or '-' && p + 5 == s.Length)
        {
            int sign = s[p] == '+' ? -1 : 1;
            p++;
            if (!Digits(2, out int oh) || !Digits(2, out int om) || oh > 12 || om > 59)
            {
                return false;
            }

            if (year < 1)
            {
                return false;
            }

            DateTime t;
            try
            {
                t = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddMinutes(sign * ((oh * 60) + om));
            }
            catch (ArgumentOutOfRangeException)
            {
                return false;
            }

            year = t.Year;
            month = t.Month;
            day = t.Day;
            hour = t.Hour;
            minute = t.Minute;
            second = t.Second;
            return true;
        }

        return false;
    }
}
