using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ManagedTls.Crypto;

namespace ManagedTls.Ssl;

/// <summary>
/// Moves bytes to and from a transport for one operation; a synchronous adapter completes every task before returning
/// it. The adapter also carries the operation's bound (a cancellation token, a deadline, or none) into every wait.
/// </summary>
internal interface ITransportAdapter
{
    /// <summary>
    /// True when a failed <see cref="WriteAsync"/> wrote nothing beyond what earlier calls returned, so the rest can be
    /// sent later (a socket written without blocking); false when a failure may leave part of the bytes written.
    /// </summary>
    bool ReportsProgress { get; }

    /// <summary>Reads up to <paramref name="count"/> bytes; 0 at the end of the stream.</summary>
    ValueTask<int> ReadAsync(byte[] buffer, int offset, int count);

    /// <summary>Writes some of the bytes (at least one) and returns how many, or throws.</summary>
    ValueTask<int> WriteAsync(byte[] buffer, int offset, int count);

    /// <summary>Waits for <paramref name="gate"/> within the operation's bound.</summary>
    Task WaitAsync(SemaphoreSlim gate, bool forWrite);

    /// <summary>Throws when the operation was cancelled (before anything is taken for writing).</summary>
    void ThrowIfCancelled();
}

/// <summary>Blocking reads and writes on a stream, completed synchronously.</summary>
internal readonly struct SyncStreamAdapter(Stream stream) : ITransportAdapter
{
    public bool ReportsProgress => false;

    public ValueTask<int> ReadAsync(byte[] buffer, int offset, int count) => new(stream.Read(buffer, offset, count));

    public ValueTask<int> WriteAsync(byte[] buffer, int offset, int count)
    {
        stream.Write(buffer, offset, count);
        stream.Flush();
        return new(count);
    }

    public Task WaitAsync(SemaphoreSlim gate, bool forWrite)
    {
        gate.Wait();
        return Task.CompletedTask;
    }

    public void ThrowIfCancelled()
    {
    }
}

/// <summary>Asynchronous reads and writes on a stream, honouring a cancellation token (also while waiting for a gate).</summary>
internal readonly struct AsyncStreamAdapter(Stream stream, CancellationToken cancellationToken) : ITransportAdapter
{
    public bool ReportsProgress => false;

#if NET
    public ValueTask<int> ReadAsync(byte[] buffer, int offset, int count) => stream.ReadAsync(buffer.AsMemory(offset, count), cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> WriteAsync(byte[] buffer, int offset, int count)
    {
        await stream.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }
#else
    public ValueTask<int> ReadAsync(byte[] buffer, int offset, int count) => new(stream.ReadAsync(buffer, offset, count, cancellationToken));

    public async ValueTask<int> WriteAsync(byte[] buffer, int offset, int count)
    {
        await stream.WriteAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }
#endif

    public Task WaitAsync(SemaphoreSlim gate, bool forWrite) => gate.WaitAsync(cancellationToken);

    public void ThrowIfCancelled() => cancellationToken.ThrowIfCancellationRequested();
}

/// <summary>
/// The one pump shared by <see cref="SslSocket"/> and <see cref="TlsStream"/>: an <see cref="SslObject"/> whose want-read
/// answers become transport reads and whose outgoing records become transport writes. Blocking and asynchronous
/// callers run the same methods with a different <see cref="ITransportAdapter"/>.
/// </summary>
/// <remarks>
/// <para>Bytes are copied as little as possible (decision 0031): the transport reads into a record buffer
/// (<see cref="ChannelInput"/>) where the engine opens the records in place, and application data is copied once, into
/// the reader's buffer; a write is sealed from the caller's buffer into the engine's record buffer, which the
/// transport writes from and which then goes back to the pool. No buffer is kept while no operation runs, except
/// the bytes of a partial record received or of records not yet written.</para>
/// <para>Concurrency, as <c>SslStream</c>: one read and one write may run at the same time, from different threads; a
/// second read (or a second write) while one is in progress is refused with <see cref="NotSupportedException"/> and
/// <c>SslStream</c>'s message. A shutdown is both a read and a write. The handshake runs once, under a gate: a read
/// or write that needs it waits for the one in progress. Transport reads therefore never overlap (the read buffer is
/// used by one operation at a time), and transport writes go out under a gate in the order the bytes were produced.
/// Every engine step and buffer move holds the <see cref="SslObject"/>'s lock; no transport call does.</para>
/// <para>A transport write that fails part-way loses the rest of a record the peer has begun to receive, so the
/// connection is broken from then on: every later call throws <see cref="SslSyscallException"/> with the first
/// failure inside. An adapter that <see cref="ITransportAdapter.ReportsProgress"/> (a socket without blocking, or
/// with a deadline) never loses bytes: what it could not send stays here and goes first on the next call, and a
/// write interrupted that way must be retried with the same data (OpenSSL's rule; other data is
/// <c>[SSL: BAD_WRITE_RETRY] bad write retry</c>).</para>
/// <para>A transport that fails (a <see cref="System.Net.Sockets.SocketException"/> from a socket, an
/// <see cref="IOException"/> from a stream: a reset, a broken pipe) fails the operation with
/// <see cref="SslSyscallException"/>, the transport's exception as its <see cref="Exception.InnerException"/>, in the
/// handshake, a read or a write alike; an end of input without close_notify is <see cref="SslEofException"/> (decision 0026).</para>
/// </remarks>
internal sealed class TlsChannel : IDisposable
{
    // SslStream's texts for a nested read or write (NotSupportedException).
    internal const string ReadPendingMessage = "This method may not be called when another read operation is pending.";
    internal const string WritePendingMessage = "This method may not be called when another write operation is pending.";

    // Plaintext sealed per transport write of a large write: four full records.
    private const int WriteChunk = 4 * 16384;

    private readonly object _sync;
    private readonly string _owner;
    private readonly SemaphoreSlim _handshakeGate = new(1, 1);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ChannelInput _input = new();   // under _sync
    private byte[]? _unsent;        // under _writeGate: the records taken from the engine, not yet all written
    private int _unsentOffset;
    private int _unsentCount;
    private bool _fillPending;      // under _sync: a transport read is writing into _input's array
    private int _reading;           // 1 while a read or a shutdown is in progress
    private int _writing;           // 1 while a write or a shutdown is in progress
    private int _filling;           // 1 during a transport read
    private int _flushRequested;    // set by a reader that left its bytes to the flush in progress
    private Exception? _broken;
    private InterruptedWrite? _interrupted;  // under the write slot
    private volatile bool _closing;          // disposal has begun: what fails from now on reports the disposal
    private volatile bool _disposed;

    public TlsChannel(SslContext context, bool serverSide, string? serverHostname, SslSession? session, string owner)
    {
        Ssl = context.WrapBioForChannel(new MemoryBio(), new MemoryBio(), serverSide, serverHostname, session);
        Ssl.UseChannelInput(_input);
        _sync = Ssl.SyncRoot;
        _owner = owner;
    }

    public SslObject Ssl { get; }

    /// <summary>True once a transport write failed part-way: every later call fails.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) is not null;

    /// <summary>True while a read (or shutdown) is in progress.</summary>
    internal bool ReadInProgress => Volatile.Read(ref _reading) != 0;

    /// <summary>True while a write (or shutdown) is in progress.</summary>
    internal bool WriteInProgress => Volatile.Read(ref _writing) != 0;

    /// <summary>True while the channel holds a record buffer for received bytes (only with a partial record, or during an operation).</summary>
    internal bool HoldsReadBuffer
    {
        get
        {
            lock (_sync)
            {
                return _input.HoldsBuffer;
            }
        }
    }

    /// <summary>Bytes of a partial record received and kept for the next read.</summary>
    internal int BufferedInput
    {
        get
        {
            lock (_sync)
            {
                return _input.Length;
            }
        }
    }

    /// <summary>True while the channel holds records taken from the engine and not yet written.</summary>
    internal bool HoldsWriteBuffer => Volatile.Read(ref _unsent) is not null;

    /// <summary>Runs the handshake to completion (or, once complete, sends what is queued, such as a post-handshake request).</summary>
    public async Task HandshakeAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        ThrowIfUnusable();
        await adapter.WaitAsync(_handshakeGate, forWrite: false).ConfigureAwait(false);
        try
        {
            await PumpAsync(adapter, static ssl => ssl.HandshakeStep()).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Ssl.NoteHandshakeInterrupted(e);
            throw;
        }
        finally
        {
            ReleaseInputIfEmpty();
            _handshakeGate.Release();
        }
    }

    /// <summary>
    /// Starts something after the handshake that the peer answers with a handshake of its own (<paramref name="start"/>:
    /// a TLS 1.2 renegotiation, a request for the client's certificate) and pumps until it has completed. Application
    /// data that arrives meanwhile is kept for the next read. Not to be run while a read is in progress.
    /// </summary>
    public async Task PostHandshakeAsync<TAdapter>(TAdapter adapter, Action<SslObject> start)
        where TAdapter : ITransportAdapter
    {
        ThrowIfUnusable();
        await EnsureHandshakeAsync(adapter).ConfigureAwait(false);
        await adapter.WaitAsync(_handshakeGate, forWrite: false).ConfigureAwait(false);
        try
        {
            lock (_sync)
            {
                start(Ssl);
            }

            await PumpAsync(adapter, static ssl => ssl.PostHandshakeStep()).ConfigureAwait(false);
        }
        finally
        {
            ReleaseInputIfEmpty();
            _handshakeGate.Release();
        }
    }

    /// <summary>Reads application data: at least one byte, or 0 at the end (close_notify, or a tolerated EOF).</summary>
    /// <exception cref="NotSupportedException">Another read is in progress.</exception>
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    public async ValueTask<int> ReadAsync<TAdapter>(TAdapter adapter, Memory<byte> buffer)
        where TAdapter : ITransportAdapter
    {
        Enter(ref _reading, ReadPendingMessage);
        try
        {
            await EnsureHandshakeAsync(adapter).ConfigureAwait(false);
            while (true)
            {
                ThrowIfUnusable();
                int n;
                bool wantRead;
                bool produced;
                try
                {
                    lock (_sync)
                    {
                        int before = Ssl.ChannelOutgoingLength;
                        n = Ssl.TryRead(buffer.Span, out wantRead);
                        produced = Ssl.ChannelOutgoingLength > before;
                    }
                }
                catch (SslException)
                {
                    await FlushBestEffortAsync(adapter).ConfigureAwait(false);
                    throw;
                }

                // Reading may have produced bytes to send (a KeyUpdate answer, an alert). A flush already running in
                // another thread takes them along; a reader never waits behind a writer.
                if (!wantRead)
                {
                    if (produced)
                    {
                        // The data in hand is returned whatever becomes of that send: a failure has broken the
                        // connection (the next call says so) or left the bytes for the next call.
                        await FlushBestEffortAsync(adapter).ConfigureAwait(false);
                    }

                    return n;
                }

                if (produced)
                {
                    await FlushAsync(adapter, wait: false).ConfigureAwait(false);
                }

                await FillAsync(adapter).ConfigureAwait(false);
            }
        }
        finally
        {
            ReleaseInputIfEmpty();
            Exit(ref _reading);
        }
    }

    /// <summary>
    /// Writes all of <paramref name="data"/>, completing the handshake first: sealed a few records at a time, each
    /// group written to the transport from the buffer it was sealed into. After a write interrupted by an adapter
    /// that keeps unsent bytes (want-write, a deadline), the next write must carry the same data: it finishes sending
    /// and returns; other data is refused with <c>BAD_WRITE_RETRY</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">Another write is in progress.</exception>
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
#endif
    public async ValueTask WriteAsync<TAdapter>(TAdapter adapter, ReadOnlyMemory<byte> data)
        where TAdapter : ITransportAdapter
    {
        Enter(ref _writing, WritePendingMessage);
        try
        {
            ThrowIfUnusable();
            int done;
            bool seal;
            if (_interrupted is { } interrupted)
            {
                if (!interrupted.Matches(data.Span))
                {
                    throw new SslException(SslErrorNumber.Ssl, "SSL", "BAD_WRITE_RETRY", "bad write retry");
                }

                done = interrupted.Sealed;
                seal = done < data.Length;
            }
            else
            {
                await EnsureHandshakeAsync(adapter).ConfigureAwait(false);
                adapter.ThrowIfCancelled();
                done = 0;
                seal = true;
            }

            while (true)
            {
                if (seal)
                {
                    int n = Math.Min(WriteChunk, data.Length - done);
                    lock (_sync)
                    {
                        Ssl.Write(data.Span.Slice(done, n));
                    }

                    done += n;
                }

                try
                {
                    await FlushAsync(adapter, wait: true).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // What was sealed is queued: it either goes out later (then only with the same data, whose rest
                    // is sealed after it) or the connection is broken.
                    if (adapter.ReportsProgress && !IsBroken)
                    {
                        _interrupted ??= InterruptedWrite.Of(data.Span);
                        _interrupted.Sealed = done;
                    }
                    else
                    {
                        Break(e);
                    }

                    throw;
                }

                if (done == data.Length)
                {
                    break;
                }

                // Disposal may have begun between two groups of records: nothing more is sealed then.
                ThrowIfUnusable();
                seal = true;
            }

            _interrupted = null;
        }
        finally
        {
            Exit(ref _writing);
        }
    }

    /// <summary>
    /// A write of something other than application data: <paramref name="queue"/> queues it in the engine (a KeyUpdate,
    /// close_notify), then everything queued is sent, without reading.
    /// </summary>
    /// <exception cref="NotSupportedException">Another write is in progress.</exception>
    public async Task SendAsync<TAdapter>(TAdapter adapter, Action<SslObject> queue)
        where TAdapter : ITransportAdapter
    {
        Enter(ref _writing, WritePendingMessage);
        try
        {
            ThrowIfUnusable();
            await EnsureHandshakeAsync(adapter).ConfigureAwait(false);
            adapter.ThrowIfCancelled();
            queue(Ssl);
            await FlushAsync(adapter, wait: true).ConfigureAwait(false);
        }
        finally
        {
            Exit(ref _writing);
        }
    }

    /// <summary>Sends close_notify and waits for the peer's (a read and a write).</summary>
    /// <exception cref="NotSupportedException">A read or a write is in progress.</exception>
    public async Task UnwrapAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        Enter(ref _reading, ReadPendingMessage);
        try
        {
            Enter(ref _writing, WritePendingMessage);
            try
            {
                await PumpAsync(adapter, static ssl => ssl.TryUnwrap()).ConfigureAwait(false);
            }
            finally
            {
                Exit(ref _writing);
            }
        }
        finally
        {
            ReleaseInputIfEmpty();
            Exit(ref _reading);
        }
    }

    /// <summary>
    /// Sends close_notify without waiting for the peer's, within the adapter's bound, for disposal: beside a read or
    /// write in progress, after what that write has queued; nothing on a broken or failed connection. Never throws.
    /// </summary>
    public async Task CloseNotifyBestEffortAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        _closing = true;
        if (_disposed || IsBroken)
        {
            return;
        }

        try
        {
            lock (_sync)
            {
                Ssl.TrySendCloseNotify();
            }

            await FlushAsync(adapter, wait: true).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A courtesy: closing matters more than its delivery.
        }
    }

    /// <summary>
    /// Marks the channel disposed and wipes the connection and the received bytes (at once, or when a transport read
    /// still running ends); an operation still running fails with <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        _closing = true;
        _disposed = true;
        lock (_sync)
        {
            Ssl.Dispose();
            if (!_fillPending)
            {
                _input.Release();
            }
        }

        // The gates stay undisposed: an operation still running releases them on its way out.
    }

    // Steps the engine until `step` says it is done: what each step queues is sent (an alert too, when the step
    // fails), and a step that needs more input gets one transport read.
    private async Task PumpAsync<TAdapter>(TAdapter adapter, Func<SslObject, bool> step)
        where TAdapter : ITransportAdapter
    {
        while (true)
        {
            ThrowIfUnusable();
            bool done;
            try
            {
                lock (_sync)
                {
                    done = step(Ssl);
                }
            }
            catch (SslException)
            {
                await FlushBestEffortAsync(adapter).ConfigureAwait(false);
                throw;
            }

            await FlushAsync(adapter, wait: true).ConfigureAwait(false);
            if (done)
            {
                return;
            }

            await FillAsync(adapter).ConfigureAwait(false);
        }
    }

    private Task EnsureHandshakeAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter =>
        Ssl.IsHandshakeComplete ? Task.CompletedTask : HandshakeAsync(adapter);

    /// <summary>
    /// Writes every queued outgoing byte, in order, under the write gate. With <paramref name="wait"/> false a flush
    /// running in another thread is asked to take these bytes along instead (a reader never waits behind a writer).
    /// </summary>
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
#endif
    private async ValueTask FlushAsync<TAdapter>(TAdapter adapter, bool wait)
        where TAdapter : ITransportAdapter
    {
        while (true)
        {
            if (!_writeGate.Wait(0))
            {
                if (wait)
                {
                    await adapter.WaitAsync(_writeGate, forWrite: true).ConfigureAwait(false);
                }
                else
                {
                    // The holder checks the request after releasing the gate; if it released in between, take over.
                    Volatile.Write(ref _flushRequested, 1);
                    if (!_writeGate.Wait(0))
                    {
                        return;
                    }
                }
            }

            try
            {
                Volatile.Write(ref _flushRequested, 0);
                await WriteQueuedAsync(adapter).ConfigureAwait(false);
            }
            finally
            {
                _writeGate.Release();
            }

            if (Volatile.Read(ref _flushRequested) == 0)
            {
                return;
            }
        }
    }

    // Under the write gate: the bytes left by an earlier call first, then what the engine has queued, written from
    // the array it was sealed into; each array goes back to the pool once written (it holds only wire bytes).
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
#endif
    private async ValueTask WriteQueuedAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        while (true)
        {
            if (Volatile.Read(ref _broken) is { } broken)
            {
                throw _closing ? new ObjectDisposedException(_owner) : Broken(broken);
            }

            if (_unsentCount == 0)
            {
                ReturnUnsent();
                adapter.ThrowIfCancelled();
                lock (_sync)
                {
                    if (!Ssl.TakeChannelOutgoing(out byte[] records, out _unsentOffset, out _unsentCount))
                    {
                        return;
                    }

                    Volatile.Write(ref _unsent, records);
                }
            }

            int n;
            try
            {
                n = await adapter.WriteAsync(_unsent!, _unsentOffset, _unsentCount).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (!adapter.ReportsProgress)
                {
                    Break(e);
                }

                if (_closing)
                {
                    throw new ObjectDisposedException(_owner);
                }

                if (IsTransportFailure(e))
                {
                    throw TransportFailed(e);
                }

                throw;
            }

            _unsentOffset += n;
            _unsentCount -= n;
        }
    }

    private void ReturnUnsent()
    {
        if (Volatile.Read(ref _unsent) is { } records)
        {
            Volatile.Write(ref _unsent, null);
            _unsentOffset = 0;
            _unsentCount = 0;
            ArrayPool<byte>.Shared.Return(records);
        }
    }

    private async ValueTask FlushBestEffortAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        try
        {
            await FlushAsync(adapter, wait: false).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The alert (or answer) is a courtesy; the result or error being reported matters more than its delivery.
        }
    }

    // One transport read into the record buffer (rented for it). Reads are serialised by the read slot and the
    // handshake gate; the check makes an overlap a clear error instead of two reads into one buffer.
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
#endif
    private async ValueTask FillAsync<TAdapter>(TAdapter adapter)
        where TAdapter : ITransportAdapter
    {
        if (Interlocked.Exchange(ref _filling, 1) != 0)
        {
            throw new InvalidOperationException("two transport reads at the same time");
        }

        try
        {
            byte[] buffer;
            int offset;
            int count;
            lock (_sync)
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(_owner);
                }

                _input.PrepareRead(out buffer, out offset, out count);
                _fillPending = true;
            }

            int n = -1;   // stays -1 when the read fails: nothing arrived, and no end either
            try
            {
                n = await adapter.ReadAsync(buffer, offset, count).ConfigureAwait(false);
            }
            catch (Exception e) when (_closing && e is not OutOfMemoryException)
            {
                throw new ObjectDisposedException(_owner);
            }
            catch (Exception e) when (IsTransportFailure(e))
            {
                throw TransportFailed(e);
            }
            finally
            {
                lock (_sync)
                {
                    _fillPending = false;
                    if (_disposed)
                    {
                        _input.Release();
                    }
                    else if (n == 0)
                    {
                        _input.Eof = true;
                    }
                    else if (n > 0)
                    {
                        _input.Commit(n);
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _filling, 0);
        }
    }

    // After a reader's operation: the record buffer goes back to the pool unless it holds part of a record.
    private void ReleaseInputIfEmpty()
    {
        lock (_sync)
        {
            if (!_fillPending)
            {
                _input.ReleaseIfEmpty();
            }
        }
    }

    private void Enter(ref int slot, string message)
    {
        if (_closing)
        {
            throw new ObjectDisposedException(_owner);
        }

        if (Interlocked.CompareExchange(ref slot, 1, 0) != 0)
        {
            throw new NotSupportedException(message);
        }
    }

    private static void Exit(ref int slot) => Volatile.Write(ref slot, 0);

    private void Break(Exception cause) => Interlocked.CompareExchange(ref _broken, cause, null);

    private void ThrowIfUnusable()
    {
        if (_closing)
        {
            throw new ObjectDisposedException(_owner);
        }

        if (Volatile.Read(ref _broken) is { } broken)
        {
            throw Broken(broken);
        }
    }

    /// <summary>
    /// A failure of the transport itself: a <see cref="SocketException"/>, or an <see cref="IOException"/> that is not
    /// a TLS error (a <see cref="TlsStream"/> over another keeps that one's error as it is). Timeouts, cancellation,
    /// want-read/want-write and disposal are not.
    /// </summary>
    internal static bool IsTransportFailure(Exception e) => e is SocketException || (e is IOException && e is not SslException);

    /// <summary>The one error every facade raises for a transport failure during TLS: <see cref="SslSyscallException"/> (errno 5) with the transport's exception inside.</summary>
    internal static SslSyscallException TransportFailed(Exception cause) => new($"Some I/O error occurred ({cause.Message})", cause);

    private static SslSyscallException Broken(Exception cause) =>
        new($"The connection cannot be used: an earlier write to the transport failed part-way through a record ({cause.Message})", cause);

    /// <summary>What a write interrupted with its bytes kept was: its length and SHA-256, to recognise the retry, and how far it was sealed.</summary>
    private sealed class InterruptedWrite(int length, byte[] digest)
    {
        public static InterruptedWrite Of(ReadOnlySpan<byte> data) => new(data.Length, Hashes.Compute(HashAlgorithm.Sha256, data));

        /// <summary>How much of the data was sealed when the write stopped: the retry seals the rest after it.</summary>
        public int Sealed { get; set; }

        public bool Matches(ReadOnlySpan<byte> data) =>
            data.Length == length && Hashes.Compute(HashAlgorithm.Sha256, data).AsSpan().SequenceEqual(digest);
    }
}
