using ManagedTls.Interop.Peers;

namespace ManagedTls.Interop;

/// <summary>
/// <c>managedtls s_server -www</c> with its default options serves clients limited to TLS 1.2: openssl s_client,
/// gnutls-cli, curl and Python's ssl module, each bounded in time.
/// </summary>
public sealed class CliTls12ServerTests : IClassFixture<CliCertificates>
{
    private readonly CliCertificates _c;

    public CliTls12ServerTests(CliCertificates certificates) => _c = certificates;

    [Fact]
    public void DefaultWwwServerServesOpenSslGnuTlsCurlAndPythonLimitedToTls12()
    {
        int port = CliPeers.FreePort();
        using OurServer server = CliPeers.StartOurServer(port, "-cert", _c.RsaCert, "-key", _c.RsaKey, "-www", "-naccept", "4");
        string p = port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        ClientRun openssl = CliPeers.OpenSslClient("GET / HTTP/1.0\r\n\r\n", "-connect", "127.0.0.1:" + p, "-tls1_2", "-CAfile", _c.RsaCert, "-servername", "localhost", "-ign_eof");
        Assert.Contains("New, TLSv1.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384", openssl.Stdout);
        Assert.Contains("Protocol  : TLSv1.2", openssl.Stdout);
        Assert.Contains("Verify return code: 0 (ok)", openssl.Stdout);

        GnuTlsClientRun gnutls = GnuTlsClient.Run(port, new GnuTlsClientOptions { CaFile = _c.RsaCert, ServerName = "localhost" }, "GET / HTTP/1.0\r\n\r\n", holdInputMs: 1000);
        Assert.True(gnutls.HandshakeCompleted, gnutls.ToString());
        Assert.Contains("New, TLSv1.2, Cipher is ", gnutls.Stdout);
        Assert.Equal("TLSv1.2", Assert.Single(gnutls.Sessions).OpenSslVersion);

        CurlRun curl = CurlClient.Get(port, new CurlOptions { CaFile = _c.RsaCert });
        Assert.Equal(0, curl.ExitCode);
        Assert.Contains("New, TLSv1.2, Cipher is ", curl.Body);

        PythonTlsReport python = PythonTlsPeer.RunClient(port, new PythonTlsOptions { CaFile = _c.RsaCert, Send = "GET / HTTP/1.0\r\n\r\n" });
        Assert.True(python.Succeeded, python.Stderr + python.Error);
        Assert.Equal("TLSv1.2", python.Version);
        Assert.Contains("New, TLSv1.2, Cipher is " + python.Cipher, python.Received);

        Assert.Equal(0, server.WaitExit());
    }
}

/// <summary>The facade's TLS 1.2 channel binding equals what Python's ssl reports on the other end of the same connection.</summary>
public sealed class FacadeTls12ChannelBindingTests : IClassFixture<CliCertificates>
{
    private readonly CliCertificates _c;

    public FacadeTls12ChannelBindingTests(CliCertificates certificates) => _c = certificates;

    [Fact]
    public void TlsUniqueEqualsPythonsOnTheOtherEnd()
    {
        using PythonTlsServer python = PythonTlsPeer.StartServer(new PythonTlsOptions { CertFile = _c.RsaCert, KeyFile = _c.RsaKey, Echo = true, Until = "\n" });
        var context = new Ssl.SslContext(Ssl.SslProtocol.TlsClient);
        context.LoadVerifyLocations(cafile: _c.RsaCert);
        using var raw = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        raw.Connect(System.Net.IPAddress.Loopback, python.Port);
        using Ssl.SslSocket tls = context.WrapSocket(raw, serverHostname: "localhost");
        tls.SetTimeout(10.0);
        Assert.Equal("TLSv1.2", tls.Version());
        byte[] ours = tls.GetChannelBinding()!;
        tls.SendAll("ping\n"u8.ToArray());
        Assert.NotEmpty(tls.Recv(16));
        tls.Unwrap();
        PythonTlsReport report = python.WaitReport();
        Assert.Equal("TLSv1.2", report.Version);
        Assert.Equal(ours, report.TlsUnique);
        Assert.Equal(tls.Cipher()!.Value.Name, report.Cipher);
    }
}
