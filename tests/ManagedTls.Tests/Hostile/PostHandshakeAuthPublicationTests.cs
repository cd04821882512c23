using ManagedTls.Connection;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// Post-handshake client authentication: the server publishes the client's new chain (and its verification) only
/// once the client proved the key and the exchange with CertificateVerify and Finished; until then, and after a
/// failed exchange, the connection reports what it had before.
/// </summary>
public class PostHandshakeAuthPublicationTests
{
    [Fact]
    public void TheChainIsNotPublishedBeforeTheFinishedVerifies()
    {
        using TlsConnection server = TlsConnection.CreateServer(Tests.Connection.ConnectionTestKit.Server() with
        {
            PostHandshakeAuth = true,
            Trust = new TrustStore([EngineTargets.Pki.Authority.CertificateDer]),
            Clock = () => DateTimeOffset.UtcNow,
        });
        using DelegateTarget target = EngineTargets.For(server);
        var seen = new List<int>();
        TlsScript.AsClient(EngineTargets.Options(seed: 901))
            .ClientHello(new ClientHelloOptions { PostHandshakeAuth = true })
            .ExpectServerFlight()
            .ClientFinished()
            .Do(server.RequestClientCertificatePostHandshake)
            .Expect(HandshakeType.CertificateRequest)
            .ClientCertificate()
            .Do(() => seen.Add(server.PeerCertificateChain.Count), "chain after Certificate and CertificateVerify")
            .Finished(new byte[32])
            .ExpectAlert(AlertDescription.DecryptError)
            .Run(target);

        Assert.Equal([0], seen);
        Assert.Empty(server.PeerCertificateChain);
        Assert.Null(server.VerifyResult);
        Assert.Null(server.ClientSignatureScheme);
        Assert.Equal(AlertDescription.DecryptError, server.Failure?.Description);
    }
}
