using BenchmarkDotNet.Attributes;
using ManagedTls.Crypto;

namespace ManagedTls.Benchmarks;

/// <summary>
/// ChaCha20-Poly1305 on one 16 KiB record: the vector-instruction implementation beside BouncyCastle in the same
/// run: seal in place, open (verify, then decrypt) into a second buffer.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ChaCha20Poly1305Benchmarks
{
    private const int RecordSize = 16384;
    private readonly byte[] _aad = new byte[13];
    private readonly byte[] _nonce = new byte[12];
    private IAead _aead = null!;
    private byte[] _buffer = null!;
    private byte[] _sealed = null!;
    private byte[] _work = null!;
    private static readonly byte[] ZeroNonce = new byte[12];
    private long _sequence;

    /// <summary><c>Hardware</c> (System.Runtime.Intrinsics) or <c>Portable</c> (BouncyCastle).</summary>
    [Params("Hardware", "Portable")]
    public string Implementation { get; set; } = "Hardware";

    /// <summary>Keys the AEAD and seals one record for the open benchmark.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var implementation = Enum.Parse<AeadImplementation>(Implementation);
        byte[] key = new byte[32];
        new Random(1).NextBytes(key);
        _aead = Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, key, implementation);
        _buffer = new byte[RecordSize + 16];
        _sealed = new byte[RecordSize + 16];
        _work = new byte[RecordSize + 16];
        new Random(2).NextBytes(_buffer);
        _aead.Seal(new byte[12], _aad, _buffer.AsSpan(0, RecordSize), _sealed);
    }

    /// <summary>Seals one 16 KiB record in place with a fresh nonce.</summary>
    [Benchmark]
    public void Seal()
    {
        _sequence++;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(_nonce.AsSpan(4), _sequence);
        _aead.Seal(_nonce, _aad, _buffer.AsSpan(0, RecordSize), _buffer);
    }

    /// <summary>Opens one 16 KiB record (verify, then decrypt into another buffer).</summary>
    [Benchmark]
    public bool Open() => _aead.TryOpen(ZeroNonce, _aad, _sealed, _work);

    /// <summary>Wipes the key.</summary>
    [GlobalCleanup]
    public void Cleanup() => _aead.Dispose();
}
