using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ManagedTls.X509.Store;

namespace ManagedTls.Ssl;

/// <summary>
/// Module-level functions and constants of Python's <c>ssl</c> module. Python's exceptions map to .NET ones:
/// <c>ValueError</c> (and its subclasses <c>binascii.Error</c>, <c>UnicodeEncodeError</c>) →
/// <see cref="ArgumentException"/> with Python's message; <c>TypeError</c> → <see cref="ArgumentException"/>
/// (<see cref="ArgumentNullException"/> for <c>None</c>); <c>SSLError</c> → <see cref="SslException"/>;
/// <c>FileNotFoundError</c> → <see cref="FileNotFoundException"/>; other <c>OSError</c>s → <see cref="IOException"/>.
/// </summary>
public static partial class Ssl
{
    /// <summary>Python's <c>ssl.PEM_HEADER</c>.</summary>
    public const string PemHeader = "-----BEGIN CERTIFICATE-----";

    /// <summary>Python's <c>ssl.PEM_FOOTER</c>.</summary>
    public const string PemFooter = "-----END CERTIFICATE-----";

    /// <summary>Python's <c>HAS_ALPN</c>: application-layer protocol negotiation is supported.</summary>
    public const bool HasAlpn = true;

    /// <summary>Python's <c>HAS_NPN</c>: next protocol negotiation is not supported (see <see cref="SslContext.SetNpnProtocols"/>).</summary>
    public const bool HasNpn = false;

    /// <summary>Python's <c>HAS_SNI</c>: server name indication is supported.</summary>
    public const bool HasSni = true;

    /// <summary>Python's <c>HAS_ECDH</c>: elliptic-curve Diffie-Hellman key exchange is supported.</summary>
    public const bool HasEcdh = true;

    /// <summary>Python's <c>HAS_NEVER_CHECK_COMMON_NAME</c>: <see cref="SslContext.HostnameChecksCommonName"/> can be turned off.</summary>
    public const bool HasNeverCheckCommonName = true;

    /// <summary>Python's <c>HAS_SSLv2</c>: false.</summary>
    public const bool HasSslV2 = false;

    /// <summary>Python's <c>HAS_SSLv3</c>: false.</summary>
    public const bool HasSslV3 = false;

    /// <summary>Python's <c>HAS_TLSv1</c>: false, because this library never speaks TLS 1.0 (Python with OpenSSL 3 says true).</summary>
    public const bool HasTlsV1 = false;

    /// <summary>Python's <c>HAS_TLSv1_1</c>: false, because this library never speaks TLS 1.1 (Python with OpenSSL 3 says true).</summary>
    public const bool HasTlsV1_1 = false;

    /// <summary>Python's <c>HAS_TLSv1_2</c>: true.</summary>
    public const bool HasTlsV1_2 = true;

    /// <summary>Python's <c>HAS_TLSv1_3</c>: true.</summary>
    public const bool HasTlsV1_3 = true;

    private const string TimeFormat = " %d %H:%M:%S %Y GMT";

    private static readonly string[] Months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

    // The regular expression Python's time.strptime builds for " %d %H:%M:%S %Y GMT" (white space runs become \s+,
    // matched case-insensitively from the start of the text).
    private static readonly Regex TimePattern = new(
        @"\G\s+(?<d>3[01]|[12]\d|0[1-9]|[1-9]| [1-9])\s+(?<H>2[0-3]|[0-1]\d|\d):(?<M>[0-5]\d|\d):(?<S>6[0-1]|[0-5]\d|\d)\s+(?<Y>\d\d\d\d)\s+GMT",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>
    /// Python's <c>ssl.cert_time_to_seconds</c>: seconds since the epoch for a certificate time in OpenSSL's text
    /// form (<c>"Jan  5 09:34:43 2018 GMT"</c>, as <c>notBefore</c>/<c>notAfter</c> in <c>getpeercert()</c>).
    /// Month names are matched without regard to case; the day may overflow the month as Python lets it
    /// (<c>Feb 31</c> is March 2 or 3); seconds 60 and 61 are accepted.
    /// </summary>
    /// <param name="certTime">The time text.</param>
    /// <returns>Seconds since 1970-01-01 00:00:00 UTC (negative before).</returns>
    /// <exception cref="ArgumentException">Python's <c>ValueError</c>, with its message.</exception>
    public static long CertTimeToSeconds(string certTime)
    {
        if (certTime is null)
        {
            throw new ArgumentNullException(nameof(certTime));
        }

        string head = PythonTitle(certTime.Length <= 3 ? certTime : certTime.Substring(0, 3));
        int month = Array.IndexOf(Months, head) + 1;
        if (month == 0)
        {
            throw new ArgumentException($"time data {PythonText.Repr(certTime)} does not match format \"%b{TimeFormat}\"");
        }

        string rest = certTime.Length <= 3 ? string.Empty : certTime.Substring(3);
        Match m = TimePattern.Match(rest);
        if (!m.Success)
        {
            throw new ArgumentException($"time data {PythonText.Repr(rest)} does not match format {PythonText.Repr(TimeFormat)}");
        }

        if (m.Length != rest.Length)
        {
            throw new ArgumentException("unconverted data remains: " + rest.Substring(m.Length));
        }

        long year = Number(m.Groups["Y"].Value);
        if (year == 0)
        {
            throw new ArgumentException("year 0 is out of range");
        }

        long day = Number(m.Groups["d"].Value);
        long days = DaysFromCivil(year, month) + day - 1;
        return (((((days * 24) + Number(m.Groups["H"].Value)) * 60) + Number(m.Groups["M"].Value)) * 60) + Number(m.Groups["S"].Value);
    }

    /// <summary>
    /// Python's <c>ssl.DER_cert_to_PEM_cert</c>: the header line, base64 in 64-character lines, the footer
    /// and a final newline, lines separated by <c>\n</c>.
    /// </summary>
    /// <param name="derCertBytes">DER bytes (not checked to be a certificate, as in Python).</param>
    /// <returns>The PEM text.</returns>
    public static string DerCertToPemCert(byte[] derCertBytes)
    {
        if (derCertBytes is null)
        {
            throw new ArgumentNullException(nameof(derCertBytes));
        }

        return X509.Store.PemWriter.Encode("CERTIFICATE", derCertBytes);
    }

    /// <summary>
    /// Python's <c>ssl.PEM_cert_to_DER_cert</c>: the text must start with <see cref="PemHeader"/> (no leading
    /// white space) and end, after white space, with <see cref="PemFooter"/>; the body is decoded as Python's
    /// lenient <c>base64.decodebytes</c> does (characters outside the alphabet skipped, decoding stops at
    /// complete padding).
    /// </summary>
    /// <param name="pemCertString">The PEM text.</param>
    /// <returns>The DER bytes.</returns>
    /// <exception cref="ArgumentException">Python's <c>ValueError</c>, <c>binascii.Error</c> or <c>UnicodeEncodeError</c>, with its message.</exception>
    public static byte[] PemCertToDerCert(string pemCertString)
    {
        if (pemCertString is null)
        {
            throw new ArgumentNullException(nameof(pemCertString));
        }

        if (!pemCertString.StartsWith(PemHeader, StringComparison.Ordinal))
        {
            throw new ArgumentException("Invalid PEM encoding; must start with " + PemHeader);
        }

        string stripped = PythonStrip(pemCertString);
        if (!stripped.EndsWith(PemFooter, StringComparison.Ordinal))
        {
            throw new ArgumentException("Invalid PEM encoding; must end with " + PemFooter);
        }

        int bodyLength = Math.Max(0, stripped.Length - PemHeader.Length - PemFooter.Length);
        string body = stripped.Length >= PemHeader.Length + PemFooter.Length
            ? stripped.Substring(PemHeader.Length, bodyLength)
            : string.Empty;
        int position = 0;
        for (int i = 0; i < body.Length; i++, position++)
        {
            if (body[i] > 0x7f)
            {
                int cp = char.IsHighSurrogate(body[i]) && i + 1 < body.Length && char.IsLowSurrogate(body[i + 1])
                    ? char.ConvertToUtf32(body[i], body[i + 1])
                    : body[i];
                string escaped = cp <= 0xff ? $"\\x{cp:x2}" : cp <= 0xffff ? $"\\u{cp:x4}" : $"\\U{cp:x8}";
                throw new ArgumentException(
                    $"'ascii' codec can't encode character '{escaped}' in position {position}: ordinal not in range(128)");
            }
        }

        return PythonBase64Decode(body);
    }

    /// <summary>
    /// Python's <c>ssl.get_default_verify_paths()</c>: <c>cafile</c>/<c>capath</c> are the environment variables'
    /// values when set, else the built-in defaults, each null unless it names an existing file/directory.
    /// The built-in defaults are <see cref="SystemTrustLocations.DefaultBundleFile"/> (the first of the usual
    /// distribution bundles that exists) and <see cref="SystemTrustLocations.DefaultCertDirectory"/>.
    /// </summary>
    /// <returns>The six fields of Python's <c>DefaultVerifyPaths</c>.</returns>
    public static DefaultVerifyPaths GetDefaultVerifyPaths()
    {
        string openSslCafile = SystemTrustLocations.DefaultBundleFile;
        string openSslCapath = SystemTrustLocations.DefaultCertDirectory;
        string cafile = Environment.GetEnvironmentVariable(SystemTrustLocations.CertFileEnvironmentVariable) ?? openSslCafile;
        string capath = Environment.GetEnvironmentVariable(SystemTrustLocations.CertDirEnvironmentVariable) ?? openSslCapath;
        return new DefaultVerifyPaths(
            File.Exists(cafile) ? cafile : null,
            Directory.Exists(capath) ? capath : null,
            SystemTrustLocations.CertFileEnvironmentVariable,
            openSslCafile,
            SystemTrustLocations.CertDirEnvironmentVariable,
            openSslCapath);
    }

    /// <summary>
    /// Python's <c>ssl.CHANNEL_BINDING_TYPES</c>: <c>["tls-unique"]</c>, the types <c>get_channel_binding</c> knows in
    /// Python. <see cref="Connection.TlsConnection.ChannelBindingTypes"/> also lists the .NET extra "tls-exporter" (RFC 9266).
    /// </summary>
    public static IReadOnlyList<string> ChannelBindingTypes { get; } = ["tls-unique"];

    /// <summary>
    /// In the place of Python's <c>ssl.OPENSSL_VERSION</c>: this library's name and version ("ManagedTls 1.0.0"), not
    /// an OpenSSL's, since no OpenSSL is used. The version is the ManagedTls assembly's (major.minor.build).
    /// </summary>
    public static string OpenSslVersion { get; } = string.Format(
        CultureInfo.InvariantCulture, "ManagedTls {0}.{1}.{2}", AssemblyVersion.Major, AssemblyVersion.Minor, Math.Max(AssemblyVersion.Build, 0));

    /// <summary>
    /// In the place of Python's <c>ssl.OPENSSL_VERSION_NUMBER</c>: the ManagedTls assembly version in OpenSSL 3's layout
    /// <c>0xMNN00PPS</c> (major, minor, patch = the assembly's build number, status 0 for a release), not an OpenSSL's.
    /// </summary>
    public static long OpenSslVersionNumber { get; } =
        ((long)(AssemblyVersion.Major & 0xF) << 28) | ((long)(AssemblyVersion.Minor & 0xFF) << 20) | ((long)(Math.Max(AssemblyVersion.Build, 0) & 0xFF) << 4);

    /// <summary>
    /// In the place of Python's <c>ssl.OPENSSL_VERSION_INFO</c>: <see cref="OpenSslVersionNumber"/> taken apart as
    /// Python takes OpenSSL's number apart, so (major, minor, 0, patch, 0) of the ManagedTls assembly, not an OpenSSL's.
    /// </summary>
    public static (int Major, int Minor, int Fix, int Patch, int Status) OpenSslVersionInfo { get; } = VersionInfo(OpenSslVersionNumber);

    private static Version AssemblyVersion => typeof(Ssl).Assembly.GetName().Version ?? new Version(0, 0, 0);

    /// <summary>
    /// Python's <c>ssl.get_protocol_name</c>: the name of a <c>PROTOCOL_*</c> constant ("PROTOCOL_TLS_CLIENT");
    /// <see cref="SslProtocol.SslV23"/> is <c>"PROTOCOL_TLS"</c> (the same value), any other value <c>"&lt;unknown&gt;"</c>.
    /// </summary>
    /// <param name="protocol">The protocol constant.</param>
    /// <returns>Python's name for it.</returns>
    public static string GetProtocolName(SslProtocol protocol) => (int)protocol switch
    {
        2 => "PROTOCOL_TLS",
        3 => "PROTOCOL_TLSv1",
        4 => "PROTOCOL_TLSv1_1",
        5 => "PROTOCOL_TLSv1_2",
        16 => "PROTOCOL_TLS_CLIENT",
        17 => "PROTOCOL_TLS_SERVER",
        _ => "<unknown>",
    };

    /// <summary>
    /// Python's <c>ssl.RAND_bytes(num)</c>: <paramref name="num"/> random bytes from the engine's entropy source
    /// (<see cref="Crypto.OsEntropy"/>, the operating system's generator, which the handshakes use too).
    /// </summary>
    /// <param name="num">How many bytes; 0 gives an empty array, as Python.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ArgumentException">A negative count (Python's <c>ValueError: num must be positive</c>).</exception>
    public static byte[] RandBytes(int num)
    {
        if (num < 0)
        {
            throw new ArgumentException("num must be positive", nameof(num));
        }

        byte[] bytes = new byte[num];
        Crypto.OsEntropy.Instance.GetBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Python's <c>ssl.RAND_status()</c>: true, as the operating system's generator (<see cref="Crypto.OsEntropy"/>) needs
    /// no seeding. The first call draws one byte from it, so a source that cannot deliver throws here.
    /// </summary>
    /// <returns>True.</returns>
    public static bool RandStatus()
    {
        Span<byte> probe = stackalloc byte[1];
        Crypto.OsEntropy.Instance.GetBytes(probe);
        return true;
    }

    /// <summary>An OpenSSL version number taken apart as Python's <c>_ssl</c> does: (major, minor, fix, patch, status).</summary>
    internal static (int Major, int Minor, int Fix, int Patch, int Status) VersionInfo(long number) => (
        (int)(number >> 28) & 0xFF, (int)(number >> 20) & 0xFF, (int)(number >> 12) & 0xFF, (int)(number >> 4) & 0xFF, (int)number & 0xF);

    /// <summary>Days from 1970-01-01 to the first of the month (proleptic Gregorian, any positive year).</summary>
    private static long DaysFromCivil(long year, int month)
    {
        long y = month <= 2 ? year - 1 : year;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yoe = y - (era * 400);
        long mp = (month + 9) % 12;
        long doy = ((153 * mp) + 2) / 5;
        long doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
        return (era * 146097) + doe - 719468;
    }

    /// <summary>Python's <c>int()</c> of a run of decimal digits (any script) with an optional leading space.</summary>
    private static long Number(string digits)
    {
        long value = 0;
        foreach (char c in digits)
        {
            if (c != ' ')
            {
                value = (value * 10) + (long)CharUnicodeInfo.GetNumericValue(c);
            }
        }

        return value;
    }

    /// <summary>Python's <c>str.title()</c> for the three month letters.</summary>
    private static string PythonTitle(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            bool cased = char.IsLetter(c);
            sb.Append(cased ? (previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            previousCased = cased;
        }

        return sb.ToString();
    }

    private static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    private static string PythonStrip(string s)
    {
        int start = 0;
        int end = s.Length;
        while (start < end && IsPythonSpace(s[start]))
        {
            start++;
        }

        while (end > start && IsPythonSpace(s[end - 1]))
        {
            end--;
        }

        return s.Substring(start, end - start);
    }

    /// <summary>Python's non-strict <c>binascii.a2b_base64</c>.</summary>
    private static byte[] PythonBase64Decode(string text)
    {
        var output = new List<byte>(text.Length * 3 / 4);
        int quadPos = 0;
        int leftChar = 0;
        int pads = 0;
        foreach (char ch in text)
        {
            if (ch == '=')
            {
                if (quadPos >= 2 && quadPos + ++pads >= 4)
                {
                    return output.ToArray();
                }

                continue;
            }

            int v = ch switch
            {
                >= 'A' and <= 'Z' => ch - 'A',
                >= 'a' and <= 'z' => ch - 'a' + 26,
                >= '0' and <= '9' => ch - '0' + 52,
                '+' => 62,
                '/' => 63,
                _ => -1,
            };
            if (v < 0)
            {
                continue;
            }

            pads = 0;
            switch (quadPos)
            {
                case 0:
                    quadPos = 1;
                    leftChar = v;
                    break;
                case 1:
                    quadPos = 2;
                    output.Add((byte)((leftChar << 2) | (v >> 4)));
                    leftChar = v & 0x0f;
                    break;
                case 2:
                    quadPos = 3;
                    output.Add((byte)((leftChar << 4) | (v >> 2)));
                    leftChar = v & 0x03;
                    break;
                default:
                    quadPos = 0;
                    output.Add((byte)((leftChar << 6) | v));
                    leftChar = 0;
                    break;
            }
        }

        if (quadPos == 1)
        {
            long count = (output.Count / 3 * 4) + 1;
            throw new ArgumentException(
                $"Invalid base64-encoded string: number of data characters ({count}) cannot be 1 more than a multiple of 4");
        }

        if (quadPos != 0)
        {
            throw new ArgumentException("Incorrect padding");
        }

        return output.ToArray();
    }
}
