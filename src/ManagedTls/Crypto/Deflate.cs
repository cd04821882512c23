using System.Buffers;
using System.Reflection;
using Org.BouncyCastle.Utilities.Zlib;

namespace ManagedTls.Crypto;

/// <summary>What <see cref="ZlibInflater.Inflate"/> found in one chunk of input.</summary>
internal enum InflateResult
{
    /// <summary>All the input was consumed and everything it decodes to fits the output limit.</summary>
    Complete,

    /// <summary>The input decodes to more than the output limit; decoding stopped one byte past it.</summary>
    LimitExceeded,

    /// <summary>
    /// The input is not zlib data that continues this stream: a bad header, block or check value, a preset
    /// dictionary, or bytes after the end of the stream. The stream is unusable afterwards.
    /// </summary>
    Malformed,
}

/// <summary>
/// What both directions of a zlib stream hold: BouncyCastle's <see cref="ZStream"/>, pooled input and output buffers
/// sized for the largest chunk, and the wiping of all of it (with the stream's history, see <see cref="ZlibHistory"/>)
/// on <see cref="Dispose"/>.
/// </summary>
internal abstract class ZlibStream : IDisposable
{
    private bool _disposed;

    /// <summary>Rents the buffers; the subclass has already started <paramref name="stream"/>.</summary>
    protected ZlibStream(ZStream stream, int maxInput, int maxOutput)
    {
        Stream = stream;
        MaxInput = maxInput;
        MaxOutput = maxOutput;
        Input = ArrayPool<byte>.Shared.Rent(Math.Max(maxInput, 1));
        Output = ArrayPool<byte>.Shared.Rent(maxOutput + 1);
        Stream.next_in = Input;
        Stream.next_out = Output;
    }

    /// <summary>The zlib state.</summary>
    protected ZStream Stream { get; }

    /// <summary>The largest chunk accepted.</summary>
    protected int MaxInput { get; }

    /// <summary>The most output one chunk may have.</summary>
    protected int MaxOutput { get; }

    /// <summary>The pooled input buffer.</summary>
    protected byte[] Input { get; private set; }

    /// <summary>The pooled output buffer (one byte longer than <see cref="MaxOutput"/>, to notice an overflow).</summary>
    protected byte[] Output { get; private set; }

    /// <summary>Wipes the stream's history and the buffers and ends the stream.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ZlibHistory.Wipe(Stream);
        End();
        Stream.free();
        CryptoUtil.Wipe(Input);
        CryptoUtil.Wipe(Output);
        ArrayPool<byte>.Shared.Return(Input);
        ArrayPool<byte>.Shared.Return(Output);
        Input = Array.Empty<byte>();
        Output = Array.Empty<byte>();
    }

    /// <summary>The zlib state's buffers that hold past data, for tests of <see cref="Dispose"/>.</summary>
    internal IReadOnlyList<Array> HistoryBuffers() => ZlibHistory.Buffers(Stream);

    /// <summary>A new zlib state started by <paramref name="init"/>, which returns the exception for a refusal or null.</summary>
    protected static ZStream Start(int maxInput, int maxOutput, Func<ZStream, Exception?> init)
    {
        if (maxInput < 0 || maxOutput < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxInput), "buffer sizes must not be negative");
        }

        var stream = new ZStream();
        if (init(stream) is { } refused)
        {
            throw refused;
        }

        return stream;
    }

    /// <summary>Ends the zlib stream (deflateEnd or inflateEnd).</summary>
    protected abstract void End();

    /// <summary>Throws when disposed.</summary>
    protected void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(GetType().Name);
        }
    }
}

/// <summary>
/// One zlib (RFC 1950) DEFLATE compression stream over BouncyCastle's <see cref="ZStream"/>: every chunk of input
/// continues the same stream (later chunks may refer back to earlier ones) and ends with a sync flush, so the
/// output of each chunk decodes completely on its own arrival at a peer that decoded the chunks before it.
/// The window holds up to 64 KiB of past input: <see cref="ZlibStream.Dispose"/> wipes it (see <see cref="ZlibHistory"/>)
/// together with the pooled input and output buffers.
/// </summary>
internal sealed class ZlibDeflater : ZlibStream
{
    /// <summary>zlib's default compression level (what <c>Z_DEFAULT_COMPRESSION</c> means).</summary>
    public const int DefaultLevel = 6;

    /// <summary>Starts a stream.</summary>
    /// <param name="maxInput">The largest chunk <see cref="Compress"/> accepts.</param>
    /// <param name="maxOutput">The largest output one chunk may have; more is a failure of the chunk.</param>
    /// <param name="level">Compression level, 0 (stored) to 9.</param>
    public ZlibDeflater(int maxInput, int maxOutput, int level = DefaultLevel)
        : base(Start(maxInput, maxOutput, s => s.deflateInit(level) == JZlib.Z_OK ? null : new ArgumentOutOfRangeException(nameof(level), "zlib rejected the compression level")), maxInput, maxOutput)
    {
    }

    /// <summary>
    /// Compresses <paramref name="input"/> as the continuation of the stream, ends with a sync flush
    /// (<c>Z_SYNC_FLUSH</c>: an empty stored block, so the output ends in <c>00 00 FF FF</c>) and writes the
    /// output to <paramref name="destination"/>. The first chunk also carries the two-byte zlib header. An empty
    /// chunk still produces the flush marker.
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="input"/> is longer than the stream accepts.</exception>
    /// <exception cref="InvalidOperationException">
    /// The output is longer than the limit or than <paramref name="destination"/>, or zlib failed; the stream is
    /// unusable afterwards.
    /// </exception>
    public int Compress(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        ThrowIfDisposed();
        if (input.Length > MaxInput)
        {
            throw new ArgumentException($"chunk of {input.Length} bytes exceeds {MaxInput}", nameof(input));
        }

        input.CopyTo(Input);
        ZStream z = Stream;
        z.next_in_index = 0;
        z.avail_in = input.Length;
        z.next_out_index = 0;
        z.avail_out = MaxOutput + 1;

        // Two calls, as zlib's own users make them: take the input, then flush. An empty chunk then still ends
        // in a flush marker (a second sync flush in a row would otherwise be refused with Z_BUF_ERROR).
        int rc = z.deflate(JZlib.Z_NO_FLUSH);
        if ((rc != JZlib.Z_OK && rc != JZlib.Z_BUF_ERROR) || z.avail_in != 0 || z.avail_out == 0)
        {
            throw new InvalidOperationException($"deflate did not take the chunk (zlib result {rc})");
        }

        rc = z.deflate(JZlib.Z_SYNC_FLUSH);
        int written = MaxOutput + 1 - z.avail_out;
        if (rc != JZlib.Z_OK || z.avail_out == 0 || written > MaxOutput)
        {
            throw new InvalidOperationException($"deflate output exceeds {MaxOutput} bytes (zlib result {rc})");
        }

        if (written > destination.Length)
        {
            throw new InvalidOperationException($"deflate output of {written} bytes does not fit the {destination.Length} given");
        }

        Output.AsSpan(0, written).CopyTo(destination);
        return written;
    }

    /// <inheritdoc/>
    protected override void End() => Stream.deflateEnd();
}

/// <summary>
/// One zlib (RFC 1950) decompression stream over BouncyCastle's <see cref="ZStream"/>, fed chunk by chunk. Each
/// chunk's output is bounded before it is produced: decoding stops as soon as it passes the limit, so a chunk
/// that would expand without bound (a zip bomb) costs at most limit + 1 bytes of output and work linear in
/// the chunk. The window holds up to 32 KiB of past output: <see cref="ZlibStream.Dispose"/> wipes it (see
/// <see cref="ZlibHistory"/>) together with the pooled input and output buffers.
/// </summary>
internal sealed class ZlibInflater : ZlibStream
{
    private bool _failed;

    /// <summary>Starts a stream.</summary>
    /// <param name="maxInput">The largest chunk <see cref="Inflate"/> accepts.</param>
    /// <param name="maxOutput">The most output one chunk may decode to.</param>
    public ZlibInflater(int maxInput, int maxOutput)
        : base(Start(maxInput, maxOutput, s => s.inflateInit() == JZlib.Z_OK ? null : new InvalidOperationException("zlib could not start an inflate stream")), maxInput, maxOutput)
    {
    }

    /// <summary>
    /// Decodes <paramref name="input"/> as the continuation of the stream. On <see cref="InflateResult.Complete"/>
    /// <paramref name="output"/> is everything the chunk decodes to, a view of an internal buffer that stays valid
    /// until the next call or <see cref="ZlibStream.Dispose"/>; otherwise it is empty, and every later call fails too.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> is longer than the stream accepts.</exception>
    public InflateResult Inflate(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> output)
    {
        ThrowIfDisposed();
        output = default;
        if (input.Length > MaxInput)
        {
            throw new ArgumentException($"chunk of {input.Length} bytes exceeds {MaxInput}", nameof(input));
        }

        if (_failed)
        {
            return InflateResult.Malformed;
        }

        input.CopyTo(Input);
        ZStream z = Stream;
        z.next_in_index = 0;
        z.avail_in = input.Length;
        z.next_out_index = 0;
        int capacity = MaxOutput + 1;
        z.avail_out = capacity;

        // Each call decodes until the input runs out or the output is full; one more call after the input has
        // run out collects what the window still holds. A call that moves nothing ends the loop, so the number
        // of calls is bounded by the input and output sizes, and in practice is two.
        while (true)
        {
            int inBefore = z.avail_in;
            int outBefore = z.avail_out;
            int rc;
            try
            {
                rc = z.inflate(JZlib.Z_SYNC_FLUSH);
            }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or NullReferenceException or InvalidCastException)
            {
                // The port of zlib indexes arrays with values decoded from the input; treat any slip as bad data.
                rc = JZlib.Z_DATA_ERROR;
            }

            int produced = capacity - z.avail_out;
            if (produced > MaxOutput)
            {
                _failed = true;
                return InflateResult.LimitExceeded;
            }

            bool progress = z.avail_in != inBefore || z.avail_out != outBefore;
            switch (rc)
            {
                case JZlib.Z_OK:
                case JZlib.Z_BUF_ERROR:
                    break;
                case JZlib.Z_STREAM_END:
                    // The peer ended the stream (Z_FINISH); nothing may follow it, in this chunk or a later one.
                    if (z.avail_in != 0)
                    {
                        _failed = true;
                        return InflateResult.Malformed;
                    }

                    output = Output.AsSpan(0, produced);
                    return InflateResult.Complete;
                default:
                    _failed = true;
                    return InflateResult.Malformed;
            }

            if (!progress)
            {
                if (z.avail_in != 0)
                {
                    _failed = true;
                    return InflateResult.Malformed;
                }

                output = Output.AsSpan(0, produced);
                return InflateResult.Complete;
            }
        }
    }

    /// <inheritdoc/>
    protected override void End() => Stream.inflateEnd();
}

/// <summary>
/// Wipes the plaintext history inside a <see cref="ZStream"/>. BouncyCastle's zlib keeps its window and pending
/// buffers in internal objects and, when a stream ends, drops them unwiped; no public member clears them. These
/// are found by name once (the deflate state's <c>window</c>, <c>pending_buf</c>, <c>prev</c> and <c>head</c>; the
/// inflate state's <c>blocks.window</c>) and zeroed before the stream ends. A BouncyCastle release that renames them
/// makes the lookup come back empty, which <c>RecordCompressionTests</c> catch; wiping then does nothing rather than fail.
/// </summary>
internal static class ZlibHistory
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    private static readonly FieldInfo? DeflateState = typeof(ZStream).GetField("dstate", Instance);
    private static readonly FieldInfo? InflateState = typeof(ZStream).GetField("istate", Instance);
    private static readonly FieldInfo[] DeflateBuffers = Fields(DeflateState?.FieldType, "window", "pending_buf", "prev", "head");
    private static readonly FieldInfo? InflateBlocks = InflateState?.FieldType.GetField("blocks", Instance);
    private static readonly FieldInfo[] InflateBuffers = Fields(InflateBlocks?.FieldType, "window");

    /// <summary>Zeroes every history buffer of <paramref name="stream"/> that can be found.</summary>
    public static void Wipe(ZStream stream)
    {
        foreach (Array buffer in Buffers(stream))
        {
            Array.Clear(buffer, 0, buffer.Length);
        }
    }

    /// <summary>The history buffers of <paramref name="stream"/> that can be found (none once it has ended).</summary>
    public static IReadOnlyList<Array> Buffers(ZStream stream)
    {
        var found = new List<Array>(5);
        if (DeflateState?.GetValue(stream) is { } deflate)
        {
            Collect(deflate, DeflateBuffers, found);
        }

        if (InflateBlocks is not null && InflateState?.GetValue(stream) is { } inflate && InflateBlocks.GetValue(inflate) is { } blocks)
        {
            Collect(blocks, InflateBuffers, found);
        }

        return found;
    }

    private static void Collect(object state, FieldInfo[] fields, List<Array> found)
    {
        foreach (FieldInfo field in fields)
        {
            if (field.GetValue(state) is Array buffer)
            {
                found.Add(buffer);
            }
        }
    }

    private static FieldInfo[] Fields(Type? type, params string[] names)
    {
        if (type is null)
        {
            return [];
        }

        var fields = new List<FieldInfo>(names.Length);
        foreach (string name in names)
        {
            if (type.GetField(name, Instance) is { FieldType.IsArray: true } field)
            {
                fields.Add(field);
            }
        }

        return fields.ToArray();
    }
}
