using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ManagedTls.Ssl;

/// <content>
/// The socket's life as Python's <c>SSLSocket</c> has it: wrapped before it is connected, then
/// <see cref="Connect(EndPoint)"/> or <see cref="ConnectEx(EndPoint)"/>; wrapped while listening, then
/// <see cref="Accept"/>; <see cref="Shutdown"/>, which drops TLS without close_notify; and <see cref="Fileno"/>.
/// </content>
public partial class SslSocket
{
    private const string AlreadyConnected = "attempt to connect already-connected SSLSocket!";
    private volatile ConnectState _state;
    private volatile bool _dropped;

    private enum ConnectState
    {
        /// <summary>Wrapped before a connection: TLS calls fail as the plain socket's would (not connected).</summary>
        Unconnected,

        /// <summary><see cref="ConnectEx(EndPoint)"/> returned an error (or a non-blocking connect is in progress).</summary>
        Connecting,

        /// <summary>Connected (when wrapped, by a connect or by an accept).</summary>
        Connected,
    }

    /// <summary>
    /// Python's <c>connect(address)</c>: connects the socket this object wrapped unconnected and, with
    /// <see cref="DoHandshakeOnConnect"/>, runs the handshake. The socket's mode applies: blocking, non-blocking (the
    /// <see cref="SocketException"/> of a connect in progress, as Python's <c>BlockingIOError</c>), or the timeout
    /// (<see cref="SetTimeout"/>) as a deadline for the connection (the handshake then has a deadline of its own).
    /// </summary>
    /// <param name="remoteEP">The server's address.</param>
    /// <exception cref="InvalidOperationException">A server-side socket (Python's <c>ValueError</c>:
    /// <c>can't connect in server-side mode</c>), or a socket already connected or after a <see cref="ConnectEx(EndPoint)"/>
    /// that returned an error (<c>attempt to connect already-connected SSLSocket!</c>).</exception>
    /// <exception cref="SocketException">The connection failed (<see cref="SocketError.ConnectionRefused"/>...); another attempt may follow.</exception>
    /// <exception cref="TimeoutException">The timeout passed (Python's <c>timed out</c>); the socket is closed, as a cancelled <c>Socket.ConnectAsync</c> closes it.</exception>
    /// <exception cref="SslException">The handshake failed.</exception>
    public void Connect(EndPoint remoteEP) => ConnectCore(remoteEP ?? throw new ArgumentNullException(nameof(remoteEP)), returnError: false);

    /// <summary>Python's <c>connect((host, port))</c>: <paramref name="host"/> is resolved first (its first address of the socket's family); see <see cref="Connect(EndPoint)"/>.</summary>
    /// <param name="host">A host name or an address literal.</param>
    /// <param name="port">The port.</param>
    public void Connect(string host, int port) => Connect(Resolve(host, port));

    /// <summary>
    /// Python's <c>connect_ex(address)</c>: as <see cref="Connect(EndPoint)"/>, but a failure of the connection itself
    /// is returned as the platform's error number (Python's <c>errno</c>: 111 for a refused connection on Linux; the
    /// the exception's <c>NativeErrorCode</c>) instead of thrown; 0 once connected (and, with
    /// <see cref="DoHandshakeOnConnect"/>, after the handshake, whose failure is still thrown). After an error, as in
    /// Python, this object does not connect again.
    /// </summary>
    /// <param name="remoteEP">The server's address.</param>
    /// <returns>0, or the error number.</returns>
    /// <exception cref="InvalidOperationException">As <see cref="Connect(EndPoint)"/>.</exception>
    /// <exception cref="TimeoutException">The timeout passed (Python returns <c>EWOULDBLOCK</c> and leaves the connect in progress; here the socket is closed).</exception>
    /// <exception cref="SslException">The handshake failed.</exception>
    public int ConnectEx(EndPoint remoteEP) => ConnectCore(remoteEP ?? throw new ArgumentNullException(nameof(remoteEP)), returnError: true);

    /// <summary>Python's <c>connect_ex((host, port))</c>; a name that does not resolve is thrown (Python's <c>gaierror</c>), not returned.</summary>
    /// <param name="host">A host name or an address literal.</param>
    /// <param name="port">The port.</param>
    /// <returns>0, or the error number.</returns>
    public int ConnectEx(string host, int port) => ConnectEx(Resolve(host, port));

    /// <summary>
    /// Python's <c>accept()</c> on a listening socket wrapped server-side: the next connection, wrapped by this
    /// object's <see cref="Context"/> as a server (<see cref="DoHandshakeOnConnect"/> and <see cref="SuppressRaggedEofs"/>
    /// carried over; with the first the handshake runs before this returns, and a failed one closes the new socket and
    /// is thrown), and the peer's address. The wait follows this socket's mode (blocking, non-blocking: the
    /// <see cref="SocketException"/> <see cref="SocketError.WouldBlock"/>, or its timeout); the new socket blocks
    /// without a timeout, as Python's does.
    /// </summary>
    /// <returns>The new TLS socket and the peer's address.</returns>
    /// <exception cref="TimeoutException">The timeout passed with no connection (Python's <c>timed out</c>).</exception>
    /// <exception cref="SslException">The handshake failed.</exception>
    public (SslSocket Connection, EndPoint Address) Accept()
    {
        Socket listener = _socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        Socket accepted = _timeout switch
        {
            null or 0 => listener.Accept(),
            double seconds => AcceptWithin(listener, Deadline(seconds)),
        };

        EndPoint address;
        try
        {
            accepted.Blocking = true;
            accepted.ReceiveTimeout = 0;
            accepted.SendTimeout = 0;
            address = accepted.RemoteEndPoint ?? throw new SocketException((int)SocketError.NotConnected);
        }
        catch
        {
            accepted.Dispose();
            throw;
        }

        // WrapSocket closes the new socket when the handshake fails.
        SslSocket connection = Context.WrapSocket(accepted, serverSide: true, _doHandshakeOnConnect, _suppressRaggedEofs);
        return (connection, address);
    }

    /// <summary>
    /// Python's <c>shutdown(how)</c>: drops the TLS connection without close_notify (nothing more is sent or read
    /// through TLS) and shuts the socket down in <paramref name="how"/>. The socket stays open until
    /// <see cref="Close"/>/<see cref="Dispose"/>. Afterwards <see cref="Read(int)"/> and <see cref="Write"/> throw
    /// <see cref="InvalidOperationException"/> with Python's <c>read()</c>/<c>write()</c> texts (<c>Read on closed or
    /// unwrapped SSL socket.</c>), <see cref="Unwrap"/> and <see cref="DoHandshake"/> likewise; <see cref="Version"/>
    /// and <see cref="Cipher"/> are null and <see cref="Pending"/> 0. Python's <c>recv()</c> and <c>send()</c> then fall
    /// back to the plain socket (raw TLS bytes); here they are <see cref="Read(int)"/> and <see cref="Write"/> and refuse.
    /// A read or write running in another thread fails with <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <param name="how">Which directions to shut down.</param>
    /// <exception cref="ObjectDisposedException">The socket is closed (Python's <c>[Errno 9] Bad file descriptor</c>).</exception>
    /// <exception cref="SocketException">The socket's shutdown failed (not connected: <see cref="SocketError.NotConnected"/>).</exception>
    public void Shutdown(SocketShutdown how)
    {
        Socket socket = _socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        if (!_dropped)
        {
            _dropped = true;
            _channel.Dispose();
        }

        socket.Shutdown(how);
    }

    /// <summary>
    /// Python's <c>fileno()</c>: the operating system's handle of the socket (the file descriptor on Unix, the
    /// <c>SOCKET</c> on Windows, <see cref="System.Net.Sockets.Socket.Handle"/>), or -1 once closed, as Python's. After
    /// <see cref="Unwrap"/> the socket belongs to the caller and this is -1 too (Python's stays the same number).
    /// </summary>
    /// <returns>The handle, or -1.</returns>
    public long Fileno()
    {
        try
        {
            return _socket is { } socket ? socket.Handle.ToInt64() : -1;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    private int ConnectCore(EndPoint remoteEP, bool returnError)
    {
        Socket socket = _socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        if (ServerSide)
        {
            throw new InvalidOperationException("can't connect in server-side mode");
        }

        if (_state != ConnectState.Unconnected || _dropped)
        {
            throw new InvalidOperationException(AlreadyConnected);
        }

        _state = ConnectState.Connecting;
        try
        {
            ConnectSocket(socket, remoteEP);
        }
        catch (SocketException e) when (returnError)
        {
            // connect_ex: the error is the answer, and (as Python keeps its SSL object) no second connect follows.
            return e.NativeErrorCode;
        }
        catch
        {
            _state = ConnectState.Unconnected;
            throw;
        }

        _state = ConnectState.Connected;
        if (_doHandshakeOnConnect)
        {
            DoHandshake();
        }

        return 0;
    }

    private void ConnectSocket(Socket socket, EndPoint remoteEP)
    {
        if (_timeout is not double seconds || seconds == 0)
        {
            socket.Connect(remoteEP);
            return;
        }

        // With a timeout the socket is non-blocking while wrapped: the connect runs asynchronously under the deadline.
        Task connect = socket.ConnectAsync(remoteEP);
        bool done;
        try
        {
            done = connect.Wait(TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue / 1000.0)));
        }
        catch (AggregateException e) when (e.InnerException is SocketException inner)
        {
            throw inner;
        }

        if (!done)
        {
            _ = connect.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            Close();
            throw new TimeoutException("timed out", new SocketException((int)SocketError.TimedOut));
        }

        // The socket connected through the asynchronous path; the wrapped socket stays non-blocking.
        socket.Blocking = false;
    }

    private static Socket AcceptWithin(Socket listener, long deadline)
    {
        while (true)
        {
            long remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                throw new TimeoutException("timed out", new SocketException((int)SocketError.TimedOut));
            }

            long micro = Math.Min(int.MaxValue, Math.Max(1, remaining * 1_000_000 / Stopwatch.Frequency));
            if (!listener.Poll((int)micro, SelectMode.SelectRead))
            {
                continue;
            }

            try
            {
                return listener.Accept();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                // Another thread took the connection; wait for the next.
            }
        }
    }

    private EndPoint Resolve(string host, int port)
    {
        if (host is null)
        {
            throw new ArgumentNullException(nameof(host));
        }

        Socket socket = _socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return new IPEndPoint(literal, port);
        }

        foreach (IPAddress address in Dns.GetHostAddresses(host))
        {
            if (address.AddressFamily == socket.AddressFamily)
            {
                return new IPEndPoint(address, port);
            }
        }

        throw new SocketException((int)SocketError.HostNotFound);
    }

    // Before every TLS operation: Python's answers for a socket never connected and for one whose TLS was dropped.
    private void ThrowIfNotUsable(SocketOperation operation)
    {
        if (_dropped)
        {
            throw new InvalidOperationException(operation switch
            {
                SocketOperation.Read => "Read on closed or unwrapped SSL socket.",
                SocketOperation.Write => "Write on closed or unwrapped SSL socket.",
                _ => "No SSL wrapper around the socket",
            });
        }

        if (_state == ConnectState.Unconnected)
        {
            // Python: [Errno 107] Transport endpoint is not connected.
            throw new SocketException((int)SocketError.NotConnected);
        }
    }
}
