using System.Buffers;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// The outbound side of framing: splits content into records of at most <see cref="MaxFragmentLength"/>
/// bytes and seals each with the current <see cref="RecordProtection"/> straight into an
/// <see cref="IBufferWriter{T}"/>. Handshake messages are queued with <see cref="QueueHandshake"/> and
/// coalesced: a flight of small messages shares records, a large message spans several (RFC 8446 section 5.1).
/// </summary>
internal sealed class RecordWriter : IDisposable
{
    private int _maxFragmentLength = RecordLimits.MaxPlaintext;
    private byte[] _pending = Array.Empty<byte>();
    private int _pendingLength;

    /// <summary>
    /// Largest content per record: 2^14, or less once the peer announced a record_size_limit (see
    /// <see cref="RecordLimits.MaxFragmentLength"/>).
    /// </summary>
    public int MaxFragmentLength
    {
        get => _maxFragmentLength;
        set => _maxFragmentLength = value >= 1 && value <= RecordLimits.MaxPlaintext
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), "fragment length must be between 1 and 2^14");
    }

    /// <summary>True when queued handshake bytes wait for <see cref="FlushHandshake"/>.</summary>
    public bool HasPendingHandshake => _pendingLength > 0;

    /// <summary>How many records <paramref name="length"/> bytes of content take at <paramref name="maxFragment"/> bytes each.</summary>
    public static int RecordCount(int length, int maxFragment) => length == 0 ? 0 : ((length - 1) / maxFragment) + 1;

    /// <summary>
    /// Seals <paramref name="content"/> as records of <paramref name="type"/>, splitting it at
    /// <see cref="MaxFragmentLength"/>, and appends them to <paramref name="output"/>. Empty content writes nothing.
    /// </summary>
    /// <returns>The number of records written.</returns>
    public int Write(ContentType type, ReadOnlySpan<byte> content, RecordProtection protection, IBufferWriter<byte> output)
    {
        int records = 0;
        while (!content.IsEmpty)
        {
            int n = Math.Min(content.Length, _maxFragmentLength);
            ReadOnlySpan<byte> piece = content.Slice(0, n);
            Span<byte> destination = output.GetSpan(protection.MaxRecordLength(n));
            int written = protection.Seal(type, piece, destination);
            output.Advance(written);
            content = content.Slice(n);
            records++;
        }

        return records;
    }

    /// <summary>Queues one encoded handshake message (type, u24 length, body) for the next flush.</summary>
    public void QueueHandshake(ReadOnlySpan<byte> encodedMessage)
    {
        if (_pending.Length - _pendingLength < encodedMessage.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_pending.Length * 2, 4096), _pendingLength + encodedMessage.Length));
            int length = _pendingLength;
            _pending.AsSpan(0, length).CopyTo(bigger);
            ReturnPending();
            _pending = bigger;
            _pendingLength = length;
        }

        encodedMessage.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += encodedMessage.Length;
    }

    /// <summary>
    /// Seals everything queued as handshake records under <paramref name="protection"/>. Call before switching
    /// write keys: a handshake record never carries messages protected under two different keys. The queue's
    /// buffer goes back to the pool (wiped) once flushed, so an idle connection keeps none.
    /// </summary>
    /// <returns>The number of records written.</returns>
    public int FlushHandshake(RecordProtection protection, IBufferWriter<byte> output)
    {
        if (_pendingLength == 0)
        {
            return 0;
        }

        int records = Write(ContentType.Handshake, _pending.AsSpan(0, _pendingLength), protection, output);
        ReturnPending();
        return records;
    }

    /// <summary>Wipes and returns the queue buffer.</summary>
    public void Dispose() => ReturnPending();

    private void ReturnPending()
    {
        if (_pending.Length != 0)
        {
            CryptoUtil.Wipe(_pending.AsSpan(0, _pendingLength));
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = Array.Empty<byte>();
        }

        _pendingLength = 0;
    }
}
