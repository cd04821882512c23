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
/// still report the last completed handshake. The session the renegotiation makes resumes later, as the first one does.
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

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void TheSessionARenegotiationMakesResumesAndSoDoesTheFirst(bool tickets, bool clientStarts)
    {
        TlsConfig client = Tls12(ConnectionTestKit.Client(), tickets);
        TlsConfig server = Tls12(ConnectionTestKit.Server(), tickets) with { SessionContext = [4], AllowClientRenegotiation = true };
        using var pair = new ConnectionPair(client, server);
        pair.Handshake();
        using Tls12Session first = pair.Client.Tls12Session!;
        (clientStarts ? pair.Client : pair.Server).Renegotiate();
        pair.Pump();
        Assert.Equal(1, pair.Client.RenegotiationCount);
        using Tls12Session renegotiated = pair.Client.Tls12Session!;
        Assert.NotSame(first, renegotiated);
        Assert.False(renegotiated.MasterSecret.SequenceEqual(first.MasterSecret));

        foreach (Tls12Session session in new[] { renegotiated, first })
        {
            using var resumed = new ConnectionPair(client with { Tls12ResumptionSession = session }, server);
            resumed.Handshake();
            Assert.True(resumed.Client.SessionReused);
            Assert.True(resumed.Server.SessionReused);
            Assert.Equal(resumed.Client.GetChannelBinding("tls-unique"), resumed.Server.GetChannelBinding("tls-unique"));
            resumed.Client.WriteApplicationData([1, 2, 3]);
            resumed.Pump();
            Assert.Equal([1, 2, 3], ConnectionPair.ReadAll(resumed.Server));
        }
    }
}
