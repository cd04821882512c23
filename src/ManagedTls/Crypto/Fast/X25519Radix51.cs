#if NET8_0_OR_GREATER
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ManagedTls.Crypto.Fast;

/// <summary>
/// X25519 (RFC 7748 section 5) on 64-bit limbs: field elements of GF(2^255 - 19) in radix 2^51 (five limbs),
/// multiplied with 64x64-to-128-bit products (the high half from MULX on x64 or UMULH on arm64, the low half from a
/// plain multiplication), and the Montgomery ladder of RFC 7748 section 5 over them.
/// <see cref="MontgomeryKeyExchange"/> uses it for X25519 agreements on net8.0 and later on x64 with BMI2, where it
/// measured 2.3 times as fast as BouncyCastle's <c>Org.BouncyCastle.Math.EC.Rfc7748.X25519</c> (decision 0033);
/// BouncyCastle stays the implementation on netstandard2.0, the public-key derivation everywhere (its fixed-base
/// comb is faster than any ladder) and the oracle of the differential tests.
/// </summary>
/// <remarks>
/// <para>
/// Constant time by construction: the ladder runs all 255 steps for every scalar, the two points are exchanged by
/// a conditional swap computed with masks (never a branch), and the field arithmetic is only additions,
/// subtractions of a multiple of p, multiplications, shifts and masks on fixed limb counts, with carries
/// propagated by shifts (never a comparison). No table is indexed and no branch or loop bound depends on the
/// scalar, the u-coordinate or any intermediate value; the inversion is a fixed chain of squarings and
/// multiplications (Fermat, z^(p-2)), and the final reduction to the canonical encoding selects with arithmetic.
/// The all-zero result is detected by OR-ing every byte, not by an early exit.
/// </para>
/// <para>
/// Limb bounds. A reduced element (the output of every multiplication) has limbs below 2^51 + 2^14. Sums and
/// differences (a - b + 2p) of reduced elements have limbs below 2^53, the largest input a multiplication or a
/// squaring receives here. One factor of each product is shifted left by 11 before the 64x64-bit multiply
/// (it stays below 2^64), so the 128-bit product splits at bit 53 for free: the high word is the part at
/// 2^53 = 4 * 2^51 and above (below 2^58.3 even with the factor 19; five summed, times 4, stay below 2^62.7),
/// and the low word shifted right by 11 is the low 53 bits (five summed stay below 2^55.4). No 128-bit
/// accumulator and no carry flag is needed; the column sums are then carried with shifts and masks.
/// </para>
/// <para>
/// Secrets: the clamped scalar copy and the ladder state live on the stack and are cleared before returning; the
/// caller owns (and wipes) the scalar and the result.
/// </para>
/// </remarks>
[SkipLocalsInit]
internal static class X25519Radix51
{
    /// <summary>Size in bytes of scalars, u-coordinates and shared secrets.</summary>
    public const int Size = 32;

    private const ulong Mask51 = (1UL << 51) - 1;

    /// <summary>
    /// Whether the engine uses this implementation here: x64 with BMI2 (MULX), where it was measured against
    /// BouncyCastle. Elsewhere (arm64, which was not measured, and processors without BMI2, where the high half of a
    /// product costs four multiplications) <see cref="ScalarMult"/> still gives the right answer but the engine keeps
    /// BouncyCastle.
    /// </summary>
    public static bool IsSupported => Bmi2.X64.IsSupported;

    /// <summary>
    /// Computes X25519(k, u) (RFC 7748 section 5): the scalar is clamped, the top bit of u is ignored and
    /// non-canonical u (p &lt;= u &lt; 2^255) is reduced, as the RFC requires.
    /// </summary>
    /// <param name="scalar">The 32-byte scalar (not modified).</param>
    /// <param name="u">The 32-byte little-endian u-coordinate.</param>
    /// <param name="result">Receives the 32-byte u-coordinate of the product.</param>
    /// <returns>False when the result is all zeros (a small-order input; RFC 7748 section 6.1).</returns>
    public static bool ScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> u, Span<byte> result)
    {
        if (scalar.Length != Size || u.Length != Size || result.Length < Size)
        {
            throw new ArgumentException("X25519 takes 32-byte scalars and u-coordinates");
        }

        Span<byte> k = stackalloc byte[Size];
        scalar.CopyTo(k);
        k[0] &= 248;
        k[31] &= 127;
        k[31] |= 64;

        Fe x1 = Decode(u);
        Ladder ladder = default;
        ladder.X2.L0 = 1;
        ladder.X3 = x1;
        ladder.Z3.L0 = 1;
        ulong swap = 0;
        for (int t = 254; t >= 0; t--)
        {
            ulong bit = (ulong)((k[t >> 3] >> (t & 7)) & 1);
            swap ^= bit;
            ConditionalSwap(ref ladder.X2, ref ladder.X3, swap);
            ConditionalSwap(ref ladder.Z2, ref ladder.Z3, swap);
            swap = bit;
            Step(ref ladder, in x1);
        }

        ConditionalSwap(ref ladder.X2, ref ladder.X3, swap);
        ConditionalSwap(ref ladder.Z2, ref ladder.Z3, swap);

        Invert(out Fe zInverse, in ladder.Z2);
        Mul(out Fe x, in ladder.X2, in zInverse);
        Encode(in x, result);

        k.Clear();
        Clear(ref ladder, ref zInverse, ref x);

        int any = 0;
        for (int i = 0; i < Size; i++)
        {
            any |= result[i];
        }

        return any != 0;
    }

    /// <summary>Computes the public key X25519(k, 9) (RFC 7748 section 6.1).</summary>
    /// <param name="scalar">The 32-byte private scalar.</param>
    /// <param name="publicKey">Receives the 32-byte public key.</param>
    public static void ScalarMultBase(ReadOnlySpan<byte> scalar, Span<byte> publicKey)
    {
        Span<byte> nine = stackalloc byte[Size];
        nine.Clear();
        nine[0] = 9;
        ScalarMult(scalar, nine, publicKey);
    }

    // One ladder step (RFC 7748 section 5, a24 = 121665), in place.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ref Ladder s, in Fe x1)
    {
        Add(out Fe a, in s.X2, in s.Z2);
        Sub(out Fe b, in s.X2, in s.Z2);
        Add(out Fe c, in s.X3, in s.Z3);
        Sub(out Fe d, in s.X3, in s.Z3);
        Square(out Fe aa, in a);
        Square(out Fe bb, in b);
        Mul(out Fe da, in d, in a);
        Mul(out Fe cb, in c, in b);
        Sub(out Fe e, in aa, in bb);
        Add(out Fe sum, in da, in cb);
        Sub(out Fe diff, in da, in cb);
        Square(out s.X3, in sum);
        Square(out Fe diff2, in diff);
        Mul(out s.Z3, in x1, in diff2);
        Mul(out s.X2, in aa, in bb);
        MulSmall(out Fe a24e, in e, 121665);
        Add(out Fe t, in aa, in a24e);
        Mul(out s.Z2, in e, in t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ConditionalSwap(ref Fe a, ref Fe b, ulong swap)
    {
        ulong mask = 0UL - swap;
        ulong t;
        t = mask & (a.L0 ^ b.L0); a.L0 ^= t; b.L0 ^= t;
        t = mask & (a.L1 ^ b.L1); a.L1 ^= t; b.L1 ^= t;
        t = mask & (a.L2 ^ b.L2); a.L2 ^= t; b.L2 ^= t;
        t = mask & (a.L3 ^ b.L3); a.L3 ^= t; b.L3 ^= t;
        t = mask & (a.L4 ^ b.L4); a.L4 ^= t; b.L4 ^= t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(out Fe r, in Fe a, in Fe b)
    {
        r.L0 = a.L0 + b.L0;
        r.L1 = a.L1 + b.L1;
        r.L2 = a.L2 + b.L2;
        r.L3 = a.L3 + b.L3;
        r.L4 = a.L4 + b.L4;
    }

    // a - b + 2p: never negative for b limbs below 2^52 - 38 (every subtrahend here is a reduced element).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sub(out Fe r, in Fe a, in Fe b)
    {
        r.L0 = a.L0 + 0xFFFFFFFFFFFDAUL - b.L0;
        r.L1 = a.L1 + 0xFFFFFFFFFFFFEUL - b.L1;
        r.L2 = a.L2 + 0xFFFFFFFFFFFFEUL - b.L2;
        r.L3 = a.L3 + 0xFFFFFFFFFFFFEUL - b.L3;
        r.L4 = a.L4 + 0xFFFFFFFFFFFFEUL - b.L4;
    }

    // a * (b << 11) splits the 128-bit product at bit 53: the high word is the part at 2^53 and above, the low
    // word shifted down by 11 is the low 53 bits. Requires b < 2^53.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Acc(ulong x, ulong yShifted, ref ulong low, ref ulong high)
    {
        high += MultiplyHigh(x, yShifted);
        low += (x * yShifted) >> 11;
    }

    // The high 64 bits of a 64x64-bit product: MULX on x64 with BMI2, UMULH on arm64. The low 64 bits are a plain
    // multiplication, which keeps both halves in registers (BigMul's out parameter goes through the stack).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MultiplyHigh(ulong x, ulong y)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(x, y);
        }

        if (ArmBase.Arm64.IsSupported)
        {
            return ArmBase.Arm64.MultiplyHigh(x, y);
        }

        return Math.BigMul(x, y, out _);
    }

    // Column sums to a reduced element: t_i = low_i + 4 high_(i-1) (2^53 = 4 * 2^51), with high_4 folded into column 0 times 76.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Carry(out Fe r, ulong l0, ulong h0, ulong l1, ulong h1, ulong l2, ulong h2, ulong l3, ulong h3, ulong l4, ulong h4)
    {
        ulong t0 = l0 + (h4 * 76);
        ulong t1 = l1 + (h0 << 2);
        ulong t2 = l2 + (h1 << 2);
        ulong t3 = l3 + (h2 << 2);
        ulong t4 = l4 + (h3 << 2);
        t1 += t0 >> 51; t0 &= Mask51;
        t2 += t1 >> 51; t1 &= Mask51;
        t3 += t2 >> 51; t2 &= Mask51;
        t4 += t3 >> 51; t3 &= Mask51;
        t0 += (t4 >> 51) * 19; t4 &= Mask51;
        t1 += t0 >> 51; t0 &= Mask51;
        r.L0 = t0;
        r.L1 = t1;
        r.L2 = t2;
        r.L3 = t3;
        r.L4 = t4;
    }

    private static void Mul(out Fe r, in Fe a, in Fe b)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, a4 = a.L4;
        ulong b0 = b.L0 << 11, b1 = b.L1 << 11, b2 = b.L2 << 11, b3 = b.L3 << 11, b4 = b.L4 << 11;
        ulong a1x = a1 * 19, a2x = a2 * 19, a3x = a3 * 19, a4x = a4 * 19;
        ulong l0 = 0, h0 = 0, l1 = 0, h1 = 0, l2 = 0, h2 = 0, l3 = 0, h3 = 0, l4 = 0, h4 = 0;

        Acc(a0, b0, ref l0, ref h0);
        Acc(a1x, b4, ref l0, ref h0);
        Acc(a2x, b3, ref l0, ref h0);
        Acc(a3x, b2, ref l0, ref h0);
        Acc(a4x, b1, ref l0, ref h0);

        Acc(a0, b1, ref l1, ref h1);
        Acc(a1, b0, ref l1, ref h1);
        Acc(a2x, b4, ref l1, ref h1);
        Acc(a3x, b3, ref l1, ref h1);
        Acc(a4x, b2, ref l1, ref h1);

        Acc(a0, b2, ref l2, ref h2);
        Acc(a1, b1, ref l2, ref h2);
        Acc(a2, b0, ref l2, ref h2);
        Acc(a3x, b4, ref l2, ref h2);
        Acc(a4x, b3, ref l2, ref h2);

        Acc(a0, b3, ref l3, ref h3);
        Acc(a1, b2, ref l3, ref h3);
        Acc(a2, b1, ref l3, ref h3);
        Acc(a3, b0, ref l3, ref h3);
        Acc(a4x, b4, ref l3, ref h3);

        Acc(a0, b4, ref l4, ref h4);
        Acc(a1, b3, ref l4, ref h4);
        Acc(a2, b2, ref l4, ref h4);
        Acc(a3, b1, ref l4, ref h4);
        Acc(a4, b0, ref l4, ref h4);

        Carry(out r, l0, h0, l1, h1, l2, h2, l3, h3, l4, h4);
    }

    private static void Square(out Fe r, in Fe a)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, a4 = a.L4;
        ulong s0 = a0 << 11, s1 = a1 << 11, s2 = a2 << 11, s3 = a3 << 11, s4 = a4 << 11;
        ulong d0 = a0 * 2, d1 = a1 * 2;
        ulong a1x38 = a1 * 38, a2x38 = a2 * 38, a3x38 = a3 * 38, a3x19 = a3 * 19, a4x19 = a4 * 19;
        ulong l0 = 0, h0 = 0, l1 = 0, h1 = 0, l2 = 0, h2 = 0, l3 = 0, h3 = 0, l4 = 0, h4 = 0;

        Acc(a0, s0, ref l0, ref h0);
        Acc(a1x38, s4, ref l0, ref h0);
        Acc(a2x38, s3, ref l0, ref h0);

        Acc(d0, s1, ref l1, ref h1);
        Acc(a2x38, s4, ref l1, ref h1);
        Acc(a3x19, s3, ref l1, ref h1);

        Acc(d0, s2, ref l2, ref h2);
        Acc(a1, s1, ref l2, ref h2);
        Acc(a3x38, s4, ref l2, ref h2);

        Acc(d0, s3, ref l3, ref h3);
        Acc(d1, s2, ref l3, ref h3);
        Acc(a4x19, s4, ref l3, ref h3);

        Acc(d0, s4, ref l4, ref h4);
        Acc(d1, s3, ref l4, ref h4);
        Acc(a2, s2, ref l4, ref h4);

        Carry(out r, l0, h0, l1, h1, l2, h2, l3, h3, l4, h4);
    }

    private static void MulSmall(out Fe r, in Fe a, ulong small)
    {
        ulong l0 = 0, h0 = 0, l1 = 0, h1 = 0, l2 = 0, h2 = 0, l3 = 0, h3 = 0, l4 = 0, h4 = 0;
        Acc(small, a.L0 << 11, ref l0, ref h0);
        Acc(small, a.L1 << 11, ref l1, ref h1);
        Acc(small, a.L2 << 11, ref l2, ref h2);
        Acc(small, a.L3 << 11, ref l3, ref h3);
        Acc(small, a.L4 << 11, ref l4, ref h4);
        Carry(out r, l0, h0, l1, h1, l2, h2, l3, h3, l4, h4);
    }

    private static void SquareTimes(out Fe r, in Fe a, int n)
    {
        Square(out r, in a);
        for (int i = 1; i < n; i++)
        {
            Square(out r, in r);
        }
    }

    // z^(p-2) = z^(2^255 - 21) with the usual chain: 254 squarings and 11 multiplications.
    private static void Invert(out Fe r, in Fe z)
    {
        Square(out Fe z2, in z);                 // 2
        SquareTimes(out Fe t, in z2, 2);         // 8
        Mul(out Fe z9, in t, in z);              // 9
        Mul(out Fe z11, in z9, in z2);           // 11
        Square(out t, in z11);                   // 22
        Mul(out Fe z2_5_0, in t, in z9);         // 2^5 - 1
        SquareTimes(out t, in z2_5_0, 5);
        Mul(out Fe z2_10_0, in t, in z2_5_0);    // 2^10 - 1
        SquareTimes(out t, in z2_10_0, 10);
        Mul(out Fe z2_20_0, in t, in z2_10_0);   // 2^20 - 1
        SquareTimes(out t, in z2_20_0, 20);
        Mul(out t, in t, in z2_20_0);            // 2^40 - 1
        SquareTimes(out t, in t, 10);
        Mul(out Fe z2_50_0, in t, in z2_10_0);   // 2^50 - 1
        SquareTimes(out t, in z2_50_0, 50);
        Mul(out Fe z2_100_0, in t, in z2_50_0);  // 2^100 - 1
        SquareTimes(out t, in z2_100_0, 100);
        Mul(out t, in t, in z2_100_0);           // 2^200 - 1
        SquareTimes(out t, in t, 50);
        Mul(out t, in t, in z2_50_0);            // 2^250 - 1
        SquareTimes(out t, in t, 5);             // 2^255 - 2^5
        Mul(out r, in t, in z11);                // 2^255 - 21
    }

    private static Fe Decode(ReadOnlySpan<byte> u)
    {
        ulong w0 = BinaryPrimitives.ReadUInt64LittleEndian(u);
        ulong w1 = BinaryPrimitives.ReadUInt64LittleEndian(u.Slice(8));
        ulong w2 = BinaryPrimitives.ReadUInt64LittleEndian(u.Slice(16));
        ulong w3 = BinaryPrimitives.ReadUInt64LittleEndian(u.Slice(24));
        Fe r;
        r.L0 = w0 & Mask51;
        r.L1 = ((w0 >> 51) | (w1 << 13)) & Mask51;
        r.L2 = ((w1 >> 38) | (w2 << 26)) & Mask51;
        r.L3 = ((w2 >> 25) | (w3 << 39)) & Mask51;
        r.L4 = (w3 >> 12) & Mask51; // drops bit 255 (RFC 7748 section 5: mask the most significant bit)
        return r;
    }

    // Fully reduces a reduced element (value below 2p) to [0, p) and writes 32 little-endian bytes.
    private static void Encode(in Fe a, Span<byte> output)
    {
        ulong t0 = a.L0, t1 = a.L1, t2 = a.L2, t3 = a.L3, t4 = a.L4;
        t1 += t0 >> 51; t0 &= Mask51;
        t2 += t1 >> 51; t1 &= Mask51;
        t3 += t2 >> 51; t2 &= Mask51;
        t4 += t3 >> 51; t3 &= Mask51;
        t0 += (t4 >> 51) * 19; t4 &= Mask51;
        t1 += t0 >> 51; t0 &= Mask51;

        // q = 1 exactly when the value is at least p (t + 19 reaches 2^255).
        ulong q = (t0 + 19) >> 51;
        q = (t1 + q) >> 51;
        q = (t2 + q) >> 51;
        q = (t3 + q) >> 51;
        q = (t4 + q) >> 51;

        t0 += 19 * q;
        t1 += t0 >> 51; t0 &= Mask51;
        t2 += t1 >> 51; t1 &= Mask51;
        t3 += t2 >> 51; t2 &= Mask51;
        t4 += t3 >> 51; t3 &= Mask51;
        t4 &= Mask51; // drops 2^255, completing the subtraction of p

        BinaryPrimitives.WriteUInt64LittleEndian(output, t0 | (t1 << 51));
        BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(8), (t1 >> 13) | (t2 << 38));
        BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(16), (t2 >> 26) | (t3 << 25));
        BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(24), (t3 >> 39) | (t4 << 12));
    }

    // Clears through references the JIT cannot prove dead (the locals hold scalar-dependent state).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Clear(ref Ladder ladder, ref Fe a, ref Fe b)
    {
        ladder = default;
        a = default;
        b = default;
    }

    /// <summary>A field element: value = L0 + L1 2^51 + L2 2^102 + L3 2^153 + L4 2^204 (mod 2^255 - 19).</summary>
    private struct Fe
    {
        public ulong L0;
        public ulong L1;
        public ulong L2;
        public ulong L3;
        public ulong L4;
    }

    /// <summary>The ladder's two projective points (x2 : z2) and (x3 : z3).</summary>
    private struct Ladder
    {
        public Fe X2;
        public Fe Z2;
        public Fe X3;
        public Fe Z3;
    }
}
#endif
