using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Handshake.Tls13;

public class Tls13ProtocolRuleTests
{
    [Fact]
    public void ChangeCipherSpecBeforeClientHelloIsUnexpected()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .SendChangeCipherSpec()
            .ExpectAlert(AlertDescription.UnexpectedMessage, AlertLevel.Fatal), seed: 1301);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void ChangeCipherSpecDuringTheHandshakeIsDropped()
    {
        // The kit sends no change_cipher_spec of its own, so the one sent here is the one a handshake may carry.
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello()
            .SendChangeCipherSpec()
            .ExpectServerFlight()
            .ClientFinished()
            .SendApplicationData([1]), seed: 1302, compatibility: false);
        Assert.Null(failure);
    }

    [Fact]
    public void ChangeCipherSpecWithAnotherByteIsUnexpected()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .SendRecord(TlsRecords.Record(ContentType.ChangeCipherSpec, [2]))
            .ExpectAlert(AlertDescription.UnexpectedMessage), seed: 1303);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void ChangeCipherSpecAfterTheHandshakeIsUnexpected()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Handshake()
            .SendRecord(TlsRecords.ChangeCipherSpec())
            .ExpectAlert(AlertDescription.UnexpectedMessage), seed: 1304);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Theory]
    [InlineData(true, AlertDescription.IllegalParameter)]
    [InlineData(false, AlertDescription.ProtocolVersion)]
    public void Tls12ServerHelloIsRefused(bool downgradeMarker, AlertDescription expected)
    {
        // A TLS 1.2 ServerHello to a client that offered only TLS 1.3; with RFC 8446's downgrade marker in its random
        // it is an attack (illegal_parameter), without it simply a version we do not speak.
        byte[] random = new byte[32];
        new Random(1).NextBytes(random);
        if (downgradeMarker)
        {
            ServerHello.SetDowngradeMarker(random, ProtocolVersion.Tls12);
        }

        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .Send(TlsMessages.ServerHello12(extensions: []).SetBytes("random", random))
            .ExpectAlert(expected, AlertLevel.Fatal), seed: 1305);
        Assert.Equal(expected, failure?.Description);
    }

    [Fact]
    public void ClientHelloWithoutTls13IsProtocolVersion()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .Send(TlsMessages.ClientHello().Remove("extensions.supported_versions"))
            .ExpectAlert(AlertDescription.ProtocolVersion), seed: 1306);
        Assert.Equal(AlertDescription.ProtocolVersion, failure?.Description);
    }

    [Fact]
    public void AMessageOutOfOrderIsUnexpected()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .Send(TlsMessages.Finished(new byte[32]))
            .ExpectAlert(AlertDescription.UnexpectedMessage), seed: 1307);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);

        failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .Send(TlsMessages.Certificate([], context: []))
            .ExpectAlert(AlertDescription.UnexpectedMessage), seed: 1308);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void ApplicationDataBeforeKeysIsUnexpected()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .SendRecord(TlsRecords.ApplicationData([0]))
            .ExpectAlert(AlertDescription.UnexpectedMessage), seed: 1309);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void AFatalAlertFromThePeerIsRaisedAsReceived()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .SendAlert(AlertDescription.HandshakeFailure, AlertLevel.Fatal)
            .ExpectClose(), seed: 1310);
        Assert.True(failure!.Received);
        Assert.Equal(AlertDescription.HandshakeFailure, failure.Description);
    }
}
