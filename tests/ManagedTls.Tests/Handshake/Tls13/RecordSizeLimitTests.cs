using System.Reflection;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Record;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake.Tls13;

public class RecordSizeLimitTests
{
    private const int TagSize = 16;

    // Application data records written by one side after the handshake: fragment lengths.
    private static List<int> FragmentLengths(byte[] wire) =>
        Records.Split([wire]).Where(r => r[0] == (byte)ContentType.ApplicationData).Select(r => r.Length - 5).ToList();

    private static byte[] Payload(int n) => Enumerable.Range(0, n).Select(i => (byte)i).ToArray();

    [Theory]
    [InlineData(64, 16385)]
    [InlineData(256, 512)]
    [InlineData(1000, 64)]
    public void EachSideKeepsItsRecordsWithinThePeersLimit(int clientLimit, int serverLimit)
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { RecordSizeLimit = clientLimit },
            ConnectionTestKit.Server() with { RecordSizeLimit = serverLimit, NumTickets = 0 });
        pair.Handshake();
        Assert.Equal(serverLimit, pair.Client.PeerRecordSizeLimit);
        Assert.Equal(clientLimit, pair.Server.PeerRecordSizeLimit);
        Assert.Equal(Math.Min(serverLimit - 1, 16384), pair.Client.MaxOutgoingFragmentLength);
        Assert.Equal(Math.Min(clientLimit - 1, 16384), pair.Server.MaxOutgoingFragmentLength);

        byte[] data = Payload(3000);
        pair.Client.WriteApplicationData(data);
        List<int> fromClient = FragmentLengths(Resend(ConnectionPair.Drain(pair.Client), pair.Server));
        Assert.All(fromClient, n => Assert.True(n - TagSize <= serverLimit, $"{n} bytes sent against a limit of {serverLimit}"));
        Assert.Equal(RecordWriter.RecordCount(3000, Math.Min(serverLimit - 1, 16384)), fromClient.Count);
        Assert.Equal(data, ConnectionPair.ReadAll(pair.Server));

        pair.Server.WriteApplicationData(data);
        List<int> fromServer = FragmentLengths(Resend(ConnectionPair.Drain(pair.Server), pair.Client));
        Assert.All(fromServer, n => Assert.True(n - TagSize <= clientLimit, $"{n} bytes sent against a limit of {clientLimit}"));
        Assert.Equal(RecordWriter.RecordCount(3000, clientLimit - 1), fromServer.Count);
        Assert.Equal(data, ConnectionPair.ReadAll(pair.Client));
    }

    [Fact]
    public void TheServersProtectedHandshakeRecordsAlreadyObeyTheClientsLimit()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { RecordSizeLimit = 64 }, ConnectionTestKit.Server() with { RecordSizeLimit = 64 });
        pair.Handshake();
        List<byte[]> records = Records.Split(pair.ServerWire);
        Assert.Equal((byte)ContentType.Handshake, records[0][0]);
        Assert.All(records.Skip(1).Where(r => r[0] == (byte)ContentType.ApplicationData), r => Assert.True(r.Length - 5 - TagSize <= 64));
        Assert.True(records.Count(r => r[0] == (byte)ContentType.ApplicationData) > 5, "the certificate flight is split into many small records");
    }

    [Fact]
    public void ServerWithoutTheSettingDoesNotAnswerAndNothingIsLimited()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { RecordSizeLimit = 100 }, ConnectionTestKit.Server());
        pair.Handshake();
        Assert.Null(pair.Client.PeerRecordSizeLimit);
        Assert.Null(pair.Server.PeerRecordSizeLimit);
        Assert.Equal(16384, pair.Server.MaxOutgoingFragmentLength);
        pair.Server.WriteApplicationData(Payload(1000));
        Assert.Single(FragmentLengths(Resend(ConnectionPair.Drain(pair.Server), pair.Client)));
        Assert.Equal(1000, ConnectionPair.ReadAll(pair.Client).Length);
    }

    [Fact]
    public void ServerAnswersOnlyAClientThatSentTheExtension()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server() with { RecordSizeLimit = 100 });
        pair.Handshake();
        Assert.Null(pair.Client.PeerRecordSizeLimit);
        Assert.Null(pair.Server.PeerRecordSizeLimit);
        Assert.Equal(16384, pair.Client.MaxOutgoingFragmentLength);
    }

    [Fact]
    public void ClientHelloCarriesTheLimit()
    {
        using var client = TlsConnection.CreateClient(ConnectionTestKit.Client() with { RecordSizeLimit = 300 });
        byte[] hello = ConnectionPair.Drain(client);
        int at = IndexOf(hello, [0x00, 0x1c, 0x00, 0x02, 0x01, 0x2c]);
        Assert.True(at > 0);
        using var plain = TlsConnection.CreateClient(ConnectionTestKit.Client());
        Assert.Equal(-1, IndexOf(ConnectionPair.Drain(plain), [0x00, 0x1c, 0x00, 0x02]));
    }

    [Fact]
    public void ALargerRecordThanWeAnnouncedIsRecordOverflow()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { RecordSizeLimit = 16385 }, ConnectionTestKit.Server() with { RecordSizeLimit = 200 });
        pair.Handshake();

        // Make the client ignore the server's limit, as a misbehaving peer would.
        var writer = (RecordWriter)typeof(TlsConnection).GetField("_writer", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(pair.Client)!;
        writer.MaxFragmentLength = 16384;
        pair.Client.WriteApplicationData(Payload(200));
        var e = Assert.Throws<TlsAlertException>(() => pair.Server.ReceiveBytes(ConnectionPair.Drain(pair.Client)));
        Assert.Equal(AlertDescription.RecordOverflow, e.Description);
    }

    [Fact]
    public void ARecordAtTheLimitIsAccepted()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { RecordSizeLimit = 16385 }, ConnectionTestKit.Server() with { RecordSizeLimit = 200 });
        pair.Handshake();
        pair.Client.WriteApplicationData(Payload(199));
        byte[] wire = ConnectionPair.Drain(pair.Client);
        Assert.Equal([199 + 1 + TagSize], FragmentLengths(wire));
        pair.Server.ReceiveBytes(wire);
        Assert.Equal(199, ConnectionPair.ReadAll(pair.Server).Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(16386)]
    public void SettingsOutsideTheRangeAreRefused(int limit)
    {
        Assert.Throws<ArgumentException>(() => TlsConnection.CreateClient(ConnectionTestKit.Client() with { RecordSizeLimit = limit }));
        Assert.Throws<ArgumentException>(() => TlsConnection.CreateServer(ConnectionTestKit.Server() with { RecordSizeLimit = limit }));
    }

    [Fact]
    public void APeerValueBelow64IsIllegalParameter()
    {
        using var client = TlsConnection.CreateClient(ConnectionTestKit.Client() with { RecordSizeLimit = 64 });
        byte[] hello = ConnectionPair.Drain(client);
        int at = IndexOf(hello, [0x00, 0x1c, 0x00, 0x02, 0x00, 0x40]);
        hello[at + 5] = 63;
        using var server = TlsConnection.CreateServer(ConnectionTestKit.Server() with { RecordSizeLimit = 100 });
        var e = Assert.Throws<TlsAlertException>(() => server.ReceiveBytes(hello));
        Assert.Equal(AlertDescription.IllegalParameter, e.Description);
    }

    private static byte[] Resend(byte[] wire, TlsConnection to)
    {
        to.ReceiveBytes(wire);
        return wire;
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        return -1;
    }
}
