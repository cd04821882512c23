using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// TLS 1.2 CBC record protection with HMAC (RFC 5246 section 6.2.3.2), MAC-then-encrypt by default and
/// encrypt-then-MAC when the encrypt_then_mac extension was negotiated (RFC 7366).
/// <code>
/// struct {
///     opaque IV[SecurityParameters.record_iv_length];            // 16, fresh from the entropy source
///     block-ciphered struct {
///         opaque content[TLSCompressed.length];
///         opaque MAC[SecurityParameters.mac_length];              // absent here with encrypt_then_mac
///         uint8 padding[GenericBlockCipher.padding_length];
///         uint8 padding_length;
///     };
/// } GenericBlockCipher;
///
/// MAC(MAC_write_key, seq_num + type + version + length + content)          // MAC-then-encrypt
/// MAC(MAC_write_key, seq_num + type + version + length + IV + ciphertext)  // encrypt_then_mac, length = IV + ciphertext
/// </code>
/// <para>
/// Lucky Thirteen (AlFardan and Paterson, 2013) defence on the MAC-then-encrypt receive path: every bad
/// record fails with the same <c>bad_record_mac</c>, and the work done does not depend on the padding.
/// The padding check reads the last min(256, length) bytes with masks rather than branches; a bad padding
/// is treated as zero-length padding; the HMAC is computed over the resulting content and then the hash
/// compression function is run on dummy blocks so that the total number of compressions equals that of the
/// longest content the record could hold; the received MAC is gathered with masks from every position it
/// could start at, and compared in constant time. What remains data-dependent is the per-byte bookkeeping
/// inside the hash update (a few cycles per byte, not a compression function call).
/// </para>
/// </summary>
internal sealed class Tls12CbcRecordProtection : RecordProtection
{
    private const ushort RecordVersion = 0x0303;
    private const int BlockSize = AesCbc.BlockSize;
    private const int MacHeaderSize = 13;
    private const int MaxPaddingCheck = 256;
    private static readonly byte[] DummyBlocks = new byte[8 * 128];

    private readonly AesCbc _cipher;
    private readonly Hmac _mac;
    private readonly int _macSize;
    private readonly int _hashBlockSize;
    private readonly int _hashLengthFieldSize;
    private readonly IEntropySource _entropy;

    /// <summary>
    /// Creates protection from the key block's encryption key (16 or 32 bytes) and MAC key. The encryption
    /// key is copied and wiped on dispose. IVs come from <paramref name="entropy"/> (default: the OS).
    /// </summary>
    public Tls12CbcRecordProtection(
        ReadOnlySpan<byte> encryptionKey,
        HashAlgorithm macAlgorithm,
        ReadOnlySpan<byte> macKey,
        bool encryptThenMac,
        IEntropySource? entropy = null,
        SequenceLimits? limits = null)
        : base(limits ?? SequenceLimits.Cbc)
    {
        if (macAlgorithm is not (HashAlgorithm.Sha1 or HashAlgorithm.Sha256 or HashAlgorithm.Sha384))
        {
            throw new ArgumentException("TLS 1.2 CBC suites use HMAC-SHA1, HMAC-SHA256 or HMAC-SHA384", nameof(macAlgorithm));
        }

        _cipher = new AesCbc(encryptionKey);
        _mac = new Hmac(macAlgorithm, macKey);
        _macSize = _mac.OutputSize;
        _hashBlockSize = macAlgorithm == HashAlgorithm.Sha384 ? 128 : 64;
        _hashLengthFieldSize = macAlgorithm == HashAlgorithm.Sha384 ? 16 : 8;
        _entropy = entropy ?? OsEntropy.Instance;
        EncryptThenMac = encryptThenMac;
        MacAlgorithm = macAlgorithm;
    }

    /// <summary>True when encrypt_then_mac (RFC 7366) is in force.</summary>
    public bool EncryptThenMac { get; }

    /// <summary>The HMAC hash.</summary>
    public HashAlgorithm MacAlgorithm { get; }

    /// <inheritdoc />
    public override ProtocolVersion Version => ProtocolVersion.Tls12;

    /// <inheritdoc />
    public override int ContentOffset => RecordLimits.HeaderSize + BlockSize;

    /// <inheritdoc />
    public override int MaxFragmentLength(int contentLength) => EncryptThenMac
        ? BlockSize + PaddedLength(contentLength) + _macSize
        : BlockSize + PaddedLength(contentLength + _macSize);

    /// <inheritdoc />
    public override int Seal(ContentType type, ReadOnlySpan<byte> content, Span<byte> destination)
    {
        CheckContentLength(content.Length, MaxSealContent);
        int fragmentLength = MaxFragmentLength(content.Length);
        CheckDestination(destination, RecordLimits.HeaderSize + fragmentLength);
        ulong seq = NextSequenceNumber();

        Span<byte> fragment = destination.Slice(RecordLimits.HeaderSize, fragmentLength);
        Span<byte> iv = fragment.Slice(0, BlockSize);
        Span<byte> body = fragment.Slice(BlockSize);
        PlaceContent(content, body);
        int length = content.Length;
        Span<byte> macHeader = stackalloc byte[MacHeaderSize];

        if (!EncryptThenMac)
        {
            WriteMacHeader(macHeader, seq, type, RecordVersion, length);
            _mac.Update(macHeader);
            _mac.Update(body.Slice(0, length));
            _mac.Finish(body.Slice(length, _macSize));
            length += _macSize;
        }

        int padded = PaddedLength(length);
        body.Slice(length, padded - length).Fill((byte)(padded - length - 1));
        _entropy.GetBytes(iv);
        _cipher.Encrypt(iv, body.Slice(0, padded), body);

        if (EncryptThenMac)
        {
            WriteMacHeader(macHeader, seq, type, RecordVersion, BlockSize + padded);
            _mac.Update(macHeader);
            _mac.Update(fragment.Slice(0, BlockSize + padded));
            _mac.Finish(fragment.Slice(BlockSize + padded, _macSize));
        }

        RecordHeader.Write(destination, type, RecordVersion, fragmentLength);
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
        int length = EncryptThenMac
            ? OpenEncryptThenMac(seq, outerType, legacyVersion, fragment)
            : OpenMacThenEncrypt(seq, outerType, legacyVersion, fragment);
        content = fragment.Slice(BlockSize, length);
        RecordRules.CheckContent(outerType, length, MaxOpenContent);
        return outerType;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _cipher.Dispose();
        _mac.Reset();
    }

    private static int PaddedLength(int length) => (length / BlockSize * BlockSize) + BlockSize;

    private static void WriteMacHeader(Span<byte> header, ulong seq, ContentType type, ushort version, int length)
    {
        BinaryPrimitives.WriteUInt64BigEndian(header, seq);
        header[8] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(9), version);
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(11), (ushort)length);
    }

    /// <summary>All ones when <paramref name="a"/> &lt;= <paramref name="b"/>, else zero (for 0 &lt;= a, b &lt; 2^30).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MaskLessOrEqual(int a, int b) => (a - b - 1) >> 31;

    /// <summary>All ones when <paramref name="a"/> == <paramref name="b"/>, else zero (for 0 &lt;= a, b &lt; 2^30).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MaskEqual(int a, int b) => ((a ^ b) - 1) >> 31;

    private int OpenEncryptThenMac(ulong seq, ContentType type, ushort version, Span<byte> fragment)
    {
        int cipherLength = fragment.Length - BlockSize - _macSize;
        if (cipherLength < BlockSize || cipherLength % BlockSize != 0)
        {
            throw BadRecordMac();
        }

        Span<byte> macHeader = stackalloc byte[MacHeaderSize];
        Span<byte> mac = stackalloc byte[_macSize];
        WriteMacHeader(macHeader, seq, type, version, BlockSize + cipherLength);
        _mac.Update(macHeader);
        _mac.Update(fragment.Slice(0, BlockSize + cipherLength));
        _mac.Finish(mac);
        if (!CryptoUtil.FixedTimeEquals(mac, fragment.Slice(BlockSize + cipherLength, _macSize)))
        {
            throw BadRecordMac();
        }

        Span<byte> body = fragment.Slice(BlockSize, cipherLength);
        _cipher.Decrypt(fragment.Slice(0, BlockSize), body, body);
        int padding = body[cipherLength - 1];
        int bad = ~MaskLessOrEqual(padding + 1, cipherLength);
        int limit = Math.Min(MaxPaddingCheck, cipherLength);
        for (int i = 0; i < limit; i++)
        {
            int inPadding = MaskLessOrEqual(i, padding);
            bad |= inPadding & (body[cipherLength - 1 - i] ^ padding);
        }

        if (bad != 0)
        {
            throw BadRecordMac();
        }

        return cipherLength - padding - 1;
    }

    private int OpenMacThenEncrypt(ulong seq, ContentType type, ushort version, Span<byte> fragment)
    {
        int n = fragment.Length - BlockSize;
        if (n < _macSize + 1 || n < BlockSize || n % BlockSize != 0)
        {
            throw BadRecordMac();
        }

        Span<byte> plain = fragment.Slice(BlockSize, n);
        _cipher.Decrypt(fragment.Slice(0, BlockSize), plain, plain);

        // Padding: masks only, over the last min(256, n) bytes.
        int padding = plain[n - 1];
        int good = MaskLessOrEqual(padding + 1 + _macSize, n);
        int mismatch = 0;
        int checkLimit = Math.Min(MaxPaddingCheck, n);
        for (int i = 0; i < checkLimit; i++)
        {
            int inPadding = MaskLessOrEqual(i, padding);
            mismatch |= inPadding & (plain[n - 1 - i] ^ padding);
        }

        good &= MaskEqual(mismatch, 0);
        padding &= good; // a bad padding is treated as none
        int maxContent = n - _macSize - 1;
        int contentLength = maxContent - padding;

        // MAC over the content, then dummy compressions up to the count for the longest possible content.
        Span<byte> macHeader = stackalloc byte[MacHeaderSize];
        Span<byte> mac = stackalloc byte[_macSize];
        WriteMacHeader(macHeader, seq, type, version, contentLength);
        _mac.Update(macHeader);
        _mac.Update(plain.Slice(0, contentLength));
        _mac.Finish(mac);
        int extra = CompressionCount(MacHeaderSize + maxContent) - CompressionCount(MacHeaderSize + contentLength);
        _mac.Update(DummyBlocks.AsSpan(0, extra * _hashBlockSize));
        _mac.Reset();

        // Gather the received MAC from whichever position it starts at, touching every candidate position.
        Span<byte> received = stackalloc byte[_macSize];
        received.Clear();
        int firstStart = Math.Max(0, maxContent - (MaxPaddingCheck - 1));
        for (int start = firstStart; start <= maxContent; start++)
        {
            byte mask = (byte)MaskEqual(start, contentLength);
            ReadOnlySpan<byte> candidate = plain.Slice(start, _macSize);
            for (int j = 0; j < received.Length; j++)
            {
                received[j] |= (byte)(candidate[j] & mask);
            }
        }

        good &= CryptoUtil.FixedTimeEquals(mac, received) ? -1 : 0;
        if (good == 0)
        {
            throw BadRecordMac();
        }

        return contentLength;
    }

    /// <summary>Compression function calls the inner hash makes for an HMAC over <paramref name="messageLength"/> bytes.</summary>
    private int CompressionCount(int messageLength) =>
        (_hashBlockSize + messageLength + _hashLengthFieldSize + 1 + _hashBlockSize - 1) / _hashBlockSize;
}
