namespace ManagedTls.Crypto;

/// <summary>
/// The TLS 1.2 pseudo-random function (RFC 5246 section 5): <c>PRF(secret, label, seed) = P_hash(secret, label + seed)</c>
/// with
/// <code>
/// P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
///                        HMAC_hash(secret, A(2) + seed) + ...
/// A(0) = seed
/// A(i) = HMAC_hash(secret, A(i-1))
/// </code>
/// The hash is the suite's PRF hash: SHA-256 for every suite that does not name SHA-384.
/// </summary>
internal static class Tls12Prf
{
    /// <summary>
    /// Fills <paramref name="output"/> with <c>PRF(secret, label, seed1 + seed2)</c>. The seed is given in two parts
    /// because TLS always builds it from two pieces (the two randoms, or a session hash and nothing).
    /// </summary>
    public static void Compute(HashAlgorithm algorithm, ReadOnlySpan<byte> secret, string label,
        ReadOnlySpan<byte> seed1, ReadOnlySpan<byte> seed2, Span<byte> output)
    {
        if (label.Length > 255)
        {
            throw new ArgumentException("PRF label too long", nameof(label));
        }

        Span<byte> labelBytes = stackalloc byte[label.Length];
        for (int i = 0; i < label.Length; i++)
        {
            labelBytes[i] = label[i] < 0x80 ? (byte)label[i] : throw new ArgumentException("PRF label must be ASCII", nameof(label));
        }

        ComputeRaw(algorithm, secret, labelBytes, seed1, seed2, output);
    }

    /// <summary><c>PRF(secret, label, seed)</c> into a new array of <paramref name="length"/> bytes.</summary>
    public static byte[] Compute(HashAlgorithm algorithm, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> seed, int length)
    {
        byte[] result = new byte[length];
        Compute(algorithm, secret, label, seed, default, result);
        return result;
    }

    /// <summary><c>P_hash(secret, a + b + c)</c>: the label is passed as bytes, as the first part of the seed.</summary>
    public static void ComputeRaw(HashAlgorithm algorithm, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> a,
        ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<byte> output)
    {
        var mac = new Hmac(algorithm, secret);
        int hashLen = mac.OutputSize;
        Span<byte> ai = stackalloc byte[64];
        Span<byte> block = stackalloc byte[64];

        // A(1) = HMAC(secret, seed)
        mac.Update(a);
        mac.Update(b);
        mac.Update(c);
        mac.Finish(ai);
        int done = 0;
        while (done < output.Length)
        {
            mac.Update(ai.Slice(0, hashLen));
            mac.Update(a);
            mac.Update(b);
            mac.Update(c);
            mac.Finish(block);
            int n = Math.Min(hashLen, output.Length - done);
            block.Slice(0, n).CopyTo(output.Slice(done));
            done += n;
            if (done < output.Length)
            {
                mac.Update(ai.Slice(0, hashLen));
                mac.Finish(ai);
            }
        }

        CryptoUtil.Wipe(ai);
        CryptoUtil.Wipe(block);
    }
}
