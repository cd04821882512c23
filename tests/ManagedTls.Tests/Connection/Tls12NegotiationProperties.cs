using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Connection;

/// <summary>
/// A TLS 1.2 client and server configuration (both TLS 1.2 only) that share at least one suite: suites, groups (curves
/// and RFC 7919 groups), signature schemes and ALPN lists are indexes into <see cref="Tls12NegotiationProperties"/>'
/// pools, in preference order. The server has DH parameters (ffdhe2048) and one key; whether a shared suite can be
/// served depends on that key, the groups and the schemes, as RFC 5246, 8422 and 7919 say. Each side may enable tickets
/// and compression; a second handshake offers the first's session, with the first's suite taken out of either side's
/// list when asked (where that list has another).
/// </summary>
public sealed record Tls12NegotiationConfig(
    int[] ClientSuites,
    int[] ServerSuites,
    bool ServerPreference,
    int[] ClientGroups,
    int[] ServerGroups,
    ServerKeyType ServerKey,
    int[] ClientSchemes,
    int[] ServerSchemes,
    string[] ClientAlpn,
    string[] ServerAlpn,
    ClientAuthMode ClientAuth,
    ServerKeyType ClientKey,
    int Seed,
    bool ClientTickets = false,
    bool ServerTickets = false,
    bool ClientCompression = false,
    bool ServerCompression = false,
    bool SecondWithoutSuiteOnClient = false,
    bool SecondWithoutSuiteOnServer = false)
{
    public override string ToString()
    {
        static string Names<T>(int[] indexes, IReadOnlyList<T> pool) => "[" + string.Join(",", indexes.Select(i => pool[i]!.ToString())) + "]";
        return $"client suites {Names(ClientSuites, Tls12NegotiationProperties.SuitePool)}, server suites {Names(ServerSuites, Tls12NegotiationProperties.SuitePool)}"
            + $"{(ServerPreference ? " (server preference)" : "")}; client groups {Names(ClientGroups, Tls12NegotiationProperties.GroupPool.Select(g => g.Name).ToList())}"
            + $", server groups {Names(ServerGroups, Tls12NegotiationProperties.GroupPool.Select(g => g.Name).ToList())}; server key {ServerKey};"
            + $" client schemes {Names(ClientSchemes, Tls12NegotiationProperties.SchemePool)}, server schemes {Names(ServerSchemes, Tls12NegotiationProperties.SchemePool)};"
            + $" ALPN client [{string.Join(",", ClientAlpn)}] server [{string.Join(",", ServerAlpn)}]; client auth {ClientAuth} ({ClientKey});"
            + $" tickets client {ClientTickets} server {ServerTickets}; compression client {ClientCompression} server {ServerCompression};"
            + $" the second handshake without the first's suite on the client {SecondWithoutSuiteOnClient}, on the server {SecondWithoutSuiteOnServer}; seed {Seed}";
    }
}

/// <summary>FsCheck generators of <see cref="Tls12NegotiationConfig"/>.</summary>
public static class Tls12NegotiationArbitraries
{
    public static Arbitrary<Tls12NegotiationConfig> Configs() => Arb.From(Tls12NegotiationProperties.ConfigGen());
}

/// <summary>
/// Random TLS 1.2 client and server configurations end as the RFC rules predict from the two configurations: the suite
/// (client order unless the server prefers its own, among the shared suites the server's key, groups and schemes can
/// serve), the ECDHE curve or the DHE group (RFC 8422, RFC 7919), the ServerKeyExchange and CertificateVerify schemes,
/// the ALPN protocol; handshake_failure on both sides when no shared suite can be served, no_application_protocol when the
/// ALPN lists do not meet.
/// </summary>
public class Tls12NegotiationProperties
{
    /// <summary>The replayed FsCheck seed: the same cases on every run. Change it (or remove Replay) to explore others.</summary>
    private const string ReplaySeed = "(1234567890123456789,9876543210987654321)";

    internal static IReadOnlyList<CipherSuiteInfo> SuitePool => CipherSuiteRegistry.Tls12Suites;

    /// <summary>The TLS 1.2 curves and two RFC 7919 groups (ffdhe2048 is also the server's DH parameters).</summary>
    internal static readonly IReadOnlyList<KeyExchangeGroup> GroupPool =
        [.. Tls12HandshakeMatrix.Curves, KeyExchangeGroups.All.Single(g => g.Group == NamedGroup.Ffdhe2048), KeyExchangeGroups.All.Single(g => g.Group == NamedGroup.Ffdhe3072)];

    internal static IReadOnlyList<SignatureScheme> SchemePool => SignatureSchemes.Default;

    private static readonly string[] AlpnPool = ["h2", "http/1.1", "spdy/3", "imap"];

    private static Gen<int[]> OrderedSubset(int n, int min, int max) =>
        Gen.Shuffle(Enumerable.Range(0, n).ToArray()).SelectMany(perm => Gen.Choose(min, Math.Min(max, n)).Select(k => perm.Take(k).ToArray()));

    private static Gen<int[]> OrderedSubsetWith(int n, int max, int[] required) =>
        OrderedSubset(n, 1, max).SelectMany(
            list => Gen.Elements(required).SelectMany(r => Gen.Choose(0, list.Length).Select(at => (r, at))),
            (list, pick) => list.Intersect(required).Any() ? list : [.. list.Take(pick.at), pick.r, .. list.Skip(pick.at)]);

    private static int[] IndexesOf(IEnumerable<SignatureScheme> schemes) => schemes.Select(s => SchemePool.ToList().IndexOf(s)).ToArray();

    // The suites whose authentication a key of this type serves: RSA, or ECDSA (an EC or EdDSA key).
    private static int[] Authenticated(ServerKeyType key) => Enumerable.Range(0, SuitePool.Count)
        .Where(i => (SuitePool[i].Authentication.Algorithm == AuthenticationAlgorithm.Rsa) == (key == ServerKeyType.Rsa2048)).ToArray();

    private static int[] Signable(ServerKeyType key) => IndexesOf(SchemePool.Where(s => Tls12HandshakeMatrix.CanSign(key, s)));

    internal static Gen<Tls12NegotiationConfig> ConfigGen() =>
        from serverKey in Gen.Elements(Enum.GetValues<ServerKeyType>())

        // Mostly a shared suite of the server key's authentication; sometimes only shared suites of the other.
        from clientSuites in Gen.Frequency((9, OrderedSubsetWith(SuitePool.Count, 8, Authenticated(serverKey))), (1, OrderedSubset(SuitePool.Count, 1, 8)))
        from serverSuites in clientSuites.Intersect(Authenticated(serverKey)).Any()
            ? Gen.Frequency((9, OrderedSubsetWith(SuitePool.Count, 8, clientSuites.Intersect(Authenticated(serverKey)).ToArray())), (1, OrderedSubsetWith(SuitePool.Count, 8, clientSuites)))
            : OrderedSubsetWith(SuitePool.Count, 8, clientSuites)
        from preference in Gen.Elements(true, false)
        from clientGroups in OrderedSubset(GroupPool.Count, 1, 4)

        // Mostly a group in common and a scheme both accept that the server's key can make; sometimes anything.
        from serverGroups in Gen.Frequency((9, OrderedSubsetWith(GroupPool.Count, 4, clientGroups)), (1, OrderedSubset(GroupPool.Count, 1, 4)))
        from clientAuth in Gen.Elements(Enum.GetValues<ClientAuthMode>())
        from clientKey in Gen.Elements(Enum.GetValues<ServerKeyType>())
        from clientSchemes1 in Gen.Frequency((9, OrderedSubsetWith(SchemePool.Count, 6, Signable(serverKey))), (1, OrderedSubset(SchemePool.Count, 1, 6)))
        from clientSchemes in clientAuth is ClientAuthMode.RequiredWithCertificate or ClientAuthMode.OptionalWithCertificate
            ? AddOneOf(clientSchemes1, Signable(clientKey))
            : Gen.Constant(clientSchemes1)
        from serverSchemes0 in clientSchemes.Intersect(Signable(serverKey)).Any()
            ? Gen.Frequency((9, OrderedSubsetWith(SchemePool.Count, 6, clientSchemes.Intersect(Signable(serverKey)).ToArray())), (1, OrderedSubset(SchemePool.Count, 1, 6)))
            : OrderedSubset(SchemePool.Count, 1, 6)
        from serverSchemes in clientAuth is ClientAuthMode.RequiredWithCertificate or ClientAuthMode.OptionalWithCertificate
            ? AddOneOf(serverSchemes0, clientSchemes.Intersect(Signable(clientKey)).ToArray())
            : Gen.Constant(serverSchemes0)
        from clientAlpn in OrderedSubset(AlpnPool.Length, 0, 2)
        from serverAlpn in OrderedSubset(AlpnPool.Length, 0, 2)
        from seed in Gen.Choose(0, 1_000_000)
        from tickets in Gen.Choose(0, 3)
        from compression in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 3)))
        from without in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 3)))
        select new Tls12NegotiationConfig(
            clientSuites, serverSuites, preference, clientGroups, serverGroups, serverKey, clientSchemes, serverSchemes,
            clientAlpn.Select(i => AlpnPool[i]).ToArray(), serverAlpn.Select(i => AlpnPool[i]).ToArray(), clientAuth, clientKey, seed,
            (tickets & 1) != 0, (tickets & 2) != 0, (compression & 1) != 0, (compression & 2) != 0, (without & 1) != 0, (without & 2) != 0);

    private static Gen<int[]> AddOneOf(int[] list, int[] required) =>
        list.Intersect(required).Any()
            ? Gen.Constant(list)
            : Gen.Elements(required).SelectMany(r => Gen.Choose(0, list.Length), (r, at) => (int[])[.. list.Take(at), r, .. list.Skip(at)]);

    /// <summary>What the RFCs make of two configurations; <see cref="Suite"/> null when no shared suite can be served.</summary>
    internal sealed record Expected(
        CipherSuiteInfo? Suite,
        NamedGroup? Group,
        SignatureScheme? Scheme,
        SignatureScheme? ClientScheme,
        string? Alpn,
        bool AlpnMismatch);

    internal static Expected Predict(Tls12NegotiationConfig c)
    {
        NamedGroup[] clientGroups = c.ClientGroups.Select(i => GroupPool[i].Group).ToArray();
        NamedGroup[] serverGroups = c.ServerGroups.Select(i => GroupPool[i].Group).ToArray();
        SignatureScheme[] clientSchemes = c.ClientSchemes.Select(i => SchemePool[i]).ToArray();
        SignatureScheme[] serverSchemes = c.ServerSchemes.Select(i => SchemePool[i]).ToArray();
        NamedGroup? First(IEnumerable<NamedGroup> serverSide) =>
            c.ServerPreference
                ? serverSide.Cast<NamedGroup?>().FirstOrDefault(g => clientGroups.Contains(g!.Value))
                : clientGroups.Cast<NamedGroup?>().FirstOrDefault(g => serverSide.Contains(g!.Value));

        // RFC 5246 section 7.4.1.4.1: the ServerKeyExchange signs with a scheme the client lists that we enable and our
        // key can make; the first in the client's order, or in ours with server preference (OpenSSL's shared sigalgs).
        SignatureScheme? scheme = (c.ServerPreference ? serverSchemes.Where(clientSchemes.Contains) : clientSchemes.Where(serverSchemes.Contains))
            .Cast<SignatureScheme?>().FirstOrDefault(s => Tls12HandshakeMatrix.CanSign(c.ServerKey, s!.Value));

        // RFC 8422: a curve both list; an ECDSA certificate on a curve the client lists (EdDSA has no curve to list).
        NamedGroup? curve = First(serverGroups.Where(g => Tls12HandshakeMatrix.Curves.Any(k => k.Group == g)));
        bool ecdsa = c.ServerKey switch
        {
            ServerKeyType.Ed25519 => true,
            ServerKeyType.EcdsaP256 => clientGroups.Contains(NamedGroup.Secp256r1),
            ServerKeyType.EcdsaP384 => clientGroups.Contains(NamedGroup.Secp384r1),
            _ => false,
        };

        // RFC 7919 section 4: a client listing FFDHE groups gets DHE only with one of them (ours, or our parameters,
        // ffdhe2048); one listing none takes our parameters.
        NamedGroup? dhe;
        if (clientGroups.Any(g => (ushort)g is >= 0x100 and <= 0x1FF))
        {
            dhe = First(serverGroups.Where(g => (ushort)g is >= 0x100 and <= 0x1FF))
                ?? (clientGroups.Contains(NamedGroup.Ffdhe2048) ? NamedGroup.Ffdhe2048 : null);
        }
        else
        {
            dhe = NamedGroup.Ffdhe2048;
        }

        bool rsa = c.ServerKey == ServerKeyType.Rsa2048;
        bool CanServe(CipherSuiteInfo s)
        {
            bool auth = s.Authentication.Algorithm == AuthenticationAlgorithm.Rsa ? rsa : ecdsa;
            return s.KeyExchange.Algorithm switch
            {
                SuiteKeyExchange.Ecdhe => auth && scheme is not null && curve is not null,
                SuiteKeyExchange.Dhe => auth && scheme is not null && dhe is not null,
                _ => rsa && s.Authentication.Algorithm == AuthenticationAlgorithm.Rsa,
            };
        }

        CipherSuiteInfo[] servable = c.ServerSuites.Select(i => SuitePool[i]).Where(CanServe).ToArray();
        CipherSuiteInfo[] offered = c.ClientSuites.Select(i => SuitePool[i]).ToArray();
        CipherSuiteInfo? suite = c.ServerPreference ? servable.FirstOrDefault(offered.Contains) : offered.FirstOrDefault(servable.Contains);

        // The client signs CertificateVerify with its first scheme the server requested that its key can make, one of its
        // own curve first for an ECDSA key (as OpenSSL).
        SignatureScheme? clientScheme = null;
        if (c.ClientAuth is ClientAuthMode.OptionalWithCertificate or ClientAuthMode.RequiredWithCertificate)
        {
            SignatureScheme[] usable = clientSchemes.Where(s => serverSchemes.Contains(s) && Tls12HandshakeMatrix.CanSign(c.ClientKey, s)).ToArray();
            SignatureScheme? own = c.ClientKey switch
            {
                ServerKeyType.EcdsaP256 => SignatureScheme.EcdsaSecp256r1Sha256,
                ServerKeyType.EcdsaP384 => SignatureScheme.EcdsaSecp384r1Sha384,
                _ => null,
            };
            clientScheme = own is { } o && usable.Contains(o) ? o : usable[0];
        }

        string? alpn = c.ClientAlpn.Length == 0 || c.ServerAlpn.Length == 0 ? null : c.ServerAlpn.FirstOrDefault(c.ClientAlpn.Contains);
        bool mismatch = c.ClientAlpn.Length > 0 && c.ServerAlpn.Length > 0 && alpn is null;
        NamedGroup? group = suite?.KeyExchange.Algorithm switch
        {
            SuiteKeyExchange.Ecdhe => curve,
            SuiteKeyExchange.Dhe => dhe,
            _ => null,
        };
        return new Expected(suite, group, suite is null || suite.KeyExchange.Algorithm == SuiteKeyExchange.Rsa ? null : scheme, clientScheme, alpn, mismatch);
    }

    internal static (TlsConfig Client, TlsConfig Server) Settings(Tls12NegotiationConfig c)
    {
        TlsConfig client = ConnectionTestKit.Client(new SeededEntropy(c.Seed)) with
        {
            MinimumVersion = ProtocolVersion.Tls12,
            MaximumVersion = ProtocolVersion.Tls12,
            CipherSuites = [],
            Tls12CipherSuites = c.ClientSuites.Select(i => SuitePool[i]).ToArray(),
            Groups = c.ClientGroups.Select(i => GroupPool[i]).ToArray(),
            SignatureSchemes = c.ClientSchemes.Select(i => SchemePool[i]).ToArray(),
            AlpnProtocols = c.ClientAlpn.Select(Encoding.ASCII.GetBytes).ToArray(),
            StatelessTickets = c.ClientTickets,
            Compression = c.ClientCompression,
        };
        TlsConfig server = ConnectionTestKit.Server(c.ServerKey) with
        {
            MinimumVersion = ProtocolVersion.Tls12,
            MaximumVersion = ProtocolVersion.Tls12,
            CipherSuites = [],
            Tls12CipherSuites = c.ServerSuites.Select(i => SuitePool[i]).ToArray(),
            PreferServerCipherSuites = c.ServerPreference,
            Groups = c.ServerGroups.Select(i => GroupPool[i]).ToArray(),
            DhParameters = KeyExchanges.Ffdhe2048,
            SignatureSchemes = c.ServerSchemes.Select(i => SchemePool[i]).ToArray(),
            AlpnProtocols = c.ServerAlpn.Select(Encoding.ASCII.GetBytes).ToArray(),
            RequestClientCertificate = c.ClientAuth != ClientAuthMode.None,
            StatelessTickets = c.ServerTickets,
            Compression = c.ServerCompression,
            RequireClientCertificate = c.ClientAuth == ClientAuthMode.RequiredWithCertificate,
            Entropy = new SeededEntropy(c.Seed + 1),
        };
        if (c.ServerKey == ServerKeyType.Rsa2048)
        {
            server = server with { CertificateChain = [Tls12HandshakeMatrix.RsaLeaf.Value.Der], PrivateKey = Tls12HandshakeMatrix.RsaLeaf.Value.Key };
        }

        if (c.ClientAuth is ClientAuthMode.OptionalWithCertificate or ClientAuthMode.RequiredWithCertificate)
        {
            var (der, key) = ConnectionTestKit.Leaf(c.ClientKey);
            client = client with { CertificateChain = [der], PrivateKey = key };
        }

        return (client, server);
    }

    [Property(MaxTest = 300, Replay = ReplaySeed, Arbitrary = [typeof(Tls12NegotiationArbitraries)])]
    public void ConfigurationsEndAsTheRulesPredict(Tls12NegotiationConfig config)
    {
        Expected expected = Predict(config);
        var (client, server) = Settings(config);
        using var pair = new ConnectionPair(client, server);
        pair.Pump();
        try
        {
            if (expected.Suite is null || expected.AlpnMismatch)
            {
                AlertDescription alert = expected.Suite is null ? AlertDescription.HandshakeFailure : AlertDescription.NoApplicationProtocol;
                Assert.Equal(alert, pair.ServerError?.Description);
                Assert.False(pair.ServerError!.Received);
                Assert.Equal(alert, pair.ClientError?.Description);
                Assert.True(pair.ClientError!.Received);
                Assert.False(pair.Client.IsHandshakeComplete || pair.Server.IsHandshakeComplete);
                return;
            }

            Assert.Null(pair.ClientError);
            Assert.Null(pair.ServerError);
            Assert.True(pair.Client.IsHandshakeComplete && pair.Server.IsHandshakeComplete);
            foreach (var side in new[] { pair.Client, pair.Server })
            {
                Assert.Equal(ProtocolVersion.Tls12, side.Version);
                Assert.Equal(expected.Suite, side.CipherSuite);
                Assert.Equal(expected.Group, side.NamedGroup);
                Assert.Equal(expected.Scheme, side.SignatureScheme);
                Assert.Equal(expected.ClientScheme, side.ClientSignatureScheme);
                Assert.Equal(expected.Alpn, side.AlpnProtocol is { } p ? Encoding.ASCII.GetString(p) : null);
                Assert.Equal(config.ClientCompression && config.ServerCompression ? CompressionMethod.Deflate : CompressionMethod.Null, side.Compression);
                Assert.False(side.SessionReused);
            }

            Assert.Equal(expected.ClientScheme is null ? 0 : 1, pair.Server.PeerCertificateChain.Count);
            Assert.Equal(pair.Client.GetChannelBinding("tls-unique"), pair.Server.GetChannelBinding("tls-unique"));
            byte[] ping = Encoding.ASCII.GetBytes(config.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            pair.Client.WriteApplicationData(ping);
            pair.Server.WriteApplicationData(ping);
            pair.Pump();
            Assert.Equal(ping, ConnectionPair.ReadAll(pair.Server));
            Assert.Equal(ping, ConnectionPair.ReadAll(pair.Client));
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"expected {expected}; client error {pair.ClientError?.Message}, server error {pair.ServerError?.Message}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Whether the second handshake resumes the first's session, and its configuration. The first leaves a session
    /// unless it used compression (decision 0025); tickets make it a ticket when both sides enable them, else the
    /// server caches it under its id. Our sides always use extended_master_secret (RFC 7627 section 5.3 then allows
    /// resumption) and keep the same session context, server name and client-authentication settings, so it resumes
    /// exactly when its suite is still enabled on both sides (RFC 5246 section 7.4.1.2: the client offers it, the
    /// server keeps it) — whatever the second handshake's compression, as the session's is null — and otherwise
    /// negotiates afresh as <see cref="Predict"/> says for the second configuration.
    /// </summary>
    internal static (Tls12NegotiationConfig Second, bool Resumed, bool ByTicket) PredictResumption(Tls12NegotiationConfig c, CipherSuiteInfo first)
    {
        int index = SuitePool.ToList().IndexOf(first);
        int[] Without(int[] list, bool drop) => drop && list.Length > 1 ? list.Where(i => i != index).ToArray() : list;
        Tls12NegotiationConfig second = c with
        {
            ClientSuites = Without(c.ClientSuites, c.SecondWithoutSuiteOnClient),
            ServerSuites = Without(c.ServerSuites, c.SecondWithoutSuiteOnServer),
        };
        bool kept = !(c.ClientCompression && c.ServerCompression);
        bool resumed = kept && second.ClientSuites.Contains(index) && second.ServerSuites.Contains(index);
        return (second, resumed, kept && c.ClientTickets && c.ServerTickets);
    }

    /// <summary>
    /// A second handshake offering the first's session (resumption step): resumed on both sides exactly when
    /// <see cref="PredictResumption"/> says so, with the first's suite, null compression, the first's certificates, a
    /// tls-unique and exporter equal on both ends and different from the first's; otherwise a full handshake that ends
    /// as <see cref="Predict"/> says for the second configuration.
    /// </summary>
    [Property(MaxTest = 150, Replay = ReplaySeed, Arbitrary = [typeof(Tls12NegotiationArbitraries)])]
    public void ASecondHandshakeResumesExactlyWhenTheRulesAllow(Tls12NegotiationConfig config)
    {
        Expected expected = Predict(config);
        if (expected.Suite is null || expected.AlpnMismatch)
        {
            return;
        }

        var (client, server) = Settings(config);
        using var first = new ConnectionPair(client, server);
        first.Handshake();
        Tls12Session? session = first.Client.Tls12Session;
        var (secondConfig, resumed, byTicket) = PredictResumption(config, expected.Suite);
        Expected second = Predict(secondConfig);
        var (client2, server2) = Settings(secondConfig);

        // The server keeps its session cache and ticket keys (the same instances) across both handshakes.
        server2 = server2 with { SessionCache = server.SessionCache, TicketKeys = server.TicketKeys, Entropy = new SeededEntropy(config.Seed + 5) };
        client2 = client2 with { Tls12ResumptionSession = session, Entropy = new SeededEntropy(config.Seed + 4) };
        using var pair = new ConnectionPair(client2, server2);
        pair.Pump();
        try
        {
            Assert.Equal(!(config.ClientCompression && config.ServerCompression), session is not null);
            Assert.Equal(byTicket, session?.Ticket is not null);
            if (resumed)
            {
                Assert.Null(pair.ClientError);
                Assert.Null(pair.ServerError);
                foreach (TlsConnection side in new[] { pair.Client, pair.Server })
                {
                    Assert.True(side.IsHandshakeComplete);
                    Assert.True(side.SessionReused, "not resumed");
                    Assert.Equal(expected.Suite, side.CipherSuite);
                    Assert.Equal(CompressionMethod.Null, side.Compression);
                    Assert.Equal(expected.Alpn, side.AlpnProtocol is { } p ? Encoding.ASCII.GetString(p) : null);
                }

                Assert.Equal(first.Client.PeerCertificateChain, pair.Client.PeerCertificateChain);
                Assert.Equal(first.Server.PeerCertificateChain, pair.Server.PeerCertificateChain);
            }
            else if (second.Suite is null || second.AlpnMismatch)
            {
                AlertDescription alert = second.Suite is null ? AlertDescription.HandshakeFailure : AlertDescription.NoApplicationProtocol;
                Assert.Equal(alert, pair.ServerError?.Description);
                Assert.Equal(alert, pair.ClientError?.Description);
                Assert.False(pair.Client.IsHandshakeComplete || pair.Server.IsHandshakeComplete);
                return;
            }
            else
            {
                Assert.Null(pair.ClientError);
                Assert.Null(pair.ServerError);
                foreach (TlsConnection side in new[] { pair.Client, pair.Server })
                {
                    Assert.True(side.IsHandshakeComplete);
                    Assert.False(side.SessionReused, "resumed");
                    Assert.Equal(second.Suite, side.CipherSuite);
                    Assert.Equal(second.Group, side.NamedGroup);
                    Assert.Equal(second.Scheme, side.SignatureScheme);
                    Assert.Equal(config.ClientCompression && config.ServerCompression ? CompressionMethod.Deflate : CompressionMethod.Null, side.Compression);
                }
            }

            byte[] unique = pair.Client.GetChannelBinding("tls-unique")!;
            Assert.Equal(unique, pair.Server.GetChannelBinding("tls-unique"));
            Assert.NotEqual(first.Client.GetChannelBinding("tls-unique"), unique);
            byte[] exported = pair.Client.ExportKeyingMaterial("EXPORTER-resume", [9], 24);
            Assert.Equal(exported, pair.Server.ExportKeyingMaterial("EXPORTER-resume", [9], 24));
            Assert.NotEqual(first.Client.ExportKeyingMaterial("EXPORTER-resume", [9], 24), exported);
            pair.Client.WriteApplicationData("again"u8);
            pair.Server.WriteApplicationData("again"u8);
            pair.Pump();
            Assert.Equal("again"u8.ToArray(), ConnectionPair.ReadAll(pair.Server));
            Assert.Equal("again"u8.ToArray(), ConnectionPair.ReadAll(pair.Client));
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"predicted {(resumed ? "resumption" : $"a full handshake: {second}")}; client error {pair.ClientError?.Message}, server error {pair.ServerError?.Message}: {e.Message}", e);
        }
        finally
        {
            session?.Dispose();
        }
    }

    [Fact]
    public void TheGeneratorProducesEveryKindOfOutcome()
    {
        var samples = Gen.Sample(ConfigGen(), 2000, new Rnd(4242UL, 0x9E3779B97F4A7C15UL), 30).Select(Predict).ToList();
        Assert.Contains(samples, e => e.Suite is null);
        Assert.InRange(samples.Count(e => e.Suite is not null && !e.AlpnMismatch), 700, 1900);
        Assert.Contains(samples, e => e.AlpnMismatch);
        Assert.Contains(samples, e => e.ClientScheme is not null);
        Assert.Equal(SuitePool.Count, samples.Where(e => e.Suite is not null).Select(e => e.Suite).Distinct().Count());
        Assert.Contains(samples, e => e.Group == NamedGroup.Ffdhe2048);
        Assert.Contains(samples, e => e.Group == NamedGroup.Ffdhe3072);
        Assert.Equal(Tls12HandshakeMatrix.Curves.Count, samples.Where(e => e.Suite?.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe).Select(e => e.Group).Distinct().Count());
        Assert.True(samples.Select(e => e.Scheme).Distinct().Count() >= 8);

        // The resumption step sees every outcome: resumed by ticket and by id, and each reason for a full handshake.
        var configs = Gen.Sample(ConfigGen(), 2000, new Rnd(4242UL, 0x9E3779B97F4A7C15UL), 30)
            .Where(c => Predict(c) is { Suite: not null, AlpnMismatch: false }).ToList();
        var steps = configs.Select(c => (Config: c, Step: PredictResumption(c, Predict(c).Suite!))).ToList();
        Assert.Contains(steps, s => s.Step.Resumed && s.Step.ByTicket);
        Assert.Contains(steps, s => s.Step.Resumed && !s.Step.ByTicket);
        Assert.Contains(steps, s => s.Step.Resumed && s.Config.ClientCompression && !s.Config.ServerCompression);
        Assert.Contains(steps, s => !s.Step.Resumed && s.Config.ClientCompression && s.Config.ServerCompression);
        Assert.Contains(steps, s => !s.Step.Resumed && s.Config.SecondWithoutSuiteOnClient && !s.Config.SecondWithoutSuiteOnServer);
        Assert.Contains(steps, s => !s.Step.Resumed && !s.Config.SecondWithoutSuiteOnClient && s.Config.SecondWithoutSuiteOnServer);
        Assert.Contains(steps, s => !s.Step.Resumed && Predict(s.Step.Second).Suite is null);
    }
}
