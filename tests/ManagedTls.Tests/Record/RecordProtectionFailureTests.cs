using System.Buffers.Binary;
using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Record;

public class RecordProtectionFailureTests
{
    private static readonly byte[] Key16 = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    private static readonly byte[] Iv12 = Enumerable.Range(100, 12).Select(i => (byte)i).ToArray();

    private static Tls13RecordProtection Tls13(SequenceLimits? limits = null) => new(AeadAlgorithm.Aes128Gcm, Key16, Iv12, limits);

    private static AlertDescription OpenAlert(RecordProtection p, byte[] record, ContentType? outerType = null, ushort? version = null)
    {
        RecordHeader.TryRead(record, out RecordHeader h);
        var e = Assert.Throws<TlsAlertException>(() => p.Open(outerType ?? h.Type, version ?? h.LegacyVersion, record.AsSpan(5, record.Length - 5), out _));
        return e.Description;
    }

    private static byte[] Seal(RecordProtection p, ContentType type, byte[] content)
    {
        byte[] buffer = new byte[p.MaxRecordLength(content.Length)];
        int n = p.Seal(type, content, buffer);
        return buffer.AsSpan(0, n).ToArray();
    }

    /// <summary>Builds a TLS 1.3 record around an arbitrary inner plaintext with the raw AEAD (seq 0).</summary>
    private static byte[] RawTls13(byte[] innerPlaintext)
    {
        using IAead aead = ManagedTls.Crypto.Aeads.Create(AeadAlgorithm.Aes128Gcm, Key16);
        byte[] record = new byte[5 + innerPlaintext.Length + 16];
        RecordHeader.Write(record, ContentType.ApplicationData, 0x0303, innerPlaintext.Length + 16);
        aead.Seal(Iv12, record.AsSpan(0, 5), innerPlaintext, record.AsSpan(5));
        return record;
    }

    [Fact]
    public void Tls13_bad_tag_is_bad_record_mac()
    {
        using var sealer = Tls13();
        byte[] r = Seal(sealer, ContentType.ApplicationData, new byte[100]);
        r[^1] ^= 1;
        using var opener = Tls13();
        Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, r));
    }

    [Fact]
    public void Tls13_header_is_authenticated()
    {
        using var sealer = Tls13();
        byte[] r = Seal(sealer, ContentType.ApplicationData, new byte[100]);
        using var opener = Tls13();
        Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, r, version: 0x0301));
    }

    [Fact]
    public void Tls13_wrong_sequence_number_is_bad_record_mac()
    {
        using var sealer = Tls13();
        byte[] r = Seal(sealer, ContentType.ApplicationData, new byte[10]);
        using var opener = Tls13();
        opener.SequenceNumber = 1;
        Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, r));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16)]
    public void Tls13_fragment_no_longer_than_the_tag_is_bad_record_mac(int length)
    {
        using var opener = Tls13();
        Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, RecordDeframerTests.Record(ContentType.ApplicationData, length)));
    }

    [Fact]
    public void Tls13_outer_type_other_than_application_data_is_unexpected_message()
    {
        using var sealer = Tls13();
        byte[] r = Seal(sealer, ContentType.Handshake, new byte[10]);
        using var opener = Tls13();
        Assert.Equal(AlertDescription.UnexpectedMessage, OpenAlert(opener, r, outerType: ContentType.Handshake));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    public void Tls13_all_zero_inner_plaintext_is_unexpected_message(int length)
    {
        using var opener = Tls13();
        Assert.Equal(AlertDescription.UnexpectedMessage, OpenAlert(opener, RawTls13(new byte[length])));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(24)]
    [InlineData(99)]
    public void Tls13_bad_inner_type_is_unexpected_message(byte type)
    {
        using var opener = Tls13();
        Assert.Equal(AlertDescription.UnexpectedMessage, OpenAlert(opener, RawTls13([1, 2, 3, type, 0, 0])));
    }

    [Theory]
    [InlineData(ContentType.Handshake)]
    [InlineData(ContentType.Alert)]
    public void Tls13_zero_length_handshake_or_alert_is_unexpected_message(ContentType type)
    {
        using var opener = Tls13();
        Assert.Equal(AlertDescription.UnexpectedMessage, OpenAlert(opener, RawTls13([(byte)type, 0, 0, 0])));
    }

    [Fact]
    public void Tls13_zero_length_application_data_is_allowed()
    {
        using var opener = Tls13();
        byte[] r = RawTls13([(byte)ContentType.ApplicationData, 0, 0]);
        Assert.Equal(ContentType.ApplicationData, opener.Open(ContentType.ApplicationData, 0x0303, r.AsSpan(5), out Span<byte> content));
        Assert.Equal(0, content.Length);
    }

    [Fact]
    public void Tls13_inner_plaintext_of_2_pow_14_plus_1_is_accepted_and_plus_2_overflows()
    {
        byte[] inner = new byte[16385];
        inner[16384] = (byte)ContentType.ApplicationData;
        using (var opener = Tls13())
        {
            opener.Open(ContentType.ApplicationData, 0x0303, RawTls13(inner).AsSpan(5), out Span<byte> content);
            Assert.Equal(16384, content.Length);
        }

        byte[] longer = new byte[16386];
        longer[16384] = (byte)ContentType.ApplicationData; // content 2^14, then one byte of padding
        using (var opener = Tls13())
        {
            Assert.Equal(AlertDescription.RecordOverflow, OpenAlert(opener, RawTls13(longer)));
        }
    }

    [Fact]
    public void Tls13_ciphertext_above_2_pow_14_plus_256_overflows()
    {
        using var opener = Tls13();
        Assert.Equal(AlertDescription.RecordOverflow, OpenAlert(opener, RecordDeframerTests.Record(ContentType.ApplicationData, 16384 + 257)));
    }

    [Fact]
    public void Tls13_padding_policy_pads_to_the_block_and_is_removed()
    {
        using var sealer = Tls13();
        sealer.PadToMultipleOf = 256;
        byte[] r = Seal(sealer, ContentType.ApplicationData, new byte[10]);
        Assert.Equal(5 + 256 + 16, r.Length);
        byte[] big = Seal(sealer, ContentType.ApplicationData, new byte[16384]);
        Assert.Equal(5 + 16385 + 16, big.Length); // padding never pushes past 2^14 + 1
        using var opener = Tls13();
        Assert.Equal(ContentType.ApplicationData, opener.Open(ContentType.ApplicationData, 0x0303, r.AsSpan(5), out Span<byte> c1));
        Assert.Equal(10, c1.Length);
        opener.Open(ContentType.ApplicationData, 0x0303, big.AsSpan(5), out Span<byte> c2);
        Assert.Equal(16384, c2.Length);
    }

    [Fact]
    public void Tls13_explicit_padding_round_trips_and_is_bounded()
    {
        using var sealer = Tls13();
        byte[] buffer = new byte[5 + 16385 + 16];
        int n = sealer.Seal(ContentType.Handshake, [1, 2, 3], buffer, 1000);
        Assert.Equal(5 + 3 + 1 + 1000 + 16, n);
        using var opener = Tls13();
        Assert.Equal(ContentType.Handshake, opener.Open(ContentType.ApplicationData, 0x0303, buffer.AsSpan(5, n - 5), out Span<byte> content));
        Assert.Equal("010203", Convert.ToHexString(content));
        Assert.Equal(AlertDescription.InternalError, Assert.Throws<TlsAlertException>(() => sealer.Seal(ContentType.Handshake, new byte[16384], buffer, 1)).Description);
    }

    [Fact]
    public void Content_above_2_pow_14_is_refused_on_seal()
    {
        using var sealer = Tls13();
        Assert.Equal(AlertDescription.InternalError, Assert.Throws<TlsAlertException>(() => sealer.Seal(ContentType.ApplicationData, new byte[16385], new byte[20000])).Description);
    }

    [Fact]
    public void Sequence_limits_report_key_update_then_refuse()
    {
        using var sealer = Tls13(new SequenceLimits(2, 3));
        byte[] buffer = new byte[100];
        Assert.False(sealer.NeedsKeyUpdate);
        sealer.Seal(ContentType.ApplicationData, [1], buffer);
        sealer.Seal(ContentType.ApplicationData, [1], buffer);
        Assert.True(sealer.NeedsKeyUpdate);
        Assert.False(sealer.IsExhausted);
        sealer.Seal(ContentType.ApplicationData, [1], buffer);
        Assert.True(sealer.IsExhausted);
        Assert.Throws<TlsAlertException>(() => sealer.Seal(ContentType.ApplicationData, [1], buffer));
        Assert.Equal(3UL, sealer.SequenceNumber);

        using var opener = Tls13(new SequenceLimits(0, 0));
        Assert.True(opener.NeedsKeyUpdate);
        Assert.Equal(AlertDescription.InternalError, OpenAlert(opener, RecordDeframerTests.Record(ContentType.ApplicationData, 40)));
    }

    [Fact]
    public void Sequence_number_never_wraps()
    {
        using var p = new Tls13RecordProtection(AeadAlgorithm.ChaCha20Poly1305, new byte[32], Iv12);
        Assert.Equal(ulong.MaxValue, p.Limits.Limit);
        p.SequenceNumber = ulong.MaxValue - 1;
        byte[] buffer = new byte[100];
        p.Seal(ContentType.ApplicationData, [1], buffer);
        Assert.Equal(ulong.MaxValue, p.SequenceNumber);
        Assert.Throws<TlsAlertException>(() => p.Seal(ContentType.ApplicationData, [1], buffer));
        Assert.Equal(ulong.MaxValue, p.SequenceNumber);
    }

    [Theory]
    [InlineData((int)AeadAlgorithm.Aes128Gcm, 1UL << 23, 1UL << 24)]
    [InlineData((int)AeadAlgorithm.Aes256Gcm, 1UL << 23, 1UL << 24)]
    [InlineData((int)AeadAlgorithm.Aes128Ccm, 1UL << 23, 1UL << 24)]
    [InlineData((int)AeadAlgorithm.Aes128Ccm8, 1UL << 23, 1UL << 24)]
    [InlineData((int)AeadAlgorithm.ChaCha20Poly1305, ulong.MaxValue - (1UL << 32), ulong.MaxValue)]
    public void Default_limits_stay_below_rfc8446_section_5_5(int alg, ulong threshold, ulong limit)
    {
        var algorithm = (AeadAlgorithm)alg;
        SequenceLimits l = SequenceLimits.For(algorithm);
        Assert.Equal(threshold, l.KeyUpdateThreshold);
        Assert.Equal(limit, l.Limit);
        Assert.True(algorithm == AeadAlgorithm.ChaCha20Poly1305 || l.Limit < 23726566UL); // 2^24.5
    }

    [Fact]
    public void Dispose_wipes_the_iv_and_refuses_further_use()
    {
        var p = Tls13();
        var ivField = typeof(Tls13RecordProtection).GetField("_iv", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        byte[] iv = (byte[])ivField.GetValue(p)!;
        Assert.Contains(iv, b => b != 0);
        p.Dispose();
        Assert.All(iv, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => p.Seal(ContentType.ApplicationData, [1], new byte[100]));
    }

    [Fact]
    public void Tls12_aead_failures()
    {
        using var sealer = new Tls12AeadRecordProtection(AeadAlgorithm.Aes128Gcm, Key16, [1, 2, 3, 4]);
        byte[] r = Seal(sealer, ContentType.ApplicationData, new byte[64]);
        Assert.Equal(5 + 8 + 64 + 16, r.Length);

        byte[] flipped = (byte[])r.Clone();
        flipped[20] ^= 0x80;
        using (var opener = new Tls12AeadRecordProtection(AeadAlgorithm.Aes128Gcm, Key16, [1, 2, 3, 4]))
        {
            Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, flipped));
        }

        using (var opener = new Tls12AeadRecordProtection(AeadAlgorithm.Aes128Gcm, Key16, [1, 2, 3, 4]))
        {
            Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, r, outerType: ContentType.Handshake));
        }

        using (var opener = new Tls12AeadRecordProtection(AeadAlgorithm.Aes128Gcm, Key16, [1, 2, 3, 4]))
        {
            Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, RecordDeframerTests.Record(ContentType.ApplicationData, 23)));
        }

        using (var opener = new Tls12AeadRecordProtection(AeadAlgorithm.Aes128Gcm, Key16, [1, 2, 3, 4]))
        {
            Assert.Equal(AlertDescription.RecordOverflow, OpenAlert(opener, RecordDeframerTests.Record(ContentType.ApplicationData, 16384 + 2049)));
        }
    }

    [Fact]
    public void Tls12_aead_plaintext_above_2_pow_14_overflows()
    {
        // Built with the raw AEAD: explicit nonce 0, seq 0, 2^14 + 1 bytes of plaintext.
        byte[] salt = [1, 2, 3, 4];
        using IAead aead = ManagedTls.Crypto.Aeads.Create(AeadAlgorithm.Aes128Gcm, Key16);
        byte[] fragment = new byte[8 + 16385 + 16];
        byte[] aad = new byte[13];
        aad[8] = (byte)ContentType.ApplicationData;
        BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(9), 0x0303);
        BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(11), 16385);
        aead.Seal([.. salt, .. new byte[8]], aad, new byte[16385], fragment.AsSpan(8));
        using var opener = new Tls12AeadRecordProtection(AeadAlgorithm.Aes128Gcm, Key16, salt);
        var e = Assert.Throws<TlsAlertException>(() => opener.Open(ContentType.ApplicationData, 0x0303, fragment, out _));
        Assert.Equal(AlertDescription.RecordOverflow, e.Description);
    }

    [Fact]
    public void Tls12_zero_length_handshake_is_unexpected_message()
    {
        using var sealer = new Tls12AeadRecordProtection(AeadAlgorithm.ChaCha20Poly1305, new byte[32], Iv12);
        byte[] r = Seal(sealer, ContentType.Handshake, []);
        using var opener = new Tls12AeadRecordProtection(AeadAlgorithm.ChaCha20Poly1305, new byte[32], Iv12);
        Assert.Equal(AlertDescription.UnexpectedMessage, OpenAlert(opener, r));
    }

    private static readonly byte[] CbcKey = Enumerable.Range(7, 16).Select(i => (byte)i).ToArray();
    private static readonly byte[] MacKey = Enumerable.Range(50, 20).Select(i => (byte)i).ToArray();
    private static readonly byte[] CbcIv = Enumerable.Range(200, 16).Select(i => (byte)i).ToArray();

    private static Tls12CbcRecordProtection Cbc(bool etm) => new(CbcKey, HashAlgorithm.Sha1, MacKey, etm, new FixedEntropy(CbcIv));

    /// <summary>A MAC-then-encrypt HMAC-SHA1 record (seq 0) with the given padding bytes, built from the primitives.</summary>
    private static byte[] RawMacThenEncrypt(byte[] content, byte[] padding, bool corruptMac = false)
    {
        byte[] macInput = new byte[13 + content.Length];
        macInput[8] = (byte)ContentType.ApplicationData;
        BinaryPrimitives.WriteUInt16BigEndian(macInput.AsSpan(9), 0x0303);
        BinaryPrimitives.WriteUInt16BigEndian(macInput.AsSpan(11), (ushort)content.Length);
        content.CopyTo(macInput, 13);
        byte[] mac = new byte[20];
        Hmac.Compute(HashAlgorithm.Sha1, MacKey, macInput, mac);
        if (corruptMac)
        {
            mac[5] ^= 1;
        }

        byte[] plain = [.. content, .. mac, .. padding];
        Assert.Equal(0, plain.Length % 16);
        byte[] cipher = new byte[plain.Length];
        using (var aes = new AesCbc(CbcKey))
        {
            aes.Encrypt(CbcIv, plain, cipher);
        }

        byte[] record = new byte[5 + 16 + cipher.Length];
        RecordHeader.Write(record, ContentType.ApplicationData, 0x0303, 16 + cipher.Length);
        CbcIv.CopyTo(record, 5);
        cipher.CopyTo(record, 21);
        return record;
    }

    private static byte[] Padding(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    [Fact]
    public void Cbc_longest_padding_is_accepted()
    {
        // 12 + 20 + 256 = 288 bytes: padding_length 255, the most a record can carry.
        byte[] record = RawMacThenEncrypt(new byte[12], Padding(256, 255));
        using var opener = Cbc(false);
        opener.Open(ContentType.ApplicationData, 0x0303, record.AsSpan(5), out Span<byte> content);
        Assert.Equal(12, content.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(11)]
    public void Cbc_inconsistent_padding_byte_is_bad_record_mac(int corrupt)
    {
        byte[] padding = Padding(12, 11); // 16 bytes of content + 20 of MAC + 12 of padding = 48
        padding[corrupt] = 10;
        byte[] record = RawMacThenEncrypt(new byte[16], padding);
        using var opener = Cbc(false);
        Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, record));
    }

    [Fact]
    public void Cbc_padding_length_beyond_the_record_is_bad_record_mac()
    {
        byte[] record = RawMacThenEncrypt(new byte[16], Padding(12, 200));
        using var opener = Cbc(false);
        Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, record));
    }

    [Fact]
    public void Cbc_bad_mac_with_good_padding_is_bad_record_mac()
    {
        byte[] record = RawMacThenEncrypt(new byte[16], Padding(12, 11), corruptMac: true);
        using var opener = Cbc(false);
        Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, record));
    }

    [Fact]
    public void Cbc_raw_record_with_good_padding_and_mac_opens()
    {
        byte[] record = RawMacThenEncrypt(Enumerable.Range(0, 16).Select(i => (byte)i).ToArray(), Padding(12, 11));
        using var opener = Cbc(false);
        opener.Open(ContentType.ApplicationData, 0x0303, record.AsSpan(5), out Span<byte> content);
        Assert.Equal("000102030405060708090A0B0C0D0E0F", Convert.ToHexString(content));
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 16)]
    [InlineData(false, 17)]
    [InlineData(false, 31)]
    [InlineData(true, 16 + 16 + 19)]
    [InlineData(true, 16 + 20)]
    [InlineData(true, 16 + 17 + 20)]
    public void Cbc_malformed_lengths_are_bad_record_mac(bool etm, int length)
    {
        using var opener = Cbc(etm);
        Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, RecordDeframerTests.Record(ContentType.ApplicationData, length)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cbc_any_flipped_byte_is_bad_record_mac(bool etm)
    {
        using var sealer = Cbc(etm);
        byte[] r = Seal(sealer, ContentType.ApplicationData, new byte[40]);
        for (int i = 5; i < r.Length; i++)
        {
            byte[] copy = (byte[])r.Clone();
            copy[i] ^= 0x01;
            using var opener = Cbc(etm);
            Assert.Equal(AlertDescription.BadRecordMac, OpenAlert(opener, copy));
        }
    }

    [Fact]
    public void Cbc_zero_length_alert_is_unexpected_message()
    {
        using var sealer = Cbc(true);
        byte[] r = Seal(sealer, ContentType.Alert, []);
        using var opener = Cbc(true);
        Assert.Equal(AlertDescription.UnexpectedMessage, OpenAlert(opener, r));
    }

    [Fact]
    public void Plaintext_protection_passes_content_through_with_checks()
    {
        using var p = new PlaintextRecordProtection(0x0301);
        byte[] r = Seal(p, ContentType.Handshake, [1, 2, 3]);
        Assert.Equal("16030100030102 03".Replace(" ", ""), Convert.ToHexString(r));
        Assert.Equal(ContentType.Handshake, p.Open(ContentType.Handshake, 0x0301, r.AsSpan(5), out Span<byte> content));
        Assert.Equal(3, content.Length);
        Assert.Equal(AlertDescription.UnexpectedMessage, OpenAlert(p, RecordDeframerTests.Record(ContentType.Alert, 0)));
        Assert.False(p.IsProtected);
    }
}

public class RecordSizeLimitTests
{
    [Fact]
    public void Announced_limit_bounds_opened_plaintext()
    {
        byte[] key = new byte[16];
        byte[] iv = new byte[12];
        using var sealer = new Tls13RecordProtection(ManagedTls.Crypto.AeadAlgorithm.Aes128Gcm, key, iv);
        using var opener = new Tls13RecordProtection(ManagedTls.Crypto.AeadAlgorithm.Aes128Gcm, key, iv) { MaxReceivePlaintext = 1023 };
        byte[] buffer = new byte[2000];
        int n = sealer.Seal(ContentType.ApplicationData, new byte[1023], buffer);
        opener.Open(ContentType.ApplicationData, 0x0303, buffer.AsSpan(5, n - 5), out Span<byte> content);
        Assert.Equal(1023, content.Length);
        n = sealer.Seal(ContentType.ApplicationData, new byte[1024], buffer);
        var e = Assert.Throws<TlsAlertException>(() => opener.Open(ContentType.ApplicationData, 0x0303, buffer.AsSpan(5, n - 5), out _));
        Assert.Equal(AlertDescription.RecordOverflow, e.Description);
    }

    [Fact]
    public void Announced_limit_bounds_tls12_plaintext()
    {
        byte[] key = new byte[16];
        using var sealer = new Tls12AeadRecordProtection(ManagedTls.Crypto.AeadAlgorithm.Aes128Gcm, key, new byte[4]);
        using var opener = new Tls12AeadRecordProtection(ManagedTls.Crypto.AeadAlgorithm.Aes128Gcm, key, new byte[4]) { MaxReceivePlaintext = 512 };
        byte[] buffer = new byte[2000];
        int n = sealer.Seal(ContentType.ApplicationData, new byte[513], buffer);
        var e = Assert.Throws<TlsAlertException>(() => opener.Open(ContentType.ApplicationData, 0x0303, buffer.AsSpan(5, n - 5), out _));
        Assert.Equal(AlertDescription.RecordOverflow, e.Description);
    }
}

public class Tls13SealTypeTests
{
    [Theory]
    [InlineData(ContentType.ChangeCipherSpec)]
    [InlineData(ContentType.Invalid)]
    [InlineData(ContentType.Heartbeat)]
    public void Only_handshake_alert_and_application_data_are_sealed(ContentType type)
    {
        using var p = new Tls13RecordProtection(ManagedTls.Crypto.AeadAlgorithm.Aes128Gcm, new byte[16], new byte[12]);
        var e = Assert.Throws<TlsAlertException>(() => p.Seal(type, [1], new byte[100]));
        Assert.Equal(AlertDescription.InternalError, e.Description);
        Assert.Equal(0UL, p.SequenceNumber);
    }
}

public class Tls13TrialDecryptionTests
{
    [Fact]
    public void TryOpen_skips_a_record_under_other_keys_without_consuming_the_sequence_number()
    {
        byte[] iv = new byte[12];
        using var early = new Tls13RecordProtection(ManagedTls.Crypto.AeadAlgorithm.Aes128Gcm, Enumerable.Repeat((byte)1, 16).ToArray(), iv);
        using var handshake = new Tls13RecordProtection(ManagedTls.Crypto.AeadAlgorithm.Aes128Gcm, Enumerable.Repeat((byte)2, 16).ToArray(), iv);
        using var opener = new Tls13RecordProtection(ManagedTls.Crypto.AeadAlgorithm.Aes128Gcm, Enumerable.Repeat((byte)2, 16).ToArray(), iv);
        byte[] skipped = new byte[100];
        int n1 = early.Seal(ContentType.ApplicationData, [1, 2, 3], skipped);
        byte[] real = new byte[100];
        int n2 = handshake.Seal(ContentType.Handshake, [20, 0, 0, 0], real);

        Assert.False(opener.TryOpen(ContentType.ApplicationData, 0x0303, skipped.AsSpan(5, n1 - 5), out _, out _));
        Assert.Equal(0UL, opener.SequenceNumber);
        Assert.True(opener.TryOpen(ContentType.ApplicationData, 0x0303, real.AsSpan(5, n2 - 5), out ContentType type, out Span<byte> content));
        Assert.Equal(ContentType.Handshake, type);
        Assert.Equal(4, content.Length);
        Assert.Equal(1UL, opener.SequenceNumber);
    }
}
