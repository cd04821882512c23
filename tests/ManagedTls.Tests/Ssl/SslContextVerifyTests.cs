using ManagedTls.Ssl;
using ManagedTls.X509.PeerCert;
using ManagedTls.X509.Store;

namespace ManagedTls.Tests.SslFacade;

[Collection("ProcessEnvironment")]
public class SslContextVerifyTests
{
    [Fact]
    public void ProtocolValuesArePythons()
    {
#pragma warning disable CS0618 // ssl.PROTOCOL_TLS is deprecated: this test is about it.
        Assert.Equal(2, (int)SslProtocol.Tls);
#pragma warning restore CS0618
        Assert.Equal(16, (int)SslProtocol.TlsClient);
        Assert.Equal(17, (int)SslProtocol.TlsServer);
        Assert.Equal(SslProtocol.TlsServer, new SslContext(SslProtocol.TlsServer).Protocol);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SslContext((SslProtocol)6)); // Python: ValueError, invalid or unsupported protocol version 6
    }

    [Fact]
    public void LoadVerifyLocations_ArgumentErrorsAsPython()
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        Assert.Equal("cafile, capath and cadata cannot be all omitted", Assert.Throws<ArgumentException>(() => ctx.LoadVerifyLocations()).Message);
        Assert.Equal("cadata should be an ASCII string or a bytes-like object",
            Assert.Throws<ArgumentException>(() => ctx.LoadVerifyLocations(cadata: 5)).Message);
        Assert.Equal("Empty certificate data", Assert.Throws<ArgumentException>(() => ctx.LoadVerifyLocations(cadata: string.Empty)).Message);
        Assert.Throws<FileNotFoundException>(() => ctx.LoadVerifyLocations("/nonexistent/file.pem"));
        Assert.Throws<IOException>(() => ctx.LoadVerifyLocations(Oracles.CertsDir));
    }

    [Fact]
    public void LoadVerifyLocations_StoreErrorsBecomeSslException()
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        var none = Assert.Throws<SslException>(() => ctx.LoadVerifyLocations(Oracles.Cert("pem/ca.der")));
        Assert.Equal(("X509", "NO_CERTIFICATE_OR_CRL_FOUND", "[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found"),
            (none.Library, none.Reason, none.Message));
        var noStart = Assert.Throws<SslException>(() => ctx.LoadVerifyLocations(cadata: "hello"));
        Assert.Equal("no start line: cadata does not contain a certificate", noStart.Message);
        Assert.Null(noStart.Library);
        var notEnough = Assert.Throws<SslException>(() => ctx.LoadVerifyLocations(cadata: new byte[] { 1, 2, 3 }));
        Assert.Equal("not enough data: cadata does not contain a certificate", notEnough.Message);
        Assert.IsType<CertificateStoreException>(notEnough.InnerException);
    }

    [Fact]
    public void CadataCafileCapath_StatsAndCaCertsMatchLivePython()
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        string pem = File.ReadAllText(Oracles.Cert("pem/intermediate.pem")) + File.ReadAllText(Oracles.Cert("pem/v1root.pem"));
        byte[] der = File.ReadAllBytes(Oracles.Cert("pem/kuca.der")).Concat(File.ReadAllBytes(Oracles.Cert("pem/basic.der"))).ToArray();
        ctx.LoadVerifyLocations(cadata: pem);
        ctx.LoadVerifyLocations(cadata: new ReadOnlyMemory<byte>(der));
        ctx.LoadVerifyLocations(Oracles.Cert("pem/ca.pem"), Oracles.Cert("hashdir"), File.ReadAllText(Oracles.Cert("pem/unicode.pem")));

        string output = Oracles.PythonOrRecorded(
            "context-cadata-cafile-capath",
            "import json,ssl\nc=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
            + "c.load_verify_locations(cadata=open('pem/intermediate.pem').read()+open('pem/v1root.pem').read())\n"
            + "c.load_verify_locations(cadata=open('pem/kuca.der','rb').read()+open('pem/basic.der','rb').read())\n"
            + "c.load_verify_locations('pem/ca.pem','hashdir',open('pem/unicode.pem').read())\n"
            + "print(json.dumps(c.cert_store_stats()))\nprint(json.dumps(c.get_ca_certs()))\nprint(json.dumps([d.hex() for d in c.get_ca_certs(True)]))");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stats = ctx.CertStoreStats();
        Assert.Equal(lines[0], $"{{\"x509\": {stats.X509}, \"crl\": {stats.Crl}, \"x509_ca\": {stats.X509Ca}}}");
        Assert.Equal(lines[1], PeerCertificate.ToJson(ctx.GetCaCerts()));
        Assert.Equal(lines[2], PeerCertificate.ToJson(ctx.GetCaCerts(binaryForm: true).Select(d => Convert.ToHexString((byte[])d).ToLowerInvariant())));
        Assert.Equal(new CertificateStoreStats(6, 0, 4), stats);
    }

    [Fact]
    public void VerifierView_CapathCountsOnlyOnceLookedUp()
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.LoadVerifyLocations(capath: Oracles.Cert("hashdir"));
        Assert.Equal(new CertificateStoreStats(0, 0, 0), ctx.CertStoreStats());
        Assert.Empty(ctx.GetCaCerts());
        Assert.Empty(ctx.TrustAnchorsDer);

        byte[] ca = File.ReadAllBytes(Oracles.Cert("pem/ca.der"));
        var subject = RawCertificate.Parse(ca).SubjectDer;
        var source = Assert.Single(ctx.CertificateSources);
        Assert.Equal(ca, Assert.Single(source.FindBySubject(subject)));
        Assert.Equal(new CertificateStoreStats(1, 0, 1), ctx.CertStoreStats());
        Assert.Equal(ca, Assert.Single(ctx.TrustAnchorsDer));
        Assert.Single(ctx.GetCaCerts());
        Assert.Single(ctx.CertStore.FindCrlsByIssuer(subject));
        Assert.Single(ctx.CrlsDer);
    }

    [Fact]
    public void LoadDefaultCerts_ReportsWhatItLoaded()
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        var result = ctx.LoadDefaultCerts(Purpose.ServerAuth);
        Assert.Equal(ctx.CertStoreStats().X509 > 0, result.FileLoaded is not null);
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.LoadDefaultCerts((Purpose)7));
    }
}

[Collection("ProcessEnvironment")]
public class SslContextCrlTests
{
    [Fact]
    public void CafileWithCrlAndTrustedCertificate_MatchesPython()
    {
        string bundle = Path.Combine(Path.GetTempPath(), "managedtls-crl-" + Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(bundle, File.ReadAllText(Oracles.Cert("crl/ca.crl.pem")) + "comment\n"
            + File.ReadAllText(Oracles.Cert("pem/ca-trusted.pem.txt")) + File.ReadAllText(Oracles.Cert("pem/basic.pem")));
        try
        {
            var ctx = new SslContext(SslProtocol.TlsServer);
            ctx.LoadVerifyLocations(bundle);
            string python = Oracles.PythonOrRecorded(
                "crl-cafile",
                "import json,ssl,sys\nc=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\nc.load_verify_locations(sys.stdin.read())\n"
                + "print(json.dumps(c.cert_store_stats()))\nprint(json.dumps(c.get_ca_certs()))",
                bundle);
            string[] lines = python.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var stats = ctx.CertStoreStats();
            Assert.Equal(lines[0], $"{{\"x509\": {stats.X509}, \"crl\": {stats.Crl}, \"x509_ca\": {stats.X509Ca}}}");
            Assert.Equal(lines[1], PeerCertificate.ToJson(ctx.GetCaCerts()));
            Assert.Equal(new CertificateStoreStats(2, 1, 1), stats);
            Assert.Single(ctx.CrlsDer);
        }
        finally
        {
            File.Delete(bundle);
        }
    }
}
