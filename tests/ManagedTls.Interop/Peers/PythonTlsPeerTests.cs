namespace ManagedTls.Interop.Peers;

/// <summary>Python's ssl module as a TLS 1.2 client and server, checked against openssl s_server and s_client.</summary>
[Collection(PeersCollection.Name)]
public sealed class PythonTlsPeerTests(PeerCertificates certs)
{
    [Fact]
    public void PythonClient_AgainstOpenSslServer_ReportsVersionCipherAlpnAndTlsUnique()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port,
            "-tls1_2", "-cert", certs.EcdsaCert, "-key", certs.EcdsaKey, "-www", "-naccept", "1", "-alpn", "http/1.1");
        PythonTlsReport client = PythonTlsPeer.RunClient(port, new PythonTlsOptions
        {
            CaFile = certs.EcdsaCert,
            Ciphers = "ECDHE-ECDSA-AES256-GCM-SHA384",
            Alpn = ["h2", "http/1.1"],
            Send = "GET / HTTP/1.0\r\n\r\n",
        });

        Assert.True(client.Succeeded, client.ToString());
        Assert.Equal("TLSv1.2", client.Version);
        Assert.Equal("ECDHE-ECDSA-AES256-GCM-SHA384", client.Cipher);
        Assert.Equal("http/1.1", client.Alpn);
        Assert.Equal(12, client.TlsUnique?.Length);
        Assert.Equal(PeerCertificates.Der(certs.EcdsaCert), client.PeerCertificate);
        Assert.Contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384", client.Received);
    }

    [Fact]
    public void OpenSslClient_AuthenticatesToPythonServer_WhichEchoes()
    {
        using PythonTlsServer server = PythonTlsPeer.StartServer(new PythonTlsOptions
        {
            CertFile = certs.RsaCert,
            KeyFile = certs.RsaKey,
            CaFile = certs.ClientCert,
            RequireClientCertificate = true,
            Alpn = ["h2", "http/1.1"],
            Until = "\n",
            Echo = true,
        });
        using OpenSslSession client = OpenSslSession.Start(
            "s_client", "-connect", $"127.0.0.1:{server.Port}", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-alpn", "http/1.1",
            "-CAfile", certs.RsaCert, "-servername", "localhost", "-verify_return_error", "-cert", certs.ClientCert, "-key", certs.ClientKey);
        client.WriteLine("hello python");
        client.WaitFor("hello python");
        PythonTlsReport report = server.WaitReport();
        client.CloseInput();
        string output = client.WaitExit();

        Assert.True(report.Succeeded, report.ToString());
        Assert.Equal("TLSv1.2", report.Version);
        Assert.Equal("ECDHE-RSA-AES128-GCM-SHA256", report.Cipher);
        Assert.Equal("http/1.1", report.Alpn);
        Assert.Equal("localhost", report.ServerName);
        Assert.Equal(PeerCertificates.Der(certs.ClientCert), report.PeerCertificate);
        Assert.Equal("hello python\n", report.Received);
        Assert.Contains("Protocol  : TLSv1.2", output);
        Assert.Contains("ALPN protocol: http/1.1", output);
    }

    [Fact]
    public void PythonServer_RefusesATls13OnlyClient()
    {
        using PythonTlsServer server = PythonTlsPeer.StartServer(new PythonTlsOptions { CertFile = certs.EcdsaCert, KeyFile = certs.EcdsaKey });
        PeerRun client = PeerProcess.Run("openssl", ["s_client", "-connect", $"127.0.0.1:{server.Port}", "-tls1_3"], "");
        PythonTlsReport report = server.WaitReport();

        Assert.NotEqual(0, client.ExitCode);
        Assert.False(report.Succeeded);
        Assert.Null(report.Version);
        Assert.Matches("UNSUPPORTED_PROTOCOL|VERSION", report.Error);
    }
}
