using System.Text.Json;
using ManagedTls.Tests.SslFacade;
using ManagedTls.X509.PeerCert;

namespace ManagedTls.Tests.X509.PeerCert;

public class PeerCertificateTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (string n in Oracles.CertNames())
        {
            data.Add(n);
        }

        return data;
    }

    private static string DecodeToJson(string name) =>
        PeerCertificate.ToJson(PeerCertificate.Decode(File.ReadAllBytes(Oracles.Cert($"pem/{name}.der"))));

    [Theory]
    [MemberData(nameof(Names))]
    public void Decode_MatchesRecordedPythonTestDecodeCert(string name)
    {
        string expected = File.ReadAllText(Oracles.Cert($"pem/{name}.json")).TrimEnd('\n');
        Assert.Equal(expected, DecodeToJson(name));
    }

    [Fact]
    public void Decode_MatchesLivePythonForEveryCertificate()
    {
        string[] names = Oracles.CertNames().ToArray();
        string output = Oracles.Python(
            "import json,ssl,sys\nfor n in sys.stdin.read().split():\n    print(json.dumps(ssl._ssl._test_decode_cert('pem/'+n+'.pem')))",
            string.Join("\n", names))
            ?? string.Concat(names.Select(n => File.ReadAllText(Oracles.Cert($"pem/{n}.json"))));
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(names.Length, lines.Length);
        for (int i = 0; i < names.Length; i++)
        {
            Assert.Equal(lines[i], DecodeToJson(names[i]));
        }
    }

    [Fact]
    public void Decode_GivesTypedStructures()
    {
        var cert = PeerCertificate.Decode(File.ReadAllBytes(Oracles.Cert("pem/urisan.der")));
        Assert.Equal(new[] { "subject", "issuer", "version", "serialNumber", "notBefore", "notAfter", "subjectAltName" }, cert.Keys.ToArray());
        var subject = Assert.IsAssignableFrom<IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>>>(cert["subject"]);
        Assert.Equal(new KeyValuePair<string, string>("commonName", "uri.example"), subject[0][0]);
        Assert.Equal(3, cert["version"]);
        var san = Assert.IsAssignableFrom<IReadOnlyList<KeyValuePair<string, object>>>(cert["subjectAltName"]);
        Assert.Contains(san, p => p.Key == "DirName" && p.Value is IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>>);
        Assert.Contains(san, p => p.Key == "othername" && (string)p.Value == "UPN:user@example.com");
        Assert.True(cert.ContainsKey("notAfter"));
        Assert.False(cert.ContainsKey("OCSP"));
        Assert.False(cert.TryGetValue("caIssuers", out _));
    }

    [Fact]
    public void Decode_AiaAndCrlDistributionPoints()
    {
        var cert = PeerCertificate.Decode(File.ReadAllBytes(Oracles.Cert("pem/aia.der")));
        Assert.Equal(new[] { "http://ocsp.example.com/", "http://ocsp2.example.com/" }, (IEnumerable<string>)cert["OCSP"]);
        Assert.Equal(new[] { "http://ca.example.com/ca.crt" }, (IEnumerable<string>)cert["caIssuers"]);
        Assert.Equal(new[] { "http://crl.example.com/a.crl", "http://crl2.example.com/b.crl" }, (IEnumerable<string>)cert["crlDistributionPoints"]);
    }

    [Theory]
    [InlineData("01", "01")]
    [InlineData("00", "00")]
    [InlineData("0080", "80")]
    [InlineData("00ff00", "FF00")]
    [InlineData("ff", "-01")]
    [InlineData("80", "-80")]
    [InlineData("ff7f", "-81")]
    [InlineData("7fffffffffffffff", "7FFFFFFFFFFFFFFF")]
    public void FormatSerial_AsOpenSslI2aAsn1Integer(string contentHex, string expected) =>
        Assert.Equal(expected, PeerCertificate.FormatSerial(Convert.FromHexString(contentHex)));

    [Fact]
    public void FormatSerial_BreaksAfter35BytesAsPythonReadsTheLine()
    {
        byte[] content = Enumerable.Range(1, 40).Select(i => (byte)i).ToArray();
        string s = PeerCertificate.FormatSerial(content);
        Assert.EndsWith("\\\n", s);
        Assert.Equal((35 * 2) + 2, s.Length);
    }

    [Theory]
    [InlineData("c0000201", "192.0.2.1")]
    [InlineData("00000000000000000000000000000001", "0:0:0:0:0:0:0:1")]
    [InlineData("fe80000000000000abcd000000000001", "FE80:0:0:0:ABCD:0:0:1")]
    [InlineData("0102", "<invalid>")]
    public void FormatIp_AsPython(string hex, string expected) =>
        Assert.Equal(expected, PeerCertificate.FormatIp(Convert.FromHexString(hex)));

    [Theory]
    [InlineData("170d3138303130353039333434335a", "Jan  5 09:34:43 2018 GMT")]
    [InlineData("170d3439313233313233353935395a", "Dec 31 23:59:59 2049 GMT")]
    [InlineData("170d3530303130313030303030305a", "Jan  1 00:00:00 1950 GMT")]
    [InlineData("180f32303831303832363134343035315a", "Aug 26 14:40:51 2081 GMT")]
    [InlineData("181332303230303232393132303030302e3132335a", "Feb 29 12:00:00.123 2020 GMT")]
    [InlineData("170d3138303233303030303030305a", "Bad time value")]
    [InlineData("170d3138303130353234303030305a", "Bad time value")]
    [InlineData("17113138303130353039333434332b30313030", "Jan  5 08:34:43 2018")]
    [InlineData("181339393939313233313233353935392d31323030", "Bad time value")]
    [InlineData("0403313233", "Bad time value")]
    public void FormatTime_AsOpenSslAsn1TimePrint(string derHex, string expected) =>
        Assert.Equal(expected, PeerCertificate.FormatTime(ManagedTls.X509.Store.DerNode.Parse(Convert.FromHexString(derHex))));

    [Fact]
    public void ToJson_EscapesAsPythonJsonDumps()
    {
        object value = new object[] { "a\"b\\c\n\t\u0001\u007f\u00e9\U0001F600", 3 };
        string json = PeerCertificate.ToJson(value);
        Assert.Equal("[\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u00e9\\ud83d\\ude00\", 3]", json);
        Assert.Equal("a\"b\\c\n\t\u0001\u007f\u00e9\U0001F600", JsonSerializer.Deserialize<JsonElement>(json)[0].GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("3000")]
    [InlineData("300100")]
    [InlineData("30820100")]
    [InlineData("3003020101")]
    public void Decode_MalformedIsBadCertificateAlert(string hex)
    {
        var e = Assert.Throws<TlsAlertException>(() => PeerCertificate.Decode(Convert.FromHexString(hex)));
        Assert.Equal(AlertDescription.BadCertificate, e.Description);
    }

    [Fact]
    public void Decode_TruncatedOrFlippedCertificatesNeverEscapeAsOtherExceptions()
    {
        byte[] der = File.ReadAllBytes(Oracles.Cert("pem/urisan.der"));
        for (int i = 0; i < der.Length; i += 3)
        {
            byte[] cut = der.AsSpan(0, i).ToArray();
            byte[] flipped = (byte[])der.Clone();
            flipped[i] ^= 0x41;
            foreach (byte[] input in new[] { cut, flipped })
            {
                try
                {
                    PeerCertificate.Decode(input);
                }
                catch (TlsAlertException)
                {
                }
            }
        }
    }
}
