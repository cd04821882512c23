using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Benchmarks;

/// <summary>
/// One 16 KiB message sealed and then opened, per AES-GCM key size: the hardware implementation
/// (AES-NI, PCLMULQDQ) beside BouncyCastle (the baseline) through the same <see cref="IAead"/> calls on the
/// same buffers, and the TLS 1.3 and TLS 1.2 record layers over the implementation <c>Aeads.Create</c> picks
/// on this CPU. Ratios within one run are what to compare on a shared machine.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class AesGcmHardwareBenchmarks
{
    private const int ContentLength = 16384;
    private readonly byte[] _content = new byte[ContentLength];
    private readonly byte[] _sealed = new byte[ContentLength + 512];
    private readonly byte[] _opened = new byte[ContentLength + 512];
    private readonly byte[] _aad = [0x17, 0x03, 0x03, 0x40, 0x11];
    private readonly byte[] _nonce = new byte[12];
    private IAead _hardware = null!;
    private IAead _bouncyCastle = null!;
    private Tls13RecordProtection _sealer13 = null!;
    private Tls13RecordProtection _opener13 = null!;
    private Tls12AeadRecordProtection _sealer12 = null!;
    private Tls12AeadRecordProtection _opener12 = null!;
    private long _sequence;

    /// <summary>The AEAD, by name (the enum is internal to the library).</summary>
    [Params("Aes128Gcm", "Aes256Gcm")]
    public string Algorithm { get; set; } = "Aes128Gcm";

    /// <summary>Keys both implementations and both record layers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        AeadAlgorithm alg = Enum.Parse<AeadAlgorithm>(Algorithm);
        byte[] key = new byte[Aeads.KeySize(alg)];
        new Random(1).NextBytes(key);
        new Random(2).NextBytes(_content);
        if (!Aeads.HasHardware(alg))
        {
            throw new InvalidOperationException($"no hardware {alg} on this CPU: the comparison would be BouncyCastle against itself");
        }

        _hardware = Aeads.Create(alg, key, AeadImplementation.Hardware);
        _bouncyCastle = Aeads.Create(alg, key, AeadImplementation.Portable);
        var limits = new SequenceLimits(SequenceLimits.NoWrap, SequenceLimits.NoWrap);
        _sealer13 = new Tls13RecordProtection(alg, key, new byte[12], limits);
        _opener13 = new Tls13RecordProtection(alg, key, new byte[12], limits);
        _sealer12 = new Tls12AeadRecordProtection(alg, key, new byte[Tls12AeadRecordProtection.FixedIvSize(alg)]);
        _opener12 = new Tls12AeadRecordProtection(alg, key, new byte[Tls12AeadRecordProtection.FixedIvSize(alg)]);
    }

    private bool SealOpen(IAead aead)
    {
        BinaryPrimitives.WriteInt64BigEndian(_nonce.AsSpan(4), ++_sequence);
        aead.Seal(_nonce, _aad, _content, _sealed);
        return aead.TryOpen(_nonce, _aad, _sealed.AsSpan(0, ContentLength + 16), _opened);
    }

    /// <summary>BouncyCastle's GCM: seal then open one 16 KiB message.</summary>
    [Benchmark(Baseline = true)]
    public bool BouncyCastleSealOpen() => SealOpen(_bouncyCastle);

    /// <summary>AES-NI and PCLMULQDQ: seal then open one 16 KiB message.</summary>
    [Benchmark]
    public bool HardwareSealOpen() => SealOpen(_hardware);

    /// <summary>TLS 1.3 record layer (hardware AEAD): seal one 16 KiB record, then open it.</summary>
    [Benchmark]
    public int Tls13RecordSealOpen()
    {
        int n = _sealer13.Seal(ContentType.ApplicationData, _content, _sealed);
        _opener13.Open(ContentType.ApplicationData, 0x0303, _sealed.AsSpan(5, n - 5), out Span<byte> content);
        return content.Length;
    }

    /// <summary>TLS 1.2 record layer (hardware AEAD, explicit nonce): seal one 16 KiB record, then open it.</summary>
    [Benchmark]
    public int Tls12RecordSealOpen()
    {
        int n = _sealer12.Seal(ContentType.ApplicationData, _content, _sealed);
        _opener12.Open(ContentType.ApplicationData, 0x0303, _sealed.AsSpan(5, n - 5), out Span<byte> content);
        return content.Length;
    }

    /// <summary>Wipes the keys.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _hardware.Dispose();
        _bouncyCastle.Dispose();
        _sealer13.Dispose();
        _opener13.Dispose();
        _sealer12.Dispose();
        _opener12.Dispose();
    }
}
