using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Utilities;

namespace ManagedTls.Crypto;

/// <summary>
/// HMAC (RFC 2104) over <see cref="HashAlgorithm"/>, keyed once and reusable.
/// <code>
/// HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m))
/// </code>
/// where K0 is the key hashed if longer than the hash's block, then zero-padded to the block. The two padded
/// key blocks are absorbed once when the key is set and kept as saved hash states; every MAC then restarts
/// from those states by copying them in place, so computing a MAC allocates nothing. One-shot callers
/// (<see cref="Compute"/>, HKDF) rent a per-thread instance with <see cref="Rent"/> and hand it back with
/// <see cref="Return"/>, which wipes the key-dependent states.
/// </summary>
internal sealed class Hmac
{
    private const byte Ipad = 0x36;
    private const byte Opad = 0x5C;

    [ThreadStatic]
    private static Hmac?[]? _pool;

    private readonly IDigest _work;
    private readonly IDigest _inner;
    private readonly IDigest _outer;
    private readonly int _blockSize;
#if !NET6_0_OR_GREATER
    private readonly byte[] _scratch;
#endif

    /// <summary>Creates an HMAC with the given key.</summary>
    public Hmac(HashAlgorithm algorithm, ReadOnlySpan<byte> key)
        : this(algorithm)
    {
        SetKey(key);
    }

    private Hmac(HashAlgorithm algorithm)
    {
        Algorithm = algorithm;
        _work = Hashes.CreateDigest(algorithm);
        _inner = Hashes.CreateDigest(algorithm);
        _outer = Hashes.CreateDigest(algorithm);
        _blockSize = _work.GetByteLength();
        OutputSize = _work.GetDigestSize();
#if !NET6_0_OR_GREATER
        _scratch = new byte[_blockSize];
#endif
    }

    /// <summary>Which hash.</summary>
    public HashAlgorithm Algorithm { get; }

    /// <summary>MAC length in bytes.</summary>
    public int OutputSize { get; }

    /// <summary>
    /// A keyed instance for one computation, reused per thread and algorithm. Give it back with
    /// <see cref="Return"/> when done; an instance that is not returned is simply collected.
    /// </summary>
    public static Hmac Rent(HashAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        Hmac?[] pool = _pool ??= new Hmac?[4];
        int index = (int)algorithm;
        Hmac? mac = (uint)index < (uint)pool.Length ? pool[index] : null;
        if (mac is null)
        {
            return new Hmac(algorithm, key);
        }

        pool[index] = null;
        mac.SetKey(key);
        return mac;
    }

    /// <summary>Wipes the key-dependent state of a rented instance and keeps it for the next <see cref="Rent"/> on this thread.</summary>
    public static void Return(Hmac mac)
    {
        mac.Clear();
        Hmac?[] pool = _pool ??= new Hmac?[4];
        int index = (int)mac.Algorithm;
        if ((uint)index < (uint)pool.Length)
        {
            pool[index] = mac;
        }
    }

    /// <summary>Sets a new key, discarding anything added since the last <see cref="Finish"/>.</summary>
    public void SetKey(ReadOnlySpan<byte> key)
    {
        Span<byte> block = stackalloc byte[128];
        block = block.Slice(0, _blockSize);
        block.Clear();
        if (key.Length > _blockSize)
        {
            _work.Reset();
            Absorb(_work, key);
            Final(_work, block);
        }
        else
        {
            key.CopyTo(block);
        }

        for (int i = 0; i < block.Length; i++)
        {
            block[i] ^= Ipad;
        }

        _inner.Reset();
        Absorb(_inner, block);
        for (int i = 0; i < block.Length; i++)
        {
            block[i] ^= Ipad ^ Opad;
        }

        _outer.Reset();
        Absorb(_outer, block);
        CryptoUtil.Wipe(block);
        Restart();
    }

    /// <summary>Adds bytes.</summary>
    public void Update(ReadOnlySpan<byte> data) => Absorb(_work, data);

    /// <summary>Writes the MAC and resets to the keyed initial state.</summary>
    public void Finish(Span<byte> destination)
    {
        if (destination.Length < OutputSize)
        {
            throw new ArgumentException("MAC destination too small", nameof(destination));
        }

        Span<byte> innerHash = stackalloc byte[64];
        innerHash = innerHash.Slice(0, OutputSize);
        Final(_work, innerHash);
        ((IMemoable)_work).Reset((IMemoable)_outer);
        Absorb(_work, innerHash);
        Final(_work, destination);
        CryptoUtil.Wipe(innerHash);
        Restart();
    }

    /// <summary>Discards anything added since the last <see cref="Finish"/>.</summary>
    public void Reset() => Restart();

    /// <summary>One-shot HMAC.</summary>
    public static void Compute(HashAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CryptoOperationLog.Note(CryptoOperationKind.Hmac, algorithm, data.Length);
        Hmac mac = Rent(algorithm, key);
        mac.Update(data);
        mac.Finish(destination);
        Return(mac);
    }

    private void Restart() => ((IMemoable)_work).Reset((IMemoable)_inner);

    /// <summary>Returns every hash state to the hash's initial value, so nothing derived from the key stays behind.</summary>
    private void Clear()
    {
        _work.Reset();
        _inner.Reset();
        _outer.Reset();
    }

    private void Absorb(IDigest digest, ReadOnlySpan<byte> data)
    {
#if NET6_0_OR_GREATER
        digest.BlockUpdate(data);
#else
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, _scratch.Length);
            data.Slice(0, n).CopyTo(_scratch);
            digest.BlockUpdate(_scratch, 0, n);
            data = data.Slice(n);
        }

        Array.Clear(_scratch, 0, _scratch.Length);
#endif
    }

    private void Final(IDigest digest, Span<byte> destination)
    {
#if NET6_0_OR_GREATER
        digest.DoFinal(destination);
#else
        int size = digest.GetDigestSize();
        digest.DoFinal(_scratch, 0);
        _scratch.AsSpan(0, size).CopyTo(destination);
        Array.Clear(_scratch, 0, _scratch.Length);
#endif
    }
}
