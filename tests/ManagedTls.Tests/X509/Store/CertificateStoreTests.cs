using System.Text;
using System.Text.Json;
using ManagedTls.Tests.SslFacade;
using ManagedTls.X509.Store;

namespace ManagedTls.Tests.X509.Store;

public class CertificateStoreTests
{
    private static string Pem(string name) => File.ReadAllText(Oracles.Cert($"pem/{name}.pem"));

    private static byte[] Der(string name) => File.ReadAllBytes(Oracles.Cert($"pem/{name}.der"));

    private static string TempFile(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), "managedtls-store-" + Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void LoadPemFile_BundleWithJunkCommentsAndDuplicates()
    {
        string path = TempFile("# a comment\njunk before\n" + Pem("ca") + "text between\n" + Pem("basic") + Pem("ca")
            + "-----BEGIN SOMETHING ELSE-----\nAAAA\n-----END SOMETHING ELSE-----\n" + Pem("intermediate") + "trailing junk");
        try
        {
            var store = new CertificateStore();
            Assert.Equal(4, store.LoadPemFile(path));
            Assert.Equal(new CertificateStoreStats(3, 0, 2), store.GetStats());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadPemFile_TrustedCertificateBlockAndCrl()
    {
        string path = TempFile(File.ReadAllText(Oracles.Cert("pem/ca-trusted.pem.txt")) + File.ReadAllText(Oracles.Cert("crl/ca.crl.pem")));
        try
        {
            var store = new CertificateStore();
            Assert.Equal(2, store.LoadPemFile(path));
            Assert.Equal(new CertificateStoreStats(1, 1, 1), store.GetStats());
            Assert.Equal(Der("ca"), store.GetCertificates()[0]);
            Assert.Single(store.GetCrls());
            var ca = RawCertificate.Parse(Der("ca"));
            Assert.Single(store.FindCrlsByIssuer(ca.SubjectDer));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadPemFile_ErrorsAsPythonRaisesThem()
    {
        var store = new CertificateStore();
        var missing = Assert.Throws<FileNotFoundException>(() => store.LoadPemFile("/nonexistent/managedtls.pem"));
        Assert.Equal("/nonexistent/managedtls.pem", missing.FileName);
        Assert.Throws<IOException>(() => store.LoadPemFile(Oracles.CertsDir));

        var none = Assert.Throws<CertificateStoreException>(() => store.LoadPemFile(Oracles.Cert("pem/ca.der")));
        Assert.Equal(("X509", "NO_CERTIFICATE_OR_CRL_FOUND", "no certificate or crl found"), (none.Library, none.Reason, none.Message));

        string broken = TempFile(Pem("ca") + "-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n" + Pem("basic"));
        string noEnd = TempFile(Pem("ca") + "-----BEGIN CERTIFICATE-----\nMIIB\n");
        try
        {
            foreach (string f in new[] { broken, noEnd })
            {
                var e = Assert.Throws<CertificateStoreException>(() => store.LoadPemFile(f));
                Assert.Equal(("X509", (string?)null, "PEM lib"), (e.Library, e.Reason, e.Message));
            }

            Assert.Equal(new CertificateStoreStats(0, 0, 0), store.GetStats());
        }
        finally
        {
            File.Delete(broken);
            File.Delete(noEnd);
        }
    }

    [Fact]
    public void LoadDerFile_LoadsOneCertificate()
    {
        var store = new CertificateStore();
        Assert.Equal(1, store.LoadDerFile(Oracles.Cert("pem/intermediate.der")));
        Assert.Equal(new CertificateStoreStats(1, 0, 1), store.GetStats());
        Assert.Throws<CertificateStoreException>(() => store.LoadDerFile(Oracles.Cert("pem/intermediate.pem")));
    }

    [Fact]
    public void AddCaData_PemTextAsPython()
    {
        var store = new CertificateStore();
        Assert.Equal(3, store.AddCaData(Pem("ca") + Pem("basic") + Pem("ca") + "junk at the end"));
        Assert.Equal(new CertificateStoreStats(2, 0, 1), store.GetStats());

        var trustedOnly = Assert.Throws<CertificateStoreException>(() => new CertificateStore().AddCaData(File.ReadAllText(Oracles.Cert("pem/ca-trusted.pem.txt"))));
        Assert.Equal("no start line: cadata does not contain a certificate", trustedOnly.Message);
        Assert.Null(trustedOnly.Library);

        var partial = new CertificateStore();
        var bad = Assert.Throws<CertificateStoreException>(() =>
            partial.AddCaData(Pem("ca") + "-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n"));
        Assert.Equal(("PEM", "BAD_BASE64_DECODE"), (bad.Library, bad.Reason));
        Assert.Equal(1, partial.GetStats().X509);

        Assert.Equal("Empty certificate data", Assert.Throws<ArgumentException>(() => store.AddCaData(string.Empty)).Message);
        Assert.Equal("cadata should be an ASCII string or a bytes-like object", Assert.Throws<ArgumentException>(() => store.AddCaData("é")).Message);
    }

    [Fact]
    public void AddCaData_DerBytesAsPython()
    {
        byte[] ca = Der("ca");
        byte[] basic = Der("basic");
        var store = new CertificateStore();
        Assert.Equal(3, store.AddCaData(ca.Concat(basic).Concat(ca).ToArray()));
        Assert.Equal(new CertificateStoreStats(2, 0, 1), store.GetStats());

        // Too few bytes left for a header: end of data, not an error.
        Assert.Equal(1, new CertificateStore().AddCaData(ca.Concat(new byte[] { 0x78 }).ToArray()));
        Assert.Equal(1, new CertificateStore().AddCaData(ca.Concat(new byte[] { 0x30, 0x82, 0x05 }).ToArray()));

        var partial = new CertificateStore();
        var truncated = Assert.Throws<CertificateStoreException>(() => partial.AddCaData(ca.Concat(basic.Take(100)).ToArray()));
        Assert.Equal(("ASN1", "NOT_ENOUGH_DATA", "not enough data"), (truncated.Library, truncated.Reason, truncated.Message));
        Assert.Equal(1, partial.GetStats().X509);

        var junk = Assert.Throws<CertificateStoreException>(() => new CertificateStore().AddCaData(Encoding.ASCII.GetBytes("hello")));
        Assert.Equal("not enough data: cadata does not contain a certificate", junk.Message);
        Assert.Equal("Empty certificate data", Assert.Throws<ArgumentException>(() => store.AddCaData(Array.Empty<byte>())).Message);
    }

    [Fact]
    public void Stats_CaCountingMatchesLivePython()
    {
        string[] names = Oracles.CertNames().ToArray();
        var store = new CertificateStore();
        foreach (string n in names)
        {
            store.AddCaData(Pem(n));
        }

        string python = Oracles.PythonOrRecorded(
            "ca-counting",
            "import ssl,sys,json\nc=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
            + "for n in sys.stdin.read().split(): c.load_verify_locations(cadata=open('pem/'+n+'.pem').read())\n"
            + "print(json.dumps(c.cert_store_stats()))\n"
            + "for d in c.get_ca_certs(True): print(d.hex())",
            string.Join("\n", names));
        // Recorded on CPython 3.11 / OpenSSL 3.0: ca, intermediate, kuca and v1root are CAs.
        Assert.Equal(new CertificateStoreStats(names.Length, 0, 4), store.GetStats());
        string[] lines = python.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stats = JsonSerializer.Deserialize<Dictionary<string, int>>(lines[0])!;
        Assert.Equal(stats, store.GetStats().ToDictionary());
        Assert.Equal(lines.Skip(1).ToArray(), store.GetCaCertificates().Select(d => Convert.ToHexString(d).ToLowerInvariant()).ToArray());
    }

    [Fact]
    public void HashedDirectory_IsReadLazilyAndCountedOnceUsed()
    {
        var store = new CertificateStore();
        store.AddHashedDirectory(Oracles.Cert("hashdir"));
        var dir = Assert.IsType<HashedDirectory>(Assert.Single(store.Sources));
        Assert.Equal(new CertificateStoreStats(0, 0, 0), store.GetStats());
        Assert.Equal(0, dir.FilesRead);

        var ca = RawCertificate.Parse(Der("ca"));
        // ca's hash has two files: .0 is ca, .1 is a certificate with another subject, which must not match.
        Assert.Equal(new[] { Der("ca") }, store.FindBySubject(ca.SubjectDer).ToArray());
        Assert.Equal(2, dir.FilesRead);
        Assert.Equal(new CertificateStoreStats(1, 0, 1), store.GetStats());

        Assert.Single(store.FindBySubject(ca.SubjectDer));
        Assert.Equal(2, dir.FilesRead);

        Assert.Single(store.FindCrlsByIssuer(ca.SubjectDer));
        Assert.Equal(1, store.GetStats().Crl);

        var unknown = RawCertificate.Parse(Der("basic"));
        Assert.Empty(store.FindBySubject(unknown.SubjectDer));
        Assert.Empty(new HashedDirectory("/nonexistent/dir").FindBySubject(unknown.SubjectDer));
    }

    [Fact]
    public void HashedDirectory_StatsMatchPythonBeforeUse()
    {
        var store = new CertificateStore();
        store.AddHashedDirectory(Oracles.Cert("hashdir") + Path.PathSeparator + "/nonexistent");
        Assert.Equal(2, store.Sources.Count);
        string python = Oracles.PythonOrRecorded(
            "capath-stats",
            "import ssl,json\nc=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.load_verify_locations(capath='hashdir')\n"
            + "print(json.dumps([c.cert_store_stats(), len(c.get_ca_certs())]))");
        Assert.Equal("[{\"x509\": 0, \"crl\": 0, \"x509_ca\": 0}, 0]", python.Trim());
        Assert.Equal(new CertificateStoreStats(0, 0, 0), store.GetStats());
    }

    [Fact]
    public void SystemBundle_LoadsLikePython()
    {
        string bundle = SystemTrustLocations.CandidateBundleFiles.FirstOrDefault(File.Exists) ?? Oracles.Cert("pem/ca.pem");
        var store = new CertificateStore();
        int count = store.LoadPemFile(bundle);
        Assert.True(count > 0);
        string? python = Oracles.Python(
            "import ssl,sys,json\nc=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.load_verify_locations(cafile=sys.argv[1] if len(sys.argv)>1 else sys.stdin.read())\n"
            + "print(json.dumps(c.cert_store_stats()))\nfor d in c.get_ca_certs(True): print(d.hex())",
            bundle);
        Assert.Equal(count, store.GetStats().X509 + store.GetStats().Crl);
        if (python is null)
        {
            return; // the system bundle differs per machine, so there is nothing recorded to compare with
        }

        string[] lines = python.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(JsonSerializer.Deserialize<Dictionary<string, int>>(lines[0])!, store.GetStats().ToDictionary());
        Assert.Equal(lines.Skip(1).ToArray(), store.GetCaCertificates().Select(d => Convert.ToHexString(d).ToLowerInvariant()).ToArray());
    }

    [Fact]
    public void PemReader_HeadersAndLabels()
    {
        string text = "x\n-----BEGIN X509 CRL-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: x\r\n\r\nAAEC\r\n-----END X509 CRL-----\r\n";
        var block = Assert.Single(ManagedTls.X509.Store.PemReader.Read(text));
        Assert.Equal("X509 CRL", block.Label);
        Assert.Equal(new byte[] { 0, 1, 2 }, block.Data);
        var e = Assert.Throws<CertificateStoreException>(() => ManagedTls.X509.Store.PemReader.Read("-----BEGIN A-----\nAAEC\n-----END B-----\n").ToList());
        Assert.Equal("BAD_END_LINE", e.Reason);
    }
}
