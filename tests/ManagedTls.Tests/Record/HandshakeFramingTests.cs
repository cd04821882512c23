using System.Buffers;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Record;

public class HandshakeFramingTests
{
    internal static byte[] Message(HandshakeType type, int bodyLength, byte fill = 0x33)
    {
        byte[] m = new byte[4 + bodyLength];
        m[0] = (byte)type;
        m[1] = (byte)(bodyLength >> 16);
        m[2] = (byte)(bodyLength >> 8);
        m[3] = (byte)bodyLength;
        m.AsSpan(4).Fill(fill);
        return m;
    }

    private static List<string> Drain(HandshakeReassembler r)
    {
        var list = new List<string>();
        while (r.TryReadMessage(out HandshakeMessage m))
        {
            list.Add(Convert.ToHexString(m.Encoded));
        }

        return list;
    }

    [Fact]
    public void Several_messages_in_one_record()
    {
        using var r = new HandshakeReassembler();
        byte[] a = Message(HandshakeType.EncryptedExtensions, 2, 1);
        byte[] b = Message(HandshakeType.Finished, 32, 2);
        r.AddFragment([.. a, .. b]);
        Assert.True(r.TryReadMessage(out HandshakeMessage m1));
        Assert.Equal(HandshakeType.EncryptedExtensions, m1.Type);
        Assert.Equal("0101", Convert.ToHexString(m1.Body));
        Assert.True(r.TryReadMessage(out HandshakeMessage m2));
        Assert.Equal(HandshakeType.Finished, m2.Type);
        Assert.Equal(32, m2.Body.Length);
        Assert.False(r.TryReadMessage(out _));
        Assert.True(r.IsEmpty);
    }

    [Fact]
    public void Message_spanning_many_records_byte_by_byte()
    {
        using var r = new HandshakeReassembler();
        byte[] m = Message(HandshakeType.Certificate, 40000, 7);
        foreach (byte b in m)
        {
            r.AddFragment([b]);
            if (r.BufferedLength < m.Length)
            {
                Assert.False(r.TryReadMessage(out _));
            }
        }

        Assert.Equal([Convert.ToHexString(m)], Drain(r));
    }

    [Fact]
    public void Empty_body_message_is_returned()
    {
        using var r = new HandshakeReassembler();
        r.AddFragment(Message(HandshakeType.ServerHelloDone, 0));
        Assert.Equal(["0E000000"], Drain(r));
    }

    [Fact]
    public void Message_at_the_limit_is_accepted_and_one_byte_more_is_refused_from_its_header()
    {
        using (var r = new HandshakeReassembler(maxMessageSize: 1000))
        {
            r.AddFragment(Message(HandshakeType.Certificate, 1000));
            Assert.Single(Drain(r));
        }

        using (var r = new HandshakeReassembler(maxMessageSize: 1000))
        {
            var e = Assert.Throws<TlsAlertException>(() => r.AddFragment(Message(HandshakeType.Certificate, 1001).AsSpan(0, 4)));
            Assert.Equal(AlertDescription.DecodeError, e.Description);
            Assert.Contains("1001", e.Message);
        }
    }

    [Fact]
    public void Oversized_second_message_in_a_record_is_refused()
    {
        using var r = new HandshakeReassembler(maxMessageSize: 100);
        r.AddFragment([.. Message(HandshakeType.Finished, 32), .. Message(HandshakeType.Certificate, 0xFFFFFF).AsSpan(0, 4)]);
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => r.TryReadMessage(out _)).Description);
    }

    [Theory]
    [InlineData(HandshakeType.ClientHello, 131396)]
    [InlineData(HandshakeType.ServerHello, 65607)]
    [InlineData(HandshakeType.NewSessionTicket, 131337)]
    [InlineData(HandshakeType.EncryptedExtensions, 65537)]
    [InlineData(HandshakeType.Certificate, 102400)]
    [InlineData(HandshakeType.CertificateRequest, 131329)]
    [InlineData(HandshakeType.CertificateVerify, 65539)]
    [InlineData(HandshakeType.Finished, 64)]
    [InlineData(HandshakeType.KeyUpdate, 1)]
    [InlineData(HandshakeType.EndOfEarlyData, 0)]
    [InlineData(HandshakeType.ServerHelloDone, 0)]
    [InlineData(HandshakeType.HelloRequest, 0)]
    [InlineData(HandshakeType.ClientKeyExchange, 2050)]
    [InlineData(HandshakeType.ServerKeyExchange, 102400)]
    [InlineData(HandshakeType.CertificateStatus, 102400)]
    public void Each_type_has_its_own_limit_and_one_byte_more_is_decode_error(HandshakeType type, int limit)
    {
        using (var r = new HandshakeReassembler())
        {
            r.AddFragment(Message(type, limit));
            Assert.Single(Drain(r));
        }

        using (var r = new HandshakeReassembler())
        {
            var e = Assert.Throws<TlsAlertException>(() => r.AddFragment(Message(type, limit + 1).AsSpan(0, 4)));
            Assert.Equal(AlertDescription.DecodeError, e.Description);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(67)]
    [InlineData(254)]
    public void An_unknown_type_is_unexpected_message_from_its_header(byte type)
    {
        using var r = new HandshakeReassembler();
        var e = Assert.Throws<TlsAlertException>(() => r.AddFragment(Message((HandshakeType)type, 1).AsSpan(0, 4)));
        Assert.Equal(AlertDescription.UnexpectedMessage, e.Description);
    }

    [Fact]
    public void Zero_length_fragment_is_unexpected_message()
    {
        using var r = new HandshakeReassembler();
        Assert.Equal(AlertDescription.UnexpectedMessage, Assert.Throws<TlsAlertException>(() => r.AddFragment(ReadOnlySpan<byte>.Empty)).Description);
    }

    [Fact]
    public void Key_change_inside_a_message_is_unexpected_message()
    {
        using var r = new HandshakeReassembler();
        r.AddFragment(Message(HandshakeType.Finished, 32).AsSpan(0, 10));
        Assert.Equal(AlertDescription.UnexpectedMessage, Assert.Throws<TlsAlertException>(r.CheckKeyChange).Description);
    }

    [Fact]
    public void Key_change_with_a_whole_message_still_buffered_is_unexpected_message()
    {
        // ServerHello and EncryptedExtensions in one record: the key change after ServerHello does not fall on a record boundary.
        using var r = new HandshakeReassembler();
        r.AddFragment([.. Message(HandshakeType.ServerHello, 10), .. Message(HandshakeType.EncryptedExtensions, 2)]);
        Assert.True(r.TryReadMessage(out _));
        Assert.Throws<TlsAlertException>(r.CheckKeyChange);
        Assert.True(r.TryReadMessage(out _));
        r.CheckKeyChange();
    }

    [Fact]
    public void Other_record_types_may_not_interleave_a_fragmented_message()
    {
        using var r = new HandshakeReassembler();
        r.CheckInterleaving(ContentType.ApplicationData);
        r.AddFragment(Message(HandshakeType.Certificate, 100).AsSpan(0, 50));
        r.CheckInterleaving(ContentType.Handshake);
        Assert.Equal(AlertDescription.UnexpectedMessage, Assert.Throws<TlsAlertException>(() => r.CheckInterleaving(ContentType.Alert)).Description);
    }

    [Theory]
    [InlineData(null, true, 16384)]
    [InlineData(16385, true, 16384)]
    [InlineData(1024, true, 1023)]
    [InlineData(1024, false, 1024)]
    [InlineData(64, true, 63)]
    public void Max_fragment_length_from_record_size_limit(int? limit, bool tls13, int expected) =>
        Assert.Equal(expected, RecordLimits.MaxFragmentLength(limit, tls13));

    [Fact]
    public void Record_size_limit_below_64_is_illegal() =>
        Assert.Equal(AlertDescription.IllegalParameter, Assert.Throws<TlsAlertException>(() => RecordLimits.MaxFragmentLength(63, true)).Description);

    [Fact]
    public void Writer_splits_content_at_the_fragment_limit()
    {
        using var w = new RecordWriter { MaxFragmentLength = 1000 };
        using var plain = new PlaintextRecordProtection();
        var output = new ArrayBufferWriter<byte>();
        Assert.Equal(3, w.Write(ContentType.ApplicationData, new byte[2500], plain, output));
        Assert.Equal(2500 + (3 * 5), output.WrittenCount);
        using var deframer = new RecordDeframer(RecordReadRules.Initial);
        deframer.Write(output.WrittenSpan);
        var lengths = new List<int>();
        while (deframer.TryRead(out TlsRecord rec))
        {
            lengths.Add(rec.Fragment.Length);
        }

        Assert.Equal([1000, 1000, 500], lengths);
        Assert.Equal(0, w.Write(ContentType.ApplicationData, ReadOnlySpan<byte>.Empty, plain, output));
    }

    [Fact]
    public void Queued_handshake_messages_are_coalesced_and_round_trip()
    {
        byte[][] flight = [Message(HandshakeType.ServerHello, 86), Message(HandshakeType.Certificate, 20000), Message(HandshakeType.ServerHelloDone, 0)];
        using var w = new RecordWriter();
        foreach (byte[] m in flight)
        {
            w.QueueHandshake(m);
        }

        Assert.True(w.HasPendingHandshake);
        var output = new ArrayBufferWriter<byte>();
        using var plain = new PlaintextRecordProtection();
        Assert.Equal(2, w.FlushHandshake(plain, output));
        Assert.False(w.HasPendingHandshake);

        using var deframer = new RecordDeframer(RecordReadRules.Initial);
        using var r = new HandshakeReassembler();
        deframer.Write(output.WrittenSpan);
        while (deframer.TryRead(out TlsRecord rec))
        {
            Assert.Equal(ContentType.Handshake, rec.Type);
            r.AddFragment(rec.Fragment);
        }

        Assert.Equal(flight.Select(Convert.ToHexString).ToList(), Drain(r));
    }
}
