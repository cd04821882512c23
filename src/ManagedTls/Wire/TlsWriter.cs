using System.Buffers;
using System.Buffers.Binary;

namespace ManagedTls.Wire;

/// <summary>Where a length-prefixed vector started, returned by <c>TlsWriter.BeginVectorN</c>.</summary>
internal readonly struct VectorMark
{
    internal VectorMark(int start, int prefixBytes)
    {
        Start = start;
        PrefixBytes = prefixBytes;
    }

    /// <summary>Offset of the length prefix.</summary>
    public int Start { get; }

    /// <summary>Size of the length prefix: 1, 2 or 3 bytes.</summary>
    public int PrefixBytes { get; }
}

/// <summary>
/// A growable writer over a pooled buffer for TLS presentation-language bytes. Vectors are written by
/// reserving the length prefix (<see cref="BeginVector16"/>), writing the content and back-patching the
/// length (<see cref="EndVector"/>), which also checks the vector's bounds: producing an out-of-range
/// vector is a local bug, reported as <c>internal_error</c>. Also an <see cref="IBufferWriter{T}"/>, so
/// other encoders can write into it directly. Dispose returns the (cleared) buffer to the pool.
/// </summary>
internal sealed class TlsWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with at least <paramref name="initialCapacity"/> bytes reserved.</summary>
    public TlsWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far (valid until the next write).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The bytes written so far (valid until the next write).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>Copies the written bytes into a new array.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Forgets everything written (clearing it), keeping the buffer.</summary>
    public void Reset()
    {
        _buffer.AsSpan(0, _length).Clear();
        _length = 0;
    }

    /// <summary>Copies the written bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(IBufferWriter<byte> destination)
    {
        Span<byte> span = destination.GetSpan(_length);
        WrittenSpan.CopyTo(span);
        destination.Advance(_length);
    }

    /// <summary>Writes one byte.</summary>
    public void WriteUInt8(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    /// <summary>Writes a big-endian 16-bit value.</summary>
    public void WriteUInt16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    /// <summary>Writes a big-endian 24-bit value.</summary>
    public void WriteUInt24(int value)
    {
        if ((uint)value > 0xFFFFFF)
        {
            throw TlsAlertException.Internal($"uint24 value {value} out of range");
        }

        Ensure(3);
        _buffer[_length] = (byte)(value >> 16);
        _buffer[_length + 1] = (byte)(value >> 8);
        _buffer[_length + 2] = (byte)value;
        _length += 3;
    }

    /// <summary>Writes a big-endian 32-bit value.</summary>
    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    /// <summary>Writes raw bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> data)
    {
        Ensure(data.Length);
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    /// <summary>Writes <paramref name="count"/> zero bytes.</summary>
    public void WriteZeros(int count)
    {
        Ensure(count);
        _buffer.AsSpan(_length, count).Clear();
        _length += count;
    }

    /// <summary>Writes an opaque vector with a one-byte length prefix.</summary>
    public void WriteVector8(ReadOnlySpan<byte> data, string field, int min = 0, int max = 0xFF)
    {
        CheckBounds(data.Length, field, min, max);
        WriteUInt8((byte)data.Length);
        WriteBytes(data);
    }

    /// <summary>Writes an opaque vector with a two-byte length prefix.</summary>
    public void WriteVector16(ReadOnlySpan<byte> data, string field, int min = 0, int max = 0xFFFF)
    {
        CheckBounds(data.Length, field, min, max);
        WriteUInt16((ushort)data.Length);
        WriteBytes(data);
    }

    /// <summary>Writes an opaque vector with a three-byte length prefix.</summary>
    public void WriteVector24(ReadOnlySpan<byte> data, string field, int min = 0, int max = 0xFFFFFF)
    {
        CheckBounds(data.Length, field, min, max);
        WriteUInt24(data.Length);
        WriteBytes(data);
    }

    /// <summary>Reserves a one-byte length prefix; close with <see cref="EndVector"/>.</summary>
    public VectorMark BeginVector8() => Reserve(1);

    /// <summary>Reserves a two-byte length prefix; close with <see cref="EndVector"/>.</summary>
    public VectorMark BeginVector16() => Reserve(2);

    /// <summary>Reserves a three-byte length prefix; close with <see cref="EndVector"/>.</summary>
    public VectorMark BeginVector24() => Reserve(3);

    /// <summary>Back-patches the length of the vector started at <paramref name="mark"/>, checking its bounds.</summary>
    public void EndVector(VectorMark mark, string field, int min = 0, int max = int.MaxValue)
    {
        int length = _length - mark.Start - mark.PrefixBytes;
        int limit = mark.PrefixBytes switch { 1 => 0xFF, 2 => 0xFFFF, _ => 0xFFFFFF };
        CheckBounds(length, field, min, Math.Min(max, limit));
        Span<byte> p = _buffer.AsSpan(mark.Start, mark.PrefixBytes);
        for (int i = mark.PrefixBytes - 1; i >= 0; i--)
        {
            p[i] = (byte)length;
            length >>= 8;
        }
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if (count < 0 || _length + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _length += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(1, sizeHint));
        return _buffer.AsMemory(_length);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(1, sizeHint));
        return _buffer.AsSpan(_length);
    }

    /// <summary>Clears the buffer and returns it to the pool.</summary>
    public void Dispose()
    {
        byte[] b = _buffer;
        if (b.Length == 0)
        {
            return;
        }

        _buffer = [];
        _length = 0;
        ArrayPool<byte>.Shared.Return(b, clearArray: true);
    }

    private static void CheckBounds(int length, string field, int min, int max)
    {
        if (length < min || length > max)
        {
            throw TlsAlertException.Internal($"{field}: length {length} outside [{min}..{max}] on write");
        }
    }

    private VectorMark Reserve(int prefixBytes)
    {
        var mark = new VectorMark(_length, prefixBytes);
        WriteZeros(prefixBytes);
        return mark;
    }

    private void Ensure(int extra)
    {
        if (_buffer.Length == 0)
        {
            throw new ObjectDisposedException(nameof(TlsWriter));
        }

        int needed = _length + extra;
        if (needed <= _buffer.Length)
        {
            return;
        }

        int size = Math.Max(needed, _buffer.Length * 2);
        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
        _buffer = next;
    }
}
