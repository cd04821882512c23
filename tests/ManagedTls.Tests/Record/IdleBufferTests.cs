using ManagedTls.Connection;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Record;

/// <summary>
/// The buffers of the record path are rented when bytes arrive and returned to the pool once everything they held was
/// consumed, so an idle connection keeps none; a partial record or message keeps its buffer.
/// </summary>
public class IdleBufferTests
{
    private static readonly RecordReadRules Plain = new(RecordReadState.Plaintext, RecordVersionCheck.Exact);

    [Fact]
    public void The_deframer_holds_a_buffer_only_while_bytes_wait()
    {
        using var deframer = new RecordDeframer(Plain);
        Assert.False(deframer.HoldsBuffer);
        Assert.Equal(0, deframer.Write(ReadOnlySpan<byte>.Empty));
        Assert.False(deframer.HoldsBuffer);

        byte[] record = RecordDeframerTests.Record(ContentType.ApplicationData, 20, fill: 7);
        deframer.Write(record.AsSpan(0, 12));
        deframer.ReleaseIfEmpty();
        Assert.True(deframer.HoldsBuffer);
        Assert.False(deframer.TryRead(out _));
        deframer.Write(record.AsSpan(12));
        Assert.True(deframer.TryRead(out TlsRecord got));
        Assert.Equal(Convert.ToHexString(record.AsSpan(5)), Convert.ToHexString(got.Fragment));
        deframer.ReleaseIfEmpty();
        Assert.False(deframer.HoldsBuffer);
        Assert.Equal(0, deframer.BufferedLength);

        // It rents again on the next bytes and still yields records.
        deframer.Write(record);
        Assert.True(deframer.HoldsBuffer);
        Assert.True(deframer.TryRead(out got));
        Assert.Equal(20, got.Fragment.Length);
    }

    [Fact]
    public void The_reassembler_holds_a_buffer_only_while_a_message_is_incomplete()
    {
        using var r = new HandshakeReassembler(maxMessageSize: 0xFFFFFF);
        Assert.False(r.HoldsBuffer);
        byte[] message = [(byte)HandshakeType.Finished, 0, 0, 5, 1, 2, 3, 4, 5];
        r.AddFragment(message.AsSpan(0, 6));
        Assert.False(r.TryReadMessage(out _));
        r.ReleaseIfEmpty();
        Assert.True(r.HoldsBuffer);
        r.AddFragment(message.AsSpan(6));
        Assert.True(r.TryReadMessage(out HandshakeMessage got));
        Assert.Equal(Convert.ToHexString(message), Convert.ToHexString(got.Encoded));
        r.ReleaseIfEmpty();
        Assert.False(r.HoldsBuffer);
        r.AddFragment(message);
        Assert.True(r.TryReadMessage(out got));
        Assert.Equal(HandshakeType.Finished, got.Type);
    }

    [Fact]
    public void A_byte_queue_returns_its_array_once_read_empty()
    {
        using var q = new ByteQueue();
        Assert.False(q.HoldsBuffer);
        q.Write([1, 2, 3, 4]);
        Assert.True(q.HoldsBuffer);
        Span<byte> two = stackalloc byte[2];
        Assert.Equal(2, q.Read(two));
        Assert.True(q.HoldsBuffer);
        Assert.Equal(2, q.Read(two));
        Assert.Equal("0304", Convert.ToHexString(two));
        Assert.False(q.HoldsBuffer);
        Assert.Equal(0, q.Length);

        byte[] big = new byte[20000];
        new Random(3).NextBytes(big);
        q.Write(big.AsSpan(0, 3000));
        q.Write(big.AsSpan(3000));
        byte[] back = new byte[big.Length];
        Assert.Equal(big.Length, q.Read(back));
        Assert.Equal(big, back);
        Assert.False(q.HoldsBuffer);
    }

    [Fact]
    public void A_queued_flight_larger_than_the_first_buffer_keeps_every_message()
    {
        using var w = new RecordWriter();
        using var plain = new PlaintextRecordProtection();
        Assert.Equal(0, w.FlushHandshake(plain, new System.Buffers.ArrayBufferWriter<byte>()));
        byte[] first = [(byte)HandshakeType.ServerHello, 0, 0, 2, 9, 9];
        byte[] second = new byte[6000];
        second[0] = (byte)HandshakeType.Certificate;
        second[2] = (6000 - 4) >> 8;
        second[3] = (6000 - 4) & 0xFF;
        w.QueueHandshake(first);
        w.QueueHandshake(second);
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.Equal(1, w.FlushHandshake(plain, output));
        Assert.False(w.HasPendingHandshake);
        Assert.Equal(Convert.ToHexString([.. first, .. second]), Convert.ToHexString(output.WrittenSpan.Slice(5)));
    }
}
