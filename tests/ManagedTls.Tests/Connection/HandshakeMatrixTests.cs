using ManagedTls.CipherSuites;
using ManagedTls.Handshake;

namespace ManagedTls.Tests.Connection;

/// <summary>
/// The in-memory TLS 1.3 matrix at the engine level. The core product (every suite × every group × every server
/// key type) runs in full; the six binary dimensions (forced HelloRetryRequest, ALPN, client authentication,
/// resumption, KeyUpdate, middlebox compatibility) are covered by an all-pairs array over all nine dimensions and
/// by their full 2^6 product with one fixed suite, group and key.
/// </summary>
public class HandshakeMatrixTests
{
    /// <summary>The suite, group and key of the full product of the binary dimensions.</summary>
    private static readonly MatrixCase Fixed = new(
        ConnectionTestKit.Suite("TLS_AES_128_GCM_SHA256"), KeyExchangeGroups.X25519, ServerKeyType.EcdsaP256, false, false, false, false, false, false);

    public static TheoryData<string, string, ServerKeyType> CoreProduct()
    {
        var data = new TheoryData<string, string, ServerKeyType>();
        foreach (CipherSuiteInfo suite in HandshakeMatrix.Suites)
        {
            foreach (KeyExchangeGroup group in HandshakeMatrix.Groups)
            {
                foreach (ServerKeyType key in HandshakeMatrix.Keys)
                {
                    data.Add(suite.IanaName, group.Name, key);
                }
            }
        }

        return data;
    }

    public static TheoryData<string, string, ServerKeyType, string> AllPairs()
    {
        var data = new TheoryData<string, string, ServerKeyType, string>();
        foreach (int[] row in PairwiseCover.Generate(HandshakeMatrix.Sizes))
        {
            MatrixCase c = MatrixCase.FromValues(row);
            data.Add(c.Suite.IanaName, c.Group.Name, c.Key, c.Flags);
        }

        return data;
    }

    public static TheoryData<string> BinaryProduct()
    {
        var data = new TheoryData<string>();
        for (int bits = 0; bits < 64; bits++)
        {
            MatrixCase c = Fixed with
            {
                Hrr = (bits & 1) != 0,
                Alpn = (bits & 2) != 0,
                ClientAuth = (bits & 4) != 0,
                Resume = (bits & 8) != 0,
                KeyUpdate = (bits & 16) != 0,
                Compat = (bits & 32) != 0,
            };
            data.Add(c.Flags);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CoreProduct))]
    public void Core(string suite, string group, ServerKeyType key) =>
        HandshakeMatrix.Run(MatrixCase.Parse(suite, group, key, "alpn+compat"));

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Pairwise(string suite, string group, ServerKeyType key, string flags) =>
        HandshakeMatrix.Run(MatrixCase.Parse(suite, group, key, flags), seed: 7);

    [Theory]
    [MemberData(nameof(BinaryProduct))]
    public void EveryCombinationOfTheBinaryDimensions(string flags) =>
        HandshakeMatrix.Run(MatrixCase.Parse(Fixed.Suite.IanaName, Fixed.Group.Name, Fixed.Key, flags), seed: 11);

    [Fact]
    public void TheDimensionsAreTheOnesTheSpecificationNames()
    {
        Assert.Equal(
            ["TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"],
            HandshakeMatrix.Suites.Select(s => s.IanaName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(
            ["X25519MLKEM768", "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192", "secp256r1", "secp384r1", "secp521r1", "x25519", "x448"],
            HandshakeMatrix.Groups.Select(g => g.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal([ServerKeyType.Rsa2048, ServerKeyType.EcdsaP256, ServerKeyType.EcdsaP384, ServerKeyType.Ed25519], HandshakeMatrix.Keys);
        Assert.Equal([5, 11, 4, 2, 2, 2, 2, 2, 2], HandshakeMatrix.Sizes);
        Assert.Equal(5 * 11 * 4, CoreProduct().Count());
        Assert.Equal(64, ((IEnumerable<object[]>)BinaryProduct()).Select(d => (string)d[0]).Distinct().Count());
    }

    [Fact]
    public void TheAllPairsArrayCoversEveryPairOfEveryTwoDimensions()
    {
        int[] sizes = HandshakeMatrix.Sizes;
        var rows = ((IEnumerable<object[]>)AllPairs()).Select(d => MatrixCase.Parse((string)d[0], (string)d[1], (ServerKeyType)d[2], (string)d[3]).Values).ToList();
        Assert.All(rows, r => Assert.All(r, (v, d) => Assert.InRange(v, 0, sizes[d] - 1)));

        var covered = rows.SelectMany(PairwiseCover.PairsOf).ToHashSet();
        var all = PairwiseCover.AllPairs(sizes).ToList();

        // 9 dimensions: 5·11 + 5·4 + 11·4 + (5 + 11 + 4)·2·6 + 15·4 pairs of values.
        Assert.Equal(55 + 20 + 44 + 240 + 60, all.Count);
        Assert.All(all, p => Assert.Contains(p, covered));

        // At least one row per (suite, group) pair is unavoidable; the greedy array stays close to that bound.
        Assert.InRange(rows.Count, 55, 70);
        Assert.Equal(rows.Count, rows.Select(r => string.Join(",", r)).Distinct().Count());

        // Deterministic: the same array on every run.
        Assert.Equal(
            rows.Select(r => string.Join(",", r)),
            PairwiseCover.Generate(sizes).Select(r => string.Join(",", r)));
    }

    /// <summary>TLS 1.2: every suite with each version setup, with client authentication and ALPN.</summary>
    public static TheoryData<string, Tls12Versions> Tls12CoreProduct()
    {
        var data = new TheoryData<string, Tls12Versions>();
        foreach (CipherSuiteInfo suite in Tls12HandshakeMatrix.Suites)
        {
            foreach (Tls12Versions versions in Enum.GetValues<Tls12Versions>())
            {
                data.Add(suite.IanaName, versions);
            }
        }

        return data;
    }

    /// <summary>TLS 1.2: an all-pairs array over suite, curve, server key, signature_algorithms, versions, client authentication and ALPN.</summary>
    public static TheoryData<string> Tls12AllPairs()
    {
        var data = new TheoryData<string>();
        foreach (int[] row in PairwiseCover.Generate(Tls12HandshakeMatrix.Sizes))
        {
            data.Add(string.Join(",", row));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Tls12CoreProduct))]
    public void Tls12Core(string suite, Tls12Versions versions)
    {
        CipherSuiteInfo info = CipherSuiteRegistry.FindByIanaName(suite)!;
        Tls12HandshakeMatrix.Run(new Tls12MatrixCase(info, KeyExchangeGroups.X25519, 0, 0, versions, ClientAuth: true, Alpn: true), seed: 3);
    }

    [Theory]
    [MemberData(nameof(Tls12AllPairs))]
    public void Tls12Pairwise(string row) =>
        Tls12HandshakeMatrix.Run(Tls12MatrixCase.FromValues(row.Split(',').Select(int.Parse).ToArray()), seed: 5);

    [Fact]
    public void TheTls12DimensionsAreTheEngines()
    {
        Assert.Equal(CipherSuiteRegistry.Tls12Suites.Count, Tls12HandshakeMatrix.Suites.Count);
        Assert.Contains(Tls12HandshakeMatrix.Suites, s => s.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe && s.Authentication.Algorithm == AuthenticationAlgorithm.Rsa);
        Assert.Contains(Tls12HandshakeMatrix.Suites, s => s.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe && s.Authentication.Algorithm != AuthenticationAlgorithm.Rsa);
        Assert.Contains(Tls12HandshakeMatrix.Suites, s => s.KeyExchange.Algorithm == SuiteKeyExchange.Dhe);
        Assert.Contains(Tls12HandshakeMatrix.Suites, s => s.KeyExchange.Algorithm == SuiteKeyExchange.Rsa);
        Assert.Contains(Tls12HandshakeMatrix.Suites, s => s.Cbc is not null);
        Assert.Equal(["secp256r1", "secp384r1", "secp521r1", "x25519", "x448"], Tls12HandshakeMatrix.Curves.Select(g => g.Name).Order(StringComparer.Ordinal).ToArray());

        // Every case of the all-pairs array is distinct, and every pair of values of every two dimensions is in one.
        int[] sizes = Tls12HandshakeMatrix.Sizes;
        var rows = ((IEnumerable<object[]>)Tls12AllPairs()).Select(d => ((string)d[0]).Split(',').Select(int.Parse).ToArray()).ToList();
        var covered = rows.SelectMany(PairwiseCover.PairsOf).ToHashSet();
        Assert.All(PairwiseCover.AllPairs(sizes), p => Assert.Contains(p, covered));
        Assert.Equal(rows.Count, rows.Select(r => string.Join(",", r)).Distinct().Count());
        Assert.InRange(rows.Count, sizes[0] * sizes[1], sizes[0] * sizes[1] + 20);
        Assert.All(rows, r => Assert.Equal(r, Tls12MatrixCase.FromValues(r).Values));
    }

    [Fact]
    public void TheGeneratorCoversOtherShapesToo()
    {
        foreach (int[] sizes in new[] { new[] { 2, 2, 2 }, [3, 3, 3, 3], [7, 2, 5, 1, 3], [2, 2, 2, 2, 2, 2, 2, 2, 2, 2] })
        {
            var rows = PairwiseCover.Generate(sizes);
            var covered = rows.SelectMany(PairwiseCover.PairsOf).ToHashSet();
            Assert.All(PairwiseCover.AllPairs(sizes), p => Assert.Contains(p, covered));
        }
    }
}
