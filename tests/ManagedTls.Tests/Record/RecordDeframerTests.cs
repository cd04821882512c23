using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Record;

public class RecordDeframerTests
{
    private static readonly RecordReadRules Plain = new(RecordReadState.Plaintext, RecordVersionCheck.Exact);
    private static readonly RecordReadRules Tls13 = RecordReadRules.Tls13(protectedRecords: true);
    private static readonly RecordReadRules Tls12 = RecordReadRules.Tls12(protectedRecords: true);

    internal static byte[] Record(ContentType type, int length, ushort version = 0x0303, byte fill = 0x42)
    {
        byte[] r = new byte[5 + length];
        RecordHeader.Write(r, type, version, length);
        r.AsSpan(5).Fill(fill);
        return r;
    }

    private static AlertDescription AlertOf(Action action) => Assert.Throws<TlsAlertException>(action).Description;

    private static AlertDescription? Parse(byte[] input, RecordReadRules rules)
    {
        try
        {
            Assert.True(RecordDeframer.TryParse(input, rules, out RecordHeader header, out int length));
            Assert.Equal(input.Length, length);
            Assert.Equal(input.Length - 5, header.Length);
            return null;
        }
        catch (TlsAlertException e)
        {
            return e.Description;
        }
    }

    [Theory]
    [InlineData(ContentType.Handshake, 16384, null)]
    [InlineData(ContentType.Handshake, 16385, AlertDescription.RecordOverflow)]
    [InlineData(ContentType.ApplicationData, 16384, null)]
    [InlineData(ContentType.ApplicationData, 16385, AlertDescription.RecordOverflow)]
    [InlineData(ContentType.Alert, 16385, AlertDescription.RecordOverflow)]
    public void Plaintext_limit_is_2_pow_14(ContentType type, int length, AlertDescription? expected) =>
        Assert.Equal(expected, Parse(Record(type, length), Plain));

    [Theory]
    [InlineData(ContentType.ApplicationData, 16384 + 256, null)]
    [InlineData(ContentType.ApplicationData, 16384 + 257, AlertDescription.RecordOverflow)]
    [InlineData(ContentType.ChangeCipherSpec, 16384, null)]
    [InlineData(ContentType.ChangeCipherSpec, 16385, AlertDescription.RecordOverflow)]
    [InlineData(ContentType.Alert, 16385, AlertDescription.RecordOverflow)]
    public void Tls13_ciphertext_limit_is_2_pow_14_plus_256(ContentType type, int length, AlertDescription? expected) =>
        Assert.Equal(expected, Parse(Record(type, length), Tls13));

    [Theory]
    [InlineData(ContentType.ApplicationData, 16384 + 2048, null)]
    [InlineData(ContentType.ApplicationData, 16384 + 2049, AlertDescription.RecordOverflow)]
    [InlineData(ContentType.Handshake, 16384 + 2048, null)]
    [InlineData(ContentType.Handshake, 16384 + 2049, AlertDescription.RecordOverflow)]
    [InlineData(ContentType.Alert, 16384 + 2049, AlertDescription.RecordOverflow)]
    public void Tls12_ciphertext_limit_is_2_pow_14_plus_2048(ContentType type, int length, AlertDescription? expected) =>
        Assert.Equal(expected, Parse(Record(type, length), Tls12));

    [Fact]
    public void Announced_record_size_limit_lowers_plaintext_and_ciphertext_limits()
    {
        var rules = new RecordReadRules(RecordReadState.Tls13Protected, RecordVersionCheck.Exact, maxPlaintext: 1024);
        Assert.Null(Parse(Record(ContentType.ApplicationData, 1024 + 256), rules));
        Assert.Equal(AlertDescription.RecordOverflow, Parse(Record(ContentType.ApplicationData, 1024 + 257), rules));
        Assert.Equal(AlertDescription.RecordOverflow, Parse(Record(ContentType.ChangeCipherSpec, 1025), rules));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    [InlineData(24)]
    [InlineData(25)]
    [InlineData(0x47)]
    [InlineData(255)]
    public void Unknown_content_type_is_unexpected_message(byte type)
    {
        Assert.Equal(AlertDescription.UnexpectedMessage, Parse(Record((ContentType)type, 10), Plain));
        Assert.Equal(AlertDescription.UnexpectedMessage, Parse(Record((ContentType)type, 10), Tls13));
    }

    [Theory]
    [InlineData(ContentType.Handshake, AlertDescription.UnexpectedMessage)]
    [InlineData(ContentType.Alert, AlertDescription.UnexpectedMessage)]
    [InlineData(ContentType.ChangeCipherSpec, AlertDescription.UnexpectedMessage)]
    [InlineData(ContentType.ApplicationData, null)]
    public void Zero_length_plaintext_records(ContentType type, AlertDescription? expected)
    {
        Assert.Equal(expected, Parse(Record(type, 0), Plain));
    }

    [Fact]
    public void Zero_length_protected_records_are_left_to_the_protection()
    {
        // A protected record's emptiness is only known after decryption (and an empty ciphertext fails to open).
        Assert.Null(Parse(Record(ContentType.ApplicationData, 0), Tls13));
        Assert.Null(Parse(Record(ContentType.Handshake, 0), Tls12));
        Assert.Equal(AlertDescription.UnexpectedMessage, Parse(Record(ContentType.ChangeCipherSpec, 0), Tls13));
    }

    [Theory]
    [InlineData((int)RecordVersionCheck.MajorThree, 0x0300, null)]
    [InlineData((int)RecordVersionCheck.MajorThree, 0x0301, null)]
    [InlineData((int)RecordVersionCheck.MajorThree, 0x0303, null)]
    [InlineData((int)RecordVersionCheck.MajorThree, 0x0304, null)]
    [InlineData((int)RecordVersionCheck.MajorThree, 0x0203, AlertDescription.ProtocolVersion)]
    [InlineData((int)RecordVersionCheck.MajorThree, 0x4745, AlertDescription.ProtocolVersion)]
    [InlineData((int)RecordVersionCheck.Exact, 0x0303, null)]
    [InlineData((int)RecordVersionCheck.Exact, 0x0301, AlertDescription.ProtocolVersion)]
    [InlineData((int)RecordVersionCheck.Exact, 0x0304, AlertDescription.ProtocolVersion)]
    [InlineData((int)RecordVersionCheck.Ignore, 0x0301, null)]
    [InlineData((int)RecordVersionCheck.Ignore, 0xfefd, null)]
    public void Legacy_record_version_policy(int check, int version, AlertDescription? expected)
    {
        var rules = new RecordReadRules(RecordReadState.Plaintext, (RecordVersionCheck)check);
        Assert.Equal(expected, Parse(Record(ContentType.Handshake, 4, (ushort)version), rules));
    }

    [Fact]
    public void Initial_rules_accept_a_0x0301_client_hello_record()
    {
        Assert.Null(Parse(Record(ContentType.Handshake, 196, 0x0301), RecordReadRules.Initial));
    }

    [Fact]
    public void Short_input_needs_more_data_and_never_throws()
    {
        byte[] record = Record(ContentType.Handshake, 100);
        for (int n = 0; n < record.Length; n++)
        {
            Assert.False(RecordDeframer.TryParse(record.AsSpan(0, n), Plain, out _, out int length));
            Assert.Equal(0, length);
        }

        Assert.True(RecordDeframer.TryParse(record, Plain, out _, out _));
    }

    [Fact]
    public void Oversized_header_is_refused_before_the_body_arrives()
    {
        byte[] header = Record(ContentType.Handshake, 0).AsSpan(0, 5).ToArray();
        header[3] = 0x40;
        header[4] = 0x01; // 16385
        Assert.Equal(AlertDescription.RecordOverflow, AlertOf(() => RecordDeframer.TryParse(header, Plain, out _, out _)));
    }

    [Fact]
    public void Deframer_yields_records_from_byte_at_a_time_input()
    {
        byte[] stream = [.. Record(ContentType.Handshake, 3, fill: 1), .. Record(ContentType.ApplicationData, 0), .. Record(ContentType.Alert, 2, fill: 2)];
        using var deframer = new RecordDeframer(Plain);
        var seen = new List<(ContentType, string)>();
        foreach (byte b in stream)
        {
            Assert.Equal(1, deframer.Write([b]));
            while (deframer.TryRead(out TlsRecord record))
            {
                seen.Add((record.Type, Convert.ToHexString(record.Fragment)));
            }
        }

        Assert.Equal([(ContentType.Handshake, "010101"), (ContentType.ApplicationData, ""), (ContentType.Alert, "0202")], seen);
        Assert.False(deframer.HasPartialRecord);
    }

    [Fact]
    public void Deframer_reports_a_partial_record_at_end_of_stream()
    {
        using var deframer = new RecordDeframer(Plain);
        deframer.Write(Record(ContentType.Handshake, 10).AsSpan(0, 8));
        Assert.False(deframer.TryRead(out _));
        Assert.True(deframer.HasPartialRecord);
        Assert.Equal(8, deframer.BufferedLength);
    }

    [Fact]
    public void Deframer_takes_what_fits_and_makes_progress_with_maximum_records()
    {
        byte[] one = Record(ContentType.ApplicationData, 16384 + 2048);
        byte[] stream = [.. one, .. one, .. one, .. one];
        using var deframer = new RecordDeframer(Tls12);
        int offset = 0;
        int records = 0;
        while (offset < stream.Length)
        {
            int n = deframer.Write(stream.AsSpan(offset));
            Assert.True(n > 0);
            offset += n;
            while (deframer.TryRead(out TlsRecord record))
            {
                Assert.Equal(16384 + 2048, record.Fragment.Length);
                records++;
            }
        }

        Assert.Equal(4, records);
    }

    [Fact]
    public void Deframer_applies_rules_changed_between_records()
    {
        using var deframer = new RecordDeframer(RecordReadRules.Initial);
        deframer.Write([.. Record(ContentType.Handshake, 4, 0x0301), .. Record(ContentType.Handshake, 4, 0x0301)]);
        Assert.True(deframer.TryRead(out _));
        deframer.Rules = Plain;
        Assert.Equal(AlertDescription.ProtocolVersion, AlertOf(() => deframer.TryRead(out _)));
    }
}
