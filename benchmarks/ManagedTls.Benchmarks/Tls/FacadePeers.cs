using ManagedTls.Ssl;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// ManagedTls through its public facade, as a Python program would drive <c>ssl</c>: one <see cref="SslContext"/> per side
/// (made once, as an application makes it once), and per connection an <see cref="SslObject"/> over two
/// <see cref="MemoryBio"/> queues, both ends on the calling thread. The contexts load the benchmark certificates from PEM
/// files (<see cref="SslContext.LoadCertChain"/> and <see cref="SslContext.LoadVerifyLocations"/> take paths and read
/// them at once), written to a temporary directory that is removed as soon as they are loaded.
/// </summary>
internal static class FacadePeers
{

    /// <summary>
    /// A client context: certificates required and the host name checked (Python's <c>PROTOCOL_TLS_CLIENT</c> defaults),
    /// the benchmark CA as the only trust anchor, the given highest version and cipher string. Groups: x25519 alone for
    /// TLS 1.3 (one key share); x25519 then P-256 for TLS 1.2, since a TLS 1.2 server may use an ECDSA certificate only on
    /// a curve the client lists (RFC 8422 section 5.1; OpenSSL and ManagedTls both enforce it), while the ECDHE key
    /// exchange is still x25519.
    /// </summary>
    public static SslContext Client(TlsVersion maximum, string? tls12Ciphers)
    {
        var context = new SslContext(SslProtocol.TlsClient);
        WithPem(("ca.pem", BenchPki.RootPem), dir => context.LoadVerifyLocations(cafile: Path.Combine(dir, "ca.pem")));
        context.SetGroups(maximum == TlsVersion.TlsV1_2 ? "X25519:P-256" : "X25519");
        context.MaximumVersion = maximum;
        if (tls12Ciphers is not null)
        {
            context.SetCiphers(tls12Ciphers);
        }

        return context;
    }

    /// <summary>A server context with the benchmark leaf of <paramref name="key"/>, groups as the client's, the given tickets per TLS 1.3 connection.</summary>
    public static SslContext Server(ServerKey key, TlsVersion maximum, string? tls12Ciphers, int tickets)
    {
        var context = new SslContext(SslProtocol.TlsServer);
        BenchLeaf leaf = BenchPki.Leaf(key);
        WithPem(("cert.pem", leaf.CertPem), dir => context.LoadCertChain(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem")), ("key.pem", leaf.KeyPem));
        context.SetGroups(maximum == TlsVersion.TlsV1_2 ? "X25519:P-256" : "X25519");
        context.MaximumVersion = maximum;
        context.NumTickets = tickets;
        if (tls12Ciphers is not null)
        {
            context.SetCiphers(tls12Ciphers);
        }

        return context;
    }

    /// <summary>A connected pair: both <see cref="SslObject"/>s and their four queues.</summary>
    public sealed class Pair : IDisposable
    {
        // The queues' bytes are moved through one buffer per thread: a buffer per pair would count 64 KiB of the
        // harness's own into every handshake's allocation.
        [ThreadStatic]
        private static byte[]? t_buffer;

        private readonly byte[] _buffer = t_buffer ??= new byte[64 * 1024];

        /// <summary>Wraps a client and a server over fresh queues (nothing is sent yet).</summary>
        public Pair(SslContext clientContext, SslContext serverContext, SslSession? session = null)
        {
            Client = clientContext.WrapBio(ClientIn, ClientOut, serverSide: false, serverHostname: BenchPki.HostName, session: session);
            Server = serverContext.WrapBio(ServerIn, ServerOut, serverSide: true);
        }

        /// <summary>Bytes from the server to the client.</summary>
        public MemoryBio ClientIn { get; } = new();

        /// <summary>Bytes from the client to the server.</summary>
        public MemoryBio ClientOut { get; } = new();

        /// <summary>Bytes from the client, as the server reads them.</summary>
        public MemoryBio ServerIn { get; } = new();

        /// <summary>Bytes from the server, as the server writes them.</summary>
        public MemoryBio ServerOut { get; } = new();

        /// <summary>The client end.</summary>
        public SslObject Client { get; }

        /// <summary>The server end.</summary>
        public SslObject Server { get; }

        /// <summary>
        /// Python's loop: <c>do_handshake()</c> on each side until neither raises <c>SSLWantReadError</c>, moving the
        /// queues' bytes across after each call. Returns the bytes moved.
        /// </summary>
        public int Handshake()
        {
            int moved = 0;
            bool clientDone = false;
            bool serverDone = false;
            for (int round = 0; round < 16; round++)
            {
                clientDone = clientDone || Step(Client);
                moved += MoveClientToServer();
                serverDone = serverDone || Step(Server);
                moved += MoveServerToClient();
                if (clientDone && serverDone && ClientOut.Pending == 0)
                {
                    return moved;
                }
            }

            throw new InvalidOperationException("the facade handshake did not complete");
        }

        /// <summary>
        /// One byte from the server to the client, read by the client: after a TLS 1.3 handshake this carries the
        /// server's tickets to the client, which takes them in on the read. Returns the bytes moved.
        /// </summary>
        public int OneByteToClient()
        {
            Server.Write(_buffer.AsSpan(0, 1));
            int moved = MoveServerToClient();
            if (Client.Read(_buffer.AsSpan(0, 1)) != 1)
            {
                throw new InvalidOperationException("the byte did not arrive");
            }

            return moved;
        }

        /// <summary>Moves what the client queued to the server's incoming queue.</summary>
        public int MoveClientToServer() => Move(ClientOut, ServerIn);

        /// <summary>Moves what the server queued to the client's incoming queue.</summary>
        public int MoveServerToClient() => Move(ServerOut, ClientIn);

        /// <inheritdoc/>
        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
        }

        private static bool Step(SslObject ssl)
        {
            try
            {
                ssl.DoHandshake();
                return true;
            }
            catch (SslWantReadException)
            {
                return false;
            }
        }

        private int Move(MemoryBio from, MemoryBio to)
        {
            int total = 0;
            int n;
            while ((n = from.Read(_buffer)) > 0)
            {
                to.Write(_buffer.AsSpan(0, n));
                total += n;
            }

            return total;
        }
    }

    // Writes the files to a fresh temporary directory, runs the loader and removes the directory again.
    private static void WithPem((string Name, string Text) first, Action<string> load, params (string Name, string Text)[] more)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mtls-bench-facade-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            foreach ((string name, string text) in more.Prepend(first))
            {
                File.WriteAllText(Path.Combine(dir, name), text);
            }

            load(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
