using System.Net.Sockets;
using System.Reflection;

namespace ManagedTls.Ssl;

/// <content>Python's <c>sslobject_class</c> and <c>sslsocket_class</c>, and their .NET factory forms.</content>
public sealed partial class SslContext
{
    private Type _sslObjectClass = typeof(SslObject);
    private Type _sslSocketClass = typeof(SslSocket);

    /// <summary>
    /// Python's <c>sslobject_class</c>: the class <see cref="WrapBio"/> returns, <see cref="SslObject"/> or a subclass
    /// with a constructor taking <see cref="SslObjectArgs"/> (any accessibility) that passes them to the base
    /// constructor. The extension point adds members only: <see cref="SslObject"/> has no virtual member, so a subclass
    /// changes no TLS behaviour. <see cref="SslObjectFactory"/>, when set, is used instead. Unlike Python, which takes
    /// any value and fails at <c>wrap_bio</c> (<c>AttributeError: ... has no attribute '_create'</c>), a type that
    /// cannot be made is refused here. <see cref="SslSocket"/> does not use it, as Python's <c>SSLSocket</c> does not.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    /// <exception cref="ArgumentException">The type is not <see cref="SslObject"/> or a subclass, is abstract or generic,
    /// or has no constructor taking <see cref="SslObjectArgs"/>.</exception>
    public Type SslObjectClass
    {
        get => _sslObjectClass;
        set => _sslObjectClass = CheckClass(value, typeof(SslObject), typeof(SslObjectArgs));
    }

    /// <summary>
    /// Python's <c>sslsocket_class</c>: the class <see cref="WrapSocket"/> returns, <see cref="SslSocket"/> or a subclass
    /// with a constructor taking <see cref="SslSocketArgs"/> that passes them to the base constructor; as
    /// <see cref="SslObjectClass"/>. <see cref="SslSocketFactory"/>, when set, is used instead.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="SslObjectClass"/>, for <see cref="SslSocket"/> and <see cref="SslSocketArgs"/>.</exception>
    public Type SslSocketClass
    {
        get => _sslSocketClass;
        set => _sslSocketClass = CheckClass(value, typeof(SslSocket), typeof(SslSocketArgs));
    }

    /// <summary>
    /// The .NET form of <see cref="SslObjectClass"/>, without reflection: <see cref="WrapBio"/> calls it with the
    /// arguments and returns what it returns, which must be the object constructed from exactly those arguments
    /// (<c>args => new MyObject(args)</c>). Null (the default) uses <see cref="SslObjectClass"/>.
    /// </summary>
    public Func<SslObjectArgs, SslObject>? SslObjectFactory { get; set; }

    /// <summary>
    /// The .NET form of <see cref="SslSocketClass"/>: <see cref="WrapSocket"/> calls it with the arguments, and it must
    /// return the socket constructed from exactly those arguments. Null (the default) uses <see cref="SslSocketClass"/>.
    /// </summary>
    public Func<SslSocketArgs, SslSocket>? SslSocketFactory { get; set; }

    // WrapBio's object: the plain class, the factory's, or the configured subclass's; it must come from these arguments.
    internal SslObject CreateSslObject(MemoryBio incoming, MemoryBio outgoing, bool serverSide, string? serverHostname, SslSession? session)
    {
        Func<SslObjectArgs, SslObject>? factory = SslObjectFactory;
        Type type = _sslObjectClass;
        if (factory is null && type == typeof(SslObject))
        {
            return new SslObject(this, incoming, outgoing, serverSide, serverHostname, session);
        }

        var args = new SslObjectArgs(this, incoming, outgoing, serverSide, serverHostname, session);
        SslObject? made = factory is not null ? factory(args) : (SslObject?)Construct(type, args);
        if (made is null || !ReferenceEquals(made, args.Created))
        {
            made?.Dispose();
            args.Created?.Dispose();
            throw new InvalidOperationException("the SslObject factory must return the object it constructed from the arguments it was given");
        }

        return made;
    }

    // WrapSocket's object, as CreateSslObject.
    internal SslSocket CreateSslSocket(Socket socket, bool serverSide, bool suppressRaggedEofs, string? serverHostname, SslSession? session, bool doHandshakeOnConnect)
    {
        Func<SslSocketArgs, SslSocket>? factory = SslSocketFactory;
        Type type = _sslSocketClass;
        if (factory is null && type == typeof(SslSocket))
        {
            return new SslSocket(this, socket, serverSide, suppressRaggedEofs, serverHostname, session, doHandshakeOnConnect);
        }

        var args = new SslSocketArgs(this, socket, serverSide, suppressRaggedEofs, serverHostname, session, doHandshakeOnConnect);
        SslSocket? made = factory is not null ? factory(args) : (SslSocket?)Construct(type, args);
        if (made is null || !ReferenceEquals(made, args.Created))
        {
            // The socket belongs to the object made from the arguments: close it only if none was.
            if (args.Created is { } created)
            {
                created.Dispose();
            }

            throw new InvalidOperationException("the SslSocket factory must return the socket it constructed from the arguments it was given");
        }

        return made;
    }

    private static Type CheckClass(Type value, Type baseType, Type argsType)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        if (!baseType.IsAssignableFrom(value) || value.IsAbstract || value.ContainsGenericParameters)
        {
            throw new ArgumentException($"{value} is not {baseType.Name} or a concrete subclass of it", nameof(value));
        }

        if (value != baseType && ArgsConstructor(value, argsType) is null)
        {
            throw new ArgumentException($"{value} has no constructor taking {argsType.Name}", nameof(value));
        }

        return value;
    }

    private static ConstructorInfo? ArgsConstructor(Type type, Type argsType) =>
        type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [argsType], null);

    private static object Construct(Type type, object args)
    {
        ConstructorInfo constructor = ArgsConstructor(type, args.GetType())
            ?? throw new InvalidOperationException($"{type} has no constructor taking {args.GetType().Name}");
        try
        {
            return constructor.Invoke([args]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
