using FsCheck.Xunit;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>MemoryBio against Python's ssl.MemoryBIO.</summary>
public class MemoryBioTests
{
    // python3: b = ssl.MemoryBIO(); print(b.pending, b.eof, b.write(b'abc'), b.pending, b.read(1), b.read(), b.read(), b.eof) ...
    private const string Recorded =
        "0 False 3 3 b'a' b'bc' b'' False\n" +
        "False 2 b'xy' True\n" +
        "SSLError cannot write() after write_eof()\n" +
        "True\n" +
        "b'' b'hello' b'' 0";

    private const string Script =
        "import ssl\nb = ssl.MemoryBIO()\nprint(b.pending, b.eof, b.write(b'abc'), b.pending, b.read(1), b.read(), b.read(), b.eof)\n" +
        "b.write(b'xy'); b.write_eof(); print(b.eof, b.pending, b.read(), b.eof)\n" +
        "try: b.write(b'z')\nexcept ssl.SSLError as e: print('SSLError', e.args[0])\n" +
        "b.write_eof(); print(b.eof)\n" +
        "b = ssl.MemoryBIO(); b.write(b'hello'); print(b.read(0), b.read(-5), b.read(100), b.write(b''))";

    [Fact]
    public void BehaviourMatchesRecordedAndLivePython()
    {
        var lines = new List<string>();
        var b = new MemoryBio();
        lines.Add($"{b.Pending} {Py(b.Eof)} {b.Write("abc"u8)} {b.Pending} {Py(b.Read(1))} {Py(b.Read())} {Py(b.Read())} {Py(b.Eof)}");
        b.Write("xy"u8.ToArray());
        b.WriteEof();
        lines.Add($"{Py(b.Eof)} {b.Pending} {Py(b.Read())} {Py(b.Eof)}");
        try
        {
            b.Write("z"u8);
        }
        catch (SslException e)
        {
            lines.Add("SSLError " + e.Message);
        }

        b.WriteEof();
        lines.Add(Py(b.Eof));
        b = new MemoryBio();
        b.Write("hello"u8);
        lines.Add($"{Py(b.Read(0))} {Py(b.Read(-5))} {Py(b.Read(100))} {b.Write(ReadOnlySpan<byte>.Empty)}");
        Assert.Equal(Recorded, string.Join("\n", lines));
        Assert.Equal(Recorded, PythonOracle.Run(Script)!.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void NullArrayIsRejected() => Assert.Throws<ArgumentNullException>(() => new MemoryBio().Write((byte[])null!));

    [Fact]
    public void LargeWritesAcrossSegmentsComeBackInOrder()
    {
        var b = new MemoryBio();
        var data = new byte[200_000];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i * 7);
        }

        for (int off = 0; off < data.Length; off += 1000)
        {
            b.Write(data.AsSpan(off, Math.Min(1000, data.Length - off)));
        }

        Assert.Equal(data.Length, b.Pending);
        var back = new List<byte>();
        back.AddRange(b.Read(12345));
        var span = new byte[70_000];
        int n = b.Read(span);
        back.AddRange(span.AsSpan(0, n).ToArray());
        back.AddRange(b.Read());
        Assert.Equal(data, back.ToArray());
        Assert.Equal(0, b.Pending);
        b.Write(new byte[] { 1, 2 });
        Assert.Equal(new byte[] { 1, 2 }, b.Read());
    }

    /// <summary>Any interleaving of writes and reads behaves as a FIFO queue of bytes.</summary>
    [Property(MaxTest = 200)]
    public bool ActsAsAQueue(byte[][] writes, int[] reads)
    {
        var b = new MemoryBio();
        var model = new Queue<byte>();
        int r = 0;
        foreach (byte[] w in writes ?? Array.Empty<byte[]>())
        {
            byte[] chunk = w ?? Array.Empty<byte>();
            if (b.Write(chunk) != chunk.Length)
            {
                return false;
            }

            foreach (byte x in chunk)
            {
                model.Enqueue(x);
            }

            if (reads is { Length: > 0 })
            {
                int n = reads[r++ % reads.Length] % 50;
                byte[] got = b.Read(n);
                int expectedCount = n < 0 ? model.Count : Math.Min(n, model.Count);
                if (got.Length != expectedCount)
                {
                    return false;
                }

                foreach (byte x in got)
                {
                    if (x != model.Dequeue())
                    {
                        return false;
                    }
                }
            }

            if (b.Pending != model.Count)
            {
                return false;
            }
        }

        return b.Read().SequenceEqual(model) && b.Pending == 0 && !b.Eof;
    }

    private static string Py(bool v) => v ? "True" : "False";

    private static string Py(byte[] bytes) => "b'" + new string(bytes.Select(x => (char)x).ToArray()) + "'";
}
