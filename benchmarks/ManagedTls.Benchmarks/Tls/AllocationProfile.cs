using System.Diagnostics.Tracing;
using ManagedTls.Ssl;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// <c>allocs [n] [row]</c>: what a facade handshake pair allocates, by type. Runs n handshake pairs of a floor row
/// (<see cref="FloorRow"/>) with the runtime's allocation sampling on (an event every ~100 KB allocated, naming the type
/// of the object that crossed the mark) and prints the types by sampled bytes, beside the allocation per pair of each
/// step of the handshake (wrap_bio, each do_handshake call) and of the floor.
/// </summary>
internal static class AllocationProfile
{
    public static void Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 500;
        FloorRow row = args.Length > 1 ? Enum.Parse<FloorRow>(args[1]) : FloorRow.FullEcdsaP256;
        SslContext client = HandshakeFloor.ClientContext(row);
        SslContext server = HandshakeFloor.ServerContext(row);
        SslSession? session = null;
        if (row == FloorRow.Resumed)
        {
            using var first = new FacadePeers.Pair(client, server);
            first.Handshake();
            first.OneByteToClient();
            session = first.Client.Session;
        }

        HandshakeFloor floor = HandshakeFloor.Create(row, client, server, session);
        for (int i = 0; i < 20; i++)
        {
            session = One(client, server, session, null);
            floor.Run();
        }

        long floorBytes = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < n; i++)
        {
            floor.Run();
        }

        floorBytes = (GC.GetAllocatedBytesForCurrentThread() - floorBytes) / n;
        var steps = new long[8];
        using var listener = new Sampler();
        long total = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < n; i++)
        {
            session = One(client, server, session, steps);
        }

        total = (GC.GetAllocatedBytesForCurrentThread() - total) / n;
        Console.WriteLine($"{row}: {total} B per facade pair, floor {floorBytes} B, above the floor {total - floorBytes} B");
        string[] names = ["WrapBio x2", "client do_handshake 1", "server do_handshake 1", "client do_handshake 2", "server do_handshake 2", "rest (moves, one byte, dispose)"];
        for (int j = 0; j < names.Length; j++)
        {
            Console.WriteLine($"  {names[j],-34} {steps[j] / n,10} B");
        }

        foreach (ManagedTls.Crypto.CryptoOperationKind kind in Enum.GetValues<ManagedTls.Crypto.CryptoOperationKind>())
        {
            Parts("floor: " + kind + (kind == ManagedTls.Crypto.CryptoOperationKind.KeyGeneration ? "" : " (+ key generations)"), n, () => floor.Run(o => o.Kind == kind));
        }

        Parts("MemoryBio", n, () => new MemoryBio());
        Parts("WrapBio client (+ dispose)", n, () => { using SslObject o = client.WrapBio(new MemoryBio(), new MemoryBio(), false, BenchPki.HostName, session); return o; });
        Parts("WrapBio server (+ dispose)", n, () => { using SslObject o = server.WrapBio(new MemoryBio(), new MemoryBio(), true); return o; });
        Parts("client Freeze", n, () => client.Freeze(false));
        Parts("server Freeze", n, () => server.Freeze(true));
        Parts("TlsConnection.CreateServer", n, () => { using var c = ManagedTls.Connection.TlsConnection.CreateServer(server.Freeze(true)); return c; });
        Parts("TlsConnection.CreateClient", n, () => { using var c = ManagedTls.Connection.TlsConnection.CreateClient(client.Freeze(false) with { ServerName = BenchPki.HostName }); return c; });
        BenchLeaf leaf = BenchPki.Leaf(HandshakeFloor.KeyOf(row));
        var trust = new ManagedTls.X509.TrustStore([BenchPki.RootDer]);
        var issuer = ManagedTls.X509.Validation.Cert.Parse(BenchPki.RootDer);
        Parts("Cert.Parse(leaf)", n, () => ManagedTls.X509.Validation.Cert.Parse(leaf.Der));
        Parts("CertificatePublicKey.FromCertificate(leaf)", n, () => ManagedTls.X509.CertificatePublicKey.FromCertificate(leaf.Der));
        Parts("leaf signature check alone", n, () =>
        {
            var c = ManagedTls.X509.Validation.Cert.Parse(leaf.Der);
            return ManagedTls.X509.Validation.SignatureCheck.Verify(c.SignatureAlgorithm, c.TbsDer, c.Signature, issuer, 0, out _);
        });
        Parts("CertificateVerifier.Verify as the handshake", n, () => ManagedTls.X509.CertificateVerifier.Verify(new ManagedTls.X509.VerifyRequest
        {
            PeerChain = [leaf.Der],
            Trust = trust,
            Time = DateTimeOffset.UtcNow,
            Purpose = ManagedTls.X509.VerifyPurpose.ServerAuth,
            ExpectedName = ManagedTls.X509.PeerName.Dns(BenchPki.HostName),
            Flags = ManagedTls.X509.VerifyFlags.VerifyX509TrustedFirst,
            HostnameChecksCommonName = true,
            RequiredLeafKeyUsage = ManagedTls.X509.VerifyRequest.KeyUsageDigitalSignature,
        }));
        long start = GC.GetAllocatedBytesForCurrentThread();
        IReadOnlyList<ManagedTls.Crypto.CryptoOperation> ops = HandshakeFloor.Record(client, server, session, out SslSession? nextSession);
        session = nextSession ?? session;
        Console.WriteLine("Allocated before each operation of one pair (since the previous one; the previous operation's own allocation included):");
        long last = start;
        foreach (ManagedTls.Crypto.CryptoOperation op in ops)
        {
            Console.WriteLine($"  {op.AllocatedBefore - last,8} B  then {op}");
            last = op.AllocatedBefore;
        }

        Console.WriteLine($"  {GC.GetAllocatedBytesForCurrentThread() - last,8} B  to the end (the rest of the handshake, the pair's disposal, the log's end)");
        Console.WriteLine("Sampled types (bytes ~ samples x 100 KB, per pair):");
        foreach ((string type, long bytes) in listener.ByType.OrderByDescending(kv => kv.Value).Take(40))
        {
            Console.WriteLine($"  {bytes / n,10} B  {type}");
        }
    }

    private static void Parts(string name, int n, Func<object?> action)
    {
        for (int i = 0; i < 5; i++)
        {
            action();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < n; i++)
        {
            action();
        }

        Console.WriteLine($"  {name,-50} {(GC.GetAllocatedBytesForCurrentThread() - before) / n,10} B");
    }

    private static SslSession? One(SslContext client, SslContext server, SslSession? session, long[]? steps)
    {
        long t = GC.GetAllocatedBytesForCurrentThread();
        void Mark(int step)
        {
            if (steps is not null)
            {
                long now = GC.GetAllocatedBytesForCurrentThread();
                steps[step] += now - t;
                t = now;
            }
        }

        var pair = new FacadePeers.Pair(client, server, session);
        Mark(0);
        Try(pair.Client);
        Mark(1);
        pair.MoveClientToServer();
        Mark(5);
        Try(pair.Server);
        Mark(2);
        pair.MoveServerToClient();
        Mark(5);
        Try(pair.Client);
        Mark(3);
        pair.MoveClientToServer();
        Mark(5);
        Try(pair.Server);
        Mark(4);
        pair.MoveServerToClient();
        if (!pair.Client.IsHandshakeComplete || !pair.Server.IsHandshakeComplete)
        {
            throw new InvalidOperationException("incomplete");
        }

        if (session is not null)
        {
            pair.OneByteToClient();
            session = pair.Client.Session;
        }

        pair.Dispose();
        Mark(5);
        return session;
    }

    private static void Try(SslObject ssl)
    {
        try
        {
            ssl.DoHandshake();
        }
        catch (SslWantReadException)
        {
        }
    }

    private sealed class Sampler : EventListener
    {
        public Dictionary<string, long> ByType { get; } = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is not null && e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) && e.Payload is { } payload)
            {
                int i = e.PayloadNames!.IndexOf("TypeName");
                string type = i >= 0 ? payload[i]?.ToString() ?? "?" : "?";
                int a = e.PayloadNames.IndexOf("AllocationAmount64");
                long amount = a >= 0 ? Convert.ToInt64(payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
                lock (ByType)
                {
                    ByType[type] = ByType.GetValueOrDefault(type) + amount;
                }
            }
        }
    }
}
