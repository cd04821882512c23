using ManagedTls.Crypto;
using ManagedTls.Crypto.Fast;
using BcX25519 = Org.BouncyCastle.Math.EC.Rfc7748.X25519;

namespace ManagedTls.Tests.Crypto;

/// <summary>
/// The managed X25519 ladder (<see cref="X25519Radix51"/>) against RFC 7748 and, differentially, against BouncyCastle's
/// implementation (the oracle): 100,000 random (scalar, u) pairs in all, a quarter of them with the top bit of u set and
/// a quarter with u non-canonical (p &lt;= u &lt; 2^255), which RFC 7748 section 5 says to reduce. Then the engine: it
/// takes the fast path on this runtime and still rejects every small-order share (the all-zero shared secret of RFC
/// 7748 section 6.1, RFC 8446 section 7.4.2) with illegal_parameter.
/// </summary>
public class X25519FastTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static byte[] Fast(byte[] k, byte[] u, out bool nonZero)
    {
        byte[] r = new byte[32];
        nonZero = X25519Radix51.ScalarMult(k, u, r);
        return r;
    }

    [Fact]
    public void TheEngineUsesTheFastPathWhereItWasMeasured()
    {
        // x64 with BMI2 (this machine: AMD EPYC); elsewhere BouncyCastle, and the ladder's answers are still checked below.
        Assert.Equal(System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported, X25519Radix51.IsSupported);
        Assert.Equal(X25519Radix51.IsSupported, MontgomeryKeyExchange.FastX25519);
    }

    [Theory]
    [InlineData("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c", "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    [InlineData("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d", "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493", "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
    public void Rfc7748Section52Vectors(string scalar, string u, string expected)
    {
        byte[] k = Hex(scalar);
        byte[] copy = (byte[])k.Clone();
        Assert.Equal(Hex(expected), Fast(k, Hex(u), out bool nonZero));
        Assert.True(nonZero);
        Assert.Equal(copy, k); // the caller's scalar is clamped in a copy, never in place
    }

    [Fact]
    public void Rfc7748Section52IterationsOneAndOneThousand()
    {
        // k = u = 9; each step: k, u = X25519(k, u), k. (The 1,000,000-iteration value would take about a minute.)
        byte[] k = new byte[32];
        byte[] u = new byte[32];
        k[0] = 9;
        u[0] = 9;
        for (int i = 1; i <= 1000; i++)
        {
            byte[] r = Fast(k, u, out _);
            u = k;
            k = r;
            if (i == 1)
            {
                Assert.Equal(Hex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"), k);
            }
        }

        Assert.Equal(Hex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"), k);
    }

    [Fact]
    public void Rfc7748Section61DiffieHellman()
    {
        byte[] alice = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePublic = new byte[32], bobPublic = new byte[32];
        X25519Radix51.ScalarMultBase(alice, alicePublic);
        X25519Radix51.ScalarMultBase(bob, bobPublic);
        Assert.Equal(Hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alicePublic);
        Assert.Equal(Hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bobPublic);
        byte[] shared = Hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        Assert.Equal(shared, Fast(alice, bobPublic, out _));
        Assert.Equal(shared, Fast(bob, alicePublic, out _));

        // Through the engine: both sides of the key exchange agree on the RFC's secret.
        var x25519 = (MontgomeryKeyExchange)KeyExchanges.X25519;
        using IKeyExchange a = x25519.FromPrivateKey((byte[])alice.Clone());
        Assert.Equal(alicePublic, a.PublicShare.ToArray());
        Assert.Equal(shared, a.DeriveSharedSecret(bobPublic));
    }

    public static TheoryData<int> Slices() => new(Enumerable.Range(0, 8));

    [Theory]
    [MemberData(nameof(Slices))]
    public void MatchesBouncyCastleOnRandomInputs(int slice)
    {
        // 8 slices of 12,500: 100,000 random pairs, each slice seeded on its own so a failure names its inputs.
        var random = new Random(7748 + slice);
        byte[] k = new byte[32], u = new byte[32], expected = new byte[32], actual = new byte[32];
        for (int i = 0; i < 12_500; i++)
        {
            random.NextBytes(k);
            random.NextBytes(u);
            switch (i % 4)
            {
                case 0:
                    u[31] |= 0x80; // the top bit is ignored
                    break;
                case 1:
                    // p + d for d in [0, 19), and 2^255 - 1 - d: non-canonical encodings, reduced modulo p.
                    Array.Fill(u, (byte)0xFF);
                    u[31] = (byte)(i % 8 == 1 ? 0x7F : 0xFF);
                    u[0] = (byte)(0xED + (i % 19));
                    break;
            }

            bool fastOk = X25519Radix51.ScalarMult(k, u, actual);
            bool bcOk = BcX25519.CalculateAgreement(k, 0, u, 0, expected, 0);
            if (fastOk != bcOk || !expected.AsSpan().SequenceEqual(actual))
            {
                Assert.Fail($"differs from BouncyCastle: k={Convert.ToHexString(k)} u={Convert.ToHexString(u)} managed={Convert.ToHexString(actual)} BouncyCastle={Convert.ToHexString(expected)}");
            }
        }
    }

    /// <summary>The small-order u-coordinates of Curve25519 (0, 1, p - 1 and the two of order 8), non-canonical forms (p, p + 1) and all of them with the ignored top bit set.</summary>
    public static TheoryData<string> SmallOrderPoints() => new(
        "0000000000000000000000000000000000000000000000000000000000000000", // 0
        "0100000000000000000000000000000000000000000000000000000000000000", // 1
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p - 1 (order 2)
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p = 0
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p + 1 = 1
        "0000000000000000000000000000000000000000000000000000000000000080", // 0, top bit set (ignored)
        "0100000000000000000000000000000000000000000000000000000000000080", // 1, top bit set
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880", // order 8, top bit set
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7", // order 8, top bit set
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // p - 1, top bit set
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // p, top bit set
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"); // p + 1, top bit set

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void SmallOrderPointsGiveTheAllZeroSecretAndTheEngineRejectsThem(string point)
    {
        byte[] u = Hex(point);
        byte[] k = new byte[32];
        new Random(u[0] * 256 + u[1]).NextBytes(k);
        byte[] r = Fast(k, u, out bool nonZero);
        Assert.False(nonZero);
        Assert.Equal(new byte[32], r);
        Assert.False(BcX25519.CalculateAgreement(k, 0, u, 0, new byte[32], 0));

        // The engine, on the fast path, answers exactly as before: illegal_parameter on both roles.
        KeyExchangeAlgorithm kx = KeyExchanges.X25519;
        var e = Assert.Throws<TlsAlertException>(() => kx.Respond(u, OsEntropy.Instance));
        Assert.Equal(AlertDescription.IllegalParameter, e.Description);
        using IKeyExchange initiator = kx.Generate(OsEntropy.Instance);
        e = Assert.Throws<TlsAlertException>(() => initiator.DeriveSharedSecret(u));
        Assert.Equal(AlertDescription.IllegalParameter, e.Description);
    }

    [Fact]
    public void EngineAgreementsMatchBouncyCastle()
    {
        // Generated key pairs through the engine (fast agreement, BouncyCastle public keys) against BouncyCastle.
        KeyExchangeAlgorithm kx = KeyExchanges.X25519;
        for (int i = 0; i < 200; i++)
        {
            using IKeyExchange initiator = kx.Generate(OsEntropy.Instance);
            using KeyExchangeResponse response = kx.Respond(initiator.PublicShare, OsEntropy.Instance);
            byte[] secret = initiator.DeriveSharedSecret(response.Share);
            Assert.Equal(response.SharedSecret, secret);
            byte[] bc = new byte[32];
            byte[] priv = new byte[32];
            Random.Shared.NextBytes(priv);
            Assert.True(BcX25519.CalculateAgreement(priv, 0, response.Share, 0, bc, 0));
            Assert.True(MontgomeryKeyExchange.AgreeX25519(priv, response.Share, secret, fast: true));
            Assert.Equal(bc, secret);
        }
    }
}
