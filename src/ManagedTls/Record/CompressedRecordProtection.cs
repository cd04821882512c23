using System.Buffers;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// TLS 1.2 record protection with compression in front of it (RFC 5246 section 6.2.2, RFC 3749): sealing compresses
/// the TLSPlaintext fragment into a TLSCompressed fragment and has the inner protection seal that; opening has the
/// inner protection open the TLSCiphertext and decompresses what comes out. One instance is one direction of one
/// connection state: the compression stream starts with it and is disposed (its history wiped) with it, together
/// with the inner protection, whenever the connection installs new keys.
/// <para>
/// Limits on what the peer sends: a TLSCiphertext over 2^14 + 2048 or a TLSCompressed fragment over 2^14 + 1024 is
/// <c>record_overflow</c> (the inner protection checks both, and the compression checks the second again); a
/// fragment that does not decompress, or decompresses to more than 2^14 bytes, is <c>decompression_failure</c>, found
/// once 2^14 + 1 bytes are out, so a decompression bomb costs at most that much output; a plaintext over our announced
/// record_size_limit is <c>record_overflow</c>.
/// </para>
/// <para>
/// The opened content is a view of a buffer this instance owns (2^14 bytes, pooled and wiped on dispose), valid until
/// the next <see cref="Open"/>; sealing compresses into a second such buffer. Neither allocates per record on our side.
/// </para>
/// </summary>
internal sealed class CompressedRecordProtection : RecordProtection
{
    private readonly RecordProtection _inner;
    private readonly RecordCompression _compression;
    private byte[] _compressed;
    private byte[] _plain;

    /// <summary>
    /// Puts <paramref name="compression"/> in front of <paramref name="inner"/> (a TLS 1.2 protection); both are owned
    /// from now on and disposed with this instance.
    /// </summary>
    public CompressedRecordProtection(RecordProtection inner, RecordCompression compression)
        : base(inner.Limits)
    {
        if (inner.Version != ProtocolVersion.Tls12 || !inner.IsProtected)
        {
            throw new ArgumentException("compression applies only to protected TLS 1.2 records", nameof(inner));
        }

        _inner = inner;
        _compression = compression;
        _inner.CarriesCompressedContent = true;
        SequenceNumber = inner.SequenceNumber;
        _compressed = ArrayPool<byte>.Shared.Rent(RecordLimits.MaxCompressed);
        _plain = ArrayPool<byte>.Shared.Rent(RecordLimits.MaxPlaintext);
    }

    /// <summary>The compression method in use.</summary>
    public CompressionMethod Method => _compression.Method;

    /// <inheritdoc />
    public override ProtocolVersion Version => _inner.Version;

    /// <inheritdoc />
    /// <remarks>Content placed there is read before anything is written to the record, so the zero-copy path still works.</remarks>
    public override int ContentOffset => _inner.ContentOffset;

    /// <inheritdoc />
    public override int MaxFragmentLength(int contentLength) => _inner.MaxFragmentLength(_compression.MaxCompressedLength(contentLength));

    /// <inheritdoc />
    public override int Seal(ContentType type, ReadOnlySpan<byte> content, Span<byte> destination)
    {
        CheckContentLength(content.Length);
        NextSequenceNumber();
        int length = _compression.Compress(content, _compressed);
        return _inner.Seal(type, _compressed.AsSpan(0, length), destination);
    }

    /// <summary>
    /// Seals <paramref name="compressed"/> as the record's TLSCompressed fragment as it is, past the compressor (what a
    /// hostile peer can send: a decompression bomb, a broken stream). The stream this side compresses with is then out of
    /// step with what the peer decompresses; it is meant for the adversarial test kit.
    /// </summary>
    internal int SealCompressed(ContentType type, ReadOnlySpan<byte> compressed, Span<byte> destination)
    {
        NextSequenceNumber();
        return _inner.Seal(type, compressed, destination);
    }

    /// <inheritdoc />
    public override ContentType Open(ContentType outerType, ushort legacyVersion, Span<byte> fragment, out Span<byte> content)
    {
        NextSequenceNumber();
        ContentType type = _inner.Open(outerType, legacyVersion, fragment, out Span<byte> compressed);
        int length = _compression.Decompress(compressed, _plain);
        content = _plain.AsSpan(0, length);
        RecordRules.CheckContent(type, length, MaxReceivePlaintext);
        return type;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _compression.Dispose();
        _inner.Dispose();
        Release(ref _compressed);
        Release(ref _plain);
    }

    private static void Release(ref byte[] buffer)
    {
        if (buffer.Length != 0)
        {
            CryptoUtil.Wipe(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = Array.Empty<byte>();
        }
    }
}
