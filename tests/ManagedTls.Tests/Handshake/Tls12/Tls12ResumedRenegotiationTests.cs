using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// A renegotiation over a resumed TLS 1.2 connection is a full handshake (decision 0024): once it completes, neither
/// side reports the session as reused (as OpenSSL's SSL_session_reused reports the last handshake), while it runs they
/// still report the last completed handshake.
/// </summary>
public sealed class Tls12ResumedRenegotiationTests
{
    private static TlsConfig Tls12(TlsConfig s, bool tickets) => s with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites.Where(c => c.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe).ToArray(),
        StatelessTickets = tickets,
    };

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void AfterRenegotiatingAResumedConnectionTheSessionIsNoLongerReported(bool tickets, bool clientStarts)
    {
        TlsConfig client = Tls12(ConnectionTestKit.Client(), tickets);
        TlsConfig server = Tls12(ConnectionTestKit.Server(), tickets) with { SessionContext = [3], AllowClientRenegotiation = true };
        using var first = new ConnectionPair(client, server);
        first.Handshake();
        using Tls12Session session = first.Client.Tls12Session!;

        using var pair = new ConnectionPair(client with { Tls12ResumptionSession = session }, server);
        pair.Handshake();
        Assert.True(pair.Client.SessionReused);
        Assert.True(pair.Server.SessionReused);

        TlsConnection initiator = clientStarts ? pair.Client : pair.Server;
        initiator.Renegotiate();
        Assert.True(initiator.SessionReused, "the last completed handshake resumed");
        pair.Pump();

        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
        Assert.Equal(1, pair.Client.RenegotiationCount);
        Assert.Equal(1, pair.Server.RenegotiationCount);
        Assert.False(pair.Client.SessionReused, "the client reports the renegotiation as resumed");
        Assert.False(pair.Server.SessionReused, "the server reports the renegotiation as resumed");
    }
}
