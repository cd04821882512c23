using System.Net;
using System.Net.Sockets;

namespace ManagedTls.Ssl;

/// <content>Python's <c>accept()</c>, awaited.</content>
public partial class SslSocket
{
    /// <summary>
    /// <see cref="Accept"/> awaited: the next connection on this listening socket, wrapped as a server by
    /// <see cref="Context"/> (<see cref="DoHandshakeOnConnect"/> and <see cref="SuppressRaggedEofs"/> carried over), and
    /// the peer's address; the new socket blocks without a timeout, as with <see cref="Accept"/>.
    /// <para>On .NET (not .NET Standard) the wait for a connection holds no thread, whatever this socket's blocking mode
    /// (a non-blocking listener waits too, as an event loop's accept does), and ends when
    /// <paramref name="cancellationToken"/> is cancelled or, if this socket has a positive timeout, when it passes
    /// (<see cref="TimeoutException"/> <c>timed out</c>). With <see cref="DoHandshakeOnConnect"/> the handshake then runs
    /// asynchronously too, through the new socket's own channel, and the token cancels it; a cancelled or failed
    /// handshake closes the new socket without close_notify, as <see cref="Accept"/> does.</para>
    /// <para>On .NET Standard this is <see cref="Accept"/> run on the thread pool, wait and handshake synchronously there,
    /// with this socket's mode and timeout; the token is checked only before it starts.</para>
    /// </summary>
    /// <param name="cancellationToken">Ends the wait (and, on .NET, the handshake).</param>
    /// <returns>The new TLS socket and the peer's address.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="TimeoutException">The timeout passed with no connection (Python's <c>timed out</c>).</exception>
    /// <exception cref="SslException">The handshake failed.</exception>
    public async Task<(SslSocket Connection, EndPoint Address)> AcceptAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
#if NET
        Socket listener = _socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        Socket accepted;
        using (var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (_timeout is double seconds && seconds > 0)
            {
                bound.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(int.MaxValue, Math.Ceiling(seconds * 1000))));
            }

            try
            {
                accepted = await listener.AcceptAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException("timed out", new SocketException((int)SocketError.TimedOut));
            }
        }

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

        SslSocket connection = Context.CreateSslSocket(accepted, serverSide: true, _suppressRaggedEofs, null, null, _doHandshakeOnConnect);
        if (_doHandshakeOnConnect)
        {
            try
            {
                connection.ThrowIfNotUsable(SocketOperation.Handshake);
                await connection._channel.HandshakeAsync(new AsyncSocketAdapter(accepted, cancellationToken)).ConfigureAwait(false);
            }
            catch
            {
                connection.Close();
                throw;
            }
        }

        return (connection, address);
#else
        return await Task.Factory.StartNew(Accept, cancellationToken, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).ConfigureAwait(false);
#endif
    }
}
