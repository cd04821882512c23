using System.Net.Sockets;

namespace ManagedTls.Ssl;

/// <summary>Python's <c>wrap_bio</c> and <c>wrap_socket</c>.</summary>
public sealed partial class SslContext
{
    /// <summary>
    /// Python's <c>wrap_bio(incoming, outgoing, server_side, server_hostname)</c>: a TLS connection over two memory queues.
    /// The context is frozen into the connection's configuration now; later changes to the context do not reach it.
    /// </summary>
    /// <param name="incoming">TLS bytes from the peer, written by the caller.</param>
    /// <param name="outgoing">TLS bytes to send, read by the caller.</param>
    /// <param name="serverSide">True for the server side.</param>
    /// <param name="serverHostname">Client: the name sent in server_name and matched against the certificate.</param>
    /// <param name="session">Client: a session from an earlier connection of this context to resume (Python's <c>session</c>).</param>
    /// <returns>The connection; call <see cref="SslObject.DoHandshake"/> to start.</returns>
    /// <exception cref="ArgumentException"><see cref="CheckHostname"/> is on for a client without a host name
    /// (<c>check_hostname requires server_hostname</c>), a server was given a host name, or <paramref name="session"/>
    /// comes from another context (<c>Session refers to a different SSLContext.</c>) or was given to a server
    /// (<c>Cannot set session for server-side SSLSocket.</c>).</exception>
    /// <exception cref="SslException">The side does not fit the context's protocol, or no version or suite is left.</exception>
    public SslObject WrapBio(MemoryBio incoming, MemoryBio outgoing, bool serverSide = false, string? serverHostname = null, SslSession? session = null)
    {
        if (incoming is null)
        {
            throw new ArgumentNullException(nameof(incoming));
        }

        if (outgoing is null)
        {
            throw new ArgumentNullException(nameof(outgoing));
        }

        serverHostname = CheckWrapArguments(serverSide, serverHostname);
        if (session is not null)
        {
            SslObject.CheckSession(this, session, serverSide, afterHandshake: false, throwState: false);
        }

        return CreateSslObject(incoming, outgoing, serverSide, serverHostname, session);
    }

    /// <summary>
    /// <see cref="WrapBio"/> for the sockets and streams of this library, which pump a plain <see cref="SslObject"/>
    /// whatever <see cref="SslObjectClass"/> says (Python's <c>SSLSocket</c> does not use <c>sslobject_class</c> either).
    /// </summary>
    internal SslObject WrapBioForChannel(MemoryBio incoming, MemoryBio outgoing, bool serverSide, string? serverHostname, SslSession? session)
    {
        serverHostname = CheckWrapArguments(serverSide, serverHostname);
        if (session is not null)
        {
            SslObject.CheckSession(this, session, serverSide, afterHandshake: false, throwState: false);
        }

        return new SslObject(this, incoming, outgoing, serverSide, serverHostname, session);
    }

    /// <summary>
    /// Python's <c>wrap_socket(sock, server_side, do_handshake_on_connect, suppress_ragged_eofs, server_hostname)</c>.
    /// A connected socket: with <paramref name="doHandshakeOnConnect"/> the handshake runs before this returns. An
    /// unconnected socket (as Python allows): connect it with <see cref="SslSocket.Connect(System.Net.EndPoint)"/>, or
    /// bind it, listen and <see cref="SslSocket.Accept"/>; <paramref name="doHandshakeOnConnect"/> then applies there.
    /// </summary>
    /// <param name="socket">A stream socket, connected or not; the returned object owns it.</param>
    /// <param name="serverSide">True for the server side.</param>
    /// <param name="doHandshakeOnConnect">Run the handshake now.</param>
    /// <param name="suppressRaggedEofs">An end of stream without close_notify reads as an empty result instead of <see cref="SslEofException"/>.</param>
    /// <param name="serverHostname">Client: the name sent in server_name and matched against the certificate.</param>
    /// <param name="session">Client: a session from an earlier connection of this context to resume (Python's <c>session</c>).</param>
    /// <returns>The TLS socket.</returns>
    /// <exception cref="ArgumentException">As <see cref="WrapBio"/>, the socket is not a stream socket, or it is a
    /// connected non-blocking socket and <paramref name="doHandshakeOnConnect"/> is set.</exception>
    /// <exception cref="SslException">The handshake failed.</exception>
    public SslSocket WrapSocket(Socket socket, bool serverSide = false, bool doHandshakeOnConnect = true, bool suppressRaggedEofs = true, string? serverHostname = null, SslSession? session = null)
    {
        if (socket is null)
        {
            throw new ArgumentNullException(nameof(socket));
        }

        if (socket.SocketType != SocketType.Stream)
        {
            throw new ArgumentException("only stream sockets are supported", nameof(socket));
        }

        serverHostname = CheckWrapArguments(serverSide, serverHostname);
        if (session is not null)
        {
            SslObject.CheckSession(this, session, serverSide, afterHandshake: false, throwState: false);
        }

        bool connected = socket.Connected;
        if (connected && doHandshakeOnConnect && !socket.Blocking)
        {
            throw new ArgumentException("do_handshake_on_connect should not be specified for non-blocking sockets", nameof(doHandshakeOnConnect));
        }

        SslSocket ssl = CreateSslSocket(socket, serverSide, suppressRaggedEofs, serverHostname, session, doHandshakeOnConnect);
        if (connected && doHandshakeOnConnect)
        {
            try
            {
                ssl.DoHandshake();
            }
            catch
            {
                // As Python's wrap_socket: closed without close_notify.
                ssl.Close();
                throw;
            }
        }

        return ssl;
    }

    /// <summary>Python's checks of the wrap arguments; returns the host name as sent, IDNA-encoded (see <see cref="ServerHostnames"/>).</summary>
    internal string? CheckWrapArguments(bool serverSide, string? serverHostname)
    {
        if (serverSide && serverHostname is not null)
        {
            throw new ArgumentException("server_hostname can only be specified in client mode", nameof(serverHostname));
        }

        serverHostname = ServerHostnames.Encode(serverHostname);
        if (!serverSide && CheckHostname && string.IsNullOrEmpty(serverHostname))
        {
            throw new ArgumentException("check_hostname requires server_hostname", nameof(serverHostname));
        }

        return serverHostname;
    }
}
