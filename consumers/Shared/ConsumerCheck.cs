using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using ManagedTls.Ssl;
using ManagedTls.X509.Builder;

namespace ManagedTls.Consumers;

/// <summary>
/// What every consumer does with the installed package: makes a CA and a server certificate, writes them and the
/// server's key as PEM files, loads them back (<c>LoadCertChain</c>, <c>LoadVerifyLocations</c>), runs a verified
/// handshake between a client and a server <see cref="SslObject"/> over memory BIOs and sends data both ways. It then
/// reports which builds of ManagedTls and BouncyCastle the runtime loaded and fails unless they are the expected ones.
/// With <c>--bulk MIB</c> it also measures one-way bulk throughput and allocation per 16 KiB record.
/// </summary>
/// <remarks>
/// Arguments: <c>--name N --expect-managedtls FRAMEWORK --expect-bouncycastle FRAMEWORK [--bulk MIB]</c>, a framework
/// as the assembly's TargetFrameworkAttribute names it (<c>.NETStandard,Version=v2.0</c>). Exit code 0 only when
/// everything held; the last line is <c>NAME: ok</c> or <c>NAME: FAILED ...</c>.
/// </remarks>
public static class ConsumerCheck
{
    private const int RecordSize = 16384;

    public static int Run(string[] args)
    {
        string name = Arg(args, "--name") ?? "consumer";
        try
        {
            Check(name, args);
            Console.WriteLine($"{name}: ok");
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine($"{name}: FAILED {e}");
            return 1;
        }
    }

    private static void Check(string name, string[] args)
    {
        string dir = Path.Combine(Path.GetTempPath(), "managedtls-consumer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var builder = new CertificateBuilder { Organization = "ManagedTls consumer", Validity = TimeSpan.FromDays(1) };
            GeneratedCertificate ca = builder.CreateCertificateAuthority("ManagedTls consumer CA");
            GeneratedCertificate leaf = builder.CreateLeaf(ca, "localhost", dnsNames: new[] { "localhost" });
            string caFile = Path.Combine(dir, "ca.pem"), certFile = Path.Combine(dir, "cert.pem"), keyFile = Path.Combine(dir, "key.pem");
            File.WriteAllText(caFile, ca.CertificatePem);
            File.WriteAllText(certFile, leaf.CertificatePem);
            File.WriteAllText(keyFile, leaf.Key.ExportPkcs8Pem());

            var server = new SslContext(SslProtocol.TlsServer);
            server.LoadCertChain(certFile, keyFile);
            var client = new SslContext(SslProtocol.TlsClient);
            client.LoadVerifyLocations(cafile: caFile);

            var pair = new Pair(client, server);
            pair.Handshake();
            pair.Client.Write(Encoding.ASCII.GetBytes("ping"));
            pair.Flush();
            Expect(Encoding.ASCII.GetString(pair.Server.Read(16)) == "ping", "the server did not read the client's data");
            pair.Server.Write(Encoding.ASCII.GetBytes("pong"));
            pair.Flush();
            Expect(Encoding.ASCII.GetString(pair.Client.Read(16)) == "pong", "the client did not read the server's data");
            var cipher = pair.Client.Cipher();
            Console.WriteLine($"{name}: handshake {pair.Client.Version()} {cipher?.Name}, server certificate verified for localhost, data both ways");

            Assembly tls = typeof(SslContext).Assembly;
            Assembly bc = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "BouncyCastle.Cryptography");
            string tlsBuild = Build(tls), bcBuild = Build(bc);
            Console.WriteLine($"{name}: runtime {RuntimeInformation.FrameworkDescription}; ManagedTls {tls.GetName().Version} built for {tlsBuild}; BouncyCastle {bc.GetName().Version} built for {bcBuild}");
            string? expectTls = Arg(args, "--expect-managedtls"), expectBc = Arg(args, "--expect-bouncycastle");
            Expect(expectTls is null || expectTls == tlsBuild, $"expected ManagedTls built for {expectTls}, loaded {tlsBuild} from {tls.Location}");
            Expect(expectBc is null || expectBc == bcBuild, $"expected BouncyCastle built for {expectBc}, loaded {bcBuild} from {bc.Location}");

            string? bulk = Arg(args, "--bulk");
            if (bulk is not null)
            {
                Bulk(name, pair, int.Parse(bulk, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // One way, client to server, in full records, on this thread; the allocation counter covers both ends.
    private static void Bulk(string name, Pair pair, int mebibytes)
    {
        byte[] chunk = new byte[RecordSize];
        for (int i = 0; i < chunk.Length; i++)
        {
            chunk[i] = (byte)(i % 251);
        }

        byte[] received = new byte[RecordSize];
        Transfer(pair, chunk, received, 64); // warm-up: JIT and buffers
        int records = mebibytes * 64;
        MethodInfo? allocated = typeof(GC).GetMethod("GetAllocatedBytesForCurrentThread", Type.EmptyTypes);
        long before = allocated is null ? 0 : (long)allocated.Invoke(null, null)!;
        var clock = Stopwatch.StartNew();
        Transfer(pair, chunk, received, records);
        clock.Stop();
        long after = allocated is null ? 0 : (long)allocated.Invoke(null, null)!;
        double bytes = (double)records * RecordSize;
        string perRecord = allocated is null ? "n/a" : ((after - before) / (double)records).ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + " B";
        Console.WriteLine(string.Format(
            System.Globalization.CultureInfo.InvariantCulture,
            "{0}: bulk {1} MiB in {2:F2} s: {3:F1} MB/s, {4} allocated per 16 KiB record (both ends), {5}",
            name, mebibytes, clock.Elapsed.TotalSeconds, bytes / 1e6 / clock.Elapsed.TotalSeconds, perRecord, pair.Client.Cipher()?.Name));
    }

    private static void Transfer(Pair pair, byte[] chunk, byte[] received, int records)
    {
        for (int r = 0; r < records; r++)
        {
            pair.Client.Write(chunk);
            pair.Flush();
            int got = 0;
            while (got < RecordSize)
            {
                int n = pair.Server.Read(received.AsSpan(got));
                Expect(n > 0, "the server read nothing");
                got += n;
            }

            Expect(received[r % RecordSize] == chunk[r % RecordSize] && received[RecordSize - 1] == chunk[RecordSize - 1], "bulk data differs");
        }
    }

    private static string Build(Assembly assembly) =>
        assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName ?? "(no TargetFrameworkAttribute)";

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    /// <summary>A client and a server <see cref="SslObject"/> joined by memory BIOs.</summary>
    private sealed class Pair
    {
        private readonly MemoryBio _clientIn = new(), _clientOut = new(), _serverIn = new(), _serverOut = new();
        private readonly byte[] _buffer = new byte[64 * 1024];

        public Pair(SslContext client, SslContext server)
        {
            Client = client.WrapBio(_clientIn, _clientOut, serverHostname: "localhost");
            Server = server.WrapBio(_serverIn, _serverOut, serverSide: true);
        }

        public SslObject Client { get; }

        public SslObject Server { get; }

        public void Handshake()
        {
            for (int round = 0; round < 10 && !(Client.IsHandshakeComplete && Server.IsHandshakeComplete); round++)
            {
                Step(Client);
                Flush();
                Step(Server);
                Flush();
            }

            Expect(Client.IsHandshakeComplete && Server.IsHandshakeComplete, "the handshake did not complete");
        }

        /// <summary>Moves every pending byte both ways.</summary>
        public void Flush()
        {
            Move(_clientOut, _serverIn);
            Move(_serverOut, _clientIn);
        }

        private void Move(MemoryBio from, MemoryBio to)
        {
            int n;
            while ((n = from.Read(_buffer.AsSpan())) > 0)
            {
                to.Write(_buffer.AsSpan(0, n));
            }
        }

        private static void Step(SslObject side)
        {
            if (side.IsHandshakeComplete)
            {
                return;
            }

            try
            {
                side.DoHandshake();
            }
            catch (SslWantReadException)
            {
                // Waits for the peer's flight.
            }
        }
    }
}
