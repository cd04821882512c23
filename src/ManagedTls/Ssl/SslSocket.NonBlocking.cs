using System.Net.Sockets;

namespace ManagedTls.Ssl;

/// <content>
/// Blocking mode and timeouts (Python's <c>setblocking</c>, <c>settimeout</c>). A non-blocking socket never waits:
/// <see cref="DoHandshake"/>, <see cref="Read(int)"/> and <see cref="Write"/> throw <see cref="SslWantReadException"/>
/// when nothing has arrived from the peer and <see cref="SslWantWriteException"/> when the kernel's send buffer is
/// full. As with OpenSSL, after <see cref="SslWantWriteException"/> from <see cref="Write"/> call it again with the
/// same data: the data was already taken, and the call finishes sending it and returns its length.
/// </content>
public sealed partial class SslSocket
{
    private bool _nonBlocking;
    private double? _timeout;
    private byte[]? _unsent;
    private int _unsentOffset;
    private int _unsentCount;
    private int _writeTakenLength = -1;

    /// <summary>Python's <c>setblocking(flag)</c>: false is <c>settimeout(0)</c>, true is <c>settimeout(None)</c>.</summary>
    /// <param name="flag">True to block.</param>
    public void SetBlocking(bool flag) => SetTimeout(flag ? null : 0.0);

    /// <summary>Python's <c>getblocking()</c>: false once the timeout is 0.</summary>
    /// <returns>Whether operations block.</returns>
    public bool GetBlocking() => !_nonBlocking;

    /// <summary>
    /// Python's <c>settimeout(value)</c>: null blocks without limit, 0 makes the socket non-blocking, a positive number
    /// of seconds bounds each transport read and write: exceeding it throws <see cref="TimeoutException"/> with Python's
    /// <c>TimeoutError</c> text (<c>The read operation timed out</c>, <c>The write operation timed out</c>), the
    /// <see cref="SocketException"/> inside.
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
        socket.Blocking = !_nonBlocking;
        int ms = seconds is { } s && s > 0 ? (int)Math.Min(int.MaxValue, Math.Max(1, Math.Ceiling(s * 1000))) : 0;
        socket.ReceiveTimeout = ms;
        socket.SendTimeout = ms;
    }

    /// <summary>Python's <c>gettimeout()</c>: null when blocking without limit, 0 when non-blocking, else seconds.</summary>
    /// <returns>The timeout.</returns>
    public double? GetTimeout() => _timeout;

    private int WriteNonBlocking(byte[] data)
    {
        if (_writeTakenLength < 0)
        {
            SslSocketAdapter adapter = Adapter();
            if (!_channel.Ssl.IsHandshakeComplete)
            {
                Run(_channel.HandshakeAsync(adapter));
            }

            _channel.Protect(data);
            _writeTakenLength = data.Length;
        }

        Run(_channel.FlushAsync(Adapter()));
        int taken = _writeTakenLength;
        _writeTakenLength = -1;
        return taken;
    }

    /// <summary>Takes over a socket that is already non-blocking (Python's SSLSocket inherits the socket's timeout).</summary>
    private void AdoptBlockingMode(Socket socket)
    {
        if (!socket.Blocking)
        {
            _nonBlocking = true;
            _timeout = 0;
        }
    }

    private SslSocketAdapter Adapter()
    {
        Socket socket = _socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        if (_nonBlocking)
        {
            SendUnsent(socket);
        }

        return new SslSocketAdapter(socket, _nonBlocking ? this : null);
    }

    // Bytes a non-blocking send could not take wait here and go out, in order, before anything else.
    private void SendUnsent(Socket socket)
    {
        while (_unsentCount > 0)
        {
            int n = SendSome(socket, _unsent!, _unsentOffset, _unsentCount);
            if (n == 0)
            {
                throw new SslWantWriteException();
            }

            _unsentOffset += n;
            _unsentCount -= n;
        }

        _unsent = null;
        _unsentOffset = 0;
    }

    private void KeepUnsent(byte[] buffer, int offset, int count)
    {
        _unsent = buffer.AsSpan(offset, count).ToArray();
        _unsentOffset = 0;
        _unsentCount = count;
    }

    /// <summary>A blocking send; the socket's send timeout surfaces as Python's <c>TimeoutError</c> text.</summary>
    private static int SendBlocking(Socket socket, byte[] buffer, int offset, int count)
    {
        try
        {
            return socket.Send(buffer, offset, count, SocketFlags.None);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            throw new TimeoutException("The write operation timed out", e);
        }
    }

    /// <summary>Sends what the kernel takes now; 0 when it would block.</summary>
    private static int SendSome(Socket socket, byte[] buffer, int offset, int count)
    {
        try
        {
            return socket.Send(buffer, offset, count, SocketFlags.None);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return 0;
        }
    }

    /// <summary>
    /// Reads and writes on the socket: blocking when <c>owner</c> is null; otherwise never waiting, throwing
    /// <see cref="SslWantReadException"/> when nothing is readable and keeping unsent bytes in the owner
    /// (then throwing <see cref="SslWantWriteException"/>).
    /// </summary>
    private readonly struct SslSocketAdapter(Socket socket, SslSocket? owner) : ITransportAdapter
    {
        public Task<int> ReadAsync(byte[] buffer, int offset, int count)
        {
            if (owner is null)
            {
                try
                {
                    return Task.FromResult(socket.Receive(buffer, offset, count, SocketFlags.None));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    throw new TimeoutException("The read operation timed out", e);
                }
            }

            try
            {
                return Task.FromResult(socket.Receive(buffer, offset, count, SocketFlags.None));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                throw new SslWantReadException();
            }
        }

        public Task WriteAsync(byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                int n = owner is null ? SendBlocking(socket, buffer, offset, count) : SendSome(socket, buffer, offset, count);
                if (n == 0)
                {
                    owner!.KeepUnsent(buffer, offset, count);
                    throw new SslWantWriteException();
                }

                offset += n;
                count -= n;
            }

            return Task.CompletedTask;
        }
    }
}
