using System.Runtime.CompilerServices;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Crypto;

/// <summary>
/// TLS 1.2 static-RSA key transport (RFC 5246 section 7.4.7.1): the client encrypts a 48-byte premaster
/// secret (client_version || 46 random bytes) with RSAES-PKCS1-v1_5 to the server's certificate key; the
/// server decrypts it without revealing whether decryption succeeded.
/// </summary>
/// <remarks>
/// <para>
/// Decryption follows the countermeasure of RFC 5246 section 7.4.7.1 (Bleichenbacher, Klima-Pokorny-Rosa):
/// 48 random bytes R are drawn first; the ciphertext is decrypted with blinding; the padding
/// (<c>00 02 PS 00 M</c> with at least eight non-zero PS bytes and M exactly 48 bytes) and the version bytes
/// of M are checked with branch-free byte arithmetic; the result is M when every check passed and R
/// otherwise, selected with a mask. No exception, no early return and no different code path depends on
/// the padding or the version, so a wrong ciphertext is noticed only when the Finished messages fail to match.
/// A ciphertext of the wrong length or numerically not below the modulus yields R too; those properties
/// are visible in the ciphertext itself and reveal nothing.
/// </para>
/// <para>
/// This is the RFC 5246 method, not the newer deterministic implicit rejection (Marvin / draft-irtf-cfrg-rsa-guidance,
/// which derives the substitute from the key and ciphertext): TLS only needs the substitute to be
/// unpredictable and the same length, which random bytes give. The modular exponentiation is BouncyCastle's
/// BigInteger arithmetic, whose timing is not constant; RSA blinding (a fresh random factor per
/// decryption) decorrelates that timing from the ciphertext.
/// </para>
/// </remarks>
internal static class RsaKeyExchange
{
    /// <summary>Length of the TLS premaster secret.</summary>
    public const int PremasterLength = 48;

    /// <summary>
    /// Client side: encrypts <paramref name="premaster"/> (48 bytes) to <paramref name="serverKey"/> with
    /// RSAES-PKCS1-v1_5, padding bytes from <paramref name="entropy"/>. Returns the modulus-length ciphertext.
    /// </summary>
    /// <exception cref="TlsAlertException">internal_error: the key is not an rsaEncryption key or the premaster is not 48 bytes.</exception>
    public static byte[] EncryptPremaster(PublicKey serverKey, ReadOnlySpan<byte> premaster, IEntropySource entropy)
    {
        if (serverKey.Kind != KeyKind.Rsa)
        {
            throw TlsAlertException.Internal($"RSA key exchange needs an rsaEncryption key, not {serverKey}");
        }

        if (premaster.Length != PremasterLength)
        {
            throw TlsAlertException.Internal("the RSA premaster secret must be 48 bytes");
        }

        var rsa = new Pkcs1Encoding(new RsaEngine());
        rsa.Init(true, new ParametersWithRandom(serverKey.Parameters, BcRandom.Create(entropy)));
        byte[] input = premaster.ToArray();
        try
        {
            return PadToModulus(rsa.ProcessBlock(input, 0, input.Length), (serverKey.Bits + 7) / 8);
        }
        finally
        {
            CryptoUtil.Wipe(input);
        }
    }

    /// <summary>
    /// Server side: recovers the premaster secret from an EncryptedPreMasterSecret body (the ciphertext
    /// without its length prefix). Always returns 48 bytes and never throws for a bad ciphertext: when the
    /// padding, the length or the version bytes are wrong, the result is 48 fresh random bytes instead.
    /// </summary>
    /// <param name="key">The server's rsaEncryption private key.</param>
    /// <param name="ciphertext">The encrypted premaster secret.</param>
    /// <param name="clientVersion">The client_version of the ClientHello (for example 0x0303), which the first two premaster bytes must equal.</param>
    /// <param name="entropy">Source of the substitute premaster secret and of the RSA blinding factor.</param>
    /// <exception cref="TlsAlertException">internal_error: the key is not an rsaEncryption key.</exception>
    public static byte[] DecryptPremaster(PrivateKey key, ReadOnlySpan<byte> ciphertext, ushort clientVersion, IEntropySource entropy)
    {
        if (key.Kind != KeyKind.Rsa)
        {
            throw TlsAlertException.Internal($"RSA key exchange needs an rsaEncryption key, not {key}");
        }

        byte[] result = new byte[PremasterLength];
        entropy.GetBytes(result);

        int k = (key.Bits + 7) / 8;
        if (ciphertext.Length != k || k < PremasterLength + 11)
        {
            return result;
        }

        byte[] encoded;
        try
        {
            var rsa = new RsaBlindedEngine();
            rsa.Init(false, new ParametersWithRandom(key.Parameters, BcRandom.Create(entropy)));
            byte[] input = ciphertext.ToArray();
            encoded = PadToModulus(rsa.ProcessBlock(input, 0, input.Length), k);
        }
        catch (Exception e) when (e is Org.BouncyCastle.Crypto.DataLengthException)
        {
            // The ciphertext is not below the modulus: public information, and the answer is the same substitute.
            return result;
        }

        int good = CheckPadding(encoded, k, clientVersion);
        SelectMessage(result, encoded, k - PremasterLength, good);
        CryptoUtil.Wipe(encoded);
        return result;
    }

    /// <summary>
    /// Returns all-ones (-1) when <paramref name="em"/> is <c>00 02 PS 00 M</c> with PS non-zero bytes and M
    /// exactly 48 bytes starting with the client version, 0 otherwise; the work done is the same either way.
    /// With a fixed message length the separator must sit at k - 49, so PS is em[2 .. k-49) (at least 8 bytes
    /// since k is at least 59).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static int CheckPadding(byte[] em, int k, ushort clientVersion)
    {
        int separator = k - PremasterLength - 1;
        int bad = em[0];
        bad |= em[1] ^ 0x02;
        for (int i = 2; i < separator; i++)
        {
            bad |= IsZeroMask(em[i]) & 1;
        }

        bad |= em[separator];
        bad |= em[separator + 1] ^ (clientVersion >> 8);
        bad |= em[separator + 2] ^ (clientVersion & 0xff);

        // bad == 0 -> -1, otherwise 0.
        return IsZeroMask(bad);
    }

    /// <summary>-1 when <paramref name="value"/> (non-negative, below 2^31) is zero, else 0, without a branch.</summary>
    private static int IsZeroMask(int value) => (int)((uint)(value - 1) >> 31) * -1 & ~(value >> 31);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static void SelectMessage(byte[] result, byte[] em, int offset, int mask)
    {
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (byte)((em[offset + i] & mask) | (result[i] & ~mask));
        }
    }

    private static byte[] PadToModulus(byte[] value, int length)
    {
        if (value.Length == length)
        {
            return value;
        }

        byte[] padded = new byte[length];
        Buffer.BlockCopy(value, 0, padded, length - value.Length, value.Length);
        CryptoUtil.Wipe(value);
        return padded;
    }
}
