namespace ManagedTls.Crypto;

/// <summary>HKDF (RFC 5869) and TLS 1.3's HKDF-Expand-Label (RFC 8446 section 7.1).</summary>
internal static class Hkdf
{
    private static ReadOnlySpan<byte> Prefix => "tls13 "u8;

    /// <summary>HKDF-Extract: PRK = HMAC(salt, IKM). An empty salt means HashLen zeros.</summary>
    public static void Extract(HashAlgorithm algorithm, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        int hashLen = Hashes.OutputSize(algorithm);
        if (prk.Length < hashLen)
        {
            throw new ArgumentException("PRK buffer too small", nameof(prk));
        }

        CryptoOperationLog.Note(CryptoOperationKind.HkdfExtract, algorithm);
        Span<byte> zeros = stackalloc byte[64];
        zeros.Clear();
        Hmac mac = Hmac.Rent(algorithm, salt.IsEmpty ? zeros.Slice(0, hashLen) : salt);
        mac.Update(ikm);
        mac.Finish(prk);
        Hmac.Return(mac);
    }

    /// <summary>HKDF-Extract into a new array.</summary>
    public static byte[] Extract(HashAlgorithm algorithm, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm)
    {
        byte[] prk = new byte[Hashes.OutputSize(algorithm)];
        Extract(algorithm, salt, ikm, prk);
        return prk;
    }

    /// <summary>HKDF-Expand: fills <paramref name="output"/> (at most 255 * HashLen bytes).</summary>
    public static void Expand(HashAlgorithm algorithm, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        int hashLen = Hashes.OutputSize(algorithm);
        if (output.Length > 255 * hashLen)
        {
            throw new ArgumentException("HKDF-Expand output too long", nameof(output));
        }

        CryptoOperationLog.Note(CryptoOperationKind.HkdfExpand, algorithm, output.Length);
        Hmac mac = Hmac.Rent(algorithm, prk);
        Span<byte> t = stackalloc byte[64];
        Span<byte> counter = stackalloc byte[1];
        int tLen = 0;
        int done = 0;
        for (byte i = 1; done < output.Length; i++)
        {
            mac.Update(t.Slice(0, tLen));
            mac.Update(info);
            counter[0] = i;
            mac.Update(counter);
            mac.Finish(t);
            tLen = hashLen;
            int n = Math.Min(hashLen, output.Length - done);
            t.Slice(0, n).CopyTo(output.Slice(done));
            done += n;
        }

        CryptoUtil.Wipe(t);
        Hmac.Return(mac);
    }

    /// <summary>
    /// HKDF-Expand-Label(Secret, Label, Context, Length) with the "tls13 " prefix:
    /// <code>
    /// struct {
    ///     uint16 length = Length;
    ///     opaque label&lt;7..255&gt; = "tls13 " + Label;
    ///     opaque context&lt;0..255&gt; = Context;
    /// } HkdfLabel;
    /// </code>
    /// </summary>
    public static void ExpandLabel(HashAlgorithm algorithm, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, Span<byte> output)
    {
        int labelLen = Prefix.Length + label.Length;
        if (labelLen > 255 || context.Length > 255 || output.Length > ushort.MaxValue)
        {
            throw new ArgumentException("HKDF label, context or length out of range");
        }

        Span<byte> info = stackalloc byte[2 + 1 + labelLen + 1 + context.Length];
        info[0] = (byte)(output.Length >> 8);
        info[1] = (byte)output.Length;
        info[2] = (byte)labelLen;
        Prefix.CopyTo(info.Slice(3));
        int pos = 3 + Prefix.Length;
        foreach (char c in label)
        {
            info[pos++] = (byte)c;
        }

        info[pos++] = (byte)context.Length;
        context.CopyTo(info.Slice(pos));
        Expand(algorithm, secret, info, output);
    }

    /// <summary>HKDF-Expand-Label into a new array.</summary>
    public static byte[] ExpandLabel(HashAlgorithm algorithm, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, int length)
    {
        byte[] result = new byte[length];
        ExpandLabel(algorithm, secret, label, context, result);
        return result;
    }
}
