using System.Text.Json;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>set_ciphers / get_ciphers / security_level / set_alpn_protocols against Python.</summary>
public class CipherConfigTests
{
    // python3: [c['name'] for c in ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).get_ciphers()]
    private static readonly string[] RecordedDefaultNames =
    {
        "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256",
        "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-SHA256", "DHE-RSA-AES128-SHA256",
    };

    // python3: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).get_ciphers()[0]
    private const string RecordedFirst =
        "{'id': 50336514, 'name': 'TLS_AES_256_GCM_SHA384', 'protocol': 'TLSv1.3', 'description': " +
        "'TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)            Mac=AEAD', " +
        "'strength_bits': 256, 'alg_bits': 256, 'aead': True, 'symmetric': 'aes-256-gcm', 'digest': None, 'kea': 'kx-any', 'auth': 'auth-any'}";

    [Fact]
    public void DefaultGetCiphersMatchesRecordedPython()
    {
        var ciphers = new SslContext(SslProtocol.TlsClient).GetCiphers();
        Assert.Equal(RecordedDefaultNames, ciphers.Select(c => c.Name).ToArray());
        Assert.Equal(RecordedFirst, PythonDict(ciphers[0]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ECDHE+AESGCM:!aNULL")]
    [InlineData("DEFAULT")]
    [InlineData("ALL:@STRENGTH")]
    [InlineData("AES128-SHA:AES256-SHA256")]
    [InlineData("DEFAULT:@SECLEVEL=0")]
    public void GetCiphersMatchesLivePython(string? cipherString)
    {
        var c = new SslContext(SslProtocol.TlsClient);
        if (cipherString is not null)
        {
            c.SetCiphers(cipherString);
        }

        string script = "import ssl, json\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n" +
            (cipherString is null ? string.Empty : $"c.set_ciphers({ContextConfigTests.Py(cipherString)})\n") +
            "print(json.dumps({'level': c.security_level, 'ciphers': c.get_ciphers()}))";
        using var doc = JsonDocument.Parse(PythonOracle.Run(script)!);
        Assert.Equal(doc.RootElement.GetProperty("level").GetInt32(), c.SecurityLevel);
        // OpenSSL also lists suites this library does not implement (PSK, DSS, anonymous, CCM...); compare over ours.
        var expected = doc.RootElement.GetProperty("ciphers").EnumerateArray()
            .Where(e => ManagedTls.CipherSuites.CipherSuiteRegistry.FindByOpenSslName(e.GetProperty("name").GetString()!) is not null
                || ManagedTls.CipherSuites.CipherSuiteRegistry.FindByIanaName(e.GetProperty("name").GetString()!) is not null).ToArray();
        var ours = c.GetCiphers();
        Assert.Equal(expected.Select(e => e.GetProperty("name").GetString()).ToArray(), ours.Select(o => o.Name).ToArray());
        for (int i = 0; i < ours.Count; i++)
        {
            JsonElement e = expected[i];
            SslCipherInfo o = ours[i];
            Assert.Equal(e.GetProperty("id").GetInt64(), o.Id);
            Assert.Equal(e.GetProperty("protocol").GetString(), o.Protocol);
            Assert.Equal(e.GetProperty("description").GetString(), o.Description);
            Assert.Equal(e.GetProperty("strength_bits").GetInt32(), o.StrengthBits);
            Assert.Equal(e.GetProperty("alg_bits").GetInt32(), o.AlgBits);
            Assert.Equal(e.GetProperty("aead").GetBoolean(), o.Aead);
            Assert.Equal(e.GetProperty("symmetric").GetString(), o.Symmetric);
            Assert.Equal(e.GetProperty("digest").ValueKind == JsonValueKind.Null ? null : e.GetProperty("digest").GetString(), o.Digest);
            Assert.Equal(e.GetProperty("kea").GetString(), o.Kea);
            Assert.Equal(e.GetProperty("auth").GetString(), o.Auth);
        }
    }

    [Fact]
    public void SecurityLevelStaysUntilAnotherSecLevel()
    {
        // python3: set_ciphers('DEFAULT:@SECLEVEL=0') then set_ciphers('ECDHE+AESGCM') leaves security_level 0; '@SECLEVEL=3' gives 3.
        var c = new SslContext(SslProtocol.TlsClient);
        Assert.Equal(2, c.SecurityLevel);
        c.SetCiphers("DEFAULT:@SECLEVEL=0");
        c.SetCiphers("ECDHE+AESGCM");
        Assert.Equal(0, c.SecurityLevel);
        c.SetCiphers("DEFAULT:@SECLEVEL=3");
        Assert.Equal(3, c.SecurityLevel);
        Assert.Equal("0 3", PythonOracle.Run(
            "import ssl\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.set_ciphers('DEFAULT:@SECLEVEL=0'); c.set_ciphers('ECDHE+AESGCM'); a = c.security_level\n" +
            "c.set_ciphers('DEFAULT:@SECLEVEL=3'); print(a, c.security_level)"));
    }

    [Theory]
    [InlineData("FOO")]
    [InlineData("")]
    [InlineData("!ALL")]
    [InlineData("RC4")]
    [InlineData("NOSUCH:ALSO")]
    public void SetCiphersSelectingNothingIsSslError(string cipherString)
    {
        var c = new SslContext(SslProtocol.TlsClient);
        var before = c.GetCiphers();
        var e = Assert.Throws<SslException>(() => c.SetCiphers(cipherString));
        Assert.Equal("No cipher can be selected.", e.Message);
        Assert.Equal(before, c.GetCiphers());
        Assert.Equal("SSLError No cipher can be selected.", PythonOracle.Run(
            $"import ssl\ntry: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers({ContextConfigTests.Py(cipherString)})\n" +
            "except Exception as e: print(type(e).__name__, e.args[0])"));
    }

    [Fact]
    public void AnonymousSuitesAreNotImplemented()
    {
        // Deliberate difference: OpenSSL selects its anonymous (ADH/AECDH) suites for "aNULL"; this library has none.
        var c = new SslContext(SslProtocol.TlsClient);
        Assert.Throws<SslException>(() => c.SetCiphers("aNULL"));
        Assert.Throws<SslException>(() => c.SetCiphers("PSK"));
        Assert.Equal("ADH", PythonOracle.Run("import ssl\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.set_ciphers('aNULL:@SECLEVEL=0')\nprint(c.get_ciphers()[3]['name'][:3])"));
    }

    [Fact]
    public void AlpnValidationMatchesPython()
    {
        const string recorded =
            "SSLError ALPN protocols must be 1 to 255 in length\n" +
            "SSLError ALPN protocols must be 1 to 255 in length\n" +
            "UnicodeEncodeError 'ascii' codec can't encode character '\\xe9' in position 1: ordinal not in range(128)\n" +
            "ok\nok";
        var lines = new List<string>();
        var c = new SslContext(SslProtocol.TlsClient);
        foreach (string[] list in AlpnCases())
        {
            try
            {
                c.SetAlpnProtocols(list);
                lines.Add("ok");
            }
            catch (SslException e)
            {
                lines.Add("SSLError " + e.Message);
            }
            catch (ArgumentException e)
            {
                lines.Add("UnicodeEncodeError " + e.Message);
            }
        }

        Assert.Equal(recorded, string.Join("\n", lines));
        string live = PythonOracle.Run(
            "import ssl\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n" +
            "for l in ([''], ['h2', 'a' * 256], ['h2', 'xé'], ['a' * 255, 'h2'], []):\n" +
            "    try: c.set_alpn_protocols(l); print('ok')\n    except Exception as e: print(type(e).__name__, e.args[0] if isinstance(e, ssl.SSLError) else e)")!;
        Assert.Equal(recorded, live.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void AlpnListIsKeptAndAFailedCallChangesNothing()
    {
        var c = new SslContext(SslProtocol.TlsClient);
        c.SetAlpnProtocols(new[] { "h2", "http/1.1" });
        Assert.Throws<SslException>(() => c.SetAlpnProtocols(new[] { "spdy", string.Empty }));
        Assert.Equal(new[] { "h2", "http/1.1" }, c.AlpnProtocols);
        Assert.Equal(new[] { "h2", "http/1.1" }, c.Freeze(false).AlpnProtocols.Select(p => System.Text.Encoding.ASCII.GetString(p)).ToArray());
    }

    private static IEnumerable<string[]> AlpnCases()
    {
        yield return new[] { string.Empty };
        yield return new[] { "h2", new string('a', 256) };
        yield return new[] { "h2", "x\u00e9" };
        yield return new[] { new string('a', 255), "h2" };
        yield return Array.Empty<string>();
    }

    private static string PythonDict(SslCipherInfo c) =>
        $"{{'id': {c.Id}, 'name': '{c.Name}', 'protocol': '{c.Protocol}', 'description': '{c.Description}', " +
        $"'strength_bits': {c.StrengthBits}, 'alg_bits': {c.AlgBits}, 'aead': {(c.Aead ? "True" : "False")}, " +
        $"'symmetric': '{c.Symmetric}', 'digest': {(c.Digest is null ? "None" : "'" + c.Digest + "'")}, 'kea': '{c.Kea}', 'auth': '{c.Auth}'}}";
}
