using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
#if !NET6_0_OR_GREATER
using System.Buffers;
#endif

namespace ManagedTls.Crypto;

/// <summary>
/// AES in CBC mode without padding (the TLS 1.2 CBC suites pad themselves), over BouncyCastle's
/// <see cref="CbcBlockCipher"/> and <see cref="AesUtilities.CreateEngine"/> (AES-NI where the CPU has it).
/// Each direction's cipher is keyed once with a zero IV, so the key schedule is expanded once; a record's IV
/// is applied by XORing it into the first block (encryption) or the first output block (decryption),
/// which is CBC with that IV and allocates nothing per call on net6.0 and later.
/// </summary>
internal sealed class AesCbc : IDisposable
{
    /// <summary>The AES block size in bytes.</summary>
    public const int BlockSize = 16;

    private readonly byte[] _key;
    private CbcBlockCipher? _encryptor;
    private CbcBlockCipher? _decryptor;
    private bool _disposed;

    /// <summary>Creates the cipher for a 16-, 24- or 32-byte key (copied; wiped on dispose).</summary>
    public AesCbc(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException("AES keys are 16, 24 or 32 bytes", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>Key length in bytes.</summary>
    public int KeySize => _key.Length;

    /// <summary>
    /// CBC-encrypts <paramref name="input"/> (a whole number of blocks) under <paramref name="iv"/> into
    /// <paramref name="output"/>, which may be the same memory as the input (same start).
    /// </summary>
    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output) => Process(true, iv, input, output);

    /// <summary>
    /// CBC-decrypts <paramref name="input"/> (a whole number of blocks) under <paramref name="iv"/> into
    /// <paramref name="output"/>, which may be the same memory as the input (same start). <paramref name="iv"/>
    /// must not overlap the first block of <paramref name="output"/>.
    /// </summary>
    public void Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output) => Process(false, iv, input, output);

    /// <summary>Wipes the key copy and drops the ciphers.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            CryptoUtil.Wipe(_key);
            _encryptor = null;
            _decryptor = null;
        }
    }

    private void Process(bool encrypt, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(AesCbc));
        }

        if (iv.Length != BlockSize || input.Length % BlockSize != 0 || output.Length < input.Length)
        {
            throw new ArgumentException("CBC needs a 16-byte IV, whole blocks and room for the output");
        }

        if (input.IsEmpty)
        {
            return;
        }

        CbcBlockCipher cipher = encrypt ? (_encryptor ??= Create(true)) : (_decryptor ??= Create(false));
        cipher.Reset();
        Span<byte> first = stackalloc byte[BlockSize];
        input.Slice(0, BlockSize).CopyTo(first);
        if (encrypt)
        {
            Xor(first, iv);
        }

#if NET6_0_OR_GREATER
        cipher.ProcessBlock(first, output);
        for (int i = BlockSize; i < input.Length; i += BlockSize)
        {
            cipher.ProcessBlock(input.Slice(i, BlockSize), output.Slice(i, BlockSize));
        }
#else
        byte[] work = ArrayPool<byte>.Shared.Rent(input.Length);
        try
        {
            input.CopyTo(work);
            first.CopyTo(work);
            for (int i = 0; i < input.Length; i += BlockSize)
            {
                cipher.ProcessBlock(work, i, work, i);
            }

            work.AsSpan(0, input.Length).CopyTo(output);
        }
        finally
        {
            CryptoUtil.Wipe(work);
            ArrayPool<byte>.Shared.Return(work);
        }
#endif
        if (!encrypt)
        {
            Xor(output.Slice(0, BlockSize), iv);
        }

        CryptoUtil.Wipe(first);
    }

    private CbcBlockCipher Create(bool encrypt)
    {
        var cipher = new CbcBlockCipher(AesUtilities.CreateEngine());
        cipher.Init(encrypt, new ParametersWithIV(new KeyParameter(_key), new byte[BlockSize]));
        return cipher;
    }

    private static void Xor(Span<byte> block, ReadOnlySpan<byte> iv)
    {
        for (int i = 0; i < BlockSize; i++)
        {
            block[i] ^= iv[i];
        }
    }
}
