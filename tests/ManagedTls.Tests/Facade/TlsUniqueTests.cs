using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;
using ManagedTls.Tests.SslFacade;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <c>GetChannelBinding("tls-unique")</c> on TLS 1.3 gives what Python gives (decision 0029): the same bytes at both
/// ends, the client's Finished verify_data after a full handshake, the server's after a resumption, the client's Finished
/// of a post-handshake authentication after one; TLS 1.2 as before. Python's answers over memory BIOs are recorded here;
/// with python3 present the bytes are also compared with a Python server's over loopback.
/// </summary>
public sealed class TlsUniqueTests : IDisposable
{
    // Python 3.11.7, OpenSSL 3.0.19, default contexts (TLS_AES_256_GCM_SHA384 on TLS 1.3): before the handshake both ends
    // give None; then kind, version, session_reused, length, both ends equal, and which Finished (from the message
    // callback: the one this value equals, client's or server's).
    private const string Recorded = """
        before None None
        tls13 full TLSv1.3 False 48 True client
        before None None
        tls13 resumed TLSv1.3 True 48 True server
        tls13 resumed differs True
        before None None
        tls12 full TLSv1.2 False 12 True client
        before None None
        tls12 resumed TLSv1.2 True 12 True server
        tls12 resumed differs True
        before None None
        pha before TLSv1.3 False 48 True client
        pha after TLSv1.3 False 48 True client
        pha changed True
        """;

    private const string ShapeScript = """
        import ssl
        fins = []
        def cb(conn, direction, v, ct, mt, data):
            if ct == ssl._TLSContentType.HANDSHAKE and mt == ssl._TLSMessageType.FINISHED: fins.append((direction, data[4:]))
        def contexts(setting):
            sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
            cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.load_verify_locations(d + '/cert.pem')
            if setting == 'tls12': cctx.maximum_version = ssl.TLSVersion.TLSv1_2
            if setting == 'pha':
                sctx.post_handshake_auth = True; sctx.verify_mode = ssl.CERT_OPTIONAL; sctx.load_verify_locations(d + '/cert.pem')
                cctx.post_handshake_auth = True; cctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
            cctx._msg_callback = cb
            return cctx, sctx
        def pump(c, s, ci, co, si, so):
            for _ in range(4):
                for x, o, p in ((c, co, si), (s, so, ci)):
                    try: x.do_handshake()
                    except ssl.SSLWantReadError: pass
                    p.write(o.read())
        def run(cctx, sctx, session=None):
            fins.clear()
            ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
            c = cctx.wrap_bio(ci, co, server_hostname='localhost', session=session); s = sctx.wrap_bio(si, so, server_side=True)
            print('before', c.get_channel_binding(), s.get_channel_binding())
            pump(c, s, ci, co, si, so)
            try: c.read(1)
            except ssl.SSLWantReadError: pass
            return c, s, ci, co, si, so
        def which(b):
            w = [('client' if x == 'write' else 'server') for x, f in fins if f == b]
            return w[-1] if w else 'none'
        def line(kind, c, s):
            a, b = c.get_channel_binding(), s.get_channel_binding()
            print(kind, c.version(), c.session_reused, len(a), a == b, which(a))
        for setting in ('tls13', 'tls12'):
            cctx, sctx = contexts(setting)
            c, s, *_ = run(cctx, sctx); line(setting + ' full', c, s)
            first = c.get_channel_binding()
            c2, s2, *_ = run(cctx, sctx, c.session); line(setting + ' resumed', c2, s2)
            print(setting, 'resumed differs', c2.get_channel_binding() != first)
        cctx, sctx = contexts('pha')
        c, s, ci, co, si, so = run(cctx, sctx); before = c.get_channel_binding(); line('pha before', c, s)
        s.verify_client_post_handshake(); s.write(b'x'); ci.write(so.read()); c.read(1); si.write(co.read()); c.write(b'y'); si.write(co.read()); s.read(1)
        line('pha after', c, s); print('pha changed', before != c.get_channel_binding())
        """;

    // A Python server on loopback for two connections, the second resumed: prints its port, then for each connection the
    // version, session_reused, length, which Finished, and the tls-unique bytes in hex.
    private const string ServerScript = """
        import ssl, socket
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
        fins = []
        def cb(conn, direction, v, ct, mt, data):
            if ct == ssl._TLSContentType.HANDSHAKE and mt == ssl._TLSMessageType.FINISHED: fins.append((direction, data[4:]))
        sctx._msg_callback = cb
        l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(2); l.settimeout(20)
        print(l.getsockname()[1], flush=True)
        for i in range(2):
            c, _ = l.accept(); c.settimeout(20)
            fins.clear()
            s = sctx.wrap_socket(c, server_side=True)
            s.write(b'x')
            b = s.get_channel_binding()
            which = [('client' if w == 'read' else 'server') for w, f in fins if f == b]
            print(s.version(), s.session_reused, len(b), which[0] if which else 'none', b.hex(), flush=True)
            s.read(1)
            s.close()
        """;

    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void BothEndsGivePythonsFinishedOnEveryKindOfHandshake()
    {
        var lines = new List<string>();
        foreach (string setting in new[] { "tls13", "tls12" })
        {
            var (client, server) = Contexts(setting);
            BioPair full = Run(client, server, null, lines);
            Line(lines, setting + " full", full);
            byte[] first = full.Client.GetChannelBinding()!;
            BioPair resumed = Run(client, server, full.Client.Session, lines);
            Line(lines, setting + " resumed", resumed);
            lines.Add($"{setting} resumed differs {Py(!resumed.Client.GetChannelBinding()!.AsSpan().SequenceEqual(first))}");
        }

        var (phaClient, phaServer) = Contexts("pha");
        BioPair pha = Run(phaClient, phaServer, null, lines);
        byte[] before = pha.Client.GetChannelBinding()!;
        Line(lines, "pha before", pha);
        pha.Server.VerifyClientPostHandshake();
        pha.Pump();
        Assert.NotNull(pha.Server.GetPeerCert());
        Line(lines, "pha after", pha);
        lines.Add($"pha changed {Py(!before.AsSpan().SequenceEqual(pha.Client.GetChannelBinding()))}");

        // Which Finished it is shows against Python's bytes below; here the rest of each line.
        Assert.Equal(Recorded.Split('\n').Select(WithoutWhich), lines);
        if (Oracles.Python("d = " + ContextConfigTests.Py(_dir) + "\n" + ShapeScript) is { } live)
        {
            Assert.Equal(Recorded, live.Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd());
            AgreesWithAPythonServer();
        }
    }

    [Fact]
    public void TheLengthIsTheSuitesHashAndTlsExporterStaysApart()
    {
        SslContext client = WrapKeys.ClientContext(_dir);
        client.SetCiphersuites("TLS_AES_128_GCM_SHA256");
        BioPair pair = BioPair.Connect(client, WrapKeys.ServerContext(_dir));
        byte[] unique = pair.Client.GetChannelBinding()!;
        Assert.Equal(32, unique.Length);
        Assert.Equal(unique, pair.Server.GetChannelBinding());

        // Copies: changing one changes nothing.
        unique[0] ^= 1;
        Assert.Equal(pair.Server.GetChannelBinding(), pair.Client.GetChannelBinding());

        byte[] exporter = pair.Client.GetChannelBinding("tls-exporter")!;
        Assert.Equal(32, exporter.Length);
        Assert.Equal(exporter, pair.Server.GetChannelBinding("tls-exporter"));
        Assert.NotEqual(pair.Client.GetChannelBinding(), exporter);
    }

    // Our client against a Python server: the same bytes, and Python says which Finished they are.
    private void AgreesWithAPythonServer()
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("d = " + ContextConfigTests.Py(_dir) + "\n" + ServerScript);
        using Process python = Process.Start(psi)!;
        try
        {
            Task<string?> portLine = python.StandardOutput.ReadLineAsync();
            Assert.True(portLine.Wait(FacadePeers.Bound), "python3 did not start its server");
            int port = int.Parse(portLine.Result!, CultureInfo.InvariantCulture);
            SslContext context = WrapKeys.ClientContext(_dir);
            SslSession? session = null;
            var ours = new List<string>();
            for (int i = 0; i < 2; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.ReceiveTimeout = socket.SendTimeout = (int)FacadePeers.Bound.TotalMilliseconds;
                socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
                using SslSocket ssl = context.WrapSocket(socket, serverHostname: "localhost", session: session);
                ssl.SetTimeout(FacadePeers.Bound.TotalSeconds);
                Assert.Equal("x", Encoding.ASCII.GetString(ssl.Read(1)));
                byte[] unique = ssl.GetChannelBinding()!;
                ours.Add($"{ssl.Version()} {Py(ssl.SessionReused)} {unique.Length} {(i == 0 ? "client" : "server")} {Convert.ToHexString(unique).ToLowerInvariant()}");
                session = ssl.Session;
                ssl.Write(Encoding.ASCII.GetBytes("y"));
            }

            Assert.True(python.WaitForExit((int)FacadePeers.Bound.TotalMilliseconds), "python3 did not finish");
            Assert.Equal(string.Join("\n", ours), python.StandardOutput.ReadToEnd().Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd());
        }
        finally
        {
            if (!python.HasExited)
            {
                python.Kill(entireProcessTree: true);
            }
        }
    }

    private (SslContext Client, SslContext Server) Contexts(string setting)
    {
        SslContext client = WrapKeys.ClientContext(_dir);
        SslContext server = WrapKeys.ServerContext(_dir);
        if (setting == "tls12")
        {
            client.MaximumVersion = TlsVersion.TlsV1_2;
        }

        if (setting == "pha")
        {
            server.PostHandshakeAuth = true;
            server.VerifyMode = VerifyMode.CertOptional;
            server.LoadVerifyLocations(cafile: Path.Combine(_dir, "cert.pem"));
            client.PostHandshakeAuth = true;
            client.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        }

        return (client, server);
    }

    private static BioPair Run(SslContext client, SslContext server, SslSession? session, List<string> lines)
    {
        var pair = new BioPair(client, server, session);
        lines.Add($"before {Py(pair.Client.GetChannelBinding())} {Py(pair.Server.GetChannelBinding())}");
        pair.Handshake();
        return pair;
    }

    private static void Line(List<string> lines, string kind, BioPair pair)
    {
        byte[] c = pair.Client.GetChannelBinding()!, s = pair.Server.GetChannelBinding()!;
        lines.Add($"{kind} {pair.Client.Version()} {Py(pair.Client.SessionReused)} {c.Length} {Py(c.AsSpan().SequenceEqual(s))}");
    }

    private static string WithoutWhich(string line) =>
        line.EndsWith(" client", StringComparison.Ordinal) || line.EndsWith(" server", StringComparison.Ordinal) ? line[..line.LastIndexOf(' ')] : line;

    private static string Py(bool value) => value ? "True" : "False";

    private static string Py(byte[]? value) => value is null ? "None" : Convert.ToHexString(value);
}
