using ManagedTls.Ssl;
using ManagedTls.Tests.SslFacade;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslObject.SharedCiphers"/> against Python's <c>shared_ciphers()</c>, for every pair of server and client
/// settings below: the server's suites as OpenSSL's <c>SSL_get_ciphers</c> holds them (TLS 1.3 ones included whatever the
/// versions, and those under the security level) that the client offered. Python's answers are in
/// vectors/certs/recorded/shared-ciphers.txt, compared with the live python3 when there is one.
/// </summary>
public sealed class SharedCiphersTests : IDisposable
{
    private static readonly string[] ServerSettings = ["default", "max1.2", "min1.3", "no1.3", "aesgcm", "sec3", "chacha"];
    private static readonly string[] ClientSettings = ["default", "max1.2", "min1.3", "aesgcm", "chacha", "sec0"];

    // One line per pair: the server setting, the client setting, the version (or the reason the handshake failed with),
    // then the list as name/protocol/bits joined with ':' (None when Python gives None).
    private const string Script = """
        import ssl, itertools
        def setup(ctx, how):
            if how=='max1.2': ctx.maximum_version=ssl.TLSVersion.TLSv1_2
            elif how=='min1.3': ctx.minimum_version=ssl.TLSVersion.TLSv1_3
            elif how=='no1.3': ctx.options|=ssl.OP_NO_TLSv1_3
            elif how=='no1.2': ctx.options|=ssl.OP_NO_TLSv1_2
            elif how=='aesgcm': ctx.set_ciphers('ECDHE+AESGCM')
            elif how=='chacha': ctx.set_ciphers('ECDHE+CHACHA20:ECDHE+AES128')
            elif how=='sec3': ctx.set_ciphers('DEFAULT:@SECLEVEL=3')
            elif how=='sec0': ctx.set_ciphers('ALL:@SECLEVEL=0')
        for sh, ch in itertools.product(['default','max1.2','min1.3','no1.3','aesgcm','sec3','chacha'], ['default','max1.2','min1.3','aesgcm','chacha','sec0']):
            sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(d + '/cert.pem', d + '/key.pem'); setup(sctx, sh)
            cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.load_verify_locations(d + '/cert.pem'); setup(cctx, ch)
            ci,co,si,so=ssl.MemoryBIO(),ssl.MemoryBIO(),ssl.MemoryBIO(),ssl.MemoryBIO()
            c=cctx.wrap_bio(ci,co,server_hostname='localhost'); s=sctx.wrap_bio(si,so,server_side=True)
            err=''
            for _ in range(4):
                for a,outb,peer in ((c,co,si),(s,so,ci)):
                    try: a.do_handshake()
                    except ssl.SSLWantReadError: pass
                    except ssl.SSLError as e: err=err or e.reason
                    peer.write(outb.read())
            sc = s.shared_ciphers()
            print(f"{sh} {ch} {s.version() or err} " + (':'.join(f"{n}/{p}/{b}" for n,p,b in sc) if sc is not None else 'None'))
        """;

    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EveryPairListsWhatPythonLists()
    {
        string recorded = File.ReadAllText(Oracles.Cert(Path.Combine("recorded", "shared-ciphers.txt"))).Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd();
        var ours = new List<string>();
        foreach (string server in ServerSettings)
        {
            foreach (string client in ClientSettings)
            {
                BioPair pair = BioPair.Connect(Setup(WrapKeys.ClientContext(_dir), client), Setup(WrapKeys.ServerContext(_dir), server));
                IReadOnlyList<(string Name, string Protocol, int SecretBits)>? shared = pair.Server.SharedCiphers();
                Assert.Null(pair.Client.SharedCiphers());
                string list = shared is null ? "None" : string.Join(":", shared.Select(x => $"{x.Name}/{x.Protocol}/{x.SecretBits}"));
                ours.Add($"{server} {client} {pair.Server.Version() ?? pair.ServerOutcome} {list}");
            }
        }

        // Line by line, so that a failure names the pair.
        Assert.Equal(recorded.Split('\n'), ours);
        if (Oracles.Python("d = " + ContextConfigTests.Py(_dir) + "\n" + Script) is { } live)
        {
            Assert.Equal(recorded, live.Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd());
        }
    }

    [Fact]
    public void ATls12OnlyServerListsTheTls13SuitesOfATls13Client()
    {
        // The case that differed: 17 entries, not the 14 a server that left its TLS 1.3 suites out would list.
        SslContext server = WrapKeys.ServerContext(_dir);
        server.MaximumVersion = TlsVersion.TlsV1_2;
        BioPair pair = BioPair.Connect(WrapKeys.ClientContext(_dir), server);
        Assert.Equal("TLSv1.2", pair.Server.Version());
        var shared = pair.Server.SharedCiphers()!;
        Assert.Equal(17, shared.Count);
        Assert.Equal(["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"], shared.Take(3).Select(x => x.Name));

        // Changing the context after the connection was made changes nothing (OpenSSL copies the list at SSL_new).
        server.SetCiphers("ECDHE+AESGCM");
        Assert.Equal(17, pair.Server.SharedCiphers()!.Count);
    }

    private static SslContext Setup(SslContext context, string setting)
    {
        switch (setting)
        {
            case "max1.2":
                context.MaximumVersion = TlsVersion.TlsV1_2;
                break;
            case "min1.3":
                context.MinimumVersion = TlsVersion.TlsV1_3;
                break;
            case "no1.3":
                context.Options |= SslOptions.NoTlsV1_3;
                break;
            case "aesgcm":
                context.SetCiphers("ECDHE+AESGCM");
                break;
            case "chacha":
                context.SetCiphers("ECDHE+CHACHA20:ECDHE+AES128");
                break;
            case "sec3":
                context.SetCiphers("DEFAULT:@SECLEVEL=3");
                break;
            case "sec0":
                context.SetCiphers("ALL:@SECLEVEL=0");
                break;
        }

        return context;
    }
}
