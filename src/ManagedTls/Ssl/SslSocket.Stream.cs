#if NET
using System.Net.Sockets;
#endif

namespace ManagedTls.Ssl;

/// <content>Python's <c>makefile()</c> as a .NET <see cref="Stream"/>.</content>
public partial class SslSocket
{
    /// <summary>
    /// Python's <c>makefile()</c>: a <see cref="Stream"/> whose reads are <see cref="Read(byte[], int, int)"/> and
    /// whose writes are <see cref="Write"/> on this socket, the one TLS connection (no second buffer or pump; the
    /// socket's blocking mode and timeout apply, and its rules for concurrent reads and writes: one read and one write
    /// may be in progress at once, synchronous or asynchronous alike). A read returns 0 at the end of the stream.
    /// Disposing the stream leaves the socket open unless <paramref name="ownsSocket"/> is true
    /// (then it disposes the socket, sending close_notify: see <see cref="Dispose"/>), as <c>NetworkStream</c> does.
    /// Python's file objects keep the socket open until the last of them and the socket are closed; here there is no
    /// count: closing the socket ends every stream over it (their calls then throw <see cref="ObjectDisposedException"/>).
    /// </summary>
    /// <remarks>
    /// <para>The asynchronous methods (<c>ReadAsync</c>, <c>WriteAsync</c>, <c>BeginRead</c>/<c>BeginWrite</c> and what is
    /// built on them, such as <c>CopyToAsync</c>) do not queue behind each other as <see cref="Stream"/>'s defaults do:
    /// a read waiting for the peer does not hold up a write on the same stream.</para>
    /// <para>On .NET (not .NET Standard) a socket that blocks without a timeout is read and written asynchronously
    /// (no thread is held while waiting), and a read's cancellation token is honoured while it waits for the peer: the
    /// cancelled read returns nothing, bytes already received stay queued for the next read, and the connection stays
    /// usable. A write's token is checked only before the data is taken (a send cut short would break the
    /// connection). With a timeout, a non-blocking socket, or on .NET Standard, the calls run the socket's blocking
    /// methods on the thread pool and their tokens are checked only before they start; bound them with
    /// <see cref="SetTimeout"/>.</para>
    /// </remarks>
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

    // Reads into any memory through the one channel, as Read(byte[], int, int) does.
    private int ReadInto(Memory<byte> buffer)
    {
        try
        {
            return Run(_channel.ReadAsync(Adapter(SocketOperation.Read), buffer));
        }
        catch (SslEofException) when (_suppressRaggedEofs)
        {
            return 0;
        }
    }

    private void WriteFrom(ReadOnlyMemory<byte> data) => Run(_channel.WriteAsync(Adapter(SocketOperation.Write), data));

#if NET
    // The socket for asynchronous I/O through the channel: only while it blocks without a timeout (non-blocking mode
    // and a deadline keep the synchronous adapter, whose rules those are).
    private Socket? AsyncSocket() => _timeout is null ? _socket : null;

    private async Task<int> ReadIntoAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ThrowIfNotUsable(SocketOperation.Read);
        try
        {
            return await _channel.ReadAsync(new AsyncSocketAdapter(socket, cancellationToken), buffer).ConfigureAwait(false);
        }
        catch (SslEofException) when (_suppressRaggedEofs)
        {
            return 0;
        }
    }

    private Task WriteFromAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        ThrowIfNotUsable(SocketOperation.Write);
        return _channel.WriteAsync(new AsyncSocketAdapter(socket, CancellationToken.None), data).AsTask();
    }

    /// <summary>
    /// Asynchronous reads and writes on the socket for one operation of the stream, through the same channel as the
    /// socket's own calls. The token cancels a wait for the peer's bytes (a cancelled receive takes none; what earlier
    /// receives took stays queued for the next read) and a wait for a gate before anything is written, never a send
    /// under way, which would cut a record short and break the connection.
    /// </summary>
    private readonly struct AsyncSocketAdapter(Socket socket, CancellationToken cancellationToken) : ITransportAdapter
    {
        public bool ReportsProgress => false;

        public ValueTask<int> ReadAsync(byte[] buffer, int offset, int count) =>
            socket.ReceiveAsync(buffer.AsMemory(offset, count), SocketFlags.None, cancellationToken);

        public ValueTask<int> WriteAsync(byte[] buffer, int offset, int count) =>
            socket.SendAsync(buffer.AsMemory(offset, count), SocketFlags.None, CancellationToken.None);

        public Task WaitAsync(SemaphoreSlim gate, bool forWrite) => gate.WaitAsync(forWrite ? CancellationToken.None : cancellationToken);

        public void ThrowIfCancelled() => cancellationToken.ThrowIfCancellationRequested();
    }
#endif

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
            socket.WriteFrom(Checked(buffer, offset, count));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            return ReadCoreAsync(Checked(buffer, offset, count), cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            return WriteCoreAsync(Checked(buffer, offset, count), cancellationToken);
        }

#if NET
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(ReadCoreAsync(buffer, cancellationToken));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(WriteCoreAsync(buffer, cancellationToken));
#endif

        public override IAsyncResult BeginRead(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
            Apm.Begin(ReadCoreAsync(Checked(buffer, offset, count), CancellationToken.None), callback, state);

        public override int EndRead(IAsyncResult asyncResult) => Apm.End<int>(asyncResult);

        public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
            Apm.Begin(WriteCoreAsync(Checked(buffer, offset, count), CancellationToken.None), callback, state);

        public override void EndWrite(IAsyncResult asyncResult) => Apm.End<bool>(asyncResult);

        public override void Flush() => ThrowIfDisposed();

        // Nothing is buffered here: a flush has nothing to wait for (Stream's default would run Flush on the pool).
        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled(cancellationToken);
            }

            return _disposed ? Task.FromException(new ObjectDisposedException(nameof(Stream))) : Task.CompletedTask;
        }

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

        private static Memory<byte> Checked(byte[] buffer, int offset, int count)
        {
            if (buffer is null)
            {
                throw new ArgumentNullException(nameof(buffer));
            }

            if (offset < 0 || count < 0 || count > buffer.Length - offset)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            return buffer.AsMemory(offset, count);
        }

        private static Task<T> OnPool<T>(Func<T> call, CancellationToken cancellationToken) =>
            Task.Factory.StartNew(call, cancellationToken, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

        // A read through the socket's channel: asynchronous with the token honoured (on .NET, a socket blocking without
        // a timeout), else the blocking read on the pool with the token checked before it starts.
        private async Task<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfDisposed();
#if NET
            if (socket.AsyncSocket() is { } raw)
            {
                return await socket.ReadIntoAsync(raw, buffer, cancellationToken).ConfigureAwait(false);
            }
#endif
            return await OnPool(() => ReadNow(buffer), cancellationToken).ConfigureAwait(false);
        }

        // A write through the socket's channel; the token is checked before the data is taken, never after.
        private async Task<bool> WriteCoreAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfDisposed();
#if NET
            if (socket.AsyncSocket() is { } raw)
            {
                await socket.WriteFromAsync(raw, data).ConfigureAwait(false);
                return true;
            }
#endif
            return await OnPool(
                () =>
                {
                    ThrowIfDisposed();
                    socket.WriteFrom(data);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }

        private int ReadNow(Memory<byte> buffer)
        {
            ThrowIfDisposed();
            return socket.ReadInto(buffer);
        }

        private void ThrowIfDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(Stream));
            }
        }
    }

    /// <summary>The Begin/End pair over a task, as <c>TaskToAsyncResult</c> does: the task is the <see cref="IAsyncResult"/>.</summary>
    private static class Apm
    {
        public static IAsyncResult Begin<T>(Task<T> task, AsyncCallback? callback, object? state)
        {
            var result = new TaskCompletionSource<T>(state, TaskCreationOptions.RunContinuationsAsynchronously);
            task.ContinueWith(
                (done, box) =>
                {
                    var (completion, call) = ((TaskCompletionSource<T>, AsyncCallback?))box!;
                    if (done.IsFaulted)
                    {
                        completion.TrySetException(done.Exception!.InnerExceptions);
                    }
                    else if (done.IsCanceled)
                    {
                        completion.TrySetCanceled();
                    }
                    else
                    {
                        completion.TrySetResult(done.Result);
                    }

                    call?.Invoke(completion.Task);
                },
                (result, callback),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return result.Task;
        }

        public static T End<T>(IAsyncResult asyncResult) =>
            (asyncResult as Task<T> ?? throw new ArgumentException("not from this stream", nameof(asyncResult))).GetAwaiter().GetResult();
    }
}
