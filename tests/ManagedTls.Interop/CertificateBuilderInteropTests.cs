using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;
using ManagedTls.X509.Builder;

namespace ManagedTls.Interop;

/// <summary>
/// Certificates and keys from <see cref="CertificateBuilder"/> read by the openssl binary: <c>openssl verify</c> with
/// <c>-x509_strict</c>, host name, IP and purpose checks; <c>openssl x509 -text</c> shows the intended profile; <c>openssl pkey</c>
/// reads the PKCS#8 key; and <c>openssl s_server -cert/-key</c> serves with them to our client and to <c>openssl s_client</c>.
/// Every process and socket wait is bounded.
/// </summary>
public sealed class CertificateBuilderInteropTests : IDisposable
{
    private const int TimeoutMs = 15000;
    private readonly string _dir = Directory.CreateTempSubdirectory("mtls-builder-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<CertificateKeyAlgorithm, CertificateKeyAlgorithm> KeyPairs()
    {
        var data = new TheoryData<CertificateKeyAlgorithm, CertificateKeyAlgorithm>();
        foreach (CertificateKeyAlgorithm ca in Enum.GetValues<CertificateKeyAlgorithm>())
        {
            foreach (CertificateKeyAlgorithm leaf in Enum.GetValues<CertificateKeyAlgorithm>())
            {
                data.Add(ca, leaf);
            }
        }

        return data;
    }

    private (GeneratedCertificate Ca, GeneratedCertificate Leaf, string CaFile, string LeafFile, string KeyFile) Make(
        CertificateKeyAlgorithm caKey = CertificateKeyAlgorithm.EcdsaP256,
        CertificateKeyAlgorithm leafKey = CertificateKeyAlgorithm.EcdsaP256,
        CertificateBuilder? builder = null)
    {
        builder ??= new CertificateBuilder();
        builder.KeyAlgorithm = caKey;
        GeneratedCertificate ca = builder.CreateCertificateAuthority("Interop CA");
        GeneratedCertificate leaf = builder.CreateLeaf(ca, "localhost", ["localhost", "*.apps.example"], [IPAddress.Loopback], key: CertificateKeyPair.Generate(leafKey));
        string caFile = Write("ca.pem", ca.CertificatePem);
        string leafFile = Write("leaf.pem", leaf.CertificatePem);
        string keyFile = Write("leaf.key", leaf.Key.ExportPkcs8Pem());
        return (ca, leaf, caFile, leafFile, keyFile);
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [MemberData(nameof(KeyPairs))]
    public void OpenSslVerifiesTheChainWithNameAndPurposeChecks(CertificateKeyAlgorithm caKey, CertificateKeyAlgorithm leafKey)
    {
        var (_, _, caFile, leafFile, _) = Make(caKey, leafKey);
        foreach (string[] check in new[]
        {
            new[] { "-verify_hostname", "localhost", "-purpose", "sslserver" },
            ["-verify_hostname", "x.apps.example", "-purpose", "sslclient"],
            ["-verify_ip", "127.0.0.1"],
        })
        {
            string output = OpenSslProcess.RunText(["verify", "-x509_strict", "-CAfile", caFile, .. check, leafFile]);
            Assert.Equal($"{leafFile}: OK", output);
        }

        var mismatch = Assert.Throws<InvalidOperationException>(() => OpenSslProcess.RunText("verify", "-CAfile", caFile, "-verify_hostname", "other.example", leafFile));
        Assert.Contains("hostname mismatch", mismatch.Message);

        // The CA is a valid self-signed trust anchor on its own.
        Assert.Equal($"{caFile}: OK", OpenSslProcess.RunText("verify", "-x509_strict", "-CAfile", caFile, caFile));
    }

    [Fact]
    public void OpenSslShowsTheIntendedProfile()
    {
        var clock = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var builder = new CertificateBuilder(clock: () => clock) { Organization = "Interop Org", Validity = TimeSpan.FromDays(3) };
        var (ca, leaf, caFile, leafFile, _) = Make(builder: builder);

        string caText = OpenSslProcess.RunText("x509", "-in", caFile, "-noout", "-text");
        Assert.Contains("Version: 3 (0x2)", caText);
        Assert.Contains("Signature Algorithm: ecdsa-with-SHA256", caText);
        Assert.Contains("Issuer: O = Interop Org, CN = Interop CA", caText);
        Assert.Contains("Subject: O = Interop Org, CN = Interop CA", caText);
        Assert.Contains("X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0", caText);
        Assert.Contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign", caText);
        Assert.Contains("X509v3 Subject Key Identifier", caText);
        Assert.Contains("ASN1 OID: prime256v1", caText);

        string leafText = OpenSslProcess.RunText("x509", "-in", leafFile, "-noout", "-text");
        Assert.Contains("Issuer: O = Interop Org, CN = Interop CA", leafText);
        Assert.Contains("Subject: O = Interop Org, CN = localhost", leafText);
        Assert.Contains("X509v3 Basic Constraints: critical\n                CA:FALSE", leafText);
        Assert.Contains("X509v3 Key Usage: critical\n                Digital Signature", leafText);
        Assert.Contains("X509v3 Extended Key Usage: \n                TLS Web Server Authentication, TLS Web Client Authentication", leafText);
        Assert.Contains("X509v3 Subject Alternative Name: \n                DNS:localhost, DNS:*.apps.example, IP Address:127.0.0.1", leafText);
        Assert.Contains("X509v3 Authority Key Identifier", leafText);

        // The leaf's authority key identifier is the CA's subject key identifier.
        string caSki = Hex(ca.Key.KeyIdentifier());
        Assert.Contains(caSki, caText);
        Assert.Contains(caSki, leafText);
        Assert.Contains(Hex(leaf.Key.KeyIdentifier()), leafText);

        Assert.Equal($"serial={leaf.SerialNumber}", OpenSslProcess.RunText("x509", "-in", leafFile, "-noout", "-serial"));
        string dates = OpenSslProcess.RunText("x509", "-in", leafFile, "-noout", "-dates");
        Assert.Equal($"notBefore={OpenSslDate(clock.AddMinutes(-5))}\nnotAfter={OpenSslDate(clock.AddDays(3))}", dates);
    }

    [Theory]
    [InlineData(CertificateKeyAlgorithm.EcdsaP256)]
    [InlineData(CertificateKeyAlgorithm.EcdsaP384)]
    [InlineData(CertificateKeyAlgorithm.Ed25519)]
    public void OpenSslReadsTheKeys(CertificateKeyAlgorithm algorithm)
    {
        using CertificateKeyPair key = CertificateKeyPair.Generate(algorithm);
        string keyFile = Write("key.pem", key.ExportPkcs8Pem());
        Assert.Equal(key.ExportPublicKeyPem().Trim(), OpenSslProcess.RunText("pkey", "-in", keyFile, "-pubout"));

        // openssl's own PKCS#8 re-encoding of the key is byte for byte ours.
        Assert.Equal(key.ExportPkcs8Pem().Trim(), OpenSslProcess.RunText("pkey", "-in", keyFile));
        Assert.Contains("valid", OpenSslProcess.RunText("pkey", "-in", keyFile, "-check", "-noout"), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(CertificateKeyAlgorithm.EcdsaP256, "ecdsa_secp256r1_sha256", "ECDSA")]
    [InlineData(CertificateKeyAlgorithm.EcdsaP384, "ecdsa_secp384r1_sha384", "ECDSA")]
    [InlineData(CertificateKeyAlgorithm.Ed25519, "ed25519", "ed25519")]
    public void OpenSslServerUsesTheCertificateAndKey(CertificateKeyAlgorithm leafKey, string scheme, string opensslSignatureType)
    {
        var (ca, _, caFile, leafFile, keyFile) = Make(CertificateKeyAlgorithm.EcdsaP256, leafKey);
        int port = OpenSslProcess.FreePort();
        using Process server = OpenSslProcess.Start("openssl", [
            "s_server", "-accept", $"127.0.0.1:{port}", "-tls1_3", "-cert", leafFile, "-key", keyFile, "-www", "-naccept", "2",
        ]);
        try
        {
            // Our client, trusting only the CA, checking the host name.
            var ctx = new SslContext(SslProtocol.TlsClient);
            ctx.LoadVerifyLocations(cadata: ca.CertificatePem);
            using (SslSocket ssl = ctx.WrapSocket(Connect(port), serverHostname: "localhost"))
            {
                Assert.Equal("TLSv1.3", ssl.Version());
                Assert.Equal(scheme, ssl.SignatureScheme());
                Assert.Equal("x25519", ssl.Group());
                var peer = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(ssl.GetPeerCert());
                var subject = Assert.IsAssignableFrom<IEnumerable<IReadOnlyList<KeyValuePair<string, string>>>>(peer["subject"]);
                Assert.Contains(new KeyValuePair<string, string>("commonName", "localhost"), subject.SelectMany(rdn => rdn));
                ssl.SendAll(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"));
                Assert.StartsWith("HTTP/1.0 200 ok", Encoding.ASCII.GetString(ssl.Read(15)));
            }

            // openssl's client, with the same trust and name check, failing on any verification error.
            string brief = RunClient(["s_client", "-connect", $"127.0.0.1:{port}", "-CAfile", caFile, "-verify_hostname", "localhost", "-verify_return_error", "-brief"]);
            Assert.Contains("Verification: OK", brief);
            Assert.Contains("Peer certificate: CN = localhost", brief);
            Assert.Contains($"Signature type: {opensslSignatureType}", brief);
            Assert.True(server.WaitForExit(TimeoutMs), "s_server did not exit after two connections");
        }
        finally
        {
            OpenSslProcess.Kill(server, TimeoutMs);
        }
    }

    private static string RunClient(string[] args)
    {
        using Process client = OpenSslProcess.Start("openssl", args);
        Task<string> stdout = client.StandardOutput.ReadToEndAsync();
        Task<string> stderr = client.StandardError.ReadToEndAsync();
        client.StandardInput.Write("GET / HTTP/1.0\r\n\r\n");
        client.StandardInput.Close();
        if (!client.WaitForExit(TimeoutMs))
        {
            OpenSslProcess.Kill(client, TimeoutMs);
            throw new TimeoutException("openssl s_client did not finish");
        }

        string all = stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult();
        Assert.True(client.ExitCode == 0, all);
        return all;
    }

    private static Socket Connect(int port) => OpenSslProcess.ConnectWithRetry(port, TimeoutMs);

    private static string Hex(byte[] bytes) => string.Join(":", bytes.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    // openssl's ASN1_TIME_print: "May  6 07:03:09 2030 GMT" (day padded to two characters with a space).
    private static string OpenSslDate(DateTimeOffset t) =>
        t.UtcDateTime.ToString("MMM", CultureInfo.InvariantCulture) + " " + t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)
        + t.UtcDateTime.ToString(" HH:mm:ss yyyy", CultureInfo.InvariantCulture) + " GMT";
}
