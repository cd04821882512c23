using System.Net;
using System.Net.Sockets;

namespace ManagedTls.Testing;

/// <summary>
/// A TLS client reached over TCP by listening: the target binds and listens when it is created (port 0 picks a free
/// one, see <see cref="Port"/>), so the client under test can be started and pointed at it; <see cref="Open"/> accepts
/// one connection within the script's timeout. After that it is a <see cref="TcpTarget"/>: every read and write is
/// bounded, a reset reads as the end of the stream. For a server script:
/// <code>
/// using var target = new TcpListenerTarget();
/// // start the client under test against 127.0.0.1:target.Port
/// TlsScript.AsServer().Handshake12().Run(target);
/// </code>
/// </summary>
public sealed class TcpListenerTarget : ITlsTarget
{
    private readonly Socket _listener;
    private SocketConnection? _connection;

    /// <summary>Listens on <paramref name="address"/>:<paramref name="port"/> (the connection is accepted by <see cref="Open"/>).</summary>
    /// <param name="address">The address; null for 127.0.0.1.</param>
    /// <param name="port">The port; 0 for a free one.</param>
    public TcpListenerTarget(IPAddress? address = null, int port = 0)
    {
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port));
        }

        address ??= IPAddress.Loopback;
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(address, port));
            _listener.Listen(1);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        Address = address;
    }

    /// <summary>The address listened on.</summary>
    public IPAddress Address { get; }

    /// <summary>The port listened on (the one chosen when 0 was given).</summary>
    public int Port { get; }

    /// <inheritdoc/>
    public bool IsSynchronous => false;

    /// <inheritdoc/>
    public Exception? Failure => null;

    /// <summary>The socket error that ended the connection (a reset, a write timeout), or null.</summary>
    public SocketException? TransportError => _connection?.TransportError;

    /// <summary>Accepts one connection within <paramref name="timeout"/>, then stops listening.</summary>
    /// <param name="timeout">The longest to wait for the client, and for every later read and write.</param>
    /// <exception cref="TimeoutException">No client connected in time.</exception>
    public void Open(TimeSpan timeout)
    {
        Socket socket;
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            socket = _listener.AcceptAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"no client connected to {Address}:{Port} within {timeout.TotalSeconds:0.###} s", e);
        }
        finally
        {
            _listener.Dispose();
        }

        int ms = SocketConnection.Milliseconds(timeout);
        socket.NoDelay = true;
        socket.ReceiveTimeout = ms;
        socket.SendTimeout = ms;
        _connection = new SocketConnection(socket);
    }

    /// <inheritdoc/>
    public void Deliver(ReadOnlySpan<byte> data) => RequireConnection().Deliver(data);

    /// <inheritdoc/>
    public void DeliverEof() => RequireConnection().DeliverEof();

    /// <inheritdoc/>
    public int Receive(Span<byte> buffer, TimeSpan timeout) => RequireConnection().Receive(buffer, timeout);

    /// <summary>Stops listening and closes the connection.</summary>
    public void Dispose()
    {
        _listener.Dispose();
        _connection?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"tcp listener {Address}:{Port}";

    private SocketConnection RequireConnection() => _connection ?? throw new InvalidOperationException("the target is not open (no client accepted yet)");
}
