using System.Globalization;
using System.Text;
using ManagedTls.CipherSuites;

namespace ManagedTls.Cli;

/// <summary>
/// <c>managedtls ciphers [-v] [-V] [-s] [-tls1] [-tls1_1] [-tls1_2] [-tls1_3] [-stdname] [-ciphersuites LIST]
/// [-convert NAME] [CIPHERSTRING]</c>: lists the suites a cipher string selects, printed exactly as
/// <c>openssl ciphers</c> prints them (only the suites this library implements appear).
/// </summary>
internal static class CiphersCommand
{
    public const string UsageText =
        "usage: managedtls ciphers [-v] [-V] [-s] [-tls1] [-tls1_1] [-tls1_2] [-tls1_3] [-stdname] [-ciphersuites LIST] [-convert NAME] [CIPHERSTRING]";

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command with explicit output writers (used by the tests).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = Parse(args);
        if (options.Help)
        {
            stdout.WriteLine(UsageText);
            return 0;
        }

        if (options.Convert is not null)
        {
            var suite = CipherSuiteRegistry.FindByIanaName(options.Convert);
            stdout.WriteLine($"OpenSSL cipher name: {suite?.OpenSslName ?? "(NONE)"}");
            return 0;
        }

        IReadOnlyList<CipherSuiteInfo> tls13;
        try
        {
            tls13 = options.Tls13List is null ? Tls13CipherSuiteList.Default : Tls13CipherSuiteList.Parse(options.Tls13List);
        }
        catch (CipherStringException e)
        {
            stderr.WriteLine("Error setting TLSv1.3 ciphersuites");
            stderr.WriteLine(e.Message);
            return 1;
        }

        CipherStringResult tls12;
        try
        {
            tls12 = CipherString.Parse(options.CipherString ?? "DEFAULT");
        }
        catch (CipherStringException e)
        {
            stderr.WriteLine("Error in cipher list");
            stderr.WriteLine(e.Message);
            return 1;
        }

        IEnumerable<CipherSuiteInfo> list = tls13.Concat(tls12.Suites);
        if (options.SupportedOnly)
        {
            int level = tls12.SecurityLevel ?? SecurityLevel.OpenSslDefault;
            list = list.Where(s => VersionAllows(s, options.MinVersion, options.MaxVersion) && SecurityLevel.Allows(s, level));
        }

        stdout.Write(Format(list.ToList(), options.Verbose, options.ShowIds, options.StandardNames));
        return 0;
    }

    /// <summary>The listing as <c>openssl ciphers</c> prints it.</summary>
    internal static string Format(IReadOnlyList<CipherSuiteInfo> list, bool verbose, bool showIds, bool standardNames)
    {
        var sb = new StringBuilder();
        if (!verbose)
        {
            sb.Append(string.Join(":", list.Select(s => s.OpenSslName))).Append('\n');
            return sb.ToString();
        }

        foreach (var s in list)
        {
            if (showIds)
            {
                sb.Append(CultureInfo.InvariantCulture, $"          0x{s.Code >> 8:X2},0x{s.Code & 0xFF:X2} - ");
            }

            if (standardNames)
            {
                sb.Append(s.IanaName.PadRight(45)).Append(" - ");
            }

            sb.Append(s.Description).Append('\n');
        }

        return sb.ToString();
    }

    // OpenSSL keeps a suite when its version span [min_tls, max_tls] meets the configured range.
    private static bool VersionAllows(CipherSuiteInfo s, OsslVersion min, OsslVersion max)
    {
        OsslVersion suiteMax = s.IsTls13 ? OsslVersion.Tls13 : OsslVersion.Tls12;
        return s.OpenSslMinVersion <= max && suiteMax >= min;
    }

    private static Options Parse(string[] args)
    {
        var o = new Options();
        bool positionalOnly = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (positionalOnly || a == "--")
            {
                if (a == "--" && !positionalOnly)
                {
                    positionalOnly = true;
                    continue;
                }

                SetCipherString(o, a);
                continue;
            }

            switch (a)
            {
                case "-v":
                    o.Verbose = true;
                    break;
                case "-V":
                    o.Verbose = true;
                    o.ShowIds = true;
                    break;
                case "-s":
                    o.SupportedOnly = true;
                    break;
                case "-stdname":
                    // As in OpenSSL, standard names are shown in the verbose listing, which -stdname turns on.
                    o.Verbose = true;
                    o.StandardNames = true;
                    break;
                case "-tls1":
                    o.MinVersion = o.MaxVersion = OsslVersion.Tls1;
                    break;
                case "-tls1_1":
                    // TLS 1.1 adds no suite: for the version test it behaves as TLS 1.0.
                    o.MinVersion = o.MaxVersion = OsslVersion.Tls1;
                    break;
                case "-tls1_2":
                    o.MinVersion = o.MaxVersion = OsslVersion.Tls12;
                    break;
                case "-tls1_3":
                    o.MinVersion = o.MaxVersion = OsslVersion.Tls13;
                    break;
                case "-ciphersuites":
                    o.Tls13List = Value(args, ref i, a);
                    break;
                case "-convert":
                    o.Convert = Value(args, ref i, a);
                    break;
                case "-help" or "-h" or "--help":
                    o.Help = true;
                    break;
                default:
                    if (a.StartsWith('-') && a.Length > 1)
                    {
                        throw new UsageException($"unknown option {a}\n{UsageText}");
                    }

                    SetCipherString(o, a);
                    break;
            }
        }

        return o;
    }

    private static void SetCipherString(Options o, string a)
    {
        if (o.CipherString is not null)
        {
            throw new UsageException($"extra argument {a}\n{UsageText}");
        }

        o.CipherString = a;
    }

    private static string Value(string[] args, ref int i, string option)
    {
        if (i + 1 >= args.Length)
        {
            throw new UsageException($"{option} needs a value\n{UsageText}");
        }

        return args[++i];
    }

    private sealed class Options
    {
        public bool Verbose { get; set; }

        public bool ShowIds { get; set; }

        public bool SupportedOnly { get; set; }

        public bool StandardNames { get; set; }

        public bool Help { get; set; }

        public OsslVersion MinVersion { get; set; } = OsslVersion.Tls1;

        public OsslVersion MaxVersion { get; set; } = OsslVersion.Tls13;

        public string? Tls13List { get; set; }

        public string? Convert { get; set; }

        public string? CipherString { get; set; }
    }
}
