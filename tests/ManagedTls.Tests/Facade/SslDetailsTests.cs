using System.Text;
using ManagedTls.Ssl;
using ManagedTls.X509.Builder;

namespace ManagedTls.Tests.Facade;

/// <summary><see cref="SslObject.Group"/> and <see cref="SslObject.SignatureScheme"/> over in-memory BIO pairs, with certificates from the builder.</summary>
public sealed class SslDetailsTests
{
    private static (SslObject Client, SslObject Server, Action ToServer, Action ToClient) Pair(CertificateKeyAlgorithm serverKey)
    {
        var builder = new CertificateBuilder { KeyAlgorithm = serverKey };
        GeneratedCertificate ca = builder.CreateCertificateAuthority("Details CA");
        GeneratedCertificate leaf = builder.CreateLeaf(ca, "localhost", ["localhost"]);

        var server = new SslContext(SslProtocol.TlsServer);
        DirectoryInfo dir = Directory.CreateTempSubdirectory("managedtls-details-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "cert.pem"), leaf.CertificatePem);
            File.WriteAllText(Path.Combine(dir.FullName, "key.pem"), leaf.Key.ExportPkcs8Pem());
            server.LoadCertChain(Path.Combine(dir.FullName, "cert.pem"), Path.Combine(dir.FullName, "key.pem"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        var client = new SslContext(SslProtocol.TlsClient);
        client.LoadVerifyLocations(cadata: ca.CertificateDer);
        MemoryBio clientIn = new(), clientOut = new(), serverIn = new(), serverOut = new();
        SslObject c = client.WrapBio(clientIn, clientOut, serverHostname: "localhost");
        SslObject s = server.WrapBio(serverIn, serverOut, serverSide: true);
        return (c, s, () => serverIn.Write(clientOut.Read()), () => clientIn.Write(serverOut.Read()));
    }

    private static void Handshake(SslObject client, SslObject server, Action toServer, Action toClient)
    {
        Assert.Throws<SslWantReadException>(client.DoHandshake);
        toServer();
        Assert.Throws<SslWantReadException>(server.DoHandshake);
        toClient();
        client.DoHandshake();
        toServer();
        server.DoHandshake();
        toClient();
    }

    [Theory]
    [InlineData(CertificateKeyAlgorithm.EcdsaP256, "ecdsa_secp256r1_sha256")]
    [InlineData(CertificateKeyAlgorithm.EcdsaP384, "ecdsa_secp384r1_sha384")]
    [InlineData(CertificateKeyAlgorithm.Ed25519, "ed25519")]
    public void GroupAndSchemeAfterTheHandshakeOnBothSides(CertificateKeyAlgorithm key, string scheme)
    {
        var (client, server, toServer, toClient) = Pair(key);
        Assert.Null(client.Group());
        Assert.Null(client.SignatureScheme());
        Assert.Null(server.Group());
        Assert.Null(server.SignatureScheme());

        Handshake(client, server, toServer, toClient);
        Assert.Equal("x25519", client.Group());
        Assert.Equal("x25519", server.Group());
        Assert.Equal(scheme, client.SignatureScheme());
        Assert.Equal(scheme, server.SignatureScheme());

        // Data still flows; the details do not change after the handshake.
        client.Write(Encoding.ASCII.GetBytes("ping"));
        toServer();
        Assert.Equal("ping", Encoding.ASCII.GetString(server.Read(16)));
        Assert.Equal(scheme, client.SignatureScheme());

        client.Dispose();
        server.Dispose();
        Assert.Null(client.Group());
        Assert.Null(client.SignatureScheme());
    }

    [Fact]
    public void NullWhileTheHandshakeIsUnderWay()
    {
        var (client, server, toServer, toClient) = Pair(CertificateKeyAlgorithm.EcdsaP256);
        Assert.Throws<SslWantReadException>(client.DoHandshake);
        toServer();
        Assert.Throws<SslWantReadException>(server.DoHandshake);

        // The server has chosen its group and signed, but the handshake is not complete on either side.
        Assert.Null(server.Group());
        Assert.Null(server.SignatureScheme());
        Assert.Null(client.Group());
        toClient();
        client.DoHandshake();
        Assert.Equal("x25519", client.Group());
        Assert.Null(server.Group());
    }
}
