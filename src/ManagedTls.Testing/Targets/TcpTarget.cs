using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ManagedTls.Testing;

/// <summary>
/// A TLS server (or anything that speaks first after a TCP connect) reached over TCP. Connecting, every write and every
/// read are bounded by the script's timeout. A connection reset reads as the end of the stream; writes after it are
/// dropped (the peer is gone), so the script reports what it saw instead of a socket error.
/// </summary>
public sealed class TcpTarget : ITlsTarget
{
    private SocketConnection? _connection;

    /// <summary>Creates a target for <paramref name="host"/>:<paramref name="port"/> (not connected until <see cref="Open"/>).</summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    public TcpTarget(string host, int port)
    {
        Host = host ?? throw new ArgumentNullException(nameof(host));
        Port = port is > 0 and <= 65535 ? port : throw new ArgumentOutOfRangeException(nameof(port));
    }

    /// <summary>Parses <c>host:port</c> (<c>[::1]:4433</c> for IPv6).</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The target.</returns>
    public static TcpTarget Parse(string endpoint)
    {
        int colon = (endpoint ?? throw new ArgumentNullException(nameof(endpoint))).LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            throw new FormatException($"'{endpoint}' is not host:port");
        }

        return new TcpTarget(endpoint.Substring(0, colon).Trim('[', ']'), port);
    }

    /// <summary>The host.</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <inheritdoc/>
    public bool IsSynchronous => false;

    /// <inheritdoc/>
    public Exception? Failure => null;

    /// <summary>The socket error that ended the connection (a reset, a write timeout), or null.</summary>
    public SocketException? TransportError => _connection?.TransportError;

    /// <inheritdoc/>
    public void Open(TimeSpan timeout)
    {
        int ms = SocketConnection.Milliseconds(timeout);
        IPAddress[] addresses;
        using (var resolve = new CancellationTokenSource(timeout))
        {
            addresses = IPAddress.TryParse(Host, out IPAddress? literal)
                ? [literal]
                : Dns.GetHostAddressesAsync(Host, resolve.Token).GetAwaiter().GetResult();
        }

        Exception? last = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = ms, SendTimeout = ms };
            try
            {
                using var cts = new CancellationTokenSource(timeout);
                socket.ConnectAsync(new IPEndPoint(address, Port), cts.Token).AsTask().GetAwaiter().GetResult();
                _connection = new SocketConnection(socket);
                return;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw new TimeoutException($"could not connect to {Host}:{Port} within {timeout.TotalSeconds:0.###} s", last);
    }

    /// <inheritdoc/>
    public void Deliver(ReadOnlySpan<byte> data) => RequireConnection().Deliver(data);

    /// <inheritdoc/>
    public void DeliverEof() => RequireConnection().DeliverEof();

    /// <inheritdoc/>
    public int Receive(Span<byte> buffer, TimeSpan timeout) => RequireConnection().Receive(buffer, timeout);

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _connection?.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"tcp {Host}:{Port}";

    private SocketConnection RequireConnection() => _connection ?? throw new InvalidOperationException("the target is not open");
}

/// <summary>
/// One connected TCP socket as a byte pipe (shared by <see cref="TcpTarget"/> and <see cref="TcpListenerTarget"/>): a
/// reset reads as the end of the stream, writes after it are dropped, every wait is bounded.
/// </summary>
internal sealed class SocketConnection : IDisposable
{
    private readonly Socket _socket;
    private bool _broken;

    public SocketConnection(Socket socket) => _socket = socket;

    public SocketException? TransportError { get; private set; }

    public void Deliver(ReadOnlySpan<byte> data)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            while (!data.IsEmpty)
            {
                int n = _socket.Send(data);
                data = data.Slice(n);
            }
        }
        catch (SocketException e)
        {
            TransportError = e;
            _broken = true;
        }
    }

    public void DeliverEof()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException e)
        {
            TransportError ??= e;
        }
    }

    public int Receive(Span<byte> buffer, TimeSpan timeout)
    {
        try
        {
            if (!_socket.Poll(Microseconds(timeout), SelectMode.SelectRead))
            {
                return TargetRead.NothingYet;
            }

            int n = _socket.Receive(buffer);
            return n == 0 ? TargetRead.Eof : n;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            TransportError ??= e;
            _broken = true;
            return TargetRead.Eof;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return TargetRead.NothingYet;
        }
    }

    public void Dispose() => _socket.Dispose();

    public static int Milliseconds(TimeSpan t) => (int)Math.Clamp(t.TotalMilliseconds, 1, int.MaxValue);

    private static int Microseconds(TimeSpan t) => (int)Math.Clamp(t.TotalMilliseconds * 1000, 0, int.MaxValue);
}
