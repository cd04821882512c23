using System.Buffers;
using ManagedTls.Crypto;

namespace ManagedTls.Ssl;

/// <summary>
/// Python's <c>ssl.MemoryBIO</c>: a byte queue between a TLS object and whatever transport the caller drives.
/// Bytes are kept in pooled segments, so writing n bytes in pieces and reading them back costs O(n) copying and
/// returns the segments to <see cref="ArrayPool{T}.Shared"/> as they drain. Not thread-safe: use one instance
/// from one thread at a time (as Python's GIL effectively does).
/// </summary>
public sealed class MemoryBio
{
    private const int SegmentSize = 16 * 1024;

    private readonly Queue<byte[]> _segments = new();
    private int _headOffset;   // read position in the first segment
    private int _tailCount;    // bytes used in the last segment
    private long _pending;
    private bool _eofWritten;
    private byte[]? _tail;     // the last segment, where writes go

    /// <summary>Python's <c>pending</c>: bytes written and not yet read.</summary>
    public long Pending => _pending;

    /// <summary>Python's <c>eof</c>: true once <see cref="WriteEof"/> was called and every byte has been read.</summary>
    public bool Eof => _eofWritten && _pending == 0;

    /// <summary>True once <see cref="WriteEof"/> was called, whether or not every byte has been read: no more input will come.</summary>
    internal bool EofWritten => _eofWritten;

    /// <summary>Python's <c>write(buf)</c>: appends bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>How many bytes were written (always all of them).</returns>
    /// <exception cref="SslException"><see cref="WriteEof"/> was called before (Python: <c>cannot write() after write_eof()</c>).</exception>
    public int Write(ReadOnlySpan<byte> data)
    {
        if (_eofWritten)
        {
            throw new SslException("cannot write() after write_eof()");
        }

        int written = data.Length;
        while (!data.IsEmpty)
        {
            if (_tail is null || _tailCount == _tail.Length)
            {
                _tail = ArrayPool<byte>.Shared.Rent(Math.Max(SegmentSize, Math.Min(data.Length, 1 << 20)));
                _segments.Enqueue(_tail);
                _tailCount = 0;
                if (_segments.Count == 1)
                {
                    _headOffset = 0;
                }
            }

            byte[] tail = _tail;
            int n = Math.Min(tail.Length - _tailCount, data.Length);
            data.Slice(0, n).CopyTo(tail.AsSpan(_tailCount));
            _tailCount += n;
            data = data.Slice(n);
        }

        _pending += written;
        return written;
    }

    /// <summary>Python's <c>write(buf)</c> for an array.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>How many bytes were written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null (Python's <c>TypeError</c>).</exception>
    /// <exception cref="SslException"><see cref="WriteEof"/> was called before.</exception>
    public int Write(byte[] data)
    {
        if (data is null)
        {
            throw new ArgumentNullException(nameof(data), "a bytes-like object is required, not 'NoneType'");
        }

        return Write(data.AsSpan());
    }

    /// <summary>Python's <c>read(n=-1)</c>: removes and returns up to <paramref name="n"/> bytes; a negative count reads everything.</summary>
    /// <param name="n">Most bytes to return; negative for all.</param>
    /// <returns>The bytes, possibly none.</returns>
    public byte[] Read(int n = -1)
    {
        long count = n < 0 ? _pending : Math.Min(n, _pending);
        byte[] result = count == 0 ? Array.Empty<byte>() : new byte[count];
        Read(result);
        return result;
    }

    /// <summary>Removes up to <c>destination.Length</c> bytes into <paramref name="destination"/> (no allocation).</summary>
    /// <param name="destination">Where to copy.</param>
    /// <returns>How many bytes were copied.</returns>
    public int Read(Span<byte> destination)
    {
        int total = 0;
        while (!destination.IsEmpty && _pending > 0)
        {
            byte[] head = _segments.Peek();
            int end = _segments.Count == 1 ? _tailCount : head.Length;
            int n = Math.Min(end - _headOffset, destination.Length);
            head.AsSpan(_headOffset, n).CopyTo(destination);
            destination = destination.Slice(n);
            total += n;
            Advance(n, end);
        }

        return total;
    }

    /// <summary>The unread bytes of the first segment: the front of the queue, writable so that records can be opened where they lie.</summary>
    internal Span<byte> PeekHead()
    {
        if (_pending == 0)
        {
            return Span<byte>.Empty;
        }

        byte[] head = _segments.Peek();
        int end = _segments.Count == 1 ? _tailCount : head.Length;
        return head.AsSpan(_headOffset, end - _headOffset);
    }

    /// <summary>
    /// Removes <paramref name="count"/> bytes from the front of the first segment (at most what <see cref="PeekHead"/>
    /// showed); with <paramref name="opened"/> they were overwritten with plaintext and are wiped.
    /// </summary>
    internal void Consume(int count, bool opened)
    {
        if (count == 0)
        {
            return;
        }

        byte[] head = _segments.Peek();
        int end = _segments.Count == 1 ? _tailCount : head.Length;
        if (count > end - _headOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        if (opened)
        {
            CryptoUtil.Wipe(head.AsSpan(_headOffset, count));
        }

        Advance(count, end);
    }

    /// <summary>Drops <paramref name="count"/> bytes from the first segment, which ends at <paramref name="end"/>; a drained segment goes back to the pool.</summary>
    private void Advance(int count, int end)
    {
        _headOffset += count;
        _pending -= count;
        if (_headOffset == end)
        {
            ArrayPool<byte>.Shared.Return(_segments.Dequeue());
            _headOffset = 0;
            if (_segments.Count == 0)
            {
                _tail = null;
                _tailCount = 0;
            }
        }
    }

    /// <summary>Python's <c>write_eof()</c>: no more bytes will be written; <see cref="Eof"/> turns true once the rest is read. Calling it again does nothing.</summary>
    public void WriteEof() => _eofWritten = true;
}
