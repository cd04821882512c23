using BenchmarkDotNet.Attributes;
using ManagedTls.Crypto.Fast;
using BcX25519 = Org.BouncyCastle.Math.EC.Rfc7748.X25519;

namespace ManagedTls.Benchmarks;

/// <summary>
/// One X25519 agreement (a variable-base scalar multiplication, RFC 7748 section 5) and one public-key
/// derivation (the fixed base u = 9): the managed radix-2^51 ladder of <c>Crypto/Fast/X25519Radix51.cs</c> (the engine's X25519 on net8.0 and later) beside
/// BouncyCastle's <c>Org.BouncyCastle.Math.EC.Rfc7748.X25519</c> (the baseline) on the same inputs.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class X25519Benchmarks
{
    private readonly byte[] _scalar = Convert.FromHexString("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    private readonly byte[] _u = Convert.FromHexString("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    private readonly byte[] _out = new byte[32];

    /// <summary>
    /// Refuses to time a wrong implementation: RFC 7748 section 5.2 (both vectors, and the 1 and 1,000 iteration results),
    /// section 6.1 (both public keys and the shared secret), then 2,000 random (scalar, u) pairs against BouncyCastle,
    /// a quarter with the top bit of u set and a quarter with u in [p, 2^255), small-order points included.
    /// </summary>
    [GlobalSetup]
    public void Setup()
    {
        static byte[] Hex(string hex) => Convert.FromHexString(hex);
        static void Expect(string what, byte[] expected, byte[] actual)
        {
            if (!expected.AsSpan().SequenceEqual(actual))
            {
                throw new InvalidOperationException($"X25519Radix51 is wrong on {what}: {Convert.ToHexString(actual)}");
            }
        }

        byte[] r = new byte[32];
        X25519Radix51.ScalarMult(_scalar, _u, r);
        Expect("RFC 7748 5.2 vector 1", Hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"), r);
        X25519Radix51.ScalarMult(Hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"), Hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"), r);
        Expect("RFC 7748 5.2 vector 2", Hex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"), r);

        byte[] k = new byte[32];
        byte[] u = new byte[32];
        k[0] = 9;
        u[0] = 9;
        for (int i = 1; i <= 1000; i++)
        {
            X25519Radix51.ScalarMult(k, u, r);
            k.CopyTo(u, 0);
            r.CopyTo(k, 0);
            if (i == 1)
            {
                Expect("RFC 7748 5.2 after 1 iteration", Hex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"), k);
            }
        }

        Expect("RFC 7748 5.2 after 1,000 iterations", Hex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"), k);

        byte[] alice = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePublic = new byte[32];
        byte[] bobPublic = new byte[32];
        X25519Radix51.ScalarMultBase(alice, alicePublic);
        X25519Radix51.ScalarMultBase(bob, bobPublic);
        Expect("RFC 7748 6.1 Alice's public key", Hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alicePublic);
        Expect("RFC 7748 6.1 Bob's public key", Hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bobPublic);
        X25519Radix51.ScalarMult(alice, bobPublic, r);
        Expect("RFC 7748 6.1 shared secret", Hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"), r);

        var random = new Random(7748);
        byte[] expected = new byte[32];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(k);
            random.NextBytes(u);
            switch (i % 4)
            {
                case 0:
                    u[31] |= 0x80;
                    break;
                case 1:
                    // p + small, up to 2^255 - 1: non-canonical encodings the RFC says to accept.
                    Array.Fill(u, (byte)0xFF);
                    u[31] = 0x7F;
                    u[0] = (byte)(0xED + (i % 19));
                    break;
                case 2 when i % 40 == 2:
                    Array.Clear(u);
                    u[0] = (byte)(i % 80 == 2 ? 1 : 0);
                    break;
            }

            bool ok = X25519Radix51.ScalarMult(k, u, r);
            bool bcOk = BcX25519.CalculateAgreement(k, 0, u, 0, expected, 0);
            if (ok != bcOk || !expected.AsSpan().SequenceEqual(r))
            {
                throw new InvalidOperationException($"X25519Radix51 differs from BouncyCastle on k={Convert.ToHexString(k)} u={Convert.ToHexString(u)}");
            }
        }
    }

    /// <summary>BouncyCastle's agreement (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public bool BouncyCastleAgreement() => BcX25519.CalculateAgreement(_scalar, 0, _u, 0, _out, 0);

    /// <summary>The managed radix-2^51 ladder (the engine's fast path).</summary>
    [Benchmark]
    public bool FastAgreement() => X25519Radix51.ScalarMult(_scalar, _u, _out);

    /// <summary>BouncyCastle's public key (its fixed-base Edwards comb).</summary>
    [Benchmark]
    public byte BouncyCastlePublicKey()
    {
        BcX25519.GeneratePublicKey(_scalar, 0, _out, 0);
        return _out[0];
    }

    /// <summary>The managed ladder on u = 9.</summary>
    [Benchmark]
    public byte FastPublicKey()
    {
        X25519Radix51.ScalarMultBase(_scalar, _out);
        return _out[0];
    }
}
