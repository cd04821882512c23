using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Benchmarks;

/// <summary>The AEADs of the TLS 1.3 suites (a public mirror of the engine's internal enum, for [Params]).</summary>
public enum RecordAead
{
    /// <summary>TLS_AES_128_GCM_SHA256.</summary>
    Aes128Gcm,
    /// <summary>TLS_AES_256_GCM_SHA384.</summary>
    Aes256Gcm,
    /// <summary>TLS_CHACHA20_POLY1305_SHA256.</summary>
    ChaCha20Poly1305,
    /// <summary>TLS_AES_128_CCM_SHA256.</summary>
    Aes128Ccm,
    /// <summary>TLS_AES_128_CCM_8_SHA256.</summary>
    Aes128Ccm8,
}

/// <summary>
/// Sealing and opening one 16 KiB TLS 1.3 record through <see cref="Tls13RecordProtection"/>, beside the
/// same AEAD from BouncyCastle used directly on the same buffers (the baseline), so the record layer's own
/// cost (nonce, header, inner content type, padding scan, checks) is the difference between the rows.
/// Open rows first copy the sealed record into the work buffer (both rows alike), since opening is in place.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class Tls13RecordBenchmarks
{
    private const int ContentLength = 16384;
    private readonly byte[] _content = new byte[ContentLength];
    private readonly byte[] _record = new byte[ContentLength + 512];
    private readonly byte[] _sealedRecord = new byte[ContentLength + 512];
    private readonly byte[] _rawSealed = new byte[ContentLength + 16];
    private readonly byte[] _aad = [0x17, 0x03, 0x03, 0x40, 0x11];
    private readonly byte[][] _nonces = [new byte[12], new byte[12]];
    private readonly byte[] _openNonce = new byte[12];
    private Tls13RecordProtection _sealer = null!;
    private Tls13RecordProtection _opener = null!;
    private IAeadCipher _rawSealer = null!;
    private IAeadCipher _rawOpener = null!;
    private int _sealedLength;
    private int _rawSealedLength;
    private int _tagBits;
    private ulong _counter;

    /// <summary>The AEAD.</summary>
    [Params(RecordAead.Aes128Gcm, RecordAead.Aes256Gcm, RecordAead.ChaCha20Poly1305, RecordAead.Aes128Ccm, RecordAead.Aes128Ccm8)]
    public RecordAead Aead { get; set; }

    /// <summary>Keys everything and seals the record the open rows decrypt.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var alg = (AeadAlgorithm)(int)Aead;
        byte[] key = new byte[Crypto.Aeads.KeySize(alg)];
        new Random(1).NextBytes(key);
        new Random(2).NextBytes(_content);
        byte[] iv = new byte[12];
        var limits = new SequenceLimits(SequenceLimits.NoWrap, SequenceLimits.NoWrap);
        _sealer = new Tls13RecordProtection(alg, key, iv, limits);
        _opener = new Tls13RecordProtection(alg, key, iv, limits);
        _sealedLength = _sealer.Seal(ContentType.ApplicationData, _content, _sealedRecord);

        _tagBits = Crypto.Aeads.TagSize(alg) * 8;
        _rawSealer = CreateRaw(alg);
        _rawOpener = CreateRaw(alg);
        _rawSealer.Init(true, new AeadParameters(new KeyParameter(key), _tagBits, NextNonce()));
        _rawSealer.ProcessAadBytes(_aad);
        int n = _rawSealer.ProcessBytes(_content, _rawSealed);
        _rawSealedLength = n + _rawSealer.DoFinal(_rawSealed.AsSpan(n));
        _nonces[_counter % 2].CopyTo(_openNonce, 0);
        _rawOpener.Init(false, new AeadParameters(new KeyParameter(key), _tagBits, _openNonce));
    }

    /// <summary>Disposes the protections.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }

    /// <summary>BouncyCastle AEAD alone: encrypt 16 KiB with a fresh nonce.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Seal")]
    public int BouncyCastleSeal()
    {
        _rawSealer.Init(true, new AeadParameters(null, _tagBits, NextNonce()));
        _rawSealer.ProcessAadBytes(_aad);
        int n = _rawSealer.ProcessBytes(_content, _record);
        return n + _rawSealer.DoFinal(_record.AsSpan(n));
    }

    /// <summary>A complete TLS 1.3 record: header, inner content type, nonce from the sequence number, AEAD.</summary>
    [Benchmark]
    [BenchmarkCategory("Seal")]
    public int RecordSeal() => _sealer.Seal(ContentType.ApplicationData, _content, _record);

    /// <summary>BouncyCastle AEAD alone: copy the sealed bytes in, verify and decrypt in place.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Open")]
    public int BouncyCastleOpen()
    {
        _rawSealed.AsSpan(0, _rawSealedLength).CopyTo(_record);
        _rawOpener.Init(false, new AeadParameters(null, _tagBits, _openNonce));
        _rawOpener.ProcessAadBytes(_aad);
        Span<byte> data = _record.AsSpan(0, _rawSealedLength);
        int n = _rawOpener.ProcessBytes(data, data);
        return n + _rawOpener.DoFinal(data.Slice(n));
    }

    /// <summary>A complete TLS 1.3 record: copy in, open in place, strip the inner content type.</summary>
    [Benchmark]
    [BenchmarkCategory("Open")]
    public int RecordOpen()
    {
        _sealedRecord.AsSpan(0, _sealedLength).CopyTo(_record);
        _opener.SequenceNumber = 0;
        _opener.Open(ContentType.ApplicationData, 0x0303, _record.AsSpan(5, _sealedLength - 5), out Span<byte> content);
        return content.Length;
    }

    private static IAeadCipher CreateRaw(AeadAlgorithm alg) => alg switch
    {
        AeadAlgorithm.Aes128Gcm or AeadAlgorithm.Aes256Gcm => new GcmBlockCipher(AesUtilities.CreateEngine()),
        AeadAlgorithm.ChaCha20Poly1305 => new ChaCha20Poly1305(),
        _ => new CcmBlockCipher(AesUtilities.CreateEngine()),
    };

    /// <summary>
    /// A fresh nonce without allocating: BouncyCastle keeps a reference to the last encryption nonce to refuse
    /// reuse, so two arrays take turns.
    /// </summary>
    private byte[] NextNonce()
    {
        _counter++;
        byte[] nonce = _nonces[_counter % 2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), _counter);
        return nonce;
    }
}

/// <summary>The TLS 1.2 record protections on 16 KiB records.</summary>
public enum Tls12Protection
{
    /// <summary>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (RFC 5288).</summary>
    Aes128Gcm,
    /// <summary>TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (RFC 7905).</summary>
    ChaCha20Poly1305,
    /// <summary>TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, MAC-then-encrypt with the Lucky Thirteen defence.</summary>
    Aes128CbcSha256,
    /// <summary>The same suite with encrypt_then_mac (RFC 7366).</summary>
    Aes128CbcSha256Etm,
}

/// <summary>Sealing and opening one 16 KiB TLS 1.2 record.</summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class Tls12RecordBenchmarks
{
    private const int ContentLength = 16384;
    private readonly byte[] _content = new byte[ContentLength];
    private readonly byte[] _record = new byte[ContentLength + 2048];
    private readonly byte[] _sealedRecord = new byte[ContentLength + 2048];
    private RecordProtection _sealer = null!;
    private RecordProtection _opener = null!;
    private int _sealedLength;

    /// <summary>The protection.</summary>
    [Params(Tls12Protection.Aes128Gcm, Tls12Protection.ChaCha20Poly1305, Tls12Protection.Aes128CbcSha256, Tls12Protection.Aes128CbcSha256Etm)]
    public Tls12Protection Protection { get; set; }

    /// <summary>Keys both sides and seals the record the open row decrypts.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new Random(2).NextBytes(_content);
        _sealer = Create();
        _opener = Create();
        _sealedLength = _sealer.Seal(ContentType.ApplicationData, _content, _sealedRecord);
    }

    /// <summary>Disposes the protections.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }

    /// <summary>Seal one record.</summary>
    [Benchmark]
    public int Seal() => _sealer.Seal(ContentType.ApplicationData, _content, _record);

    /// <summary>Copy the sealed record in and open it in place.</summary>
    [Benchmark]
    public int Open()
    {
        _sealedRecord.AsSpan(0, _sealedLength).CopyTo(_record);
        _opener.SequenceNumber = 0;
        _opener.Open(ContentType.ApplicationData, 0x0303, _record.AsSpan(5, _sealedLength - 5), out Span<byte> content);
        return content.Length;
    }

    private RecordProtection Create()
    {
        byte[] key16 = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        byte[] key32 = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var limits = new SequenceLimits(SequenceLimits.NoWrap, SequenceLimits.NoWrap);
        return Protection switch
        {
            Tls12Protection.Aes128Gcm => new Tls12AeadRecordProtection(AeadAlgorithm.Aes128Gcm, key16, key16.AsSpan(0, 4), limits),
            Tls12Protection.ChaCha20Poly1305 => new Tls12AeadRecordProtection(AeadAlgorithm.ChaCha20Poly1305, key32, key32.AsSpan(0, 12), limits),
            Tls12Protection.Aes128CbcSha256 => new Tls12CbcRecordProtection(key16, HashAlgorithm.Sha256, key32, false, limits: limits),
            _ => new Tls12CbcRecordProtection(key16, HashAlgorithm.Sha256, key32, true, limits: limits),
        };
    }
}
