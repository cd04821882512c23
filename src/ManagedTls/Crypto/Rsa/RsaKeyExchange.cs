using System.Runtime.CompilerServices;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace ManagedTls.Crypto;

/// <summary>
/// TLS 1.2 static-RSA key transport (RFC 5246 section 7.4.7.1): the client encrypts a 48-byte premaster
/// secret (client_version || 46 random bytes) with RSAES-PKCS1-v1_5 to the server's certificate key; the
/// server decrypts it without revealing whether decryption succeeded.
/// </summary>
/// <remarks>
/// <para>
/// Decryption answers Bleichenbacher's padding oracle and its timing variants (ROBOT, Marvin) with implicit
/// rejection, as draft-irtf-cfrg-rsa-guidance describes and OpenSSL 3.2 and NSS do: the substitute premaster
/// secret for a bad ciphertext is derived from the private key and the ciphertext
/// (<see cref="RsaImplicitRejection"/>), so the same ciphertext always yields the same 48 bytes and nothing
/// distinguishes a substitute from a decrypted secret. The substitute is computed first, for every
/// ciphertext; the ciphertext is decrypted with blinding; the padding (<c>00 02 PS 00 M</c> with at least
/// eight non-zero PS bytes and M exactly 48 bytes) and the version bytes of M (RFC 5246 section 7.4.7.1) are
/// checked with branch-free byte arithmetic into one mask; the result is M when every check passed and the
/// substitute otherwise, selected with that mask. No exception, no early return and no different code path
/// depends on the padding or the version, so a wrong ciphertext is noticed only when the Finished messages
/// fail to match. A ciphertext of the wrong length or numerically not below the modulus is not decrypted and
/// yields its substitute too; those properties are visible in the ciphertext itself and reveal nothing.
/// </para>
/// <para>
/// The decrypted block never passes through a variable-length conversion: BouncyCastle's
/// <see cref="BigInteger"/> exports take time that depends on the number of leading zero bytes, which is the
/// Marvin signal, so the unblinding step runs in fixed width (<see cref="RsaFixedWidth"/>) and writes exactly
/// k bytes. What is not constant-time: the modular exponentiation is BouncyCastle's <see cref="BigInteger"/>
/// arithmetic (CRT with a check of the result), whose timing varies with its operands; it only ever sees the
/// blinded value c * r^e mod n for a fresh random r, so that timing is decorrelated from the plaintext. The
/// blinding factor and the blinded values live in immutable BouncyCastle integers that cannot be wiped.
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

        // BouncyCastle's RSA encryption writes its output at the full modulus length.
        var rsa = new Pkcs1Encoding(new RsaEngine());
        rsa.Init(true, new ParametersWithRandom(serverKey.Parameters, BcRandom.Create(entropy)));
        byte[] input = premaster.ToArray();
        try
        {
            byte[] ciphertext = rsa.ProcessBlock(input, 0, input.Length);
            if (ciphertext.Length != (serverKey.Bits + 7) / 8)
            {
                throw TlsAlertException.Internal("RSA encryption did not produce a modulus-length ciphertext");
            }

            return ciphertext;
        }
        finally
        {
            CryptoUtil.Wipe(input);
        }
    }

    /// <summary>
    /// Server side: recovers the premaster secret from an EncryptedPreMasterSecret body (the ciphertext
    /// without its length prefix). Always returns 48 bytes and never throws for a bad ciphertext: when the
    /// padding, the length or the version bytes are wrong, the result is the implicit-rejection substitute,
    /// the same 48 bytes every time this key sees this ciphertext.
    /// </summary>
    /// <param name="key">The server's rsaEncryption private key.</param>
    /// <param name="ciphertext">The encrypted premaster secret.</param>
    /// <param name="clientVersion">The client_version of the ClientHello (for example 0x0303), which the first two premaster bytes must equal.</param>
    /// <param name="entropy">Source of the RSA blinding factor (the result does not depend on it).</param>
    /// <exception cref="TlsAlertException">internal_error: the key is not an rsaEncryption key, or is malformed (a private exponent longer than the modulus, CRT values that do not decrypt).</exception>
    public static byte[] DecryptPremaster(PrivateKey key, ReadOnlySpan<byte> ciphertext, ushort clientVersion, IEntropySource entropy)
    {
        if (key.Kind != KeyKind.Rsa || key.Parameters is not RsaPrivateCrtKeyParameters rsa)
        {
            throw TlsAlertException.Internal($"RSA key exchange needs an rsaEncryption key, not {key}");
        }

        byte[] result = new byte[PremasterLength];
        RsaImplicitRejection.TlsSubstitute(rsa, ciphertext, result);

        int k = (rsa.Modulus.BitLength + 7) / 8;
        if (ciphertext.Length != k || k < PremasterLength + 11)
        {
            // Public: the length of what was received and the size of our own key.
            return result;
        }

        var c = new BigInteger(1, ciphertext.ToArray());
        if (c.CompareTo(rsa.Modulus) >= 0)
        {
            // Public: a ciphertext not below the modulus is no RSA ciphertext.
            return result;
        }

        byte[] encoded = new byte[k];
        try
        {
            DecryptToFixedLength(rsa, c, entropy, encoded);
            int good = CheckPadding(encoded, k, clientVersion);
            SelectMessage(result, encoded, k - PremasterLength, good);
        }
        finally
        {
            CryptoUtil.Wipe(encoded);
        }

        return result;
    }

    /// <summary>
    /// The RSA private operation with blinding, written as exactly k big-endian bytes (k the modulus
    /// length) whatever the number of leading zero bytes: c is blinded with a fresh r (c * r^e mod n), raised
    /// to d by BouncyCastle (CRT, result checked against the blinded input), and unblinded in fixed width
    /// (<see cref="RsaFixedWidth.Unblind"/>), so the plaintext never exists as a <see cref="BigInteger"/>.
    /// </summary>
    /// <param name="key">The RSA private key.</param>
    /// <param name="c">The ciphertext as a number, below the modulus (public).</param>
    /// <param name="entropy">Source of the blinding factor.</param>
    /// <param name="encoded">Receives c^d mod n; exactly k bytes.</param>
    /// <exception cref="TlsAlertException">internal_error: the CRT result failed its check (inconsistent key values or a computation fault).</exception>
    internal static void DecryptToFixedLength(RsaPrivateCrtKeyParameters key, BigInteger c, IEntropySource entropy, Span<byte> encoded)
    {
        BigInteger n = key.Modulus;
        SecureRandom random = BcRandom.Create(entropy);
        BigInteger r = BigIntegers.CreateRandomInRange(BigInteger.One, n.Subtract(BigInteger.One), random);
        BigInteger blindedInput = r.ModPow(key.PublicExponent, n).Multiply(c).Mod(n);

        var core = new RsaCoreEngine();
        core.Init(false, key);
        BigInteger blindedResult;
        try
        {
            blindedResult = core.ProcessBlock(blindedInput);
        }
        catch (InvalidOperationException e)
        {
            // BouncyCastle found ((c r^e)^d)^e != c r^e: a faulty computation or key, never a matter of the ciphertext.
            throw TlsAlertException.Internal("RSA decryption failed its consistency check: " + e.Message);
        }

        RsaFixedWidth.Unblind(n, blindedResult, BigIntegers.ModOddInverse(n, r), encoded);
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

    /// <summary>result = mask ? em[offset ..] : result, byte by byte, without a branch.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static void SelectMessage(byte[] result, byte[] em, int offset, int mask)
    {
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (byte)((em[offset + i] & mask) | (result[i] & ~mask));
        }
    }
}
