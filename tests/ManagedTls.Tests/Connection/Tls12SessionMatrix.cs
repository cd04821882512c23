using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Connection;

/// <summary>How a TLS 1.2 session-matrix case begins: a full handshake, or one resuming an earlier session.</summary>
public enum Tls12Resumption
{
    /// <summary>A full handshake (tickets on both sides).</summary>
    None,

    /// <summary>Resumes by session id through the server's cache (tickets off on both sides).</summary>
    SessionId,

    /// <summary>Resumes by RFC 5077 ticket.</summary>
    Ticket,
}

/// <summary>Which side renegotiates after the handshake of a TLS 1.2 session-matrix case.</summary>
public enum Tls12Renegotiator
{
    /// <summary>No renegotiation.</summary>
    None,

    /// <summary>The client (the server allows it).</summary>
    Client,

    /// <summary>The server, by HelloRequest.</summary>
    Server,
}

/// <summary>
/// One point of the TLS 1.2 session matrix: the suite, the version setup, resumption, renegotiation and client
/// authentication (the curve, server key variant and signature_algorithms are the core product's: x25519, the first
/// key variant, OpenSSL's default list).
/// </summary>
internal sealed record Tls12SessionCase(CipherSuiteInfo Suite, Tls12Versions Versions, Tls12Resumption Resumption, Tls12Renegotiator Renegotiator, bool ClientAuth)
{
    /// <summary>How many values each of the five dimensions has.</summary>
    public static int[] Sizes => [Tls12HandshakeMatrix.Suites.Count, 3, 3, 3, 2];

    public static Tls12SessionCase FromValues(int[] row) =>
        new(Tls12HandshakeMatrix.Suites[row[0]], (Tls12Versions)row[1], (Tls12Resumption)row[2], (Tls12Renegotiator)row[3], row[4] == 1);

    /// <summary>The dimension values as indexes into <see cref="Sizes"/>.</summary>
    public int[] Values => [Tls12HandshakeMatrix.Suites.ToList().IndexOf(Suite), (int)Versions, (int)Resumption, (int)Renegotiator, ClientAuth ? 1 : 0];

    /// <summary>The handshake-matrix case whose settings this one starts from.</summary>
    public Tls12MatrixCase Base => new(Suite, KeyExchangeGroups.X25519, 0, 0, Versions, ClientAuth, Alpn: true);

    public override string ToString() => $"{Suite.IanaName} {Versions} resume {Resumption} renegotiate {Renegotiator}{(ClientAuth ? " clientauth" : "")}";
}

/// <summary>
/// The runner of one TLS 1.2 session-matrix case, in memory: an earlier full handshake when the case resumes, the
/// handshake itself, then a renegotiation when asked, each checked on both sides.
/// </summary>
internal static class Tls12SessionMatrix
{
    private const string Label = "EXPORTER-session-matrix";

    /// <summary>
    /// Runs one case. After the handshake: the suite is the case's on both sides, the session is reused on both sides
    /// exactly when the case resumes (with a ticket exactly when it resumes by ticket), tls-unique and the exporter are
    /// equal on both ends. After a renegotiation: it completed once on both sides as a full handshake, the suite is the
    /// same, tls-unique and the exporter are equal on both ends and both changed. Data moves both ways after each step,
    /// and both sides close.
    /// </summary>
    public static void Run(Tls12SessionCase c, int seed = 11)
    {
        var (client, server) = Tls12HandshakeMatrix.Settings(c.Base, seed);
        bool tickets = c.Resumption != Tls12Resumption.SessionId;
        client = client with { StatelessTickets = tickets };
        server = server with { StatelessTickets = tickets, SessionContext = [5, 5], AllowClientRenegotiation = c.Renegotiator == Tls12Renegotiator.Client };

        Tls12Session? session = null;
        ConnectionPair? earlier = null;
        try
        {
            if (c.Resumption != Tls12Resumption.None)
            {
                earlier = new ConnectionPair(client with { Entropy = new SeededEntropy(seed + 7) }, server with { Entropy = new SeededEntropy(seed + 8) });
                earlier.Handshake();
                Assert.False(earlier.Client.SessionReused);
                session = earlier.Client.Tls12Session;
                Assert.NotNull(session);
                Assert.Equal(c.Resumption == Tls12Resumption.Ticket, session.Ticket is not null);
                client = client with { Tls12ResumptionSession = session };
            }

            using var pair = new ConnectionPair(client, server);
            pair.Handshake();
            bool resumed = c.Resumption != Tls12Resumption.None;
            foreach (TlsConnection side in new[] { pair.Client, pair.Server })
            {
                Assert.Equal(ProtocolVersion.Tls12, side.Version);
                Assert.Equal(c.Suite, side.CipherSuite);
                Assert.Equal(resumed, side.SessionReused);
                Assert.Equal(CompressionMethod.Null, side.Compression);
            }

            if (resumed)
            {
                // The abbreviated flow: the server's change_cipher_spec follows its first flight directly, and it sends
                // no certificate; the session's certificates stand.
                List<byte[]> serverRecords = Records.Split(pair.ServerWire);
                Assert.Equal((byte)ContentType.ChangeCipherSpec, serverRecords[1][0]);
                Assert.Equal(earlier!.Client.PeerCertificateChain, pair.Client.PeerCertificateChain);
                Assert.Equal(earlier.Server.PeerCertificateChain, pair.Server.PeerCertificateChain);
                Assert.NotEqual(earlier.Client.GetChannelBinding("tls-unique"), pair.Client.GetChannelBinding("tls-unique"));
            }

            Assert.Equal(c.ClientAuth ? 1 : 0, pair.Server.PeerCertificateChain.Count);
            byte[] unique = AssertAgreed(pair);
            byte[] exported = pair.Client.ExportKeyingMaterial(Label, [1], 32);
            AssertDataFlows(pair, seed);

            if (c.Renegotiator != Tls12Renegotiator.None)
            {
                TlsConnection initiator = c.Renegotiator == Tls12Renegotiator.Client ? pair.Client : pair.Server;
                initiator.Renegotiate();
                Assert.True(initiator.RenegotiationPending);
                pair.Pump();
                Assert.Null(pair.ClientError);
                Assert.Null(pair.ServerError);
                foreach (TlsConnection side in new[] { pair.Client, pair.Server })
                {
                    Assert.False(side.RenegotiationPending);
                    Assert.Equal(1, side.RenegotiationCount);
                    Assert.Equal(0, side.RenegotiationsRefused);
                    Assert.Equal(c.Suite, side.CipherSuite);

                    // A renegotiation is always a full handshake (decision 0024).
                    Assert.False(side.SessionReused, "a renegotiation resumed");
                }

                Assert.Equal(c.ClientAuth ? 1 : 0, pair.Server.PeerCertificateChain.Count);
                byte[] after = AssertAgreed(pair);
                Assert.NotEqual(unique, after);
                Assert.NotEqual(exported, pair.Client.ExportKeyingMaterial(Label, [1], 32));
                AssertDataFlows(pair, seed + 1);
            }

            pair.Client.Close();
            pair.Server.Close();
            pair.Pump();
            Assert.True(pair.Client.PeerClosed && pair.Server.PeerClosed, "close_notify not received");
            Assert.Null(pair.ClientError);
            Assert.Null(pair.ServerError);
        }
        finally
        {
            session?.Dispose();
            earlier?.Dispose();
        }
    }

    // tls-unique (12 bytes) and the exporter equal on both ends; returns tls-unique.
    private static byte[] AssertAgreed(ConnectionPair pair)
    {
        byte[] unique = pair.Client.GetChannelBinding("tls-unique")!;
        Assert.Equal(12, unique.Length);
        Assert.Equal(unique, pair.Server.GetChannelBinding("tls-unique"));
        Assert.Equal(pair.Client.ExportKeyingMaterial(Label, [1], 32), pair.Server.ExportKeyingMaterial(Label, [1], 32));
        return unique;
    }

    private static void AssertDataFlows(ConnectionPair pair, int seed)
    {
        byte[] toServer = new byte[17_000 + seed];
        byte[] toClient = new byte[200 + seed];
        new Random(seed).NextBytes(toServer);
        new Random(seed + 1).NextBytes(toClient);
        pair.Client.WriteApplicationData(toServer);
        pair.Server.WriteApplicationData(toClient);
        pair.Pump();
        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
        Assert.Equal(toServer, ConnectionPair.ReadAll(pair.Server));
        Assert.Equal(toClient, ConnectionPair.ReadAll(pair.Client));
    }
}

/// <summary>
/// The TLS 1.2 session matrix: an all-pairs array over suite, version setup, resumption (none, by id, by ticket),
/// renegotiation (none, by the client, by the server) and client authentication.
/// </summary>
public class Tls12SessionMatrixTests
{
    public static TheoryData<string> AllPairs()
    {
        var data = new TheoryData<string>();
        foreach (int[] row in PairwiseCover.Generate(Tls12SessionCase.Sizes))
        {
            data.Add(string.Join(",", row));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Tls12SessionPairwise(string row) =>
        Tls12SessionMatrix.Run(Tls12SessionCase.FromValues(row.Split(',').Select(int.Parse).ToArray()));

    public static TheoryData<Tls12Resumption, Tls12Renegotiator> Product()
    {
        var data = new TheoryData<Tls12Resumption, Tls12Renegotiator>();
        foreach (Tls12Resumption resumption in Enum.GetValues<Tls12Resumption>())
        {
            foreach (Tls12Renegotiator renegotiator in Enum.GetValues<Tls12Renegotiator>())
            {
                data.Add(resumption, renegotiator);
            }
        }

        return data;
    }

    /// <summary>Resumption by each means followed by each renegotiation, with one suite: the full 3 × 3 product.</summary>
    [Theory]
    [MemberData(nameof(Product))]
    public void ResumptionThenRenegotiation(Tls12Resumption resumption, Tls12Renegotiator renegotiator) =>
        Tls12SessionMatrix.Run(new Tls12SessionCase(
            CipherSuiteRegistry.FindByIanaName("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384")!, Tls12Versions.BothOnly12, resumption, renegotiator, ClientAuth: true));

    [Fact]
    public void TheCoverHasEveryPairOnce()
    {
        int[] sizes = Tls12SessionCase.Sizes;
        var rows = ((IEnumerable<object[]>)AllPairs()).Select(d => ((string)d[0]).Split(',').Select(int.Parse).ToArray()).ToList();
        var covered = rows.SelectMany(PairwiseCover.PairsOf).ToHashSet();
        Assert.All(PairwiseCover.AllPairs(sizes), p => Assert.Contains(p, covered));
        Assert.Equal(rows.Count, rows.Select(r => string.Join(",", r)).Distinct().Count());
        Assert.InRange(rows.Count, sizes[0] * 3, sizes[0] * 3 + 10);
        Assert.All(rows, r => Assert.Equal(r, Tls12SessionCase.FromValues(r).Values));
    }
}
