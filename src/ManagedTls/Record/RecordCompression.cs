using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// TLS 1.2 record compression for one direction of one connection state (RFC 5246 section 6.2.2): turns a
/// TLSPlaintext fragment into a TLSCompressed fragment before record protection seals it, and a TLSCompressed
/// fragment back into plaintext after protection opens it. A stateful method (DEFLATE) keeps one stream per
/// direction that continues across records; it must start afresh with every new connection state, so the
/// connection makes a new instance (<see cref="Create"/>) whenever it installs new keys for a direction and
/// disposes the old one, as it does with <see cref="RecordProtection"/>. Disposing wipes the history the stream
/// holds (past plaintext). Neither direction's methods allocate per record on our side.
/// Subclasses: <see cref="NullRecordCompression"/> (identity), <see cref="DeflateRecordCompression"/>.
/// Compression is off unless OP_NO_COMPRESSION is cleared on both sides (CRIME; see docs/security.md).
/// </summary>
internal abstract class RecordCompression : IDisposable
{
    private bool _disposed;

    /// <summary>The method's wire value.</summary>
    public abstract CompressionMethod Method { get; }

    /// <summary>
    /// Makes the compression for one direction of a new connection state.
    /// </summary>
    /// <exception cref="TlsAlertException"><c>internal_error</c> for a method we do not implement (the
    /// handshake never selects one).</exception>
    public static RecordCompression Create(CompressionMethod method) => method switch
    {
        CompressionMethod.Null => new NullRecordCompression(),
        CompressionMethod.Deflate => new DeflateRecordCompression(),
        _ => throw TlsAlertException.Internal($"compression method {(byte)method} is not implemented"),
    };

    /// <summary>
    /// The largest TLSCompressed fragment <see cref="Compress"/> can make from <paramref name="plaintextLength"/>
    /// bytes (never more than <see cref="RecordLimits.MaxCompressed"/>): what the destination needs.
    /// </summary>
    public abstract int MaxCompressedLength(int plaintextLength);

    /// <summary>
    /// Compresses one plaintext fragment (at most 2^14 bytes; fragment first) into <paramref name="destination"/>,
    /// which needs <see cref="MaxCompressedLength"/> bytes. For a stateful method the record continues the
    /// direction's stream, so records must be compressed in the order they are sent.
    /// </summary>
    /// <returns>The TLSCompressed fragment's length.</returns>
    /// <exception cref="TlsAlertException"><c>internal_error</c> for a fragment over 2^14 bytes, a destination that
    /// is too short, or a failure of the compressor.</exception>
    public abstract int Compress(ReadOnlySpan<byte> plaintext, Span<byte> destination);

    /// <summary>
    /// Decompresses one received TLSCompressed fragment into <paramref name="destination"/> (2^14 bytes always
    /// suffice; it may overlap <paramref name="compressed"/>). Records must be decompressed in the order they
    /// arrive. Failures are fatal to the direction: <c>record_overflow</c> for a fragment longer than the method
    /// allows, <c>decompression_failure</c> for input that does not decompress or decompresses to more than 2^14
    /// bytes.
    /// </summary>
    /// <returns>The plaintext length.</returns>
    public abstract int Decompress(ReadOnlySpan<byte> compressed, Span<byte> destination);

    /// <summary>Wipes the compression history.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Dispose(true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Subclasses wipe their state here.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Throws when disposed.</summary>
    protected void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(GetType().Name);
        }
    }

    /// <summary>Rejects plaintext longer than a record may carry (a caller error).</summary>
    protected static void CheckPlaintextLength(int length)
    {
        if (length > RecordLimits.MaxPlaintext)
        {
            throw TlsAlertException.Internal($"plaintext fragment of {length} bytes exceeds 2^14; fragment it first");
        }
    }

    /// <summary>Throws an internal error when <paramref name="destination"/> is shorter than needed.</summary>
    protected static void CheckDestination(Span<byte> destination, int needed)
    {
        if (destination.Length < needed)
        {
            throw TlsAlertException.Internal($"compression buffer of {destination.Length} bytes is smaller than the {needed} needed");
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> unless it is already there.</summary>
    protected static void Place(ReadOnlySpan<byte> source, Span<byte> target)
    {
        if (!source.IsEmpty && !System.Runtime.CompilerServices.Unsafe.AreSame(
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source),
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference((ReadOnlySpan<byte>)target)))
        {
            source.CopyTo(target);
        }
    }
}

/// <summary>
/// CompressionMethod.null: TLSCompressed is TLSPlaintext. Compressing and decompressing copy (nothing when the
/// source already sits at the destination); a received fragment over 2^14 bytes is <c>record_overflow</c>.
/// </summary>
internal sealed class NullRecordCompression : RecordCompression
{
    /// <inheritdoc />
    public override CompressionMethod Method => CompressionMethod.Null;

    /// <inheritdoc />
    public override int MaxCompressedLength(int plaintextLength) => plaintextLength;

    /// <inheritdoc />
    public override int Compress(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ThrowIfDisposed();
        CheckPlaintextLength(plaintext.Length);
        CheckDestination(destination, plaintext.Length);
        Place(plaintext, destination);
        return plaintext.Length;
    }

    /// <inheritdoc />
    public override int Decompress(ReadOnlySpan<byte> compressed, Span<byte> destination)
    {
        ThrowIfDisposed();
        if (compressed.Length > RecordLimits.MaxPlaintext)
        {
            throw new TlsAlertException(AlertDescription.RecordOverflow, $"uncompressed fragment of {compressed.Length} bytes exceeds 2^14");
        }

        CheckDestination(destination, compressed.Length);
        Place(compressed, destination);
        return compressed.Length;
    }
}
