namespace ManagedTls.Interop.Peers;

/// <summary>curl as a TLS 1.2 client, checked against openssl s_server -www.</summary>
[Collection(PeersCollection.Name)]
public sealed class CurlClientTests(PeerCertificates certs)
{
    [Fact]
    public void Curl_AgainstOpenSslWwwServer_GetsThePageOverTls12()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port, "-tls1_2", "-cert", certs.EcdsaCert, "-key", certs.EcdsaKey, "-www", "-naccept", "1");
        CurlRun run = CurlClient.Get(port, new CurlOptions { Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256" });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("TLSv1.2", run.Version);
        Assert.Equal("ECDHE-ECDSA-AES128-GCM-SHA256", run.Cipher);
        Assert.Contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", run.Body);
    }

    [Fact]
    public void Curl_VerifiesTheServerAndAuthenticates()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port,
            "-tls1_2", "-cert", certs.RsaCert, "-key", certs.RsaKey, "-www", "-naccept", "1", "-Verify", "1", "-CAfile", certs.ClientCert, "-verify_return_error");
        CurlRun run = CurlClient.Get(port, new CurlOptions { CaFile = certs.RsaCert, CertFile = certs.ClientCert, KeyFile = certs.ClientKey });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("TLSv1.2", run.Version);
        Assert.StartsWith("ECDHE-RSA-", run.Cipher);
        Assert.Contains("Peer signature type: ECDSA", run.Body); // the client's CertificateVerify
    }

    [Fact]
    public void Curl_RefusesATls13OnlyServer()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port, "-tls1_3", "-cert", certs.EcdsaCert, "-key", certs.EcdsaKey, "-www", "-naccept", "1");
        CurlRun run = CurlClient.Get(port);

        Assert.Equal(35, run.ExitCode); // CURLE_SSL_CONNECT_ERROR
        Assert.Null(run.Version);
    }
}
