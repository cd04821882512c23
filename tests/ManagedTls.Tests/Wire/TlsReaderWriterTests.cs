using ManagedTls.Wire;

namespace ManagedTls.Tests.Wire;

public class TlsReaderWriterTests
{
    [Fact]
    public void Reads_integers_big_endian()
    {
        var r = new TlsReader([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        Assert.Equal(1, r.ReadUInt8("a"));
        Assert.Equal(0x0203, r.ReadUInt16("b"));
        Assert.Equal(0x040506, r.ReadUInt24("c"));
        Assert.Equal(0x0708090au, r.ReadUInt32("d"));
        Assert.True(r.IsEmpty);
        r.ExpectEnd("x");
    }

    [Fact]
    public void Short_read_is_decode_error_naming_the_field()
    {
        var ex = Assert.Throws<TlsAlertException>(() =>
        {
            var r = new TlsReader([1]);
            r.ReadUInt16("Thing.field");
        });
        Assert.Equal(AlertDescription.DecodeError, ex.Description);
        Assert.Contains("Thing.field", ex.Message);
    }

    [Fact]
    public void Vector_bounds_and_overrun_are_decode_errors()
    {
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() =>
        {
            var r = new TlsReader([0, 0]);
            r.ReadVector16("v", 1);
        }).Description);
        Assert.Contains("exceeds", Assert.Throws<TlsAlertException>(() =>
        {
            var r = new TlsReader([0, 5, 1, 2]);
            r.ReadVector16("v");
        }).Message);
        Assert.Contains("outside", Assert.Throws<TlsAlertException>(() =>
        {
            var r = new TlsReader([3, 1, 2, 3]);
            r.ReadVector8("v", 0, 2);
        }).Message);
    }

    [Fact]
    public void Sub_reader_cannot_read_past_its_vector_and_ExpectEnd_refuses_trailing_bytes()
    {
        var r = new TlsReader([2, 0xAA, 0xBB, 0xCC]);
        TlsReader sub = r.Sub8("outer");
        Assert.Equal(0xAABB, sub.ReadUInt16("inner"));
        Assert.Throws<TlsAlertException>(() =>
        {
            var r2 = new TlsReader([1, 0xAA, 0xBB]);
            TlsReader s2 = r2.Sub8("outer");
            s2.ReadUInt16("inner");
        });
        Assert.Equal(1, r.Remaining);
        Assert.Contains("trailing", Assert.Throws<TlsAlertException>(() =>
        {
            var r3 = new TlsReader([1, 2]);
            r3.ReadUInt8("a");
            r3.ExpectEnd("msg");
        }).Message);
    }

    [Fact]
    public void Writer_back_patches_nested_lengths()
    {
        using var w = new TlsWriter(16);
        VectorMark outer = w.BeginVector24();
        VectorMark inner = w.BeginVector16();
        w.WriteUInt8(7);
        w.WriteUInt32(0x01020304);
        w.EndVector(inner, "inner");
        w.WriteVector8([9, 9], "v8");
        w.EndVector(outer, "outer");
        Assert.Equal(new byte[] { 0, 0, 10, 0, 5, 7, 1, 2, 3, 4, 2, 9, 9 }, w.ToArray());
    }

    [Fact]
    public void Writer_grows_past_initial_capacity()
    {
        using var w = new TlsWriter(16);
        var big = new byte[70000];
        big[^1] = 0x5A;
        w.WriteVector24(big, "big");
        Assert.Equal(70003, w.Length);
        Assert.Equal(0x5A, w.WrittenSpan[^1]);
        var r = new TlsReader(w.WrittenSpan);
        Assert.Equal(70000, r.ReadVector24("big").Length);
    }

    [Fact]
    public void Writer_checks_vector_bounds_on_write()
    {
        using var w = new TlsWriter();
        Assert.Equal(AlertDescription.InternalError, Assert.Throws<TlsAlertException>(() => w.WriteVector8([], "empty", 1)).Description);
        Assert.Throws<TlsAlertException>(() => w.WriteVector8(new byte[256], "big"));
        VectorMark m = w.BeginVector16();
        w.WriteUInt8(1);
        Assert.Throws<TlsAlertException>(() => w.EndVector(m, "even", 2));
        Assert.Throws<TlsAlertException>(() => w.WriteUInt24(1 << 24));
    }

    [Fact]
    public void Writer_is_an_IBufferWriter()
    {
        using var w = new TlsWriter();
        w.WriteUInt8(1);
        Span<byte> s = w.GetSpan(3);
        s[0] = 2;
        s[1] = 3;
        w.Advance(2);
        Assert.Equal(new byte[] { 1, 2, 3 }, w.ToArray());
        var dest = new System.Buffers.ArrayBufferWriter<byte>();
        w.CopyTo(dest);
        Assert.Equal(new byte[] { 1, 2, 3 }, dest.WrittenSpan.ToArray());
        w.Reset();
        Assert.Equal(0, w.Length);
    }
}
