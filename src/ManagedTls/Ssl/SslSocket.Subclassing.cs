using System.Net.Sockets;

namespace ManagedTls.Ssl;

/// <summary>
/// What <see cref="SslContext.WrapSocket"/> passes to the constructor of the <see cref="SslSocket"/> it makes (Python's
/// <c>SSLSocket._create</c> arguments). Only a context makes one, and it makes exactly one socket.
/// </summary>
public sealed class SslSocketArgs
{
    private SslContext? _unclaimed;

    internal SslSocketArgs(SslContext context, Socket socket, bool serverSide, bool suppressRaggedEofs, string? serverHostname, SslSession? session, bool doHandshakeOnConnect)
    {
        DoHandshakeOnConnect = doHandshakeOnConnect;
        _unclaimed = context;
        Context = context;
        Socket = socket;
        ServerSide = serverSide;
        SuppressRaggedEofs = suppressRaggedEofs;
        ServerHostname = serverHostname;
        Session = session;
    }

    /// <summary>The context wrapping the socket.</summary>
    public SslContext Context { get; }

    /// <summary>Python's <c>do_handshake_on_connect</c>.</summary>
    public bool DoHandshakeOnConnect { get; }

    /// <summary>Python's <c>sock</c>: the socket (connected, or to be connected with <see cref="SslSocket.Connect(System.Net.EndPoint)"/>) the new object will own.</summary>
    public Socket Socket { get; }

    /// <summary>Python's <c>server_side</c>.</summary>
    public bool ServerSide { get; }

    /// <summary>Python's <c>suppress_ragged_eofs</c>.</summary>
    public bool SuppressRaggedEofs { get; }

    /// <summary>Python's <c>server_hostname</c>, as checked and IDNA-encoded by the context.</summary>
    public string? ServerHostname { get; }

    /// <summary>Python's <c>session</c>.</summary>
    public SslSession? Session { get; }

    /// <summary>The socket made from these arguments, once its constructor ran.</summary>
    internal SslSocket? Created { get; set; }

    internal SslContext Claim() => Interlocked.Exchange(ref _unclaimed, null)
        ?? throw new InvalidOperationException("these arguments already made an SslSocket");
}

/// <content>Subclasses: the constructor <see cref="SslContext.SslSocketClass"/> and <see cref="SslContext.SslSocketFactory"/> call.</content>
public partial class SslSocket
{
    /// <summary>
    /// Makes the object <see cref="SslContext.WrapSocket"/> returns, for a subclass named by
    /// <see cref="SslContext.SslSocketClass"/> (Python's <c>sslsocket_class</c>) or made by
    /// <see cref="SslContext.SslSocketFactory"/>: a subclass declares a constructor taking <see cref="SslSocketArgs"/> and
    /// passes them here. It can override nothing (no member is virtual); the handshake on connect runs after the
    /// subclass's constructor, as in Python. The arguments make one socket only.
    /// </summary>
    /// <param name="args">The arguments the context handed to the subclass's constructor.</param>
    /// <exception cref="ArgumentNullException"><paramref name="args"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The arguments already made a socket.</exception>
    protected SslSocket(SslSocketArgs args)
        : this((args ?? throw new ArgumentNullException(nameof(args))).Claim(), args.Socket, args.ServerSide, args.SuppressRaggedEofs, args.ServerHostname, args.Session, args.DoHandshakeOnConnect)
    {
        args.Created = this;
    }
}
