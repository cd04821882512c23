using ManagedTls.Connection;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Handshake.Tls13;

public class Tls13ProtocolRuleTests
{
    private static readonly byte[] Ccs = [20, 3, 3, 0, 1, 1];

    private static byte[] Record(ContentType type, byte[] body) => [(byte)type, 3, 3, (byte)(body.Length >> 8), (byte)body.Length, .. body];

    [Fact]
    public void ChangeCipherSpecBeforeClientHelloIsUnexpected()
    {
        using var server = TlsConnection.CreateServer(ConnectionTestKit.Server());
        var e = Assert.Throws<TlsAlertException>(() => server.ReceiveBytes(Ccs));
        Assert.Equal(AlertDescription.UnexpectedMessage, e.Description);
        Assert.Equal(Record(ContentType.Alert, [2, 10]), ConnectionPair.Drain(server));
    }

    [Fact]
    public void ChangeCipherSpecDuringTheHandshakeIsDropped()
    {
        // The client sends no change_cipher_spec of its own, so the one injected is the one a handshake may carry.
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { MiddleboxCompatibility = false }, ConnectionTestKit.Server());
        pair.Server.ReceiveBytes([.. ConnectionPair.Drain(pair.Client), .. Ccs]);
        pair.Pump();
        Assert.True(pair.Client.IsHandshakeComplete);
        Assert.True(pair.Server.IsHandshakeComplete);
    }

    [Fact]
    public void ChangeCipherSpecWithAnotherByteIsUnexpected()
    {
        using var client = TlsConnection.CreateClient(ConnectionTestKit.Client());
        var e = Assert.Throws<TlsAlertException>(() => client.ReceiveBytes([20, 3, 3, 0, 1, 2]));
        Assert.Equal(AlertDescription.UnexpectedMessage, e.Description);
    }

    [Fact]
    public void ChangeCipherSpecAfterTheHandshakeIsUnexpected()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server());
        pair.Handshake();
        var e = Assert.Throws<TlsAlertException>(() => pair.Client.ReceiveBytes(Ccs));
        Assert.Equal(AlertDescription.UnexpectedMessage, e.Description);
    }

    [Theory]
    [InlineData(true, AlertDescription.IllegalParameter)]
    [InlineData(false, AlertDescription.ProtocolVersion)]
    public void Tls12ServerHelloIsRefused(bool downgradeMarker, AlertDescription expected)
    {
        using var client = TlsConnection.CreateClient(ConnectionTestKit.Client());
        byte[] hello = ConnectionPair.Drain(client);
        var ch = (ClientHello)HandshakeMessage.Read(hello.AsSpan(5), WireContext.Tls13);
        byte[] random = new byte[32];
        new Random(1).NextBytes(random);
        if (downgradeMarker)
        {
            ServerHello.SetDowngradeMarker(random, ProtocolVersion.Tls12);
        }

        var sh = new ServerHello(ProtocolVersion.Tls12, random, ch.SessionId, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0, new ExtensionBlock(), hasExtensionBlock: false);
        var e = Assert.Throws<TlsAlertException>(() => client.ReceiveBytes(Record(ContentType.Handshake, sh.Encode())));
        Assert.Equal(expected, e.Description);
        Assert.Equal(Record(ContentType.Alert, [2, (byte)expected]), ConnectionPair.Drain(client));
    }

    [Fact]
    public void ClientHelloWithoutTls13IsProtocolVersion()
    {
        using var server = TlsConnection.CreateServer(ConnectionTestKit.Server());
        var ch = new ClientHello(ProtocolVersion.Tls12, new byte[32], [], [TlsCipherSuite.TLS_AES_128_GCM_SHA256], [0], new ExtensionBlock());
        var e = Assert.Throws<TlsAlertException>(() => server.ReceiveBytes(Record(ContentType.Handshake, ch.Encode())));
        Assert.Equal(AlertDescription.ProtocolVersion, e.Description);
    }

    [Fact]
    public void AMessageOutOfOrderIsUnexpected()
    {
        using var server = TlsConnection.CreateServer(ConnectionTestKit.Server());
        var e = Assert.Throws<TlsAlertException>(() => server.ReceiveBytes(Record(ContentType.Handshake, new Finished(new byte[32]).Encode())));
        Assert.Equal(AlertDescription.UnexpectedMessage, e.Description);

        using var client = TlsConnection.CreateClient(ConnectionTestKit.Client());
        e = Assert.Throws<TlsAlertException>(() => client.ReceiveBytes(Record(ContentType.Handshake, new CertificateMessage([], []).Encode())));
        Assert.Equal(AlertDescription.UnexpectedMessage, e.Description);
    }

    [Fact]
    public void ApplicationDataBeforeKeysIsUnexpected()
    {
        using var server = TlsConnection.CreateServer(ConnectionTestKit.Server());
        var e = Assert.Throws<TlsAlertException>(() => server.ReceiveBytes([23, 3, 3, 0, 1, 0]));
        Assert.Equal(AlertDescription.UnexpectedMessage, e.Description);
    }

    [Fact]
    public void AFatalAlertFromThePeerIsRaisedAsReceived()
    {
        using var client = TlsConnection.CreateClient(ConnectionTestKit.Client());
        ConnectionPair.Drain(client);
        var e = Assert.Throws<TlsAlertException>(() => client.ReceiveBytes(Record(ContentType.Alert, [2, 40])));
        Assert.True(e.Received);
        Assert.Equal(AlertDescription.HandshakeFailure, e.Description);
        Assert.False(client.HasOutgoing);
    }
}
