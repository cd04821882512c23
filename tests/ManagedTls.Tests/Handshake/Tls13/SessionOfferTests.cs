using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;

namespace ManagedTls.Tests.Handshake.Tls13;

/// <summary>
/// A client offers a session only where resuming it cannot skip a check the connection asks for: the same server
/// name, and when it verifies the server, the same trust settings and a host name the stored leaf matches.
/// </summary>
public class SessionOfferTests
{
    private const string OtherName = "other.test";

    [Fact]
    public void ASessionVerifiedUnderTheSameTrustIsOfferedAndResumed()
    {
        Tls13Session session = SessionFrom(ConnectionTestKit.Client());
        using var pair = Resume(ConnectionTestKit.Client() with { ResumptionSession = session });
        Assert.True(OffersPsk(pair));
        Assert.True(pair.Client.SessionReused);
        Assert.True(pair.Client.VerifyResult!.IsValid);
    }

    [Fact]
    public void ASessionMadeWithoutVerificationIsNotOfferedWhenTheServerIsVerified()
    {
        Tls13Session session = SessionFrom(ConnectionTestKit.Client() with { VerifyPeer = false, CheckHostname = false });
        Assert.Null(session.Verification);
        using var pair = Resume(ConnectionTestKit.Client() with { ResumptionSession = session });
        Assert.False(OffersPsk(pair));
        Assert.False(pair.Client.SessionReused);
        Assert.True(pair.Client.VerifyResult!.IsValid);
    }

    [Fact]
    public void ASessionMadeWithoutVerificationIsOfferedWithoutVerificationAndNotReportedVerified()
    {
        Tls13Session session = SessionFrom(ConnectionTestKit.Client() with { VerifyPeer = false, CheckHostname = false });
        using var pair = Resume(ConnectionTestKit.Client() with { VerifyPeer = false, CheckHostname = false, ResumptionSession = session });
        Assert.True(pair.Client.SessionReused);
        Assert.Null(pair.Client.VerifyResult);
    }

    [Fact]
    public void ASessionVerifiedAgainstOtherAnchorsIsNotOffered()
    {
        Tls13Session session = SessionFrom(ConnectionTestKit.Client());
        var otherTrust = new TrustStore([ConnectionTestKit.OtherRootDer, ConnectionTestKit.RootDer]);
        using var pair = Resume(ConnectionTestKit.Client() with { Trust = otherTrust, ResumptionSession = session });
        Assert.False(OffersPsk(pair));
        Assert.True(pair.Client.VerifyResult!.IsValid);
    }

    [Fact]
    public void ASessionVerifiedWithOtherFlagsIsNotOffered()
    {
        Tls13Session session = SessionFrom(ConnectionTestKit.Client());
        using var pair = Resume(ConnectionTestKit.Client() with { VerifyFlags = VerifyFlags.VerifyX509Strict, ResumptionSession = session });
        Assert.False(OffersPsk(pair));
    }

    [Fact]
    public void ASessionForAnotherServerNameIsNotOffered()
    {
        Tls13Session session = SessionFrom(ConnectionTestKit.Client() with { ServerName = OtherName, CheckHostname = false });
        using var pair = Resume(ConnectionTestKit.Client() with { ResumptionSession = session });
        Assert.False(OffersPsk(pair));
    }

    [Fact]
    public void WithTheHostNameCheckedASessionWhoseLeafDoesNotMatchIsNotOffered()
    {
        // Made without the host name check, for a name the server's certificate does not carry.
        Tls13Session session = SessionFrom(ConnectionTestKit.Client() with { ServerName = OtherName, CheckHostname = false });
        Assert.Null(session.Verification!.CheckedName);

        // Resuming it with the check on would accept the server for a name its certificate lacks; a full handshake
        // is made instead, and it fails on the name.
        using var pair = Resume(ConnectionTestKit.Client() with { ServerName = OtherName, ResumptionSession = session });
        Assert.False(OffersPsk(pair));
        Assert.False(pair.Client.IsHandshakeComplete);
        Assert.Equal(AlertDescription.BadCertificate, pair.ClientError!.Description);
    }

    [Fact]
    public void WithTheHostNameCheckedASessionWhoseLeafMatchesIsOfferedAfterTheNameIsCheckedAgain()
    {
        Tls13Session session = SessionFrom(ConnectionTestKit.Client() with { CheckHostname = false });
        Assert.Null(session.Verification!.CheckedName);
        using var pair = Resume(ConnectionTestKit.Client() with { ResumptionSession = session });
        Assert.True(OffersPsk(pair));
        Assert.True(pair.Client.SessionReused);
    }

    private static Tls13Session SessionFrom(TlsConfig client)
    {
        using var pair = new ConnectionPair(client, Server.Value);
        pair.Handshake();
        Tls13Session session = pair.Client.LatestSession!;
        session.Adopt();
        return session;
    }

    private static ConnectionPair Resume(TlsConfig client)
    {
        var pair = new ConnectionPair(client, Server.Value);
        pair.Pump();
        return pair;
    }

    private static bool OffersPsk(ConnectionPair pair)
    {
        byte[] first = pair.ClientWire[0];
        int length = (first[3] << 8) | first[4];
        var hello = (ClientHello)HandshakeMessage.Read(first.AsSpan(5, length), WireContext.Tls13);
        return hello.Extensions.Contains(ExtensionType.PreSharedKey);
    }

    // One server for every connection of a test class, so its ticket keys open the tickets it issued.
    private static readonly Lazy<TlsConfig> Server = new(() => ConnectionTestKit.Server());
}
