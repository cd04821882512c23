using BenchmarkDotNet.Attributes;
using ManagedTls.Crypto.Fast;

namespace ManagedTls.Benchmarks;

/// <summary>Where the time of a 16 KiB ChaCha20-Poly1305 record goes: ChaCha20 alone and Poly1305 alone on the
/// vector-instruction implementation.</summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ChaCha20Poly1305PartsBenchmarks
{
    private const int RecordSize = 16384;
    private readonly byte[] _key = new byte[32];
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _buffer = new byte[RecordSize];
    private readonly byte[] _tag = new byte[16];

    /// <summary>ChaCha20 over 16 KiB in place with the AVX2 eight-block path.</summary>
    [Benchmark]
    public void ChaCha20Avx2() => ChaCha20Poly1305Intrinsics.ChaCha20Xor(_key, _nonce, 1, _buffer, _buffer, useAvx2: true);

    /// <summary>ChaCha20 over 16 KiB in place with the SSSE3 four-block path.</summary>
    [Benchmark]
    public void ChaCha20Ssse3() => ChaCha20Poly1305Intrinsics.ChaCha20Xor(_key, _nonce, 1, _buffer, _buffer, useAvx2: false);

    /// <summary>Poly1305 over 16 KiB, four blocks at a time in AVX2 registers.</summary>
    [Benchmark]
    public void Poly1305Avx2() => ChaCha20Poly1305Intrinsics.Poly1305Mac(_key, _buffer, _tag, useAvx2: true);

    /// <summary>Poly1305 over 16 KiB, one block at a time in 64-bit registers.</summary>
    [Benchmark]
    public void Poly1305Scalar() => ChaCha20Poly1305Intrinsics.Poly1305Mac(_key, _buffer, _tag, useAvx2: false);
}
