using System.Buffers;

namespace ManagedTls.Ssl;

/// <content>Python's <c>sendfile()</c>, which on an SSL socket sends the file through TLS in chunks.</content>
public partial class SslSocket
{
    // One TLS record's worth of plaintext per chunk.
    private const int SendFileChunk = 16 * 1024;

    /// <summary>Python's <c>sendfile(file, offset, count)</c> with a file named by its path; see <see cref="SendFile(FileStream, long, long?)"/>.</summary>
    /// <param name="path">The file to send.</param>
    /// <param name="offset">Where in the file to start.</param>
    /// <param name="count">How many bytes to send at most; null for up to the end of the file.</param>
    /// <returns>The bytes sent.</returns>
    public long SendFile(string path, long offset = 0, long? count = null)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        CheckSendFile(count);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return SendFile(file, offset, count);
    }

    /// <summary>
    /// Python's <c>sendfile(file, offset=0, count=None)</c>: sends the file from <paramref name="offset"/> (the file's
    /// own position is not used, as Python seeks to the offset), up to <paramref name="count"/> bytes or the end, as
    /// application data, and returns how many were sent. An SSL socket cannot use the kernel's <c>sendfile</c>, so
    /// Python (and this) read and <see cref="Write"/> in chunks: one pooled buffer, no allocation per chunk. The
    /// file's position ends after the last byte sent (left where <paramref name="offset"/> put it when nothing was
    /// read; Python also leaves it after a first chunk that failed, this puts it back to the offset).
    /// With a timeout, a <see cref="TimeoutException"/> leaves the position after what was sent before the interrupted
    /// chunk; calling again from there (same offset and chunking) finishes that chunk as <see cref="Write"/>'s retry rule requires.
    /// </summary>
    /// <param name="file">A readable, seekable file.</param>
    /// <param name="offset">Where in the file to start.</param>
    /// <param name="count">How many bytes to send at most; null for up to the end of the file.</param>
    /// <returns>The bytes sent.</returns>
    /// <exception cref="ArgumentException"><paramref name="count"/> is not positive (<c>count must be a positive integer (got 0)</c>), the
    /// file is not readable, or the socket is non-blocking (<c>non-blocking sockets are not supported</c>); Python's <c>ValueError</c>.</exception>
    /// <exception cref="IOException">A negative <paramref name="offset"/> (Python's <c>[Errno 22] Invalid argument</c>), or the file failed.</exception>
    /// <exception cref="SslException">The connection failed.</exception>
    public long SendFile(FileStream file, long offset = 0, long? count = null)
    {
        if (file is null)
        {
            throw new ArgumentNullException(nameof(file));
        }

        CheckSendFile(count);
        if (!file.CanRead)
        {
            throw new ArgumentException("file should be opened for reading", nameof(file));
        }

        if (_timeout == 0)
        {
            throw new ArgumentException("non-blocking sockets are not supported");
        }

        if (offset != 0)
        {
            file.Seek(offset, SeekOrigin.Begin);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(SendFileChunk);
        long sent = 0;
        bool moved = false;
        try
        {
            while (count is not { } limit || sent < limit)
            {
                int want = count is { } c ? (int)Math.Min(SendFileChunk, c - sent) : SendFileChunk;
                int n = file.Read(buffer, 0, want);
                if (n == 0)
                {
                    break;
                }

                moved = true;
                Run(_channel.WriteAsync(Adapter(SocketOperation.Write), buffer.AsMemory(0, n)));
                sent += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (moved)
            {
                file.Seek(offset + sent, SeekOrigin.Begin);
            }
        }

        return sent;
    }

    private static void CheckSendFile(long? count)
    {
        if (count is <= 0)
        {
            throw new ArgumentException($"count must be a positive integer (got {count})", nameof(count));
        }
    }
}
