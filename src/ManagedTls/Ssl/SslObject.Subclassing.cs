namespace ManagedTls.Ssl;

/// <summary>
/// What <see cref="SslContext.WrapBio"/> passes to the constructor of the <see cref="SslObject"/> it makes (Python's
/// <c>SSLObject._create</c> arguments). Only a context makes one, and it makes exactly one object: a second
/// <see cref="SslObject"/> built from the same arguments is refused.
/// </summary>
public sealed class SslObjectArgs
{
    private SslContext? _unclaimed;

    internal SslObjectArgs(SslContext context, MemoryBio incoming, MemoryBio outgoing, bool serverSide, string? serverHostname, SslSession? session)
    {
        _unclaimed = context;
        Context = context;
        Incoming = incoming;
        Outgoing = outgoing;
        ServerSide = serverSide;
        ServerHostname = serverHostname;
        Session = session;
    }

    /// <summary>The context wrapping the queues.</summary>
    public SslContext Context { get; }

    /// <summary>Python's <c>incoming</c>.</summary>
    public MemoryBio Incoming { get; }

    /// <summary>Python's <c>outgoing</c>.</summary>
    public MemoryBio Outgoing { get; }

    /// <summary>Python's <c>server_side</c>.</summary>
    public bool ServerSide { get; }

    /// <summary>Python's <c>server_hostname</c>, as checked and IDNA-encoded by the context.</summary>
    public string? ServerHostname { get; }

    /// <summary>Python's <c>session</c>.</summary>
    public SslSession? Session { get; }

    /// <summary>The object made from these arguments, once its constructor ran.</summary>
    internal SslObject? Created { get; set; }

    // The context, once: the constructor takes it, and a second object from the same arguments is refused.
    internal SslContext Claim() => Interlocked.Exchange(ref _unclaimed, null)
        ?? throw new InvalidOperationException("these arguments already made an SslObject");
}

/// <content>Subclasses: the constructor <see cref="SslContext.SslObjectClass"/> and <see cref="SslContext.SslObjectFactory"/> call.</content>
public partial class SslObject
{
    /// <summary>
    /// Makes the object <see cref="SslContext.WrapBio"/> returns, for a subclass named by
    /// <see cref="SslContext.SslObjectClass"/> (Python's <c>sslobject_class</c>) or made by
    /// <see cref="SslContext.SslObjectFactory"/>: a subclass declares a constructor taking <see cref="SslObjectArgs"/> and
    /// passes them here. A subclass adds members of its own; it can override nothing (no member is virtual), so every
    /// TLS behaviour, check and lock stays this class's. The arguments make one object only.
    /// </summary>
    /// <param name="args">The arguments the context handed to the subclass's constructor.</param>
    /// <exception cref="ArgumentNullException"><paramref name="args"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The arguments already made an object.</exception>
    protected SslObject(SslObjectArgs args)
        : this((args ?? throw new ArgumentNullException(nameof(args))).Claim(), args.Incoming, args.Outgoing, args.ServerSide, args.ServerHostname, args.Session)
    {
        args.Created = this;
    }
}
