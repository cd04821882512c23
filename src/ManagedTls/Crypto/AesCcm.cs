using System.Buffers.Binary;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Crypto;

/// <summary>
/// AES-CCM (NIST SP 800-38C, RFC 3610; TLS use in RFC 6655 and RFC 8446) assembled from BouncyCastle's AES
/// block cipher. BouncyCastle's own <c>CcmBlockCipher</c> re-expands the AES key twice per message and
/// copies each decrypted message into a fresh array; this one expands the key once and allocates nothing
/// per record, which is what the record layer needs.
/// </summary>
/// <remarks>
/// <code>
/// B0   = flags(Adata, (M-2)/2, L-1) || nonce || len(P) as L bytes        CBC-MAC: B0, AAD blocks, P blocks
/// AAD  = len(A) as 2 bytes || A, zero-padded to 16 (A shorter than 2^16 - 2^8)
/// Ai   = (L-1) || nonce || i as L bytes                                   CTR: S0 masks the tag, S1.. the payload
/// </code>
/// Decryption decrypts into the destination, recomputes the tag over that plaintext, and wipes the
/// destination when the tag does not match, so no unauthenticated plaintext is left behind.
/// </remarks>
internal sealed class AesCcm : IAead
{
    private const int BlockSize = 16;

    private readonly IBlockCipher _aes;
    private readonly int _nonceSize;
    private readonly byte[] _lastSealNonce;
    private bool _sealed;
    private bool _disposed;

    /// <summary>Creates AES-CCM with a 16- or 32-byte key, a tag of 4..16 (even) bytes and a nonce of 7..13 bytes.</summary>
    public AesCcm(AeadAlgorithm algorithm, ReadOnlySpan<byte> key, int tagSize, int nonceSize = 12)
    {
        if (tagSize < 4 || tagSize > 16 || tagSize % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tagSize));
        }

        if (nonceSize < 7 || nonceSize > 13)
        {
            throw new ArgumentOutOfRangeException(nameof(nonceSize));
        }

        Algorithm = algorithm;
        TagSize = tagSize;
        _nonceSize = nonceSize;
        KeySize = key.Length;
        _lastSealNonce = new byte[nonceSize];
        _aes = AesUtilities.CreateEngine();
        byte[] keyCopy = key.ToArray();
        try
        {
            // KeyParameter copies the key; the engine keeps only the expanded schedule.
            _aes.Init(true, new KeyParameter(keyCopy));
        }
        finally
        {
            CryptoUtil.Wipe(keyCopy);
        }
    }

    /// <inheritdoc />
    public AeadAlgorithm Algorithm { get; }

    /// <inheritdoc />
    public int KeySize { get; }

    /// <inheritdoc />
    public int NonceSize => _nonceSize;

    /// <inheritdoc />
    public int TagSize { get; }

    private int LengthSize => 15 - _nonceSize;

    /// <inheritdoc />
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ThrowIfDisposed();
        CheckArguments(nonce, associatedData, plaintext.Length);
        if (destination.Length < plaintext.Length + TagSize)
        {
            throw new ArgumentException("destination too small for ciphertext and tag", nameof(destination));
        }

        // The same defence in depth as BouncyCastle's GCM and ChaCha20-Poly1305: never seal twice in a row
        // under one nonce (CTR keystream reuse would expose both plaintexts).
        if (_sealed && nonce.SequenceEqual(_lastSealNonce))
        {
            throw new ArgumentException("cannot reuse a nonce for AES-CCM encryption", nameof(nonce));
        }

        nonce.CopyTo(_lastSealNonce);
        _sealed = true;

        Span<byte> tag = stackalloc byte[BlockSize];
        Span<byte> counter = stackalloc byte[BlockSize];
        Span<byte> keystream = stackalloc byte[BlockSize];

        // The MAC reads all of the plaintext before the in-place encryption overwrites it.
        ComputeMac(nonce, associatedData, plaintext, tag);
        InitCounter(nonce, counter);
        Encrypt(counter, keystream);
        Xor(tag, keystream);
        Ctr(counter, keystream, plaintext, destination);
        tag.Slice(0, TagSize).CopyTo(destination.Slice(plaintext.Length));
        CryptoUtil.Wipe(keystream);
    }

    /// <inheritdoc />
    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> destination)
    {
        ThrowIfDisposed();
        if (ciphertextAndTag.Length < TagSize)
        {
            return false;
        }

        int plainLength = ciphertextAndTag.Length - TagSize;
        CheckArguments(nonce, associatedData, plainLength);
        if (destination.Length < plainLength)
        {
            throw new ArgumentException("destination too small for plaintext", nameof(destination));
        }

        Span<byte> received = stackalloc byte[BlockSize];
        Span<byte> tag = stackalloc byte[BlockSize];
        Span<byte> counter = stackalloc byte[BlockSize];
        Span<byte> keystream = stackalloc byte[BlockSize];

        // Keep the received tag before an in-place decryption could reach it (it cannot, but the copy
        // makes the order of reads independent of the buffer layout).
        ciphertextAndTag.Slice(plainLength, TagSize).CopyTo(received);
        InitCounter(nonce, counter);
        Encrypt(counter, keystream);
        Span<byte> s0 = stackalloc byte[BlockSize];
        keystream.CopyTo(s0);

        Span<byte> plaintext = destination.Slice(0, plainLength);
        Ctr(counter, keystream, ciphertextAndTag.Slice(0, plainLength), plaintext);
        ComputeMac(nonce, associatedData, plaintext, tag);
        Xor(tag, s0);
        bool ok = CryptoUtil.FixedTimeEquals(tag.Slice(0, TagSize), received.Slice(0, TagSize));
        if (!ok)
        {
            CryptoUtil.Wipe(plaintext);
        }

        CryptoUtil.Wipe(keystream);
        CryptoUtil.Wipe(s0);
        return ok;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;

            // The engine's key schedule cannot be cleared through BouncyCastle's interface; re-keying it
            // with zeros overwrites the expanded schedule of the real key.
            _aes.Init(true, new KeyParameter(new byte[KeySize]));
        }
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> mask)
    {
        if (target.Length == BlockSize)
        {
            Xor16(target, mask, target);
            return;
        }

        for (int i = 0; i < target.Length; i++)
        {
            target[i] ^= mask[i];
        }
    }

    /// <summary>output = a XOR b for one 16-byte block, eight bytes at a time.</summary>
    private static void Xor16(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        ulong lo = BinaryPrimitives.ReadUInt64LittleEndian(a) ^ BinaryPrimitives.ReadUInt64LittleEndian(b);
        ulong hi = BinaryPrimitives.ReadUInt64LittleEndian(a.Slice(8)) ^ BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(8));
        BinaryPrimitives.WriteUInt64LittleEndian(output, lo);
        BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(8), hi);
    }

    private void CheckArguments(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, int payloadLength)
    {
        if (nonce.Length != _nonceSize)
        {
            throw new ArgumentException($"AES-CCM nonce must be {_nonceSize} bytes", nameof(nonce));
        }

        if (associatedData.Length >= 0xff00)
        {
            throw new ArgumentException("AES-CCM associated data longer than TLS ever uses", nameof(associatedData));
        }

        if (LengthSize < 4 && payloadLength >= 1 << (8 * LengthSize))
        {
            throw new ArgumentException("AES-CCM payload too long for the nonce size", nameof(associatedData));
        }
    }

    private void ComputeMac(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> payload, Span<byte> mac)
    {
        // B0
        mac.Clear();
        mac[0] = (byte)((associatedData.IsEmpty ? 0 : 0x40) | (((TagSize - 2) / 2) << 3) | (LengthSize - 1));
        nonce.CopyTo(mac.Slice(1));
        int length = payload.Length;
        for (int i = 0; i < LengthSize; i++, length >>= 8)
        {
            mac[BlockSize - 1 - i] = (byte)length;
        }

        Encrypt(mac, mac);

        if (!associatedData.IsEmpty)
        {
            // First AAD block carries the 2-byte length.
            mac[0] ^= (byte)(associatedData.Length >> 8);
            mac[1] ^= (byte)associatedData.Length;
            int take = Math.Min(BlockSize - 2, associatedData.Length);
            Xor(mac.Slice(2, take), associatedData.Slice(0, take));
            Encrypt(mac, mac);
            MacBlocks(associatedData.Slice(take), mac);
        }

        MacBlocks(payload, mac);
    }

    private void MacBlocks(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        while (data.Length >= BlockSize)
        {
            Xor(mac, data.Slice(0, BlockSize));
            Encrypt(mac, mac);
            data = data.Slice(BlockSize);
        }

        if (!data.IsEmpty)
        {
            // The last partial block is zero-padded, so only its bytes are XORed in.
            Xor(mac.Slice(0, data.Length), data);
            Encrypt(mac, mac);
        }
    }

    private void InitCounter(ReadOnlySpan<byte> nonce, Span<byte> counter)
    {
        counter.Clear();
        counter[0] = (byte)(LengthSize - 1);
        nonce.CopyTo(counter.Slice(1));
    }

    private void Ctr(Span<byte> counter, Span<byte> keystream, ReadOnlySpan<byte> input, Span<byte> output)
    {
        int offset = 0;
        while (offset < input.Length)
        {
            Increment(counter);
            Encrypt(counter, keystream);
            int n = Math.Min(BlockSize, input.Length - offset);
            if (n == BlockSize)
            {
                Xor16(input.Slice(offset, BlockSize), keystream, output.Slice(offset, BlockSize));
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    output[offset + i] = (byte)(input[offset + i] ^ keystream[i]);
                }
            }

            offset += n;
        }
    }

    private void Increment(Span<byte> counter)
    {
        for (int i = BlockSize - 1; i >= BlockSize - LengthSize; i--)
        {
            if (++counter[i] != 0)
            {
                return;
            }
        }
    }

#if NET6_0_OR_GREATER
    private void Encrypt(ReadOnlySpan<byte> input, Span<byte> output) => _aes.ProcessBlock(input, output);
#else
    private readonly byte[] _blockIn = new byte[BlockSize];
    private readonly byte[] _blockOut = new byte[BlockSize];

    private void Encrypt(ReadOnlySpan<byte> input, Span<byte> output)
    {
        input.Slice(0, BlockSize).CopyTo(_blockIn);
        _aes.ProcessBlock(_blockIn, 0, _blockOut, 0);
        _blockOut.AsSpan().CopyTo(output);
    }
#endif

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(AesCcm));
        }
    }
}
