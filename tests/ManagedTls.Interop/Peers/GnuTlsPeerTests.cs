namespace ManagedTls.Interop.Peers;

/// <summary>The GnuTLS harness checked against openssl: gnutls-cli against s_server, s_client against gnutls-serv, TLS 1.2 only.</summary>
[Collection(PeersCollection.Name)]
public sealed class GnuTlsPeerTests(PeerCertificates certs)
{
    [Fact]
    public void GnuTlsClient_AgainstOpenSslServer_NegotiatesTls12AndTheChosenCipher()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port, "-tls1_2", "-cert", certs.EcdsaCert, "-key", certs.EcdsaKey, "-www", "-naccept", "1");
        GnuTlsClientRun run = GnuTlsClient.Run(port, new GnuTlsClientOptions
        {
            Priority = GnuTlsPriority.Tls12("-CIPHER-ALL:+AES-128-GCM"),
            CaFile = certs.EcdsaCert,
        }, "GET / HTTP/1.0\r\n\r\n");

        Assert.True(run.ExitCode == 0 && run.HandshakeCompleted, run.ToString());
        GnuTlsSessionInfo session = Assert.Single(run.Sessions);
        Assert.Equal("TLSv1.2", session.OpenSslVersion);
        Assert.Equal("ECDHE-ECDSA", session.KeyExchange);
        Assert.Equal("AES-128-GCM", session.Cipher);
        Assert.Contains("extended master secret", session.Options);
        Assert.Equal(12, session.TlsUnique?.Length);
        Assert.Contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", run.Stdout);
    }

    [Fact]
    public void GnuTlsClient_Rehandshake_AgainstOpenSslServerThatAllowsIt()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port,
            "-tls1_2", "-client_renegotiation", "-cert", certs.RsaCert, "-key", certs.RsaKey, "-naccept", "1");
        GnuTlsClientRun run = GnuTlsClient.Run(port, new GnuTlsClientOptions { CaFile = certs.RsaCert, Rehandshake = true }, "after the rehandshake\n");

        Assert.True(run.RehandshakeCompleted, run.ToString());
        Assert.False(run.RehandshakeFailed);
        Assert.Equal(2, run.Sessions.Count);
        Assert.All(run.Sessions, s => Assert.Equal("TLSv1.2", s.OpenSslVersion));
        Assert.All(run.Sessions, s => Assert.Equal("ECDHE-RSA", s.KeyExchange));
        Assert.NotEqual(run.Sessions[0].TlsUnique, run.Sessions[1].TlsUnique);
        server.WaitFor("after the rehandshake");
    }

    [Fact]
    public void GnuTlsClient_RehandshakeRefusedByOpenSslServer_IsReportedAsFailed()
    {
        // OpenSSL 3 refuses client-initiated renegotiation with a warning no_renegotiation alert by default.
        // gnutls-cli takes the warning as non-fatal and retries until it gives up, then still exits 0.
        using OpenSslSession server = OpenSslSession.StartServer(out int port, "-tls1_2", "-cert", certs.EcdsaCert, "-key", certs.EcdsaKey, "-naccept", "1");
        GnuTlsClientRun run = GnuTlsClient.Run(port, new GnuTlsClientOptions { CaFile = certs.EcdsaCert, Rehandshake = true }, "still talking\n");

        Assert.True(run.HandshakeCompleted, run.ToString());
        Assert.False(run.RehandshakeCompleted, run.ToString());
        Assert.True(run.RehandshakeFailed, run.ToString());
        Assert.Contains(100, run.AlertsReceived); // no_renegotiation
    }

    [Fact]
    public void OpenSslClient_AgainstGnuTlsServer_EchoesOverTls12()
    {
        using GnuTlsServer server = GnuTlsServer.Start(new GnuTlsServerOptions
        {
            CertFile = certs.EcdsaCert,
            KeyFile = certs.EcdsaKey,
            NoClientCertificateRequest = true,
        });
        using OpenSslSession client = OpenSslSession.Start(
            "s_client", "-connect", $"127.0.0.1:{server.Port}", "-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305",
            "-CAfile", certs.EcdsaCert, "-servername", "localhost", "-verify_return_error");
        client.WriteLine("hello gnutls-serv");
        client.WaitFor("hello gnutls-serv");
        client.CloseInput();
        string output = client.WaitExit();

        Assert.Contains("Protocol  : TLSv1.2", output);
        Assert.Contains("Cipher    : ECDHE-ECDSA-CHACHA20-POLY1305", output);
        Assert.Contains("Verify return code: 0 (ok)", output);
        GnuTlsSessionInfo session = server.WaitForSession();
        Assert.Equal("TLSv1.2", session.OpenSslVersion);
        Assert.Equal("CHACHA20-POLY1305", session.Cipher);
        Assert.Equal("localhost", session.ServerName);
        Assert.Null(session.ClientSignature);
        Assert.Equal(12, session.TlsUnique?.Length);
    }

    [Fact]
    public void OpenSslClient_AuthenticatesToGnuTlsHttpServer()
    {
        using GnuTlsServer server = GnuTlsServer.Start(new GnuTlsServerOptions
        {
            CertFile = certs.RsaCert,
            KeyFile = certs.RsaKey,
            Mode = GnuTlsServerMode.Http,
            ClientCaFile = certs.ClientCert,
            RequireClientCertificate = true,
        });
        PeerRun client = PeerProcess.Run("openssl", [
            "s_client", "-connect", $"127.0.0.1:{server.Port}", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256",
            "-CAfile", certs.RsaCert, "-servername", "localhost", "-cert", certs.ClientCert, "-key", certs.ClientKey, "-ign_eof",
        ], "GET / HTTP/1.0\r\n\r\n");

        Assert.True(client.ExitCode == 0, client.Stderr);
        Assert.Contains("<TD>Protocol version:</TD><TD>TLS1.2</TD>", client.Stdout);
        Assert.Contains("<TD>Ciphersuite</TD><TD>ECDHE_RSA_AES_128_GCM_SHA256</TD>", client.Stdout);
        GnuTlsSessionInfo session = server.WaitForSession();
        Assert.Equal("ECDHE-RSA", session.KeyExchange);
        Assert.Equal("AES-128-GCM", session.Cipher);
        Assert.Equal("ECDSA-SHA256", session.ClientSignature);
        Assert.Contains("The certificate is trusted", server.Output);
    }
}
