using System.Buffers;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>One whole handshake message, a view into the reassembler's buffer.</summary>
internal readonly ref struct HandshakeMessage
{
    /// <summary>Creates a view.</summary>
    public HandshakeMessage(ReadOnlySpan<byte> encoded)
    {
        Encoded = encoded;
    }

    /// <summary>msg_type.</summary>
    public HandshakeType Type => (HandshakeType)Encoded[0];

    /// <summary>The whole message as sent: type, u24 length and body (what the transcript hash takes).</summary>
    public ReadOnlySpan<byte> Encoded { get; }

    /// <summary>The body, without the four header bytes.</summary>
    public ReadOnlySpan<byte> Body => Encoded.Slice(HandshakeReassembler.HeaderSize);
}

/// <summary>
/// Turns the contents of handshake records into whole handshake messages.
/// <code>
/// struct {
///     HandshakeType msg_type;    // offset 0
///     uint24 length;             // offset 1
///     select (msg_type) { ... }; // offset 4, length bytes
/// } Handshake;                   // RFC 8446 section 4
/// </code>
/// A message may span records and a record may hold several messages (RFC 8446 section 5.1). Messages
/// larger than their type's limit (<see cref="HandshakeSizeLimits"/>, or a uniform <see cref="MaxMessageSize"/>
/// when one is given) are refused with <c>decode_error</c> as soon as their header arrives, and unknown types
/// with <c>unexpected_message</c>. The connection
/// calls <see cref="CheckKeyChange"/> before installing new read keys (handshake messages must not span a
/// key change) and <see cref="CheckInterleaving"/> when a record of another type arrives (handshake
/// messages must not be interleaved with other records).
/// </summary>
internal sealed class HandshakeReassembler : IDisposable
{
    /// <summary>Length of the handshake header: type(1) and uint24 length.</summary>
    public const int HeaderSize = 4;

    private byte[] _buffer = Array.Empty<byte>();
    private int _start;
    private int _end;
    private int _used;   // high-water mark since the buffer was rented: what a release wipes
    private bool _disposed;

    /// <summary>
    /// Creates a reassembler. Without <paramref name="maxMessageSize"/> each message type has its own limit and
    /// unknown types are refused (<see cref="HandshakeSizeLimits"/>), as the connection needs; with it, framing alone
    /// is checked: any type, every body capped at that many bytes (for tests of the framing itself).
    /// </summary>
    public HandshakeReassembler(int? maxMessageSize = null)
    {
        if (maxMessageSize is < 0 or > 0xFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessageSize), "message size limit must fit in 24 bits");
        }

        MaxMessageSize = maxMessageSize;
    }

    /// <summary>A uniform cap on bodies in place of the per-type limits, or null for the per-type limits.</summary>
    public int? MaxMessageSize { get; }

    /// <summary>True when nothing is buffered: every byte received has been returned as a message.</summary>
    public bool IsEmpty => _start == _end;

    /// <summary>Bytes received but not yet returned as messages.</summary>
    public int BufferedLength => _end - _start;

    /// <summary>
    /// Adds the content of one handshake record. Invalidates messages returned earlier. Refuses an empty
    /// fragment (RFC 8446 section 5.1: handshake records are never empty) and a message header announcing
    /// more than <see cref="MaxMessageSize"/>.
    /// </summary>
    public void AddFragment(ReadOnlySpan<byte> fragment)
    {
        ThrowIfDisposed();
        if (fragment.IsEmpty)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, "zero-length handshake fragment");
        }

        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }

        if (_buffer.Length - _end < fragment.Length)
        {
            int pending = _end - _start;
            if (_buffer.Length - pending < fragment.Length)
            {
                int size = Math.Max(Math.Max(_buffer.Length * 2, 4096), pending + fragment.Length);
                byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
                _buffer.AsSpan(_start, pending).CopyTo(bigger);
                if (_buffer.Length != 0)
                {
                    CryptoUtil.Wipe(_buffer.AsSpan(0, _used));
                    ArrayPool<byte>.Shared.Return(_buffer);
                }

                _buffer = bigger;
            }
            else
            {
                _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            }

            _end = pending;
            _start = 0;
        }

        fragment.CopyTo(_buffer.AsSpan(_end));
        _end += fragment.Length;
        _used = Math.Max(_used, _end);
        CheckNextHeader();
    }

    /// <summary>Returns the next whole message, or false when more fragments are needed.</summary>
    public bool TryReadMessage(out HandshakeMessage message)
    {
        ThrowIfDisposed();
        int available = _end - _start;
        if (available < HeaderSize)
        {
            message = default;
            return false;
        }

        int length = BodyLength(_start);
        if (available < HeaderSize + length)
        {
            message = default;
            return false;
        }

        message = new HandshakeMessage(_buffer.AsSpan(_start, HeaderSize + length));
        _start += HeaderSize + length;
        CheckNextHeader();
        return true;
    }

    /// <summary>
    /// Call before new read keys take effect: throws <c>unexpected_message</c> when any handshake data is
    /// still buffered, because a message spanning (or bytes following a message up to) a key change were
    /// not aligned to a record boundary (RFC 8446 section 5.1).
    /// </summary>
    public void CheckKeyChange()
    {
        if (!IsEmpty)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"{BufferedLength} bytes of handshake data span a key change");
        }
    }

    /// <summary>
    /// Call when a record of <paramref name="type"/> arrives: anything but handshake while a message is
    /// partly received is <c>unexpected_message</c> (RFC 8446 section 5.1).
    /// </summary>
    public void CheckInterleaving(ContentType type)
    {
        if (type != ContentType.Handshake && !IsEmpty)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"{type} record interleaved with a fragmented handshake message");
        }
    }

    /// <summary>True while the reassembler holds a pooled buffer (it has none while idle and empty).</summary>
    public bool HoldsBuffer => _buffer.Length != 0;

    /// <summary>
    /// When no byte is buffered, wipes the used part of the buffer and returns it to the pool; the next
    /// <see cref="AddFragment"/> rents one again. Invalidates messages returned earlier.
    /// </summary>
    public void ReleaseIfEmpty()
    {
        if (_start == _end && _buffer.Length != 0)
        {
            Release();
        }
    }

    /// <summary>Wipes and returns the buffer.</summary>
    public void Dispose()
    {
        _disposed = true;
        if (_buffer.Length != 0)
        {
            Release();
        }
    }

    private void Release()
    {
        CryptoUtil.Wipe(_buffer.AsSpan(0, _used));
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = Array.Empty<byte>();
        _start = 0;
        _end = 0;
        _used = 0;
    }

    private int BodyLength(int offset) => (_buffer[offset + 1] << 16) | (_buffer[offset + 2] << 8) | _buffer[offset + 3];

    private void CheckNextHeader()
    {
        if (_end - _start >= HeaderSize)
        {
            var type = (HandshakeType)_buffer[_start];
            int length = BodyLength(_start);
            if (MaxMessageSize is not int max)
            {
                HandshakeSizeLimits.Check(type, length);
            }
            else if (length > max)
            {
                throw TlsAlertException.Decode($"{type} message of {length} bytes exceeds the limit of {max}");
            }
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(HandshakeReassembler));
        }
    }
}
