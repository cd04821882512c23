using System.Diagnostics;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// <c>profile</c>: times each step of a ManagedTls handshake (creating the client, the server's answer to the
/// ClientHello, the client's processing of the server flight, the server's processing of the client Finished).
/// </summary>
internal static class Profile
{
    public static void Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 50;
        foreach (ServerKey key in BenchPki.ClassicKeys)
        {
            CipherSuiteInfo suite = ManagedPeers.Suite("TLS_AES_128_GCM_SHA256");
            TlsConfig clientSettings = ManagedPeers.Client(suite);
            TlsConfig serverSettings = ManagedPeers.Server(key, suite, tickets: 0);
            var times = new double[5];
            var bytes = new long[5];
            for (int i = 0; i < n + 5; i++)
            {
                var sw = new Stopwatch();
                long[] b = new long[5];
                double[] t = new double[5];
                Step(0, () => TlsConnection.CreateServer(serverSettings), out TlsConnection server, t, b);
                Step(1, () => TlsConnection.CreateClient(clientSettings), out TlsConnection client, t, b);
                byte[] ch = Take(client);
                Step(2, () => { server.ReceiveBytes(ch); return 0; }, out _, t, b);
                byte[] flight = Take(server);
                Step(3, () => { client.ReceiveBytes(flight); return 0; }, out _, t, b);
                byte[] fin = Take(client);
                Step(4, () => { server.ReceiveBytes(fin); return 0; }, out _, t, b);
                if (!client.IsHandshakeComplete || !server.IsHandshakeComplete)
                {
                    throw new InvalidOperationException("incomplete");
                }

                client.Dispose();
                server.Dispose();
                if (i >= 5)
                {
                    for (int j = 0; j < 5; j++)
                    {
                        times[j] = i == 5 ? t[j] : Math.Min(times[j], t[j]);
                        bytes[j] += b[j];
                    }
                }
            }

            var bcTimes = new double[5];
            var bcBytes = new long[5];
            for (int i = 0; i < n + 5; i++)
            {
                long[] b = new long[5];
                double[] t = new double[5];
                var bcServer = new Org.BouncyCastle.Tls.TlsServerProtocol();
                var bcClient = new Org.BouncyCastle.Tls.TlsClientProtocol();
                Step(0, () => { bcServer.Accept(new BcTls.Server(key, Org.BouncyCastle.Tls.CipherSuite.TLS_AES_128_GCM_SHA256)); return 0; }, out _, t, b);
                Step(1, () => { bcClient.Connect(new BcTls.Client(Org.BouncyCastle.Tls.CipherSuite.TLS_AES_128_GCM_SHA256)); return 0; }, out _, t, b);
                byte[] ch = Take(bcClient);
                Step(2, () => { bcServer.OfferInput(ch); return 0; }, out _, t, b);
                byte[] flight = Take(bcServer);
                Step(3, () => { bcClient.OfferInput(flight); return 0; }, out _, t, b);
                byte[] fin = Take(bcClient);
                Step(4, () => { bcServer.OfferInput(fin); return 0; }, out _, t, b);
                if (bcClient.IsHandshaking || bcServer.IsHandshaking)
                {
                    throw new InvalidOperationException("BouncyCastle incomplete");
                }

                if (i >= 5)
                {
                    for (int j = 0; j < 5; j++)
                    {
                        bcTimes[j] = i == 5 ? t[j] : Math.Min(bcTimes[j], t[j]);
                        bcBytes[j] += b[j];
                    }
                }
            }

            string[] names = ["CreateServer", "CreateClient (ClientHello)", "server: ClientHello -> flight", "client: server flight -> Finished", "server: client Finished"];
            Console.WriteLine($"{key} (minimum time of {n} runs, mean allocation):");
            for (int j = 0; j < 5; j++)
            {
                Console.WriteLine($"  {names[j],-36} {times[j],10:F0} us {bytes[j] / n,10} B   BouncyCastle {bcTimes[j],10:F0} us {bcBytes[j] / n,10} B");
            }
        }
    }

    private static void Step<T>(int index, Func<T> action, out T result, double[] t, long[] b)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        result = action();
        t[index] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        b[index] = GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static byte[] Take(Org.BouncyCastle.Tls.TlsProtocol p)
    {
        byte[] bytes = new byte[p.GetAvailableOutputBytes()];
        p.ReadOutput(bytes, 0, bytes.Length);
        return bytes;
    }

    private static byte[] Take(TlsConnection c)
    {
        byte[] bytes = new byte[c.OutgoingLength];
        c.TakeOutgoing(bytes);
        return bytes;
    }
}
