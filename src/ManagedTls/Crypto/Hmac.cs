using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Crypto;

/// <summary>HMAC (RFC 2104) over <see cref="HashAlgorithm"/>, keyed once and reusable.</summary>
internal sealed class Hmac
{
    private readonly HMac _mac;

    /// <summary>Creates an HMAC with the given key.</summary>
    public Hmac(HashAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        Algorithm = algorithm;
        _mac = new HMac(Hashes.CreateDigest(algorithm));
        byte[] k = key.ToArray();
        _mac.Init(new KeyParameter(k));
        CryptoUtil.Wipe(k);
    }

    /// <summary>Which hash.</summary>
    public HashAlgorithm Algorithm { get; }

    /// <summary>MAC length in bytes.</summary>
    public int OutputSize => _mac.GetMacSize();

    /// <summary>Adds bytes.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
#if NET6_0_OR_GREATER
        _mac.BlockUpdate(data);
#else
        byte[] copy = data.ToArray();
        _mac.BlockUpdate(copy, 0, copy.Length);
#endif
    }

    /// <summary>Writes the MAC and resets to the keyed initial state.</summary>
    public void Finish(Span<byte> destination)
    {
#if NET6_0_OR_GREATER
        _mac.DoFinal(destination);
#else
        byte[] tmp = new byte[OutputSize];
        _mac.DoFinal(tmp, 0);
        tmp.CopyTo(destination);
        CryptoUtil.Wipe(tmp);
#endif
    }

    /// <summary>Discards anything added since the last <see cref="Finish"/>.</summary>
    public void Reset() => _mac.Reset();

    /// <summary>One-shot HMAC.</summary>
    public static void Compute(HashAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var mac = new Hmac(algorithm, key);
        mac.Update(data);
        mac.Finish(destination);
    }
}
