using ManagedTls.Connection;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// A close_notify before the handshake is complete ends it: before any ClientHello the server answers
/// unexpected_message (as OpenSSL does); afterwards the connection fails with the received close_notify and sends
/// nothing. Either way every later call fails instead of waiting for more.
/// </summary>
public class CloseNotifyTests
{
    [Fact]
    public void ACloseNotifyInPlaceOfTheClientHelloIsUnexpectedMessage()
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        TlsScript.AsClient(EngineTargets.Options(seed: 701))
            .SendCloseNotify()
            .ExpectAlert(AlertDescription.UnexpectedMessage)
            .Run(target);
        Assert.False(server.Failure!.Received);
        Assert.False(server.PeerClosed);
        Assert.Throws<InvalidOperationException>(() => server.ReceiveBytes(TlsMessages.ClientHello().Encode()));
    }

    [Fact]
    public void ACloseNotifyInPlaceOfTheServerHelloFailsTheClientWithoutAnAlert()
    {
        using TlsConnection client = EngineTargets.Client(EngineTargets.Pki);
        using DelegateTarget target = EngineTargets.For(client);
        TlsScript.AsServer(EngineTargets.Options(seed: 702))
            .Expect(HandshakeType.ClientHello)
            .SendCloseNotify()
            .ExpectClose()
            .Run(target);
        Assert.Equal(AlertDescription.CloseNotify, client.Failure!.Description);
        Assert.True(client.Failure.Received);
        Assert.False(client.IsHandshakeComplete);
    }

    [Fact]
    public void ACloseNotifyAfterTheClientHelloFailsTheServerWithoutAnAlert()
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        TlsScript.AsClient(EngineTargets.Options(seed: 703))
            .ClientHello()
            .ExpectServerFlight()
            .SendCloseNotify()
            .ExpectClose()
            .Run(target);
        Assert.Equal(AlertDescription.CloseNotify, server.Failure!.Description);
        Assert.True(server.Failure.Received);
        Assert.False(server.IsHandshakeComplete);
        Assert.False(server.HasOutgoing);
    }

    [Fact]
    public void ACloseNotifyAfterTheHandshakeIsACleanEnd()
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        TlsScript.AsClient(EngineTargets.Options(seed: 704))
            .Handshake()
            .SendApplicationData([42])
            .SendCloseNotify()
            .ExpectNothing(TimeSpan.FromMilliseconds(20))
            .Run(target);
        Assert.Null(server.Failure);
        Assert.True(server.PeerClosed);
        Assert.Equal(1, server.PendingApplicationData);
    }
}
