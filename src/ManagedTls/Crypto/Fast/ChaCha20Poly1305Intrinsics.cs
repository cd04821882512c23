#if NET8_0_OR_GREATER
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ManagedTls.Crypto.Fast;

/// <summary>
/// ChaCha20-Poly1305 (RFC 8439) on CPU vector instructions: ChaCha20 eight blocks at a time in 256-bit AVX2
/// registers (one block per lane, one register per state word, rows c and d two at a time with the rest in a
/// stack buffer), or four blocks at a time in 128-bit SSSE3 registers where AVX2 is absent; Poly1305 four blocks
/// at a time in AVX2 registers (radix 2^26) for long runs, otherwise one block at a time in radix 2^64 with
/// 64x64-to-128-bit multiplies. Never System.Security.Cryptography; BouncyCastle remains the portable path.
/// </summary>
/// <remarks>
/// Constant time by construction: ChaCha20 is only additions, XORs and fixed rotations of 32-bit words;
/// Poly1305 is only multiplications, additions, shifts and masks (radix 2^26 limbs are carried with shifts and
/// masks; radix 2^64 carries are computed with bit arithmetic, never a comparison or a branch) and its final
/// reduction selects with a mask. No table is indexed and no
/// branch depends on the key, the nonce, the plaintext, the ciphertext or the tag; loop bounds depend only on
/// the lengths. The tag is compared with <see cref="CryptoUtil.FixedTimeEquals"/>, and on open it is checked
/// over the ciphertext before a single byte is decrypted into the destination. The key lives in a fixed inline
/// buffer wiped on <see cref="Dispose"/>; per-record secrets (the Poly1305 key and the first keystream blocks)
/// live on the stack and are wiped before each call returns.
/// </remarks>
internal sealed class ChaCha20Poly1305Intrinsics : IAead
{
    private const int TagLength = 16;
    private readonly bool _avx2;
    private Words8 _key;
    private Nonce12 _lastSealNonce;
    private bool _sealed;
    private bool _disposed;

    /// <summary>Keys the AEAD; the 256-bit path is used where AVX2 is supported.</summary>
    public ChaCha20Poly1305Intrinsics(ReadOnlySpan<byte> key)
        : this(key, Avx2.IsSupported)
    {
    }

    /// <summary>Keys the AEAD with an explicit choice of vector width (tests exercise both on one machine).</summary>
    internal ChaCha20Poly1305Intrinsics(ReadOnlySpan<byte> key, bool useAvx2)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("ChaCha20-Poly1305 needs a 32-byte key", nameof(key));
        }

        if (useAvx2 ? !Avx2.IsSupported : !Ssse3.IsSupported)
        {
            throw new NotSupportedException("this CPU lacks the vector instructions of ChaCha20Poly1305Intrinsics");
        }

        _avx2 = useAvx2;
        Span<uint> k = _key;
        for (int i = 0; i < 8; i++)
        {
            k[i] = BinaryPrimitives.ReadUInt32LittleEndian(key.Slice(4 * i));
        }
    }

    /// <summary>True when this CPU has the instructions of at least one of the two paths.</summary>
    public static bool IsSupported => Avx2.IsSupported || Ssse3.IsSupported;

    /// <summary>True when this instance runs the eight-block AVX2 path (false: four-block SSSE3).</summary>
    internal bool UsesAvx2 => _avx2;

    /// <inheritdoc />
    public AeadAlgorithm Algorithm => AeadAlgorithm.ChaCha20Poly1305;

    /// <inheritdoc />
    public int KeySize => 32;

    /// <inheritdoc />
    public int NonceSize => 12;

    /// <inheritdoc />
    public int TagSize => TagLength;

    /// <inheritdoc />
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ThrowIfDisposed();
        CheckNonce(nonce);
        if (destination.Length < plaintext.Length + TagLength)
        {
            throw new ArgumentException("destination too small for ciphertext and tag", nameof(destination));
        }

        // Defence in depth, as BouncyCastle's ChaCha20Poly1305 does: the same nonce twice in a row is refused.
        Span<byte> last = _lastSealNonce;
        if (_sealed && nonce.SequenceEqual(last))
        {
            throw new ArgumentException("cannot reuse nonce for ChaCha20Poly1305 encryption", nameof(nonce));
        }

        nonce.CopyTo(last);
        _sealed = true;

        Span<uint> state = stackalloc uint[16];
        Span<byte> first = stackalloc byte[512];
        InitState(state, nonce);
        int firstData = FirstBatch(state, first);
        Poly1305 mac = default;
        mac.Init(first.Slice(0, 32), _avx2);

        Span<byte> ciphertext = destination.Slice(0, plaintext.Length);
        Crypt(state, first, firstData, plaintext, ciphertext);
        mac.Aead(associatedData, ciphertext);
        mac.Finish(destination.Slice(plaintext.Length, TagLength));
        CryptoUtil.Wipe(first);
        CryptoUtil.Wipe(MemoryMarshal.AsBytes(state));
        mac.Wipe();
    }

    /// <inheritdoc />
    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> destination)
    {
        ThrowIfDisposed();
        CheckNonce(nonce);
        if (ciphertextAndTag.Length < TagLength)
        {
            return false;
        }

        int plainLength = ciphertextAndTag.Length - TagLength;
        if (destination.Length < plainLength)
        {
            throw new ArgumentException("destination too small for plaintext", nameof(destination));
        }

        Span<uint> state = stackalloc uint[16];
        Span<byte> first = stackalloc byte[512];
        Span<byte> tag = stackalloc byte[TagLength];
        InitState(state, nonce);
        int firstData = FirstBatch(state, first);
        Poly1305 mac = default;
        mac.Init(first.Slice(0, 32), _avx2);

        // Authenticate the ciphertext first; nothing is written to the destination unless the tag matches.
        ReadOnlySpan<byte> ciphertext = ciphertextAndTag.Slice(0, plainLength);
        mac.Aead(associatedData, ciphertext);
        mac.Finish(tag);
        mac.Wipe();
        bool ok = CryptoUtil.FixedTimeEquals(tag, ciphertextAndTag.Slice(plainLength));
        if (ok)
        {
            Crypt(state, first, firstData, ciphertext, destination.Slice(0, plainLength));
        }
        else
        {
            CryptoUtil.Wipe(destination.Slice(0, plainLength));
        }

        CryptoUtil.Wipe(first);
        CryptoUtil.Wipe(MemoryMarshal.AsBytes(state));
        return ok;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Span<uint> k = _key;
            CryptoUtil.Wipe(MemoryMarshal.AsBytes(k));
            CryptoUtil.Wipe(_lastSealNonce);
        }
    }

    /// <summary>
    /// ChaCha20 keystream XOR over <paramref name="input"/>, starting at block counter <paramref name="counter"/>
    /// (RFC 8439 section 2.4) with the vector path asked for; used by the tests of section 2.4.2 and A.2.
    /// </summary>
    internal static void ChaCha20Xor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, uint counter, ReadOnlySpan<byte> input, Span<byte> output, bool useAvx2)
    {
        Span<uint> state = stackalloc uint[16];
        Words8 k = default;
        Span<uint> ks = k;
        for (int i = 0; i < 8; i++)
        {
            ks[i] = BinaryPrimitives.ReadUInt32LittleEndian(key.Slice(4 * i));
        }

        state[0] = 0x61707865;
        state[1] = 0x3320646e;
        state[2] = 0x79622d32;
        state[3] = 0x6b206574;
        ks.CopyTo(state.Slice(4));
        state[12] = counter;
        state[13] = BinaryPrimitives.ReadUInt32LittleEndian(nonce);
        state[14] = BinaryPrimitives.ReadUInt32LittleEndian(nonce.Slice(4));
        state[15] = BinaryPrimitives.ReadUInt32LittleEndian(nonce.Slice(8));
        Span<byte> buffer = stackalloc byte[512];
        XorStream(state, counter, input, output, buffer, useAvx2);
        CryptoUtil.Wipe(MemoryMarshal.AsBytes(ks));
        CryptoUtil.Wipe(MemoryMarshal.AsBytes(state));
    }

    /// <summary>Poly1305 of a whole message (RFC 8439 section 2.5), for the tests of section 2.5.2 and A.3.</summary>
    internal static void Poly1305Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> tag, bool useAvx2)
    {
        Poly1305 mac = default;
        mac.Init(key, useAvx2);
        int full = message.Length & ~15;
        mac.Full(message.Slice(0, full));
        if (full < message.Length)
        {
            Span<byte> last = stackalloc byte[16];
            last.Clear();
            message.Slice(full).CopyTo(last);
            last[message.Length - full] = 1;
            mac.Blocks(last, 0);
        }

        mac.Finish(tag);
    }

    private static void CheckNonce(ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != 12)
        {
            throw new ArgumentException("AEAD nonce must be 12 bytes", nameof(nonce));
        }
    }

    private void InitState(Span<uint> state, ReadOnlySpan<byte> nonce)
    {
        state[0] = 0x61707865;
        state[1] = 0x3320646e;
        state[2] = 0x79622d32;
        state[3] = 0x6b206574;
        ReadOnlySpan<uint> k = _key;
        k.CopyTo(state.Slice(4));
        state[12] = 0;
        state[13] = BinaryPrimitives.ReadUInt32LittleEndian(nonce);
        state[14] = BinaryPrimitives.ReadUInt32LittleEndian(nonce.Slice(4));
        state[15] = BinaryPrimitives.ReadUInt32LittleEndian(nonce.Slice(8));
    }

    private int BatchBytes => _avx2 ? 512 : 256;

    /// <summary>Keystream blocks 0 .. 7 (or 0 .. 3) into <paramref name="first"/>: block 0 is the Poly1305 key,
    /// the rest encrypts the first bytes of the message. Returns how many message bytes that covers.</summary>
    private int FirstBatch(ReadOnlySpan<uint> state, Span<byte> first)
    {
        first.Clear();
        if (_avx2)
        {
            Xor8(state, 0, ref MemoryMarshal.GetReference(first), ref MemoryMarshal.GetReference(first), 1);
        }
        else
        {
            Xor4(state, 0, ref MemoryMarshal.GetReference(first), ref MemoryMarshal.GetReference(first), 1);
        }

        return BatchBytes - 64;
    }

    /// <summary>Encrypts or decrypts: the first bytes with the keystream left in <paramref name="first"/>, the rest
    /// from block counter <c>BatchBytes / 64</c> on.</summary>
    private void Crypt(ReadOnlySpan<uint> state, Span<byte> first, int firstData, ReadOnlySpan<byte> input, Span<byte> output)
    {
        int head = Math.Min(firstData, input.Length);
        XorBytes(input.Slice(0, head), first.Slice(64, head), output);
        if (head < input.Length)
        {
            XorStream(state, (uint)(BatchBytes / 64), input.Slice(head), output.Slice(head), first, _avx2);
        }
    }

    /// <summary>Keystream XOR from block <paramref name="counter"/>: whole batches straight from input to output,
    /// the tail through <paramref name="buffer"/> (512 bytes, wiped afterwards).</summary>
    private static void XorStream(ReadOnlySpan<uint> state, uint counter, ReadOnlySpan<byte> input, Span<byte> output, Span<byte> buffer, bool avx2)
    {
        int batch = avx2 ? 512 : 256;
        int batches = input.Length / batch;
        ref byte src = ref MemoryMarshal.GetReference(input);
        ref byte dst = ref MemoryMarshal.GetReference(output);
        if (batches > 0)
        {
            if (avx2)
            {
                Xor8(state, counter, ref src, ref dst, batches);
            }
            else
            {
                Xor4(state, counter, ref src, ref dst, batches);
            }
        }

        int done = batches * batch;
        if (done < input.Length)
        {
            Span<byte> ks = buffer.Slice(0, batch);
            ks.Clear();
            uint next = counter + (uint)(batches * (batch / 64));
            if (avx2)
            {
                Xor8(state, next, ref MemoryMarshal.GetReference(ks), ref MemoryMarshal.GetReference(ks), 1);
            }
            else
            {
                Xor4(state, next, ref MemoryMarshal.GetReference(ks), ref MemoryMarshal.GetReference(ks), 1);
            }

            XorBytes(input.Slice(done), ks, output.Slice(done));
            CryptoUtil.Wipe(ks);
        }
    }

    /// <summary>output[i] = input[i] ^ keystream[i] for i below input.Length (output may be input).</summary>
    private static void XorBytes(ReadOnlySpan<byte> input, ReadOnlySpan<byte> keystream, Span<byte> output)
    {
        int n = input.Length;
        int i = 0;
        ref byte a = ref MemoryMarshal.GetReference(input);
        ref byte k = ref MemoryMarshal.GetReference(keystream);
        ref byte o = ref MemoryMarshal.GetReference(output);
        for (; i + 16 <= n; i += 16)
        {
            (Vector128.LoadUnsafe(ref a, (nuint)i) ^ Vector128.LoadUnsafe(ref k, (nuint)i)).StoreUnsafe(ref o, (nuint)i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref o, i) = (byte)(Unsafe.Add(ref a, i) ^ Unsafe.Add(ref k, i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rot16(Vector256<uint> x) =>
        Avx2.Shuffle(x.AsByte(), Vector256.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rot8(Vector256<uint> x) =>
        Avx2.Shuffle(x.AsByte(), Vector256.Create((byte)3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rot12(Vector256<uint> x) => Avx2.ShiftLeftLogical(x, 12) | Avx2.ShiftRightLogical(x, 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rot7(Vector256<uint> x) => Avx2.ShiftLeftLogical(x, 7) | Avx2.ShiftRightLogical(x, 25);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rot16(Vector128<uint> x) =>
        Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rot8(Vector128<uint> x) =>
        Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rot12(Vector128<uint> x) => Sse2.ShiftLeftLogical(x, 12) | Sse2.ShiftRightLogical(x, 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rot7(Vector128<uint> x) => Sse2.ShiftLeftLogical(x, 7) | Sse2.ShiftRightLogical(x, 25);

    /// <summary>Eight ChaCha20 blocks per step (block counters counter .. counter + 7), one block per 32-bit lane,
    /// XORed into <paramref name="batches"/> * 512 bytes.</summary>
    private static void Xor8(ReadOnlySpan<uint> state, uint counter, ref byte src, ref byte dst, int batches)
    {
        Span<Vector256<uint>> spillBuffer = stackalloc Vector256<uint>[8];
        ref Vector256<uint> spill = ref MemoryMarshal.GetReference(spillBuffer);
        Vector256<uint> lanes = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        Vector256<uint> counters = Vector256.Create(counter) + lanes;
        nuint offset = 0;
        for (int b = 0; b < batches; b++)
        {
            Vector256<uint> x0 = Vector256.Create(state[0]), x1 = Vector256.Create(state[1]), x2 = Vector256.Create(state[2]), x3 = Vector256.Create(state[3]);
            Vector256<uint> x4 = Vector256.Create(state[4]), x5 = Vector256.Create(state[5]), x6 = Vector256.Create(state[6]), x7 = Vector256.Create(state[7]);

            // x8 .. x11 take turns in two registers (ca, cb), x12 .. x15 in two others (da, db); the rest wait in
            // memory, so that the working set fits the 16 vector registers.
            Vector256<uint> ca = Vector256.Create(state[8]), cb = Vector256.Create(state[9]);
            Vector256<uint> da = counters, db = Vector256.Create(state[13]);
            Unsafe.Add(ref spill, 2) = Vector256.Create(state[10]);
            Unsafe.Add(ref spill, 3) = Vector256.Create(state[11]);
            Unsafe.Add(ref spill, 6) = Vector256.Create(state[14]);
            Unsafe.Add(ref spill, 7) = Vector256.Create(state[15]);
            for (int round = 0; round < 10; round++)
            {
                // Columns two at a time, then diagonals two at a time.
                x0 += x4;
                x1 += x5;
                da = Rot16(da ^ x0);
                db = Rot16(db ^ x1);
                ca += da;
                cb += db;
                x4 = Rot12(x4 ^ ca);
                x5 = Rot12(x5 ^ cb);
                x0 += x4;
                x1 += x5;
                da = Rot8(da ^ x0);
                db = Rot8(db ^ x1);
                ca += da;
                cb += db;
                x4 = Rot7(x4 ^ ca);
                x5 = Rot7(x5 ^ cb);
                Unsafe.Add(ref spill, 0) = ca;
                ca = Unsafe.Add(ref spill, 2);
                Unsafe.Add(ref spill, 1) = cb;
                cb = Unsafe.Add(ref spill, 3);
                Unsafe.Add(ref spill, 4) = da;
                da = Unsafe.Add(ref spill, 6);
                Unsafe.Add(ref spill, 5) = db;
                db = Unsafe.Add(ref spill, 7);
                x2 += x6;
                x3 += x7;
                da = Rot16(da ^ x2);
                db = Rot16(db ^ x3);
                ca += da;
                cb += db;
                x6 = Rot12(x6 ^ ca);
                x7 = Rot12(x7 ^ cb);
                x2 += x6;
                x3 += x7;
                da = Rot8(da ^ x2);
                db = Rot8(db ^ x3);
                ca += da;
                cb += db;
                x6 = Rot7(x6 ^ ca);
                x7 = Rot7(x7 ^ cb);
                Unsafe.Add(ref spill, 6) = da;
                da = Unsafe.Add(ref spill, 4);
                x0 += x5;
                x1 += x6;
                db = Rot16(db ^ x0);
                da = Rot16(da ^ x1);
                ca += db;
                cb += da;
                x5 = Rot12(x5 ^ ca);
                x6 = Rot12(x6 ^ cb);
                x0 += x5;
                x1 += x6;
                db = Rot8(db ^ x0);
                da = Rot8(da ^ x1);
                ca += db;
                cb += da;
                x5 = Rot7(x5 ^ ca);
                x6 = Rot7(x6 ^ cb);
                Unsafe.Add(ref spill, 2) = ca;
                ca = Unsafe.Add(ref spill, 0);
                Unsafe.Add(ref spill, 3) = cb;
                cb = Unsafe.Add(ref spill, 1);
                Unsafe.Add(ref spill, 4) = da;
                da = Unsafe.Add(ref spill, 5);
                Unsafe.Add(ref spill, 7) = db;
                db = Unsafe.Add(ref spill, 6);
                x2 += x7;
                x3 += x4;
                da = Rot16(da ^ x2);
                db = Rot16(db ^ x3);
                ca += da;
                cb += db;
                x7 = Rot12(x7 ^ ca);
                x4 = Rot12(x4 ^ cb);
                x2 += x7;
                x3 += x4;
                da = Rot8(da ^ x2);
                db = Rot8(db ^ x3);
                ca += da;
                cb += db;
                x7 = Rot7(x7 ^ ca);
                x4 = Rot7(x4 ^ cb);
                Unsafe.Add(ref spill, 5) = da;
                Unsafe.Add(ref spill, 6) = db;
                da = Unsafe.Add(ref spill, 4);
                db = Unsafe.Add(ref spill, 5);
            }

            x0 += Vector256.Create(state[0]);
            x1 += Vector256.Create(state[1]);
            x2 += Vector256.Create(state[2]);
            x3 += Vector256.Create(state[3]);
            x4 += Vector256.Create(state[4]);
            x5 += Vector256.Create(state[5]);
            x6 += Vector256.Create(state[6]);
            x7 += Vector256.Create(state[7]);
            Vector256<uint> x8 = ca + Vector256.Create(state[8]);
            Vector256<uint> x9 = cb + Vector256.Create(state[9]);
            Vector256<uint> x10 = Unsafe.Add(ref spill, 2) + Vector256.Create(state[10]);
            Vector256<uint> x11 = Unsafe.Add(ref spill, 3) + Vector256.Create(state[11]);
            Vector256<uint> x12 = da + counters;
            Vector256<uint> x13 = db + Vector256.Create(state[13]);
            Vector256<uint> x14 = Unsafe.Add(ref spill, 6) + Vector256.Create(state[14]);
            Vector256<uint> x15 = Unsafe.Add(ref spill, 7) + Vector256.Create(state[15]);
            counters += Vector256.Create(8u);

            // Transpose: 4x4 within each 128-bit half per group of four words, then halves recombined.
            Store8(x0, x1, x2, x3, x4, x5, x6, x7, ref src, ref dst, offset);
            Store8(x8, x9, x10, x11, x12, x13, x14, x15, ref src, ref dst, offset + 32);
            offset += 512;
        }

        CryptoUtil.Wipe(MemoryMarshal.AsBytes(spillBuffer));
    }

    /// <summary>Words 0..7 (or 8..15) of eight blocks, one block per lane: transposed and XORed into the 32-byte
    /// halves at <paramref name="offset"/> + 64 * block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store8(
        Vector256<uint> a0, Vector256<uint> a1, Vector256<uint> a2, Vector256<uint> a3,
        Vector256<uint> b0, Vector256<uint> b1, Vector256<uint> b2, Vector256<uint> b3,
        ref byte src, ref byte dst, nuint offset)
    {
        Vector256<uint> t0 = Avx2.UnpackLow(a0, a1), t1 = Avx2.UnpackHigh(a0, a1);
        Vector256<uint> t2 = Avx2.UnpackLow(a2, a3), t3 = Avx2.UnpackHigh(a2, a3);
        Vector256<ulong> u0 = Avx2.UnpackLow(t0.AsUInt64(), t2.AsUInt64()), u1 = Avx2.UnpackHigh(t0.AsUInt64(), t2.AsUInt64());
        Vector256<ulong> u2 = Avx2.UnpackLow(t1.AsUInt64(), t3.AsUInt64()), u3 = Avx2.UnpackHigh(t1.AsUInt64(), t3.AsUInt64());
        t0 = Avx2.UnpackLow(b0, b1);
        t1 = Avx2.UnpackHigh(b0, b1);
        t2 = Avx2.UnpackLow(b2, b3);
        t3 = Avx2.UnpackHigh(b2, b3);
        Vector256<ulong> v0 = Avx2.UnpackLow(t0.AsUInt64(), t2.AsUInt64()), v1 = Avx2.UnpackHigh(t0.AsUInt64(), t2.AsUInt64());
        Vector256<ulong> v2 = Avx2.UnpackLow(t1.AsUInt64(), t3.AsUInt64()), v3 = Avx2.UnpackHigh(t1.AsUInt64(), t3.AsUInt64());

        // u_j holds block j (low half) and block j + 4 (high half); likewise v_j for the next four words.
        XorStore(Avx2.Permute2x128(u0, v0, 0x20), ref src, ref dst, offset);
        XorStore(Avx2.Permute2x128(u1, v1, 0x20), ref src, ref dst, offset + 64);
        XorStore(Avx2.Permute2x128(u2, v2, 0x20), ref src, ref dst, offset + 128);
        XorStore(Avx2.Permute2x128(u3, v3, 0x20), ref src, ref dst, offset + 192);
        XorStore(Avx2.Permute2x128(u0, v0, 0x31), ref src, ref dst, offset + 256);
        XorStore(Avx2.Permute2x128(u1, v1, 0x31), ref src, ref dst, offset + 320);
        XorStore(Avx2.Permute2x128(u2, v2, 0x31), ref src, ref dst, offset + 384);
        XorStore(Avx2.Permute2x128(u3, v3, 0x31), ref src, ref dst, offset + 448);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorStore(Vector256<ulong> keystream, ref byte src, ref byte dst, nuint offset) =>
        (Vector256.LoadUnsafe(ref src, offset) ^ keystream.AsByte()).StoreUnsafe(ref dst, offset);

    /// <summary>Four ChaCha20 blocks per step in 128-bit registers (SSE2 and SSSE3), one block per lane,
    /// XORed into <paramref name="batches"/> * 256 bytes.</summary>
    private static void Xor4(ReadOnlySpan<uint> state, uint counter, ref byte src, ref byte dst, int batches)
    {
        Span<Vector128<uint>> spillBuffer = stackalloc Vector128<uint>[8];
        ref Vector128<uint> spill = ref MemoryMarshal.GetReference(spillBuffer);
        Vector128<uint> counters = Vector128.Create(counter) + Vector128.Create(0u, 1, 2, 3);
        nuint offset = 0;
        for (int b = 0; b < batches; b++)
        {
            Vector128<uint> x0 = Vector128.Create(state[0]), x1 = Vector128.Create(state[1]), x2 = Vector128.Create(state[2]), x3 = Vector128.Create(state[3]);
            Vector128<uint> x4 = Vector128.Create(state[4]), x5 = Vector128.Create(state[5]), x6 = Vector128.Create(state[6]), x7 = Vector128.Create(state[7]);

            // x8 .. x11 take turns in two registers (ca, cb), x12 .. x15 in two others (da, db); the rest wait in
            // memory, so that the working set fits the 16 vector registers.
            Vector128<uint> ca = Vector128.Create(state[8]), cb = Vector128.Create(state[9]);
            Vector128<uint> da = counters, db = Vector128.Create(state[13]);
            Unsafe.Add(ref spill, 2) = Vector128.Create(state[10]);
            Unsafe.Add(ref spill, 3) = Vector128.Create(state[11]);
            Unsafe.Add(ref spill, 6) = Vector128.Create(state[14]);
            Unsafe.Add(ref spill, 7) = Vector128.Create(state[15]);
            for (int round = 0; round < 10; round++)
            {
                // Columns two at a time, then diagonals two at a time.
                x0 += x4;
                x1 += x5;
                da = Rot16(da ^ x0);
                db = Rot16(db ^ x1);
                ca += da;
                cb += db;
                x4 = Rot12(x4 ^ ca);
                x5 = Rot12(x5 ^ cb);
                x0 += x4;
                x1 += x5;
                da = Rot8(da ^ x0);
                db = Rot8(db ^ x1);
                ca += da;
                cb += db;
                x4 = Rot7(x4 ^ ca);
                x5 = Rot7(x5 ^ cb);
                Unsafe.Add(ref spill, 0) = ca;
                ca = Unsafe.Add(ref spill, 2);
                Unsafe.Add(ref spill, 1) = cb;
                cb = Unsafe.Add(ref spill, 3);
                Unsafe.Add(ref spill, 4) = da;
                da = Unsafe.Add(ref spill, 6);
                Unsafe.Add(ref spill, 5) = db;
                db = Unsafe.Add(ref spill, 7);
                x2 += x6;
                x3 += x7;
                da = Rot16(da ^ x2);
                db = Rot16(db ^ x3);
                ca += da;
                cb += db;
                x6 = Rot12(x6 ^ ca);
                x7 = Rot12(x7 ^ cb);
                x2 += x6;
                x3 += x7;
                da = Rot8(da ^ x2);
                db = Rot8(db ^ x3);
                ca += da;
                cb += db;
                x6 = Rot7(x6 ^ ca);
                x7 = Rot7(x7 ^ cb);
                Unsafe.Add(ref spill, 6) = da;
                da = Unsafe.Add(ref spill, 4);
                x0 += x5;
                x1 += x6;
                db = Rot16(db ^ x0);
                da = Rot16(da ^ x1);
                ca += db;
                cb += da;
                x5 = Rot12(x5 ^ ca);
                x6 = Rot12(x6 ^ cb);
                x0 += x5;
                x1 += x6;
                db = Rot8(db ^ x0);
                da = Rot8(da ^ x1);
                ca += db;
                cb += da;
                x5 = Rot7(x5 ^ ca);
                x6 = Rot7(x6 ^ cb);
                Unsafe.Add(ref spill, 2) = ca;
                ca = Unsafe.Add(ref spill, 0);
                Unsafe.Add(ref spill, 3) = cb;
                cb = Unsafe.Add(ref spill, 1);
                Unsafe.Add(ref spill, 4) = da;
                da = Unsafe.Add(ref spill, 5);
                Unsafe.Add(ref spill, 7) = db;
                db = Unsafe.Add(ref spill, 6);
                x2 += x7;
                x3 += x4;
                da = Rot16(da ^ x2);
                db = Rot16(db ^ x3);
                ca += da;
                cb += db;
                x7 = Rot12(x7 ^ ca);
                x4 = Rot12(x4 ^ cb);
                x2 += x7;
                x3 += x4;
                da = Rot8(da ^ x2);
                db = Rot8(db ^ x3);
                ca += da;
                cb += db;
                x7 = Rot7(x7 ^ ca);
                x4 = Rot7(x4 ^ cb);
                Unsafe.Add(ref spill, 5) = da;
                Unsafe.Add(ref spill, 6) = db;
                da = Unsafe.Add(ref spill, 4);
                db = Unsafe.Add(ref spill, 5);
            }

            x0 += Vector128.Create(state[0]);
            x1 += Vector128.Create(state[1]);
            x2 += Vector128.Create(state[2]);
            x3 += Vector128.Create(state[3]);
            x4 += Vector128.Create(state[4]);
            x5 += Vector128.Create(state[5]);
            x6 += Vector128.Create(state[6]);
            x7 += Vector128.Create(state[7]);
            Vector128<uint> x8 = ca + Vector128.Create(state[8]);
            Vector128<uint> x9 = cb + Vector128.Create(state[9]);
            Vector128<uint> x10 = Unsafe.Add(ref spill, 2) + Vector128.Create(state[10]);
            Vector128<uint> x11 = Unsafe.Add(ref spill, 3) + Vector128.Create(state[11]);
            Vector128<uint> x12 = da + counters;
            Vector128<uint> x13 = db + Vector128.Create(state[13]);
            Vector128<uint> x14 = Unsafe.Add(ref spill, 6) + Vector128.Create(state[14]);
            Vector128<uint> x15 = Unsafe.Add(ref spill, 7) + Vector128.Create(state[15]);
            counters += Vector128.Create(4u);

            Store4(x0, x1, x2, x3, ref src, ref dst, offset);
            Store4(x4, x5, x6, x7, ref src, ref dst, offset + 16);
            Store4(x8, x9, x10, x11, ref src, ref dst, offset + 32);
            Store4(x12, x13, x14, x15, ref src, ref dst, offset + 48);
            offset += 256;
        }

        CryptoUtil.Wipe(MemoryMarshal.AsBytes(spillBuffer));
    }

    /// <summary>Four words of four blocks, one block per lane: transposed and XORed into the 16-byte pieces at
    /// <paramref name="offset"/> + 64 * block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(Vector128<uint> a0, Vector128<uint> a1, Vector128<uint> a2, Vector128<uint> a3, ref byte src, ref byte dst, nuint offset)
    {
        Vector128<uint> t0 = Sse2.UnpackLow(a0, a1), t1 = Sse2.UnpackHigh(a0, a1);
        Vector128<uint> t2 = Sse2.UnpackLow(a2, a3), t3 = Sse2.UnpackHigh(a2, a3);
        XorStore(Sse2.UnpackLow(t0.AsUInt64(), t2.AsUInt64()), ref src, ref dst, offset);
        XorStore(Sse2.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()), ref src, ref dst, offset + 64);
        XorStore(Sse2.UnpackLow(t1.AsUInt64(), t3.AsUInt64()), ref src, ref dst, offset + 128);
        XorStore(Sse2.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()), ref src, ref dst, offset + 192);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorStore(Vector128<ulong> keystream, ref byte src, ref byte dst, nuint offset) =>
        (Vector128.LoadUnsafe(ref src, offset) ^ keystream.AsByte()).StoreUnsafe(ref dst, offset);

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(ChaCha20Poly1305Intrinsics));
        }
    }

    [InlineArray(8)]
    private struct Words8
    {
        private uint _element0;
    }

    [InlineArray(12)]
    private struct Nonce12
    {
        private byte _element0;
    }

    /// <summary>
    /// Poly1305 (RFC 8439 section 2.5) in radix 2^64: the accumulator is h0 + h1 * 2^64 + h2 * 2^128 with h2 a
    /// few bits; each 16-byte block costs four 64x64-to-128-bit multiplications and two small ones. Carries
    /// come from bit arithmetic on the operands and the sum, never from a comparison (constant time). With AVX2,
    /// long runs of blocks go four at a time in radix 2^26 (<see cref="Wide"/>).
    /// </summary>
    private struct Poly1305
    {
        private ulong _r0, _r1, _s1, _h0, _h1, _h2, _pad0, _pad1;
        private bool _wide;

        public void Init(ReadOnlySpan<byte> key, bool wide)
        {
            _wide = wide && Avx2.IsSupported;
            _r0 = BinaryPrimitives.ReadUInt64LittleEndian(key) & 0x0FFFFFFC0FFFFFFFUL;
            _r1 = BinaryPrimitives.ReadUInt64LittleEndian(key.Slice(8)) & 0x0FFFFFFC0FFFFFFCUL;
            _s1 = _r1 + (_r1 >> 2);
            _h0 = _h1 = _h2 = 0;
            _pad0 = BinaryPrimitives.ReadUInt64LittleEndian(key.Slice(16));
            _pad1 = BinaryPrimitives.ReadUInt64LittleEndian(key.Slice(24));
        }

        /// <summary>The AEAD construction of RFC 8439 section 2.8: AAD and ciphertext, each padded with zeros to
        /// 16 bytes, then both lengths as 64-bit little-endian numbers.</summary>
        public void Aead(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
        {
            Padded(associatedData);
            Padded(ciphertext);
            Span<byte> lengths = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(lengths, (ulong)associatedData.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(lengths.Slice(8), (ulong)ciphertext.Length);
            Blocks(lengths, 1);
        }

        /// <summary>Whole 16-byte blocks with the 2^128 bit set (<paramref name="hibit"/> 1), or a final block the
        /// caller has already padded with 0x01 and zeros (<paramref name="hibit"/> 0).</summary>
        public void Blocks(ReadOnlySpan<byte> data, ulong hibit)
        {
            ulong r0 = _r0, r1 = _r1, s1 = _s1, h0 = _h0, h1 = _h1, h2 = _h2;
            ref byte p = ref MemoryMarshal.GetReference(data);
            int blocks = data.Length >> 4;
            for (int i = 0; i < blocks; i++)
            {
                ulong m0 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, 16 * i));
                ulong m1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, (16 * i) + 8));
                if (!BitConverter.IsLittleEndian)
                {
                    m0 = BinaryPrimitives.ReverseEndianness(m0);
                    m1 = BinaryPrimitives.ReverseEndianness(m1);
                }

                // h += m (with the 2^128 bit).
                ulong c;
                h0 = Add(h0, m0, 0, out c);
                h1 = Add(h1, m1, c, out c);
                h2 += c + hibit;

                // h *= r (mod 2^130 - 5): r1 * 2^128 folds to r1 / 4 * 5 = s1 at 2^0 since 2^130 = 5.
                ulong d0h = Math.BigMul(h0, r0, out ulong d0l);
                ulong th = Math.BigMul(h1, s1, out ulong tl);
                d0l = Add(d0l, tl, 0, out c);
                d0h += th + c;
                ulong d1h = Math.BigMul(h0, r1, out ulong d1l);
                th = Math.BigMul(h1, r0, out tl);
                d1l = Add(d1l, tl, 0, out c);
                d1h += th + c;
                d1l = Add(d1l, h2 * s1, 0, out c);
                d1h += c;
                ulong d2 = h2 * r0;

                h0 = d0l;
                h1 = Add(d1l, d0h, 0, out c);
                d2 += d1h + c;

                // Bits from 2^130 up fold back times 5.
                ulong fold = (d2 & ~3UL) + (d2 >> 2);
                h2 = d2 & 3;
                h0 = Add(h0, fold, 0, out c);
                h1 = Add(h1, 0, c, out c);
                h2 += c;
            }

            _h0 = h0;
            _h1 = h1;
            _h2 = h2;
        }

        /// <summary>Tag = (h mod 2^130 - 5) + pad, mod 2^128; the final subtraction chosen with a mask.</summary>
        public void Finish(Span<byte> tag)
        {
            ulong h0 = _h0, h1 = _h1, h2 = _h2;

            // h < 2 * (2^130 - 5) here; g = h + 5 - 2^130 is the reduced value when it is not negative.
            ulong g0 = Add(h0, 5, 0, out ulong c);
            ulong g1 = Add(h1, 0, c, out c);
            ulong g2 = h2 + c;
            ulong mask = 0UL - (g2 >> 2);
            h0 = (h0 & ~mask) | (g0 & mask);
            h1 = (h1 & ~mask) | (g1 & mask);

            h0 = Add(h0, _pad0, 0, out c);
            h1 = Add(h1, _pad1, c, out _);
            BinaryPrimitives.WriteUInt64LittleEndian(tag, h0);
            BinaryPrimitives.WriteUInt64LittleEndian(tag.Slice(8), h1);
        }

        public void Wipe() => this = default;

        /// <summary>Whole 16-byte blocks (2^128 bit set): four at a time in AVX2 registers when the run is long
        /// enough, the rest one at a time.</summary>
        public void Full(ReadOnlySpan<byte> data)
        {
            int wide = 0;
            if (_wide && data.Length >= WideMinimum)
            {
                wide = data.Length & ~63;
                Wide(data.Slice(0, wide));
            }

            Blocks(data.Slice(wide), 1);
        }

        private void Padded(ReadOnlySpan<byte> data)
        {
            int full = data.Length & ~15;
            Full(data.Slice(0, full));
            if (full < data.Length)
            {
                Span<byte> last = stackalloc byte[16];
                last.Clear();
                data.Slice(full).CopyTo(last);
                Blocks(last, 1);
            }
        }


        private const int WideMinimum = 256;
        private const ulong Mask26 = 0x3FFFFFF;

        /// <summary>
        /// Blocks four at a time (data.Length a multiple of 64, at least 128): four accumulators, one per 64-bit lane,
        /// five 26-bit limbs each, multiplied by r^4 with 32x32-to-64-bit vector multiplications; at the end lane j
        /// is multiplied by the power of r its last block still owes and the lanes are summed. Only additions,
        /// multiplications, shifts and masks: constant time.
        /// </summary>
        private void Wide(ReadOnlySpan<byte> data)
        {
            Limbs r1 = Limbs.FromClamped(_r0, _r1);
            Limbs r2 = Limbs.Multiply(r1, r1);
            Limbs r3 = Limbs.Multiply(r2, r1);
            Limbs r4 = Limbs.Multiply(r3, r1);

            Vector256<ulong> k0 = Vector256.Create(r4.L0), k1 = Vector256.Create(r4.L1), k2 = Vector256.Create(r4.L2), k3 = Vector256.Create(r4.L3), k4 = Vector256.Create(r4.L4);
            Vector256<ulong> t1 = Vector256.Create(r4.L1 * 5), t2 = Vector256.Create(r4.L2 * 5), t3 = Vector256.Create(r4.L3 * 5), t4 = Vector256.Create(r4.L4 * 5);
            Vector256<ulong> mask = Vector256.Create(Mask26);
            Vector256<ulong> hibit = Vector256.Create(1UL << 24);

            // The running accumulator enters lane 0 (the lane of the first block).
            Vector256<ulong> h0 = Vector256.Create(_h0 & Mask26, 0, 0, 0);
            Vector256<ulong> h1 = Vector256.Create((_h0 >> 26) & Mask26, 0, 0, 0);
            Vector256<ulong> h2 = Vector256.Create(((_h0 >> 52) | (_h1 << 12)) & Mask26, 0, 0, 0);
            Vector256<ulong> h3 = Vector256.Create((_h1 >> 14) & Mask26, 0, 0, 0);
            Vector256<ulong> h4 = Vector256.Create((_h1 >> 40) | (_h2 << 24), 0, 0, 0);

            ref byte p = ref MemoryMarshal.GetReference(data);
            int chunks = data.Length >> 6;
            for (int c = 0; c < chunks; c++)
            {
                if (c > 0)
                {
                    // h *= r^4, carried back to about 26 bits per limb.
                    Vector256<ulong> d0 = Mul(h0, k0) + Mul(h1, t4) + Mul(h2, t3) + Mul(h3, t2) + Mul(h4, t1);
                    Vector256<ulong> d1 = Mul(h0, k1) + Mul(h1, k0) + Mul(h2, t4) + Mul(h3, t3) + Mul(h4, t2);
                    Vector256<ulong> d2 = Mul(h0, k2) + Mul(h1, k1) + Mul(h2, k0) + Mul(h3, t4) + Mul(h4, t3);
                    Vector256<ulong> d3 = Mul(h0, k3) + Mul(h1, k2) + Mul(h2, k1) + Mul(h3, k0) + Mul(h4, t4);
                    Vector256<ulong> d4 = Mul(h0, k4) + Mul(h1, k3) + Mul(h2, k2) + Mul(h3, k1) + Mul(h4, k0);
                    d1 += Avx2.ShiftRightLogical(d0, 26);
                    h0 = d0 & mask;
                    d2 += Avx2.ShiftRightLogical(d1, 26);
                    h1 = d1 & mask;
                    d3 += Avx2.ShiftRightLogical(d2, 26);
                    h2 = d2 & mask;
                    d4 += Avx2.ShiftRightLogical(d3, 26);
                    h3 = d3 & mask;
                    Vector256<ulong> carry = Avx2.ShiftRightLogical(d4, 26);
                    h4 = d4 & mask;
                    h0 += carry + Avx2.ShiftLeftLogical(carry, 2);
                    h1 += Avx2.ShiftRightLogical(h0, 26);
                    h0 &= mask;
                }

                // Four message blocks: lanes hold blocks 0, 2, 1, 3 of the chunk (unpack order).
                Vector256<ulong> a = Vector256.LoadUnsafe(ref p, (nuint)(64 * c)).AsUInt64();
                Vector256<ulong> b = Vector256.LoadUnsafe(ref p, (nuint)((64 * c) + 32)).AsUInt64();
                Vector256<ulong> lo = Avx2.UnpackLow(a, b);
                Vector256<ulong> hi = Avx2.UnpackHigh(a, b);
                h0 += lo & mask;
                h1 += Avx2.ShiftRightLogical(lo, 26) & mask;
                h2 += (Avx2.ShiftRightLogical(lo, 52) | Avx2.ShiftLeftLogical(hi, 12)) & mask;
                h3 += Avx2.ShiftRightLogical(hi, 14) & mask;
                h4 += Avx2.ShiftRightLogical(hi, 40) | hibit;
            }

            // Lane j (blocks 0, 2, 1, 3 of the last chunk) owes r^4, r^2, r^3, r^1.
            Vector256<ulong> f0 = Vector256.Create(r4.L0, r2.L0, r3.L0, r1.L0);
            Vector256<ulong> f1 = Vector256.Create(r4.L1, r2.L1, r3.L1, r1.L1);
            Vector256<ulong> f2 = Vector256.Create(r4.L2, r2.L2, r3.L2, r1.L2);
            Vector256<ulong> f3 = Vector256.Create(r4.L3, r2.L3, r3.L3, r1.L3);
            Vector256<ulong> f4 = Vector256.Create(r4.L4, r2.L4, r3.L4, r1.L4);
            Vector256<ulong> g1 = f1 + Avx2.ShiftLeftLogical(f1, 2), g2 = f2 + Avx2.ShiftLeftLogical(f2, 2);
            Vector256<ulong> g3 = f3 + Avx2.ShiftLeftLogical(f3, 2), g4 = f4 + Avx2.ShiftLeftLogical(f4, 2);
            ulong e0 = Vector256.Sum(Mul(h0, f0) + Mul(h1, g4) + Mul(h2, g3) + Mul(h3, g2) + Mul(h4, g1));
            ulong e1 = Vector256.Sum(Mul(h0, f1) + Mul(h1, f0) + Mul(h2, g4) + Mul(h3, g3) + Mul(h4, g2));
            ulong e2 = Vector256.Sum(Mul(h0, f2) + Mul(h1, f1) + Mul(h2, f0) + Mul(h3, g4) + Mul(h4, g3));
            ulong e3 = Vector256.Sum(Mul(h0, f3) + Mul(h1, f2) + Mul(h2, f1) + Mul(h3, f0) + Mul(h4, g4));
            ulong e4 = Vector256.Sum(Mul(h0, f4) + Mul(h1, f3) + Mul(h2, f2) + Mul(h3, f1) + Mul(h4, f0));

            Limbs sum = Limbs.Carry(e0, e1, e2, e3, e4);
            _h0 = sum.L0 | (sum.L1 << 26) | (sum.L2 << 52);
            _h1 = (sum.L2 >> 12) | (sum.L3 << 14) | (sum.L4 << 40);
            _h2 = sum.L4 >> 24;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ulong> Mul(Vector256<ulong> a, Vector256<ulong> b) => Avx2.Multiply(a.AsUInt32(), b.AsUInt32());

        /// <summary>A number mod 2^130 - 5 in five 26-bit limbs (scalar; the powers of r).</summary>
        private readonly struct Limbs
        {
            public readonly ulong L0, L1, L2, L3, L4;

            private Limbs(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4)
            {
                L0 = l0;
                L1 = l1;
                L2 = l2;
                L3 = l3;
                L4 = l4;
            }

            public static Limbs FromClamped(ulong r0, ulong r1) =>
                new(r0 & Mask26, (r0 >> 26) & Mask26, ((r0 >> 52) | (r1 << 12)) & Mask26, (r1 >> 14) & Mask26, r1 >> 40);

            public static Limbs Multiply(Limbs a, Limbs b)
            {
                ulong s1 = b.L1 * 5, s2 = b.L2 * 5, s3 = b.L3 * 5, s4 = b.L4 * 5;
                ulong d0 = (a.L0 * b.L0) + (a.L1 * s4) + (a.L2 * s3) + (a.L3 * s2) + (a.L4 * s1);
                ulong d1 = (a.L0 * b.L1) + (a.L1 * b.L0) + (a.L2 * s4) + (a.L3 * s3) + (a.L4 * s2);
                ulong d2 = (a.L0 * b.L2) + (a.L1 * b.L1) + (a.L2 * b.L0) + (a.L3 * s4) + (a.L4 * s3);
                ulong d3 = (a.L0 * b.L3) + (a.L1 * b.L2) + (a.L2 * b.L1) + (a.L3 * b.L0) + (a.L4 * s4);
                ulong d4 = (a.L0 * b.L4) + (a.L1 * b.L3) + (a.L2 * b.L2) + (a.L3 * b.L1) + (a.L4 * b.L0);
                return Carry(d0, d1, d2, d3, d4);
            }

            /// <summary>Carries limbs of up to 62 bits into limbs of 26 bits (the top one a few bits more); the value is
            /// kept mod 2^130 - 5, not fully reduced.</summary>
            public static Limbs Carry(ulong d0, ulong d1, ulong d2, ulong d3, ulong d4)
            {
                d1 += d0 >> 26;
                d0 &= Mask26;
                d2 += d1 >> 26;
                d1 &= Mask26;
                d3 += d2 >> 26;
                d2 &= Mask26;
                d4 += d3 >> 26;
                d3 &= Mask26;
                ulong c = d4 >> 26;
                d4 &= Mask26;
                d0 += c * 5;
                d1 += d0 >> 26;
                d0 &= Mask26;
                d2 += d1 >> 26;
                d1 &= Mask26;
                d3 += d2 >> 26;
                d2 &= Mask26;
                d4 += d3 >> 26;
                d3 &= Mask26;
                return new Limbs(d0, d1, d2, d3, d4);
            }
        }

        /// <summary>a + b + carryIn with the carry out of bit 63 as 0 or 1, computed without a comparison.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Add(ulong a, ulong b, ulong carryIn, out ulong carryOut)
        {
            ulong sum = a + b + carryIn;
            carryOut = ((a & b) | ((a | b) & ~sum)) >> 63;
            return sum;
        }
    }
}
#endif
