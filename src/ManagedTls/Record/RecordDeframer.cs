using System.Buffers;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>A record as framed on the wire: header values and the fragment, a slice of the deframer's buffer.</summary>
internal readonly ref struct TlsRecord
{
    /// <summary>Creates a record view.</summary>
    public TlsRecord(RecordHeader header, Span<byte> fragment)
    {
        Header = header;
        Fragment = fragment;
    }

    /// <summary>The header as received.</summary>
    public RecordHeader Header { get; }

    /// <summary>The (outer) content type.</summary>
    public ContentType Type => Header.Type;

    /// <summary>legacy_record_version as received.</summary>
    public ushort LegacyVersion => Header.LegacyVersion;

    /// <summary>The fragment; writable so that it can be opened in place.</summary>
    public Span<byte> Fragment { get; }
}

/// <summary>
/// Splits an incoming byte stream into records. Bytes arrive in any chunks through <see cref="Write"/>;
/// <see cref="TryRead"/> yields each complete record as a slice of the internal buffer (no copy beyond the
/// one into the buffer) and reports "need more data" by returning false, never by throwing. Each header is
/// checked against <see cref="Rules"/> as soon as its five bytes are present, so an oversized or garbage
/// record is refused before its body arrives. Callers that own their buffer can use
/// <see cref="TryParse"/> directly.
/// </summary>
internal sealed class RecordDeframer : IDisposable
{
    /// <summary>Room the deframer asks the pool for: two maximum-size records.</summary>
    private const int Capacity = 2 * RecordLimits.MaxRecordSize;

    private byte[] _buffer = Array.Empty<byte>();
    private int _start;
    private int _end;
    private int _used;   // high-water mark of bytes written since the buffer was rented: what a release wipes
    private bool _disposed;

    /// <summary>Creates a deframer with <see cref="RecordReadRules.Initial"/> rules.</summary>
    public RecordDeframer()
        : this(RecordReadRules.Initial)
    {
    }

    /// <summary>Creates a deframer with the given rules.</summary>
    public RecordDeframer(RecordReadRules rules)
    {
        Rules = rules;
    }

    /// <summary>The header checks in force; the connection updates them as keys and versions change.</summary>
    public RecordReadRules Rules { get; set; }

    /// <summary>Bytes received but not yet returned as records.</summary>
    public int BufferedLength => _end - _start;

    /// <summary>True when part of a record is buffered (an end of stream now would truncate it).</summary>
    public bool HasPartialRecord => _end > _start;

    /// <summary>Room for more input right now.</summary>
    public int FreeSpace => Math.Max(_buffer.Length, Capacity) - BufferedLength;

    /// <summary>
    /// How many more bytes complete the record at the front of the buffer: the rest of the header while it is
    /// incomplete, then the rest of the record; 0 when nothing is buffered.
    /// </summary>
    public int BytesToCompleteRecord
    {
        get
        {
            int buffered = BufferedLength;
            if (buffered == 0)
            {
                return 0;
            }

            return RecordHeader.TryRead(_buffer.AsSpan(_start, buffered), out RecordHeader header)
                ? Math.Max(0, header.RecordLength - buffered)
                : RecordLimits.HeaderSize - buffered;
        }
    }

    /// <summary>True while the deframer holds a pooled buffer (it has none while idle and empty).</summary>
    public bool HoldsBuffer => _buffer.Length != 0;

    /// <summary>
    /// Parses one record from the front of <paramref name="input"/>. Returns false when more bytes are needed
    /// (fewer than five, or fewer than the header's length); throws <see cref="TlsAlertException"/> when the
    /// header breaks <paramref name="rules"/>. On success <paramref name="recordLength"/> is header plus fragment.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> input, in RecordReadRules rules, out RecordHeader header, out int recordLength)
    {
        recordLength = 0;
        if (!RecordHeader.TryRead(input, out header))
        {
            return false;
        }

        rules.Check(header);
        if (input.Length < header.RecordLength)
        {
            return false;
        }

        recordLength = header.RecordLength;
        return true;
    }

    /// <summary>
    /// Copies as much of <paramref name="data"/> as fits into the buffer and returns how many bytes were
    /// taken; the caller offers the rest again after reading records. Invalidates the fragment of any record
    /// returned earlier. The buffer always has room for a complete maximum-size record.
    /// </summary>
    public int Write(ReadOnlySpan<byte> data)
    {
        ThrowIfDisposed();
        if (_buffer.Length == 0)
        {
            if (data.IsEmpty)
            {
                return 0;
            }

            _buffer = ArrayPool<byte>.Shared.Rent(Capacity);
        }

        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
        else if (_buffer.Length - _end < data.Length && _start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        int n = Math.Min(data.Length, _buffer.Length - _end);
        data.Slice(0, n).CopyTo(_buffer.AsSpan(_end));
        _end += n;
        _used = Math.Max(_used, _end);
        return n;
    }

    /// <summary>
    /// When no byte is buffered, wipes the part of the buffer that was used (records are opened in place, so it held
    /// plaintext) and returns it to the pool; the next <see cref="Write"/> rents one again. An idle connection thus
    /// keeps no record buffer. Invalidates the fragment of any record returned earlier.
    /// </summary>
    public void ReleaseIfEmpty()
    {
        if (_start == _end && _buffer.Length != 0)
        {
            Release();
        }
    }

    /// <summary>
    /// Returns the next complete record, or false when more data is needed. The fragment stays valid until
    /// the next <see cref="Write"/>.
    /// </summary>
    public bool TryRead(out TlsRecord record)
    {
        ThrowIfDisposed();
        Span<byte> available = _buffer.AsSpan(_start, _end - _start);
        if (!TryParse(available, Rules, out RecordHeader header, out int length))
        {
            record = default;
            return false;
        }

        record = new TlsRecord(header, available.Slice(RecordLimits.HeaderSize, header.Length));
        _start += length;
        return true;
    }

    /// <summary>Wipes the buffer (it holds decrypted plaintext after in-place opens) and returns it to the pool.</summary>
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

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(RecordDeframer));
        }
    }
}
