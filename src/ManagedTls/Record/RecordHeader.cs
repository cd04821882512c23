using System.Buffers.Binary;
using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// A parsed record header.
/// <code>
/// struct {
///     ContentType type;                      // offset 0
///     ProtocolVersion legacy_record_version; // offset 1
///     uint16 length;                         // offset 3
///     opaque fragment[TLSPlaintext.length];  // offset 5
/// } TLSPlaintext;                            // RFC 8446 section 5.1 (TLSCiphertext has the same header)
/// </code>
/// </summary>
internal readonly struct RecordHeader
{
    private const int TypeOffset = 0;
    private const int VersionOffset = 1;
    private const int LengthOffset = 3;

    /// <summary>Creates a header value.</summary>
    public RecordHeader(ContentType type, ushort legacyVersion, int length)
    {
        Type = type;
        LegacyVersion = legacyVersion;
        Length = length;
    }

    /// <summary>The (outer) content type.</summary>
    public ContentType Type { get; }

    /// <summary>legacy_record_version as received.</summary>
    public ushort LegacyVersion { get; }

    /// <summary>Fragment length.</summary>
    public int Length { get; }

    /// <summary>Header plus fragment.</summary>
    public int RecordLength => RecordLimits.HeaderSize + Length;

    /// <summary>Reads the five header bytes without any validation; false when fewer than five are present.</summary>
    public static bool TryRead(ReadOnlySpan<byte> input, out RecordHeader header)
    {
        if (input.Length < RecordLimits.HeaderSize)
        {
            header = default;
            return false;
        }

        header = new RecordHeader(
            (ContentType)input[TypeOffset],
            BinaryPrimitives.ReadUInt16BigEndian(input.Slice(VersionOffset)),
            BinaryPrimitives.ReadUInt16BigEndian(input.Slice(LengthOffset)));
        return true;
    }

    /// <summary>Writes a header into the first five bytes of <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, ContentType type, ushort legacyVersion, int length)
    {
        destination[TypeOffset] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(VersionOffset), legacyVersion);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(LengthOffset), (ushort)length);
    }

    /// <summary>Writes this header into the first five bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination) => Write(destination, Type, LegacyVersion, Length);
}
