using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// CompressionMethod.DEFLATE (RFC 3749): a zlib stream (RFC 1950 around RFC 1951 DEFLATE) per direction that
/// continues across the records of one connection state; every record ends with a sync flush, so each record
/// decompresses whole when it arrives. A new connection state gets a new instance, which starts a new stream
/// (with its zlib header) and forgets all history.
/// <para>
/// Limits on what the peer sends (RFC 5246 section 6.2.2): a TLSCompressed fragment over 2^14 + 1024 bytes is
/// <c>record_overflow</c>; one that decompresses to more than 2^14 bytes is <c>decompression_failure</c>, found
/// as soon as the 2^14 + 1st byte is decoded (a zip bomb costs at most that much output and work linear in its
/// fragment); anything that is not a continuation of the zlib stream is <c>decompression_failure</c>. After a
/// failure the direction is dead: every later record fails too. A record that ends the zlib stream (Z_FINISH) is
/// accepted, and anything after it fails. One check of zlib 1.2 is missing from BouncyCastle's port of zlib 1.1.3:
/// a back-reference to before the start of the stream is not refused but reads zeros from the window, which each
/// stream allocates zeroed and fills only with its own output, so nothing from another stream can come out.
/// </para>
/// <para>
/// Memory: the compressing direction holds about 256 KiB of zlib state (a 64 KiB window, hash chains and pending
/// buffer), the decompressing direction about 50 KiB (a 32 KiB window and Huffman tables), each plus two pooled
/// buffers of a record's size; each is made on first use, so a direction that is only read from never holds a
/// compressor. Our side allocates nothing per record; BouncyCastle's zlib allocates a few small arrays for each
/// dynamic Huffman block it builds or decodes (about 300 bytes for a compressed and decompressed record).
/// </para>
/// </summary>
internal sealed class DeflateRecordCompression : RecordCompression
{
    /// <summary>The sync flush marker (an empty stored block) that ends every compressed record.</summary>
    public static ReadOnlySpan<byte> SyncFlushMarker => [0x00, 0x00, 0xFF, 0xFF];

    private ZlibDeflater? _deflater;
    private ZlibInflater? _inflater;

    /// <inheritdoc />
    public override CompressionMethod Method => CompressionMethod.Deflate;

    /// <inheritdoc />
    /// <remarks>DEFLATE grows incompressible data by a few bytes per block; RFC 5246 allows up to 1024.</remarks>
    public override int MaxCompressedLength(int plaintextLength) => Math.Min(plaintextLength, RecordLimits.MaxPlaintext) + 1024;

    /// <inheritdoc />
    public override int Compress(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ThrowIfDisposed();
        CheckPlaintextLength(plaintext.Length);
        CheckDestination(destination, MaxCompressedLength(plaintext.Length));
        ZlibDeflater deflater = _deflater ??= new ZlibDeflater(RecordLimits.MaxPlaintext, RecordLimits.MaxCompressed);
        try
        {
            return deflater.Compress(plaintext, destination);
        }
        catch (InvalidOperationException e)
        {
            throw new TlsAlertException(AlertDescription.InternalError, $"record compression failed: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public override int Decompress(ReadOnlySpan<byte> compressed, Span<byte> destination)
    {
        ThrowIfDisposed();
        if (compressed.Length > RecordLimits.MaxCompressed)
        {
            throw new TlsAlertException(AlertDescription.RecordOverflow, $"compressed fragment of {compressed.Length} bytes exceeds 2^14 + 1024");
        }

        ZlibInflater inflater = _inflater ??= new ZlibInflater(RecordLimits.MaxCompressed, RecordLimits.MaxPlaintext);
        switch (inflater.Inflate(compressed, out ReadOnlySpan<byte> plaintext))
        {
            case InflateResult.Complete:
                CheckDestination(destination, plaintext.Length);
                plaintext.CopyTo(destination);
                return plaintext.Length;
            case InflateResult.LimitExceeded:
                throw new TlsAlertException(AlertDescription.DecompressionFailure, "compressed fragment decompresses to more than 2^14 bytes");
            default:
                throw new TlsAlertException(AlertDescription.DecompressionFailure, "compressed fragment is not valid DEFLATE data for this stream");
        }
    }

    /// <summary>The zlib buffers holding past plaintext, for tests that wiping reaches them.</summary>
    internal IReadOnlyList<Array> HistoryBuffers()
    {
        var buffers = new List<Array>();
        buffers.AddRange(_deflater?.HistoryBuffers() ?? Array.Empty<Array>());
        buffers.AddRange(_inflater?.HistoryBuffers() ?? Array.Empty<Array>());
        return buffers;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _deflater?.Dispose();
        _inflater?.Dispose();
        _deflater = null;
        _inflater = null;
    }
}
