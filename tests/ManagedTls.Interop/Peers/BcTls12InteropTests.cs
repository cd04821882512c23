using ManagedTls.CipherSuites;
using ManagedTls.Ssl;

namespace ManagedTls.Interop.Peers;

/// <summary>
/// BouncyCastle's TLS 1.2 (Org.BouncyCastle.Tls, test code only) against our facade, both ways, over loopback: a
/// handful of suites (ECDHE-ECDSA, ECDHE-RSA, DHE-RSA, RSA key transport; GCM, ChaCha20, CBC), extended master secret
/// and encrypt-then-MAC each offered or not by BouncyCastle (ours always offers and accepts both), client certificates.
/// BouncyCastle reports what was negotiated; both ends report the same suite and tls-unique.
/// </summary>
[Collection(PeersCollection.Name)]
public sealed class BcTls12InteropTests(PeerCertificates certs)
{
    /// <summary>A case: the suite (IANA name), the server key, BouncyCastle's EMS and EtM, a client certificate.</summary>
    public static TheoryData<string, string, bool, bool, bool> Cases() => new()
    {
        { "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ecdsa", true, true, false },
        { "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ecdsa", false, true, true },
        { "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ecdsa", false, true, true },
        { "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "rsa", true, true, false },
        { "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "rsa", true, false, true },
        { "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "rsa", false, true, true },
        { "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "rsa", false, false, false },
        { "TLS_RSA_WITH_AES_256_GCM_SHA384", "rsa", true, true, false },
        { "TLS_RSA_WITH_AES_128_CBC_SHA256", "rsa", true, false, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BcClientAgainstOurServer(string suite, string key, bool ems, bool etm, bool clientAuth)
    {
        CipherSuiteInfo info = CipherSuiteRegistry.FindByIanaName(suite)!;
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(Cert(key), Key(key));
        ctx.SetCiphers(info.OpenSslName);
        ctx.LoadDhParams(certs.DhParams);
        if (clientAuth)
        {
            ctx.VerifyMode = VerifyMode.CertRequired;
            ctx.LoadVerifyLocations(cafile: certs.ClientCert);
        }

        using var listener = FacadeEndpoint.Listen();
        Task<FacadeReport> serve = FacadeEndpoint.ServeOne(listener, ctx);
        string received;
        BcTlsPeer client = BcTlsPeer.Connect(FacadeEndpoint.Port(listener), new BcTlsOptions
        {
            CipherSuites = [BcTlsPeer.Suite(suite)],
            TrustedCertFile = Cert(key),
            Credentials = clientAuth ? new BcTlsCredentials(certs.ClientCert, certs.ClientKey) : null,
            ExtendedMasterSecret = ems,
            EncryptThenMac = etm,
        });
        using (client)
        {
            client.Send("ping\n");
            received = client.ReceiveUntil("pong: ping\n");
        }

        FacadeReport ours = await serve.WaitAsync(TimeSpan.FromMilliseconds(FacadeEndpoint.TimeoutMs));

        Assert.True(ours.Succeeded, ours.ToString());
        AssertAgree(ours, client, info, ems, etm);
        Assert.Equal(PeerCertificates.Der(Cert(key)), client.PeerCertificate);
        Assert.Equal(clientAuth ? PeerCertificates.Der(certs.ClientCert) : null, ours.PeerCertificate);
        Assert.Equal("ping\n", ours.Received);
        Assert.Equal("pong: ping\n", received);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OurClientAgainstBcServer(string suite, string key, bool ems, bool etm, bool clientAuth)
    {
        CipherSuiteInfo info = CipherSuiteRegistry.FindByIanaName(suite)!;
        using BcTlsListener listener = BcTlsListener.Start(new BcTlsOptions
        {
            CipherSuites = [BcTlsPeer.Suite(suite)],
            Credentials = new BcTlsCredentials(Cert(key), Key(key)),
            TrustedCertFile = clientAuth ? certs.ClientCert : null,
            RequestClientCertificate = clientAuth,
            RequireClientCertificate = clientAuth,
            ExtendedMasterSecret = ems,
            EncryptThenMac = etm,
        });
        Task<BcTlsPeer> accept = listener.AcceptAsync();
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.LoadVerifyLocations(cafile: Cert(key));
        ctx.SetCiphers(info.OpenSslName);
        if (clientAuth)
        {
            ctx.LoadCertChain(certs.ClientCert, certs.ClientKey);
        }

        Task<FacadeReport> connect = Task.Run(() => FacadeEndpoint.Connect(listener.Port, ctx));
        string received;
        BcTlsPeer server = await accept.WaitAsync(TimeSpan.FromMilliseconds(FacadeEndpoint.TimeoutMs));
        using (server)
        {
            received = server.ReceiveUntil("\n");
            server.Send(received);

            // Our client's unwrap() waits for the peer's close_notify.
            server.Close();
            FacadeReport ours = await connect.WaitAsync(TimeSpan.FromMilliseconds(FacadeEndpoint.TimeoutMs));

            Assert.True(ours.Succeeded, ours.ToString());
            AssertAgree(ours, server, info, ems, etm);
            Assert.Equal(PeerCertificates.Der(Cert(key)), ours.PeerCertificate);
            Assert.Equal(clientAuth ? PeerCertificates.Der(certs.ClientCert) : null, server.PeerCertificate);
            Assert.Equal(["localhost"], server.ServerNames);
            Assert.Equal("ping\n", received);
            Assert.Equal("ping\n", ours.Received);
        }
    }

    private static void AssertAgree(FacadeReport ours, BcTlsPeer bc, CipherSuiteInfo suite, bool ems, bool etm)
    {
        Assert.Equal("TLSv1.2", ours.Version);
        Assert.Equal("TLSv1.2", bc.Version);
        Assert.Equal(suite.OpenSslName, ours.Cipher);
        Assert.Equal(suite.IanaName, bc.CipherSuiteName);
        Assert.Equal(ems, bc.ExtendedMasterSecret);
        Assert.Equal(etm && suite.Cbc is not null, bc.EncryptThenMac);
        Assert.Equal(12, ours.TlsUnique?.Length);
        Assert.Equal(bc.TlsUnique, ours.TlsUnique);
    }

    private string Cert(string key) => key == "rsa" ? certs.RsaCert : certs.EcdsaCert;

    private string Key(string key) => key == "rsa" ? certs.RsaKey : certs.EcdsaKey;
}
