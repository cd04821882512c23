using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;

namespace ManagedTls.Tests.Connection;

public class TlsConnectionDataTests
{
    private static ConnectionPair Connected(Func<TlsConfig, TlsConfig>? client = null, Func<TlsConfig, TlsConfig>? server = null)
    {
        var pair = new ConnectionPair(
            (client ?? (s => s))(ConnectionTestKit.Client()),
            (server ?? (s => s))(ConnectionTestKit.Server()));
        pair.Handshake();
        return pair;
    }

    [Fact]
    public void HundredKibibytesArriveIntactAndFragmented()
    {
        using ConnectionPair pair = Connected();
        byte[] message = new byte[100 * 1024];
        new Random(7).NextBytes(message);
        pair.Client.WriteApplicationData(message);
        byte[] wire = ConnectionPair.Drain(pair.Client);
        List<byte[]> records = Records.Split([wire]);
        Assert.Equal(7, records.Count);
        Assert.All(records, r => Assert.True(r.Length <= 5 + (1 << 14) + 256));
        pair.Server.ReceiveBytes(wire);
        Assert.Equal(message, ConnectionPair.ReadAll(pair.Server));

        pair.Server.WriteApplicationData(message);
        pair.Pump();
        Assert.Equal(message, ConnectionPair.ReadAll(pair.Client));
    }

    [Fact]
    public void BytesFedOneAtATimeStillArrive()
    {
        using ConnectionPair pair = Connected();
        byte[] message = new byte[3000];
        new Random(3).NextBytes(message);
        pair.Server.WriteApplicationData(message);
        foreach (byte b in ConnectionPair.Drain(pair.Server))
        {
            pair.Client.ReceiveBytes([b]);
        }

        Assert.Equal(message, ConnectionPair.ReadAll(pair.Client));
    }

    [Fact]
    public void ReadingInSmallPiecesReturnsEverything()
    {
        using ConnectionPair pair = Connected();
        byte[] message = new byte[1000];
        new Random(4).NextBytes(message);
        pair.Client.WriteApplicationData(message);
        pair.Pump();
        var received = new List<byte>();
        byte[] piece = new byte[33];
        int n;
        while ((n = pair.Server.ReadApplicationData(piece)) > 0)
        {
            received.AddRange(piece.AsSpan(0, n).ToArray());
        }

        Assert.Equal(message, received);
        Assert.Equal(0, pair.Server.PendingApplicationData);
    }

    [Fact]
    public void ZeroLengthWritesSendNothing()
    {
        using ConnectionPair pair = Connected();
        pair.Client.WriteApplicationData([]);
        Assert.False(pair.Client.HasOutgoing);
        TlsConnectionHandshakeTests.ExchangeData(pair, 1);
    }

    [Fact]
    public void WritingBeforeTheHandshakeIsACallerError()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server());
        Assert.Throws<InvalidOperationException>(() => pair.Client.WriteApplicationData([1]));
        Assert.Throws<InvalidOperationException>(() => pair.Server.UpdateKeys(false));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void KeyUpdateInBothDirections(bool fromClient, bool requestPeerUpdate)
    {
        using ConnectionPair pair = Connected();
        TlsConnection sender = fromClient ? pair.Client : pair.Server;
        TlsConnection receiver = fromClient ? pair.Server : pair.Client;
        sender.UpdateKeys(requestPeerUpdate);
        pair.Pump();
        Assert.Equal(1, sender.WriteKeyGeneration);
        Assert.Equal(1, receiver.ReadKeyGeneration);
        Assert.Equal(requestPeerUpdate ? 1 : 0, receiver.WriteKeyGeneration);
        Assert.Equal(requestPeerUpdate ? 1 : 0, sender.ReadKeyGeneration);
        TlsConnectionHandshakeTests.ExchangeData(pair, 2000);
    }

    [Fact]
    public void KeysUpdateAutomaticallyAtTheRecordLimit()
    {
        using ConnectionPair pair = Connected(client: s => s with { KeyUpdateAfterRecords = 3 });
        for (int i = 0; i < 10; i++)
        {
            pair.Client.WriteApplicationData([(byte)i]);
        }

        pair.Pump();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), ConnectionPair.ReadAll(pair.Server));
        Assert.True(pair.Client.WriteKeyGeneration >= 3);
        Assert.Equal(pair.Client.WriteKeyGeneration, pair.Server.ReadKeyGeneration);
    }

    [Fact]
    public void TooManyKeyUpdatesWithoutDataAreRefused()
    {
        using ConnectionPair pair = Connected(server: s => s with { MaxKeyUpdatesWithoutData = 4 });
        for (int i = 0; i < 4; i++)
        {
            pair.Client.UpdateKeys(false);
        }

        pair.Client.WriteApplicationData([1]);
        for (int i = 0; i < 4; i++)
        {
            pair.Client.UpdateKeys(false);
        }

        pair.Pump();
        Assert.Null(pair.ServerError);
        pair.Client.UpdateKeys(false);
        pair.Pump();
        Assert.Equal(AlertDescription.UnexpectedMessage, pair.ServerError!.Description);
        Assert.Equal(AlertDescription.UnexpectedMessage, pair.ClientError!.Description);
        Assert.True(pair.ClientError.Received);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CloseNotifyIsACleanEndOfStream(bool clientCloses)
    {
        using ConnectionPair pair = Connected();
        TlsConnection closer = clientCloses ? pair.Client : pair.Server;
        TlsConnection other = clientCloses ? pair.Server : pair.Client;
        closer.WriteApplicationData([1, 2, 3]);
        closer.Close();
        Assert.Throws<InvalidOperationException>(() => closer.WriteApplicationData([4]));
        pair.Pump();
        Assert.True(other.PeerClosed);
        Assert.Equal([1, 2, 3], ConnectionPair.ReadAll(other));
        other.WriteApplicationData([9]);
        other.Close();
        pair.Pump();
        Assert.True(closer.PeerClosed);
        Assert.Equal([9], ConnectionPair.ReadAll(closer));
        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
    }

    [Fact]
    public void AFailedConnectionRefusesFurtherUse()
    {
        using ConnectionPair pair = Connected();
        var e = Assert.Throws<TlsAlertException>(() => pair.Server.ReceiveBytes([23, 3, 3, 0, 20, .. new byte[20]]));
        Assert.Equal(AlertDescription.BadRecordMac, e.Description);
        Assert.True(pair.Server.HasOutgoing);
        Assert.Throws<InvalidOperationException>(() => pair.Server.WriteApplicationData([1]));
        Assert.Throws<InvalidOperationException>(() => pair.Server.ReceiveBytes([1]));
        pair.Pump();
        Assert.Equal(AlertDescription.BadRecordMac, pair.ClientError!.Description);
        Assert.True(pair.ClientError.Received);
    }
}

public class TlsConnectionBufferWriterTests
{
    [Fact]
    public void OutgoingBytesCanBeTakenThroughABufferWriter()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server());
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        int n = pair.Client.TakeOutgoing(writer);
        Assert.True(n > 0);
        Assert.Equal(n, writer.WrittenCount);
        Assert.False(pair.Client.HasOutgoing);
        pair.Server.ReceiveBytes(writer.WrittenSpan);
        pair.Pump();
        Assert.True(pair.Client.IsHandshakeComplete);
        Assert.True(pair.Server.IsHandshakeComplete);
    }
}
