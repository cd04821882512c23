using System.Buffers;
using ManagedTls.Crypto;
using ManagedTls.Record;

namespace ManagedTls.Ssl;

/// <summary>
/// The bytes <see cref="TlsChannel"/> has read from its transport and the engine has not yet taken: one pooled array,
/// rented for a transport read and given back (wiped: records are opened in place in it) as soon as it holds no byte
/// of a partial record. Every member is used under the <see cref="SslObject"/>'s lock.
/// </summary>
internal sealed class ChannelInput
{
    // Two records of the largest size: a transport read that starts in an empty buffer takes at most
    // Size - MaxRecordSize bytes, so a record it leaves partial can be completed where it lies, without moving it.
    private const int Size = 2 * RecordLimits.MaxRecordSize;

    private byte[]? _buffer;
    private int _start;
    private int _end;
    private int _used;   // high-water mark since the array was rented: what a release wipes

    /// <summary>True when bytes arrived (or records were left) that the engine has not looked at yet.</summary>
    public bool Fresh { get; set; }

    /// <summary>True once the transport reported its end.</summary>
    public bool Eof { get; set; }

    /// <summary>Unread bytes (at most a partial record between operations).</summary>
    public int Length => _end - _start;

    /// <summary>True while an array is held.</summary>
    public bool HoldsBuffer => _buffer is not null;

    /// <summary>The unread bytes, writable so that records can be opened in place.</summary>
    public Span<byte> Unread => _buffer is null ? Span<byte>.Empty : _buffer.AsSpan(_start, _end - _start);

    /// <summary>Marks <paramref name="count"/> bytes from the front as taken.</summary>
    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
    }

    /// <summary>
    /// Rents the array if none is held and says where the next transport read goes: right after the unread bytes, and
    /// no further than the end of a partial record whose header has arrived (so the read completes it and begins no
    /// other); a partial record is moved to the front only when it could not be completed where it lies.
    /// </summary>
    public void PrepareRead(out byte[] buffer, out int offset, out int count)
    {
        byte[] array = _buffer ??= ArrayPool<byte>.Shared.Rent(Size);
        int length = Length;
        if (length == 0)
        {
            _start = 0;
            _end = 0;
            buffer = array;
            offset = 0;
            count = array.Length - RecordLimits.MaxRecordSize;
            return;
        }

        int needed = RecordHeader.TryRead(Unread, out RecordHeader header) ? header.RecordLength - length : 0;
        if (array.Length - _end < Math.Max(needed, RecordLimits.HeaderSize))
        {
            array.AsSpan(_start, length).CopyTo(array);
            _start = 0;
            _end = length;
        }

        buffer = array;
        offset = _end;
        count = needed > 0 ? needed : array.Length - _end;
    }

    /// <summary>Adds <paramref name="count"/> bytes the transport read to where <see cref="PrepareRead"/> said.</summary>
    public void Commit(int count)
    {
        _end += count;
        _used = Math.Max(_used, _end);
        Fresh = true;
    }

    /// <summary>Wipes the used part of the array and returns it to the pool when no unread byte is left in it.</summary>
    public void ReleaseIfEmpty()
    {
        if (_buffer is not null && _start == _end)
        {
            Release();
        }
    }

    /// <summary>Wipes the used part of the array and returns it, whatever it holds (the connection is gone).</summary>
    public void Release()
    {
        if (_buffer is { } array)
        {
            CryptoUtil.Wipe(array.AsSpan(0, _used));
            ArrayPool<byte>.Shared.Return(array);
            _buffer = null;
        }

        _start = 0;
        _end = 0;
        _used = 0;
    }
}
