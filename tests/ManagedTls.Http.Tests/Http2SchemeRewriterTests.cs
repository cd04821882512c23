namespace ManagedTls.Http.Tests;

public sealed class Http2SchemeRewriterTests
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private static byte[] Frame(byte type, byte flags, int stream, params byte[] payload)
    {
        byte[] f = new byte[9 + payload.Length];
        f[0] = (byte)(payload.Length >> 16);
        f[1] = (byte)(payload.Length >> 8);
        f[2] = (byte)payload.Length;
        f[3] = type;
        f[4] = flags;
        f[5] = (byte)(stream >> 24);
        f[6] = (byte)(stream >> 16);
        f[7] = (byte)(stream >> 8);
        f[8] = (byte)stream;
        payload.CopyTo(f, 9);
        return f;
    }

    private static List<int> Scan(byte[] wire, int chunk)
    {
        var rewriter = new Http2SchemeRewriter();
        var all = new List<int>();
        var patches = new List<int>();
        for (int at = 0; at < wire.Length; at += chunk)
        {
            patches.Clear();
            rewriter.Advance(wire.AsSpan(at, Math.Min(chunk, wire.Length - at)), patches);
            all.AddRange(patches.Select(p => p + at));
        }

        return all;
    }

    [Fact]
    public void Finds_the_scheme_byte_after_each_method_encoding_in_any_split()
    {
        byte[] settings = Frame(0x4, 0, 0, 0, 3, 0, 0, 0, 100);
        byte[] get = Frame(0x1, 0x5, 1, 0x82, 0x86, 0x84, 0x41, 0x01, (byte)'x');
        byte[] putLiteral = Frame(0x1, 0x4, 3, 0x02, 0x03, (byte)'P', (byte)'U', (byte)'T', 0x86, 0x84);
        byte[] paddedPriority = Frame(0x1, 0x4 | 0x8 | 0x20, 5, 0x02, 0, 0, 0, 0, 16, 0x83, 0x86, 0x84, 0, 0);
        byte[] data = Frame(0x0, 0x1, 1, 0x82, 0x86, 0x86, 0x86);
        byte[] secure = Frame(0x1, 0x4, 7, 0x82, 0x87, 0x84);
        byte[] wire = [.. Preface, .. settings, .. get, .. putLiteral, .. paddedPriority, .. data, .. secure];

        int getAt = Preface.Length + settings.Length + 9 + 1;
        int putAt = Preface.Length + settings.Length + get.Length + 9 + 5;
        int paddedAt = Preface.Length + settings.Length + get.Length + putLiteral.Length + 9 + 7;
        int[] expected = [getAt, putAt, paddedAt];
        foreach (int chunk in new[] { 1, 2, 3, 7, 9, 10, wire.Length })
        {
            Assert.Equal(expected, Scan(wire, chunk));
        }

        Assert.All(expected, i => Assert.Equal(Http2SchemeRewriter.SchemeHttp, wire[i]));
    }

    [Fact]
    public void Leaves_other_encodings_alone()
    {
        byte[] sizeUpdateFirst = Frame(0x1, 0x4, 1, 0x20, 0x82, 0x86);
        byte[] literalScheme = Frame(0x1, 0x4, 3, 0x82, 0x06, 0x04, (byte)'h', (byte)'t', (byte)'t', (byte)'p');
        byte[] authorityFirst = Frame(0x1, 0x4, 5, 0x01, 0x01, (byte)'a', 0x86);
        Assert.Empty(Scan([.. Preface, .. sizeUpdateFirst, .. literalScheme, .. authorityFirst], 5));
    }
}
