namespace ManagedTls.Interop.Peers;

/// <summary>BouncyCastle's TLS 1.2 client and server checked against openssl s_server and s_client.</summary>
[Collection(PeersCollection.Name)]
public sealed class BcTlsPeerTests(PeerCertificates certs)
{
    [Fact]
    public void BcClient_AgainstOpenSslServer_NegotiatesTheChosenSuite()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port, "-tls1_2", "-cert", certs.EcdsaCert, "-key", certs.EcdsaKey, "-www", "-naccept", "1");
        using BcTlsPeer client = BcTlsPeer.Connect(port, new BcTlsOptions
        {
            CipherSuites = [BcTlsPeer.Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")],
            TrustedCertFile = certs.EcdsaCert,
        });
        client.Send("GET / HTTP/1.0\r\n\r\n");
        string page = client.ReceiveToEnd();

        Assert.Equal("TLSv1.2", client.Version);
        Assert.Equal("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", client.CipherSuiteName);
        Assert.Equal(0xC02B, client.CipherSuite);
        Assert.True(client.ExtendedMasterSecret);
        Assert.Equal(12, client.TlsUnique.Length);
        Assert.Equal(PeerCertificates.Der(certs.EcdsaCert), client.PeerCertificate);
        Assert.Contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", page);
    }

    [Fact]
    public void BcClient_AuthenticatesToOpenSslServer()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port,
            "-tls1_2", "-cert", certs.RsaCert, "-key", certs.RsaKey, "-www", "-naccept", "1",
            "-Verify", "1", "-CAfile", certs.ClientCert, "-verify_return_error");
        using BcTlsPeer client = BcTlsPeer.Connect(port, new BcTlsOptions
        {
            CipherSuites = [BcTlsPeer.Suite("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")],
            TrustedCertFile = certs.RsaCert,
            Credentials = new BcTlsCredentials(certs.ClientCert, certs.ClientKey),
        });
        client.Send("GET / HTTP/1.0\r\n\r\n");
        string page = client.ReceiveToEnd();

        Assert.Equal("TLSv1.2", client.Version);
        Assert.Equal("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", client.CipherSuiteName);
        Assert.Contains("New, TLSv1.2, Cipher is ECDHE-RSA-CHACHA20-POLY1305", page);
        Assert.Contains("Peer signature type: ECDSA", page); // the client's CertificateVerify
    }

    [Fact]
    public async Task OpenSslClient_AgainstBcServer_EchoesOverTls12()
    {
        using BcTlsListener listener = BcTlsListener.Start(new BcTlsOptions { Credentials = new BcTlsCredentials(certs.RsaCert, certs.RsaKey) });
        Task<BcTlsPeer> accept = listener.AcceptAsync();
        using OpenSslSession client = OpenSslSession.Start(
            "s_client", "-connect", $"127.0.0.1:{listener.Port}", "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384",
            "-CAfile", certs.RsaCert, "-servername", "localhost", "-verify_return_error");
        using BcTlsPeer server = await accept.WaitAsync(TimeSpan.FromMilliseconds(PeerProcess.TimeoutMs));
        client.WriteLine("hello bouncycastle");
        Assert.Contains("hello bouncycastle\n", server.ReceiveUntil("\n"));
        server.Send("hello openssl\n");
        client.WaitFor("hello openssl");
        client.CloseInput();
        Assert.Equal("", server.ReceiveToEnd()); // s_client's close_notify
        string output = client.WaitExit();

        Assert.Equal("TLSv1.2", server.Version);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", server.CipherSuiteName);
        Assert.Equal(["localhost"], server.ServerNames);
        Assert.Null(server.PeerCertificate);
        Assert.Contains("Protocol  : TLSv1.2", output);
        Assert.Contains("Cipher    : ECDHE-RSA-AES256-GCM-SHA384", output);
        Assert.Contains("Verify return code: 0 (ok)", output);
    }

    [Fact]
    public async Task OpenSslClient_AuthenticatesToBcServer()
    {
        using BcTlsListener listener = BcTlsListener.Start(new BcTlsOptions
        {
            Credentials = new BcTlsCredentials(certs.EcdsaCert, certs.EcdsaKey),
            RequireClientCertificate = true,
            TrustedCertFile = certs.ClientCert,
        });
        Task<BcTlsPeer> accept = listener.AcceptAsync();
        PeerRun client = PeerProcess.Run("openssl", [
            "s_client", "-connect", $"127.0.0.1:{listener.Port}", "-tls1_2", "-CAfile", certs.EcdsaCert, "-servername", "localhost",
            "-cert", certs.ClientCert, "-key", certs.ClientKey, "-verify_return_error",
        ], "", holdInputMs: 300);
        using BcTlsPeer server = await accept.WaitAsync(TimeSpan.FromMilliseconds(PeerProcess.TimeoutMs));

        Assert.Equal(0, client.ExitCode);
        Assert.Equal("TLSv1.2", server.Version);
        Assert.StartsWith("TLS_ECDHE_ECDSA_WITH_", server.CipherSuiteName);
        Assert.Equal(PeerCertificates.Der(certs.ClientCert), server.PeerCertificate);
        Assert.Contains("Protocol  : TLSv1.2", client.Stdout);
    }

    [Fact]
    public async Task OpenSslClient_AgainstBcServer_RsaKeyTransport()
    {
        using BcTlsListener listener = BcTlsListener.Start(new BcTlsOptions
        {
            Credentials = new BcTlsCredentials(certs.RsaCert, certs.RsaKey),
            CipherSuites = [BcTlsPeer.Suite("TLS_RSA_WITH_AES_128_GCM_SHA256")],
        });
        Task<BcTlsPeer> accept = listener.AcceptAsync();
        PeerRun client = PeerProcess.Run("openssl", [
            "s_client", "-connect", $"127.0.0.1:{listener.Port}", "-tls1_2", "-cipher", "AES128-GCM-SHA256", "-CAfile", certs.RsaCert,
            "-servername", "localhost", "-verify_return_error",
        ], "", holdInputMs: 300);
        using BcTlsPeer server = await accept.WaitAsync(TimeSpan.FromMilliseconds(PeerProcess.TimeoutMs));

        Assert.Equal("TLS_RSA_WITH_AES_128_GCM_SHA256", server.CipherSuiteName);
        Assert.Contains("Cipher    : AES128-GCM-SHA256", client.Stdout);
        Assert.Contains("Protocol  : TLSv1.2", client.Stdout);
    }
}
