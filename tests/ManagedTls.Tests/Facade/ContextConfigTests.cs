using System.Globalization;
using ManagedTls.Ssl;
using ManagedTls.X509;

namespace ManagedTls.Tests.Facade;

/// <summary>SslContext settings against Python 3.11 with OpenSSL 3.0: recorded answers, then the live python3.</summary>
public class ContextConfigTests
{
    // python3 -c "import ssl; c = ssl.SSLContext(p); print(p, hex(c.options), int(c.minimum_version), int(c.maximum_version),
    //   int(c.verify_mode), c.check_hostname, hex(c.verify_flags), c.hostname_checks_common_name, c.num_tickets,
    //   c.post_handshake_auth, c.keylog_filename, c.security_level)"
    private const string RecordedDefaults =
        "2 0x82520050 771 -1 0 False 0x8000 True 2 False None 2\n" +
        "16 0x82520050 771 -1 2 True 0x8000 True 2 False None 2\n" +
        "17 0x82520050 771 -1 0 False 0x8000 True 2 False None 2";

    private const string DefaultsScript =
        "import ssl, warnings\nwarnings.simplefilter('ignore')\n" +
        "for p in (ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER):\n" +
        "    c = ssl.SSLContext(p)\n" +
        "    print(int(p), hex(c.options), int(c.minimum_version), int(c.maximum_version), int(c.verify_mode), c.check_hostname, " +
        "hex(c.verify_flags), c.hostname_checks_common_name, c.num_tickets, c.post_handshake_auth, c.keylog_filename, c.security_level)";

    // The same rules driven through Python: each line is one step's outcome.
    private const string RecordedRules =
        "ValueError Cannot set verify_mode to CERT_NONE when check_hostname is enabled.\n" +
        "2\n" +
        "1\n" +
        "ValueError SSLContext is not a server context.\n" +
        "ValueError SSLContext is not a server context.\n" +
        "ValueError value must be non-negative\n" +
        "0\n" +
        "ValueError sni_callback cannot be set on TLS_CLIENT context\n" +
        "768 769 770 772 769\n" +
        "ValueError Unsupported TLS/SSL version 0x5\n" +
        "ValueError invalid value for verify_mode";

    private const string RulesScript =
        "import ssl, warnings\nwarnings.simplefilter('ignore')\n" +
        "def t(f):\n" +
        "    try: f()\n" +
        "    except Exception as e: print(type(e).__name__, e)\n" +
        "c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n" +
        "t(lambda: setattr(c, 'verify_mode', ssl.CERT_NONE))\n" +
        "c.check_hostname = False; c.verify_mode = ssl.CERT_NONE; c.check_hostname = True; print(int(c.verify_mode))\n" +
        "c.verify_mode = ssl.CERT_OPTIONAL; c.check_hostname = True; print(int(c.verify_mode))\n" +
        "t(lambda: setattr(c, 'num_tickets', 3))\n" +
        "t(lambda: setattr(ssl.SSLContext(ssl.PROTOCOL_TLS), 'num_tickets', 3))\n" +
        "s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n" +
        "t(lambda: setattr(s, 'num_tickets', -1))\n" +
        "s.num_tickets = 0; print(s.num_tickets)\n" +
        "t(lambda: setattr(c, 'sni_callback', None))\n" +
        "v = []\n" +
        "for x in (ssl.TLSVersion.SSLv3, ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.MAXIMUM_SUPPORTED):\n" +
        "    c.minimum_version = x; v.append(int(c.minimum_version))\n" +
        "c.maximum_version = ssl.TLSVersion.MINIMUM_SUPPORTED; v.append(int(c.maximum_version)); print(*v)\n" +
        "t(lambda: setattr(c, 'minimum_version', 5))\n" +
        "t(lambda: setattr(c, 'verify_mode', 5))";

    [Theory]
#pragma warning disable CS0618 // ssl.PROTOCOL_TLS is deprecated: this test is about it.
    [InlineData(SslProtocol.Tls)]
#pragma warning restore CS0618
    [InlineData(SslProtocol.TlsClient)]
    [InlineData(SslProtocol.TlsServer)]
    public void DefaultsMatchRecordedPython(SslProtocol protocol)
    {
        string line = RecordedDefaults.Split('\n').Single(l => l.StartsWith(((int)protocol).ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal));
        Assert.Equal(line, Describe(new SslContext(protocol)));
    }

    [Fact]
    public void DefaultsMatchLivePython()
    {
#pragma warning disable CS0618 // ssl.PROTOCOL_TLS is deprecated: this test is about it.
        string expected = string.Join("\n", new[] { SslProtocol.Tls, SslProtocol.TlsClient, SslProtocol.TlsServer }.Select(p => Describe(new SslContext(p))));
#pragma warning restore CS0618
        Assert.Equal(RecordedDefaults, expected);
        Assert.Equal(RecordedDefaults, PythonOracle.Run(DefaultsScript)!.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void RulesMatchRecordedAndLivePython()
    {
        Assert.Equal(RecordedRules, RunRules());
        Assert.Equal(RecordedRules, PythonOracle.Run(RulesScript)!.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void CheckHostnameOnWithCertNoneSwitchesToRequired()
    {
        var c = new SslContext(SslProtocol.TlsServer);
        Assert.Equal(VerifyMode.CertNone, c.VerifyMode);
        c.CheckHostname = true;
        Assert.Equal(VerifyMode.CertRequired, c.VerifyMode);
        c.CheckHostname = false;
        c.VerifyMode = VerifyMode.CertNone;
        Assert.False(c.CheckHostname);
    }

    [Fact]
    public void OptionsCanBeSetAndCleared()
    {
        var c = new SslContext(SslProtocol.TlsClient);
        c.Options = SslOptions.None;
        Assert.Equal(SslOptions.None, c.Options);
        c.Options |= SslOptions.NoTlsV1_2 | SslOptions.NoTlsV1_3;
        Assert.Equal(0x28000000L, (long)c.Options);
    }

    [Fact]
    public void VerifyFlagsAndCommonNameSettingsRoundTrip()
    {
        var c = new SslContext(SslProtocol.TlsClient);
        Assert.Equal(VerifyFlags.VerifyX509TrustedFirst, c.VerifyFlags);
        c.VerifyFlags |= VerifyFlags.VerifyX509Strict;
        Assert.Equal(0x8020, (int)c.VerifyFlags);
        c.HostnameChecksCommonName = false;
        Assert.False(c.HostnameChecksCommonName);
        c.PostHandshakeAuth = true;
        Assert.True(c.PostHandshakeAuth);
    }

    // python3: [(k, getattr(ssl, k)) for k in dir(ssl) if k.startswith('HAS_')]
    private const string RecordedHas =
        "HAS_ALPN True\nHAS_ECDH True\nHAS_NEVER_CHECK_COMMON_NAME True\nHAS_NPN False\nHAS_SNI True\nHAS_SSLv2 False\n" +
        "HAS_SSLv3 False\nHAS_TLSv1 True\nHAS_TLSv1_1 True\nHAS_TLSv1_2 True\nHAS_TLSv1_3 True";

    [Fact]
    public void HasConstantsMatchPythonExceptOldVersions()
    {
        string ours = string.Join("\n", new (string, bool)[]
        {
            ("HAS_ALPN", Ssl.Ssl.HasAlpn), ("HAS_ECDH", Ssl.Ssl.HasEcdh), ("HAS_NEVER_CHECK_COMMON_NAME", Ssl.Ssl.HasNeverCheckCommonName),
            ("HAS_NPN", Ssl.Ssl.HasNpn), ("HAS_SNI", Ssl.Ssl.HasSni), ("HAS_SSLv2", Ssl.Ssl.HasSslV2), ("HAS_SSLv3", Ssl.Ssl.HasSslV3),
            ("HAS_TLSv1", Ssl.Ssl.HasTlsV1), ("HAS_TLSv1_1", Ssl.Ssl.HasTlsV1_1), ("HAS_TLSv1_2", Ssl.Ssl.HasTlsV1_2), ("HAS_TLSv1_3", Ssl.Ssl.HasTlsV1_3),
        }.Select(p => p.Item1 + " " + (p.Item2 ? "True" : "False")));

        // Deliberate difference: this library never speaks TLS 1.0 or 1.1, so it says so.
        string expected = RecordedHas.Replace("HAS_TLSv1 True", "HAS_TLSv1 False", StringComparison.Ordinal)
            .Replace("HAS_TLSv1_1 True", "HAS_TLSv1_1 False", StringComparison.Ordinal);
        Assert.Equal(expected, ours);
        string live = PythonOracle.Run("import ssl\nfor k in sorted(k for k in dir(ssl) if k.startswith('HAS_')): print(k, getattr(ssl, k))")!;
        Assert.Equal(RecordedHas, live.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void NpnIsNotSupported()
    {
        var c = new SslContext(SslProtocol.TlsClient);
        Assert.Throws<NotSupportedException>(() => c.SetNpnProtocols(new[] { "h2" }));
        Assert.Equal("AttributeError", PythonOracle.Run(
            "import ssl\ntry: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_npn_protocols(['h2'])\nexcept Exception as e: print(type(e).__name__)"));
    }

    [Fact]
    public void KeylogFilenameOpensLikePython()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mtls-keylog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var c = new SslContext(SslProtocol.TlsClient);
            Assert.Null(c.KeylogFilename);
            Assert.Throws<FileNotFoundException>(() => c.KeylogFilename = Path.Combine(dir, "missing", "k.txt"));
            Assert.Throws<FileNotFoundException>(() => c.KeylogFilename = string.Empty);
            Assert.Throws<IOException>(() => c.KeylogFilename = dir);
            Assert.Null(c.KeylogFilename);
            string ours = Path.Combine(dir, "ours.txt");
            c.KeylogFilename = ours;
            c.KeylogFilename = ours;
            Assert.Equal(ours, c.KeylogFilename);
            string theirs = Path.Combine(dir, "theirs.txt");
            PythonOracle.Run($"import ssl\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.keylog_filename = {Py(theirs)}\nc.keylog_filename = {Py(theirs)}");
            Assert.Equal(File.ReadAllText(theirs), File.ReadAllText(ours));
            Assert.Equal("# TLS secrets log file, generated by OpenSSL / Python\n", File.ReadAllText(ours));
            c.KeylogFilename = null;
            Assert.Null(c.KeylogFilename);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SniCallbackAcceptedOnServerAndEitherSide()
    {
        SniCallback cb = (_, _, _) => null;
        var server = new SslContext(SslProtocol.TlsServer) { SniCallback = cb };
        Assert.Same(cb, server.SniCallback);
#pragma warning disable CS0618 // ssl.PROTOCOL_TLS is deprecated: this test is about it.
        var either = new SslContext(SslProtocol.Tls) { SniCallback = cb };
#pragma warning restore CS0618
        Assert.Same(cb, either.SniCallback);
        either.SniCallback = null;
        Assert.Null(either.SniCallback);
        Assert.Equal("ok", PythonOracle.Run(
            "import ssl, warnings\nwarnings.simplefilter('ignore')\nssl.SSLContext(ssl.PROTOCOL_TLS).sni_callback = lambda *a: None\n" +
            "ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).sni_callback = lambda *a: None\nprint('ok')"));
    }

    [Fact]
    public void CreateDefaultMatchesPython()
    {
        // python3: d = ssl.create_default_context(purpose); print(int(d.protocol), int(d.verify_mode), d.check_hostname, hex(d.options), hex(d.verify_flags), d.cert_store_stats()['x509'] > 0)
        const string recorded = "16 2 True 0x82520050 0x8000 True\n17 0 False 0x82520050 0x8000 False";
        string Line(SslContext d) => string.Join(" ", (int)d.Protocol, (int)d.VerifyMode, d.CheckHostname ? "True" : "False",
            Hex((long)d.Options), Hex((long)d.VerifyFlags), d.CertStoreStats().X509 > 0 ? "True" : "False");
        string ours = Line(SslContext.CreateDefault()) + "\n" + Line(SslContext.CreateDefault(Purpose.ClientAuth));
        Assert.Equal(recorded, ours);
        string live = PythonOracle.Run(
            "import ssl\nfor p in (ssl.Purpose.SERVER_AUTH, ssl.Purpose.CLIENT_AUTH):\n    d = ssl.create_default_context(p)\n" +
            "    print(int(d.protocol), int(d.verify_mode), d.check_hostname, hex(d.options), hex(d.verify_flags), d.cert_store_stats()['x509'] > 0)")!;
        Assert.Equal(recorded, live.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void CreateDefaultLoadsGivenCaInsteadOfSystem()
    {
        string dir = FacadeKeys.WriteFiles();
        try
        {
            var d = SslContext.CreateDefault(Purpose.ServerAuth, Path.Combine(dir, "cert.pem"));
            Assert.Equal(1, d.CertStoreStats().X509);
            var s = SslContext.CreateDefault(Purpose.ClientAuth, cadata: FacadeKeys.Certificate);
            Assert.Equal(1, s.CertStoreStats().X509);
            Assert.Throws<ArgumentOutOfRangeException>(() => SslContext.CreateDefault((Purpose)7));
            string live = PythonOracle.Run($"import ssl\nprint(ssl.create_default_context(cafile={Py(Path.Combine(dir, "cert.pem"))}).cert_store_stats()['x509'])")!;
            Assert.Equal("1", live);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    internal static string Py(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string Hex(long v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);

    private static string Describe(SslContext c) => string.Join(" ",
        (int)c.Protocol, Hex((long)c.Options), (int)c.MinimumVersion, (int)c.MaximumVersion, (int)c.VerifyMode,
        c.CheckHostname ? "True" : "False", Hex((long)c.VerifyFlags), c.HostnameChecksCommonName ? "True" : "False", c.NumTickets,
        c.PostHandshakeAuth ? "True" : "False", c.KeylogFilename ?? "None", c.SecurityLevel);

    private static string RunRules()
    {
        var lines = new List<string>();
        void T(Action a)
        {
            try
            {
                a();
            }
            catch (ArgumentException e)
            {
                lines.Add("ValueError " + e.Message);
            }
        }

        var c = new SslContext(SslProtocol.TlsClient);
        T(() => c.VerifyMode = VerifyMode.CertNone);
        c.CheckHostname = false;
        c.VerifyMode = VerifyMode.CertNone;
        c.CheckHostname = true;
        lines.Add(((int)c.VerifyMode).ToString(CultureInfo.InvariantCulture));
        c.VerifyMode = VerifyMode.CertOptional;
        c.CheckHostname = true;
        lines.Add(((int)c.VerifyMode).ToString(CultureInfo.InvariantCulture));
        T(() => c.NumTickets = 3);
#pragma warning disable CS0618 // ssl.PROTOCOL_TLS is deprecated: this test is about it.
        T(() => new SslContext(SslProtocol.Tls).NumTickets = 3);
#pragma warning restore CS0618
        var s = new SslContext(SslProtocol.TlsServer);
        T(() => s.NumTickets = -1);
        s.NumTickets = 0;
        lines.Add(s.NumTickets.ToString(CultureInfo.InvariantCulture));
        T(() => c.SniCallback = null);
        var v = new List<int>();
        foreach (TlsVersion x in new[] { TlsVersion.SslV3, TlsVersion.TlsV1, TlsVersion.TlsV1_1, TlsVersion.MaximumSupported })
        {
            c.MinimumVersion = x;
            v.Add((int)c.MinimumVersion);
        }

        c.MaximumVersion = TlsVersion.MinimumSupported;

        // Deliberate difference: MINIMUM_SUPPORTED as a maximum reads back as our lowest version (TLS 1.2, 771), Python's is TLS 1.0 (769).
        v.Add((int)c.MaximumVersion == 771 ? 769 : (int)c.MaximumVersion);
        lines.Add(string.Join(" ", v));
        T(() => c.MinimumVersion = (TlsVersion)5);
        T(() => c.VerifyMode = (VerifyMode)5);
        return string.Join("\n", lines);
    }
}
