using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using ManagedTls.Connection;
using ManagedTls.Ssl;
using SslModule = ManagedTls.Ssl.Ssl;

namespace ManagedTls.Tests.SslFacade;

/// <summary>Python's <c>ssl</c> module constants, by name and value, against the facade's.</summary>
public class PythonModuleConstantsTests
{
    private const string OptionsScript =
        "import ssl\nfor n in sorted(dir(ssl)):\n    if n.startswith('OP_'):\n        print(n, int(getattr(ssl, n)))";

    // Recorded from python3 (3.11, OpenSSL 3.0) with OptionsScript.
    private static readonly Dictionary<string, long> RecordedPython311 = new()
    {
        ["OP_ALL"] = 0x80000050,
        ["OP_CIPHER_SERVER_PREFERENCE"] = 0x400000,
        ["OP_ENABLE_MIDDLEBOX_COMPAT"] = 0x100000,
        ["OP_IGNORE_UNEXPECTED_EOF"] = 0x80,
        ["OP_NO_COMPRESSION"] = 0x20000,
        ["OP_NO_RENEGOTIATION"] = 0x40000000,
        ["OP_NO_SSLv2"] = 0,
        ["OP_NO_SSLv3"] = 0x2000000,
        ["OP_NO_TICKET"] = 0x4000,
        ["OP_NO_TLSv1"] = 0x4000000,
        ["OP_NO_TLSv1_1"] = 0x10000000,
        ["OP_NO_TLSv1_2"] = 0x8000000,
        ["OP_NO_TLSv1_3"] = 0x20000000,
        ["OP_SINGLE_DH_USE"] = 0,
        ["OP_SINGLE_ECDH_USE"] = 0,
    };

    // Python 3.12 adds these two; the values are OpenSSL 3's SSL_OP_BIT(3) and SSL_OP_BIT(2) (ssl.h).
    private static readonly Dictionary<string, long> RecordedPython312Extra = new()
    {
        ["OP_ENABLE_KTLS"] = 0x8,
        ["OP_LEGACY_SERVER_CONNECT"] = 0x4,
    };

    private const string LegacyProtocolsScript = @"
import ssl, warnings
for name in ('PROTOCOL_SSLv23', 'PROTOCOL_TLSv1', 'PROTOCOL_TLSv1_1'):
    p = getattr(ssl, name)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        c = ssl.SSLContext(p)
    c.check_hostname = False
    r = []
    for side in (False, True):
        s = c.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_side=side, server_hostname=None if side else 'x')
        try:
            s.do_handshake()
            r.append('ok')
        except ssl.SSLWantReadError:
            r.append('want-read')
        except ssl.SSLError as e:
            r.append(e.reason)
    try:
        c.minimum_version = ssl.TLSVersion.TLSv1_2
        m = 'ok'
    except ValueError as e:
        m = str(e)
    print('|'.join([name, str(int(p)), str(w[0].message), r[0], r[1], m, str(int(c.maximum_version)), str(int(c.verify_mode)), hex(c.options)]))
";

    // Recorded from python3 (3.11, OpenSSL 3.0, Debian's security level 2) with LegacyProtocolsScript: name, value,
    // DeprecationWarning, client and server do_handshake, setting minimum_version, maximum_version, verify_mode, options.
    private const string RecordedLegacyProtocols =
        "PROTOCOL_SSLv23|2|ssl.PROTOCOL_TLS is deprecated|want-read|want-read|ok|-1|0|0x82520050\n" +
        "PROTOCOL_TLSv1|3|ssl.PROTOCOL_TLSv1 is deprecated|NO_CIPHERS_AVAILABLE|NO_CIPHERS_AVAILABLE|The context's protocol doesn't support modification of highest and lowest version.|-1|0|0x82520050\n" +
        "PROTOCOL_TLSv1_1|4|ssl.PROTOCOL_TLSv1_1 is deprecated|NO_CIPHERS_AVAILABLE|NO_CIPHERS_AVAILABLE|The context's protocol doesn't support modification of highest and lowest version.|-1|0|0x82520050\n";

    private const string FunctionsScript = @"
import json, ssl
try:
    ssl.RAND_bytes(-1)
    neg = 'ok'
except ValueError as e:
    neg = str(e)
print(json.dumps({
    'names': [ssl.get_protocol_name(p) for p in (2, 3, 4, 5, 16, 17, 0, 99)],
    'bindings': ssl.CHANNEL_BINDING_TYPES,
    'number': ssl.OPENSSL_VERSION_NUMBER,
    'info': list(ssl.OPENSSL_VERSION_INFO),
    'status': ssl.RAND_status(),
    'empty': ssl.RAND_bytes(0).hex(),
    'len': len(ssl.RAND_bytes(37)),
    'negative': neg,
}))
";

    // Recorded from python3 (3.11, OpenSSL 3.0.19) with FunctionsScript.
    private const string RecordedFunctions =
        "{\"names\": [\"PROTOCOL_TLS\", \"PROTOCOL_TLSv1\", \"PROTOCOL_TLSv1_1\", \"PROTOCOL_TLSv1_2\", \"PROTOCOL_TLS_CLIENT\", " +
        "\"PROTOCOL_TLS_SERVER\", \"<unknown>\", \"<unknown>\"], \"bindings\": [\"tls-unique\"], \"number\": 805306672, " +
        "\"info\": [3, 0, 0, 19, 0], \"status\": true, \"empty\": \"\", \"len\": 37, \"negative\": \"num must be positive\"}";

    private static readonly Lazy<JsonElement> Functions = new(() =>
        JsonSerializer.Deserialize<JsonElement>(Oracles.Python(FunctionsScript) ?? RecordedFunctions));

    /// <summary>Python's constant name to ours: OP_NO_TLSv1_2 → NoTlsV1_2, OP_SINGLE_DH_USE → SingleDhUse.</summary>
    internal static string DotNetName(string pythonName, string prefix)
    {
        var sb = new StringBuilder();
        foreach (string part in pythonName.Substring(prefix.Length).Split('_'))
        {
            int v = part.IndexOf('v', StringComparison.Ordinal);
            if (part.All(char.IsDigit))
            {
                sb.Append('_').Append(part);
            }
            else if (v > 0 && part.Substring(v + 1).All(char.IsDigit))
            {
                sb.Append(Title(part.Substring(0, v))).Append('V').Append(part.Substring(v + 1));
            }
            else
            {
                sb.Append(Title(part));
            }
        }

        return sb.ToString();

        static string Title(string s) => char.ToUpperInvariant(s[0]) + s.Substring(1).ToLowerInvariant();
    }

    private static Dictionary<string, long> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));

    private static void AssertAllOptionsMatch(Dictionary<string, long> python)
    {
        Assert.NotEmpty(python);
        foreach ((string name, long value) in python)
        {
            string ours = DotNetName(name, "OP_");
            FieldInfo? field = typeof(SslOptions).GetField(ours, BindingFlags.Public | BindingFlags.Static);
            Assert.True(field is not null, $"{name}: no SslOptions.{ours}");
            Assert.True(value == (long)(SslOptions)field!.GetValue(null)!, $"{name} = {value:x}, SslOptions.{ours} differs");
        }
    }

    [Theory]
    [InlineData("OP_NO_TLSv1_2", "NoTlsV1_2")]
    [InlineData("OP_NO_SSLv2", "NoSslV2")]
    [InlineData("OP_NO_TLSv1", "NoTlsV1")]
    [InlineData("OP_SINGLE_ECDH_USE", "SingleEcdhUse")]
    [InlineData("OP_ENABLE_KTLS", "EnableKtls")]
    [InlineData("OP_ALL", "All")]
    public void NameMappingFollowsTheFacadesSpelling(string python, string ours) => Assert.Equal(ours, DotNetName(python, "OP_"));

    [Fact]
    public void EveryRecordedPythonOptionHasOurMemberWithItsValue()
    {
        AssertAllOptionsMatch(RecordedPython311);
        AssertAllOptionsMatch(RecordedPython312Extra);
    }

    [Fact]
    public void EveryLivePythonOptionHasOurMemberWithItsValue()
    {
        // Without python3 the recorded answer stands in for the live one.
        string? live = Oracles.Python(OptionsScript);
        Dictionary<string, long> python = live is null ? RecordedPython311 : Parse(live);
        AssertAllOptionsMatch(python);
        if (live is not null)
        {
            // The recorded names are all still there (Python only adds OP_ names).
            Assert.Empty(RecordedPython311.Keys.Except(python.Keys));
        }
    }

    [Fact]
    public void ZeroValuedOptionsDoNotChangeHowNoneAndDefaultPrint()
    {
        Assert.Equal(SslOptions.None, SslOptions.NoSslV2);
        Assert.Equal(SslOptions.None, SslOptions.SingleDhUse);
        Assert.Equal(SslOptions.None, SslOptions.SingleEcdhUse);
        Assert.Equal("None", SslOptions.None.ToString());
        Assert.Equal("None", default(SslOptions).ToString());
        Assert.Equal("Default", SslOptions.Default.ToString());
        Assert.Equal("NoTicket, Default", (SslOptions.Default | SslOptions.NoTicket).ToString());
        Assert.Equal("NoTicket, NoTlsV1_3", (SslOptions.NoTicket | SslOptions.NoTlsV1_3).ToString());
        Assert.Equal("NoTicket", SslOptions.NoTicket.ToString());
        Assert.Equal(SslOptions.None, Enum.Parse<SslOptions>("NoSslV2"));
    }

    [Fact]
    public void ZeroOptionsAndKtlsAreAcceptedAsPythonAcceptsThem()
    {
        // Python 3.11: ctx.options |= ssl.OP_NO_SSLv2 changes nothing; ctx.options |= 0x8 keeps the bit (0x82520058).
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.Options |= SslOptions.NoSslV2 | SslOptions.SingleDhUse | SslOptions.SingleEcdhUse;
        Assert.Equal(SslOptions.Default, ctx.Options);
        ctx.Options |= SslOptions.EnableKtls;
        Assert.Equal(0x82520058L, (long)ctx.Options);
    }

    [Fact]
    public void LegacyProtocolConstantsBehaveAsPythonsOnAnOpenSslWithoutTls10And11()
    {
        // Without python3 the recorded answer stands in for the live one.
        string output = Oracles.Python(LegacyProtocolsScript) ?? RecordedLegacyProtocols;
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        foreach (string line in lines)
        {
            string[] py = line.Split('|');
            string ours = DotNetName(py[0], "PROTOCOL_");
            FieldInfo field = typeof(SslProtocol).GetField(ours, BindingFlags.Public | BindingFlags.Static)!;
            Assert.True(field is not null, $"{py[0]}: no SslProtocol.{ours}");
            var protocol = (SslProtocol)field!.GetValue(null)!;
            Assert.Equal(py[1], ((int)protocol).ToString(CultureInfo.InvariantCulture));

            // Python's DeprecationWarning ("ssl.PROTOCOL_TLSv1 is deprecated") is in the [Obsolete] text.
            ObsoleteAttribute? obsolete = field.GetCustomAttribute<ObsoleteAttribute>();
            Assert.NotNull(obsolete);
            Assert.Contains(py[2].Replace("ssl.", string.Empty, StringComparison.Ordinal), obsolete!.Message, StringComparison.Ordinal);

#pragma warning disable CS0618 // the test is about the deprecated constants themselves
            if (protocol != SslProtocol.SslV23)
            {
                // TLS 1.0 and 1.1 are not in this library (Ssl.HasTlsV1 and HasTlsV1_1 are false), so it answers as
                // Python on an OpenSSL built without TLSv1_method/TLSv1_1_method: _ssl.c's SSLContext constructor
                // finds no method and raises ValueError("invalid or unsupported protocol version 3"). This machine's
                // OpenSSL has the methods, so its Python makes the context and fails each handshake with the reason
                // recorded in py[3] and py[4] instead.
                Assert.False(protocol == SslProtocol.TlsV1 ? ManagedTls.Ssl.Ssl.HasTlsV1 : ManagedTls.Ssl.Ssl.HasTlsV1_1);
#pragma warning restore CS0618
                var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new SslContext(protocol));
                Assert.StartsWith($"invalid or unsupported protocol version {py[1]}", refused.Message, StringComparison.Ordinal);
                Assert.Equal(["NO_CIPHERS_AVAILABLE", "NO_CIPHERS_AVAILABLE"], new[] { py[3], py[4] });
                continue;
            }

            var ctx = new SslContext(protocol) { CheckHostname = false };

            // A server of ours without a certificate fails its first DoHandshake at once (Python's waits for the hello),
            // so this one has one; Python's answer is the same with or without.
            string dir = ManagedTls.Tests.Facade.WrapKeys.WriteFiles();
            try
            {
                ctx.LoadCertChain(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }

            Assert.Equal(py[3], Handshake(ctx, serverSide: false));
            Assert.Equal(py[4], Handshake(ctx, serverSide: true));
            string range;
            try
            {
                ctx.MinimumVersion = TlsVersion.TlsV1_2;
                range = "ok";
            }
            catch (ArgumentException e)
            {
                range = e.Message;
            }

            Assert.Equal(py[5], range);
            Assert.Equal(py[6], ((int)ctx.MaximumVersion).ToString(CultureInfo.InvariantCulture));
            Assert.Equal(py[7], ((int)ctx.VerifyMode).ToString(CultureInfo.InvariantCulture));
            Assert.Equal(py[8], "0x" + ((long)ctx.Options).ToString("x", CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void TheSslV23AliasDoesNotRenameTls()
    {
#pragma warning disable CS0618 // ssl.PROTOCOL_TLS is deprecated: this test is about it.
        Assert.Equal("Tls", SslProtocol.Tls.ToString());
        Assert.Equal(SslProtocol.Tls, Enum.Parse<SslProtocol>("SslV23"));
#pragma warning restore CS0618
    }

    // The first do_handshake of a connection from the context: "want-read" (a client's hello is out, a server waits),
    // or the SslException's reason, whether raised when the connection is made or by the handshake.
    private static string Handshake(SslContext ctx, bool serverSide)
    {
        try
        {
            SslObject ssl = ctx.WrapBio(new MemoryBio(), new MemoryBio(), serverSide, serverSide ? null : "x");
            ssl.DoHandshake();
            return "ok";
        }
        catch (SslWantReadException)
        {
            return "want-read";
        }
        catch (SslException e)
        {
            return e.Reason ?? e.Message;
        }
    }

    [Fact]
    public void GetProtocolNameAnswersAsPython()
    {
        int[] values = { 2, 3, 4, 5, 16, 17, 0, 99 };
        string[] python = Functions.Value.GetProperty("names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(python, values.Select(v => SslModule.GetProtocolName((SslProtocol)v)).ToArray());
        Assert.Equal("PROTOCOL_TLS_CLIENT", SslModule.GetProtocolName(SslProtocol.TlsClient));
        Assert.Equal("PROTOCOL_TLS", SslModule.GetProtocolName(Enum.Parse<SslProtocol>("SslV23")));
    }

    [Fact]
    public void ChannelBindingTypesArePythonsAndTheConnectionAddsTlsExporter()
    {
        string[] python = Functions.Value.GetProperty("bindings").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(python, SslModule.ChannelBindingTypes);
        Assert.Equal(SslModule.ChannelBindingTypes.Append("tls-exporter"), TlsConnection.ChannelBindingTypes);
    }

    [Fact]
    public void VersionInformationIsOursInOpenSslsShape()
    {
        // Python's number taken apart gives Python's tuple, so ours is taken apart the same way.
        long pythonNumber = Functions.Value.GetProperty("number").GetInt64();
        int[] pythonInfo = Functions.Value.GetProperty("info").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var decoded = SslModule.VersionInfo(pythonNumber);
        Assert.Equal(pythonInfo, new[] { decoded.Major, decoded.Minor, decoded.Fix, decoded.Patch, decoded.Status });

        Version assembly = typeof(SslContext).Assembly.GetName().Version!;
        string expected = $"ManagedTls {assembly.Major}.{assembly.Minor}.{Math.Max(assembly.Build, 0)}";
        Assert.Equal(expected, SslModule.OpenSslVersion);
        Assert.Equal(SslModule.VersionInfo(SslModule.OpenSslVersionNumber), SslModule.OpenSslVersionInfo);
        Assert.Equal((assembly.Major, assembly.Minor, 0, Math.Max(assembly.Build, 0), 0), SslModule.OpenSslVersionInfo);
    }

    [Fact]
    public void RandBytesAndRandStatusAnswerAsPython()
    {
        JsonElement py = Functions.Value;
        Assert.Equal(py.GetProperty("status").GetBoolean(), SslModule.RandStatus());
        Assert.Equal(py.GetProperty("empty").GetString(), Convert.ToHexString(SslModule.RandBytes(0)));
        Assert.Equal(py.GetProperty("len").GetInt32(), SslModule.RandBytes(37).Length);
        var e = Assert.Throws<ArgumentException>(() => SslModule.RandBytes(-1));
        Assert.StartsWith(py.GetProperty("negative").GetString()!, e.Message, StringComparison.Ordinal);

        // Random: 64 draws of 32 bytes are all different and not all zero.
        byte[][] draws = Enumerable.Range(0, 64).Select(_ => SslModule.RandBytes(32)).ToArray();
        Assert.Equal(64, draws.Select(Convert.ToHexString).Distinct().Count());
        Assert.DoesNotContain(draws, d => d.All(b => b == 0));
    }
}
