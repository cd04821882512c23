using ManagedTls.Crypto;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Math;

namespace ManagedTls.X509.Validation;

/// <summary>
/// An RSA public key as read from a certificate. BouncyCastle's own RSA key type runs a costly primality test on
/// every modulus it is given (hundreds of milliseconds for 2048 bits); a public key used only to check
/// signatures needs no such test, so verification here works on the numbers directly.
/// </summary>
internal sealed class RsaPublicKey : AsymmetricKeyParameter
{
    public RsaPublicKey(BigInteger modulus, BigInteger exponent)
        : base(false)
    {
        Modulus = modulus;
        Exponent = exponent;
    }

    public BigInteger Modulus { get; }

    public BigInteger Exponent { get; }

    /// <summary>
    /// Reads RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } and checks it against
    /// <see cref="RsaKeyLimits"/> before anything is computed with it.
    /// </summary>
    /// <exception cref="KeyFormatException">Malformed, or out of bounds (<see cref="KeyFormatError.OutOfBounds"/>).</exception>
    public static RsaPublicKey From(SubjectPublicKeyInfo spki)
    {
        (BigInteger n, BigInteger e) = RsaKeyLimits.Read(spki);
        return new RsaPublicKey(n, e);
    }
}

/// <summary>
/// A DSA key, read only as far as the size of its prime. DSA signatures are never accepted here, so the key is
/// used for nothing else, and BouncyCastle's DSA key type would validate the peer's y by raising it to the peer's q
/// modulo the peer's p: an exponentiation of a size the certificate chooses.
/// </summary>
internal sealed class DsaKeyInfo : AsymmetricKeyParameter
{
    private DsaKeyInfo(int primeBits)
        : base(false)
    {
        PrimeBits = primeBits;
    }

    /// <summary>The length of p in bits.</summary>
    public int PrimeBits { get; }

    /// <summary>Reads Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER } and the public INTEGER y.</summary>
    public static DsaKeyInfo From(SubjectPublicKeyInfo spki)
    {
        var parameters = DsaParameter.GetInstance(spki.Algorithm.Parameters ?? throw new FormatException("DSA key without parameters"));
        DerInteger.GetInstance(spki.ParsePublicKey());
        return new DsaKeyInfo(parameters.P.BitLength);
    }
}

/// <summary>RSASSA-PKCS1-v1_5 and RSASSA-PSS signature verification (RFC 8017 8.2.2 and 8.1.2).</summary>
internal static class RsaVerifier
{
    private static byte[]? Open(RsaPublicKey key, byte[] signature, int length)
    {
        int k = (key.Modulus.BitLength + 7) / 8;
        if (signature.Length != k)
        {
            return null;
        }

        var s = new BigInteger(1, signature);
        if (s.CompareTo(key.Modulus) >= 0)
        {
            return null;
        }

        byte[] m = s.ModPow(key.Exponent, key.Modulus).ToByteArrayUnsigned();
        if (m.Length > length)
        {
            return null;
        }

        var em = new byte[length];
        Buffer.BlockCopy(m, 0, em, length - m.Length, m.Length);
        return em;
    }

    private static byte[] Hash(IDigest d, byte[] data)
    {
        d.Reset();
        d.BlockUpdate(data, 0, data.Length);
        var h = new byte[d.GetDigestSize()];
        d.DoFinal(h, 0);
        return h;
    }

    /// <summary>EMSA-PKCS1-v1_5: 00 01 FF..FF 00 DigestInfo, with or without the NULL parameters.</summary>
    public static bool VerifyPkcs1(RsaPublicKey key, IDigest digest, DerObjectIdentifier digestOid, byte[] data, byte[] signature)
    {
        int k = (key.Modulus.BitLength + 7) / 8;
        byte[]? em = Open(key, signature, k);
        if (em is null)
        {
            return false;
        }

        byte[] hash = Hash(digest, data);
        foreach (var algId in new[] { new AlgorithmIdentifier(digestOid, DerNull.Instance), new AlgorithmIdentifier(digestOid) })
        {
            byte[] t = new DigestInfo(algId, hash).GetEncoded(Asn1Encodable.Der);
            if (k < t.Length + 11)
            {
                return false;
            }

            var expected = new byte[k];
            expected[1] = 0x01;
            for (int i = 2; i < k - t.Length - 1; i++)
            {
                expected[i] = 0xff;
            }

            Buffer.BlockCopy(t, 0, expected, k - t.Length, t.Length);
            if (ManagedTls.Crypto.CryptoUtil.FixedTimeEquals(expected, em))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>EMSA-PSS-VERIFY with MGF1 and an explicit salt length.</summary>
    public static bool VerifyPss(RsaPublicKey key, IDigest digest, IDigest mgfDigest, int saltLength, byte[] data, byte[] signature)
    {
        int emBits = key.Modulus.BitLength - 1;
        int emLen = (emBits + 7) / 8;
        int hLen = digest.GetDigestSize();
        byte[]? em = Open(key, signature, emLen);
        if (em is null || emLen < hLen + saltLength + 2 || em[emLen - 1] != 0xbc)
        {
            return false;
        }

        if (emLen * 8 != emBits && (em[0] & (0xff << (8 - ((8 * emLen) - emBits)))) != 0)
        {
            return false;
        }

        int dbLen = emLen - hLen - 1;
        var h = new byte[hLen];
        Buffer.BlockCopy(em, dbLen, h, 0, hLen);
        byte[] mask = Mgf1(mgfDigest, h, dbLen);
        var db = new byte[dbLen];
        for (int i = 0; i < dbLen; i++)
        {
            db[i] = (byte)(em[i] ^ mask[i]);
        }

        db[0] &= (byte)(0xff >> ((8 * emLen) - emBits));
        int psLen = emLen - hLen - saltLength - 2;
        for (int i = 0; i < psLen; i++)
        {
            if (db[i] != 0)
            {
                return false;
            }
        }

        if (db[psLen] != 0x01)
        {
            return false;
        }

        var mPrime = new byte[8 + hLen + saltLength];
        Buffer.BlockCopy(Hash(digest, data), 0, mPrime, 8, hLen);
        Buffer.BlockCopy(db, dbLen - saltLength, mPrime, 8 + hLen, saltLength);
        return ManagedTls.Crypto.CryptoUtil.FixedTimeEquals(Hash(digest, mPrime), h);
    }

    private static byte[] Mgf1(IDigest d, byte[] seed, int length)
    {
        int hLen = d.GetDigestSize();
        var r = new byte[length];
        var c = new byte[4];
        var block = new byte[hLen];
        for (int counter = 0, pos = 0; pos < length; counter++, pos += hLen)
        {
            c[0] = (byte)(counter >> 24);
            c[1] = (byte)(counter >> 16);
            c[2] = (byte)(counter >> 8);
            c[3] = (byte)counter;
            d.Reset();
            d.BlockUpdate(seed, 0, seed.Length);
            d.BlockUpdate(c, 0, 4);
            d.DoFinal(block, 0);
            Buffer.BlockCopy(block, 0, r, pos, Math.Min(hLen, length - pos));
        }

        return r;
    }
}
