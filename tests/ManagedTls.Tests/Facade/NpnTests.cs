using System.Reflection;
using ManagedTls.Ssl;
using ManagedTls.Tests.SslFacade;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <c>SelectedNpnProtocol()</c> on <see cref="SslObject"/> and <see cref="SslSocket"/>: null always, with Python's
/// DeprecationWarning as the [Obsolete] text, even when ALPN was negotiated (NPN is neither offered nor accepted).
/// </summary>
public sealed class NpnTests : IDisposable
{
    private const string Warning = "DeprecationWarning: ssl NPN is deprecated, use ALPN instead";

    // Python 3.11.7: selected_npn_protocol() and the warning it raises on a client SSLObject before the handshake; on the
    // client and the server after it (both sides set ALPN h2, then selected_alpn_protocol()); the same on SSLSockets;
    // on the client SSLSocket after close().
    private const string Recorded = """
        object before None DeprecationWarning: ssl NPN is deprecated, use ALPN instead
        object after None DeprecationWarning: ssl NPN is deprecated, use ALPN instead None DeprecationWarning: ssl NPN is deprecated, use ALPN instead h2
        socket after None DeprecationWarning: ssl NPN is deprecated, use ALPN instead None DeprecationWarning: ssl NPN is deprecated, use ALPN instead h2
        socket closed None DeprecationWarning: ssl NPN is deprecated, use ALPN instead
        """;

    private const string Script = """
        import ssl, socket, threading, warnings
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
        cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.load_verify_locations(d + '/cert.pem')
        cctx.set_alpn_protocols(['h2']); sctx.set_alpn_protocols(['h2'])
        def npn(obj):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter('always')
                r = obj.selected_npn_protocol()
            return f"{r} {w[0].category.__name__}: {w[0].message}"
        ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
        c = cctx.wrap_bio(ci, co, server_hostname='localhost'); s = sctx.wrap_bio(si, so, server_side=True)
        print('object before', npn(c))
        for _ in range(4):
            for x, o, p in ((c, co, si), (s, so, ci)):
                try: x.do_handshake()
                except ssl.SSLWantReadError: pass
                p.write(o.read())
        print('object after', npn(c), npn(s), c.selected_alpn_protocol())
        l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
        a = socket.create_connection(l.getsockname()); b, _ = l.accept(); l.close()
        box = {}
        t = threading.Thread(target=lambda: box.__setitem__('s', sctx.wrap_socket(b, server_side=True))); t.start()
        cs = cctx.wrap_socket(a, server_hostname='localhost'); t.join()
        print('socket after', npn(cs), npn(box['s']), cs.selected_alpn_protocol())
        cs.close(); box['s'].close()
        print('socket closed', npn(cs))
        """;

    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void NullBeforeAndAfterTheHandshakeOnBothSidesAsPython()
    {
        SslContext client = WrapKeys.ClientContext(_dir);
        SslContext server = WrapKeys.ServerContext(_dir);
        client.SetAlpnProtocols(["h2"]);
        server.SetAlpnProtocols(["h2"]);
        var pair = new BioPair(client, server);
        var lines = new List<string> { "object before " + Npn(pair.Client) };
        pair.Handshake();
        lines.Add($"object after {Npn(pair.Client)} {Npn(pair.Server)} {pair.Client.SelectedAlpnProtocol()}");

        var (c, s) = FacadePeers.Sockets(_dir, clientContext: client, serverContext: server);
        lines.Add($"socket after {Npn(c)} {Npn(s)} {c.SelectedAlpnProtocol()}");
        c.Dispose();
        s.Dispose();
        lines.Add("socket closed " + Npn(c));

        Assert.Equal(Recorded, string.Join("\n", lines));
        if (Oracles.Python("d = " + ContextConfigTests.Py(_dir) + "\n" + Script) is { } live)
        {
            Assert.Equal(Recorded, live.Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd());
        }
    }

    [Theory]
    [InlineData(typeof(SslObject))]
    [InlineData(typeof(SslSocket))]
    public void ObsoleteWithPythonsWarning(Type type)
    {
        MethodInfo method = type.GetMethod("SelectedNpnProtocol", Type.EmptyTypes)!;
        Assert.Equal(typeof(string), method.ReturnType);
        Assert.Equal(Warning["DeprecationWarning: ".Length..], method.GetCustomAttribute<ObsoleteAttribute>()!.Message);
    }

    // What Python prints: the result and the warning; the warning is the member's [Obsolete] text.
#pragma warning disable CS0618 // ssl NPN is deprecated: this is its test.
    private static string Npn(SslObject ssl) => (ssl.SelectedNpnProtocol() ?? "None") + " " + ObsoleteText(typeof(SslObject));

    private static string Npn(SslSocket ssl) => (ssl.SelectedNpnProtocol() ?? "None") + " " + ObsoleteText(typeof(SslSocket));
#pragma warning restore CS0618

    private static string ObsoleteText(Type type) =>
        "DeprecationWarning: " + type.GetMethod("SelectedNpnProtocol", Type.EmptyTypes)!.GetCustomAttribute<ObsoleteAttribute>()!.Message;
}
