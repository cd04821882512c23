using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Crypto;

/// <summary>
/// The deterministic substitute of implicit rejection (draft-irtf-cfrg-rsa-guidance, section 7, as in
/// OpenSSL 3.2 and NSS): what a PKCS#1 v1.5 decryption returns in place of a message whose padding is wrong,
/// derived from the private key and the ciphertext so that the same ciphertext always gets the same answer.
/// <code>
/// KDK                  = HMAC-SHA256(key = SHA256(I2OSP(d, k)), message = C)
/// IRPRF(KDK, label, L) = the first L/8 bytes of T(0) || T(1) || ...,
///                        T(i) = HMAC-SHA256(KDK, I2OSP(i, 2) || label || I2OSP(L, 2))
/// TLS substitute       = IRPRF(KDK, "message", 384)          (48 bytes)
/// </code>
/// </summary>
/// <remarks>
/// d is the private exponent as stored in the key and k the modulus length in bytes; C is the ciphertext
/// exactly as received (the draft's k-byte string when its length is right; a ciphertext of any other
/// length is rejected without decryption and MACed as it is). The draft's general decryption also draws a
/// substitute length from <c>IRPRF(KDK, "length", 2048)</c>; TLS needs no such choice, since a premaster
/// secret is 48 bytes whatever happens, so the substitute is simply 384 bits of the "message" stream.
/// The hash is fixed to SHA-256, as the draft requires, so the substitute for a ciphertext never changes
/// between versions of this library (a change would itself show which answers were substitutes).
/// </remarks>
internal static class RsaImplicitRejection
{
    /// <summary>Length of the key-derivation key (SHA-256).</summary>
    public const int KdkLength = 32;

    /// <summary>
    /// KDK = HMAC-SHA256(SHA256(I2OSP(d, k)), <paramref name="ciphertext"/>). The work depends on the
    /// ciphertext's length and on the key, not on the ciphertext's value.
    /// </summary>
    /// <param name="key">The RSA private key.</param>
    /// <param name="ciphertext">The ciphertext as received.</param>
    /// <param name="kdk">Receives the 32-byte key-derivation key.</param>
    /// <exception cref="TlsAlertException">internal_error: the private exponent is longer than the modulus (a malformed key).</exception>
    public static void DeriveKdk(RsaPrivateCrtKeyParameters key, ReadOnlySpan<byte> ciphertext, Span<byte> kdk)
    {
        if (kdk.Length != KdkLength)
        {
            throw new ArgumentException("the key-derivation key is 32 bytes", nameof(kdk));
        }

        int k = (key.Modulus.BitLength + 7) / 8;
        byte[] exponent = ExponentBytes(key, k);
        Span<byte> exponentHash = stackalloc byte[KdkLength];
        try
        {
            Hashes.Compute(HashAlgorithm.Sha256, exponent, exponentHash);
            Hmac.Compute(HashAlgorithm.Sha256, exponentHash, ciphertext, kdk);
        }
        finally
        {
            CryptoUtil.Wipe(exponent);
            CryptoUtil.Wipe(exponentHash);
        }
    }

    /// <summary>
    /// IRPRF(<paramref name="kdk"/>, <paramref name="label"/>, 8 * output length): HMAC-SHA256 in counter mode
    /// with a two-byte big-endian counter and the output length in bits (two bytes, big-endian) after the label.
    /// </summary>
    /// <param name="kdk">The key-derivation key.</param>
    /// <param name="label">The ASCII label, for example <c>message</c> or <c>length</c>.</param>
    /// <param name="output">Receives the output; at most 8191 bytes, so its length in bits fits two bytes.</param>
    public static void Prf(ReadOnlySpan<byte> kdk, ReadOnlySpan<byte> label, Span<byte> output)
    {
        int bits = output.Length * 8;
        if (bits > ushort.MaxValue)
        {
            throw new ArgumentException("the output length in bits must fit in two bytes", nameof(output));
        }

        Span<byte> counter = stackalloc byte[2];
        Span<byte> length = stackalloc byte[2];
        Span<byte> block = stackalloc byte[KdkLength];
        length[0] = (byte)(bits >> 8);
        length[1] = (byte)bits;
        Hmac mac = Hmac.Rent(HashAlgorithm.Sha256, kdk);
        try
        {
            for (int i = 0, position = 0; position < output.Length; i++, position += KdkLength)
            {
                counter[0] = (byte)(i >> 8);
                counter[1] = (byte)i;
                mac.Update(counter);
                mac.Update(label);
                mac.Update(length);
                mac.Finish(block);
                block.Slice(0, Math.Min(KdkLength, output.Length - position)).CopyTo(output.Slice(position));
            }
        }
        finally
        {
            CryptoUtil.Wipe(block);
            Hmac.Return(mac);
        }
    }

    /// <summary>
    /// The substitute TLS premaster secret for <paramref name="ciphertext"/>: IRPRF(KDK, "message", 384).
    /// </summary>
    /// <param name="key">The RSA private key.</param>
    /// <param name="ciphertext">The EncryptedPreMasterSecret as received.</param>
    /// <param name="premaster">Receives the 48-byte substitute.</param>
    /// <exception cref="TlsAlertException">internal_error: the private exponent is longer than the modulus (a malformed key).</exception>
    public static void TlsSubstitute(RsaPrivateCrtKeyParameters key, ReadOnlySpan<byte> ciphertext, Span<byte> premaster)
    {
        if (premaster.Length != RsaKeyExchange.PremasterLength)
        {
            throw new ArgumentException("the premaster secret is 48 bytes", nameof(premaster));
        }

        Span<byte> kdk = stackalloc byte[KdkLength];
        try
        {
            DeriveKdk(key, ciphertext, kdk);
            Prf(kdk, "message"u8, premaster);
        }
        finally
        {
            CryptoUtil.Wipe(kdk);
        }
    }

    /// <summary>
    /// I2OSP(d, k). The export's work depends on the length of d, which is fixed for a key and so says
    /// nothing about any ciphertext.
    /// </summary>
    private static byte[] ExponentBytes(RsaPrivateCrtKeyParameters key, int k)
    {
        byte[] raw = key.Exponent.ToByteArrayUnsigned();
        try
        {
            if (key.Exponent.SignValue <= 0 || raw.Length > k)
            {
                throw TlsAlertException.Internal("the RSA private exponent is not between 1 and the modulus length");
            }

            byte[] padded = new byte[k];
            raw.CopyTo(padded, k - raw.Length);
            return padded;
        }
        finally
        {
            CryptoUtil.Wipe(raw);
        }
    }
}
