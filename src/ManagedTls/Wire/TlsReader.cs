using System.Buffers.Binary;

namespace ManagedTls.Wire;

/// <summary>
/// A forward-only reader over TLS presentation-language bytes. Every failure (a short read, a length
/// outside a vector's bounds, bytes left over) is a <c>decode_error</c> whose reason names the field.
/// Length-prefixed vectors come back as sub-readers, so a nested structure can never read past its own
/// length, and <see cref="ExpectEnd"/> refuses trailing bytes.
/// </summary>
internal ref struct TlsReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    public TlsReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool IsEmpty => _position >= _data.Length;

    /// <summary>Offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>The unread bytes, without consuming them.</summary>
    public readonly ReadOnlySpan<byte> Rest => _data.Slice(_position);

    /// <summary>Reads one byte.</summary>
    public byte ReadUInt8(string field)
    {
        Need(1, field);
        return _data[_position++];
    }

    /// <summary>Reads a big-endian 16-bit value.</summary>
    public ushort ReadUInt16(string field)
    {
        Need(2, field);
        ushort v = BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(_position));
        _position += 2;
        return v;
    }

    /// <summary>Reads a big-endian 24-bit value.</summary>
    public int ReadUInt24(string field)
    {
        Need(3, field);
        int v = (_data[_position] << 16) | (_data[_position + 1] << 8) | _data[_position + 2];
        _position += 3;
        return v;
    }

    /// <summary>Reads a big-endian 32-bit value.</summary>
    public uint ReadUInt32(string field)
    {
        Need(4, field);
        uint v = BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(_position));
        _position += 4;
        return v;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        if (count < 0)
        {
            throw TlsAlertException.Decode($"{field}: negative length");
        }

        Need(count, field);
        ReadOnlySpan<byte> s = _data.Slice(_position, count);
        _position += count;
        return s;
    }

    /// <summary>Reads every remaining byte.</summary>
    public ReadOnlySpan<byte> ReadRest()
    {
        ReadOnlySpan<byte> s = _data.Slice(_position);
        _position = _data.Length;
        return s;
    }

    /// <summary>Reads an opaque vector with a one-byte length prefix, checking its bounds.</summary>
    public ReadOnlySpan<byte> ReadVector8(string field, int min = 0, int max = 0xFF)
        => ReadVector(ReadUInt8(field), field, min, max);

    /// <summary>Reads an opaque vector with a two-byte length prefix, checking its bounds.</summary>
    public ReadOnlySpan<byte> ReadVector16(string field, int min = 0, int max = 0xFFFF)
        => ReadVector(ReadUInt16(field), field, min, max);

    /// <summary>Reads an opaque vector with a three-byte length prefix, checking its bounds.</summary>
    public ReadOnlySpan<byte> ReadVector24(string field, int min = 0, int max = 0xFFFFFF)
        => ReadVector(ReadUInt24(field), field, min, max);

    /// <summary>A sub-reader over a vector with a one-byte length prefix.</summary>
    public TlsReader Sub8(string field, int min = 0, int max = 0xFF) => new(ReadVector8(field, min, max));

    /// <summary>A sub-reader over a vector with a two-byte length prefix.</summary>
    public TlsReader Sub16(string field, int min = 0, int max = 0xFFFF) => new(ReadVector16(field, min, max));

    /// <summary>A sub-reader over a vector with a three-byte length prefix.</summary>
    public TlsReader Sub24(string field, int min = 0, int max = 0xFFFFFF) => new(ReadVector24(field, min, max));

    /// <summary>Fails with <c>decode_error</c> when bytes are left.</summary>
    public readonly void ExpectEnd(string field)
    {
        if (_position != _data.Length)
        {
            throw TlsAlertException.Decode($"{field}: {_data.Length - _position} trailing byte(s)");
        }
    }

    private ReadOnlySpan<byte> ReadVector(int length, string field, int min, int max)
    {
        if (length < min || length > max)
        {
            throw TlsAlertException.Decode($"{field}: length {length} outside [{min}..{max}]");
        }

        if (length > Remaining)
        {
            throw TlsAlertException.Decode($"{field}: length {length} exceeds the {Remaining} byte(s) present");
        }

        ReadOnlySpan<byte> s = _data.Slice(_position, length);
        _position += length;
        return s;
    }

    private readonly void Need(int count, string field)
    {
        if (count > _data.Length - _position)
        {
            throw TlsAlertException.Decode($"{field}: needs {count} byte(s), {_data.Length - _position} left");
        }
    }
}
