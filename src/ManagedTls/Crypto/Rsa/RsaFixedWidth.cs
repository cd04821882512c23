using System.Runtime.CompilerServices;
using Org.BouncyCastle.Math;

namespace ManagedTls.Crypto;

/// <summary>
/// The last step of an RSA private operation in fixed width: from the blinded result s = m * r mod n and
/// the unblinding factor r^-1 mod n to m written as exactly k big-endian bytes (k the modulus length),
/// with a number of operations, a branch pattern, memory accesses and allocation sizes that depend only on k.
/// </summary>
/// <remarks>
/// <para>
/// BouncyCastle's <see cref="BigInteger"/> keeps its magnitude minimal (leading zero words dropped), and every
/// export of one (<c>ToByteArrayUnsigned</c>, <c>BigIntegers.AsUnsignedByteArray(length, n)</c>) first measures
/// the bit length and then writes that many bytes at an offset that follows from it: the work depends on the
/// number of leading zero bytes of the value. Applied to the decrypted PKCS#1 block, that is the timing
/// signal of the Marvin attack. So the plaintext never becomes a <see cref="BigInteger"/>: the unblinding
/// multiplication runs here as one Montgomery multiplication over arrays of ceil(k/4) 32-bit words, the
/// final subtraction is chosen by a mask, and the words are written out as k bytes.
/// </para>
/// <para>
/// The two inputs are exported from <see cref="BigInteger"/> with BouncyCastle's value-dependent conversion,
/// and that is harmless: s is uniformly distributed whatever m is (r is fresh and uniform), and r^-1 * 2^(32w)
/// mod n depends on r alone. Neither carries information about m.
/// </para>
/// </remarks>
internal static class RsaFixedWidth
{
    /// <summary>
    /// Writes m = <paramref name="blindedResult"/> * <paramref name="unblind"/> mod <paramref name="modulus"/> into
    /// <paramref name="destination"/> as exactly k big-endian bytes, in fixed time for a given modulus length.
    /// </summary>
    /// <param name="modulus">The odd RSA modulus n (public).</param>
    /// <param name="blindedResult">s = m * r mod n, in [0, n).</param>
    /// <param name="unblind">r^-1 mod n, in [1, n).</param>
    /// <param name="destination">Exactly k = ceil(bits(n) / 8) bytes.</param>
    /// <exception cref="ArgumentException">The modulus is even, or the destination is not k bytes, or an input is not below the modulus.</exception>
    public static void Unblind(BigInteger modulus, BigInteger blindedResult, BigInteger unblind, Span<byte> destination)
    {
        int k = (modulus.BitLength + 7) / 8;
        if (destination.Length != k)
        {
            throw new ArgumentException("the destination must be as long as the modulus", nameof(destination));
        }

        int words = (k + 3) / 4;
        uint[] n = ToWords(modulus, words);
        if ((n[0] & 1) == 0)
        {
            throw new ArgumentException("the modulus must be odd", nameof(modulus));
        }

        if (blindedResult.SignValue < 0 || blindedResult.CompareTo(modulus) >= 0 || unblind.SignValue <= 0 || unblind.CompareTo(modulus) >= 0)
        {
            throw new ArgumentException("the inputs must be below the modulus");
        }

        // s * (r^-1 * R) * R^-1 = s * r^-1 = m (mod n), with R = 2^(32 * words).
        uint[] a = ToWords(blindedResult, words);
        uint[] b = ToWords(unblind.ShiftLeft(32 * words).Mod(modulus), words);
        uint[] product = new uint[words];
        try
        {
            MontgomeryMultiply(a, b, n, NegativeInverse(n[0]), product);
            WordsToBigEndian(product, destination);
        }
        finally
        {
            Wipe(a);
            Wipe(b);
            Wipe(product);
        }
    }

    /// <summary>
    /// Montgomery multiplication, coarsely integrated operand scanning: <paramref name="result"/> = a * b * 2^(-32w)
    /// mod n for w-word little-endian operands a, b &lt; n and an odd n. The loops run a fixed number of times,
    /// every word is touched the same way for every value, and the final conditional subtraction of n is
    /// selected with a mask, so the time depends on w only.
    /// </summary>
    /// <param name="a">First factor, w words, below n.</param>
    /// <param name="b">Second factor, w words, below n.</param>
    /// <param name="n">The odd modulus, w words.</param>
    /// <param name="nInverse">-n^-1 mod 2^32 (<see cref="NegativeInverse"/> of the low word of n).</param>
    /// <param name="result">w words; fully reduced (below n).</param>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    internal static void MontgomeryMultiply(uint[] a, uint[] b, uint[] n, uint nInverse, uint[] result)
    {
        int w = n.Length;
        if (a.Length != w || b.Length != w || result.Length != w)
        {
            throw new ArgumentException("the operands must have as many words as the modulus");
        }

        // t holds w + 2 words; after each round t < 2n (so t[w + 1] ends every round as zero).
        uint[] t = new uint[w + 2];
        try
        {
            unchecked
            {
                for (int i = 0; i < w; i++)
                {
                    // t += a * b[i]
                    ulong bi = b[i];
                    ulong carry = 0;
                    for (int j = 0; j < w; j++)
                    {
                        ulong sum = t[j] + (a[j] * bi) + carry;
                        t[j] = (uint)sum;
                        carry = sum >> 32;
                    }

                    ulong top = t[w] + carry;
                    t[w] = (uint)top;
                    t[w + 1] = (uint)(top >> 32);

                    // t = (t + q * n) / 2^32 with q chosen so the low word becomes zero.
                    ulong q = t[0] * nInverse;
                    carry = (t[0] + (q * n[0])) >> 32;
                    for (int j = 1; j < w; j++)
                    {
                        ulong sum = t[j] + (q * n[j]) + carry;
                        t[j - 1] = (uint)sum;
                        carry = sum >> 32;
                    }

                    top = t[w] + carry;
                    t[w - 1] = (uint)top;
                    t[w] = t[w + 1] + (uint)(top >> 32);
                }

                // result = t - n, kept unless it went negative (borrow out of the low w words and t[w] == 0).
                uint borrow = 0;
                for (int j = 0; j < w; j++)
                {
                    ulong difference = (ulong)t[j] - n[j] - borrow;
                    result[j] = (uint)difference;
                    borrow = (uint)(difference >> 63);
                }

                uint keepT = 0u - (borrow & (t[w] ^ 1u));
                for (int j = 0; j < w; j++)
                {
                    result[j] = (t[j] & keepT) | (result[j] & ~keepT);
                }
            }
        }
        finally
        {
            Wipe(t);
        }
    }

    /// <summary>-x^-1 mod 2^32 for odd <paramref name="x"/> (Newton's iteration, each step doubling the correct low bits).</summary>
    internal static uint NegativeInverse(uint x)
    {
        unchecked
        {
            uint inverse = x; // correct to 3 bits: x * x = 1 mod 8 for odd x
            for (int i = 0; i < 4; i++)
            {
                inverse *= 2 - (x * inverse);
            }

            return 0u - inverse;
        }
    }

    /// <summary>
    /// Writes little-endian 32-bit <paramref name="words"/> as big-endian bytes filling <paramref name="destination"/>
    /// (the value must fit), touching every word and every byte in the same order whatever the value.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    internal static void WordsToBigEndian(ReadOnlySpan<uint> words, Span<byte> destination)
    {
        int k = destination.Length;
        if (words.Length * 4 < k)
        {
            throw new ArgumentException("too few words for the destination", nameof(words));
        }

        for (int i = 0; i < k; i++)
        {
            destination[k - 1 - i] = (byte)(words[i >> 2] >> ((i & 3) * 8));
        }
    }

    /// <summary>
    /// A non-negative value below 2^(32 * <paramref name="words"/>) as little-endian words. The conversion goes
    /// through BouncyCastle's minimal-length export, so its work depends on the value: use it for public values
    /// and values statistically independent of any secret only.
    /// </summary>
    internal static uint[] ToWords(BigInteger value, int words)
    {
        byte[] raw = value.ToByteArrayUnsigned();
        try
        {
            if (value.SignValue < 0 || raw.Length > words * 4)
            {
                throw new ArgumentException("value out of range", nameof(value));
            }

            uint[] result = new uint[words];
            for (int i = 0; i < raw.Length; i++)
            {
                result[i >> 2] |= (uint)raw[raw.Length - 1 - i] << ((i & 3) * 8);
            }

            return result;
        }
        finally
        {
            CryptoUtil.Wipe(raw);
        }
    }

    /// <summary>Overwrites words with zeros in a way the JIT does not elide.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    internal static void Wipe(uint[] words) => Array.Clear(words, 0, words.Length);
}
