using System.Text.Json;
using ManagedTls.Tests.SslFacade;
using ManagedTls.X509.Store;

namespace ManagedTls.Tests.X509.Store;

public class NameHashTests
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

    [Theory]
    [MemberData(nameof(Names))]
    public void SubjectHash_MatchesRecordedOpensslHash(string name)
    {
        var recorded = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Oracles.Cert("hashes.json")))!;
        var cert = RawCertificate.Parse(File.ReadAllBytes(Oracles.Cert($"pem/{name}.der")));
        Assert.Equal(recorded[name], X509NameHash.HashHex(X509NameHash.Hash(cert.SubjectDer)));
    }

    /// <summary>Names made at test time by openssl itself (-utf8, various string masks), hashed by both.</summary>
    [Fact]
    public void SubjectHash_MatchesLiveOpensslForAwkwardNames()
    {
        string[] subjects =
        {
            "/CN=UPPER lower MiXeD",
            "/CN=  leading and trailing  ",
            "/CN=many     inner \t spaces/O=  x  ",
            "/CN=Ünïcödé ÜPPER/O=日本語  テスト",
            "/C=DE/ST=Baden-Württemberg/L=Stuttgart/O=Firma GmbH/OU=IT/CN=host.example.de/emailAddress=Admin@Example.DE",
            "/CN=a+OU=b+O=c/DC=Example/DC=COM",
            "/CN=BMP Ω text",
            "/serialNumber=00123/1.2.3.4=Custom OID Value",
            "/CN=",
        };
        string[] masks = { "utf8only", "default", "nombstr" };
        if (!Oracles.Has("openssl"))
        {
            // Without the openssl binary the recorded hashes (SubjectHash_MatchesRecordedOpensslHash) are the oracle.
            var recorded = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Oracles.Cert("hashes.json")))!;
            Assert.Equal(recorded["mixedcase"], X509NameHash.HashHex(X509NameHash.Hash(RawCertificate.Parse(File.ReadAllBytes(Oracles.Cert("pem/mixedcase.der"))).SubjectDer)));
            return;
        }

        string dir = Path.Combine(Path.GetTempPath(), "managedtls-namehash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string key = Path.Combine(dir, "k.pem");
            Oracles.Run("openssl", new[] { "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key });
            int checkedCount = 0;
            for (int i = 0; i < subjects.Length; i++)
            {
                foreach (string mask in masks)
                {
                    if (mask == "nombstr" && subjects[i].Any(c => c > 0xff))
                    {
                        continue;
                    }

                    string cnf = Path.Combine(dir, mask + ".cnf");
                    File.WriteAllText(cnf, $"[req]\ndistinguished_name=dn\nstring_mask={mask}\n[dn]\n");
                    string pem = Path.Combine(dir, $"c{i}-{mask}.pem");
                    Oracles.Run("openssl", new[]
                    {
                        "req", "-x509", "-new", "-key", key, "-config", cnf, "-utf8", "-multivalue-rdn",
                        "-subj", subjects[i], "-days", "1", "-out", pem,
                    });
                    string expected = Oracles.Run("openssl", new[] { "x509", "-hash", "-noout", "-in", pem }).Trim();
                    string der64 = string.Concat(File.ReadAllLines(pem).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));
                    var cert = RawCertificate.Parse(Convert.FromBase64String(der64));
                    Assert.Equal(expected, X509NameHash.HashHex(X509NameHash.Hash(cert.SubjectDer)));
                    checkedCount++;
                }
            }

            Assert.True(checkedCount >= 20, "checked " + checkedCount);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("  Hello   World  ", "hello world")]
    [InlineData("\t\nA\r\fB\v", "a b")]
    [InlineData("ÄBC Déf", "Äbc déf")]
    [InlineData("", "")]
    [InlineData("    ", "")]
    [InlineData("x\u00a0y", "x\u00a0y")]
    public void Fold_TrimsFoldsAndLowercasesAsciiOnly(string input, string expected) =>
        Assert.Equal(expected, X509NameHash.Fold(input));

    [Fact]
    public void Canonical_EqualForNamesOpensslTreatsAsEqual()
    {
        // CN="Foo  Bar" as UTF8String and CN="foo bar" as PrintableString.
        byte[] a = Convert.FromHexString("3013311130" + "0f0603550403" + "0c08466f6f2020426172");
        byte[] b = Convert.FromHexString("3012311030" + "0e0603550403" + "1307666f6f20626172");
        Assert.Equal(X509NameHash.Canonical(a), X509NameHash.Canonical(b));
        Assert.Equal(X509NameHash.Hash(a), X509NameHash.Hash(b));
    }

    [Fact]
    public void Canonical_EmptyNameHashesEmptyInput()
    {
        Assert.Empty(X509NameHash.Canonical(new byte[] { 0x30, 0x00 }));
        // SHA-1 of nothing starts da39a3ee; read little-endian.
        Assert.Equal("eea339da", X509NameHash.HashHex(X509NameHash.Hash(new byte[] { 0x30, 0x00 })));
    }
}
