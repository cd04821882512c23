using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// The null protection in force before any keys are installed (TLSPlaintext, RFC 8446 section 5.1): sealing
/// writes the header and copies the content; opening checks the content rules and returns the fragment.
/// Sequence numbers are not counted (they start at zero with the first keys).
/// </summary>
internal sealed class PlaintextRecordProtection : RecordProtection
{
    /// <summary>Creates the null protection; records are sealed with <paramref name="legacyVersion"/>.</summary>
    /// <param name="legacyVersion">legacy_record_version for sealed records: 0x0303, or 0x0301 for an initial ClientHello.</param>
    public PlaintextRecordProtection(ushort legacyVersion = 0x0303)
        : base(new SequenceLimits(SequenceLimits.NoWrap, SequenceLimits.NoWrap))
    {
        LegacyVersion = legacyVersion;
    }

    /// <summary>legacy_record_version written into sealed records.</summary>
    public ushort LegacyVersion { get; set; }

    /// <summary>Reports TLS 1.2, the version whose code point plaintext records carry.</summary>
    public override ProtocolVersion Version => ProtocolVersion.Tls12;

    /// <inheritdoc />
    public override bool IsProtected => false;

    /// <inheritdoc />
    public override int ContentOffset => RecordLimits.HeaderSize;

    /// <inheritdoc />
    public override int MaxFragmentLength(int contentLength) => contentLength;

    /// <inheritdoc />
    public override int Seal(ContentType type, ReadOnlySpan<byte> content, Span<byte> destination)
    {
        ThrowIfDisposed();
        CheckContentLength(content.Length);
        CheckDestination(destination, RecordLimits.HeaderSize + content.Length);
        PlaceContent(content, destination.Slice(RecordLimits.HeaderSize, content.Length));
        RecordHeader.Write(destination, type, LegacyVersion, content.Length);
        return RecordLimits.HeaderSize + content.Length;
    }

    /// <inheritdoc />
    public override ContentType Open(ContentType outerType, ushort legacyVersion, Span<byte> fragment, out Span<byte> content)
    {
        ThrowIfDisposed();
        RecordRules.CheckContent(outerType, fragment.Length, MaxReceivePlaintext);
        content = fragment;
        return outerType;
    }
}
