using FsCheck;
using FsCheck.Xunit;
using ManagedTls.Connection;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake.Tls13;

public class Tls13TamperingTests
{
    private const int Seed = 1234;

    // The server's first flight, answering the ClientHello a client with SeededEntropy(Seed) sends.
    private static readonly Lazy<byte[]> ServerFlight = new(() =>
    {
        using TlsConnection client = NewClient();
        using var server = TlsConnection.CreateServer(ConnectionTestKit.Server());
        server.ReceiveBytes(ConnectionPair.Drain(client));
        return ConnectionPair.Drain(server);
    });

    private static readonly Lazy<byte[]> ClientHello = new(() =>
    {
        using TlsConnection client = NewClient();
        return ConnectionPair.Drain(client);
    });

    private static TlsConnection NewClient() => TlsConnection.CreateClient(ConnectionTestKit.Client(new SeededEntropy(Seed)));

    [Fact]
    public void TheUntamperedFlightCompletesTheHandshake()
    {
        using TlsConnection client = NewClient();
        Assert.Equal(ClientHello.Value, ConnectionPair.Drain(client));
        client.ReceiveBytes(ServerFlight.Value);
        Assert.True(client.IsHandshakeComplete);
    }

    [Fact]
    public void FlippingAnyByteOfTheServerFlightFailsWithAnAlert()
    {
        byte[] flight = ServerFlight.Value;
        var lengthBytes = new HashSet<int>();
        foreach (int start in RecordStarts(flight))
        {
            lengthBytes.Add(start + 3);
            lengthBytes.Add(start + 4);
        }

        HashSet<int> ignored = IgnoredVersionBytes(flight);
        int stalls = 0;
        for (int i = 0; i < flight.Length; i++)
        {
            byte[] tampered = (byte[])flight.Clone();
            tampered[i] ^= 0x41;
            using TlsConnection client = NewClient();
            ConnectionPair.Drain(client);
            TlsAlertException? failure = null;
            try
            {
                client.ReceiveBytes(tampered);
            }
            catch (TlsAlertException e)
            {
                failure = e;
            }

            if (ignored.Contains(i))
            {
                // legacy_record_version of an unprotected record is ignored (RFC 8446 section 5.1).
                Assert.True(client.IsHandshakeComplete, $"byte {i} (an ignored record version) flipped, handshake failed");
                continue;
            }

            Assert.False(client.IsHandshakeComplete, $"byte {i} flipped, handshake completed");
            if (failure is null)
            {
                // Only a record length grown past the end leaves the client waiting for more bytes.
                Assert.Contains(i, lengthBytes);
                stalls++;
                continue;
            }

            Assert.False(failure.Received);
            Assert.NotEqual(AlertDescription.InternalError, failure.Description);
            Assert.True(client.HasOutgoing, $"byte {i}: no alert queued");
        }

        Assert.True(stalls <= lengthBytes.Count);
    }

    [Property(MaxTest = 300)]
    public void MutatedServerFlightsEndInAlertsOrStallNeverOtherwise(byte kind1, ushort position1, byte value1, byte kind2, ushort position2, byte value2)
    {
        List<byte[]> records = SplitRecords(ServerFlight.Value);
        Mutate(records, kind1, position1, value1);
        if (kind2 % 2 == 0)
        {
            Mutate(records, kind2, position2, value2);
        }

        byte[] mutated = records.SelectMany(r => r).ToArray();
        using TlsConnection client = NewClient();
        ConnectionPair.Drain(client);
        try
        {
            for (int offset = 0; offset < mutated.Length; offset += 700)
            {
                client.ReceiveBytes(mutated.AsSpan(offset, Math.Min(700, mutated.Length - offset)));
            }
        }
        catch (TlsAlertException e)
        {
            Assert.NotEqual(AlertDescription.InternalError, e.Description);
            Assert.True(client.HasOutgoing);
            return;
        }

        if (client.IsHandshakeComplete)
        {
            // Only removing the compatibility change_cipher_spec or changing the ignored version of an unprotected
            // record leaves the flight acceptable (a trailing partial record is still awaited, not yet processed).
            Assert.Equal(WithoutCcs(SplitRecords(ServerFlight.Value)), WithoutCcs(SplitRecords(mutated)));
        }
    }

    [Fact]
    public void FlippingAnyByteOfTheClientFinishedFlightFailsTheServerWithAnAlert()
    {
        // Both sides deterministic, so a fresh server reaches the same state and expects the same Finished.
        static (TlsConnection Client, TlsConnection Server) Start()
        {
            TlsConnection client = NewClient();
            TlsConnection server = TlsConnection.CreateServer(ConnectionTestKit.Server() with { Entropy = new SeededEntropy(99) });
            server.ReceiveBytes(ConnectionPair.Drain(client));
            client.ReceiveBytes(ConnectionPair.Drain(server));
            return (client, server);
        }

        byte[] flight;
        var (c0, s0) = Start();
        using (c0)
        using (s0)
        {
            flight = ConnectionPair.Drain(c0);
            s0.ReceiveBytes(flight);
            Assert.True(s0.IsHandshakeComplete);
        }

        var lengthBytes = RecordStarts(flight).SelectMany(start => new[] { start + 3, start + 4 }).ToHashSet();
        HashSet<int> ignored = IgnoredVersionBytes(flight, firstRecordOfConnection: false);
        for (int i = 0; i < flight.Length; i++)
        {
            byte[] tampered = (byte[])flight.Clone();
            tampered[i] ^= 0x10;
            var (client, server) = Start();
            using (client)
            using (server)
            {
                ConnectionPair.Drain(client);
                if (ignored.Contains(i))
                {
                    // The compatibility change_cipher_spec's record version is ignored (RFC 8446 section 5.1).
                    server.ReceiveBytes(tampered);
                    Assert.True(server.IsHandshakeComplete, $"byte {i} (an ignored record version) flipped, server failed");
                    continue;
                }

                try
                {
                    server.ReceiveBytes(tampered);
                    Assert.Contains(i, lengthBytes);
                }
                catch (TlsAlertException e)
                {
                    Assert.False(e.Received);
                    Assert.NotEqual(AlertDescription.InternalError, e.Description);
                    Assert.True(server.HasOutgoing);
                }

                Assert.False(server.IsHandshakeComplete, $"byte {i} flipped, server completed");
            }
        }
    }

    [Property(MaxTest = 100)]
    public void MutatedClientHellosEndInAlertsOrStallNeverOtherwise(ushort position, byte value, bool truncate)
    {
        byte[] hello = (byte[])ClientHello.Value.Clone();
        int i = position % hello.Length;
        if (truncate)
        {
            hello = hello[..i];
        }
        else
        {
            hello[i] ^= (byte)(value | 1);
        }

        using var server = TlsConnection.CreateServer(ConnectionTestKit.Server());
        try
        {
            server.ReceiveBytes(hello);
        }
        catch (TlsAlertException e)
        {
            Assert.NotEqual(AlertDescription.InternalError, e.Description);
            Assert.True(server.HasOutgoing);
        }
    }

    // The legacy_record_version bytes a receiver ignores: both bytes of every unprotected record but the first of
    // the connection, whose major version must be 3 (so only its minor byte is free).
    private static HashSet<int> IgnoredVersionBytes(byte[] flight, bool firstRecordOfConnection = true)
    {
        var ignored = new HashSet<int>();
        bool first = firstRecordOfConnection;
        foreach (int start in RecordStarts(flight))
        {
            if (flight[start] != (byte)ContentType.ApplicationData)
            {
                if (!first)
                {
                    ignored.Add(start + 1);
                }

                ignored.Add(start + 2);
            }

            first = false;
        }

        return ignored;
    }

    private static void Mutate(List<byte[]> records, byte kind, ushort position, byte value)
    {
        if (records.Count == 0)
        {
            return;
        }

        int r = position % records.Count;
        switch (kind % 4)
        {
            case 0:
                byte[] copy = (byte[])records[r].Clone();
                copy[position % copy.Length] ^= (byte)(value | 1);
                records[r] = copy;
                break;
            case 1:
                records[r] = records[r][..(position % records[r].Length)];
                records.RemoveRange(r + 1, records.Count - r - 1);
                if (records[r].Length == 0)
                {
                    records.RemoveAt(r);
                }

                break;
            case 2:
                records.Insert(r, records[r]);
                break;
            default:
                records.RemoveAt(r);
                break;
        }
    }

    private static List<byte[]> SplitRecords(byte[] flight) => Records.Split([flight]);

    // The records that matter, with the (ignored) record version of unprotected ones left out.
    private static string WithoutCcs(List<byte[]> records) =>
        string.Join("|", records.Where(r => r[0] != 20 && r.Length == 5 + ((r[3] << 8) | r[4]))
            .Select(r => r[0] == (byte)ContentType.ApplicationData ? Convert.ToHexString(r) : Convert.ToHexString([r[0], .. r.AsSpan(3)])));

    private static IEnumerable<int> RecordStarts(byte[] flight)
    {
        int i = 0;
        while (i + 5 <= flight.Length)
        {
            yield return i;
            i += 5 + ((flight[i + 3] << 8) | flight[i + 4]);
        }
    }
}
