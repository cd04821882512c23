using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Utilities;

namespace ManagedTls.Crypto;

/// <summary>The hash functions TLS uses. SHA-1 appears only in TLS 1.2 legacy signatures and HMAC-SHA1.</summary>
internal enum HashAlgorithm
{
    /// <summary>SHA-1 (20 bytes).</summary>
    Sha1,
    /// <summary>SHA-256 (32 bytes).</summary>
    Sha256,
    /// <summary>SHA-384 (48 bytes).</summary>
    Sha384,
    /// <summary>SHA-512 (64 bytes).</summary>
    Sha512,
}

/// <summary>Sizes and one-shot helpers for <see cref="HashAlgorithm"/>.</summary>
internal static class Hashes
{
    /// <summary>Output length in bytes.</summary>
    public static int OutputSize(HashAlgorithm algorithm) => algorithm switch
    {
        HashAlgorithm.Sha1 => 20,
        HashAlgorithm.Sha256 => 32,
        HashAlgorithm.Sha384 => 48,
        HashAlgorithm.Sha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>A fresh incremental hash.</summary>
    public static HashFunction Create(HashAlgorithm algorithm) => new(algorithm, CreateDigest(algorithm));

    /// <summary>Hashes <paramref name="data"/> into <paramref name="destination"/> (at least <see cref="OutputSize"/> bytes).</summary>
    public static void Compute(HashAlgorithm algorithm, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        IDigest digest = Scratch(algorithm);
        digest.Reset();
        HashFunction.Absorb(digest, data);
        HashFunction.Final(digest, destination);
    }

    /// <summary>Hashes <paramref name="data"/> into a new array.</summary>
    public static byte[] Compute(HashAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        byte[] result = new byte[OutputSize(algorithm)];
        Compute(algorithm, data, result);
        return result;
    }

    [ThreadStatic]
    private static IDigest?[]? _scratch;

    /// <summary>
    /// This thread's spare digest of <paramref name="algorithm"/>, for a computation that starts and ends
    /// without calling anything else that might use it (one-shot hashes, reading a running hash's value).
    /// Its state on entry is whatever the last use left; callers reset or overwrite it first.
    /// </summary>
    internal static IDigest Scratch(HashAlgorithm algorithm)
    {
        IDigest?[] scratch = _scratch ??= new IDigest?[4];
        int index = (int)algorithm;
        if ((uint)index >= (uint)scratch.Length)
        {
            return CreateDigest(algorithm);
        }

        return scratch[index] ??= CreateDigest(algorithm);
    }

    internal static IDigest CreateDigest(HashAlgorithm algorithm) => algorithm switch
    {
        HashAlgorithm.Sha1 => new Sha1Digest(),
        HashAlgorithm.Sha256 => new Sha256Digest(),
        HashAlgorithm.Sha384 => new Sha384Digest(),
        HashAlgorithm.Sha512 => new Sha512Digest(),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };
}

/// <summary>
/// An incremental hash that can report its current value without ending (for the transcript hash) and
/// be cloned (for the PSK binder and HelloRetryRequest transcripts).
/// </summary>
internal sealed class HashFunction
{
    private readonly IDigest _digest;

    internal HashFunction(HashAlgorithm algorithm, IDigest digest)
    {
        Algorithm = algorithm;
        _digest = digest;
    }

    /// <summary>Which hash.</summary>
    public HashAlgorithm Algorithm { get; }

    /// <summary>Output length in bytes.</summary>
    public int OutputSize => _digest.GetDigestSize();

    /// <summary>Adds bytes.</summary>
    public void Update(ReadOnlySpan<byte> data) => Absorb(_digest, data);

    /// <summary>Writes the hash of everything added so far and resets.</summary>
    public void Finish(Span<byte> destination) => Final(_digest, destination);

    /// <summary>Writes the hash of everything added so far without disturbing the running state.</summary>
    public void GetCurrentHash(Span<byte> destination)
    {
        // Finish a copy of the running state in this thread's spare digest rather than a fresh clone.
        IDigest copy = Hashes.Scratch(Algorithm);
        ((IMemoable)copy).Reset((IMemoable)_digest);
        Final(copy, destination);
    }

    /// <summary>The hash of everything added so far, as a new array.</summary>
    public byte[] GetCurrentHash()
    {
        byte[] result = new byte[OutputSize];
        GetCurrentHash(result);
        return result;
    }

    /// <summary>An independent copy of the running state.</summary>
    public HashFunction Clone() => new(Algorithm, (IDigest)((IMemoable)_digest).Copy());

    internal static void Absorb(IDigest digest, ReadOnlySpan<byte> data)
    {
#if NET6_0_OR_GREATER
        digest.BlockUpdate(data);
#else
        byte[] copy = data.ToArray();
        digest.BlockUpdate(copy, 0, copy.Length);
#endif
    }

    internal static void Final(IDigest digest, Span<byte> destination)
    {
#if NET6_0_OR_GREATER
        digest.DoFinal(destination);
#else
        byte[] tmp = new byte[digest.GetDigestSize()];
        digest.DoFinal(tmp, 0);
        tmp.CopyTo(destination);
#endif
    }
}
