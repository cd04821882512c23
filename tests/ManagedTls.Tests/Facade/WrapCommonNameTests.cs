using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Python's hostname_checks_common_name (True by default with OpenSSL 3.0): a certificate without a
/// subjectAltName matches on its common name only when the option is on. FacadeKeys' certificate is
/// CN=localhost with no extensions at all.
/// </summary>
public sealed class WrapCommonNameTests : IDisposable
{
    private readonly string _dir = FacadeKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Handshake(bool checksCommonName)
    {
        var server = new SslContext(SslProtocol.TlsServer);
        server.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        var client = new SslContext(SslProtocol.TlsClient) { HostnameChecksCommonName = checksCommonName };
        client.LoadVerifyLocations(cafile: Path.Combine(_dir, "cert.pem"));
        MemoryBio cIn = new(), cOut = new(), sIn = new(), sOut = new();
        SslObject c = client.WrapBio(cIn, cOut, serverHostname: "localhost");
        SslObject s = server.WrapBio(sIn, sOut, serverSide: true);
        for (int i = 0; i < 6 && !(c.IsHandshakeComplete && s.IsHandshakeComplete); i++)
        {
            Step(c);
            sIn.Write(cOut.Read());
            Step(s);
            cIn.Write(sOut.Read());
        }

        Assert.True(c.IsHandshakeComplete && s.IsHandshakeComplete);
    }

    private static void Step(SslObject o)
    {
        try
        {
            o.DoHandshake();
        }
        catch (SslWantReadException)
        {
        }
    }

    [Fact]
    public void CommonNameMatchesWhenTheOptionIsOn()
    {
        Assert.True(new SslContext(SslProtocol.TlsClient).HostnameChecksCommonName);
        Handshake(checksCommonName: true);
    }

    [Fact]
    public void CommonNameIsIgnoredWhenTheOptionIsOff()
    {
        var e = Assert.Throws<SslCertVerificationException>(() => Handshake(checksCommonName: false));
        Assert.Equal(62, (int)e.VerifyCode);
    }
}
