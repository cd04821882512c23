using System.Buffers.Binary;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// TLS 1.3 record protection (RFC 8446 section 5.2 to 5.5).
/// <code>
/// struct {
///     opaque content[TLSPlaintext.length];
///     ContentType type;
///     uint8 zeros[length_of_padding];
/// } TLSInnerPlaintext;
///
/// struct {
///     ContentType opaque_type = application_data; // 23
///     ProtocolVersion legacy_record_version = 0x0303;
///     uint16 length;
///     opaque encrypted_record[TLSCiphertext.length];
/// } TLSCiphertext;
/// </code>
/// The per-record nonce is the 64-bit sequence number, big-endian and left-padded to the IV length, XORed
/// with the IV; the additional data is the record header.
/// </summary>
internal sealed class Tls13RecordProtection : RecordProtection
{
    private const ushort LegacyRecordVersion = 0x0303;
    private readonly IAead _aead;
    private readonly byte[] _iv;
    private int _padToMultipleOf;

    /// <summary>Creates protection from a traffic key and IV (both copied; wiped on dispose).</summary>
    public Tls13RecordProtection(AeadAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, SequenceLimits? limits = null)
        : base(limits ?? SequenceLimits.For(algorithm))
    {
        if (iv.Length != 12)
        {
            throw new ArgumentException("TLS 1.3 record IV must be 12 bytes", nameof(iv));
        }

        _aead = Aeads.Create(algorithm, key);
        _iv = iv.ToArray();
        Algorithm = algorithm;
    }

    /// <summary>
    /// Derives key and IV from a traffic secret (RFC 8446 section 7.3:
    /// <c>HKDF-Expand-Label(secret, "key", "", key_length)</c> and <c>"iv"</c>, 12 bytes).
    /// </summary>
    public static Tls13RecordProtection FromTrafficSecret(AeadAlgorithm algorithm, HashAlgorithm hash, ReadOnlySpan<byte> trafficSecret, SequenceLimits? limits = null)
    {
        Span<byte> key = stackalloc byte[Aeads.KeySize(algorithm)];
        Span<byte> iv = stackalloc byte[12];
        try
        {
            Hkdf.ExpandLabel(hash, trafficSecret, "key", ReadOnlySpan<byte>.Empty, key);
            Hkdf.ExpandLabel(hash, trafficSecret, "iv", ReadOnlySpan<byte>.Empty, iv);
            return new Tls13RecordProtection(algorithm, key, iv, limits);
        }
        finally
        {
            CryptoUtil.Wipe(key);
            CryptoUtil.Wipe(iv);
        }
    }

    /// <summary>The AEAD in use.</summary>
    public AeadAlgorithm Algorithm { get; }

    /// <inheritdoc />
    public override ProtocolVersion Version => ProtocolVersion.Tls13;

    /// <inheritdoc />
    public override int ContentOffset => RecordLimits.HeaderSize;

    /// <summary>
    /// Padding policy for <see cref="Seal(ContentType, ReadOnlySpan{byte}, Span{byte})"/>: 0 or 1 sends no
    /// padding; n &gt; 1 pads every TLSInnerPlaintext with zeros to a multiple of n bytes (never beyond
    /// 2^14 + 1), which hides content lengths to that granularity.
    /// </summary>
    public int PadToMultipleOf
    {
        get => _padToMultipleOf;
        set => _padToMultipleOf = value >= 0 && value <= RecordLimits.MaxPlaintext + 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), "padding block must be between 0 and 2^14 + 1");
    }

    /// <inheritdoc />
    public override int MaxFragmentLength(int contentLength) =>
        InnerLength(contentLength) + _aead.TagSize;

    /// <inheritdoc />
    public override int Seal(ContentType type, ReadOnlySpan<byte> content, Span<byte> destination) =>
        Seal(type, content, destination, InnerLength(content.Length) - content.Length - 1);

    /// <summary>Seals with exactly <paramref name="paddingLength"/> zero bytes of padding.</summary>
    public int Seal(ContentType type, ReadOnlySpan<byte> content, Span<byte> destination, int paddingLength)
    {
        CheckContentLength(content.Length);
        if (type is not (ContentType.Handshake or ContentType.Alert or ContentType.ApplicationData))
        {
            throw TlsAlertException.Internal($"{type} is never sent inside a protected TLS 1.3 record");
        }

        int innerLength = content.Length + 1 + paddingLength;
        if (paddingLength < 0 || innerLength > RecordLimits.MaxPlaintext + 1)
        {
            throw TlsAlertException.Internal($"padding of {paddingLength} bytes does not fit in a TLS 1.3 record");
        }

        int fragmentLength = innerLength + _aead.TagSize;
        CheckDestination(destination, RecordLimits.HeaderSize + fragmentLength);
        ulong seq = NextSequenceNumber();

        Span<byte> fragment = destination.Slice(RecordLimits.HeaderSize, fragmentLength);
        PlaceContent(content, fragment);
        fragment[content.Length] = (byte)type;
        fragment.Slice(content.Length + 1, paddingLength).Clear();

        RecordHeader.Write(destination, ContentType.ApplicationData, LegacyRecordVersion, fragmentLength);
        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(seq, nonce);
        _aead.Seal(nonce, destination.Slice(0, RecordLimits.HeaderSize), fragment.Slice(0, innerLength), fragment);
        return RecordLimits.HeaderSize + fragmentLength;
    }

    /// <inheritdoc />
    public override ContentType Open(ContentType outerType, ushort legacyVersion, Span<byte> fragment, out Span<byte> content)
    {
        if (!OpenCore(outerType, legacyVersion, fragment, consumeOnFailure: true, out ContentType type, out content))
        {
            throw BadRecordMac();
        }

        return type;
    }

    /// <summary>
    /// Like <see cref="Open"/>, but a record that fails authentication returns false and leaves the sequence
    /// number where it was. For a server skipping rejected 0-RTT records by trial decryption
    /// (RFC 8446 section 4.2.10): the engine counts what it skips against max_early_data_size.
    /// </summary>
    public bool TryOpen(ContentType outerType, ushort legacyVersion, Span<byte> fragment, out ContentType type, out Span<byte> content) =>
        OpenCore(outerType, legacyVersion, fragment, consumeOnFailure: false, out type, out content);

    private bool OpenCore(ContentType outerType, ushort legacyVersion, Span<byte> fragment, bool consumeOnFailure, out ContentType type, out Span<byte> content)
    {
        type = ContentType.Invalid;
        content = Span<byte>.Empty;
        if (outerType != ContentType.ApplicationData)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"protected TLS 1.3 record has outer type {outerType}, not application_data");
        }

        if (fragment.Length > RecordLimits.MaxTls13Ciphertext)
        {
            throw new TlsAlertException(AlertDescription.RecordOverflow, $"TLS 1.3 ciphertext of {fragment.Length} bytes exceeds 2^14 + 256");
        }

        ulong seq = NextSequenceNumber();
        if (fragment.Length <= _aead.TagSize)
        {
            return Fail(seq, consumeOnFailure);
        }

        Span<byte> aad = stackalloc byte[RecordLimits.HeaderSize];
        RecordHeader.Write(aad, outerType, legacyVersion, fragment.Length);
        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(seq, nonce);
        if (!_aead.TryOpen(nonce, aad, fragment, fragment))
        {
            return Fail(seq, consumeOnFailure);
        }

        Span<byte> inner = fragment.Slice(0, fragment.Length - _aead.TagSize);
        if (inner.Length > MaxReceivePlaintext + 1)
        {
            throw new TlsAlertException(AlertDescription.RecordOverflow, $"TLSInnerPlaintext of {inner.Length} bytes exceeds {MaxReceivePlaintext + 1}");
        }

        int i = inner.Length - 1;
        while (i >= 0 && inner[i] == 0)
        {
            i--;
        }

        if (i < 0)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, "TLS 1.3 record has no non-zero content type (all padding)");
        }

        type = (ContentType)inner[i];
        if (type == ContentType.ChangeCipherSpec)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, "change_cipher_spec inside a protected TLS 1.3 record");
        }

        RecordRules.CheckContent(type, i, MaxReceivePlaintext);
        content = inner.Slice(0, i);
        return true;
    }

    private bool Fail(ulong seq, bool consume)
    {
        if (!consume)
        {
            SequenceNumber = seq;
        }

        return false;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        CryptoUtil.Wipe(_iv);
        _aead.Dispose();
    }

    private int InnerLength(int contentLength)
    {
        int inner = contentLength + 1;
        int block = _padToMultipleOf;
        if (block > 1)
        {
            int padded = (inner + block - 1) / block * block;
            inner = Math.Min(padded, RecordLimits.MaxPlaintext + 1);
            inner = Math.Max(inner, contentLength + 1);
        }

        return inner;
    }

    private void MakeNonce(ulong seq, Span<byte> nonce)
    {
        _iv.CopyTo(nonce);
        ulong tail = BinaryPrimitives.ReadUInt64BigEndian(nonce.Slice(4)) ^ seq;
        BinaryPrimitives.WriteUInt64BigEndian(nonce.Slice(4), tail);
    }
}
