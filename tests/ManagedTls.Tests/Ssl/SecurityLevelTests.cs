using System.Text.Json;
using ManagedTls.CipherSuites;
using ManagedTls.Ssl;
using ManagedTls.Wire;
using ManagedTls.X509;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Tests.SslFacade;

/// <summary>
/// <c>SslContext.SecurityLevel</c> beyond the cipher list (decision 0028): the peer's chain in verification, our own chain
/// in <c>LoadCertChain</c>, a TLS 1.2 server's DHE prime and the signature schemes. Certificates are made by the openssl
/// CLI in a temporary directory (1024-, 2040-, 2048- and 3072-bit RSA, P-256 and P-384, SHA-1 signatures, weak CAs and
/// roots); each outcome is compared with <c>openssl verify -auth_level</c> and with Python 3.11 on OpenSSL 3.0 (live, or
/// its recorded answers in vectors/certs/recorded/security-level-*.txt).
/// </summary>
public sealed class SecurityLevelTests : IDisposable
{
    // Leaf, the intermediates sent with it ("" for none), the trusted root.
    private static readonly (string Leaf, string Chain, string Root)[] Chains =
    [
        ("ee1024", "", "ca"),
        ("ee2040", "", "ca"),
        ("ee2048", "", "ca"),
        ("ee3072", "", "ca"),
        ("eesha1", "", "ca"),
        ("eep256", "", "ca"),
        ("eep384", "", "ca"),
        ("eeunder1024", "ca1024", "ca"),
        ("eeundersha1ca", "casha1", "ca"),
        ("eeundersha1root", "", "rootsha1"),
        ("eeunderroot1024", "", "root1024"),
    ];

    private const string HandshakeScript = """
import ssl, sys, json
d = sys.stdin.read().strip()
def run(leaf, chain, root, level):
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.set_ciphers("DEFAULT:@SECLEVEL=0")
    s.load_cert_chain(f"{d}/{leaf}-chain.pem", f"{d}/{leaf}.key")
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.set_ciphers(f"DEFAULT:@SECLEVEL={level}")
    c.load_verify_locations(f"{d}/{root}.pem")
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    cl = c.wrap_bio(ci, co, server_hostname="a.example"); sv = s.wrap_bio(si, so, server_side=True)
    for _ in range(10):
        try:
            cl.do_handshake()
            return "ok"
        except ssl.SSLCertVerificationError as e:
            return [e.verify_code, e.verify_message]
        except ssl.SSLWantReadError:
            pass
        si.write(co.read())
        try:
            sv.do_handshake()
        except ssl.SSLError:
            pass
        ci.write(so.read())
    return None
for case in CASES:
    print(json.dumps(run(*case)))
""";

    private const string LoadScript = """
import ssl, sys, json
d = sys.stdin.read().strip()
def load(leaf, level):
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.set_ciphers(f"DEFAULT:@SECLEVEL={level}")
    try:
        s.load_cert_chain(f"{d}/{leaf}-chain.pem", f"{d}/{leaf}.key"); return "ok"
    except ssl.SSLError as e:
        m = str(e); m = m[:m.index(" (_ssl.c")] if " (_ssl.c" in m else m
        return m
for case in CASES:
    print(json.dumps(load(*case)))
""";

    private readonly string _dir = Directory.CreateTempSubdirectory("seclevel").FullName;

    public SecurityLevelTests() => MakeCertificates(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The verifier at every level against <c>openssl verify -auth_level</c>: the same code at the same depth.</summary>
    [Fact]
    public void VerifierAgreesWithOpenSslVerifyAtEveryLevel()
    {
        int compared = 0;
        foreach (var (leaf, chain, root) in Chains)
        {
            for (int level = 0; level <= 5; level++)
            {
                var args = new List<string> { "verify", "-auth_level", level.ToString(System.Globalization.CultureInfo.InvariantCulture), "-CAfile", P(root + ".pem") };
                if (chain.Length > 0)
                {
                    args.AddRange(["-untrusted", P(chain + ".pem")]);
                }

                args.Add(P(leaf + ".pem"));
                (int code, int depth) = OpenSslVerify(args);

                VerifyResult ours = CertificateVerifier.Verify(new VerifyRequest
                {
                    PeerChain = chain.Length > 0 ? [Der(leaf), Der(chain)] : [Der(leaf)],
                    Trust = new TrustStore([Der(root)]),
                    SecurityLevel = level,
                });
                Assert.True((code, depth) == ((int)ours.Error, ours.IsValid ? -1 : ours.ErrorDepth), $"{leaf} at level {level}: openssl {code} at {depth}, ours {(int)ours.Error} at {ours.ErrorDepth} ({ours.Detail})");
                compared++;
            }
        }

        Assert.Equal(Chains.Length * 6, compared);
    }

    /// <summary>A client handshake at levels 0 to 3 against servers with each chain, as Python's client reports it.</summary>
    [Fact]
    public void ClientVerificationAtEachLevelReadsAsPythons()
    {
        var cases = Chains.SelectMany(c => new[] { 0, 1, 2, 3 }.Select(level => (c.Leaf, c.Chain, c.Root, Level: level))).ToArray();
        string casesJson = JsonSerializer.Serialize(cases.Select(c => new object[] { c.Leaf, c.Chain, c.Root, c.Level }));
        string[] python = Oracles.PythonOrRecorded("security-level-handshakes", HandshakeScript.Replace("CASES", casesJson, StringComparison.Ordinal), _dir)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Length, python.Length);

        // A few answers written out, so the test says what OpenSSL 3.0 does even where python3 is absent.
        Assert.Equal("\"ok\"", python[Index(cases, "ee1024", 1)]);
        Assert.Equal("[66, \"EE certificate key too weak\"]", python[Index(cases, "ee1024", 2)]);
        Assert.Equal("\"ok\"", python[Index(cases, "eesha1", 0)]);
        Assert.Equal("[68, \"CA signature digest algorithm too weak\"]", python[Index(cases, "eesha1", 1)]);
        Assert.Equal("[67, \"CA certificate key too weak\"]", python[Index(cases, "eeunder1024", 2)]);
        Assert.Equal("\"ok\"", python[Index(cases, "eeundersha1root", 2)]);
        Assert.Equal("[67, \"CA certificate key too weak\"]", python[Index(cases, "eep256", 3)]);

        for (int i = 0; i < cases.Length; i++)
        {
            Assert.True(python[i] == OurHandshake(cases[i].Leaf, cases[i].Root, cases[i].Level), $"{cases[i]}: python {python[i]}, ours {OurHandshake(cases[i].Leaf, cases[i].Root, cases[i].Level)}");
        }
    }

    /// <summary>LoadCertChain refuses our own weak chain with Python's reasons (EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL, CA_MD_TOO_WEAK).</summary>
    [Fact]
    public void LoadCertChainJudgesOurChainAsPython()
    {
        (string Leaf, int Level)[] cases = Chains.SelectMany(c => new[] { 0, 1, 2, 3, 4 }.Select(level => (c.Leaf, Level: level)))
            .Concat([("rootsha1", 2), ("root1024", 2), ("root1024", 1)]).ToArray();
        string casesJson = JsonSerializer.Serialize(cases.Select(c => new object[] { c.Leaf, c.Level }));
        string[] python = Oracles.PythonOrRecorded("security-level-load", LoadScript.Replace("CASES", casesJson, StringComparison.Ordinal), _dir)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Length, python.Length);
        Assert.Equal("\"[SSL: EE_KEY_TOO_SMALL] ee key too small\"", python[Array.IndexOf(cases, ("ee1024", 2))]);
        Assert.Equal("\"[SSL: CA_MD_TOO_WEAK] ca md too weak\"", python[Array.IndexOf(cases, ("eesha1", 1))]);
        Assert.Equal("\"[SSL: CA_KEY_TOO_SMALL] ca key too small\"", python[Array.IndexOf(cases, ("eeunder1024", 2))]);
        Assert.Equal("\"ok\"", python[Array.IndexOf(cases, ("rootsha1", 2))]);

        for (int i = 0; i < cases.Length; i++)
        {
            var context = new SslContext(SslProtocol.TlsServer);
            context.SetCiphers($"DEFAULT:@SECLEVEL={cases[i].Level}");
            string ours;
            try
            {
                context.LoadCertChain(P(cases[i].Leaf + "-chain.pem"), P(cases[i].Leaf + ".key"));
                ours = "\"ok\"";
            }
            catch (SslException e)
            {
                ours = JsonSerializer.Serialize(e.Message);
            }

            Assert.True(python[i] == ours, $"{cases[i]}: python {python[i]}, ours {ours}");
        }
    }

    /// <summary>
    /// A TLS 1.2 client refuses a 1024-bit DHE prime at level 2 with Python's <c>[SSL: DH_KEY_TOO_SMALL] dh key too small</c>
    /// and accepts it at level 1.
    /// </summary>
    [Fact]
    public void ClientRefusesASmallDhePrimeAsPython()
    {
        DHParameters modp1024 = DHStandardGroups.rfc2409_1024;
        string pem = "-----BEGIN DH PARAMETERS-----\n"
            + Convert.ToBase64String(new DerSequence(new DerInteger(modp1024.P), new DerInteger(modp1024.G)).GetEncoded(), Base64FormattingOptions.InsertLineBreaks)
            + "\n-----END DH PARAMETERS-----\n";
        File.WriteAllText(P("dh1024.pem"), pem);
        const string Script = """
import ssl, sys, json
d = sys.stdin.read().strip()
def run(level):
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.set_ciphers("DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0")
    s.load_cert_chain(f"{d}/ee2048-chain.pem", f"{d}/ee2048.key"); s.load_dh_params(f"{d}/dh1024.pem")
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.set_ciphers(f"DHE-RSA-AES128-GCM-SHA256:@SECLEVEL={level}")
    c.maximum_version = ssl.TLSVersion.TLSv1_2; c.load_verify_locations(f"{d}/ca.pem")
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    cl = c.wrap_bio(ci, co, server_hostname="a.example"); sv = s.wrap_bio(si, so, server_side=True)
    for _ in range(10):
        try:
            cl.do_handshake(); return "ok"
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError as e:
            m = str(e); return m[:m.index(" (_ssl.c")] if " (_ssl.c" in m else m
        si.write(co.read())
        try:
            sv.do_handshake()
        except ssl.SSLError:
            pass
        ci.write(so.read())
for level in [1, 2]:
    print(json.dumps(run(level)))
""";
        string[] python = Oracles.PythonOrRecorded("security-level-dhe", Script, _dir).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["\"ok\"", "\"[SSL: DH_KEY_TOO_SMALL] dh key too small\""], python);

        string[] ours = new[] { 1, 2 }.Select(level =>
        {
            var server = new SslContext(SslProtocol.TlsServer);
            server.SetCiphers("DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0");
            server.LoadCertChain(P("ee2048-chain.pem"), P("ee2048.key"));
            server.LoadDhParams(P("dh1024.pem"));
            var client = new SslContext(SslProtocol.TlsClient);
            client.SetCiphers($"DHE-RSA-AES128-GCM-SHA256:@SECLEVEL={level}");
            client.MaximumVersion = TlsVersion.TlsV1_2;
            client.LoadVerifyLocations(P("ca.pem"));

            // Without RFC 7919 groups in supported_groups, so our server uses the loaded prime (it prefers a named group
            // the client offers), as OpenSSL's server always does.
            client.SetGroups("X25519:P-256");
            return JsonSerializer.Serialize(Handshake(client, server, "a.example") ?? "ok");
        }).ToArray();
        Assert.Equal(python, ours);
    }

    /// <summary>
    /// The signature_algorithms a context offers at each level: what <c>openssl s_client -trace</c> (OpenSSL 3.0.19) sends
    /// with <c>@SECLEVEL=n</c>, less the schemes not implemented here (ecdsa_sha224, rsa_pkcs1_sha224, dsa_*).
    /// </summary>
    [Fact]
    public void SignatureSchemesFollowTheLevelAsOpenSsl()
    {
        string[] all = ["ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512", "ed25519", "ed448", "rsa_pss_pss_sha256",
            "rsa_pss_pss_sha384", "rsa_pss_pss_sha512", "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512", "rsa_pkcs1_sha256",
            "rsa_pkcs1_sha384", "rsa_pkcs1_sha512"];
        var expected = new Dictionary<int, string[]>
        {
            [0] = [.. all, "ecdsa_sha1", "rsa_pkcs1_sha1"],
            [1] = all,
            [2] = all,
            [3] = all,
            [4] = ["ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512", "ed448", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512", "rsa_pss_rsae_sha384",
                "rsa_pss_rsae_sha512", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512"],
            [5] = ["ecdsa_secp521r1_sha512", "rsa_pss_pss_sha512", "rsa_pss_rsae_sha512", "rsa_pkcs1_sha512"],
        };
        foreach (var (level, names) in expected)
        {
            var context = new SslContext(SslProtocol.TlsClient);
            context.SetCiphers($"DEFAULT:@SECLEVEL={level}");
            IReadOnlyList<SignatureScheme> frozen = context.Freeze(serverSide: false).SignatureSchemes;
            Assert.Equal(names, frozen.Select(s => SignatureSchemes.Find(s)!.Name).ToArray());
        }
    }

    /// <summary>
    /// The supported_groups a context offers at each level: what <c>openssl s_client -trace</c> (OpenSSL 3.0.19) sends with
    /// <c>@SECLEVEL=4</c> (x448, secp521r1, secp384r1, ffdhe8192) and <c>@SECLEVEL=5</c> (secp521r1); all ten at level 2.
    /// </summary>
    [Fact]
    public void GroupsFollowTheLevelAsOpenSsl()
    {
        var expected = new Dictionary<int, string[]>
        {
            [2] = ["x25519", "secp256r1", "x448", "secp521r1", "secp384r1", "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"],
            [4] = ["x448", "secp521r1", "secp384r1", "ffdhe8192"],
            [5] = ["secp521r1"],
        };
        foreach (var (level, names) in expected)
        {
            var context = new SslContext(SslProtocol.TlsClient);
            context.SetCiphers($"DEFAULT:@SECLEVEL={level}");
            Assert.Equal(names, context.Freeze(serverSide: false).Groups.Select(g => g.Name).ToArray());
        }
    }

    private static int Index((string Leaf, string Chain, string Root, int Level)[] cases, string leaf, int level) =>
        Array.FindIndex(cases, c => c.Leaf == leaf && c.Level == level);

    private string OurHandshake(string leaf, string root, int level)
    {
        var server = new SslContext(SslProtocol.TlsServer);
        server.SetCiphers("DEFAULT:@SECLEVEL=0");
        server.LoadCertChain(P(leaf + "-chain.pem"), P(leaf + ".key"));
        var client = new SslContext(SslProtocol.TlsClient);
        client.SetCiphers($"DEFAULT:@SECLEVEL={level}");
        client.LoadVerifyLocations(P(root + ".pem"));
        try
        {
            return Handshake(client, server, "a.example") is { } text ? "unexpected: " + text : "\"ok\"";
        }
        catch (SslCertVerificationException e)
        {
            return $"[{(int)e.VerifyCode}, {JsonSerializer.Serialize(e.VerifyMessage)}]";
        }
    }

    /// <summary>Runs a handshake over memory BIOs; null when the client completes, else the client's error text. Verify errors propagate.</summary>
    private static string? Handshake(SslContext client, SslContext server, string host)
    {
        MemoryBio ci = new(), co = new(), si = new(), so = new();
        SslObject cl = client.WrapBio(ci, co, serverHostname: host);
        SslObject sv = server.WrapBio(si, so, serverSide: true);
        for (int round = 0; round < 10; round++)
        {
            try
            {
                cl.DoHandshake();
                return null;
            }
            catch (SslWantReadException)
            {
            }
            catch (SslCertVerificationException)
            {
                throw;
            }
            catch (SslException e)
            {
                return e.Message;
            }

            si.Write(co.Read());
            try
            {
                sv.DoHandshake();
            }
            catch (SslException)
            {
            }

            ci.Write(so.Read());
        }

        return "the handshake did not finish";
    }

    private (int Code, int Depth) OpenSslVerify(IEnumerable<string> args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEndAsync().Result + p.StandardError.ReadToEndAsync().Result;
        Assert.True(p.WaitForExit(30_000), "openssl verify did not finish");
        var m = System.Text.RegularExpressions.Regex.Match(output, @"error (\d+) at (\d+) depth");
        return m.Success ? (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))
            : output.Contains(": OK", StringComparison.Ordinal) ? (0, -1) : throw new InvalidOperationException("openssl verify said: " + output);
    }

    private string P(string name) => Path.Combine(_dir, name);

    private byte[] Der(string name) => ManagedTls.X509.Store.PemReader.Read(File.ReadAllText(P(name + ".pem"))).First().Data;

    private static void MakeCertificates(string d)
    {
        string P(string name) => Path.Combine(d, name);
        void Openssl(params string[] args) => Oracles.Run("openssl", args);
        string[] caExt = ["-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
        void Root(string name, string key, string md) =>
            Openssl(["req", "-x509", "-newkey", key, "-nodes", "-keyout", P(name + ".key"), "-out", P(name + ".pem"), "-days", "3650", "-subj", "/CN=" + name, "-" + md, .. caExt]);
        File.WriteAllText(P("ee.ext"), "basicConstraints=CA:false\nsubjectAltName=DNS:a.example\n");
        File.WriteAllText(P("ca.ext"), "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n");
        void Issue(string name, string key, string issuer, string md, string ext)
        {
            Openssl("req", "-new", "-newkey", key, "-nodes", "-keyout", P(name + ".key"), "-out", P(name + ".csr"), "-subj", "/CN=" + name);
            Openssl("x509", "-req", "-in", P(name + ".csr"), "-CA", P(issuer + ".pem"), "-CAkey", P(issuer + ".key"), "-CAcreateserial",
                "-out", P(name + ".pem"), "-days", "365", "-" + md, "-extfile", P(ext));
        }

        Openssl("ecparam", "-name", "prime256v1", "-out", P("p256.param"));
        Openssl("ecparam", "-name", "secp384r1", "-out", P("p384.param"));
        Root("ca", "rsa:2048", "sha256");
        Root("rootsha1", "rsa:2048", "sha1");
        Root("root1024", "rsa:1024", "sha256");
        Issue("ca1024", "rsa:1024", "ca", "sha256", "ca.ext");
        Issue("casha1", "rsa:2048", "ca", "sha1", "ca.ext");
        Issue("ee1024", "rsa:1024", "ca", "sha256", "ee.ext");
        Issue("ee2040", "rsa:2040", "ca", "sha256", "ee.ext");
        Issue("ee2048", "rsa:2048", "ca", "sha256", "ee.ext");
        Issue("ee3072", "rsa:3072", "ca", "sha256", "ee.ext");
        Issue("eesha1", "rsa:2048", "ca", "sha1", "ee.ext");
        Issue("eep256", "ec:" + P("p256.param"), "ca", "sha256", "ee.ext");
        Issue("eep384", "ec:" + P("p384.param"), "ca", "sha384", "ee.ext");
        Issue("eeunder1024", "rsa:2048", "ca1024", "sha256", "ee.ext");
        Issue("eeundersha1ca", "rsa:2048", "casha1", "sha256", "ee.ext");
        Issue("eeundersha1root", "rsa:2048", "rootsha1", "sha256", "ee.ext");
        Issue("eeunderroot1024", "rsa:2048", "root1024", "sha256", "ee.ext");
        foreach (var (leaf, chain, _) in Chains)
        {
            File.WriteAllText(P(leaf + "-chain.pem"), File.ReadAllText(P(leaf + ".pem")) + (chain.Length > 0 ? File.ReadAllText(P(chain + ".pem")) : string.Empty));
        }

        foreach (string root in new[] { "rootsha1", "root1024" })
        {
            File.WriteAllText(P(root + "-chain.pem"), File.ReadAllText(P(root + ".pem")));
        }
    }
}
