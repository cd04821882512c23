using System.Net;
using System.Net.Sockets;

namespace ManagedTls.Ssl;

/// <summary>
/// Python's <c>ssl.SSLSocket</c> over a <see cref="System.Net.Sockets.Socket"/>. Made by
/// <see cref="SslContext.WrapSocket"/> from a connected socket, or from an unconnected one that is then connected
/// (<see cref="Connect(EndPoint)"/>) or listens (<see cref="Accept"/>). Reads and writes block until done unless the socket is non-blocking
/// (<see cref="SetBlocking"/>) or has a timeout (<see cref="SetTimeout"/>, a deadline for each whole operation); the TLS
/// work is the same <see cref="SslObject"/> a <see cref="MemoryBio"/> pair would drive. One thread may read while
/// another writes (as with <c>SslStream</c>): a second concurrent read or write throws <see cref="NotSupportedException"/>,
/// and <see cref="Unwrap"/> counts as both. Information methods may be called from any thread.
/// </summary>
public partial class SslSocket : IDisposable
{
    private readonly TlsChannel _channel;
    private readonly bool _suppressRaggedEofs;
    private readonly bool _doHandshakeOnConnect;
    private Socket? _socket;

    internal SslSocket(SslContext context, Socket socket, bool serverSide, bool suppressRaggedEofs, string? serverHostname, SslSession? session = null, bool doHandshakeOnConnect = true)
    {
        _socket = socket;
        _suppressRaggedEofs = suppressRaggedEofs;
        _doHandshakeOnConnect = doHandshakeOnConnect;
        _state = socket.Connected ? ConnectState.Connected : ConnectState.Unconnected;
        _channel = new TlsChannel(context, serverSide, serverHostname, session, nameof(SslSocket));
        _channel.Ssl.CallbackOwner = this;
        AdoptTimeout(socket);
    }

    /// <summary>Python's <c>context</c>; a server may switch it before or during the handshake, see <see cref="SslObject.Context"/>.</summary>
    public SslContext Context
    {
        get => _channel.Ssl.Context;
        set => _channel.Ssl.Context = value;
    }

    /// <summary>Python's <c>server_side</c>.</summary>
    public bool ServerSide => _channel.Ssl.ServerSide;

    /// <summary>Python's <c>server_hostname</c>.</summary>
    public string? ServerHostname => _channel.Ssl.ServerHostname;

    /// <summary>Python's <c>suppress_ragged_eofs</c>.</summary>
    public bool SuppressRaggedEofs => _suppressRaggedEofs;

    /// <summary>Python's <c>do_handshake_on_connect</c>: <see cref="Connect(EndPoint)"/> and <see cref="Accept"/> run the handshake.</summary>
    public bool DoHandshakeOnConnect => _doHandshakeOnConnect;

    /// <summary>The underlying socket (null after <see cref="Unwrap"/>, <see cref="Close"/> or <see cref="Dispose"/>); Python's <c>fileno()</c> names the same thing, see <see cref="Fileno"/>.</summary>
    public Socket? Socket => _socket;

    /// <summary>True while a read (or <see cref="Unwrap"/>) is in progress.</summary>
    internal bool ReadInProgress => _channel.ReadInProgress;

    /// <summary>True while a write (or <see cref="Unwrap"/>) is in progress.</summary>
    internal bool WriteInProgress => _channel.WriteInProgress;

    /// <summary>Python's <c>getpeername()</c>.</summary>
    public EndPoint? RemoteEndPoint => _socket?.RemoteEndPoint;

    /// <summary>Python's <c>do_handshake()</c>: runs the handshake to completion, blocking.</summary>
    /// <exception cref="SslCertVerificationException">The peer's certificate did not verify.</exception>
    /// <exception cref="SslException">The handshake failed.</exception>
    /// <exception cref="TimeoutException">The timeout passed (<c>The handshake operation timed out</c>).</exception>
    public void DoHandshake() => Run(_channel.HandshakeAsync(Adapter(SocketOperation.Handshake)));

    /// <summary>Python's <c>read(len=1024)</c>: up to <paramref name="len"/> bytes; empty at the end of the stream.</summary>
    /// <param name="len">Most bytes to return.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="SslEofException">The peer closed without close_notify and ragged EOFs are not suppressed.</exception>
    public byte[] Read(int len = 1024)
    {
        if (len < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(len), "size should not be negative");
        }

        byte[] buffer = new byte[len];
        int n = Read(buffer, 0, len);
        if (n == len)
        {
            return buffer;
        }

        byte[] result = new byte[n];
        Buffer.BlockCopy(buffer, 0, result, 0, n);
        return result;
    }

    /// <summary>Python's <c>recv(bufsize)</c>.</summary>
    /// <param name="bufsize">Most bytes to return.</param>
    /// <returns>The bytes; empty at the end of the stream.</returns>
    public byte[] Recv(int bufsize) => Read(bufsize);

    /// <summary>Python's <c>recv_into(buffer, nbytes)</c>: reads into <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Destination.</param>
    /// <param name="offset">Start in <paramref name="buffer"/>.</param>
    /// <param name="count">Most bytes to read.</param>
    /// <returns>How many bytes were read; 0 at the end of the stream.</returns>
    /// <exception cref="NotSupportedException">Another read is in progress.</exception>
    /// <exception cref="TimeoutException">The timeout passed (<c>The read operation timed out</c>).</exception>
    public int Read(byte[] buffer, int offset, int count)
    {
        if (buffer is null)
        {
            throw new ArgumentNullException(nameof(buffer));
        }

        if (offset < 0 || count < 0 || count > buffer.Length - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        try
        {
            return Run(_channel.ReadAsync(Adapter(SocketOperation.Read), buffer.AsMemory(offset, count)));
        }
        catch (SslEofException) when (_suppressRaggedEofs)
        {
            return 0;
        }
    }

    /// <summary>
    /// Python's <c>write(data)</c>: writes all of <paramref name="data"/>. After <see cref="SslWantWriteException"/> (a
    /// non-blocking socket) or <see cref="TimeoutException"/> (a timeout) the data is already taken and partly sent:
    /// call again with the same data to finish, as OpenSSL requires; other data is
    /// <c>[SSL: BAD_WRITE_RETRY] bad write retry</c>.
    /// </summary>
    /// <param name="data">Application data.</param>
    /// <returns>The byte count.</returns>
    /// <exception cref="NotSupportedException">Another write is in progress.</exception>
    /// <exception cref="TimeoutException">The timeout passed (<c>The write operation timed out</c>).</exception>
    /// <exception cref="SslException">A retry with other data than the interrupted write (<c>BAD_WRITE_RETRY</c>), or a TLS failure.</exception>
    public int Write(byte[] data)
    {
        if (data is null)
        {
            throw new ArgumentNullException(nameof(data));
        }

        Run(_channel.WriteAsync(Adapter(SocketOperation.Write), data.AsMemory()));
        return data.Length;
    }

    /// <summary>Python's <c>send(data)</c> (a blocking socket sends everything).</summary>
    /// <param name="data">Application data.</param>
    /// <returns>The byte count.</returns>
    public int Send(byte[] data) => Write(data);

    /// <summary>Python's <c>sendall(data)</c>.</summary>
    /// <param name="data">Application data.</param>
    public void SendAll(byte[] data) => Write(data);

    /// <summary>Python's <c>pending()</c>.</summary>
    /// <returns>Decrypted bytes ready to read.</returns>
    public int Pending() => _dropped ? 0 : _channel.Ssl.Pending();

    /// <summary>
    /// Python's <c>unwrap()</c>: sends close_notify, waits for the peer's, and hands back the plain socket (no longer
    /// owned), blocking or not and with the timeout this socket had (as Python's socket keeps its timeout).
    /// </summary>
    /// <returns>The underlying socket.</returns>
    /// <exception cref="NotSupportedException">A read or a write is in progress in another thread.</exception>
    public Socket Unwrap()
    {
        Socket socket = _socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        Run(_channel.UnwrapAsync(Adapter(SocketOperation.Shutdown)));
        if (Interlocked.CompareExchange(ref _socket, null, socket) != socket)
        {
            throw new ObjectDisposedException(nameof(SslSocket));
        }

        RestoreSocket(socket);
        _channel.Dispose();
        return socket;
    }

    /// <summary>Python's <c>get_channel_binding(cb_type="tls-unique")</c>; see <see cref="SslObject.GetChannelBinding"/>.</summary>
    /// <param name="cbType">The channel binding type: <c>"tls-unique"</c>, or <c>"tls-exporter"</c> as a .NET extra.</param>
    /// <returns>The binding data, or null.</returns>
    public byte[]? GetChannelBinding(string cbType = "tls-unique") => _channel.Ssl.GetChannelBinding(cbType);

    /// <summary>Python's <c>version()</c>.</summary>
    /// <returns>"TLSv1.2", "TLSv1.3" or null.</returns>
    public string? Version() => _dropped ? null : _channel.Ssl.Version();

    /// <summary>Python's <c>cipher()</c>.</summary>
    /// <returns>(name, protocol, secret bits) or null.</returns>
    public (string Name, string Protocol, int SecretBits)? Cipher() => _dropped ? null : _channel.Ssl.Cipher();

    /// <summary>Python's <c>compression()</c>: "ZLIB" when TLS 1.2 DEFLATE compression is in use, else null.</summary>
    /// <returns>"ZLIB" or null.</returns>
    public string? Compression() => _dropped ? null : _channel.Ssl.Compression();

    /// <summary>Python's <c>selected_alpn_protocol()</c>.</summary>
    /// <returns>The protocol or null.</returns>
    public string? SelectedAlpnProtocol() => _dropped ? null : _channel.Ssl.SelectedAlpnProtocol();

    /// <summary>Python's <c>getpeercert(binary_form)</c>; see <see cref="SslObject.GetPeerCert"/>.</summary>
    /// <param name="binaryForm">True for the DER bytes.</param>
    /// <returns>A <see cref="T:byte[]"/>, a dictionary or null.</returns>
    public object? GetPeerCert(bool binaryForm = false) => _channel.Ssl.GetPeerCert(binaryForm);

    /// <summary>
    /// Python's <c>close()</c>: closes the socket and wipes the connection without sending close_notify, as Python's
    /// does (the peer sees the end of the stream without close_notify: <see cref="SslEofException"/>, or an empty read
    /// with <c>suppress_ragged_eofs</c>). To end the TLS session cleanly use <see cref="Unwrap"/> (close_notify both
    /// ways) or <see cref="Dispose"/> (close_notify sent, not waited for). A read or write running in another thread
    /// then fails with <see cref="ObjectDisposedException"/> (or the socket's error). Idempotent; never throws.
    /// </summary>
    public void Close() => CloseCore(closeNotify: false);

    /// <summary>
    /// The .NET way to close: sends close_notify best-effort (unlike Python's <c>close()</c>, see <see cref="Close"/>),
    /// then closes the socket and wipes the connection. Bounded: a peer that does not take the bytes within a few
    /// seconds (<see cref="CloseNotifyTimeout"/>) is given up on; nothing is sent after <see cref="Shutdown"/>, on an
    /// unconnected socket or on a failed connection. A read or write running in another thread then fails with
    /// <see cref="ObjectDisposedException"/> (or the socket's error). Idempotent; never throws.
    /// </summary>
    public void Dispose() => CloseCore(closeNotify: true);

    private void CloseCore(bool closeNotify)
    {
        Socket? socket = Interlocked.Exchange(ref _socket, null);
        if (socket is null)
        {
            return;
        }

        try
        {
            if (closeNotify && !_dropped && _state != ConnectState.Unconnected)
            {
                CloseNotifyWithin(socket);
            }
        }
        finally
        {
            _channel.Dispose();
            socket.Dispose();
        }
    }

    private static void Run(Task task) => task.GetAwaiter().GetResult();

    private static T Run<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Run(ValueTask task) => task.GetAwaiter().GetResult();

    private static T Run<T>(ValueTask<T> task) => task.GetAwaiter().GetResult();
}
