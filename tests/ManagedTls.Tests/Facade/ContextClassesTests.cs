using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Python's <c>sslobject_class</c> / <c>sslsocket_class</c> (and the .NET factories beside them), and the deprecated
/// <c>set_servername_callback</c>, against Python 3.11's answers.
/// </summary>
public sealed class ContextClassesTests : IDisposable
{
    // python3: set_servername_callback on a server and on a client context (Python 3.11.7).
    internal const string RecordedServernameCallback = """
        server 5 TypeError not a callable object
        server None ok
        server f ok
        client 5 TypeError not a callable object
        client None ValueError sni_callback cannot be set on TLS_CLIENT context
        client f ValueError sni_callback cannot be set on TLS_CLIENT context
        legacy localhost
        sslobject_class <class 'ssl.SSLObject'> <class 'ssl.SSLSocket'>
        SSLObject() TypeError SSLObject does not have a public constructor. Instances are returned by SSLContext.wrap_bio().
        subclass Mine True
        """;

    private const string ServernameScript = """
        import ssl
        f = lambda o, n, c: None
        for side, proto in (('server', ssl.PROTOCOL_TLS_SERVER), ('client', ssl.PROTOCOL_TLS_CLIENT)):
            for name, arg in (('5', 5), ('None', None), ('f', f)):
                try: ssl.SSLContext(proto).set_servername_callback(arg); print(side, name, 'ok')
                except Exception as e: print(side, name, type(e).__name__, e)
        s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(d + '/cert.pem', d + '/key.pem')
        got = []
        s.set_servername_callback(lambda o, n, c: got.append(n))
        cl = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cl.check_hostname = False; cl.verify_mode = ssl.CERT_NONE
        ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
        c = cl.wrap_bio(ci, co, server_hostname='localhost'); o = s.wrap_bio(si, so, server_side=True)
        for i in range(4):
            for x in (c, o):
                try: x.do_handshake()
                except ssl.SSLWantReadError: pass
            si.write(co.read()); ci.write(so.read())
        print('legacy', *got)
        print('sslobject_class', s.sslobject_class, s.sslsocket_class)
        try: ssl.SSLObject()
        except Exception as e: print('SSLObject()', type(e).__name__, e)
        class Mine(ssl.SSLObject): pass
        s.sslobject_class = Mine
        print('subclass', type(s.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_side=True)).__name__, o.version() is not None)
        """;

    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LivePythonGivesTheRecordedAnswers() =>
        Assert.Equal(
            RecordedServernameCallback.Replace("\r", string.Empty, StringComparison.Ordinal).Trim(),
            PythonOracle.Run("d = " + ContextConfigTests.Py(_dir) + "\n" + ServernameScript)!.Replace("\r", string.Empty, StringComparison.Ordinal));

#pragma warning disable CS0618 // SetServernameCallback is the deprecated alias under test.
    [Fact]
    public void SetServernameCallbackIsSniCallback()
    {
        SslContext server = WrapKeys.ServerContext(_dir);
        var names = new List<string?>();
        SniCallback callback = (_, name, _) =>
        {
            names.Add(name);
            return null;
        };
        server.SetServernameCallback(callback);
        Assert.Same(callback, server.SniCallback);
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = new SslContext(SslProtocol.TlsClient) { CheckHostname = false, VerifyMode = VerifyMode.CertNone }.WrapBio(bios[0], bios[1], serverHostname: "localhost");
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c, s, bios));
        Assert.Equal(["localhost"], names);

        server.SetServernameCallback(null);
        Assert.Null(server.SniCallback);

        // Python: ValueError on a client context, for a callback and for None alike.
        var client = new SslContext(SslProtocol.TlsClient);
        Assert.Equal("sni_callback cannot be set on TLS_CLIENT context", Assert.Throws<ArgumentException>(() => client.SetServernameCallback(callback)).Message);
        Assert.Equal("sni_callback cannot be set on TLS_CLIENT context", Assert.Throws<ArgumentException>(() => client.SetServernameCallback(null)).Message);
    }
#pragma warning restore CS0618

    [Fact]
    public void SetServernameCallbackIsMarkedObsoleteWithPythonsWording()
    {
        var attribute = (ObsoleteAttribute?)Attribute.GetCustomAttribute(typeof(SslContext).GetMethod(nameof(SslContext.SetServernameCallback))!, typeof(ObsoleteAttribute));
        Assert.NotNull(attribute);
        Assert.StartsWith("This is a legacy API retained for backwards compatibility. When possible, you should use sni_callback", attribute!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SslObjectClassDefaultsAndValidation()
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        Assert.Equal(typeof(SslObject), ctx.SslObjectClass);
        Assert.Equal(typeof(SslSocket), ctx.SslSocketClass);
        Assert.Throws<ArgumentNullException>(() => ctx.SslObjectClass = null!);
        Assert.Throws<ArgumentException>(() => ctx.SslObjectClass = typeof(int));
        Assert.Throws<ArgumentException>(() => ctx.SslObjectClass = typeof(SslSocket));
        Assert.Throws<ArgumentException>(() => ctx.SslObjectClass = typeof(NoArgsObject));
        Assert.Throws<ArgumentException>(() => ctx.SslObjectClass = typeof(AbstractObject));
        Assert.Throws<ArgumentException>(() => ctx.SslSocketClass = typeof(LoggingObject));
        ctx.SslObjectClass = typeof(LoggingObject);
        Assert.Equal(typeof(LoggingObject), ctx.SslObjectClass);
    }

    [Fact]
    public void WrapBioReturnsTheSubclassWhichWorksAsAnSslObject()
    {
        SslContext server = WrapKeys.ServerContext(_dir);
        server.SslObjectClass = typeof(LoggingObject);
        SslContext client = new(SslProtocol.TlsClient) { CheckHostname = false, VerifyMode = VerifyMode.CertNone };
        client.SslObjectFactory = args => new FactoryObject(args, "made by the factory");
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = client.WrapBio(bios[0], bios[1], serverHostname: "localhost");
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        var logging = Assert.IsType<LoggingObject>(s);
        Assert.True(logging.Args.ServerSide);
        Assert.Same(server, logging.Args.Context);
        Assert.Equal("made by the factory", Assert.IsType<FactoryObject>(c).Note);
        Assert.Equal("localhost", c.ServerHostname);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c, s, bios));
        Assert.Equal("TLSv1.3", s.Version());
    }

    [Fact]
    public void ArgumentsMakeOneObjectAndTheFactoryMustReturnIt()
    {
        SslContext ctx = WrapKeys.ServerContext(_dir);
        SslObject? other = null;
        ctx.SslObjectFactory = args =>
        {
            var first = new FactoryObject(args, "first");
            Assert.Throws<InvalidOperationException>(() => new FactoryObject(args, "second"));
            return first;
        };
        Assert.IsType<FactoryObject>(ctx.WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true));

        ctx.SslObjectFactory = args =>
        {
            _ = new FactoryObject(args, "made");
            other = WrapKeys.ServerContext(_dir).WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true);
            return other;
        };
        Assert.Throws<InvalidOperationException>(() => ctx.WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true));
        ctx.SslObjectFactory = _ => null!;
        Assert.Throws<InvalidOperationException>(() => ctx.WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true));
    }

    [Fact]
    public async Task WrapSocketReturnsTheSubclassAndTheFactorysSocket()
    {
        var (c, s) = WrapKeys.LoopbackSockets(0);
        SslContext server = WrapKeys.ServerContext(_dir);
        server.SslSocketClass = typeof(TaggedSocket);
        SslContext client = WrapKeys.ClientContext(_dir);
        client.SslSocketFactory = args => new TaggedSocket(args) { Tag = "factory" };
        Task<SslSocket> accepted = Task.Run(() => server.WrapSocket(s, serverSide: true));
        using SslSocket clientSocket = client.WrapSocket(c, serverHostname: "localhost");
        using SslSocket serverSocket = await accepted.WaitAsync(FacadePeers.Bound);
        Assert.Equal("factory", Assert.IsType<TaggedSocket>(clientSocket).Tag);
        Assert.IsType<TaggedSocket>(serverSocket);
        Assert.Equal("TLSv1.3", clientSocket.Version());

        // The sockets pump a plain SslObject whatever SslObjectClass says, as Python's SSLSocket does not use it.
        Assert.Equal(typeof(SslObject), server.SslObjectClass);
    }

    [Fact]
    public void TheSubclassingSurfaceHasNoVirtualMembers()
    {
        foreach (Type t in new[] { typeof(SslObject), typeof(SslSocket) })
        {
            System.Reflection.MethodInfo[] methods = t.GetMethods(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly);
            Assert.DoesNotContain(methods, m => m.IsVirtual && !m.IsFinal);
            Assert.NotEmpty(methods);
            Assert.Empty(t.GetConstructors());
        }
    }

    private sealed class LoggingObject : SslObject
    {
        private LoggingObject(SslObjectArgs args)
            : base(args) => Args = args;

        public SslObjectArgs Args { get; }
    }

    private sealed class FactoryObject(SslObjectArgs args, string note) : SslObject(args)
    {
        public string Note { get; } = note;
    }

    private sealed class NoArgsObject : SslObject
    {
        public NoArgsObject()
            : base(null!)
        {
        }
    }

    private abstract class AbstractObject(SslObjectArgs args) : SslObject(args);

    private sealed class TaggedSocket(SslSocketArgs args) : SslSocket(args)
    {
        public string? Tag { get; set; }
    }
}
