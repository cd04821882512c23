using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Crypto;
using ManagedTls.Ssl;
using ManagedTls.X509.Builder;

namespace ManagedTls.Cli;

/// <summary>
/// <c>managedtls demo</c>: our TLS client and our TLS server in one process over loopback TCP, through the public API
/// only. It makes a throwaway CA and a server certificate for <c>localhost</c> and 127.0.0.1 (fresh keys every run), gives
/// the server the certificate and key as PEM files (<see cref="SslContext.LoadCertChain"/>) and the client the CA
/// (<see cref="SslContext.LoadVerifyLocations"/> with <c>cadata</c>, certificate and host name checked), connects with
/// ALPN, sends data both ways, closes with close_notify on both sides, and prints what was negotiated: version, cipher
/// suite, key-exchange group, signature scheme, ALPN, the verified peer subject and whether the session was reused.
/// Exit code 0 only when the connection worked and both sides agree on what they negotiated.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The name the client asks for and the server certificate carries.</summary>
    internal const string ServerName = "localhost";

    private const int TimeoutMilliseconds = 10_000;
    private const int MaxLineLength = 4096;
    private static readonly string[] ClientAlpn = ["demo/1", "http/1.1"];
    private static readonly string[] ServerAlpn = ["demo/1"];

    public static int Run(string[] args) => Run(args, Console.Out);

    /// <summary>Runs the demo, writing to <paramref name="output"/>.</summary>
    internal static int Run(string[] args, TextWriter output)
    {
        if (args.Length > 0)
        {
            throw new UsageException("demo takes no arguments");
        }

        output.WriteLine("ManagedTls demo: our TLS client and our TLS server in one process, over loopback TCP");
        output.WriteLine($"entropy source: {OsEntropy.Instance.Mechanism} (no OpenSSL, no native crypto)");
        try
        {
            DemoPki pki = DemoPki.Create();
            output.WriteLine($"throwaway CA:        {pki.Ca.Subject} ({KeyName(pki.Ca.Key.Algorithm)}, serial {pki.Ca.SerialNumber})");
            output.WriteLine($"server certificate:  {pki.Server.Subject} ({KeyName(pki.Server.Key.Algorithm)}), DNS:{ServerName}, IP:{IPAddress.Loopback}, valid until {pki.Server.NotAfter:u}");

            using var server = DemoServer.Start(pki);
            SslContext client = ClientContext(pki);
            output.WriteLine($"server listening on {server.EndPoint}");

            ConnectionReport full = Connect(client, server);
            Print(output, "connection 1: full handshake", full);

            SslSession session = full.Session ?? throw new InvalidOperationException("the server sent no session ticket");
            ConnectionReport resumed = Connect(client, server, session);
            Print(output, "connection 2: resumed handshake (offers the session from connection 1)", resumed);
            if (!resumed.SessionReused)
            {
                throw new InvalidOperationException("the server did not resume the session from connection 1");
            }

            output.WriteLine();
            output.WriteLine("demo: ok");
            return 0;
        }
        catch (Exception e) when (e is SslException or IOException or SocketException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            output.WriteLine($"demo FAILED: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>What one connection negotiated, from the client's side (the server's view was checked to be the same), and the data exchanged.</summary>
    internal sealed record ConnectionReport(
        string Version,
        string CipherSuite,
        int SecretBits,
        string? Group,
        string? SignatureScheme,
        string? Alpn,
        string PeerSubject,
        bool SessionReused,
        string Sent,
        string Received,
        TimeSpan HandshakeTime,
        SslSession? Session);

    /// <summary>The client context: Python's TLS client defaults (certificate required, host name checked), the demo CA as the only trust anchor, ALPN.</summary>
    private static SslContext ClientContext(DemoPki pki)
    {
        var context = new SslContext(SslProtocol.TlsClient);
        context.LoadVerifyLocations(cadata: pki.Ca.CertificatePem);
        context.SetAlpnProtocols(ClientAlpn);
        if (context.VerifyMode != VerifyMode.CertRequired || !context.CheckHostname)
        {
            throw new InvalidOperationException("the client context must verify the certificate and the host name");
        }

        return context;
    }

    /// <summary>
    /// One connection: the server accepts and serves it on a worker thread while the client connects, completes the handshake,
    /// sends a line, reads the answer and closes with close_notify; then both sides' views of the negotiation are compared.
    /// </summary>
    private static ConnectionReport Connect(SslContext clientContext, DemoServer server, SslSession? session = null)
    {
        Task<ServerView> served = server.ServeOneAsync();
        ConnectionReport report;
        using (Socket tcp = NewSocket())
        {
            tcp.Connect(server.EndPoint);
            var clock = Stopwatch.StartNew();
            SslSocket tls = clientContext.WrapSocket(tcp, serverHostname: ServerName, session: session);
            TimeSpan handshakeTime = clock.Elapsed;
            try
            {
                string sent = $"hello from the client over {tls.Version()}";
                WriteLine(tls, sent);
                string received = ReadLine(tls);
                (string name, _, int bits) = tls.Cipher() ?? throw new InvalidOperationException("no cipher suite after the handshake");
                report = new ConnectionReport(
                    tls.Version() ?? throw new InvalidOperationException("no version after the handshake"),
                    name,
                    bits,
                    tls.Group(),
                    tls.SignatureScheme(),
                    tls.SelectedAlpnProtocol(),
                    Subject(tls.GetPeerCert()),
                    tls.SessionReused,
                    sent,
                    received,
                    handshakeTime,
                    tls.Session);
                tls.Unwrap();
            }
            finally
            {
                tls.Dispose();
            }
        }

        ServerView view = DemoServer.Wait(served);
        if (view.Version != report.Version || view.CipherSuite != report.CipherSuite || view.Group != report.Group
            || view.SignatureScheme != report.SignatureScheme || view.Alpn != report.Alpn
            || view.SessionReused != report.SessionReused)
        {
            throw new InvalidOperationException($"client and server disagree: client {report}, server {view}");
        }

        if (view.Heard != report.Sent)
        {
            throw new InvalidOperationException($"the server received \"{view.Heard}\" instead of \"{report.Sent}\"");
        }

        return report;
    }

    private static void Print(TextWriter output, string title, ConnectionReport r)
    {
        output.WriteLine();
        output.WriteLine(title);
        output.WriteLine($"  version:            {r.Version}");
        output.WriteLine($"  cipher suite:       {r.CipherSuite} ({r.SecretBits}-bit key)");
        output.WriteLine($"  group:              {r.Group ?? "none"}");
        output.WriteLine($"  signature scheme:   {r.SignatureScheme ?? (r.SessionReused ? "none (resumed: the session's key authenticates the server)" : "none")}");
        output.WriteLine($"  ALPN:               {r.Alpn ?? "none"}");
        output.WriteLine($"  verified peer:      {r.PeerSubject} (chain to the throwaway CA and host name {ServerName} checked)");
        output.WriteLine($"  session reused:     {(r.SessionReused ? "yes" : "no")}");
        output.WriteLine($"  client -> server:   \"{r.Sent}\"");
        output.WriteLine($"  server -> client:   \"{r.Received}\"");
        output.WriteLine($"  handshake time:     {r.HandshakeTime.TotalMilliseconds:F1} ms{(r.SessionReused ? "" : " (a first connection includes compiling the code it runs)")}");
        output.WriteLine("  client and server agree on version, suite, group, signature scheme, ALPN and reuse");
    }

    /// <summary>The subject of Python's <c>getpeercert()</c> dictionary as <c>organizationName=..., commonName=...</c>.</summary>
    private static string Subject(object? peerCert)
    {
        if (peerCert is not IReadOnlyDictionary<string, object> dict || !dict.TryGetValue("subject", out object? subject)
            || subject is not IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> rdns)
        {
            throw new InvalidOperationException("the client has no verified peer certificate");
        }

        return string.Join(", ", rdns.SelectMany(r => r).Select(kv => $"{kv.Key}={kv.Value}"));
    }

    private static string KeyName(CertificateKeyAlgorithm algorithm) => algorithm switch
    {
        CertificateKeyAlgorithm.EcdsaP256 => "ECDSA P-256",
        CertificateKeyAlgorithm.EcdsaP384 => "ECDSA P-384",
        _ => algorithm.ToString(),
    };

    private static Socket NewSocket() =>
        new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = TimeoutMilliseconds,
            SendTimeout = TimeoutMilliseconds,
        };

    private static void WriteLine(SslSocket tls, string line) => tls.SendAll(Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>Reads one line (without its LF); the demo's messages are short, so a longer one is an error.</summary>
    private static string ReadLine(SslSocket tls)
    {
        var line = new List<byte>();
        while (true)
        {
            byte[] chunk = tls.Read(MaxLineLength);
            if (chunk.Length == 0)
            {
                throw new IOException("the peer closed the connection before the end of the line");
            }

            line.AddRange(chunk);
            int end = line.IndexOf((byte)'\n');
            if (end >= 0)
            {
                if (end != line.Count - 1)
                {
                    throw new InvalidOperationException("the peer sent more than one line");
                }

                return Encoding.UTF8.GetString(line.ToArray(), 0, end);
            }

            if (line.Count > MaxLineLength)
            {
                throw new InvalidOperationException("the peer's line is too long");
            }
        }
    }

    /// <summary>The server side of one connection as it saw it.</summary>
    private sealed record ServerView(string Heard, string? Version, string CipherSuite, string? Group, string? SignatureScheme, string? Alpn, bool SessionReused);

    /// <summary>A throwaway CA and a server certificate it signed, both with fresh ECDSA P-256 keys.</summary>
    private sealed record DemoPki(GeneratedCertificate Ca, GeneratedCertificate Server)
    {
        public static DemoPki Create()
        {
            var builder = new CertificateBuilder { Organization = "ManagedTls demo", Validity = TimeSpan.FromDays(1) };
            GeneratedCertificate ca = builder.CreateCertificateAuthority("ManagedTls demo CA");
            GeneratedCertificate server = builder.CreateLeaf(ca, ServerName, [ServerName], [IPAddress.Loopback], CertificateUsages.ServerAuth);
            return new DemoPki(ca, server);
        }
    }

    /// <summary>The server: a loopback listener and a server context holding the demo certificate; serves one connection per call.</summary>
    private sealed class DemoServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly SslContext _context;

        private DemoServer(TcpListener listener, SslContext context)
        {
            _listener = listener;
            _context = context;
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

        /// <summary>Loads the certificate and key through PEM files in a private temporary directory, deleted at once, and starts listening.</summary>
        public static DemoServer Start(DemoPki pki)
        {
            var context = new SslContext(SslProtocol.TlsServer);
            DirectoryInfo directory = Directory.CreateTempSubdirectory("managedtls-demo-");
            try
            {
                string certFile = Path.Combine(directory.FullName, "server.pem");
                string keyFile = Path.Combine(directory.FullName, "server.key");
                File.WriteAllText(certFile, pki.Server.CertificatePem);
                File.WriteAllText(keyFile, pki.Server.Key.ExportPkcs8Pem());
                context.LoadCertChain(certFile, keyFile);
            }
            finally
            {
                directory.Delete(recursive: true);
            }

            context.SetAlpnProtocols(ServerAlpn);
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new DemoServer(listener, context);
        }

        /// <summary>Accepts one connection, completes the handshake, answers one line and closes with close_notify.</summary>
        public Task<ServerView> ServeOneAsync() => Task.Run(async () =>
        {
            using var cancel = new CancellationTokenSource(TimeoutMilliseconds);
            using Socket tcp = await _listener.AcceptSocketAsync(cancel.Token).ConfigureAwait(false);
            tcp.NoDelay = true;
            tcp.ReceiveTimeout = tcp.SendTimeout = TimeoutMilliseconds;
            using SslSocket tls = _context.WrapSocket(tcp, serverSide: true);
            string heard = ReadLine(tls);
            (string name, _, _) = tls.Cipher() ?? throw new InvalidOperationException("no cipher suite after the handshake");
            var view = new ServerView(heard, tls.Version(), name, tls.Group(), tls.SignatureScheme(), tls.SelectedAlpnProtocol(), tls.SessionReused);
            WriteLine(tls, $"hello from the server, which read {Encoding.UTF8.GetByteCount(heard) + 1} bytes");
            tls.Unwrap();
            return view;
        });

        /// <summary>The server side's result, or its failure; at most the demo's timeout.</summary>
        public static ServerView Wait(Task<ServerView> served) =>
            Task.WhenAny(served, Task.Delay(TimeoutMilliseconds)).GetAwaiter().GetResult() == served
                ? served.GetAwaiter().GetResult()
                : throw new TimeoutException("the server side did not finish in time");

        public void Dispose() => _listener.Stop();
    }
}
