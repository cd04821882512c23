using ManagedTls.Connection;
using ManagedTls.Ssl;
using ManagedTls.Tests.SslFacade;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslContext.CreateDefault"/> takes a non-empty <c>SSLKEYLOGFILE</c> as its key log file, as Python's
/// <c>create_default_context</c> does; no other way of making a context reads it. The variable is process-wide, so these
/// tests run in the collection that runs alone, and put it back as it was.
/// </summary>
[Collection("ProcessEnvironment")]
public sealed class KeylogEnvironmentTests : IDisposable
{
    // Python 3.11.7 with SSLKEYLOGFILE=<dir>/keys.log: keylog_filename of create_default_context() for SERVER_AUTH and
    // CLIENT_AUTH and of SSLContext(PROTOCOL_TLS_CLIENT); the labels of a TLS 1.3 MemoryBIO handshake (client from
    // create_default_context), sorted; with SSLKEYLOGFILE empty; with it in a missing directory.
    private const string Recorded = """
        <dir>/keys.log
        <dir>/keys.log
        None
        CLIENT_HANDSHAKE_TRAFFIC_SECRET CLIENT_TRAFFIC_SECRET_0 EXPORTER_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET SERVER_TRAFFIC_SECRET_0
        None
        FileNotFoundError [Errno 2] No such file or directory: '<dir>/missing/keys.log'
        """;

    private const string Script = """
        import ssl, os
        k = d + '/keys.log'
        if os.path.exists(k): os.remove(k)
        os.environ['SSLKEYLOGFILE'] = k
        c = ssl.create_default_context(cafile=d + '/cert.pem'); print(c.keylog_filename.replace(d, '<dir>'))
        print(ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).keylog_filename.replace(d, '<dir>'))
        print(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).keylog_filename)
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
        ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
        a = c.wrap_bio(ci, co, server_hostname='localhost'); b = sctx.wrap_bio(si, so, server_side=True)
        for _ in range(4):
            for x, o, p in ((a, co, si), (b, so, ci)):
                try: x.do_handshake()
                except ssl.SSLWantReadError: pass
                p.write(o.read())
        print(' '.join(sorted(l.split()[0] for l in open(k) if not l.startswith('#'))))
        os.environ['SSLKEYLOGFILE'] = ''
        print(ssl.create_default_context().keylog_filename)
        os.environ['SSLKEYLOGFILE'] = d + '/missing/keys.log'
        try: ssl.create_default_context()
        except OSError as e: print(type(e).__name__, str(e).replace(d, '<dir>'))
        """;

    private readonly string _dir = WrapKeys.WriteFiles();
    private readonly string? _saved = Environment.GetEnvironmentVariable("SSLKEYLOGFILE");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("SSLKEYLOGFILE", _saved);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void CreateDefaultLogsKeysWhereTheVariableSaysAsPythonDoes()
    {
        string path = Path.Combine(_dir, "keys.log");
        var lines = new List<string>();
        Environment.SetEnvironmentVariable("SSLKEYLOGFILE", path);
        SslContext client = SslContext.CreateDefault(Purpose.ServerAuth, cafile: Path.Combine(_dir, "cert.pem"));
        lines.Add(client.KeylogFilename!.Replace(_dir, "<dir>", StringComparison.Ordinal));
        lines.Add(SslContext.CreateDefault(Purpose.ClientAuth).KeylogFilename!.Replace(_dir, "<dir>", StringComparison.Ordinal));
        lines.Add(new SslContext(SslProtocol.TlsClient).KeylogFilename ?? "None");
        Assert.Equal(KeyLogFile.Header, File.ReadAllText(path));

        // The server's context is not made by CreateDefault: what the file holds is the client's.
        BioPair pair = BioPair.Connect(client, WrapKeys.ServerContext(_dir));
        Assert.Equal("TLSv1.3/TLSv1.3", pair.Outcome);
        string[] logged = File.ReadAllLines(path).Where(l => !l.StartsWith('#')).ToArray();
        lines.Add(string.Join(" ", logged.Select(l => l.Split(' ')[0]).Order(StringComparer.Ordinal)));

        // Each line is LABEL client_random secret, the client random the same on every line.
        Assert.All(logged, l => Assert.Equal(3, l.Split(' ').Length));
        Assert.Single(logged.Select(l => l.Split(' ')[1]).Distinct());

        Environment.SetEnvironmentVariable("SSLKEYLOGFILE", string.Empty);
        lines.Add(SslContext.CreateDefault().KeylogFilename ?? "None");
        Environment.SetEnvironmentVariable("SSLKEYLOGFILE", Path.Combine(_dir, "missing", "keys.log"));
        var missing = Assert.Throws<FileNotFoundException>(() => SslContext.CreateDefault());
        lines.Add("FileNotFoundError " + missing.Message.Replace(_dir, "<dir>", StringComparison.Ordinal));

        Assert.Equal(Recorded, string.Join("\n", lines));
        if (Oracles.Python("d = " + ContextConfigTests.Py(_dir) + "\n" + Script) is { } live)
        {
            Assert.Equal(Recorded, live.Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd());
        }
    }

    [Fact]
    public void WithoutTheVariableNothingIsLogged()
    {
        Environment.SetEnvironmentVariable("SSLKEYLOGFILE", null);
        Assert.Null(SslContext.CreateDefault(Purpose.ServerAuth).KeylogFilename);
        Assert.Null(SslContext.CreateDefault(Purpose.ClientAuth).KeylogFilename);

        // A context from the constructor ignores the variable even when it is set.
        Environment.SetEnvironmentVariable("SSLKEYLOGFILE", Path.Combine(_dir, "keys.log"));
        Assert.Null(new SslContext(SslProtocol.TlsServer).KeylogFilename);
        Assert.False(File.Exists(Path.Combine(_dir, "keys.log")));
    }
}
