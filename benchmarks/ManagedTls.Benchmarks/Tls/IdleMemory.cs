using ManagedTls.Ssl;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// Managed memory an idle established connection keeps: <c>idle [pairs] [1.2|1.3] [holdSeconds]</c> makes that many
/// in-memory pairs (<see cref="SslObject"/> over <see cref="MemoryBio"/>, both ends; handshake, one small exchange each
/// way, then nothing), and prints the growth of <see cref="GC.GetTotalMemory"/> after full collections per side. With
/// <c>holdSeconds</c> it then keeps the pairs alive that long (for a heap snapshot with <c>dotnet-gcdump</c>).
/// <c>idle [pairs] sslstream</c> (or <c>sslstream12</c>) measures .NET's SslStream the same way, over in-memory
/// duplex streams, and <c>idle [pairs] tlsstream</c> (or <c>tlsstream12</c>) ManagedTls's <see cref="TlsStream"/> over the same.
/// </summary>
internal static class IdleMemory
{
    /// <summary>Runs the measurement.</summary>
    public static void Run(string[] args)
    {
        int pairs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        TlsVersion maximum = args.Length > 1 && args[1] == "1.2" ? TlsVersion.TlsV1_2 : TlsVersion.TlsV1_3;
        int hold = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (args.Length > 1 && args[1].StartsWith("tlsstream", StringComparison.Ordinal))
        {
            RunTlsStream(pairs, args[1] == "tlsstream12" ? TlsVersion.TlsV1_2 : TlsVersion.TlsV1_3);
            return;
        }

        if (args.Length > 1 && args[1].StartsWith("sslstream", StringComparison.Ordinal))
        {
            RunSslStream(pairs, args[1] == "sslstream12" ? System.Security.Authentication.SslProtocols.Tls12 : System.Security.Authentication.SslProtocols.Tls13);
            return;
        }

        SslContext client = FacadePeers.Client(maximum, null);
        SslContext server = FacadePeers.Server(ServerKey.EcdsaP256, maximum, null, tickets: 2);

        Dispose(Make(client, server, 16));
        long before = Measure();
        List<Pair> live = Make(client, server, pairs);
        long after = Measure();
        Console.WriteLine($"{live[0].Version} {pairs} idle pairs: {(after - before) / (2L * pairs)} bytes retained per side (GC.GetTotalMemory {before} -> {after})");
        if (hold > 0)
        {
            Console.WriteLine($"holding for {hold} s, pid {Environment.ProcessId}");
            Thread.Sleep(hold * 1000);
        }

        GC.KeepAlive(live);
        Dispose(live);
    }

    // ManagedTls's TlsStream over the same in-memory duplex streams as SslStream below: the engine, the channel and
    // whatever buffers it keeps while idle.
    private static void RunTlsStream(int count, TlsVersion maximum)
    {
        SslContext client = FacadePeers.Client(maximum, null);
        SslContext server = FacadePeers.Server(ServerKey.EcdsaP256, maximum, null, tickets: 2);
        foreach (var warm in MakeTlsStreams(client, server, 16))
        {
            warm.Client.Dispose();
            warm.Server.Dispose();
        }

        long before = Measure();
        var live = MakeTlsStreams(client, server, count);
        long after = Measure();
        Console.WriteLine($"TlsStream {live[0].Client.Ssl!.Version()} {count} idle pairs: {(after - before) / (2L * count)} bytes retained per side (GC.GetTotalMemory {before} -> {after})");
        GC.KeepAlive(live);
        foreach (var pair in live)
        {
            pair.Client.Dispose();
            pair.Server.Dispose();
        }
    }

    private static List<(TlsStream Client, TlsStream Server)> MakeTlsStreams(SslContext clientContext, SslContext serverContext, int count)
    {
        var list = new List<(TlsStream, TlsStream)>(count);
        byte[] buffer = new byte[16];
        for (int i = 0; i < count; i++)
        {
            (DuplexStream a, DuplexStream b) = DuplexStream.CreatePair();
            var client = new TlsStream(a, clientContext);
            var server = new TlsStream(b, serverContext);
            Task.WaitAll(client.AuthenticateAsClientAsync(BenchPki.HostName), server.AuthenticateAsServerAsync());
            client.Write("ping"u8);
            ReadExactly(server, buffer, "ping");
            server.Write("pong"u8);
            ReadExactly(client, buffer, "pong");
            list.Add((client, server));
        }

        return list;
    }

    private static void RunSslStream(int count, System.Security.Authentication.SslProtocols protocols)
    {
        System.Net.Security.SslClientAuthenticationOptions client = SslStreamPeers.Client(null, allowResume: false, protocols);
        System.Net.Security.SslServerAuthenticationOptions server = SslStreamPeers.Server(ServerKey.EcdsaP256, null, allowResume: false, protocols);
        foreach (var warm in MakeSslStreams(client, server, 16))
        {
            warm.Client.Dispose();
            warm.Server.Dispose();
        }

        long before = Measure();
        var live = MakeSslStreams(client, server, count);
        long after = Measure();
        Console.WriteLine($"SslStream {live[0].Client.SslProtocol} {count} idle pairs: {(after - before) / (2L * count)} bytes retained per side (GC.GetTotalMemory {before} -> {after})");
        GC.KeepAlive(live);
        foreach (var pair in live)
        {
            pair.Client.Dispose();
            pair.Server.Dispose();
        }
    }

    private static List<(System.Net.Security.SslStream Client, System.Net.Security.SslStream Server)> MakeSslStreams(
        System.Net.Security.SslClientAuthenticationOptions clientOptions, System.Net.Security.SslServerAuthenticationOptions serverOptions, int count)
    {
        var list = new List<(System.Net.Security.SslStream, System.Net.Security.SslStream)>(count);
        byte[] buffer = new byte[16];
        for (int i = 0; i < count; i++)
        {
            (DuplexStream a, DuplexStream b) = DuplexStream.CreatePair();
            var client = new System.Net.Security.SslStream(a);
            var server = new System.Net.Security.SslStream(b);
            Task.WaitAll(client.AuthenticateAsClientAsync(clientOptions), server.AuthenticateAsServerAsync(serverOptions));
            client.Write("ping"u8);
            client.Flush();
            ReadExactly(server, buffer, "ping");
            server.Write("pong"u8);
            server.Flush();
            ReadExactly(client, buffer, "pong");
            list.Add((client, server));
        }

        return list;
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string expected)
    {
        int got = 0;
        while (got < expected.Length)
        {
            int n = stream.Read(buffer, got, expected.Length - got);
            if (n == 0)
            {
                throw new InvalidOperationException("end of stream");
            }

            got += n;
        }

        if (System.Text.Encoding.ASCII.GetString(buffer, 0, got) != expected)
        {
            throw new InvalidOperationException($"expected {expected}");
        }
    }

    private static long Measure()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static List<Pair> Make(SslContext client, SslContext server, int count)
    {
        var list = new List<Pair>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(new Pair(client, server));
        }

        return list;
    }

    private static void Dispose(List<Pair> pairs)
    {
        foreach (Pair pair in pairs)
        {
            pair.Dispose();
        }
    }

    /// <summary>One established idle pair over four queues (no buffer of its own).</summary>
    private sealed class Pair : IDisposable
    {
        private readonly MemoryBio _ci = new(), _co = new(), _si = new(), _so = new();
        private readonly SslObject _client, _server;

        public Pair(SslContext client, SslContext server)
        {
            _client = client.WrapBio(_ci, _co, serverHostname: BenchPki.HostName);
            _server = server.WrapBio(_si, _so, serverSide: true);
            for (int round = 0; round < 6 && !(_client.IsHandshakeComplete && _server.IsHandshakeComplete); round++)
            {
                Step(_client);
                Move(_co, _si);
                Step(_server);
                Move(_so, _ci);
            }

            _client.Write("ping"u8);
            Move(_co, _si);
            Check(_server.Read(16), "ping");
            _server.Write("pong"u8);
            Move(_so, _ci);
            Check(_client.Read(16), "pong");
        }

        public string? Version => _client.Version();

        public void Dispose()
        {
            _client.Dispose();
            _server.Dispose();
        }

        private static void Check(byte[] got, string expected)
        {
            if (System.Text.Encoding.ASCII.GetString(got) != expected)
            {
                throw new InvalidOperationException($"expected {expected}");
            }
        }

        private static void Step(SslObject side)
        {
            try
            {
                side.DoHandshake();
            }
            catch (SslWantReadException)
            {
                // Waits for the peer's flight.
            }
        }

        private static void Move(MemoryBio from, MemoryBio to)
        {
            Span<byte> chunk = stackalloc byte[4096];
            int n;
            while ((n = from.Read(chunk)) > 0)
            {
                to.Write(chunk.Slice(0, n));
            }
        }
    }
}
