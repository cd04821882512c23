using System.Diagnostics;
using ManagedTls.Ssl;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// <c>floorratio [n] [row]</c>: each floor row's handshake pair through the facade and its crypto floor
/// (<see cref="HandshakeFloor"/>), run alternately n times each after a warm-up, so both see the same load; prints the
/// minimum and median of each and their ratios (facade over floor), and the allocation of each per pair.
/// </summary>
internal static class FloorRatio
{
    public static void Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200;
        FloorRow[] rows = args.Length > 1 ? [Enum.Parse<FloorRow>(args[1])] : Enum.GetValues<FloorRow>();
        Console.WriteLine($"{"row",-14} {"facade min",11} {"floor min",10} {"ratio min",10} {"facade med",11} {"floor med",10} {"ratio med",10} {"facade B",10} {"floor B",9}");
        foreach (FloorRow row in rows)
        {
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
            int count = row == FloorRow.FullRsa2048 ? Math.Max(10, n / 5) : n;
            var facadeTimes = new double[count];
            var floorTimes = new double[count];
            long facadeBytes = 0, floorBytes = 0;
            for (int i = -10; i < count; i++)
            {
                long b0 = GC.GetAllocatedBytesForCurrentThread();
                long t0 = Stopwatch.GetTimestamp();
                using (var pair = new FacadePeers.Pair(client, server, session))
                {
                    pair.Handshake();
                    if (session is not null)
                    {
                        pair.OneByteToClient();
                        session = pair.Client.Session;
                    }
                }

                double facade = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                long b1 = GC.GetAllocatedBytesForCurrentThread();
                long t1 = Stopwatch.GetTimestamp();
                floor.Run();
                double floorTime = Stopwatch.GetElapsedTime(t1).TotalMicroseconds;
                long b2 = GC.GetAllocatedBytesForCurrentThread();
                if (i >= 0)
                {
                    facadeTimes[i] = facade;
                    floorTimes[i] = floorTime;
                    facadeBytes += b1 - b0;
                    floorBytes += b2 - b1;
                }
            }

            Array.Sort(facadeTimes);
            Array.Sort(floorTimes);
            double fMin = facadeTimes[0], lMin = floorTimes[0], fMed = facadeTimes[count / 2], lMed = floorTimes[count / 2];
            Console.WriteLine($"{row,-14} {fMin,9:F0}us {lMin,8:F0}us {fMin / lMin,10:F3} {fMed,9:F0}us {lMed,8:F0}us {fMed / lMed,10:F3} {facadeBytes / count,10} {floorBytes / count,9}");
        }
    }
}
