using ManagedTls.Ssl;

namespace ManagedTls.Testing;

/// <summary>
/// An in-memory system under test given as delegates: one to deliver bytes, one to take what it produced. An exception
/// thrown by <c>deliver</c> (or <c>deliverEof</c>, <c>open</c>) is recorded as the target's <see cref="Failure"/>; after
/// it nothing more is delivered, and once its output is drained the target reads as closed.
/// </summary>
public sealed class DelegateTarget : ITlsTarget
{
    private readonly Action<byte[]> _deliver;
    private readonly Func<byte[]> _takeOutput;
    private readonly Action? _deliverEof;
    private readonly Action? _open;
    private readonly Func<bool>? _isClosed;
    private readonly Action? _dispose;
    private byte[] _pending = [];
    private int _pendingOffset;

    /// <summary>Creates the target.</summary>
    /// <param name="deliver">Gives the system under test bytes (throws when it fails).</param>
    /// <param name="takeOutput">Takes every byte it produced so far (empty when none).</param>
    /// <param name="deliverEof">Tells it the transport closed; null to ignore.</param>
    /// <param name="open">Starts it (a client produces its ClientHello); null for nothing.</param>
    /// <param name="isClosed">True once it closed its side without failing (sent close_notify and stopped); null for never.</param>
    /// <param name="dispose">Called by <see cref="Dispose"/>; null for nothing.</param>
    public DelegateTarget(Action<byte[]> deliver, Func<byte[]> takeOutput, Action? deliverEof = null, Action? open = null, Func<bool>? isClosed = null, Action? dispose = null)
    {
        _deliver = deliver ?? throw new ArgumentNullException(nameof(deliver));
        _takeOutput = takeOutput ?? throw new ArgumentNullException(nameof(takeOutput));
        _deliverEof = deliverEof;
        _open = open;
        _isClosed = isClosed;
        _dispose = dispose;
    }

    /// <inheritdoc/>
    public bool IsSynchronous => true;

    /// <inheritdoc/>
    public Exception? Failure { get; private set; }

    /// <inheritdoc/>
    public void Open(TimeSpan timeout) => Guard(() => _open?.Invoke());

    /// <inheritdoc/>
    public void Deliver(ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        Guard(() => _deliver(copy));
    }

    /// <inheritdoc/>
    public void DeliverEof() => Guard(() => _deliverEof?.Invoke());

    /// <inheritdoc/>
    public int Receive(Span<byte> buffer, TimeSpan timeout)
    {
        if (_pendingOffset == _pending.Length)
        {
            _pending = _takeOutput();
            _pendingOffset = 0;
        }

        int n = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        if (n > 0)
        {
            _pending.AsSpan(_pendingOffset, n).CopyTo(buffer);
            _pendingOffset += n;
            return n;
        }

        return Failure is not null || (_isClosed?.Invoke() ?? false) ? TargetRead.Eof : TargetRead.NothingYet;
    }

    /// <summary>Calls the dispose delegate.</summary>
    public void Dispose() => _dispose?.Invoke();

    private void Guard(Action action)
    {
        if (Failure is not null)
        {
            return;
        }

        try
        {
            action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Failure = e;
        }
    }
}

/// <summary>
/// A ManagedTls <see cref="SslObject"/> over two <see cref="MemoryBio"/>s as the system under test. After each delivery
/// it drives <see cref="SslObject.DoHandshake"/> until the handshake completes, then <see cref="SslObject.Read(int)"/>,
/// collecting application data in <see cref="ReceivedData"/>. <see cref="SslWantReadException"/> means "waiting"; any
/// other exception is the target's <see cref="Failure"/>.
/// </summary>
public sealed class SslObjectTarget : ITlsTarget
{
    private readonly MemoryStream _received = new();
    private readonly bool _ownsSsl;

    /// <summary>Wraps an existing object and its two queues.</summary>
    /// <param name="ssl">The object (made by <see cref="SslContext.WrapBio"/> over the two queues).</param>
    /// <param name="incoming">The queue the object reads from.</param>
    /// <param name="outgoing">The queue the object writes to.</param>
    public SslObjectTarget(SslObject ssl, MemoryBio incoming, MemoryBio outgoing)
    {
        Ssl = ssl ?? throw new ArgumentNullException(nameof(ssl));
        Incoming = incoming ?? throw new ArgumentNullException(nameof(incoming));
        Outgoing = outgoing ?? throw new ArgumentNullException(nameof(outgoing));
    }

    /// <summary>Wraps a new object made from <paramref name="context"/> (disposed with the target).</summary>
    /// <param name="context">The context.</param>
    /// <param name="serverSide">True for a server under test.</param>
    /// <param name="serverHostname">A client's server_hostname.</param>
    public SslObjectTarget(SslContext context, bool serverSide, string? serverHostname = null)
    {
        Incoming = new MemoryBio();
        Outgoing = new MemoryBio();
        Ssl = (context ?? throw new ArgumentNullException(nameof(context))).WrapBio(Incoming, Outgoing, serverSide, serverHostname);
        _ownsSsl = true;
    }

    /// <summary>The object under test (write application data with it between steps, via <see cref="TlsScript.Do"/>).</summary>
    public SslObject Ssl { get; }

    /// <summary>Its incoming queue.</summary>
    public MemoryBio Incoming { get; }

    /// <summary>Its outgoing queue.</summary>
    public MemoryBio Outgoing { get; }

    /// <summary>Application data the object has read so far.</summary>
    public byte[] ReceivedData => _received.ToArray();

    /// <summary>True once the object read the peer's close_notify.</summary>
    public bool PeerClosed { get; private set; }

    /// <inheritdoc/>
    public bool IsSynchronous => true;

    /// <inheritdoc/>
    public Exception? Failure { get; private set; }

    /// <inheritdoc/>
    public void Open(TimeSpan timeout) => Drive();

    /// <inheritdoc/>
    public void Deliver(ReadOnlySpan<byte> data)
    {
        if (Failure is not null)
        {
            return;
        }

        Incoming.Write(data);
        Drive();
    }

    /// <inheritdoc/>
    public void DeliverEof()
    {
        if (Failure is null)
        {
            Incoming.WriteEof();
            Drive();
        }
    }

    /// <inheritdoc/>
    public int Receive(Span<byte> buffer, TimeSpan timeout)
    {
        int n = Outgoing.Read(buffer);
        if (n > 0)
        {
            return n;
        }

        return Failure is not null ? TargetRead.Eof : TargetRead.NothingYet;
    }

    /// <summary>Disposes the object when this target made it.</summary>
    public void Dispose()
    {
        if (_ownsSsl)
        {
            Ssl.Dispose();
        }
    }

    /// <summary>Runs the handshake and reads application data as far as the queued bytes allow.</summary>
    public void Drive()
    {
        if (Failure is not null)
        {
            return;
        }

        try
        {
            if (!Ssl.IsHandshakeComplete)
            {
                Ssl.DoHandshake();
            }

            while (!PeerClosed)
            {
                byte[] data = Ssl.Read(16 * 1024);
                if (data.Length == 0)
                {
                    PeerClosed = true;
                    break;
                }

                _received.Write(data);
            }
        }
        catch (SslWantReadException)
        {
        }
        catch (SslZeroReturnException)
        {
            PeerClosed = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Failure = e;
        }
    }
}
