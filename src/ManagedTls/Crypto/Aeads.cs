using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
#if !NET6_0_OR_GREATER
using System.Buffers;
#endif

namespace ManagedTls.Crypto;

/// <summary>
/// Creates <see cref="IAead"/> instances: AES-GCM and ChaCha20-Poly1305 on CPU instructions where <see cref="HasHardware"/> says so, otherwise over BouncyCastle (AES-NI engine where the CPU has it): GCM and
/// ChaCha20-Poly1305 through BouncyCastle's modes, CCM through <see cref="AesCcm"/> over BouncyCastle's AES.
/// </summary>
internal static class Aeads
{
    /// <summary>Key length in bytes.</summary>
    public static int KeySize(AeadAlgorithm algorithm) => algorithm switch
    {
        AeadAlgorithm.Aes128Gcm or AeadAlgorithm.Aes128Ccm or AeadAlgorithm.Aes128Ccm8 => 16,
        AeadAlgorithm.Aes256Gcm or AeadAlgorithm.ChaCha20Poly1305 or AeadAlgorithm.Aes256Ccm or AeadAlgorithm.Aes256Ccm8 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Tag length in bytes.</summary>
    public static int TagSize(AeadAlgorithm algorithm) => algorithm is AeadAlgorithm.Aes128Ccm8 or AeadAlgorithm.Aes256Ccm8 ? 8 : 16;

    /// <summary>True for the AES-CCM variants (both key and tag lengths).</summary>
    public static bool IsCcm(AeadAlgorithm algorithm) =>
        algorithm is AeadAlgorithm.Aes128Ccm or AeadAlgorithm.Aes128Ccm8 or AeadAlgorithm.Aes256Ccm or AeadAlgorithm.Aes256Ccm8;

    /// <summary>Creates an AEAD keyed with <paramref name="key"/> (copied; wiped on dispose): the hardware
    /// implementation where <see cref="HasHardware"/> says this CPU has one, BouncyCastle otherwise.</summary>
    public static IAead Create(AeadAlgorithm algorithm, ReadOnlySpan<byte> key) =>
        Create(algorithm, key, AeadImplementation.Auto);

    /// <summary>Creates an AEAD keyed with <paramref name="key"/> from the implementation asked for.
    /// <see cref="AeadImplementation.Hardware"/> throws <see cref="NotSupportedException"/> where
    /// <see cref="HasHardware"/> is false.</summary>
    public static IAead Create(AeadAlgorithm algorithm, ReadOnlySpan<byte> key, AeadImplementation implementation)
    {
        if (key.Length != KeySize(algorithm))
        {
            throw new ArgumentException($"{algorithm} needs a {KeySize(algorithm)}-byte key, got {key.Length}", nameof(key));
        }

        return implementation switch
        {
            AeadImplementation.Portable => CreatePortable(algorithm, key),
            AeadImplementation.Hardware => CreateHardware(algorithm, key),
            AeadImplementation.Auto => HasHardware(algorithm) ? CreateHardware(algorithm, key) : CreatePortable(algorithm, key),
            _ => throw new ArgumentOutOfRangeException(nameof(implementation)),
        };
    }

    /// <summary>True when this process, on this CPU, has a hardware implementation of <paramref name="algorithm"/>.</summary>
    public static bool HasHardware(AeadAlgorithm algorithm) => algorithm switch
    {
#if NET8_0_OR_GREATER
        AeadAlgorithm.Aes128Gcm or AeadAlgorithm.Aes256Gcm => Fast.AesGcmIntrinsics.IsSupported,
        AeadAlgorithm.ChaCha20Poly1305 => Fast.ChaCha20Poly1305Intrinsics.IsSupported,
#endif
        _ => false,
    };

    private static IAead CreateHardware(AeadAlgorithm algorithm, ReadOnlySpan<byte> key) => algorithm switch
    {
#if NET8_0_OR_GREATER
        AeadAlgorithm.Aes128Gcm or AeadAlgorithm.Aes256Gcm when Fast.AesGcmIntrinsics.IsSupported => new Fast.AesGcmIntrinsics(algorithm, key),
        AeadAlgorithm.ChaCha20Poly1305 when Fast.ChaCha20Poly1305Intrinsics.IsSupported => new Fast.ChaCha20Poly1305Intrinsics(key),
#endif
        _ => throw new NotSupportedException($"no hardware implementation of {algorithm} on this CPU or runtime"),
    };

    private static IAead CreatePortable(AeadAlgorithm algorithm, ReadOnlySpan<byte> key) =>
        IsCcm(algorithm) ? new AesCcm(algorithm, key, TagSize(algorithm)) : new BcAead(algorithm, key);
}

/// <summary>
/// <see cref="IAead"/> over BouncyCastle's <see cref="IAeadCipher"/> (AES-GCM, ChaCha20-Poly1305). One cipher object per direction is keyed
/// on first use; later records re-initialise it with a null key, which keeps the expanded key schedule.
/// </summary>
internal sealed class BcAead : IAead
{
    private readonly byte[] _key;

    // One nonce buffer and one key-less parameter object per direction, reused for every record. This is
    // safe because BouncyCastle copies the nonce out of AeadParameters during Init (GCM keeps its own copy
    // for the nonce-reuse check: ToArray on .NET, GetNonce, which clones, on netstandard2.0;
    // ChaCha20-Poly1305 copies into its state) and never keeps the parameter object itself.
    private readonly byte[] _sealNonce = new byte[12];
    private readonly byte[] _openNonce = new byte[12];
    private readonly AeadParameters _sealParameters;
    private readonly AeadParameters _openParameters;
    private IAeadCipher? _sealer;
    private IAeadCipher? _opener;
    private bool _disposed;

    public BcAead(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        Algorithm = algorithm;
        _key = key.ToArray();
        TagSize = Aeads.TagSize(algorithm);
        _sealParameters = new AeadParameters(null, TagSize * 8, _sealNonce);
        _openParameters = new AeadParameters(null, TagSize * 8, _openNonce);
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

        IAeadCipher cipher = Prepare(ref _sealer, forEncryption: true, nonce, _sealNonce, _sealParameters);
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

        IAeadCipher cipher = Prepare(ref _opener, forEncryption: false, nonce, _openNonce, _openParameters);
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
            CryptoUtil.Wipe(destination.Slice(0, plainLen));
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
            CryptoUtil.Wipe(destination.Slice(0, plainLen));
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
            Scrub(_sealer);
            Scrub(_opener);
            CryptoUtil.Wipe(_key);
            CryptoUtil.Wipe(_sealNonce);
            CryptoUtil.Wipe(_openNonce);
            _sealer = null;
            _opener = null;
        }
    }

    private IAeadCipher Prepare(ref IAeadCipher? slot, bool forEncryption, ReadOnlySpan<byte> nonce, byte[] nonceBuffer, AeadParameters keyless)
    {
        if (nonce.Length != 12)
        {
            throw new ArgumentException("AEAD nonce must be 12 bytes", nameof(nonce));
        }

        nonce.CopyTo(nonceBuffer);
        if (slot is null)
        {
            // First record in this direction: key the cipher (expands the AES key schedule once).
            slot = CreateCipher();
            slot.Init(forEncryption, new AeadParameters(new KeyParameter(_key), TagSize * 8, nonceBuffer));
        }
        else
        {
            // Later records: a null key keeps the expanded key and only loads the new nonce.
            slot.Init(forEncryption, keyless);
        }

        return slot;
    }

    /// <summary>
    /// Re-keys a cipher with an all-zero key so that the key material BouncyCastle holds (ChaCha20's key
    /// array, overwritten in place; GCM's expanded AES key and hash key) no longer derives from the real key.
    /// </summary>
    private void Scrub(IAeadCipher? cipher)
    {
        if (cipher is null)
        {
            return;
        }

        byte[] nonce = new byte[12];
        nonce[0] = 0x5a;
        try
        {
            cipher.Init(true, new AeadParameters(new KeyParameter(new byte[_key.Length]), TagSize * 8, nonce));
        }
        catch (ArgumentException)
        {
            // Only when the real key was all zeros and the last nonce was this one: nothing to hide then.
        }
    }

    private IAeadCipher CreateCipher() => Algorithm switch
    {
        AeadAlgorithm.Aes128Gcm or AeadAlgorithm.Aes256Gcm => new GcmBlockCipher(AesUtilities.CreateEngine()),
        AeadAlgorithm.ChaCha20Poly1305 => new ChaCha20Poly1305(),
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
