using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Tests.Handshake.Tls13;

public class ResumedPeerCertificateTests
{
    private static (Tls13Session Session, VerifyResult Verify) First(TlsConfig client, TlsConfig server)
    {
        using var pair = new ConnectionPair(client, server);
        pair.Handshake();
        Assert.NotNull(pair.Client.LatestSession);
        return (pair.Client.LatestSession!, pair.Server.VerifyResult!);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ResumedServerReportsTheOriginalChainAndVerifyResult(bool stateless)
    {
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.Ed25519);
        TlsConfig server = ConnectionTestKit.Server() with { RequestClientCertificate = true, StatelessTickets = stateless };
        TlsConfig client = ConnectionTestKit.Client() with { CertificateChain = [der], PrivateKey = key };
        (Tls13Session session, VerifyResult original) = First(client, server);
        Assert.True(original.IsValid);

        using var pair = new ConnectionPair(client with { ResumptionSession = session }, server);
        pair.Handshake();
        Assert.True(pair.Server.SessionReused);
        Assert.Equal([der], pair.Server.PeerCertificateChain);
        VerifyResult resumed = Assert.IsType<VerifyResult>(pair.Server.VerifyResult);
        Assert.True(resumed.IsValid);
        Assert.Equal(original.Chain, resumed.Chain);
        Assert.Equal(2, resumed.Chain.Count);
        Assert.Equal(ConnectionTestKit.RootDer, resumed.Chain[1]);
    }

    [Fact]
    public void WithoutVerificationTheResumedServerHasNoResult()
    {
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.Ed25519);
        TlsConfig server = ConnectionTestKit.Server() with { RequestClientCertificate = true, VerifyPeer = false };
        TlsConfig client = ConnectionTestKit.Client() with { CertificateChain = [der], PrivateKey = key };
        using var first = new ConnectionPair(client, server);
        first.Handshake();
        Assert.Null(first.Server.VerifyResult);
        using var pair = new ConnectionPair(client with { ResumptionSession = first.Client.LatestSession }, server);
        pair.Handshake();
        Assert.True(pair.Server.SessionReused);
        Assert.Equal([der], pair.Server.PeerCertificateChain);
        Assert.Null(pair.Server.VerifyResult);
    }

    [Fact]
    public void TicketStateRoundTripsTheVerifyResult()
    {
        var result = new VerifyResult([[1, 2, 3], [4, 5]], VerifyError.CertHasExpired, 1, null);
        using var state = new SessionTicketState([9, 9, 9], TlsCipherSuite.TLS_AES_128_GCM_SHA256, 1234, 7200, 42)
        {
            ClientChain = [[1, 2, 3]],
            ClientVerify = result,
        };
        byte[] encoded = state.Encode();
        using SessionTicketState decoded = SessionTicketState.Decode(encoded)!;
        Assert.Equal(VerifyError.CertHasExpired, decoded.ClientVerify!.Error);
        Assert.Equal(1, decoded.ClientVerify.ErrorDepth);
        Assert.Equal(result.Chain, decoded.ClientVerify.Chain);
        Assert.Equal(state.ClientChain, decoded.ClientChain);

        // Without a result, and with a flag byte that is neither 0 nor 1.
        using var plain = new SessionTicketState([9], TlsCipherSuite.TLS_AES_128_GCM_SHA256, 1, 1, 1);
        byte[] plainEncoded = plain.Encode();
        using SessionTicketState plainDecoded = SessionTicketState.Decode(plainEncoded)!;
        Assert.Null(plainDecoded.ClientVerify);
        plainEncoded[^1] = 2;
        Assert.Null(SessionTicketState.Decode(plainEncoded));
    }
}
