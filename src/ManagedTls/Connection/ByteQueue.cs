using System.Buffers;
using ManagedTls.Crypto;

namespace ManagedTls.Connection;

/// <summary>
/// A first-in first-out byte buffer over one pooled array: written through <see cref="IBufferWriter{T}"/>
/// (records are sealed straight into it), read by copying out. Wiped when it shrinks back or is disposed,
/// since it holds plaintext. The array is rented when bytes are first written and goes back to the pool as soon as
/// the queue is empty again, so an idle connection keeps none.
/// </summary>
internal sealed class ByteQueue : IBufferWriter<byte>, IDisposable
{
    private readonly int _initialCapacity;
    private byte[] _buffer = [];
    private int _start;
    private int _end;

    /// <summary>Creates a queue that rents room for <paramref name="initialCapacity"/> bytes when first written to.</summary>
    public ByteQueue(int initialCapacity = 4096)
    {
        _initialCapacity = initialCapacity;
    }

    /// <summary>True while the queue holds a pooled array (it has none while empty).</summary>
    public bool HoldsBuffer => _buffer.Length != 0;

    /// <summary>Bytes waiting to be read.</summary>
    public int Length => _end - _start;

    /// <summary>The waiting bytes, without consuming them.</summary>
    public ReadOnlySpan<byte> Peek => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Appends <paramref name="data"/>.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetSpan(data.Length));
        Advance(data.Length);
    }

    /// <summary>Copies up to <paramref name="destination"/>.Length bytes out and consumes them.</summary>
    public int Read(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, Length);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        return Skip(n);
    }

    /// <summary>Consumes (and wipes) up to <paramref name="count"/> bytes without copying them; returns how many.</summary>
    public int Skip(int count)
    {
        int n = Math.Min(Math.Max(count, 0), Length);
        CryptoUtil.Wipe(_buffer.AsSpan(_start, n));
        _start += n;
        if (_start == _end)
        {
            // Every byte written was wiped as it was consumed (and a compaction wipes what it leaves behind).
            ReturnBuffer();
        }

        return n;
    }

    /// <summary>
    /// Gives away the array with the waiting bytes (at <paramref name="offset"/>, <paramref name="count"/> long) and
    /// leaves the queue empty, holding no array; false, with nothing given, when no byte waits. The array came from
    /// <see cref="ArrayPool{T}.Shared"/>: whoever takes it returns it there (wiped first if the bytes are secret).
    /// </summary>
    public bool Detach(out byte[] array, out int offset, out int count)
    {
        if (Length == 0)
        {
            array = [];
            offset = 0;
            count = 0;
            return false;
        }

        array = _buffer;
        offset = _start;
        count = Length;
        _buffer = [];
        _start = 0;
        _end = 0;
        return true;
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if (count < 0 || _end + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _end += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_end);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_end);
    }

    /// <summary>Wipes and returns the array.</summary>
    public void Dispose()
    {
        if (_buffer.Length != 0)
        {
            CryptoUtil.Wipe(_buffer.AsSpan(0, _end));
        }

        ReturnBuffer();
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        _start = 0;
        _end = 0;
    }

    private void Ensure(int size)
    {
        if (_buffer.Length - _end >= size)
        {
            return;
        }

        int length = Length;
        if (_buffer.Length - length >= size && _start > 0)
        {
            _buffer.AsSpan(_start, length).CopyTo(_buffer);
            CryptoUtil.Wipe(_buffer.AsSpan(length, _end - length));
        }
        else
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_buffer.Length * 2, _initialCapacity), length + size));
            _buffer.AsSpan(_start, length).CopyTo(bigger);
            if (_buffer.Length != 0)
            {
                CryptoUtil.Wipe(_buffer.AsSpan(0, _end));
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = bigger;
        }

        _start = 0;
        _end = length;
    }
}
