using System.Buffers;
using System.IO.Pipelines;
using ManagedTls.Ssl;

namespace ManagedTls.AspNetCore.Internal;

/// <summary>
/// The application's side of the connection: pipes over the <see cref="TlsStream"/>, which stays open when they
/// complete. Options as Kestrel's own TLS middleware sets them for <c>SslStream</c>: segments from Kestrel's pool, and a
/// zero-byte read before each read, which lets a stream that waits on an empty buffer (as <c>SslStream</c> does) keep
/// an idle connection without a segment. <see cref="TlsStream"/> answers a zero-byte read at once, so an idle
/// connection here holds one pool segment (4 KiB) while it waits.
/// </summary>
internal sealed class TlsDuplexPipe : IDuplexPipe
{
    public TlsDuplexPipe(TlsStream stream, MemoryPool<byte> pool)
    {
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(pool: pool, leaveOpen: true, useZeroByteReads: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(pool: pool, leaveOpen: true));
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>Completes both pipes (the stream is disposed by the caller afterwards).</summary>
    public async ValueTask CompleteAsync()
    {
        await Input.CompleteAsync().ConfigureAwait(false);
        await Output.CompleteAsync().ConfigureAwait(false);
    }
}
