using System.Reflection;
using System.Text;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Handshake.Tls13;

public class PostHandshakeAuthTests
{
    private static TlsConfig Client(bool pha = true, bool withCertificate = true)
    {
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.Ed25519);
        TlsConfig s = ConnectionTestKit.Client() with { PostHandshakeAuth = pha };
        return withCertificate ? s with { CertificateChain = [der], PrivateKey = key } : s;
    }

    private static TlsConfig Server(bool required = true) =>
        ConnectionTestKit.Server() with { PostHandshakeAuth = true, RequireClientCertificate = required };

    private static bool HasExtension(byte[] clientHello, ExtensionType type)
    {
        var ch = (ManagedTls.Wire.Messages.ClientHello)ManagedTls.Wire.Messages.HandshakeMessage.Read(clientHello.AsSpan(5), WireContext.Tls13);
        return ch.Extensions.Contains(type);
    }

    [Fact]
    public void ClientHelloOffersTheExtensionOnlyWhenEnabled()
    {
        using var on = TlsConnection.CreateClient(Client());
        using var off = TlsConnection.CreateClient(Client(pha: false));
        Assert.True(HasExtension(ConnectionPair.Drain(on), ExtensionType.PostHandshakeAuth));
        Assert.False(HasExtension(ConnectionPair.Drain(off), ExtensionType.PostHandshakeAuth));
    }

    [Fact]
    public void ServerGetsTheClientCertificateAfterTheHandshakeWhileDataFlows()
    {
        var (der, _) = ConnectionTestKit.Leaf(ServerKeyType.Ed25519);
        using var pair = new ConnectionPair(Client(), Server());
        pair.Handshake();
        Assert.True(pair.Server.PeerOffersPostHandshakeAuth);
        Assert.Empty(pair.Server.PeerCertificateChain);

        pair.Server.RequestClientCertificatePostHandshake();
        Assert.True(pair.Server.PostHandshakeAuthPending);
        pair.Server.WriteApplicationData(Encoding.ASCII.GetBytes("from server"));
        pair.Client.WriteApplicationData(Encoding.ASCII.GetBytes("from client, sent before the request arrived"));
        pair.Pump();
        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
        Assert.Equal("from server", Encoding.ASCII.GetString(ConnectionPair.ReadAll(pair.Client)));
        Assert.Equal("from client, sent before the request arrived", Encoding.ASCII.GetString(ConnectionPair.ReadAll(pair.Server)));
        Assert.False(pair.Server.PostHandshakeAuthPending);
        Assert.Equal(1, pair.Server.PostHandshakeAuthCount);
        Assert.Equal(der, pair.Server.PeerCertificateChain[0]);
        Assert.True(pair.Server.VerifyResult!.IsValid);
        Assert.Equal(SignatureScheme.Ed25519, pair.Server.ClientSignatureScheme);

        // A second request works the same way, with its own context; data still flows afterwards.
        pair.Server.RequestClientCertificatePostHandshake();
        pair.Pump();
        Assert.Equal(2, pair.Server.PostHandshakeAuthCount);
        TlsConnectionHandshakeTests.ExchangeData(pair, 500);
    }

    [Fact]
    public void ARequestArrivingAfterTheClientsCloseNotifyIsNotAnswered()
    {
        using var pair = new ConnectionPair(Client(), Server());
        pair.Handshake();
        pair.Server.RequestClientCertificatePostHandshake();
        byte[] request = ConnectionPair.Drain(pair.Server);
        pair.Client.Close();
        Assert.NotEmpty(ConnectionPair.Drain(pair.Client));

        // RFC 8446 section 6.1: nothing may follow close_notify, so no Certificate, CertificateVerify or Finished.
        pair.Client.ReceiveBytes(request);
        Assert.False(pair.Client.HasOutgoing);
    }

    [Fact]
    public void RequestAfterKeyUpdatesUsesTheCurrentTrafficSecret()
    {
        using var pair = new ConnectionPair(Client(), Server());
        pair.Handshake();
        pair.Client.UpdateKeys(requestPeerUpdate: true);
        pair.Pump();
        Assert.Equal(1, pair.Server.ReadKeyGeneration);
        pair.Server.RequestClientCertificatePostHandshake();
        pair.Pump();
        Assert.Null(pair.ServerError);
        Assert.Equal(1, pair.Server.PostHandshakeAuthCount);
        Assert.NotEmpty(pair.Server.PeerCertificateChain);
    }

    [Fact]
    public void EmptyCertificateIsCertificateRequiredWhenRequired()
    {
        using var pair = new ConnectionPair(Client(withCertificate: false), Server(required: true));
        pair.Handshake();
        pair.Server.RequestClientCertificatePostHandshake();
        pair.Pump();
        Assert.Equal(AlertDescription.CertificateRequired, pair.ServerError?.Description);
        Assert.Equal(AlertDescription.CertificateRequired, pair.ClientError?.Description);
        Assert.True(pair.ClientError!.Received);
    }

    [Fact]
    public void EmptyCertificateIsAcceptedWhenOptional()
    {
        using var pair = new ConnectionPair(Client(withCertificate: false), Server(required: false));
        pair.Handshake();
        pair.Server.RequestClientCertificatePostHandshake();
        pair.Pump();
        Assert.Null(pair.ServerError);
        Assert.Equal(1, pair.Server.PostHandshakeAuthCount);
        Assert.Empty(pair.Server.PeerCertificateChain);
        TlsConnectionHandshakeTests.ExchangeData(pair, 10);
    }

    [Fact]
    public void UntrustedCertificateFailsTheConnection()
    {
        var server = Server() with { Trust = new ManagedTls.X509.TrustStore([ConnectionTestKit.OtherRootDer]) };
        using var pair = new ConnectionPair(Client(), server);
        pair.Handshake();
        pair.Server.RequestClientCertificatePostHandshake();
        pair.Pump();
        Assert.Equal(AlertDescription.UnknownCa, pair.ServerError?.Description);
        Assert.False(pair.Server.VerifyResult!.IsValid);
    }

    [Fact]
    public void CertificateRequestCarriesCertificateAuthorities()
    {
        using var pair = new ConnectionPair(Client(), Server());
        pair.Handshake();
        Assert.Empty(pair.Client.CertificateAuthorities);
        pair.Server.RequestClientCertificatePostHandshake();
        pair.Pump();
        Assert.Single(pair.Client.CertificateAuthorities);
    }

    [Fact]
    public void ServerRefusesWhenTheClientDidNotOffer()
    {
        using var pair = new ConnectionPair(Client(pha: false), Server());
        pair.Handshake();
        Assert.False(pair.Server.PeerOffersPostHandshakeAuth);
        Assert.Throws<InvalidOperationException>(() => pair.Server.RequestClientCertificatePostHandshake());
        TlsConnectionHandshakeTests.ExchangeData(pair, 10);
    }

    [Fact]
    public void ClientThatDidNotOfferTreatsARequestAsUnexpected()
    {
        using var pair = new ConnectionPair(Client(pha: false), Server());
        pair.Handshake();

        // Make the server believe the extension came, as a misbehaving server would.
        var cx = (HandshakeContext)typeof(TlsConnection).GetField("_cx", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(pair.Server)!;
        cx.PeerOffersPostHandshakeAuth = true;
        pair.Server.RequestClientCertificatePostHandshake();
        pair.Pump();
        Assert.Equal(AlertDescription.UnexpectedMessage, pair.ClientError?.Description);
        Assert.Equal(AlertDescription.UnexpectedMessage, pair.ServerError?.Description);
        Assert.True(pair.ServerError!.Received);
    }

    [Fact]
    public void RequestIsRefusedOnTheClientBeforeTheHandshakeAndWhilePending()
    {
        using var pair = new ConnectionPair(Client(), Server());
        Assert.Throws<InvalidOperationException>(() => pair.Server.RequestClientCertificatePostHandshake());
        pair.Handshake();
        Assert.Throws<InvalidOperationException>(() => pair.Client.RequestClientCertificatePostHandshake());
        pair.Server.RequestClientCertificatePostHandshake();
        Assert.Throws<InvalidOperationException>(() => pair.Server.RequestClientCertificatePostHandshake());
        pair.Pump();
        Assert.Equal(1, pair.Server.PostHandshakeAuthCount);
    }
}
