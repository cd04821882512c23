namespace ManagedTls.Ssl;

/// <content>Python's <c>makefile()</c> as a .NET <see cref="Stream"/>.</content>
public partial class SslSocket
{
    /// <summary>
    /// Python's <c>makefile()</c>: a <see cref="Stream"/> whose reads are <see cref="Read(byte[], int, int)"/> and
    /// whose writes are <see cref="Write"/> on this socket, the one TLS connection (no second buffer or pump; the
    /// socket's blocking mode and timeout apply, and its rules for concurrent reads and writes). A read returns 0 at
    /// the end of the stream. The asynchronous methods are <see cref="Stream"/>'s own, which run one call at a time:
    /// for a read and a write in progress together, use the synchronous methods from two threads. Disposing the stream leaves the socket open unless <paramref name="ownsSocket"/> is true
    /// (then it disposes the socket, sending close_notify: see <see cref="Dispose"/>), as <c>NetworkStream</c> does.
    /// Python's file objects keep the socket open until the last of them and the socket are closed; here there is no
    /// count: closing the socket ends every stream over it (their calls then throw <see cref="ObjectDisposedException"/>).
    /// </summary>
    /// <param name="ownsSocket">True to dispose this socket with the stream.</param>
    /// <returns>The stream; it neither seeks nor buffers.</returns>
    public Stream GetStream(bool ownsSocket = false)
    {
        if (_socket is null)
        {
            throw new ObjectDisposedException(nameof(SslSocket));
        }

        return new SocketStream(this, ownsSocket);
    }

    private sealed class SocketStream(SslSocket socket, bool ownsSocket) : Stream
    {
        private volatile bool _disposed;

        public override bool CanRead => !_disposed && socket._socket is not null;

        public override bool CanWrite => !_disposed && socket._socket is not null;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            ThrowIfDisposed();
            return socket.Read(buffer, offset, count);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            ThrowIfDisposed();
            if (buffer is null)
            {
                throw new ArgumentNullException(nameof(buffer));
            }

            if (offset < 0 || count < 0 || count > buffer.Length - offset)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            Run(socket._channel.WriteAsync(socket.Adapter(SocketOperation.Write), buffer.AsMemory(offset, count)));
        }

        public override void Flush() => ThrowIfDisposed();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                if (ownsSocket)
                {
                    socket.Dispose();
                }
            }

            base.Dispose(disposing);
        }

        private void ThrowIfDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(Stream));
            }
        }
    }
}
