using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Connection;

/// <summary>How the server asks for a client certificate in a generated configuration.</summary>
public enum ClientAuthMode
{
    None,
    OptionalWithoutCertificate,
    OptionalWithCertificate,
    RequiredWithCertificate,
}

/// <summary>
/// A client and a server configuration for TLS 1.3 that have something in common: at least one suite, one group, a
/// signature scheme the server's key can make, and (when the client has a certificate for a required request) one its
/// key can make. Lists are indexes into <see cref="NegotiationProperties"/>' pools, in preference order.
/// ALPN lists may or may not overlap.
/// </summary>
public sealed record NegotiationConfig(
    int[] ClientSuites,
    int[] ServerSuites,
    bool ServerPreference,
    int[] ClientGroups,
    int[] KeyShares,
    int[] ServerGroups,
    ServerKeyType ServerKey,
    int[] ClientSchemes,
    int[] ServerSchemes,
    string[] ClientAlpn,
    string[] ServerAlpn,
    bool ClientCompat,
    bool ServerCompat,
    ClientAuthMode ClientAuth,
    ServerKeyType ClientKey,
    int Seed)
{
    public override string ToString()
    {
        static string Names<T>(int[] indexes, IReadOnlyList<T> pool) => "[" + string.Join(",", indexes.Select(i => pool[i]!.ToString())) + "]";
        return $"client suites {Names(ClientSuites, NegotiationProperties.SuitePool)}, server suites {Names(ServerSuites, NegotiationProperties.SuitePool)}"
            + $"{(ServerPreference ? " (server preference)" : "")}; client groups {Names(ClientGroups, NegotiationProperties.GroupPool)}"
            + $" shares {Names(KeyShares, NegotiationProperties.GroupPool)}, server groups {Names(ServerGroups, NegotiationProperties.GroupPool)};"
            + $" server key {ServerKey}; client schemes {Names(ClientSchemes, NegotiationProperties.SchemePool)},"
            + $" server schemes {Names(ServerSchemes, NegotiationProperties.SchemePool)}; ALPN client [{string.Join(",", ClientAlpn)}]"
            + $" server [{string.Join(",", ServerAlpn)}]; compat client {ClientCompat} server {ServerCompat}; client auth {ClientAuth}"
            + $" ({ClientKey}); seed {Seed}";
    }
}

/// <summary>FsCheck generators of <see cref="NegotiationConfig"/>.</summary>
public static class NegotiationArbitraries
{
    public static Arbitrary<NegotiationConfig> Configs() => Arb.From(NegotiationProperties.ConfigGen());
}

/// <summary>
/// Random compatible client and server configurations always complete a handshake, and both sides agree on the
/// version, suite, group, signature schemes and ALPN protocol that the RFC 8446 and RFC 7301 rules predict from the two
/// configurations; ALPN lists without a common protocol end in no_application_protocol on both sides instead.
/// </summary>
public class NegotiationProperties
{
    /// <summary>The replayed FsCheck seed: the same cases on every run. Change it (or remove Replay) to explore others.</summary>
    private const string ReplaySeed = "(7356139912834017001,11400714819323198485)";

    internal static IReadOnlyList<CipherSuiteInfo> SuitePool => CipherSuiteRegistry.Tls13Suites;

    /// <summary>
    /// Every group but ffdhe6144 and ffdhe8192, whose key generation alone costs more than a whole handshake with the
    /// others; the handshake matrix runs them with every suite and key.
    /// </summary>
    internal static readonly IReadOnlyList<KeyExchangeGroup> GroupPool =
        KeyExchangeGroups.All.Where(g => g.Group is not (NamedGroup.Ffdhe6144 or NamedGroup.Ffdhe8192)).ToArray();

    /// <summary>OpenSSL's default signature_algorithms, with the PKCS#1 schemes TLS 1.3 may not sign CertificateVerify with.</summary>
    internal static IReadOnlyList<SignatureScheme> SchemePool => SignatureSchemes.Default;

    private static readonly string[] AlpnPool = ["h2", "http/1.1", "spdy/3", "acme-tls/1", "imap"];

    /// <summary>The schemes a key of each type can sign a TLS 1.3 CertificateVerify with (RFC 8446 section 4.2.3).</summary>
    internal static IReadOnlyList<SignatureScheme> Signable(ServerKeyType key) => key switch
    {
        ServerKeyType.Rsa2048 => [SignatureScheme.RsaPssRsaeSha256, SignatureScheme.RsaPssRsaeSha384, SignatureScheme.RsaPssRsaeSha512],
        ServerKeyType.EcdsaP256 => [SignatureScheme.EcdsaSecp256r1Sha256],
        ServerKeyType.EcdsaP384 => [SignatureScheme.EcdsaSecp384r1Sha384],
        _ => [SignatureScheme.Ed25519],
    };

    private static Gen<int[]> OrderedSubset(int n, int min, int max) =>
        Gen.Shuffle(Enumerable.Range(0, n).ToArray()).SelectMany(perm => Gen.Choose(min, Math.Min(max, n)).Select(k => perm.Take(k).ToArray()));

    /// <summary>An ordered subset that contains at least one of <paramref name="required"/> (inserted at a random place if needed).</summary>
    private static Gen<int[]> OrderedSubsetWith(int n, int max, int[] required) =>
        OrderedSubset(n, 1, max).SelectMany(
            list => Gen.Elements(required).SelectMany(r => Gen.Choose(0, list.Length).Select(at => (r, at))),
            (list, pick) => list.Intersect(required).Any() ? list : [.. list.Take(pick.at), pick.r, .. list.Skip(pick.at)]);

    private static int[] IndexesOf(IEnumerable<SignatureScheme> schemes) => schemes.Select(s => SchemePool.ToList().IndexOf(s)).ToArray();

    internal static Gen<NegotiationConfig> ConfigGen() =>
        from clientSuites in OrderedSubset(SuitePool.Count, 1, 5)
        from serverSuites in OrderedSubsetWith(SuitePool.Count, 5, clientSuites)
        from preference in Gen.Elements(true, false)
        from clientGroups in OrderedSubset(GroupPool.Count, 1, 4)
        from shares in OrderedSubset(clientGroups.Length, 0, 2).Select(ix => ix.Select(i => clientGroups[i]).ToArray())
        from serverGroups in OrderedSubsetWith(GroupPool.Count, 4, clientGroups)
        from serverKey in Gen.Elements(Enum.GetValues<ServerKeyType>())
        from clientAuth in Gen.Elements(Enum.GetValues<ClientAuthMode>())
        from clientKey in Gen.Elements(Enum.GetValues<ServerKeyType>())
        from clientSchemes0 in OrderedSubsetWith(SchemePool.Count, 6, IndexesOf(Signable(serverKey)))
        from clientSchemes in clientAuth == ClientAuthMode.RequiredWithCertificate
            ? AddOneOf(clientSchemes0, IndexesOf(Signable(clientKey)))
            : Gen.Constant(clientSchemes0)
        from serverSchemes0 in OrderedSubsetWith(SchemePool.Count, 6, clientSchemes.Intersect(IndexesOf(Signable(serverKey))).ToArray())
        from serverSchemes in clientAuth == ClientAuthMode.RequiredWithCertificate
            ? AddOneOf(serverSchemes0, clientSchemes.Intersect(IndexesOf(Signable(clientKey))).ToArray())
            : Gen.Constant(serverSchemes0)
        from clientAlpn in OrderedSubset(AlpnPool.Length, 0, 3)
        from serverAlpn in OrderedSubset(AlpnPool.Length, 0, 3)
        from clientCompat in Gen.Elements(true, false)
        from serverCompat in Gen.Elements(true, false)
        from seed in Gen.Choose(0, 1_000_000)
        select new NegotiationConfig(
            clientSuites, serverSuites, preference, clientGroups, shares, serverGroups, serverKey, clientSchemes, serverSchemes,
            clientAlpn.Select(i => AlpnPool[i]).ToArray(), serverAlpn.Select(i => AlpnPool[i]).ToArray(),
            clientCompat, serverCompat, clientAuth, clientKey, seed);

    private static Gen<int[]> AddOneOf(int[] list, int[] required) =>
        list.Intersect(required).Any()
            ? Gen.Constant(list)
            : Gen.Elements(required).SelectMany(r => Gen.Choose(0, list.Length), (r, at) => (int[])[.. list.Take(at), r, .. list.Skip(at)]);

    /// <summary>What RFC 8446 and RFC 7301 make of two configurations.</summary>
    internal sealed record Expected(
        CipherSuiteInfo Suite,
        NamedGroup Group,
        bool HelloRetry,
        SignatureScheme Scheme,
        SignatureScheme? ClientScheme,
        string? Alpn,
        bool AlpnMismatch);

    internal static Expected Predict(NegotiationConfig c)
    {
        // Suite: the client's order, unless the server prefers its own.
        int suite = c.ServerPreference
            ? c.ServerSuites.First(c.ClientSuites.Contains)
            : c.ClientSuites.First(c.ServerSuites.Contains);

        // Group: the server's most preferred group the client sent a share for (the first group when it lists none);
        // else a HelloRetryRequest for the server's most preferred group the client supports.
        int[] shares = c.KeyShares.Length == 0 ? [c.ClientGroups[0]] : c.KeyShares;
        int? shared = c.ServerGroups.Cast<int?>().FirstOrDefault(g => shares.Contains(g!.Value));
        int group = shared ?? c.ServerGroups.First(c.ClientGroups.Contains);

        // CertificateVerify: the client's most preferred scheme (TLS 1.3 ones only) the server accepts and its key can make.
        SignatureScheme[] offered = c.ClientSchemes.Select(i => SchemePool[i]).Where(SignatureSchemes.AllowedInTls13).ToArray();
        SignatureScheme[] serverAccepts = c.ServerSchemes.Select(i => SchemePool[i]).ToArray();
        // The first shared scheme our key can make: in the client's order, or ours with server preference (OpenSSL).
        SignatureScheme scheme = (c.ServerPreference ? serverAccepts.Where(offered.Contains) : offered.Where(serverAccepts.Contains))
            .First(s => Signable(c.ServerKey).Contains(s));
        SignatureScheme? clientScheme = c.ClientAuth is ClientAuthMode.OptionalWithCertificate or ClientAuthMode.RequiredWithCertificate
            ? c.ClientSchemes.Select(i => SchemePool[i]).Cast<SignatureScheme?>()
                .FirstOrDefault(s => serverAccepts.Where(SignatureSchemes.AllowedInTls13).Contains(s!.Value) && Signable(c.ClientKey).Contains(s.Value))
            : null;

        // ALPN: the server's most preferred protocol the client offers; none in common is fatal.
        string? alpn = c.ClientAlpn.Length == 0 || c.ServerAlpn.Length == 0 ? null : c.ServerAlpn.FirstOrDefault(c.ClientAlpn.Contains);
        bool mismatch = c.ClientAlpn.Length > 0 && c.ServerAlpn.Length > 0 && alpn is null;
        return new Expected(SuitePool[suite], GroupPool[group].Group, shared is null, scheme, clientScheme, alpn, mismatch);
    }

    internal static (TlsConfig Client, TlsConfig Server) Settings(NegotiationConfig c)
    {
        TlsConfig client = ConnectionTestKit.Client(new SeededEntropy(c.Seed)) with
        {
            CipherSuites = c.ClientSuites.Select(i => SuitePool[i]).ToArray(),
            Groups = c.ClientGroups.Select(i => GroupPool[i]).ToArray(),
            KeyShareGroups = c.KeyShares.Select(i => GroupPool[i].Group).ToArray(),
            SignatureSchemes = c.ClientSchemes.Select(i => SchemePool[i]).ToArray(),
            AlpnProtocols = c.ClientAlpn.Select(Encoding.ASCII.GetBytes).ToArray(),
            MiddleboxCompatibility = c.ClientCompat,
        };
        TlsConfig server = ConnectionTestKit.Server(c.ServerKey) with
        {
            CipherSuites = c.ServerSuites.Select(i => SuitePool[i]).ToArray(),
            PreferServerCipherSuites = c.ServerPreference,
            Groups = c.ServerGroups.Select(i => GroupPool[i]).ToArray(),
            SignatureSchemes = c.ServerSchemes.Select(i => SchemePool[i]).ToArray(),
            AlpnProtocols = c.ServerAlpn.Select(Encoding.ASCII.GetBytes).ToArray(),
            MiddleboxCompatibility = c.ServerCompat,
            RequestClientCertificate = c.ClientAuth != ClientAuthMode.None,
            RequireClientCertificate = c.ClientAuth == ClientAuthMode.RequiredWithCertificate,
            Entropy = new SeededEntropy(c.Seed + 1),
        };
        if (c.ClientAuth is ClientAuthMode.OptionalWithCertificate or ClientAuthMode.RequiredWithCertificate)
        {
            var (der, key) = ConnectionTestKit.Leaf(c.ClientKey);
            client = client with { CertificateChain = [der], PrivateKey = key };
        }

        return (client, server);
    }

    [Property(MaxTest = 100, Replay = ReplaySeed, Arbitrary = [typeof(NegotiationArbitraries)])]
    public void CompatibleConfigurationsAgreeOnWhatTheRulesPredict(NegotiationConfig config)
    {
        Expected expected = Predict(config);
        var (client, server) = Settings(config);
        using var pair = new ConnectionPair(client, server);
        pair.Pump();
        try
        {
            if (expected.AlpnMismatch)
            {
                Assert.Equal(AlertDescription.NoApplicationProtocol, pair.ServerError?.Description);
                Assert.False(pair.ServerError!.Received);
                Assert.Equal(AlertDescription.NoApplicationProtocol, pair.ClientError?.Description);
                Assert.True(pair.ClientError!.Received);
                Assert.False(pair.Client.IsHandshakeComplete || pair.Server.IsHandshakeComplete);
                return;
            }

            Assert.Null(pair.ClientError);
            Assert.Null(pair.ServerError);
            Assert.True(pair.Client.IsHandshakeComplete && pair.Server.IsHandshakeComplete);
            foreach (var side in new[] { pair.Client, pair.Server })
            {
                Assert.Equal(ProtocolVersion.Tls13, side.Version);
                Assert.Equal(expected.Suite, side.CipherSuite);
                Assert.Equal(expected.Group, side.NamedGroup);
                Assert.Equal(expected.HelloRetry, side.HelloRetried);
                Assert.Equal(expected.Scheme, side.SignatureScheme);
                Assert.Equal(expected.ClientScheme, side.ClientSignatureScheme);
                Assert.Equal(expected.Alpn, side.AlpnProtocol is { } p ? Encoding.ASCII.GetString(p) : null);
            }

            Assert.Equal(expected.ClientScheme is null ? 0 : 1, pair.Server.PeerCertificateChain.Count);
            Assert.Equal(
                pair.Client.ExportKeyingMaterial("EXPORTER-matrix", [1, 2, 3], 32),
                pair.Server.ExportKeyingMaterial("EXPORTER-matrix", [1, 2, 3], 32));
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

    [Fact]
    public void ThePredictionFollowsClientOrderUnlessTheServerPrefersItsOwn()
    {
        var c = new NegotiationConfig(
            ClientSuites: [2, 0], ServerSuites: [0, 2], ServerPreference: false,
            ClientGroups: [1, 2], KeyShares: [2], ServerGroups: [1, 2],
            ServerKey: ServerKeyType.EcdsaP256, ClientSchemes: [0], ServerSchemes: [0],
            ClientAlpn: ["h2", "imap"], ServerAlpn: ["imap", "h2"], ClientCompat: true, ServerCompat: true,
            ClientAuth: ClientAuthMode.None, ClientKey: ServerKeyType.EcdsaP256, Seed: 1);
        Expected e = Predict(c);
        Assert.Equal(SuitePool[2], e.Suite);
        Assert.Equal(GroupPool[2].Group, e.Group);
        Assert.False(e.HelloRetry);
        Assert.Equal("imap", e.Alpn);
        Assert.Equal(SuitePool[0], Predict(c with { ServerPreference = true }).Suite);
        Expected retry = Predict(c with { ServerGroups = [0, 1] });
        Assert.True(retry.HelloRetry);
        Assert.Equal(GroupPool[1].Group, retry.Group);
        Assert.True(Predict(c with { ServerAlpn = ["spdy/3"] }).AlpnMismatch);
        Assert.Null(Predict(c with { ServerAlpn = [] }).Alpn);
    }

    [Fact]
    public void TheGeneratorProducesEveryKindOfOutcome()
    {
        var samples = Gen.Sample(ConfigGen(), 2000, new Rnd(12345UL, 0x9E3779B97F4A7C15UL), 30).Select(Predict).ToList();
        Assert.Equal(2000, samples.Count);
        Assert.Contains(samples, e => e.HelloRetry);
        Assert.Contains(samples, e => !e.HelloRetry);
        Assert.Contains(samples, e => e.AlpnMismatch);
        Assert.Contains(samples, e => e.Alpn is not null);
        Assert.Contains(samples, e => e.ClientScheme is not null);
        Assert.Equal(SuitePool.Count, samples.Select(e => e.Suite).Distinct().Count());
        Assert.Equal(GroupPool.Count, samples.Select(e => e.Group).Distinct().Count());
        Assert.Equal(6, samples.Select(e => e.Scheme).Distinct().Count());
    }
}
