namespace ManagedTls.Interop.Peers;

/// <summary>
/// The peers against each other: each side reports tls-unique on its own, and the reports must agree, so a test
/// can trust any one of them when it compares tls-unique with ManagedTls's.
/// </summary>
[Collection(PeersCollection.Name)]
public sealed class PeerAgreementTests(PeerCertificates certs)
{
    [Fact]
    public async Task BcClient_AndPythonServer_AgreeOnSuiteAndTlsUnique()
    {
        using PythonTlsServer server = PythonTlsPeer.StartServer(new PythonTlsOptions { CertFile = certs.EcdsaCert, KeyFile = certs.EcdsaKey, Until = "\n", Echo = true });
        using BcTlsPeer client = await Task.Run(() => BcTlsPeer.Connect(server.Port, new BcTlsOptions
        {
            CipherSuites = [BcTlsPeer.Suite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256")],
            TrustedCertFile = certs.EcdsaCert,
        }));
        client.Send("ping\n");
        Assert.Equal("ping\n", client.ReceiveUntil("\n"));
        client.Close();
        PythonTlsReport report = server.WaitReport();

        Assert.True(report.Succeeded, report.ToString());
        Assert.Equal("ECDHE-ECDSA-AES128-SHA256", report.Cipher);
        Assert.Equal("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", client.CipherSuiteName);
        Assert.Equal(report.TlsUnique, client.TlsUnique);
    }

    [Fact]
    public void PythonClient_AndGnuTlsServer_AgreeOnTlsUnique()
    {
        using GnuTlsServer server = GnuTlsServer.Start(new GnuTlsServerOptions { CertFile = certs.RsaCert, KeyFile = certs.RsaKey, NoClientCertificateRequest = true });
        PythonTlsReport client = PythonTlsPeer.RunClient(server.Port, new PythonTlsOptions { CaFile = certs.RsaCert, Send = "ping\n", Until = "\n" });
        GnuTlsSessionInfo session = server.WaitForSession();

        Assert.True(client.Succeeded, client.ToString());
        Assert.Equal("ping\n", client.Received);
        Assert.Equal("TLSv1.2", session.OpenSslVersion);
        Assert.Equal(session.TlsUnique, client.TlsUnique);
    }

    [Fact]
    public async Task GnuTlsClient_AndBcServer_AgreeOnTlsUnique()
    {
        using BcTlsListener listener = BcTlsListener.Start(new BcTlsOptions { Credentials = new BcTlsCredentials(certs.EcdsaCert, certs.EcdsaKey) });
        Task<BcTlsPeer> accept = listener.AcceptAsync();
        Task<GnuTlsClientRun> run = Task.Run(() => GnuTlsClient.Run(listener.Port, new GnuTlsClientOptions { CaFile = certs.EcdsaCert }, "ping\n", holdInputMs: 500));
        using BcTlsPeer server = await accept.WaitAsync(TimeSpan.FromMilliseconds(PeerProcess.TimeoutMs));
        Assert.Equal("ping\n", server.ReceiveUntil("\n"));
        server.Send("pong\n");
        server.Close();
        GnuTlsClientRun client = await run.WaitAsync(TimeSpan.FromMilliseconds(PeerProcess.TimeoutMs));

        Assert.True(client.HandshakeCompleted, client.ToString());
        Assert.Equal("pong\n", client.Stdout);
        Assert.Equal("TLSv1.2", Assert.Single(client.Sessions).OpenSslVersion);
        Assert.Equal(client.Sessions[0].TlsUnique, server.TlsUnique);
    }
}
