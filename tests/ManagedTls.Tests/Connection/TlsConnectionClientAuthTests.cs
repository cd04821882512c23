using ManagedTls.Wire;

namespace ManagedTls.Tests.Connection;

public class TlsConnectionClientAuthTests
{
    [Fact]
    public void ClientCertificateIsVerifiedByTheServer()
    {
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.Ed25519);
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { CertificateChain = [der], PrivateKey = key },
            ConnectionTestKit.Server() with { RequestClientCertificate = true, RequireClientCertificate = true });
        pair.Handshake();
        Assert.Equal(der, pair.Server.PeerCertificateChain[0]);
        Assert.True(pair.Server.VerifyResult!.IsValid);
        Assert.Equal(SignatureScheme.Ed25519, pair.Server.ClientSignatureScheme);
        Assert.Equal(SignatureScheme.Ed25519, pair.Client.ClientSignatureScheme);
        TlsConnectionHandshakeTests.ExchangeData(pair, 100);
    }

    [Fact]
    public void MissingClientCertificateIsAcceptedWhenOptional()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server() with { RequestClientCertificate = true });
        pair.Handshake();
        Assert.Empty(pair.Server.PeerCertificateChain);
        Assert.Null(pair.Server.ClientSignatureScheme);
    }

    [Fact]
    public void MissingClientCertificateIsCertificateRequiredWhenRequired()
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client(),
            ConnectionTestKit.Server() with { RequestClientCertificate = true, RequireClientCertificate = true });
        pair.Pump();
        Assert.Equal(AlertDescription.CertificateRequired, pair.ServerError!.Description);
        Assert.Equal(AlertDescription.CertificateRequired, pair.ClientError!.Description);
        Assert.True(pair.ClientError.Received);
        Assert.True(pair.Client.IsHandshakeComplete);
    }

    [Fact]
    public void UntrustedClientCertificateIsUnknownCa()
    {
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256);
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { CertificateChain = [der], PrivateKey = key },
            ConnectionTestKit.Server() with { RequestClientCertificate = true, Trust = new global::ManagedTls.X509.TrustStore([ConnectionTestKit.OtherRootDer]) });
        pair.Pump();
        Assert.Equal(AlertDescription.UnknownCa, pair.ServerError!.Description);
        Assert.Equal(AlertDescription.UnknownCa, pair.ClientError!.Description);
    }
}
