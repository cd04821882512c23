using System.Diagnostics;
using System.Net.Sockets;

namespace ManagedTls.Ssl;

/// <content>
/// Blocking mode and timeouts (Python's <c>setblocking</c>, <c>settimeout</c>). A non-blocking socket never waits:
/// <see cref="DoHandshake"/>, <see cref="Read(int)"/> and <see cref="Write"/> throw <see cref="SslWantReadException"/>
/// when nothing has arrived from the peer and <see cref="SslWantWriteException"/> when the kernel's send buffer is
/// full. A timeout is a deadline for the whole operation, as in Python 3.5+: every transport read and write of one
/// <see cref="DoHandshake"/>, <see cref="Read(int)"/>, <see cref="Write"/> or <see cref="Unwrap"/> together must finish
/// within it, so a peer sending one byte at a time cannot keep an operation alive. It is kept by waiting for readiness
/// (<c>Socket.Poll</c>) on a socket made non-blocking while wrapped, as Python does. As with
/// OpenSSL, after <see cref="SslWantWriteException"/> or a timeout from <see cref="Write"/> call it again with the same
/// data: the data was already taken, and the call finishes sending it and returns its length.
/// </content>
public partial class SslSocket
{
    private bool _nonBlocking;
    private double? _timeout;

    /// <summary>How long <see cref="Dispose"/> lets close_notify (and bytes a timed-out write left) take to be sent (default 5 seconds).</summary>
    internal TimeSpan CloseNotifyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Python's <c>setblocking(flag)</c>: false is <c>settimeout(0)</c>, true is <c>settimeout(None)</c>.</summary>
    /// <param name="flag">True to block.</param>
    public void SetBlocking(bool flag) => SetTimeout(flag ? null : 0.0);

    /// <summary>Python's <c>getblocking()</c>: false once the timeout is 0.</summary>
    /// <returns>Whether operations block.</returns>
    public bool GetBlocking() => !_nonBlocking;

    /// <summary>
    /// Python's <c>settimeout(value)</c>: null blocks without limit, 0 makes the socket non-blocking, a positive number
    /// of seconds is the deadline of each operation (all its transport reads and writes together): passing it throws
    /// <see cref="TimeoutException"/> with Python's <c>TimeoutError</c> text (<c>The handshake operation timed out</c>,
    /// <c>The read operation timed out</c>, <c>The write operation timed out</c>), a <see cref="SocketException"/>
    /// (<see cref="SocketError.TimedOut"/>) inside. The socket's own <c>ReceiveTimeout</c>/<c>SendTimeout</c> are not
    /// used while it is wrapped; <see cref="Unwrap"/> sets them to this value.
    /// </summary>
    /// <param name="seconds">Null, 0 or a positive number of seconds.</param>
    /// <exception cref="ArgumentException">A negative value (Python: <c>Timeout value out of range</c>).</exception>
    public void SetTimeout(double? seconds)
    {
        if (seconds is < 0 || (seconds is { } v && double.IsNaN(v)))
        {
            throw new ArgumentException("Timeout value out of range");
        }

        Socket socket = _socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        _timeout = seconds;
        _nonBlocking = seconds == 0;
        socket.Blocking = seconds is null;
        socket.ReceiveTimeout = 0;
        socket.SendTimeout = 0;
    }

    /// <summary>Python's <c>gettimeout()</c>: null when blocking without limit, 0 when non-blocking, else seconds.</summary>
    /// <returns>The timeout.</returns>
    public double? GetTimeout() => _timeout;

    /// <summary>
    /// Takes over the socket's mode as Python's <c>wrap_socket</c> takes over <c>sock.gettimeout()</c>: a non-blocking
    /// socket stays non-blocking; a blocking one with a <c>ReceiveTimeout</c> or <c>SendTimeout</c> gets the larger of
    /// them as its timeout; otherwise operations block without limit.
    /// </summary>
    private void AdoptTimeout(Socket socket)
    {
        if (!socket.Blocking)
        {
            _nonBlocking = true;
            _timeout = 0;
            return;
        }

        int ms = Math.Max(socket.ReceiveTimeout, socket.SendTimeout);
        SetTimeout(ms > 0 ? ms / 1000.0 : null);
    }

    /// <summary>Gives the socket back as Python's unwrap does: its blocking mode and timeout as they are here.</summary>
    private void RestoreSocket(Socket socket)
    {
        socket.Blocking = !_nonBlocking;
        int ms = _timeout is { } s && s > 0 ? (int)Math.Min(int.MaxValue, Math.Max(1, Math.Ceiling(s * 1000))) : 0;
        socket.ReceiveTimeout = ms;
        socket.SendTimeout = ms;
    }

    private SslSocketAdapter Adapter(SocketOperation operation)
    {
        Socket socket = _socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        ThrowIfNotUsable(operation);
        return _timeout switch
        {
            null => new SslSocketAdapter(socket, SocketMode.Blocking, 0, operation),
            0 => new SslSocketAdapter(socket, SocketMode.NonBlocking, 0, operation),
            double seconds => new SslSocketAdapter(socket, SocketMode.Deadline, Deadline(seconds), operation),
        };
    }

    // close_notify (after what a timed-out write left) within CloseNotifyTimeout, whatever the socket's mode. A blocking
    // socket stays blocking (a write may be running in another thread): a send timeout bounds its send.
    private void CloseNotifyWithin(Socket socket)
    {
        if (_channel.IsBroken)
        {
            return;
        }

        long deadline = Deadline(CloseNotifyTimeout.TotalSeconds);
        SocketMode mode = _timeout is null ? SocketMode.Blocking : SocketMode.Deadline;
        if (mode == SocketMode.Blocking)
        {
            try
            {
                socket.SendTimeout = (int)Math.Min(int.MaxValue, Math.Max(1, CloseNotifyTimeout.TotalMilliseconds));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }

        Run(_channel.CloseNotifyBestEffortAsync(new SslSocketAdapter(socket, mode, deadline, SocketOperation.Write)));
    }

    private static long Deadline(double seconds) =>
        Stopwatch.GetTimestamp() + (long)Math.Min(seconds * Stopwatch.Frequency, long.MaxValue / 4);

    private enum SocketMode
    {
        Blocking,
        NonBlocking,
        Deadline,
    }

    /// <summary>Which call a transport read or write belongs to: it decides Python's timeout text.</summary>
    private enum SocketOperation
    {
        Handshake,
        Read,
        Write,
        Shutdown,
    }

    /// <summary>
    /// Reads and writes on the socket for one operation: blocking (waiting for the engine's gates up to the deadline
    /// when there is one, without limit for a deadline of 0); non-blocking (<see cref="SslWantReadException"/> when
    /// nothing is readable, <see cref="SslWantWriteException"/> when nothing can be sent); or until a deadline,
    /// waiting with <c>Socket.Poll</c> on a non-blocking socket. The last two send what the kernel takes and report
    /// it, so nothing is lost when they stop.
    /// </summary>
    private readonly struct SslSocketAdapter(Socket socket, SocketMode mode, long deadline, SocketOperation operation) : ITransportAdapter
    {
        public bool ReportsProgress => mode != SocketMode.Blocking;

        public ValueTask<int> ReadAsync(byte[] buffer, int offset, int count)
        {
            if (mode == SocketMode.Blocking)
            {
                try
                {
                    return new ValueTask<int>(socket.Receive(buffer, offset, count, SocketFlags.None));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    throw TimedOut(reading: true, e);
                }
            }

            while (true)
            {
                int n = socket.Receive(buffer, offset, count, SocketFlags.None, out SocketError error);
                if (error == SocketError.Success)
                {
                    return new ValueTask<int>(n);
                }

                if (error != SocketError.WouldBlock)
                {
                    throw new SocketException((int)error);
                }

                if (mode == SocketMode.NonBlocking)
                {
                    throw new SslWantReadException();
                }

                WaitUntilReady(SelectMode.SelectRead);
            }
        }

        public ValueTask<int> WriteAsync(byte[] buffer, int offset, int count)
        {
            if (mode == SocketMode.Blocking)
            {
                try
                {
                    return new ValueTask<int>(socket.Send(buffer, offset, count, SocketFlags.None));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    throw TimedOut(reading: false, e);
                }
            }

            while (true)
            {
                int n = socket.Send(buffer, offset, count, SocketFlags.None, out SocketError error);
                if (error == SocketError.Success && n > 0)
                {
                    return new ValueTask<int>(n);
                }

                if (error != SocketError.Success && error != SocketError.WouldBlock)
                {
                    throw new SocketException((int)error);
                }

                if (mode == SocketMode.NonBlocking)
                {
                    throw new SslWantWriteException();
                }

                WaitUntilReady(SelectMode.SelectWrite);
            }
        }

        public Task WaitAsync(SemaphoreSlim gate, bool forWrite)
        {
            switch (mode)
            {
                case SocketMode.Blocking when deadline == 0:
                    gate.Wait();
                    break;
                case SocketMode.Blocking or SocketMode.Deadline when !gate.Wait((int)Math.Min(int.MaxValue, Math.Max(0, Remaining().TotalMilliseconds))):
                    throw TimedOut(reading: !forWrite, null);
                case SocketMode.NonBlocking when !gate.Wait(0):
                    throw forWrite ? new SslWantWriteException() : new SslWantReadException();
            }

            return Task.CompletedTask;
        }

        public void ThrowIfCancelled()
        {
        }

        private TimeSpan Remaining() => TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);

        private void WaitUntilReady(SelectMode select)
        {
            TimeSpan remaining = Remaining();
            if (remaining <= TimeSpan.Zero)
            {
                throw TimedOut(select == SelectMode.SelectRead, null);
            }

            socket.Poll((int)Math.Min(int.MaxValue, Math.Max(1, remaining.Ticks / 10)), select);
        }

        // Python's texts: the operation's name, except that a shutdown names the direction it waited for.
        private TimeoutException TimedOut(bool reading, SocketException? inner)
        {
            string what = operation switch
            {
                SocketOperation.Handshake => "handshake",
                SocketOperation.Read => "read",
                SocketOperation.Write => "write",
                _ => reading ? "read" : "write",
            };
            return new TimeoutException($"The {what} operation timed out", inner ?? new SocketException((int)SocketError.TimedOut));
        }
    }
}
