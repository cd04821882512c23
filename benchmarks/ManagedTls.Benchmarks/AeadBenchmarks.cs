using BenchmarkDotNet.Attributes;
using ManagedTls.Crypto;

namespace ManagedTls.Benchmarks;

/// <summary>Raw AEAD throughput and allocation for one 16 KiB record, sealed and opened in place.</summary>
[MemoryDiagnoser]
public class AeadBenchmarks
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

    /// <summary>The algorithm, by name (the enum is internal to the library).</summary>
    [Params("Aes128Gcm", "Aes256Gcm", "ChaCha20Poly1305", "Aes128Ccm", "Aes128Ccm8")]
    public string Algorithm { get; set; } = "Aes128Gcm";

    /// <summary>Keys the AEAD and prepares a sealed record for the open benchmark.</summary>
    [GlobalSetup]
    public void Setup()
    {
        AeadAlgorithm algorithm = Enum.Parse<AeadAlgorithm>(Algorithm);
        _aead = Aeads.Create(algorithm, new byte[Aeads.KeySize(algorithm)]);
        _buffer = new byte[RecordSize + _aead.TagSize];
        _sealed = new byte[RecordSize + _aead.TagSize];
        _work = new byte[RecordSize + _aead.TagSize];
        _aead.Seal(_nonce, _aad, _buffer.AsSpan(0, RecordSize), _sealed);
    }

    /// <summary>Seals one record in place with a fresh nonce (GCM refuses a repeated one).</summary>
    [Benchmark]
    public void Seal()
    {
        _sequence++;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(_nonce.AsSpan(4), _sequence);
        _aead.Seal(_nonce, _aad, _buffer.AsSpan(0, RecordSize), _buffer);
    }

    /// <summary>Opens one record in place (from a copy of the same sealed record).</summary>
    [Benchmark]
    public bool Open()
    {
        _sealed.CopyTo(_work, 0);
        return _aead.TryOpen(ZeroNonce, _aad, _work, _work);
    }

    /// <summary>Wipes the key.</summary>
    [GlobalCleanup]
    public void Cleanup() => _aead.Dispose();
}
