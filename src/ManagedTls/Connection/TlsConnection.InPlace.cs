using ManagedTls.Record;

namespace ManagedTls.Connection;

/// <summary>The application-data path without intermediate copies: records opened where the caller's transport put them, records sent from where they were sealed.</summary>
internal sealed partial class TlsConnection
{
    /// <summary>
    /// Processes the complete records at the front of <paramref name="input"/> where they lie (opening them in place,
    /// so <paramref name="input"/> holds plaintext afterwards) and returns how many bytes they took; a partial record
    /// at the end is left for the caller to complete and offer again. Application data goes straight into
    /// <paramref name="destination"/> (<paramref name="delivered"/> bytes) once the received queue is empty; what does
    /// not fit is queued for <see cref="ReadApplicationData"/>. With a non-empty <paramref name="destination"/> the
    /// records after the one that filled it are left unprocessed in <paramref name="input"/>; with an empty one every
    /// complete record is processed. Bytes after the peer's close_notify are ignored (counted as taken).
    /// </summary>
    /// <remarks>Bytes fed earlier through <see cref="ReceiveBytes"/> and still buffered go first: then all of
    /// <paramref name="input"/> takes that path.</remarks>
    public int ReceiveRecords(Span<byte> input, Span<byte> destination, out int delivered)
    {
        ThrowIfUnusable();
        if (_deframer.BufferedLength > 0)
        {
            ReceiveBytes(input);
            delivered = ReadApplicationData(destination);
            return input.Length;
        }

        int consumed = 0;
        Span<byte> room = destination;
        try
        {
            while (!PeerClosed && (destination.IsEmpty || (!room.IsEmpty && _received.Length == 0)))
            {
                Span<byte> rest = input.Slice(consumed);
                if (!RecordDeframer.TryParse(rest, _deframer.Rules, out RecordHeader header, out int length))
                {
                    break;
                }

                consumed += length;
                ProcessRecord(new TlsRecord(header, rest.Slice(RecordLimits.HeaderSize, header.Length)), ref room);
            }

            _reassembler.ReleaseIfEmpty();
            _writer.FlushHandshake(_writeProtection, _outgoing);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(e);
        }

        delivered = destination.Length - room.Length;
        return PeerClosed ? input.Length : consumed;
    }

    /// <summary>
    /// How many more bytes the record begun in <see cref="ReceiveBytes"/> needs (the rest of its header first), or 0
    /// when no partial record is buffered: then <see cref="ReceiveRecords"/> takes records in place.
    /// </summary>
    public int PartialRecordNeeds => _deframer.BytesToCompleteRecord;

    /// <summary>The TLS bytes waiting to be sent, without taking them (see <see cref="SkipOutgoing"/>).</summary>
    public ReadOnlySpan<byte> PeekOutgoing
    {
        get
        {
            ThrowIfDisposed();
            return _outgoing.Peek;
        }
    }

    /// <summary>Drops <paramref name="count"/> bytes from the front of the outgoing bytes (after they were copied elsewhere).</summary>
    public void SkipOutgoing(int count)
    {
        ThrowIfDisposed();
        _outgoing.Skip(count);
    }

    /// <summary>
    /// Hands over the array the outgoing records were sealed into, with where they lie in it; the connection keeps
    /// nothing of it and rents a new one for the next record. The array came from <see cref="System.Buffers.ArrayPool{T}.Shared"/>
    /// and goes back there once written; it holds only what goes on the wire. False when nothing is waiting.
    /// Works after a failure, to deliver the alert.
    /// </summary>
    public bool TakeOutgoingBuffer(out byte[] array, out int offset, out int count)
    {
        ThrowIfDisposed();
        return _outgoing.Detach(out array, out offset, out count);
    }
}
