using System.Net.Sockets;

namespace ManagedTls.Ssl;

/// <summary>Moves bytes to and from a transport; a synchronous adapter completes every task before returning it.</summary>
internal interface ITransportAdapter
{
    /// <summary>Reads up to <paramref name="count"/> bytes; 0 at the end of the stream.</summary>
    Task<int> ReadAsync(byte[] buffer, int offset, int count);

    /// <summary>Writes all the bytes.</summary>
    Task WriteAsync(byte[] buffer, int offset, int count);
}

/// <summary>Blocking reads and writes on a socket, completed synchronously.</summary>
internal readonly struct SyncSocketAdapter(Socket socket) : ITransportAdapter
{
    public Task<int> ReadAsync(byte[] buffer, int offset, int count) => Task.FromResult(socket.Receive(buffer, offset, count, SocketFlags.None));

    public Task WriteAsync(byte[] buffer, int offset, int count)
    {
        while (count > 0)
        {
            int n = socket.Send(buffer, offset, count, SocketFlags.None);
            offset += n;
            count -= n;
        }

        return Task.CompletedTask;
    }
}

/// <summary>Blocking reads and writes on a stream, completed synchronously.</summary>
internal readonly struct SyncStreamAdapter(Stream stream) : ITransportAdapter
{
    public Task<int> ReadAsync(byte[] buffer, int offset, int count) => Task.FromResult(stream.Read(buffer, offset, count));

    public Task WriteAsync(byte[] buffer, int offset, int count)
    {
        stream.Write(buffer, offset, count);
        stream.Flush();
        return Task.CompletedTask;
    }
}

/// <summary>Asynchronous reads and writes on a stream, honouring a cancellation token.</summary>
internal readonly struct AsyncStreamAdapter(Stream stream, CancellationToken cancellationToken) : ITransportAdapter
{
    public Task<int> ReadAsync(byte[] buffer, int offset, int count) => stream.ReadAsync(buffer, offset, count, cancellationToken);

    public async Task WriteAsync(byte[] buffer, int offset, int count)
    {
        await stream.WriteAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// The one pump shared by <see cref="SslSocket"/> and <see cref="TlsStream"/>: an <see cref="SslObject"/> over its own
/// memory queues, whose want-read answers become transport reads and whose outgoing bytes become transport writes.
/// Blocking and asynchronous callers run the same methods with a different <see cref="ITransportAdapter"/> (a blocking
/// adapter completes at once). One reader and one writer may run at the same time: engine calls take a lock, and
/// outgoing bytes are written under a gate in the order they were produced.
/// </summary>
internal sealed class TlsChannel : IDisposable
{
    private readonly object _sync = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly byte[] _readBuffer = new byte[16 * 1024 + 512];
    private readonly byte[] _writeBuffer = new byte[16 * 1024 + 512];

    public TlsChannel(SslContext context, bool serverSide, string? serverHostname, SslSession? session = null)
    {
        Incoming = new MemoryBio();
        Outgoing = new MemoryBio();
        Ssl = context.WrapBio(Incoming, Outgoing, serverSide, serverHostname, session);
    }

    public SslObject Ssl { get; }

    public MemoryBio Incoming { get; }

    public MemoryBio Outgoing { get; }

    /// <summary>Runs the handshake to completion.</summary>
    public async Task HandshakeAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        while (true)
        {
            bool done;
            try
            {
                lock (_sync)
                {
                    done = Ssl.HandshakeStep();
                }
            }
            catch (SslException)
            {
                await FlushBestEffortAsync(adapter).ConfigureAwait(false);
                throw;
            }

            await FlushAsync(adapter).ConfigureAwait(false);
            if (done)
            {
                return;
            }

            await FillAsync(adapter).ConfigureAwait(false);
        }
    }

    /// <summary>Reads application data: at least one byte, or 0 at the end (close_notify, or a tolerated EOF).</summary>
    public async Task<int> ReadAsync<TAdapter>(TAdapter adapter, Memory<byte> buffer)
        where TAdapter : ITransportAdapter
    {
        while (true)
        {
            int n;
            bool wantRead;
            try
            {
                lock (_sync)
                {
                    n = Ssl.TryRead(buffer.Span, out wantRead);
                }
            }
            catch (SslException)
            {
                await FlushBestEffortAsync(adapter).ConfigureAwait(false);
                throw;
            }

            // Reading may have produced bytes to send (a KeyUpdate answer, an alert).
            await FlushAsync(adapter).ConfigureAwait(false);
            if (!wantRead)
            {
                return n;
            }

            await FillAsync(adapter).ConfigureAwait(false);
        }
    }

    /// <summary>Writes all of <paramref name="data"/>, completing the handshake first.</summary>
    public async Task WriteAsync<TAdapter>(TAdapter adapter, ReadOnlyMemory<byte> data)
        where TAdapter : ITransportAdapter
    {
        if (!Ssl.IsHandshakeComplete)
        {
            await HandshakeAsync(adapter).ConfigureAwait(false);
        }

        lock (_sync)
        {
            Ssl.Write(data.Span);
        }

        await FlushAsync(adapter).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="action"/> under the engine lock (for reads of connection state while another thread pumps).</summary>
    public T Locked<T>(Func<SslObject, T> action)
    {
        lock (_sync)
        {
            return action(Ssl);
        }
    }

    /// <summary>Runs <paramref name="action"/> under the engine lock.</summary>
    public void Locked(Action<SslObject> action)
    {
        lock (_sync)
        {
            action(Ssl);
        }
    }

    /// <summary>Protects <paramref name="data"/> into the outgoing queue without sending it (the handshake must be complete).</summary>
    public void Protect(ReadOnlySpan<byte> data)
    {
        lock (_sync)
        {
            Ssl.Write(data);
        }
    }

    /// <summary>Sends close_notify without waiting for the peer's, asynchronously; never throws.</summary>
    public async Task CloseNotifyBestEffortAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        lock (_sync)
        {
            Ssl.TrySendCloseNotify();
        }

        await FlushBestEffortAsync(adapter).ConfigureAwait(false);
    }

    /// <summary>Sends close_notify and waits for the peer's.</summary>
    public async Task UnwrapAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        while (true)
        {
            bool done;
            lock (_sync)
            {
                done = Ssl.TryUnwrap();
            }

            await FlushAsync(adapter).ConfigureAwait(false);
            if (done)
            {
                return;
            }

            await FillAsync(adapter).ConfigureAwait(false);
        }
    }

    /// <summary>Sends close_notify without waiting for the peer's; never throws.</summary>
    public void CloseNotifyBestEffort<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        lock (_sync)
        {
            Ssl.TrySendCloseNotify();
        }

        FlushBestEffortAsync(adapter).GetAwaiter().GetResult();
    }

    /// <summary>Writes every queued outgoing byte, in order.</summary>
    public async Task FlushAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        if (Outgoing.Pending == 0)
        {
            return;
        }

        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                int n;
                lock (_sync)
                {
                    n = Outgoing.Read(_writeBuffer.AsSpan());
                }

                if (n == 0)
                {
                    return;
                }

                await adapter.WriteAsync(_writeBuffer, 0, n).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            Ssl.Dispose();
        }

        _writeGate.Dispose();
    }

    private async Task FlushBestEffortAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        try
        {
            await FlushAsync(adapter).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The alert is a courtesy; the error being reported matters more than its delivery.
        }
    }

    private async Task FillAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        int n = await adapter.ReadAsync(_readBuffer, 0, _readBuffer.Length).ConfigureAwait(false);
        lock (_sync)
        {
            if (n == 0)
            {
                Incoming.WriteEof();
            }
            else
            {
                Incoming.Write(_readBuffer.AsSpan(0, n));
            }
        }
    }
}
