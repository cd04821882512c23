using ManagedTls.CipherSuites;
using ManagedTls.Ssl;

namespace ManagedTls.Interop.Peers;

/// <summary>
/// GnuTLS (gnutls-cli and gnutls-serv, TLS 1.2 only through <c>--priority NORMAL:-VERS-ALL:+VERS-TLS1.2:...</c>) against
/// our facade, both ways, over loopback: ECDHE-ECDSA, ECDHE-RSA, DHE-RSA and RSA key transport with GCM, ChaCha20 and
/// CBC, encrypt-then-MAC on and off (<c>%NO_ETM</c>), extended master secret on and off (<c>%NO_SESSION_HASH</c>),
/// client certificates. GnuTLS reports the version, key exchange, cipher, its options and tls-unique; ours must agree.
/// </summary>
[Collection(PeersCollection.Name)]
public sealed class GnuTls12InteropTests(PeerCertificates certs)
{
    /// <summary>
    /// A case: what the priority string adds to TLS 1.2 only, the suite that must result (OpenSSL name), the server key,
    /// whether EtM and EMS must be in use, a client certificate.
    /// </summary>
    public static TheoryData<string, string, string, bool, bool, bool> Cases() => new()
    {
        { "-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-GCM", "ECDHE-ECDSA-AES128-GCM-SHA256", "ecdsa", false, true, false },
        { "-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-256-GCM", "ECDHE-ECDSA-AES256-GCM-SHA384", "ecdsa", false, true, true },
        { "-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", "rsa", false, true, false },
        { "-KX-ALL:+DHE-RSA:-CIPHER-ALL:+AES-256-GCM", "DHE-RSA-AES256-GCM-SHA384", "rsa", false, true, true },
        { "-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA256", "ECDHE-RSA-AES128-SHA256", "rsa", true, true, false },
        { "-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA256:%NO_ETM", "ECDHE-RSA-AES128-SHA256", "rsa", false, true, true },
        { "-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-256-CBC:-MAC-ALL:+SHA1:%NO_SESSION_HASH", "ECDHE-ECDSA-AES256-SHA", "ecdsa", true, false, false },
        { "-KX-ALL:+DHE-RSA:-CIPHER-ALL:+AES-256-CBC:-MAC-ALL:+SHA256:%NO_ETM:%NO_SESSION_HASH", "DHE-RSA-AES256-SHA256", "rsa", false, false, true },
        { "-KX-ALL:+RSA:-CIPHER-ALL:+AES-128-GCM:%NO_SESSION_HASH", "AES128-GCM-SHA256", "rsa", false, false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GnuTlsClientAgainstOurServer(string priority, string suite, string key, bool etm, bool ems, bool clientAuth)
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(Cert(key), Key(key));
        ctx.SetCiphers(suite);
        ctx.LoadDhParams(certs.DhParams);
        ctx.SetAlpnProtocols(["http/1.1"]);
        if (clientAuth)
        {
            ctx.VerifyMode = VerifyMode.CertRequired;
            ctx.LoadVerifyLocations(cafile: certs.ClientCert);
        }

        using var listener = FacadeEndpoint.Listen();
        Task<FacadeReport> serve = FacadeEndpoint.ServeOne(listener, ctx);
        GnuTlsClientRun run = GnuTlsClient.Run(FacadeEndpoint.Port(listener), new GnuTlsClientOptions
        {
            Priority = GnuTlsPriority.Tls12(priority),
            CaFile = Cert(key),
            CertFile = clientAuth ? certs.ClientCert : null,
            KeyFile = clientAuth ? certs.ClientKey : null,
            Alpn = ["h2", "http/1.1"],
        }, "ping\n", holdInputMs: 500);
        FacadeReport ours = await serve.WaitAsync(TimeSpan.FromMilliseconds(FacadeEndpoint.TimeoutMs));

        Assert.True(run.HandshakeCompleted, run.ToString());
        Assert.True(ours.Succeeded, ours.ToString());
        GnuTlsSessionInfo session = Assert.Single(run.Sessions);
        AssertAgree(ours, session, suite, etm, ems);
        Assert.Equal("http/1.1", ours.Alpn);
        Assert.Equal(clientAuth ? PeerCertificates.Der(certs.ClientCert) : null, ours.PeerCertificate);
        Assert.Equal("ping\n", ours.Received);
        Assert.Contains("pong: ping\n", run.Stdout);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OurClientAgainstGnuTlsServer(string priority, string suite, string key, bool etm, bool ems, bool clientAuth)
    {
        using GnuTlsServer server = GnuTlsServer.Start(new GnuTlsServerOptions
        {
            CertFile = Cert(key),
            KeyFile = Key(key),
            Priority = GnuTlsPriority.Tls12(priority),
            ClientCaFile = clientAuth ? certs.ClientCert : null,
            RequireClientCertificate = clientAuth,
            NoClientCertificateRequest = !clientAuth,
            ExtraArgs = key == "rsa" ? ["--dhparams", certs.DhParams] : [],
        });
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.LoadVerifyLocations(cafile: Cert(key));
        ctx.SetCiphers(suite);
        if (clientAuth)
        {
            ctx.LoadCertChain(certs.ClientCert, certs.ClientKey);
        }

        FacadeReport ours = FacadeEndpoint.Connect(server.Port, ctx);

        Assert.True(ours.Succeeded, ours + "\n" + server.Output + server.Log);
        GnuTlsSessionInfo session = server.WaitForSession();
        AssertAgree(ours, session, suite, etm, ems);
        Assert.Equal("localhost", session.ServerName);
        Assert.Equal(PeerCertificates.Der(Cert(key)), ours.PeerCertificate);
        Assert.Equal("ping\n", ours.Received);
    }

    private static void AssertAgree(FacadeReport ours, GnuTlsSessionInfo gnutls, string suite, bool etm, bool ems)
    {
        CipherSuiteInfo info = CipherSuiteRegistry.FindByOpenSslName(suite)!;
        Assert.Equal("TLSv1.2", ours.Version);
        Assert.Equal("TLSv1.2", gnutls.OpenSslVersion);
        Assert.Equal(suite, ours.Cipher);
        Assert.Equal(info.KeyExchange.Algorithm == SuiteKeyExchange.Rsa ? "RSA" : suite.StartsWith("DHE", StringComparison.Ordinal) ? "DHE-RSA" : suite.Contains("ECDSA", StringComparison.Ordinal) ? "ECDHE-ECDSA" : "ECDHE-RSA", gnutls.KeyExchange);
        string options = gnutls.Options ?? "";
        Assert.Equal(etm, options.Contains("EtM", StringComparison.Ordinal));
        Assert.Equal(ems, options.Contains("extended master secret", StringComparison.Ordinal));
        Assert.Equal(12, ours.TlsUnique?.Length);
        Assert.Equal(gnutls.TlsUnique, ours.TlsUnique);
    }

    private string Cert(string key) => key == "rsa" ? certs.RsaCert : certs.EcdsaCert;

    private string Key(string key) => key == "rsa" ? certs.RsaKey : certs.EcdsaKey;
}
