#if NET8_0_OR_GREATER
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace ManagedTls.Crypto.Fast;

/// <summary>
/// AES-128-GCM and AES-256-GCM (NIST SP 800-38D, 12-byte nonces, 16-byte tags) on x86 AES-NI and PCLMULQDQ.
/// </summary>
/// <remarks>
/// <para>Constant time by construction: AES is computed by the AESENC/AESENCLAST instructions (no S-box
/// tables), GHASH by carry-less multiplication (no 4-bit or 8-bit multiplication tables); the only branches
/// depend on lengths, never on key, nonce, data or tag bytes, and the tag is compared with
/// <see cref="CryptoUtil.FixedTimeEquals"/>.</para>
/// <para>Layout: CTR runs eight counter blocks in flight (each AES round issued across all eight before the
/// next round), and GHASH folds eight blocks per reduction: blocks are multiplied by H^8..H^1 with
/// Karatsuba (three PCLMULQDQ each), the 256-bit products are summed unreduced, and one reduction modulo
/// x^128 + x^7 + x^2 + x + 1 finishes the eight. GHASH works on byte-reversed blocks and a hash key
/// pre-multiplied by x (H·x), which turns GCM's bit-reflected multiplication into a plain carry-less product
/// followed by a two-step reduction by the constant 0xC2000000_00000000_00000000_00000001.</para>
/// <para>Counters: J0 = nonce ‖ 0x00000001 masks the tag; data uses J0+1, J0+2, … with the low 32 bits
/// incremented big-endian as GCM defines. A span holds fewer than 2^31 bytes (2^27 blocks), so the
/// 32-bit counter starting at 2 never wraps here.</para>
/// <para>Round keys (AESKEYGENASSIST expansion) and the powers of H live in one pinned array, wiped on
/// <see cref="Dispose"/>.</para>
/// </remarks>
internal sealed unsafe class AesGcmIntrinsics : IAead
{
    private const int BlockSize = 16;
    private const int TagLength = 16;

    // State layout (bytes): [0, 240) round keys (11 or 15 used); [240, 368) H^1..H^8 as H^i·x, byte-reversed;
    // [368, 496) the Karatsuba halves (lo ^ hi in the low qword) of those eight powers.
    private const int HPowersOffset = 240;
    private const int HKaratsubaOffset = HPowersOffset + (8 * BlockSize);
    private const int StateSize = HKaratsubaOffset + (8 * BlockSize);

    private readonly byte[] _state;
    private readonly byte* _roundKeys;
    private readonly byte* _hPowers;
    private readonly byte* _hKaratsuba;
    private readonly int _rounds;
    private readonly byte[] _lastSealNonce = new byte[12];
    private bool _sealedOnce;
    private bool _disposed;

    /// <summary>True where the CPU and runtime have every instruction this implementation uses.</summary>
    public static bool IsSupported => X86Aes.IsSupported && Pclmulqdq.IsSupported && Sse41.IsSupported && Ssse3.IsSupported;

    /// <summary>Keys the cipher: <paramref name="key"/> is 16 bytes (AES-128-GCM) or 32 (AES-256-GCM).</summary>
    public AesGcmIntrinsics(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("AES-NI, PCLMULQDQ and SSE4.1 are required");
        }

        int expected = algorithm switch
        {
            AeadAlgorithm.Aes128Gcm => 16,
            AeadAlgorithm.Aes256Gcm => 32,
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        if (key.Length != expected)
        {
            throw new ArgumentException($"{algorithm} needs a {expected}-byte key", nameof(key));
        }

        Algorithm = algorithm;
        _rounds = expected == 16 ? 10 : 14;
        _state = GC.AllocateArray<byte>(StateSize, pinned: true);
        byte* state = (byte*)Unsafe.AsPointer(ref _state[0]);
        _roundKeys = state;
        _hPowers = state + HPowersOffset;
        _hKaratsuba = state + HKaratsubaOffset;
        fixed (byte* k = key)
        {
            if (expected == 16)
            {
                ExpandKey128(k, _roundKeys);
            }
            else
            {
                ExpandKey256(k, _roundKeys);
            }
        }

        InitHashKey();
    }

    /// <inheritdoc />
    public AeadAlgorithm Algorithm { get; }

    /// <inheritdoc />
    public int KeySize => _rounds == 10 ? 16 : 32;

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

        // Defence in depth, as BouncyCastle's GCM does: sealing twice in a row under one nonce is refused.
        if (_sealedOnce && nonce.SequenceEqual(_lastSealNonce))
        {
            throw new ArgumentException("cannot reuse nonce for GCM encryption", nameof(nonce));
        }

        nonce.CopyTo(_lastSealNonce);
        _sealedOnce = true;

        fixed (byte* n = nonce)
        fixed (byte* a = associatedData)
        fixed (byte* p = plaintext)
        fixed (byte* d = destination)
        {
            Vector128<byte> j0 = Vector128.Create(Unsafe.ReadUnaligned<ulong>(n), (ulong)Unsafe.ReadUnaligned<uint>(n + 8) | (0x01000000UL << 32)).AsByte();
            Vector128<ulong> ghash = HashBlocks(Vector128<ulong>.Zero, a, associatedData.Length);
            CtrEncryptAndHash(j0, p, d, plaintext.Length, ref ghash, encrypting: true);
            Vector128<byte> tag = FinishTag(ghash, j0, associatedData.Length, plaintext.Length);
            tag.Store(d + plaintext.Length);
        }
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

        int plainLen = ciphertextAndTag.Length - TagLength;
        if (destination.Length < plainLen)
        {
            throw new ArgumentException("destination too small for plaintext", nameof(destination));
        }

        // The received tag is copied out first: in place, the destination starts where the ciphertext does.
        Vector128<byte> received = Vector128.Create(ciphertextAndTag.Slice(plainLen, TagLength));
        Vector128<byte> computed;
        fixed (byte* n = nonce)
        fixed (byte* a = associatedData)
        fixed (byte* c = ciphertextAndTag)
        fixed (byte* d = destination)
        {
            Vector128<byte> j0 = Vector128.Create(Unsafe.ReadUnaligned<ulong>(n), (ulong)Unsafe.ReadUnaligned<uint>(n + 8) | (0x01000000UL << 32)).AsByte();
            Vector128<ulong> ghash = HashBlocks(Vector128<ulong>.Zero, a, associatedData.Length);

            // One pass: each group of blocks is hashed before its plaintext is written, and a wrong tag
            // wipes everything written below.
            CtrEncryptAndHash(j0, c, d, plainLen, ref ghash, encrypting: false);
            computed = FinishTag(ghash, j0, associatedData.Length, plainLen);
        }

        Span<byte> expected = stackalloc byte[TagLength];
        Span<byte> actual = stackalloc byte[TagLength];
        computed.CopyTo(expected);
        received.CopyTo(actual);
        if (!CryptoUtil.FixedTimeEquals(expected, actual))
        {
            CryptoUtil.Wipe(destination.Slice(0, plainLen));
            return false;
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            CryptoUtil.Wipe(_state);
            CryptoUtil.Wipe(_lastSealNonce);
        }
    }

    private static void CheckNonce(ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != 12)
        {
            throw new ArgumentException("AEAD nonce must be 12 bytes", nameof(nonce));
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(AesGcmIntrinsics));
        }
    }

    // ---- AES ----

    private static Vector128<byte> Fold(Vector128<byte> k)
    {
        k ^= Sse2.ShiftLeftLogical128BitLane(k, 4);
        k ^= Sse2.ShiftLeftLogical128BitLane(k, 4);
        k ^= Sse2.ShiftLeftLogical128BitLane(k, 4);
        return k;
    }

    private static Vector128<byte> Next128(Vector128<byte> prev, Vector128<byte> assist) =>
        Fold(prev) ^ Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();

    private static void ExpandKey128(byte* key, byte* rk)
    {
        Vector128<byte> k = Vector128.Load(key);
        k.Store(rk);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x01)); k.Store(rk + 16);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x02)); k.Store(rk + 32);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x04)); k.Store(rk + 48);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x08)); k.Store(rk + 64);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x10)); k.Store(rk + 80);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x20)); k.Store(rk + 96);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x40)); k.Store(rk + 112);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x80)); k.Store(rk + 128);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x1B)); k.Store(rk + 144);
        k = Next128(k, X86Aes.KeygenAssist(k, 0x36)); k.Store(rk + 160);
    }

    // AES-256: even round keys take RotWord+SubWord+Rcon of the previous odd key (dword 3 of the assist),
    // odd round keys take SubWord alone of the previous even key (dword 2 of an assist with Rcon 0).
    private static void Next256(ref Vector128<byte> even, ref Vector128<byte> odd, Vector128<byte> assist, byte* rk)
    {
        even = Fold(even) ^ Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();
        even.Store(rk);
        odd = Fold(odd) ^ Sse2.Shuffle(X86Aes.KeygenAssist(even, 0x00).AsUInt32(), 0xAA).AsByte();
        odd.Store(rk + 16);
    }

    private static void ExpandKey256(byte* key, byte* rk)
    {
        Vector128<byte> e = Vector128.Load(key);
        Vector128<byte> o = Vector128.Load(key + 16);
        e.Store(rk);
        o.Store(rk + 16);
        Next256(ref e, ref o, X86Aes.KeygenAssist(o, 0x01), rk + 32);
        Next256(ref e, ref o, X86Aes.KeygenAssist(o, 0x02), rk + 64);
        Next256(ref e, ref o, X86Aes.KeygenAssist(o, 0x04), rk + 96);
        Next256(ref e, ref o, X86Aes.KeygenAssist(o, 0x08), rk + 128);
        Next256(ref e, ref o, X86Aes.KeygenAssist(o, 0x10), rk + 160);
        Next256(ref e, ref o, X86Aes.KeygenAssist(o, 0x20), rk + 192);
        e = Fold(e) ^ Sse2.Shuffle(X86Aes.KeygenAssist(o, 0x40).AsUInt32(), 0xFF).AsByte();
        e.Store(rk + 224);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<byte> EncryptBlock(Vector128<byte> block)
    {
        byte* rk = _roundKeys;
        block ^= Vector128.Load(rk);
        for (int r = 1; r < _rounds; r++)
        {
            block = X86Aes.Encrypt(block, Vector128.Load(rk + (r * 16)));
        }

        return X86Aes.EncryptLast(block, Vector128.Load(rk + (_rounds * 16)));
    }

    // ---- GHASH ----

    private static Vector128<byte> ByteReverseMask => Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);

    private static Vector128<ulong> Polynomial => Vector128.Create(1UL, 0xC200000000000000UL);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> LoadReversed(byte* p) => Ssse3.Shuffle(Vector128.Load(p), ByteReverseMask).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> SwapHalves(Vector128<ulong> x) => Sse2.Shuffle(x.AsUInt32(), 0x4E).AsUInt64();

    /// <summary>(lo ^ hi) in the low qword: the middle Karatsuba operand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> KaratsubaHalf(Vector128<ulong> x) => x ^ SwapHalves(x);

    /// <summary>Folds the 256-bit product hi:lo (mid already split in) into 128 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Reduce(Vector128<ulong> lo, Vector128<ulong> hi)
    {
        Vector128<ulong> poly = Polynomial;
        lo = SwapHalves(lo) ^ Pclmulqdq.CarrylessMultiply(poly, lo, 0x01);
        lo = SwapHalves(lo) ^ Pclmulqdq.CarrylessMultiply(poly, lo, 0x01);
        return lo ^ hi;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Finish(Vector128<ulong> lo, Vector128<ulong> mid, Vector128<ulong> hi)
    {
        mid ^= lo ^ hi;
        lo ^= Sse2.ShiftLeftLogical128BitLane(mid, 8);
        hi ^= Sse2.ShiftRightLogical128BitLane(mid, 8);
        return Reduce(lo, hi);
    }

    /// <summary>x·y in GF(2^128) where <paramref name="y"/> is a power of H stored pre-multiplied by x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Multiply(Vector128<ulong> x, Vector128<ulong> y, Vector128<ulong> yKaratsuba)
    {
        Vector128<ulong> lo = Pclmulqdq.CarrylessMultiply(x, y, 0x00);
        Vector128<ulong> hi = Pclmulqdq.CarrylessMultiply(x, y, 0x11);
        Vector128<ulong> mid = Pclmulqdq.CarrylessMultiply(KaratsubaHalf(x), yKaratsuba, 0x00);
        return Finish(lo, mid, hi);
    }

    private void InitHashKey()
    {
        // H = E_K(0^128), byte-reversed, then multiplied by x modulo the (reflected) GCM polynomial:
        // shift the 128-bit value left by one and, if the top bit fell out, add 0xC2..01.
        Vector128<uint> h = Ssse3.Shuffle(EncryptBlock(Vector128<byte>.Zero), ByteReverseMask).AsUInt32();
        Vector128<uint> carry = Sse2.ShiftRightArithmetic(Sse2.Shuffle(h, 0xFF).AsInt32(), 31).AsUInt32() & Polynomial.AsUInt32();
        Vector128<uint> across = Sse2.ShiftLeftLogical128BitLane(Sse2.ShiftRightLogical(h, 31), 4);
        Vector128<ulong> h1 = (Sse2.ShiftLeftLogical(h, 1) ^ carry ^ across).AsUInt64();
        Vector128<ulong> h1k = KaratsubaHalf(h1);

        Vector128<ulong> power = h1;
        for (int i = 0; i < 8; i++)
        {
            power.Store((ulong*)(_hPowers + (i * 16)));
            KaratsubaHalf(power).Store((ulong*)(_hKaratsuba + (i * 16)));
            power = Multiply(power, h1, h1k);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<ulong> HPower(int i) => Vector128.Load((ulong*)(_hPowers + ((i - 1) * 16)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<ulong> HKaratsuba(int i) => Vector128.Load((ulong*)(_hKaratsuba + ((i - 1) * 16)));

    /// <summary>Adds the unreduced Karatsuba product of the block at <paramref name="p"/> and H^<paramref name="power"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Accumulate(byte* p, int power, ref Vector128<ulong> lo, ref Vector128<ulong> mid, ref Vector128<ulong> hi)
    {
        Vector128<ulong> x = LoadReversed(p);
        Vector128<ulong> h = HPower(power);
        lo ^= Pclmulqdq.CarrylessMultiply(x, h, 0x00);
        hi ^= Pclmulqdq.CarrylessMultiply(x, h, 0x11);
        mid ^= Pclmulqdq.CarrylessMultiply(KaratsubaHalf(x), HKaratsuba(power), 0x00);
    }

    /// <summary>Absorbs eight blocks at <paramref name="p"/> with one reduction: (acc ^ b0)·H^8 ^ b1·H^7 ^ … ^ b7·H.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<ulong> Hash8(Vector128<ulong> acc, byte* p)
    {
        Vector128<ulong> x = LoadReversed(p) ^ acc;
        Vector128<ulong> lo = Pclmulqdq.CarrylessMultiply(x, HPower(8), 0x00);
        Vector128<ulong> hi = Pclmulqdq.CarrylessMultiply(x, HPower(8), 0x11);
        Vector128<ulong> mid = Pclmulqdq.CarrylessMultiply(KaratsubaHalf(x), HKaratsuba(8), 0x00);
        Accumulate(p + 16, 7, ref lo, ref mid, ref hi);
        Accumulate(p + 32, 6, ref lo, ref mid, ref hi);
        Accumulate(p + 48, 5, ref lo, ref mid, ref hi);
        Accumulate(p + 64, 4, ref lo, ref mid, ref hi);
        Accumulate(p + 80, 3, ref lo, ref mid, ref hi);
        Accumulate(p + 96, 2, ref lo, ref mid, ref hi);
        Accumulate(p + 112, 1, ref lo, ref mid, ref hi);
        return Finish(lo, mid, hi);
    }

    /// <summary>Absorbs <paramref name="length"/> bytes, the last block zero-padded (GCM's AAD and ciphertext padding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Vector128<ulong> HashBlocks(Vector128<ulong> acc, byte* p, int length)
    {
        while (length >= 8 * BlockSize)
        {
            acc = Hash8(acc, p);
            p += 8 * BlockSize;
            length -= 8 * BlockSize;
        }

        while (length >= BlockSize)
        {
            acc = Multiply(acc ^ LoadReversed(p), HPower(1), HKaratsuba(1));
            p += BlockSize;
            length -= BlockSize;
        }

        if (length > 0)
        {
            byte* last = stackalloc byte[BlockSize];
            Unsafe.InitBlockUnaligned(last, 0, BlockSize);
            Unsafe.CopyBlockUnaligned(last, p, (uint)length);
            acc = Multiply(acc ^ LoadReversed(last), HPower(1), HKaratsuba(1));
        }

        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Vector128<byte> FinishTag(Vector128<ulong> ghash, Vector128<byte> j0, int aadLength, int textLength)
    {
        // The length block is len(A) ‖ len(C) in bits, big-endian; byte-reversed it is (len(C), len(A)) as qwords.
        Vector128<ulong> lengths = Vector128.Create((ulong)textLength * 8, (ulong)aadLength * 8);
        ghash = Multiply(ghash ^ lengths, HPower(1), HKaratsuba(1));
        return Ssse3.Shuffle(ghash.AsByte(), ByteReverseMask) ^ EncryptBlock(j0);
    }

    // ---- CTR with GHASH ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Counter(Vector128<byte> j0, uint counter) =>
        Sse41.Insert(j0.AsUInt32(), BinaryPrimitives.ReverseEndianness(counter), 3).AsByte();

    /// <summary>AES-CTR of eight blocks (counters <paramref name="counter"/>..+7), no hashing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Encrypt8(Vector128<byte> j0, uint counter, byte* src, byte* dst)
    {
        byte* rk = _roundKeys;
        Vector128<byte> k = Vector128.Load(rk);
        Vector128<byte> b0 = Counter(j0, counter) ^ k;
        Vector128<byte> b1 = Counter(j0, counter + 1) ^ k;
        Vector128<byte> b2 = Counter(j0, counter + 2) ^ k;
        Vector128<byte> b3 = Counter(j0, counter + 3) ^ k;
        Vector128<byte> b4 = Counter(j0, counter + 4) ^ k;
        Vector128<byte> b5 = Counter(j0, counter + 5) ^ k;
        Vector128<byte> b6 = Counter(j0, counter + 6) ^ k;
        Vector128<byte> b7 = Counter(j0, counter + 7) ^ k;
        for (int r = 1; r < _rounds; r++)
        {
            Round8(rk + (r * 16), ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        }

        Last8(rk + (_rounds * 16), src, dst, b0, b1, b2, b3, b4, b5, b6, b7);
    }

    /// <summary>
    /// AES-CTR of eight blocks with GHASH of the eight blocks at <paramref name="hashed"/> spread over the
    /// first nine rounds (one block's three multiplications per round, the reduction in the ninth).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<ulong> EncryptAndHash8(Vector128<byte> j0, uint counter, byte* src, byte* dst, byte* hashed, Vector128<ulong> acc)
    {
        byte* rk = _roundKeys;
        Vector128<byte> k = Vector128.Load(rk);
        Vector128<byte> b0 = Counter(j0, counter) ^ k;
        Vector128<byte> b1 = Counter(j0, counter + 1) ^ k;
        Vector128<byte> b2 = Counter(j0, counter + 2) ^ k;
        Vector128<byte> b3 = Counter(j0, counter + 3) ^ k;
        Vector128<byte> b4 = Counter(j0, counter + 4) ^ k;
        Vector128<byte> b5 = Counter(j0, counter + 5) ^ k;
        Vector128<byte> b6 = Counter(j0, counter + 6) ^ k;
        Vector128<byte> b7 = Counter(j0, counter + 7) ^ k;

        Round8(rk + 16, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        Vector128<ulong> x = LoadReversed(hashed) ^ acc;
        Vector128<ulong> lo = Pclmulqdq.CarrylessMultiply(x, HPower(8), 0x00);
        Vector128<ulong> hi = Pclmulqdq.CarrylessMultiply(x, HPower(8), 0x11);
        Vector128<ulong> mid = Pclmulqdq.CarrylessMultiply(KaratsubaHalf(x), HKaratsuba(8), 0x00);
        Round8(rk + 32, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        Accumulate(hashed + 16, 7, ref lo, ref mid, ref hi);
        Round8(rk + 48, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        Accumulate(hashed + 32, 6, ref lo, ref mid, ref hi);
        Round8(rk + 64, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        Accumulate(hashed + 48, 5, ref lo, ref mid, ref hi);
        Round8(rk + 80, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        Accumulate(hashed + 64, 4, ref lo, ref mid, ref hi);
        Round8(rk + 96, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        Accumulate(hashed + 80, 3, ref lo, ref mid, ref hi);
        Round8(rk + 112, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        Accumulate(hashed + 96, 2, ref lo, ref mid, ref hi);
        Round8(rk + 128, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        Accumulate(hashed + 112, 1, ref lo, ref mid, ref hi);
        Round8(rk + 144, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        acc = Finish(lo, mid, hi);
        for (int r = 10; r < _rounds; r++)
        {
            Round8(rk + (r * 16), ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
        }

        Last8(rk + (_rounds * 16), src, dst, b0, b1, b2, b3, b4, b5, b6, b7);
        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round8(byte* roundKey, ref Vector128<byte> b0, ref Vector128<byte> b1, ref Vector128<byte> b2, ref Vector128<byte> b3,
        ref Vector128<byte> b4, ref Vector128<byte> b5, ref Vector128<byte> b6, ref Vector128<byte> b7)
    {
        Vector128<byte> k = Vector128.Load(roundKey);
        b0 = X86Aes.Encrypt(b0, k);
        b1 = X86Aes.Encrypt(b1, k);
        b2 = X86Aes.Encrypt(b2, k);
        b3 = X86Aes.Encrypt(b3, k);
        b4 = X86Aes.Encrypt(b4, k);
        b5 = X86Aes.Encrypt(b5, k);
        b6 = X86Aes.Encrypt(b6, k);
        b7 = X86Aes.Encrypt(b7, k);
    }

    /// <summary>Last round, then XOR with the 128 bytes at <paramref name="src"/> into <paramref name="dst"/> (loads before stores, so in place works).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Last8(byte* roundKey, byte* src, byte* dst, Vector128<byte> b0, Vector128<byte> b1, Vector128<byte> b2, Vector128<byte> b3,
        Vector128<byte> b4, Vector128<byte> b5, Vector128<byte> b6, Vector128<byte> b7)
    {
        Vector128<byte> k = Vector128.Load(roundKey);
        (X86Aes.EncryptLast(b0, k) ^ Vector128.Load(src)).Store(dst);
        (X86Aes.EncryptLast(b1, k) ^ Vector128.Load(src + 16)).Store(dst + 16);
        (X86Aes.EncryptLast(b2, k) ^ Vector128.Load(src + 32)).Store(dst + 32);
        (X86Aes.EncryptLast(b3, k) ^ Vector128.Load(src + 48)).Store(dst + 48);
        (X86Aes.EncryptLast(b4, k) ^ Vector128.Load(src + 64)).Store(dst + 64);
        (X86Aes.EncryptLast(b5, k) ^ Vector128.Load(src + 80)).Store(dst + 80);
        (X86Aes.EncryptLast(b6, k) ^ Vector128.Load(src + 96)).Store(dst + 96);
        (X86Aes.EncryptLast(b7, k) ^ Vector128.Load(src + 112)).Store(dst + 112);
    }

    /// <summary>
    /// CTR from J0+1 over <paramref name="length"/> bytes, hashing the ciphertext: what is written when
    /// <paramref name="encrypting"/>, what is read otherwise (hashed before the group overwrites it in place).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CtrEncryptAndHash(Vector128<byte> j0, byte* src, byte* dst, int length, ref Vector128<ulong> ghash, bool encrypting)
    {
        uint counter = 2;
        Vector128<ulong> acc = ghash;

        // Encrypting hashes each group of eight ciphertext blocks while the next group is being encrypted
        // (the first group has no predecessor); decrypting hashes the group being decrypted, read before the
        // same iteration overwrites it in place. Either way AESENC and PCLMULQDQ are issued side by side.
        byte* pending = null;
        while (length >= 8 * BlockSize)
        {
            byte* hashed = encrypting ? pending : src;
            if (hashed == null)
            {
                Encrypt8(j0, counter, src, dst);
            }
            else
            {
                acc = EncryptAndHash8(j0, counter, src, dst, hashed, acc);
            }

            pending = dst;
            counter += 8;
            src += 8 * BlockSize;
            dst += 8 * BlockSize;
            length -= 8 * BlockSize;
        }

        if (encrypting && pending != null)
        {
            acc = Hash8(acc, pending);
        }

        while (length >= BlockSize)
        {
            Vector128<byte> input = Vector128.Load(src);
            Vector128<byte> output = EncryptBlock(Counter(j0, counter)) ^ input;
            counter++;
            output.Store(dst);
            Vector128<ulong> c = Ssse3.Shuffle(encrypting ? output : input, ByteReverseMask).AsUInt64();
            acc = Multiply(acc ^ c, HPower(1), HKaratsuba(1));
            src += BlockSize;
            dst += BlockSize;
            length -= BlockSize;
        }

        if (length > 0)
        {
            byte* block = stackalloc byte[BlockSize];
            Unsafe.InitBlockUnaligned(block, 0, BlockSize);
            Unsafe.CopyBlockUnaligned(block, src, (uint)length);
            Vector128<byte> input = Vector128.Load(block);
            Vector128<byte> output = EncryptBlock(Counter(j0, counter)) ^ input;
            output.Store(block);
            Unsafe.CopyBlockUnaligned(dst, block, (uint)length);

            // GHASH pads the ciphertext with zeros: clear the keystream bytes past the end.
            Unsafe.InitBlockUnaligned(block + length, 0, (uint)(BlockSize - length));
            Vector128<byte> cipher = encrypting ? Vector128.Load(block) : input;
            acc = Multiply(acc ^ Ssse3.Shuffle(cipher, ByteReverseMask).AsUInt64(), HPower(1), HKaratsuba(1));
            Unsafe.InitBlockUnaligned(block, 0, BlockSize);
        }

        ghash = acc;
    }
}
#endif
