using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// Protection for one direction of a connection under one set of keys: seals outgoing records and opens
/// incoming ones, counting the 64-bit sequence number. Sealing writes a complete record (header and
/// protected fragment) into a caller-provided buffer; opening works in place on the received fragment and
/// hands back the content as a slice of it. Neither allocates per record on net8.0 and later.
/// Subclasses: <c>PlaintextRecordProtection</c> (no keys yet), <c>Tls13RecordProtection</c>,
/// <c>Tls12AeadRecordProtection</c>, <c>Tls12CbcRecordProtection</c>, and <c>CompressedRecordProtection</c> in front
/// of one of the last two when TLS 1.2 compression was negotiated.
/// </summary>
internal abstract class RecordProtection : IDisposable
{
    private bool _disposed;
    private int _maxReceivePlaintext = RecordLimits.MaxPlaintext;

    /// <summary>Creates the base with the given sequence limits.</summary>
    protected RecordProtection(SequenceLimits limits)
    {
        Limits = limits;
    }

    /// <summary>The protocol these keys belong to (TLS 1.2 or 1.3).</summary>
    public abstract ProtocolVersion Version { get; }

    /// <summary>True when records are encrypted and authenticated; false for <c>PlaintextRecordProtection</c>.</summary>
    public virtual bool IsProtected => true;

    /// <summary>The sequence number the next sealed or opened record will use.</summary>
    public ulong SequenceNumber { get; internal set; }

    /// <summary>
    /// Largest plaintext accepted by <see cref="Open"/>: 2^14, or lower when we announced a record_size_limit
    /// (RFC 8449; in TLS 1.3 the announced limit minus one, since it counts the content type byte).
    /// Anything larger is <c>record_overflow</c>.
    /// </summary>
    public int MaxReceivePlaintext
    {
        get => _maxReceivePlaintext;
        set => _maxReceivePlaintext = value >= 1 && value <= RecordLimits.MaxPlaintext
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), "plaintext limit must be between 1 and 2^14");
    }

    /// <summary>The limits in force for these keys.</summary>
    public SequenceLimits Limits { get; }

    /// <summary>
    /// True when the content sealed and opened is a TLSCompressed fragment (<see cref="CompressedRecordProtection"/>
    /// sits in front): content may then be up to 2^14 + 1024 bytes (RFC 5246 section 6.2.2), and the plaintext limits
    /// apply after decompression instead.
    /// </summary>
    internal bool CarriesCompressedContent { get; set; }

    /// <summary>The longest content <see cref="Seal"/> accepts: 2^14, or 2^14 + 1024 for compressed content.</summary>
    protected int MaxSealContent => CarriesCompressedContent ? RecordLimits.MaxCompressed : RecordLimits.MaxPlaintext;

    /// <summary>The longest content <see cref="Open"/> accepts: <see cref="MaxReceivePlaintext"/>, or 2^14 + 1024 for compressed content.</summary>
    protected int MaxOpenContent => CarriesCompressedContent ? RecordLimits.MaxCompressed : MaxReceivePlaintext;

    /// <summary>
    /// True once the sequence number has reached <see cref="SequenceLimits.KeyUpdateThreshold"/>: the engine
    /// should replace these keys (TLS 1.3 KeyUpdate) or close the connection before <see cref="IsExhausted"/>.
    /// </summary>
    public bool NeedsKeyUpdate => SequenceNumber >= Limits.KeyUpdateThreshold;

    /// <summary>True once no further record may be sealed or opened with these keys.</summary>
    public bool IsExhausted => SequenceNumber >= Limits.Limit;

    /// <summary>The largest fragment length a record sealed from <paramref name="contentLength"/> bytes can have.</summary>
    public abstract int MaxFragmentLength(int contentLength);

    /// <summary>The largest complete record (header included) sealed from <paramref name="contentLength"/> bytes.</summary>
    public int MaxRecordLength(int contentLength) => RecordLimits.HeaderSize + MaxFragmentLength(contentLength);

    /// <summary>
    /// Protects <paramref name="content"/> (at most 2^14 bytes) as one record of type <paramref name="type"/>
    /// and writes the complete record into <paramref name="destination"/>, which needs
    /// <see cref="MaxRecordLength"/> bytes. <paramref name="content"/> may already sit in
    /// <paramref name="destination"/> at the offset where the record's content goes (see
    /// <see cref="ContentOffset"/>), which saves a copy; any other overlap is also handled.
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    public abstract int Seal(ContentType type, ReadOnlySpan<byte> content, Span<byte> destination);

    /// <summary>Where, in a sealed record, the content starts (header and any explicit nonce or IV before it).</summary>
    public abstract int ContentOffset { get; }

    /// <summary>
    /// Verifies and decrypts a received record in place. <paramref name="outerType"/> and
    /// <paramref name="legacyVersion"/> are the header's values; <paramref name="fragment"/> is the record's
    /// fragment and is overwritten. On success returns the (inner) content type and sets
    /// <paramref name="content"/> to the plaintext, a slice of <paramref name="fragment"/>. Failures throw
    /// <see cref="TlsAlertException"/>: <c>bad_record_mac</c> for anything that does not authenticate,
    /// <c>record_overflow</c> and <c>unexpected_message</c> as the RFCs say.
    /// </summary>
    public abstract ContentType Open(ContentType outerType, ushort legacyVersion, Span<byte> fragment, out Span<byte> content);

    /// <summary>Wipes the keys.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Dispose(true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Subclasses wipe their key material here.</summary>
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

    /// <summary>Returns the sequence number for this record and advances it; refuses once the limit is reached.</summary>
    protected ulong NextSequenceNumber()
    {
        ThrowIfDisposed();
        ulong seq = SequenceNumber;
        if (seq >= Limits.Limit)
        {
            throw TlsAlertException.Internal($"record sequence number limit ({Limits.Limit}) reached: these keys must not be used again");
        }

        SequenceNumber = seq + 1;
        return seq;
    }

    /// <summary>Copies content to where it belongs in the record unless it is already there.</summary>
    protected static void PlaceContent(ReadOnlySpan<byte> content, Span<byte> target)
    {
        if (!content.IsEmpty && !System.Runtime.CompilerServices.Unsafe.AreSame(
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(content),
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference((ReadOnlySpan<byte>)target)))
        {
            content.CopyTo(target);
        }
    }

    /// <summary>Rejects content longer than a record may carry (a caller error).</summary>
    protected static void CheckContentLength(int length, int max = RecordLimits.MaxPlaintext)
    {
        if (length > max)
        {
            throw TlsAlertException.Internal($"record content of {length} bytes exceeds {max}; fragment it first");
        }
    }

    /// <summary>Throws an internal error when <paramref name="destination"/> is shorter than needed.</summary>
    protected static void CheckDestination(Span<byte> destination, int needed)
    {
        if (destination.Length < needed)
        {
            throw TlsAlertException.Internal($"record buffer of {destination.Length} bytes is smaller than the {needed} needed");
        }
    }

    /// <summary>The <c>bad_record_mac</c> alert.</summary>
    protected static TlsAlertException BadRecordMac() => new(AlertDescription.BadRecordMac, "record authentication failed");
}
