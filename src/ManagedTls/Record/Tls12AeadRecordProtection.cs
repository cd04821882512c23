using System.Buffers.Binary;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// TLS 1.2 AEAD record protection (RFC 5246 section 6.2.3.3).
/// <code>
/// struct {
///     opaque nonce_explicit[record_iv_length];   // 8 for AES-GCM (RFC 5288) and AES-CCM (RFC 6655), 0 for ChaCha20-Poly1305 (RFC 7905)
///     aead-ciphered struct { opaque content[TLSCompressed.length]; };
/// } GenericAEADCipher;
///
/// additional_data = seq_num(8) + TLSCompressed.type(1) + TLSCompressed.version(2) + TLSCompressed.length(2);
/// </code>
/// AES-GCM and AES-CCM: nonce = salt(4, the key block's write IV) || nonce_explicit(8), and we send the
/// sequence number as nonce_explicit, which keeps nonces unique without randomness. ChaCha20-Poly1305:
/// nonce = write IV(12) XOR the left-padded sequence number, and nothing explicit on the wire.
/// </summary>
internal sealed class Tls12AeadRecordProtection : RecordProtection
{
    private const ushort RecordVersion = 0x0303;
    private const int AadSize = 13;
    private readonly IAead _aead;
    private readonly byte[] _iv;
    private readonly int _explicitNonceSize;

    /// <summary>
    /// Creates protection from the key block's write key and write IV (4 bytes for AES-GCM/CCM, 12 for
    /// ChaCha20-Poly1305); both copied and wiped on dispose.
    /// </summary>
    public Tls12AeadRecordProtection(AeadAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> writeIv, SequenceLimits? limits = null)
        : base(limits ?? SequenceLimits.For(algorithm))
    {
        int ivSize = FixedIvSize(algorithm);
        if (writeIv.Length != ivSize)
        {
            throw new ArgumentException($"TLS 1.2 {algorithm} needs a {ivSize}-byte write IV", nameof(writeIv));
        }

        _aead = Aeads.Create(algorithm, key);
        _iv = writeIv.ToArray();
        _explicitNonceSize = algorithm == AeadAlgorithm.ChaCha20Poly1305 ? 0 : 8;
        Algorithm = algorithm;
    }

    /// <summary>The AEAD in use.</summary>
    public AeadAlgorithm Algorithm { get; }

    /// <inheritdoc />
    public override ProtocolVersion Version => ProtocolVersion.Tls12;

    /// <inheritdoc />
    public override int ContentOffset => RecordLimits.HeaderSize + _explicitNonceSize;

    /// <summary>Length of the key block's write IV: 4 (salt) for AES-GCM and AES-CCM, 12 for ChaCha20-Poly1305.</summary>
    public static int FixedIvSize(AeadAlgorithm algorithm) => algorithm == AeadAlgorithm.ChaCha20Poly1305 ? 12 : 4;

    /// <inheritdoc />
    public override int MaxFragmentLength(int contentLength) => _explicitNonceSize + contentLength + _aead.TagSize;

    /// <inheritdoc />
    public override int Seal(ContentType type, ReadOnlySpan<byte> content, Span<byte> destination)
    {
        CheckContentLength(content.Length, MaxSealContent);
        int fragmentLength = MaxFragmentLength(content.Length);
        CheckDestination(destination, RecordLimits.HeaderSize + fragmentLength);
        ulong seq = NextSequenceNumber();

        Span<byte> fragment = destination.Slice(RecordLimits.HeaderSize, fragmentLength);
        Span<byte> body = fragment.Slice(_explicitNonceSize);
        PlaceContent(content, body);
        if (_explicitNonceSize != 0)
        {
            BinaryPrimitives.WriteUInt64BigEndian(fragment, seq);
        }

        RecordHeader.Write(destination, type, RecordVersion, fragmentLength);
        Span<byte> aad = stackalloc byte[AadSize];
        MakeAad(aad, seq, type, RecordVersion, content.Length);
        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(nonce, seq, fragment);
        _aead.Seal(nonce, aad, body.Slice(0, content.Length), body);
        return RecordLimits.HeaderSize + fragmentLength;
    }

    /// <inheritdoc />
    public override ContentType Open(ContentType outerType, ushort legacyVersion, Span<byte> fragment, out Span<byte> content)
    {
        if (fragment.Length > RecordLimits.MaxTls12Ciphertext)
        {
            throw new TlsAlertException(AlertDescription.RecordOverflow, $"TLS 1.2 ciphertext of {fragment.Length} bytes exceeds 2^14 + 2048");
        }

        ulong seq = NextSequenceNumber();
        int plainLength = fragment.Length - _explicitNonceSize - _aead.TagSize;
        if (plainLength < 0)
        {
            throw BadRecordMac();
        }

        Span<byte> aad = stackalloc byte[AadSize];
        MakeAad(aad, seq, outerType, legacyVersion, plainLength);
        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(nonce, seq, fragment);
        Span<byte> body = fragment.Slice(_explicitNonceSize);
        if (!_aead.TryOpen(nonce, aad, body, body))
        {
            throw BadRecordMac();
        }

        content = body.Slice(0, plainLength);
        RecordRules.CheckContent(outerType, plainLength, MaxOpenContent);
        return outerType;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        CryptoUtil.Wipe(_iv);
        _aead.Dispose();
    }

    private static void MakeAad(Span<byte> aad, ulong seq, ContentType type, ushort version, int length)
    {
        BinaryPrimitives.WriteUInt64BigEndian(aad, seq);
        aad[8] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(aad.Slice(9), version);
        BinaryPrimitives.WriteUInt16BigEndian(aad.Slice(11), (ushort)length);
    }

    private void MakeNonce(Span<byte> nonce, ulong seq, ReadOnlySpan<byte> fragment)
    {
        if (_explicitNonceSize == 0)
        {
            _iv.CopyTo(nonce);
            ulong tail = BinaryPrimitives.ReadUInt64BigEndian(nonce.Slice(4)) ^ seq;
            BinaryPrimitives.WriteUInt64BigEndian(nonce.Slice(4), tail);
        }
        else
        {
            _iv.CopyTo(nonce);
            fragment.Slice(0, _explicitNonceSize).CopyTo(nonce.Slice(4));
        }
    }
}
