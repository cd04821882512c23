using ManagedTls.Ssl;

namespace ManagedTls.Interop.Peers;

/// <summary>
/// Python's ssl (OpenSSL 3.0) limited to TLS 1.2 against our facade, both ways, over loopback: ECDHE-ECDSA, ECDHE-RSA,
/// DHE-RSA and RSA key transport with GCM, ChaCha20 and CBC, ALPN, client certificates. Our side keeps its default
/// version range (TLS 1.2 and 1.3), so each of our clients crosses the downgrade sentinel check. Both ends report the
/// same version, suite, ALPN protocol and tls-unique; each sees the other's certificate; data goes both ways.
/// </summary>
[Collection(PeersCollection.Name)]
public sealed class PythonTls12InteropTests(PeerCertificates certs)
{
    /// <summary>A case: the suite (OpenSSL name), the server key, ALPN on both sides, a client certificate.</summary>
    public static TheoryData<string, string, bool, bool> Cases() => new()
    {
        { "ECDHE-ECDSA-AES128-GCM-SHA256", "ecdsa", true, false },
        { "ECDHE-ECDSA-CHACHA20-POLY1305", "ecdsa", false, true },
        { "ECDHE-ECDSA-AES256-SHA", "ecdsa", false, true },
        { "ECDHE-RSA-AES256-GCM-SHA384", "rsa", true, true },
        { "ECDHE-RSA-AES128-SHA256", "rsa", true, false },
        { "DHE-RSA-AES128-GCM-SHA256", "rsa", false, false },
        { "DHE-RSA-AES256-SHA256", "rsa", true, true },
        { "AES256-GCM-SHA384", "rsa", false, false },
        { "AES128-SHA256", "rsa", false, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PythonClientAgainstOurServer(string suite, string key, bool alpn, bool clientAuth)
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(Cert(key), Key(key));
        ctx.SetCiphers(suite);
        ctx.LoadDhParams(certs.DhParams);
        if (alpn)
        {
            ctx.SetAlpnProtocols(["http/1.1", "h2"]);
        }

        if (clientAuth)
        {
            ctx.VerifyMode = VerifyMode.CertRequired;
            ctx.LoadVerifyLocations(cafile: certs.ClientCert);
        }

        using var listener = FacadeEndpoint.Listen();
        Task<FacadeReport> serve = FacadeEndpoint.ServeOne(listener, ctx);
        PythonTlsReport python = PythonTlsPeer.RunClient(FacadeEndpoint.Port(listener), new PythonTlsOptions
        {
            CaFile = Cert(key),
            Ciphers = suite,
            Alpn = alpn ? ["h2", "http/1.1"] : [],
            CertFile = clientAuth ? certs.ClientCert : null,
            KeyFile = clientAuth ? certs.ClientKey : null,
            Send = "ping\n",
            Until = "pong",
        });
        FacadeReport ours = await serve.WaitAsync(TimeSpan.FromMilliseconds(FacadeEndpoint.TimeoutMs));

        Assert.True(python.Succeeded, python.ToString());
        Assert.True(ours.Succeeded, ours.ToString());
        AssertAgree(ours, python, suite, alpn);
        Assert.Equal(PeerCertificates.Der(Cert(key)), python.PeerCertificate);
        Assert.Equal(clientAuth ? PeerCertificates.Der(certs.ClientCert) : null, ours.PeerCertificate);
        Assert.Equal("ping\n", ours.Received);
        Assert.Equal("pong: ping\n", python.Received);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OurClientAgainstPythonServer(string suite, string key, bool alpn, bool clientAuth)
    {
        using PythonTlsServer server = PythonTlsPeer.StartServer(new PythonTlsOptions
        {
            CertFile = Cert(key),
            KeyFile = Key(key),
            Ciphers = suite,
            DhParamsFile = certs.DhParams,
            Alpn = alpn ? ["http/1.1", "h2"] : [],
            CaFile = clientAuth ? certs.ClientCert : null,
            RequireClientCertificate = clientAuth,
            Until = "\n",
            Echo = true,
        });
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.LoadVerifyLocations(cafile: Cert(key));
        ctx.SetCiphers(suite);
        if (alpn)
        {
            ctx.SetAlpnProtocols(["h2", "http/1.1"]);
        }

        if (clientAuth)
        {
            ctx.LoadCertChain(certs.ClientCert, certs.ClientKey);
        }

        FacadeReport ours = FacadeEndpoint.Connect(server.Port, ctx);
        PythonTlsReport python = server.WaitReport();

        Assert.True(ours.Succeeded, ours.ToString());
        Assert.True(python.Succeeded, python.ToString());
        AssertAgree(ours, python, suite, alpn);
        Assert.Equal(PeerCertificates.Der(Cert(key)), ours.PeerCertificate);
        Assert.Equal(clientAuth ? PeerCertificates.Der(certs.ClientCert) : null, python.PeerCertificate);
        Assert.Equal("localhost", python.ServerName);
        Assert.Equal("ping\n", python.Received);
        Assert.Equal("ping\n", ours.Received);
    }

    [Fact]
    public async Task APythonClientWithoutTheRequiredCertificateIsRefused()
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(certs.EcdsaCert, certs.EcdsaKey);
        ctx.VerifyMode = VerifyMode.CertRequired;
        ctx.LoadVerifyLocations(cafile: certs.ClientCert);
        using var listener = FacadeEndpoint.Listen();
        Task<FacadeReport> serve = FacadeEndpoint.ServeOne(listener, ctx);
        PythonTlsReport python = PythonTlsPeer.RunClient(FacadeEndpoint.Port(listener), new PythonTlsOptions { Send = "ping\n", Until = "pong" });
        FacadeReport ours = await serve.WaitAsync(TimeSpan.FromMilliseconds(FacadeEndpoint.TimeoutMs));

        // As an OpenSSL server: handshake_failure after an empty Certificate in TLS 1.2.
        Assert.Equal("PEER_DID_NOT_RETURN_A_CERTIFICATE", ours.Error?.Reason);
        Assert.False(python.Succeeded && python.Received.Contains("pong", StringComparison.Ordinal), python.ToString());
        Assert.Contains("SSLV3_ALERT_HANDSHAKE_FAILURE", python.Error ?? python.Stdout);
    }

    private static void AssertAgree(FacadeReport ours, PythonTlsReport python, string suite, bool alpn)
    {
        Assert.Equal("TLSv1.2", ours.Version);
        Assert.Equal("TLSv1.2", python.Version);
        Assert.Equal(suite, ours.Cipher);
        Assert.Equal(suite, python.Cipher);
        Assert.Equal(alpn ? "http/1.1" : null, ours.Alpn);
        Assert.Equal(alpn ? "http/1.1" : null, python.Alpn);
        Assert.Equal(12, ours.TlsUnique?.Length);
        Assert.Equal(python.TlsUnique, ours.TlsUnique);
    }

    private string Cert(string key) => key == "rsa" ? certs.RsaCert : certs.EcdsaCert;

    private string Key(string key) => key == "rsa" ? certs.RsaKey : certs.EcdsaKey;
}
