using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <c>load_cert_chain</c> called for several key types keeps one chain per type and serves the one the client can verify,
/// as Python 3.11 on OpenSSL 3.0 (live, and recorded for machines without python3). Each line: scenario, the first
/// failure reason, the key type of the leaf the client got, the suite.
/// </summary>
public sealed class CertificateChainsTests : IClassFixture<FacadeMatrixPki>
{
    // python3 with the script below, d = a FacadeMatrixPki directory (Python 3.11.7, OpenSSL 3.0.19). Python's server
    // prefers its own suite order (OP_CIPHER_SERVER_PREFERENCE) and its default cipher string has no RSA key transport.
    // OpenSSL 3.0 does not read the Ed25519 key file the fixture writes (BouncyCastle's PKCS#8), so Ed25519 is covered
    // by the engine's tests (Handshake/ServerCredentialSelectionTests) and by AnSniSwitchServesTheChainsOfTheNewContext.
    internal const string Recorded = """
        rsa-then-ec-13 None EcdsaP256 TLS_AES_256_GCM_SHA384
        ec-then-rsa-13 None EcdsaP256 TLS_AES_256_GCM_SHA384
        p256-then-p384-13 None EcdsaP384 TLS_AES_256_GCM_SHA384
        rsa-then-ec-12 None EcdsaP256 ECDHE-ECDSA-AES256-GCM-SHA384
        rsa-then-ec-12-rsa-suite None Rsa2048 ECDHE-RSA-AES128-GCM-SHA256
        rsa-then-ec-12-ecdsa-suite None EcdsaP256 ECDHE-ECDSA-AES128-GCM-SHA256
        rsa-then-ec-12-rsa-kx NO_SHARED_CIPHER None None
        rsa-then-ec-12-client-order None Rsa2048 ECDHE-RSA-AES128-GCM-SHA256
        ec-only-12-rsa-suite NO_SHARED_CIPHER None None
        """;

    private const string Script = """
        import ssl
        def bios(): return ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
        leaves = {}
        for k in ('Rsa2048', 'EcdsaP256', 'EcdsaP384', 'Ed25519'):
            leaves[ssl.PEM_cert_to_DER_cert(open(f'{d}/{k}.crt.pem').read())] = k
        def run(name, kinds, tls12=False, ciphers=None, pref=True):
            s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            for k in kinds: s.load_cert_chain(f'{d}/{k}.crt.pem', f'{d}/{k}.key.pem')
            if not pref: s.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(f'{d}/root.pem')
            if tls12: c.maximum_version = ssl.TLSVersion.TLSv1_2
            if ciphers: c.set_ciphers(ciphers)
            ci, co, si, so = bios()
            cc = c.wrap_bio(ci, co, server_hostname='localhost'); ss = s.wrap_bio(si, so, server_side=True)
            err = None
            for i in range(8):
                for o in (cc, ss):
                    try: o.do_handshake()
                    except ssl.SSLWantReadError: pass
                    except ssl.SSLError as e: err = err or e.reason
                si.write(co.read()); ci.write(so.read())
            print(name, err, leaves.get(cc.getpeercert(True)) if err is None else None, cc.cipher()[0] if err is None else None)
        run('rsa-then-ec-13', ['Rsa2048', 'EcdsaP256'])
        run('ec-then-rsa-13', ['EcdsaP256', 'Rsa2048'])
        run('p256-then-p384-13', ['EcdsaP256', 'EcdsaP384'])
        run('rsa-then-ec-12', ['Rsa2048', 'EcdsaP256'], True)
        run('rsa-then-ec-12-rsa-suite', ['Rsa2048', 'EcdsaP256'], True, 'ECDHE-RSA-AES128-GCM-SHA256')
        run('rsa-then-ec-12-ecdsa-suite', ['Rsa2048', 'EcdsaP256'], True, 'ECDHE-ECDSA-AES128-GCM-SHA256')
        run('rsa-then-ec-12-rsa-kx', ['Rsa2048', 'EcdsaP256'], True, 'AES128-GCM-SHA256')
        run('rsa-then-ec-12-client-order', ['Rsa2048', 'EcdsaP256'], True, 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256', pref=False)
        run('ec-only-12-rsa-suite', ['EcdsaP256'], True, 'ECDHE-RSA-AES128-GCM-SHA256')
        """;

    private static readonly string[] Kinds = ["Rsa2048", "EcdsaP256", "EcdsaP384", "Ed25519"];

    private readonly FacadeMatrixPki _pki;

    public CertificateChainsTests(FacadeMatrixPki pki) => _pki = pki;

    private static string Expected => Recorded.Replace("\r", string.Empty, StringComparison.Ordinal).Trim();

    [Fact]
    public void LivePythonGivesTheRecordedAnswers() =>
        Assert.Equal(Expected, PythonOracle.Run("d = " + ContextConfigTests.Py(_pki.Directory) + "\n" + Script)!.Replace("\r", string.Empty, StringComparison.Ordinal));

    [Fact]
    public void TheFacadeServesWhatPythonServes()
    {
        string[] lines =
        [
            Run("rsa-then-ec-13", ["Rsa2048", "EcdsaP256"]),
            Run("ec-then-rsa-13", ["EcdsaP256", "Rsa2048"]),
            Run("p256-then-p384-13", ["EcdsaP256", "EcdsaP384"]),
            Run("rsa-then-ec-12", ["Rsa2048", "EcdsaP256"], tls12: true),
            Run("rsa-then-ec-12-rsa-suite", ["Rsa2048", "EcdsaP256"], true, "ECDHE-RSA-AES128-GCM-SHA256"),
            Run("rsa-then-ec-12-ecdsa-suite", ["Rsa2048", "EcdsaP256"], true, "ECDHE-ECDSA-AES128-GCM-SHA256"),
            Run("rsa-then-ec-12-rsa-kx", ["Rsa2048", "EcdsaP256"], true, "AES128-GCM-SHA256"),
            Run("rsa-then-ec-12-client-order", ["Rsa2048", "EcdsaP256"], true, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256", preference: false),
            Run("ec-only-12-rsa-suite", ["EcdsaP256"], true, "ECDHE-RSA-AES128-GCM-SHA256"),
        ];
        Assert.Equal(Expected, string.Join("\n", lines));
    }

    [Fact]
    public void CertificateChainIsTheLastLoadedAndCertificateChainsHoldsOnePerType()
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        Assert.Empty(ctx.CertificateChain);
        Assert.Empty(ctx.CertificateChains);
        Load(ctx, "Ed25519");
        Load(ctx, "EcdsaP256");
        Load(ctx, "Rsa2048");
        Assert.Equal(Leaf("Rsa2048"), ctx.CertificateChain[0]);
        Assert.Equal([Leaf("Rsa2048"), Leaf("EcdsaP256"), Leaf("Ed25519")], ctx.CertificateChains.Select(c => c[0]));

        // A second chain of a type already loaded replaces it (all ECDSA curves are one type, as in OpenSSL).
        Load(ctx, "EcdsaP384");
        Assert.Equal(Leaf("EcdsaP384"), ctx.CertificateChain[0]);
        Assert.Equal([Leaf("Rsa2048"), Leaf("EcdsaP384"), Leaf("Ed25519")], ctx.CertificateChains.Select(c => c[0]));

        // Copies: changing what was returned changes nothing.
        ctx.CertificateChains[0][0][0] ^= 0xFF;
        Assert.Equal(Leaf("Rsa2048"), ctx.CertificateChains[0][0]);
    }

    [Fact]
    public void AClientPresentsTheChainLoadedLast()
    {
        SslContext server = new(SslProtocol.TlsServer) { VerifyMode = VerifyMode.CertRequired };
        Load(server, "Rsa2048");
        server.LoadVerifyLocations(cafile: _pki.RootFile);
        SslContext client = Client(false, null);
        Load(client, "Rsa2048");
        Load(client, "Ed25519");
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = client.WrapBio(bios[0], bios[1], serverHostname: "localhost");
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c, s, bios));
        Assert.Equal(Leaf("Ed25519"), s.GetPeerCert(binaryForm: true));
    }

    [Fact]
    public void AnSniSwitchServesTheChainsOfTheNewContext()
    {
        SslContext server = new(SslProtocol.TlsServer);
        Load(server, "Rsa2048");
        SslContext other = new(SslProtocol.TlsServer);
        Load(other, "Rsa2048");
        Load(other, "Ed25519");
        server.SniCallback = (conn, _, _) =>
        {
            ((SslObject)conn).Context = other;
            return null;
        };
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = Client(false, null).WrapBio(bios[0], bios[1], serverHostname: "localhost");
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c, s, bios));
        Assert.Equal(Leaf("Ed25519"), c.GetPeerCert(binaryForm: true));
    }

    [Fact]
    public void ATls12SessionResumesWithSeveralChains()
    {
        SslContext server = new(SslProtocol.TlsServer);
        Load(server, "Rsa2048");
        Load(server, "EcdsaP256");
        SslContext client = Client(true, "ECDHE-RSA-AES128-GCM-SHA256");
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = client.WrapBio(bios[0], bios[1], serverHostname: "localhost");
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c, s, bios));
        SslSession session = c.Session!;

        MemoryBio[] again = [new(), new(), new(), new()];
        SslObject c2 = client.WrapBio(again[0], again[1], serverHostname: "localhost", session: session);
        SslObject s2 = server.WrapBio(again[2], again[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c2, s2, again));
        Assert.True(c2.SessionReused);
        Assert.Equal("ECDHE-RSA-AES128-GCM-SHA256", c2.Cipher()!.Value.Name);
        Assert.Equal(Leaf("Rsa2048"), c2.GetPeerCert(binaryForm: true));
    }

    private void Load(SslContext ctx, string kind) =>
        ctx.LoadCertChain(Path.Combine(_pki.Directory, kind + ".crt.pem"), Path.Combine(_pki.Directory, kind + ".key.pem"));

    private byte[] Leaf(string kind) => ServerNameCallbackFacadeTests.Der(File.ReadAllText(Path.Combine(_pki.Directory, kind + ".crt.pem")));

    private SslContext Client(bool tls12, string? ciphers)
    {
        var c = new SslContext(SslProtocol.TlsClient);
        c.LoadVerifyLocations(cafile: _pki.RootFile);
        if (tls12)
        {
            c.MaximumVersion = TlsVersion.TlsV1_2;
        }

        if (ciphers is not null)
        {
            c.SetCiphers(ciphers);
        }

        return c;
    }

    private string Run(string name, string[] kinds, bool tls12 = false, string? ciphers = null, bool preference = true)
    {
        var server = new SslContext(SslProtocol.TlsServer);
        foreach (string k in kinds)
        {
            Load(server, k);
        }

        if (!preference)
        {
            server.Options &= ~SslOptions.CipherServerPreference;
        }

        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = Client(tls12, ciphers).WrapBio(bios[0], bios[1], serverHostname: "localhost");
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        var (ce, se) = ServerNameCallbackFacadeTests.Handshake(c, s, bios);
        string? error = ((se ?? ce) as SslException)?.Reason;
        if (se is null && ce is null)
        {
            byte[] leaf = (byte[])c.GetPeerCert(binaryForm: true)!;
            string kind = Kinds.Single(k => Leaf(k).AsSpan().SequenceEqual(leaf));
            return $"{name} None {kind} {c.Cipher()!.Value.Name}";
        }

        return $"{name} {error ?? "None"} None None";
    }
}
