using System.Text.Json;
using ManagedTls.Ssl;
using ManagedTls.X509;
using SslModule = ManagedTls.Ssl.Ssl;

namespace ManagedTls.Tests.SslFacade;

/// <summary>
/// <c>Ssl.MatchHostname</c> against Python 3.11's <c>ssl.match_hostname</c> (deprecation warning silenced): the same
/// certificate dictionaries and host names, the same outcome and message (live, or Python's answers recorded in
/// vectors/certs/recorded/match-hostname.txt). Wildcards by Python's rules, IPv4 and IPv6 addresses, common names, and
/// Python's errors for wildcards it refuses and for address entries that are no address. The message compared is
/// Python's <c>e.args[0]</c>: <c>str()</c> of a <c>CertificateError</c> made from Python code renders the whole args tuple
/// (<c>("hostname 'b.example' doesn't match 'a.example'",)</c>), as <c>SSLError.__str__</c> does without an OpenSSL reason.
/// </summary>
public sealed class MatchHostnameTests
{
    // subjectAltName entries ("kind=value"; null for no extension), subject commonNames, host name.
    private static readonly (string[]? San, string[] Cn, string Host)[] Cases =
    [
        (["DNS=a.example"], [], "a.example"),
        (["DNS=a.example"], [], "A.EXAMPLE"),
        (["DNS=a.example"], [], "b.example"),
        (["DNS=a.example", "DNS=b.example"], [], "c.example"),
        (["DNS=*.example.com"], [], "foo.example.com"),
        (["DNS=*.example.com"], [], "example.com"),
        (["DNS=*.example.com"], [], "a.b.example.com"),
        (["DNS=*.example.com"], [], ".example.com"),
        (["DNS=*.*.example"], [], "a.b.example"),
        (["DNS=f*.example.com"], [], "foo.example.com"),
        (["DNS=a.*.example.com"], [], "a.b.example.com"),
        (["DNS=*"], [], "a"),
        (["DNS=*.com"], [], "a.com"),
        (["DNS=b.example", "DNS=*.*.example"], [], "b.example"),
        (["DNS=*.*.example", "DNS=b.example"], [], "b.example"),
        (null, ["a.example"], "a.example"),
        (null, ["a.example"], "b.example"),
        (null, ["a.example", "*.b.example"], "x.b.example"),
        (null, ["a.example", "c.example"], "b.example"),
        (null, [], "a.example"),
        (["email=x@a.example"], ["a.example"], "a.example"),
        (["URI=https://a.example/"], [], "a.example"),
        (["DNS=b.example"], ["a.example"], "a.example"),
        (["IP Address=10.0.0.1"], [], "10.0.0.1"),
        (["IP Address=10.0.0.1"], [], "10.0.0.2"),
        (["IP Address=10.0.0.1"], ["10.0.0.1"], "10.0.0.1"),
        (["DNS=10.0.0.1"], [], "10.0.0.1"),
        (["IP Address=2001:DB8:0:0:0:0:0:1\n"], [], "2001:db8::1"),
        (["IP Address=2001:DB8:0:0:0:0:0:1\n"], [], "2001:db8::2"),
        (["IP Address=::ffff:10.0.0.1"], [], "::ffff:10.0.0.1"),
        (["IP Address=127.1"], [], "127.0.0.1"),
        (["IP Address=not an address"], [], "127.0.0.1"),
        (["IP Address=10.0.0.1"], [], "a.example"),
        (["DNS=127.1"], [], "127.1"),
        (["DNS=010.0.0.1"], [], "010.0.0.1"),
        (["DNS="], [], "a.example"),
        (["DNS=it's.example"], [], "b.example"),
        (["DNS=xn--bcher-kva.example"], [], "bücher.example"),
        (["DNS=a.example."], [], "a.example"),
        (["DNS=a.example"], [], "a.example."),
    ];

    private const string Script = """
import ssl, sys, json, warnings
warnings.simplefilter("ignore")
def run(san, cn, host):
    cert = {"subject": tuple(((("commonName", c),)) for c in cn)}
    if san is not None:
        cert["subjectAltName"] = tuple(tuple(e.split("=", 1)) for e in san)
    try:
        ssl.match_hostname(cert, host)
        return ["ok"]
    except ssl.CertificateError as e:
        return ["CertificateError", e.args[0]]
    except ValueError as e:
        return ["ValueError", str(e)]
for case in json.loads(sys.stdin.read()):
    print(json.dumps(run(*case), ensure_ascii=False))
for bad in [{}, None]:
    try:
        ssl.match_hostname(bad, "a.example")
    except ValueError as e:
        print(json.dumps(["ValueError", str(e)]))
""";

    [Fact]
    public void OutcomesAndMessagesAreePythons()
    {
        string input = JsonSerializer.Serialize(Cases.Select(c => new object?[] { c.San, c.Cn, c.Host }));
        string[] python = Oracles.PythonOrRecorded("match-hostname", Script, input).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Cases.Length + 2, python.Length);

        // Python 3.11's answers for some, written out.
        Assert.Equal("[\"ok\"]", python[0]);
        Assert.Equal("[\"CertificateError\", \"hostname 'b.example' doesn't match 'a.example'\"]", python[2]);
        Assert.Equal("[\"CertificateError\", \"hostname 'c.example' doesn't match either of 'a.example', 'b.example'\"]", python[3]);
        Assert.Equal("[\"CertificateError\", \"too many wildcards in certificate DNS name: '*.*.example'.\"]", python[8]);
        Assert.Equal("[\"CertificateError\", \"no appropriate commonName or subjectAltName fields were found\"]", python[19]);
        Assert.Equal("[\"ValueError\", \"'127.1' is not a quad-dotted IPv4 address.\"]", python[30]);

        for (int i = 0; i < Cases.Length; i++)
        {
            string ours = Ours(Dictionary(Cases[i].San, Cases[i].Cn), Cases[i].Host);
            Assert.True(python[i] == ours, $"case {i} ({Cases[i].Host}): python {python[i]}, ours {ours}");
        }

        Assert.Equal(python[^2], Ours(new Dictionary<string, object>(), "a.example"));
        Assert.Equal(python[^1], Ours(null, "a.example"));
    }

    [Fact]
    public void MismatchIsAVerificationErrorWithTheMismatchCode()
    {
        var e = Assert.Throws<SslCertVerificationException>(() => SslModule.MatchHostname(Dictionary(["DNS=a.example"], []), "b.example"));
        Assert.Equal("hostname 'b.example' doesn't match 'a.example'", e.Message);
        Assert.Equal(VerifyError.HostnameMismatch, e.VerifyCode);
        Assert.Null(e.Errno);
        var ip = Assert.Throws<SslCertVerificationException>(() => SslModule.MatchHostname(Dictionary(["IP Address=10.0.0.1"], []), "10.0.0.2"));
        Assert.Equal(VerifyError.IpAddressMismatch, ip.VerifyCode);
        Assert.Throws<ArgumentNullException>(() => SslModule.MatchHostname(Dictionary(["DNS=a.example"], []), null!));
    }

    /// <summary>The DER overload reads the certificate as GetPeerCert does; compared with Python on a certificate the openssl CLI makes.</summary>
    [Fact]
    public void DerCertificatesMatchAsPythonsDecodedOnes()
    {
        string dir = Directory.CreateTempSubdirectory("matchhost").FullName;
        try
        {
            string pem = Path.Combine(dir, "c.pem");
            Oracles.Run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Path.Combine(dir, "c.key"),
                "-out", pem, "-days", "30", "-subj", "/CN=cn.example", "-addext", "subjectAltName=DNS:a.example,DNS:*.b.example,IP:10.0.0.1,IP:2001:db8::1"]);
            string[] hosts = ["a.example", "x.b.example", "cn.example", "10.0.0.1", "2001:db8::1", "10.0.0.2", "b.example"];
            const string DerScript = """
import ssl, sys, json, warnings
warnings.simplefilter("ignore")
pem, hosts = sys.stdin.read().split("\n", 1)
cert = ssl._ssl._test_decode_cert(pem)
for h in json.loads(hosts):
    try:
        ssl.match_hostname(cert, h); print(json.dumps(["ok"]))
    except ssl.CertificateError as e:
        print(json.dumps(["CertificateError", e.args[0]]))
""";
            string? live = Oracles.Python(DerScript, pem + "\n" + JsonSerializer.Serialize(hosts));
            string[] expected = live?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ??
            [
                "[\"ok\"]", "[\"ok\"]",
                "[\"CertificateError\", \"hostname 'cn.example' doesn't match either of 'a.example', '*.b.example', '10.0.0.1', '2001:DB8:0:0:0:0:0:1'\"]",
                "[\"ok\"]", "[\"ok\"]",
                "[\"CertificateError\", \"hostname '10.0.0.2' doesn't match either of 'a.example', '*.b.example', '10.0.0.1', '2001:DB8:0:0:0:0:0:1'\"]",
                "[\"CertificateError\", \"hostname 'b.example' doesn't match either of 'a.example', '*.b.example', '10.0.0.1', '2001:DB8:0:0:0:0:0:1'\"]",
            ];
            byte[] der = ManagedTls.X509.Store.PemReader.Read(File.ReadAllText(pem)).First().Data;
            string[] ours = hosts.Select(h =>
            {
                try
                {
                    SslModule.MatchHostname(der, h);
                    return "[\"ok\"]";
                }
                catch (SslCertVerificationException e)
                {
                    return "[\"CertificateError\", " + Json(e.Message) + "]";
                }
            }).ToArray();
            Assert.Equal(expected, ours);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Ours(IReadOnlyDictionary<string, object>? cert, string host)
    {
        try
        {
            SslModule.MatchHostname(cert, host);
            return "[\"ok\"]";
        }
        catch (SslCertVerificationException e)
        {
            return "[\"CertificateError\", " + Json(e.Message) + "]";
        }
        catch (ArgumentException e)
        {
            return "[\"ValueError\", " + Json(e.Message) + "]";
        }
    }

    // json.dumps(ensure_ascii=False) of a string: quotes, backslashes and control characters escaped.
    private static string Json(string s) =>
        JsonSerializer.Serialize(s, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static IReadOnlyDictionary<string, object> Dictionary(string[]? san, string[] cn)
    {
        var d = new Dictionary<string, object>
        {
            ["subject"] = cn.Select(c => (IReadOnlyList<KeyValuePair<string, string>>)[new KeyValuePair<string, string>("commonName", c)]).ToArray(),
        };
        if (san is not null)
        {
            d["subjectAltName"] = san.Select(e => new KeyValuePair<string, object>(e.Substring(0, e.IndexOf('=')), e.Substring(e.IndexOf('=') + 1))).ToArray();
        }

        return d;
    }
}
