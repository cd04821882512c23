using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;

namespace ManagedTls.Crypto;

/// <summary>
/// The RSA public keys this library accepts, checked on the numbers as soon as they are read from a certificate or a
/// peer and before any arithmetic is done with them: a modulus of 512 to 16384 bits and an odd public exponent from 3
/// to 2^32. The cost of checking a signature grows with the square of the modulus length times the length of the
/// exponent, and both come from whoever made the certificate; without a bound one certificate could demand minutes
/// of work. 16384 bits is OpenSSL's <c>OPENSSL_RSA_MAX_MODULUS_BITS</c> (it refuses larger moduli in every public-key
/// operation); no CA issues exponents over 2^32 (65537 is universal) and OpenSSL allows no more than 64 bits for
/// moduli over 3072 bits; 512 bits is the smallest modulus any security level accepts.
/// </summary>
internal static class RsaKeyLimits
{
    /// <summary>The smallest modulus accepted, in bits (security levels raise it further).</summary>
    public const int MinModulusBits = 512;

    /// <summary>The largest modulus accepted, in bits.</summary>
    public const int MaxModulusBits = 16384;

    /// <summary>The largest public exponent accepted is 2^32 (so, being odd, 2^32 - 1).</summary>
    public static readonly BigInteger MaxExponent = BigInteger.One.ShiftLeft(32);

    private static readonly BigInteger Three = BigInteger.ValueOf(3);

    /// <summary>Null when (<paramref name="modulus"/>, <paramref name="exponent"/>) is within the limits, else why not.</summary>
    public static string? Check(BigInteger modulus, BigInteger exponent)
    {
        if (modulus.SignValue <= 0 || !modulus.TestBit(0))
        {
            return "RSA modulus is not a positive odd number";
        }

        int bits = modulus.BitLength;
        if (bits < MinModulusBits || bits > MaxModulusBits)
        {
            return $"RSA modulus of {bits} bits is outside {MinModulusBits} to {MaxModulusBits} bits";
        }

        if (exponent.SignValue <= 0 || !exponent.TestBit(0) || exponent.CompareTo(Three) < 0 || exponent.CompareTo(MaxExponent) > 0)
        {
            string shown = exponent.BitLength <= 64 ? exponent.ToString() : $"of {exponent.BitLength} bits";
            return $"RSA public exponent {shown} is not an odd number from 3 to 2^32";
        }

        return null;
    }

    /// <summary>
    /// Reads RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } from a SubjectPublicKeyInfo
    /// (rsaEncryption or id-RSASSA-PSS) and checks it.
    /// </summary>
    /// <exception cref="KeyFormatException">Malformed, or <see cref="KeyFormatError.OutOfBounds"/>.</exception>
    public static (BigInteger Modulus, BigInteger Exponent) Read(SubjectPublicKeyInfo info)
    {
        BigInteger n;
        BigInteger e;
        try
        {
            var seq = Asn1Sequence.GetInstance(info.ParsePublicKey());
            if (seq.Count != 2)
            {
                throw new KeyFormatException(KeyFormatError.Malformed, "RSAPublicKey is not a sequence of two integers");
            }

            n = DerInteger.GetInstance(seq[0]).Value;
            e = DerInteger.GetInstance(seq[1]).Value;
        }
        catch (Exception x) when (x is not KeyFormatException and not OutOfMemoryException)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "malformed RSA public key", x);
        }

        if (Check(n, e) is { } why)
        {
            throw new KeyFormatException(KeyFormatError.OutOfBounds, why);
        }

        return (n, e);
    }
}
