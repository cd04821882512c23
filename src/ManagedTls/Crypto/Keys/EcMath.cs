using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Utilities;

namespace ManagedTls.Crypto;

/// <summary>
/// Elliptic-curve operations that must not reach BouncyCastle's <c>ECPoint.Normalize()</c>: it blinds the
/// field inversion with <c>SecureRandom.ArbitraryRandom</c>, whose static initialiser seeds itself from
/// .NET's <c>RandomNumberGenerator</c> (OpenSSL on Linux). Here the same blinding draws from an
/// <see cref="IEntropySource"/>. ECDSA signing is written out (SEC 1 section 4.1.3) for the same reason;
/// BouncyCastle's ECDSA verification needs no normalisation on these curves and is used as is.
/// </summary>
internal static class EcMath
{
    /// <summary>
    /// The affine form of <paramref name="point"/>. The inversion of Z is blinded by a random field element
    /// b, computing (Z * b)^-1 * b, so a side channel in the inversion says nothing about Z
    /// (Drucker and Gueron, "Yet another GCD based inversion side-channel affecting ECC implementations").
    /// </summary>
    public static ECPoint Normalize(ECPoint point, IEntropySource entropy) => Normalize(point, BcRandom.Create(entropy));

    /// <summary>As <see cref="Normalize(ECPoint, IEntropySource)"/>, drawing the blinding factor from <paramref name="random"/>
    /// (a <see cref="BcRandom"/> over the injected entropy, never BouncyCastle's default).</summary>
    public static ECPoint Normalize(ECPoint point, SecureRandom random)
    {
        if (point.IsInfinity || point.IsNormalized())
        {
            return point;
        }

        ECCurve curve = point.Curve;
        BigInteger p = curve.Field.Characteristic;
        BigInteger blind = BigIntegers.CreateRandomInRange(BigInteger.One, p.Subtract(BigInteger.One), random);
        ECFieldElement b = curve.FromBigInteger(blind);
        ECFieldElement zInv = point.GetZCoord(0).Multiply(b).Invert().Multiply(b);
        ECFieldElement x, y;
        switch (curve.CoordinateSystem)
        {
            case ECCurve.COORD_HOMOGENEOUS:
                x = point.XCoord.Multiply(zInv);
                y = point.YCoord.Multiply(zInv);
                break;
            case ECCurve.COORD_JACOBIAN:
            case ECCurve.COORD_JACOBIAN_CHUDNOVSKY:
            case ECCurve.COORD_JACOBIAN_MODIFIED:
                ECFieldElement zInv2 = zInv.Square();
                x = point.XCoord.Multiply(zInv2);
                y = point.YCoord.Multiply(zInv2.Multiply(zInv));
                break;
            default:
                throw new InvalidOperationException($"unexpected EC coordinate system {curve.CoordinateSystem}");
        }

        return curve.CreatePoint(x.ToBigInteger(), y.ToBigInteger());
    }

    /// <summary>d * G in affine form: the public key of a private scalar.</summary>
    public static ECPublicKeyParameters PublicKeyOf(ECPrivateKeyParameters key, IEntropySource entropy)
    {
        ECPoint q = Normalize(new FixedPointCombMultiplier().Multiply(key.Parameters.G, key.D), entropy);
        return new ECPublicKeyParameters(q, key.Parameters);
    }

    /// <summary>
    /// ECDSA signature (r, s) of a message digest with a deterministic nonce (RFC 6979, HMAC over
    /// <paramref name="hash"/>), as SEC 1 section 4.1.3: e is the digest truncated to the bit length of n,
    /// r = x(kG) mod n, s = k^-1 (e + d r) mod n, retried while r or s is zero.
    /// </summary>
    public static (BigInteger R, BigInteger S) SignDigest(ECPrivateKeyParameters key, byte[] digest, HashAlgorithm hash, IEntropySource entropy)
    {
        ECDomainParameters domain = key.Parameters;
        BigInteger n = domain.N;
        BigInteger d = key.D;
        BigInteger e = new(1, digest);
        int digestBits = digest.Length * 8;
        if (n.BitLength < digestBits)
        {
            e = e.ShiftRight(digestBits - n.BitLength);
        }

        var nonces = new HMacDsaKCalculator(Hashes.CreateDigest(hash));
        nonces.Init(n, d, digest);
        var multiplier = new FixedPointCombMultiplier();
        while (true)
        {
            BigInteger k = nonces.NextK();
            BigInteger r = Normalize(multiplier.Multiply(domain.G, k), entropy).AffineXCoord.ToBigInteger().Mod(n);
            if (r.SignValue == 0)
            {
                continue;
            }

            BigInteger s = BigIntegers.ModOddInverse(n, k).Multiply(e.Add(d.Multiply(r))).Mod(n);
            if (s.SignValue != 0)
            {
                return (r, s);
            }
        }
    }
}
