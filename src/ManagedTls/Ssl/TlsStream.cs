namespace ManagedTls.Ssl;

/// <summary>
/// A TLS 1.3 or TLS 1.2 <see cref="Stream"/> over another stream (a <c>NetworkStream</c> or any stream), where .NET code would use
/// <c>SslStream</c>. Configuration comes from an <see cref="SslContext"/>. Asynchronous reads and writes are truly
/// asynchronous and honour cancellation; synchronous ones run the same code with a blocking adapter. As with
/// <c>SslStream</c>, one read and one write may be in progress at the same time, from different threads; a second read
/// or a second write while one is in progress throws <see cref="NotSupportedException"/>, and
/// <see cref="ShutdownAsync"/> counts as both. A write that fails or is cancelled after part of a record went out
/// leaves the stream unusable: every later call throws <see cref="SslSyscallException"/>.
/// </summary>
public sealed partial class TlsStream : Stream
{
    private readonly Stream _inner;
    private readonly SslContext _context;
    private readonly bool _leaveInnerStreamOpen;
    private TlsChannel? _channel;
    private int _disposeState;

    /// <summary>Creates the stream; call <see cref="AuthenticateAsClientAsync(string, CancellationToken)"/> or <see cref="AuthenticateAsServerAsync"/> next.</summary>
    /// <param name="innerStream">The transport.</param>
    /// <param name="context">The settings the connection is made from (frozen when authentication starts).</param>
    /// <param name="leaveInnerStreamOpen">True to keep <paramref name="innerStream"/> open on disposal.</param>
    public TlsStream(Stream innerStream, SslContext context, bool leaveInnerStreamOpen = false)
    {
        _inner = innerStream ?? throw new ArgumentNullException(nameof(innerStream));
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _leaveInnerStreamOpen = leaveInnerStreamOpen;
    }

    /// <summary>The TLS connection, for its information methods (<see cref="SslObject.Cipher"/>, <see cref="SslObject.GetPeerCert"/>...); null before authentication starts.</summary>
    public SslObject? Ssl => _channel?.Ssl;

    /// <summary>True once the handshake is complete.</summary>
    public bool IsAuthenticated => _channel?.Ssl.IsHandshakeComplete == true;

    /// <summary>True while a read (or <see cref="ShutdownAsync"/>) is in progress.</summary>
    internal bool ReadInProgress => _channel?.ReadInProgress == true;

    /// <summary>True while a write (or <see cref="ShutdownAsync"/>) is in progress.</summary>
    internal bool WriteInProgress => _channel?.WriteInProgress == true;

    /// <inheritdoc/>
    public override bool CanRead => !IsDisposed && _inner.CanRead;

    /// <inheritdoc/>
    public override bool CanWrite => !IsDisposed && _inner.CanWrite;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Runs the client handshake.</summary>
    /// <param name="serverName">The server name sent and (with <see cref="SslContext.CheckHostname"/>) checked.</param>
    /// <param name="cancellationToken">Cancels the transport reads and writes.</param>
    /// <returns>A task completing with the handshake.</returns>
    /// <exception cref="SslException">The handshake failed.</exception>
    public Task AuthenticateAsClientAsync(string? serverName, CancellationToken cancellationToken = default) =>
        Start(serverSide: false, serverName).HandshakeAsync(new AsyncStreamAdapter(_inner, cancellationToken));

    /// <summary>Runs the client handshake, offering <paramref name="session"/> for resumption.</summary>
    /// <param name="serverName">The server name sent and (with <see cref="SslContext.CheckHostname"/>) checked.</param>
    /// <param name="session">A session from an earlier connection of the same context (<see cref="SslObject.Session"/>), or null.</param>
    /// <param name="cancellationToken">Cancels the transport reads and writes.</param>
    /// <returns>A task completing with the handshake; <see cref="SslObject.SessionReused"/> tells whether it resumed.</returns>
    /// <exception cref="ArgumentException">The session comes from another context.</exception>
    /// <exception cref="SslException">The handshake failed.</exception>
    public Task AuthenticateAsClientAsync(string? serverName, SslSession? session, CancellationToken cancellationToken = default) =>
        Start(serverSide: false, serverName, session).HandshakeAsync(new AsyncStreamAdapter(_inner, cancellationToken));

    /// <summary>Runs the server handshake.</summary>
    /// <param name="cancellationToken">Cancels the transport reads and writes.</param>
    /// <returns>A task completing with the handshake.</returns>
    public Task AuthenticateAsServerAsync(CancellationToken cancellationToken = default) =>
        Start(serverSide: true, null).HandshakeAsync(new AsyncStreamAdapter(_inner, cancellationToken));

    /// <summary>Runs the client handshake, blocking.</summary>
    /// <param name="serverName">The server name.</param>
    /// <param name="session">A session from an earlier connection of the same context to resume, or null.</param>
    public void AuthenticateAsClient(string? serverName, SslSession? session = null) =>
        Start(serverSide: false, serverName, session).HandshakeAsync(new SyncStreamAdapter(_inner)).GetAwaiter().GetResult();

    /// <summary>Runs the server handshake, blocking.</summary>
    public void AuthenticateAsServer() =>
        Start(serverSide: true, null).HandshakeAsync(new SyncStreamAdapter(_inner)).GetAwaiter().GetResult();

    /// <summary>Reads application data; 0 once the peer sent close_notify.</summary>
    /// <inheritdoc/>
    /// <exception cref="SslEofException">The transport ended without close_notify (unless the context ignores unexpected EOF).</exception>
    public override int Read(byte[] buffer, int offset, int count)
    {
        CheckBuffer(buffer, offset, count);
        return Channel().ReadAsync(new SyncStreamAdapter(_inner), buffer.AsMemory(offset, count)).GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        CheckBuffer(buffer, offset, count);
        return Channel().ReadAsync(new AsyncStreamAdapter(_inner, cancellationToken), buffer.AsMemory(offset, count)).AsTask();
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        CheckBuffer(buffer, offset, count);
        Channel().WriteAsync(new SyncStreamAdapter(_inner), buffer.AsMemory(offset, count)).GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        CheckBuffer(buffer, offset, count);
        return Channel().WriteAsync(new AsyncStreamAdapter(_inner, cancellationToken), buffer.AsMemory(offset, count)).AsTask();
    }

#if NET
    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Channel().ReadAsync(new AsyncStreamAdapter(_inner, cancellationToken), buffer);

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Channel().WriteAsync(new AsyncStreamAdapter(_inner, cancellationToken), buffer);
#endif

    /// <summary>Every write is sent at once; flushes the inner stream.</summary>
    public override void Flush()
    {
        ThrowIfDisposed();
        _inner.Flush();
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _inner.FlushAsync(cancellationToken);
    }

    /// <summary>Sends close_notify and waits for the peer's (Python's <c>unwrap()</c>).</summary>
    /// <param name="cancellationToken">Cancels the transport reads and writes.</param>
    /// <returns>A task completing once both sides have closed.</returns>
    public Task ShutdownAsync(CancellationToken cancellationToken = default) =>
        Channel().UnwrapAsync(new AsyncStreamAdapter(_inner, cancellationToken));

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>
    /// Sends close_notify best-effort, then closes the inner stream unless asked to leave it open. Bounded as
    /// <c>DisposeAsync</c> is: a peer that does not take the bytes within a few seconds is given up on. A read or write
    /// running in another thread then fails (<see cref="ObjectDisposedException"/> or the inner stream's error).
    /// </summary>
    /// <param name="disposing">True from <see cref="Stream.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposeState, 1) == 0)
        {
            try
            {
                if (_channel is { } channel)
                {
                    CloseNotifyWithinAsync(channel).GetAwaiter().GetResult();
                }
            }
            finally
            {
                _channel?.Dispose();
                if (!_leaveInnerStreamOpen)
                {
                    _inner.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    private TlsChannel Start(bool serverSide, string? serverName, SslSession? session = null)
    {
        ThrowIfDisposed();
        if (_channel is not null)
        {
            throw new InvalidOperationException("authentication was already started");
        }

        serverName = _context.CheckWrapArguments(serverSide, serverName);
        var channel = new TlsChannel(_context, serverSide, serverName, session, nameof(TlsStream));
        channel.Ssl.CallbackOwner = this;

        // Two authentications started at once: one wins, the other is refused as a later one would be.
        if (Interlocked.CompareExchange(ref _channel, channel, null) is not null)
        {
            channel.Dispose();
            throw new InvalidOperationException("authentication was already started");
        }

        return channel;
    }

    private TlsChannel Channel()
    {
        ThrowIfDisposed();
        return _channel ?? throw new InvalidOperationException("authenticate first");
    }

    private bool IsDisposed => Volatile.Read(ref _disposeState) != 0;

    private void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            throw new ObjectDisposedException(nameof(TlsStream));
        }
    }

    private static void CheckBuffer(byte[] buffer, int offset, int count)
    {
        if (buffer is null)
        {
            throw new ArgumentNullException(nameof(buffer));
        }

        if (offset < 0 || count < 0 || count > buffer.Length - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
    }
}
