using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
#if !NET6_0_OR_GREATER
using System.Buffers;
#endif

namespace ManagedTls.Crypto;

/// <summary>Creates <see cref="IAead"/> instances over BouncyCastle (AES-NI engine where the CPU has it).</summary>
internal static class Aeads
{
    /// <summary>Key length in bytes.</summary>
    public static int KeySize(AeadAlgorithm algorithm) => algorithm switch
    {
        AeadAlgorithm.Aes128Gcm or AeadAlgorithm.Aes128Ccm or AeadAlgorithm.Aes128Ccm8 => 16,
        AeadAlgorithm.Aes256Gcm or AeadAlgorithm.ChaCha20Poly1305 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Tag length in bytes.</summary>
    public static int TagSize(AeadAlgorithm algorithm) => algorithm == AeadAlgorithm.Aes128Ccm8 ? 8 : 16;

    /// <summary>Creates an AEAD keyed with <paramref name="key"/> (copied; wiped on dispose).</summary>
    public static IAead Create(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize(algorithm))
        {
            throw new ArgumentException($"{algorithm} needs a {KeySize(algorithm)}-byte key, got {key.Length}", nameof(key));
        }

        return new BcAead(algorithm, key);
    }
}

/// <summary>
/// <see cref="IAead"/> over BouncyCastle's <see cref="IAeadCipher"/>. One cipher object per direction is keyed
/// on first use; later records re-initialise it with a null key, which keeps the expanded key schedule.
/// </summary>
internal sealed class BcAead : IAead
{
    private readonly byte[] _key;
    private readonly byte[] _nonce = new byte[12];
    private IAeadCipher? _sealer;
    private IAeadCipher? _opener;
    private bool _disposed;

    public BcAead(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        Algorithm = algorithm;
        _key = key.ToArray();
        TagSize = Aeads.TagSize(algorithm);
    }

    public AeadAlgorithm Algorithm { get; }

    public int KeySize => _key.Length;

    public int NonceSize => 12;

    public int TagSize { get; }

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ThrowIfDisposed();
        if (destination.Length < plaintext.Length + TagSize)
        {
            throw new ArgumentException("destination too small for ciphertext and tag", nameof(destination));
        }

        IAeadCipher cipher = Prepare(ref _sealer, forEncryption: true, nonce);
#if NET6_0_OR_GREATER
        cipher.ProcessAadBytes(associatedData);
        int n = cipher.ProcessBytes(plaintext, destination);
        cipher.DoFinal(destination.Slice(n));
#else
        byte[] aad = associatedData.ToArray();
        cipher.ProcessAadBytes(aad, 0, aad.Length);
        byte[] input = ArrayPool<byte>.Shared.Rent(plaintext.Length + TagSize);
        byte[] output = ArrayPool<byte>.Shared.Rent(plaintext.Length + TagSize);
        try
        {
            plaintext.CopyTo(input);
            int n = cipher.ProcessBytes(input, 0, plaintext.Length, output, 0);
            n += cipher.DoFinal(output, n);
            output.AsSpan(0, n).CopyTo(destination);
        }
        finally
        {
            CryptoUtil.Wipe(input);
            CryptoUtil.Wipe(output);
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
#endif
    }

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> destination)
    {
        ThrowIfDisposed();
        if (ciphertextAndTag.Length < TagSize)
        {
            return false;
        }

        int plainLen = ciphertextAndTag.Length - TagSize;
        if (destination.Length < plainLen)
        {
            throw new ArgumentException("destination too small for plaintext", nameof(destination));
        }

        IAeadCipher cipher = Prepare(ref _opener, forEncryption: false, nonce);
#if NET6_0_OR_GREATER
        try
        {
            cipher.ProcessAadBytes(associatedData);
            int n = cipher.ProcessBytes(ciphertextAndTag, destination);
            cipher.DoFinal(destination.Slice(n));
            return true;
        }
        catch (InvalidCipherTextException)
        {
            destination.Slice(0, plainLen).Clear();
            cipher.Reset();
            return false;
        }
#else
        byte[] aad = associatedData.ToArray();
        byte[] input = ArrayPool<byte>.Shared.Rent(ciphertextAndTag.Length);
        byte[] output = ArrayPool<byte>.Shared.Rent(ciphertextAndTag.Length);
        try
        {
            ciphertextAndTag.CopyTo(input);
            cipher.ProcessAadBytes(aad, 0, aad.Length);
            int n = cipher.ProcessBytes(input, 0, ciphertextAndTag.Length, output, 0);
            n += cipher.DoFinal(output, n);
            output.AsSpan(0, n).CopyTo(destination);
            return true;
        }
        catch (InvalidCipherTextException)
        {
            destination.Slice(0, plainLen).Clear();
            cipher.Reset();
            return false;
        }
        finally
        {
            CryptoUtil.Wipe(input);
            CryptoUtil.Wipe(output);
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
#endif
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            CryptoUtil.Wipe(_key);
            CryptoUtil.Wipe(_nonce);
            _sealer = null;
            _opener = null;
        }
    }

    private IAeadCipher Prepare(ref IAeadCipher? slot, bool forEncryption, ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != 12)
        {
            throw new ArgumentException("AEAD nonce must be 12 bytes", nameof(nonce));
        }

        nonce.CopyTo(_nonce);
        KeyParameter? key = null;
        if (slot is null)
        {
            slot = CreateCipher();
            key = new KeyParameter(_key);
        }

        slot.Init(forEncryption, new AeadParameters(key, TagSize * 8, _nonce));
        return slot;
    }

    private IAeadCipher CreateCipher() => Algorithm switch
    {
        AeadAlgorithm.Aes128Gcm or AeadAlgorithm.Aes256Gcm => new GcmBlockCipher(AesUtilities.CreateEngine()),
        AeadAlgorithm.ChaCha20Poly1305 => new ChaCha20Poly1305(),
        AeadAlgorithm.Aes128Ccm or AeadAlgorithm.Aes128Ccm8 => new CcmBlockCipher(AesUtilities.CreateEngine()),
        _ => throw new ArgumentOutOfRangeException(nameof(Algorithm)),
    };

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(BcAead));
        }
    }
}
