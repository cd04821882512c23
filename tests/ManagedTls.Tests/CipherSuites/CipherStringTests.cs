using System.Text.Json;
using FsCheck.Xunit;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;

namespace ManagedTls.Tests.CipherSuites;

public class CipherStringTests
{
    public static TheoryData<string> RecordedStrings()
    {
        var data = new TheoryData<string>();
        foreach (string s in CipherOracles.RecordedStrings)
        {
            data.Add(s);
        }

        return data;
    }

    /// <summary>What <c>openssl ciphers -- STRING</c> prints for our suites, or null for an error.</summary>
    internal static string? Ours(string s)
    {
        try
        {
            var r = CipherString.Parse(s);
            return string.Join(":", Tls13CipherSuiteList.Default.Concat(r.Suites).Select(x => x.OpenSslName));
        }
        catch (CipherStringException)
        {
            return null;
        }
    }

    /// <summary>
    /// OpenSSL's answer restricted to our suites; null when OpenSSL refuses the string, or when it selects
    /// no TLS 1.2 suite that we implement (we then refuse it, as OpenSSL does for an empty selection).
    /// </summary>
    internal static string? Expected(OracleRun run)
    {
        if (run.Exit != 0)
        {
            return null;
        }

        string names = CipherOracles.FilterNames(run.Stdout);
        bool anyTls12 = names.Split(':').Any(n => CipherSuiteRegistry.FindByOpenSslName(n) is { IsTls13: false });
        return anyTls12 ? names : null;
    }

    [Theory]
    [MemberData(nameof(RecordedStrings), DisableDiscoveryEnumeration = true)]
    public void MatchesRecordedOpenSsl(string s) => Assert.Equal(Expected(CipherOracles.RecordedString(s)), Ours(s));

    [Fact]
    public void MatchesLiveOpenSsl()
    {
        string[] strings = CipherOracles.CuratedStrings.ToArray();
        Assert.True(strings.Length >= 50);
        IReadOnlyList<OracleRun> runs = CipherOracles.RunOpenSslCiphers(strings.Select(s => new[] { "--", s }).ToArray())
            ?? strings.Select(CipherOracles.RecordedString).ToArray();
        var mismatches = new List<string>();
        for (int i = 0; i < strings.Length; i++)
        {
            string? want = Expected(runs[i]);
            string? got = Ours(strings[i]);
            if (want != got)
            {
                mismatches.Add($"\"{strings[i]}\": openssl {want ?? "(error)"}, ours {got ?? "(error)"}");
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public void PythonSetCiphersAgreesWithRecordedAnswers()
    {
        foreach (JsonElement c in CipherOracles.OpenSslRecord.GetProperty("python").EnumerateArray())
        {
            CheckPythonCase(c);
        }
    }

    /// <summary>
    /// Python's <c>set_ciphers</c> then <c>get_ciphers()</c>, live, for the facade strings and for every
    /// recorded string (the seeded random ones included): one process, so it stays fast.
    /// </summary>
    [Fact]
    public void PythonSetCiphersAgreesLive()
    {
        string[] strings = CipherOracles.OpenSslRecord.GetProperty("python").EnumerateArray()
            .Select(c => c.GetProperty("string").GetString()!)
            .Concat(CipherOracles.RecordedStrings)
            .ToArray();
        const string program =
            "import json,ssl,sys\n" +
            "out=[]\n" +
            "for s in json.loads(sys.argv[1]):\n" +
            "    c=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n" +
            "    try:\n" +
            "        c.set_ciphers(s); out.append({'string':s,'error':None,'names':[x['name'] for x in c.get_ciphers()]})\n" +
            "    except ssl.SSLError as e:\n" +
            "        out.append({'string':s,'error':str(e),'names':None})\n" +
            "print(json.dumps(out))\n";
        OracleRun? run = CipherOracles.Run("python3", new[] { "-c", program, JsonSerializer.Serialize(strings) });
        if (run is null)
        {
            PythonSetCiphersAgreesWithRecordedAnswers();
            return;
        }

        Assert.True(run.Exit == 0, run.Stderr);
        JsonElement cases = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(strings.Length, cases.GetArrayLength());
        foreach (JsonElement c in cases.EnumerateArray())
        {
            CheckPythonCase(c);
        }
    }

    private static void CheckPythonCase(JsonElement c)
    {
        string s = c.GetProperty("string").GetString()!;
        string? ours = Ours(s);
        string? want = null;
        if (c.GetProperty("error").ValueKind == JsonValueKind.Null)
        {
            string[] names = c.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).Where(CipherOracles.OurNames.Contains).ToArray();
            if (names.Any(n => CipherSuiteRegistry.FindByOpenSslName(n) is { IsTls13: false }))
            {
                want = string.Join(":", names);
            }
        }

        Assert.True(want == ours, $"\"{s}\": Python {want ?? "(error)"}, ours {ours ?? "(error)"}");
    }

    [Fact]
    public void PythonDefaultStringGivesPythonsDefaultList()
    {
        var r = CipherString.Parse(CipherString.PythonDefault);
        Assert.Equal(SecurityLevel.PythonDefault, r.SecurityLevel);
        string ours = string.Join(":", Tls13CipherSuiteList.Default.Concat(r.Suites).Select(x => x.OpenSslName));
        string recorded = string.Join(":", CipherOracles.OpenSslRecord.GetProperty("python_default").EnumerateArray()
            .Select(n => n.GetString()!).Where(CipherOracles.OurNames.Contains));
        Assert.Equal(recorded, ours);

        OracleRun? live = CipherOracles.Run(
            "python3", new[] { "-c", "import ssl;print(':'.join(c['name'] for c in ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).get_ciphers()))" });
        if (live is not null)
        {
            Assert.Equal(CipherOracles.FilterNames(live.Stdout), ours);
        }
    }

    [Fact]
    public void DefaultOrderIsTheRegistryOrder()
    {
        Assert.Equal(CipherSuiteRegistry.Tls12Suites, CipherString.DefaultOrder);
        Assert.Equal(CipherSuiteRegistry.Tls12Suites, CipherString.Parse("ALL").Suites);

        // DEFAULT leaves out what OpenSSL 3.0 marks not-default: the AES-CCM suites, and only them.
        var notDefault = CipherSuiteRegistry.Tls12Suites.Where(s => (s.Strength & OsslStrength.NotDefault) != 0).ToArray();
        Assert.Equal(12, notDefault.Length);
        Assert.All(notDefault, s => Assert.True(Aeads.IsCcm(s.Aead!.Value)));
        Assert.Equal(CipherSuiteRegistry.Tls12Suites.Except(notDefault), CipherString.Parse("DEFAULT").Suites);
        Assert.Equal(notDefault, CipherString.Parse("COMPLEMENTOFDEFAULT").Suites);
    }

    [Theory]
    [InlineData("ALL:@FOO")]
    [InlineData("ALL:@STRENGTHX")]
    [InlineData("ALL:@SECLEVEL=6")]
    [InlineData("ALL:@SECLEVEL=")]
    [InlineData("ALL+")]
    [InlineData("ALL:+")]
    [InlineData("ALL:#")]
    [InlineData("@")]
    public void InvalidCommandsAreRefused(string s)
    {
        var e = Assert.Throws<CipherStringException>(() => CipherString.Parse(s));
        Assert.Equal(CipherStringError.InvalidCommand, e.Error);
        Assert.Equal(s, e.CipherString);
        Assert.Contains("Invalid command", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("NOPE")]
    [InlineData("CAMELLIA")]
    [InlineData("!ALL:AES128-SHA")]
    [InlineData("TLS_AES_128_GCM_SHA256")]
    [InlineData("aes128-sha")]
    [InlineData("AES128-SHA+ECDHE")]
    public void EmptySelectionsAreRefused(string s)
    {
        var e = Assert.Throws<CipherStringException>(() => CipherString.Parse(s));
        Assert.Equal(CipherStringError.NoCipherMatch, e.Error);
        Assert.Contains("No cipher can be selected", e.Message, StringComparison.Ordinal);
        Assert.False(CipherString.TryParse(s, out var r));
        Assert.Null(r);
    }

    [Fact]
    public void SecurityLevelIsReported()
    {
        Assert.Null(CipherString.Parse("ALL").SecurityLevel);
        Assert.Equal(0, CipherString.Parse("@SECLEVEL=0:ALL").SecurityLevel);
        Assert.Equal(3, CipherString.Parse("ALL:@SECLEVEL=5:@SECLEVEL=3").SecurityLevel);
        Assert.Equal(2, CipherString.Parse("DEFAULT:@SECLEVEL=2").SecurityLevel);
    }

    [Fact]
    public void ExplicitNamesKeepTheirOrderAndDoNotRepeat()
    {
        var r = CipherString.Parse("AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA,DHE-RSA-AES128-SHA");
        Assert.Equal(new[] { "AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-SHA" }, r.Suites.Select(s => s.OpenSslName));
        Assert.Equal(
            new[] { "ECDHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-SHA", "AES128-SHA" },
            CipherString.Parse("AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:+kRSA").Suites.Select(s => s.OpenSslName));
    }

    [Fact]
    public void DeletedSuitesComeBackButKilledOnesDoNot()
    {
        Assert.Contains(CipherString.Parse("ALL:-kRSA:kRSA").Suites, s => s.KeyExchange.Algorithm == SuiteKeyExchange.Rsa);
        Assert.DoesNotContain(CipherString.Parse("ALL:!kRSA:kRSA").Suites, s => s.KeyExchange.Algorithm == SuiteKeyExchange.Rsa);

        // "-" followed by a re-add puts the suites at the end.
        var r = CipherString.Parse("ALL:-ECDHE:ECDHE").Suites;
        Assert.All(r.Skip(r.Count - 14), s => Assert.Equal(SuiteKeyExchange.Ecdhe, s.KeyExchange.Algorithm));
    }

    [Fact]
    public void StrengthSortIsStable()
    {
        var r = CipherString.Parse("AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:@STRENGTH").Suites;
        Assert.Equal(new[] { "AES256-SHA", "ECDHE-RSA-AES256-SHA", "AES128-SHA", "ECDHE-RSA-AES128-SHA" }, r.Select(s => s.OpenSslName));
    }

    [Fact]
    public void Tls13ListParsesAsOpenSslDoes()
    {
        Assert.Equal(
            new[] { "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256" },
            Tls13CipherSuiteList.Default.Select(s => s.IanaName));
        Assert.Empty(Tls13CipherSuiteList.Parse(string.Empty));
        Assert.Equal(
            new[] { "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256" },
            Tls13CipherSuiteList.Parse("TLS_AES_128_CCM_8_SHA256: TLS_AES_128_GCM_SHA256 ::bogus:ECDHE-RSA-AES128-SHA:TLS_AES_128_GCM_SHA256").Select(s => s.IanaName));
        var e = Assert.Throws<CipherStringException>(() => Tls13CipherSuiteList.Parse("bogus:AES128-SHA"));
        Assert.Equal(CipherStringError.NoCipherMatch, e.Error);
    }

    [Fact]
    public void SecurityLevelsFilterAsOpenSslDoes()
    {
        Assert.True(SecurityLevel.Allows(CipherSuiteRegistry.FindByOpenSslName("AES128-SHA")!, 2));
        Assert.False(SecurityLevel.Allows(CipherSuiteRegistry.FindByOpenSslName("AES128-SHA")!, 3));
        Assert.True(SecurityLevel.Allows(CipherSuiteRegistry.FindByOpenSslName("ECDHE-RSA-AES256-SHA")!, 3));
        Assert.False(SecurityLevel.Allows(CipherSuiteRegistry.FindByOpenSslName("ECDHE-RSA-AES256-SHA")!, 4));
        Assert.True(SecurityLevel.Allows(CipherSuiteRegistry.FindByOpenSslName("ECDHE-RSA-AES256-SHA384")!, 5));
        Assert.False(SecurityLevel.Allows(CipherSuiteRegistry.FindByIanaName("TLS_AES_128_GCM_SHA256")!, 4));
        Assert.Equal(256, SecurityLevel.MinimumBits(9));
    }

    private static readonly string[] Vocabulary = CipherAliases.Names
        .Concat(CipherSuiteRegistry.All.Select(s => s.OpenSslName))
        .Concat(new[] { "DEFAULT", "@STRENGTH", "@SECLEVEL=1", "@SECLEVEL=7", "BOGUS", "CAMELLIA128-SHA", "+", "-", "!", "@", ":", ",", " ", ";", "#", "\0" })
        .ToArray();

    [Property(MaxTest = 300)]
    public bool RandomStringsGiveAListOrACipherStringException(byte[] picks, bool[] joins)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < picks.Length; i++)
        {
            string prefix = (picks[i] % 4) switch { 0 => "!", 1 => "-", 2 => "+", _ => string.Empty };
            sb.Append(prefix).Append(Vocabulary[picks[i] % Vocabulary.Length]);
            sb.Append(i < joins.Length && joins[i] ? "+" : ":");
        }

        try
        {
            var r = CipherString.Parse(sb.ToString());
            return r.Suites.Count > 0 && r.Suites.Distinct().Count() == r.Suites.Count && r.Suites.All(s => !s.IsTls13);
        }
        catch (CipherStringException)
        {
            return true;
        }
    }
}
