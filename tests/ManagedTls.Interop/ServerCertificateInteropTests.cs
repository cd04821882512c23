using ManagedTls.Ssl;
using ManagedTls.X509;
using SslModule = ManagedTls.Ssl.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// <c>Ssl.GetServerCertificate</c> against <c>openssl s_server</c>: the PEM of the certificate it serves, the same text
/// Python's <c>get_server_certificate</c> returns from it (when python3 is installed); with <c>caCerts</c> the chain must
/// verify, without it nothing is checked.
/// </summary>
public sealed class ServerCertificateInteropTests : IClassFixture<CliCertificates>
{
    private readonly CliCertificates _c;

    public ServerCertificateInteropTests(CliCertificates certificates) => _c = certificates;

    [Fact]
    public void ReturnsWhatOpenSslServes()
    {
        int port = CliPeers.FreePort();
        using OpenSslPeer server = CliPeers.StartOpenSslServer(port, "-cert", _c.RsaCert, "-key", _c.RsaKey, "-naccept", "4");
        byte[] served = SslModule.PemCertToDerCert(File.ReadAllText(_c.RsaCert));

        string pem = SslModule.GetServerCertificate(("127.0.0.1", port), timeout: 10);
        Assert.Equal(SslModule.DerCertToPemCert(served), pem);

        // The certificate is its own trust anchor for "localhost"; the host name asked for is not checked.
        Assert.Equal(pem, SslModule.GetServerCertificate(("127.0.0.1", port), caCerts: _c.RsaCert, timeout: 10));

        var e = Assert.Throws<SslCertVerificationException>(() => SslModule.GetServerCertificate(("127.0.0.1", port), caCerts: _c.EcCert, timeout: 10));
        Assert.Equal(VerifyError.DepthZeroSelfSignedCert, e.VerifyCode);

        if (File.Exists("/usr/bin/python3") || File.Exists("/usr/local/bin/python3"))
        {
            string script = $"import ssl, sys\nsys.stdout.write(ssl.get_server_certificate(('127.0.0.1', {port}), timeout=10))";
            using var python = new OpenSslPeer(["-c", script], stdin: null, program: "python3");
            ClientRun run = python.WaitExit();
            Assert.Equal(pem, run.Stdout);
        }
    }
}
