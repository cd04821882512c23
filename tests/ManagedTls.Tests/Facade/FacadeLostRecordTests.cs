using ManagedTls.Ssl;
using ManagedTls.Tests.Connection;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Facade against facade over <see cref="MemoryBio"/>, losing one record (every record of either side in turn). When
/// nothing moves any more, both incoming bios get their end of stream: every side that has not read the peer's
/// close_notify ends with an error (<see cref="SslEofException"/> for the truncation, or the alert that failed it),
/// never a hang, a want-read or another exception; a side that did read it has all the data.
/// </summary>
public sealed class FacadeLostRecordTests(FacadeMatrixPki pki) : IClassFixture<FacadeMatrixPki>
{
    private const int Records = 9;

    public static TheoryData<bool, int> Losses()
    {
        var data = new TheoryData<bool, int>();
        foreach (bool fromClient in new[] { true, false })
        {
            for (int i = 0; i < Records; i++)
            {
                data.Add(fromClient, i);
            }
        }

        return data;
    }

    private sealed class End(string name, SslObject o, byte[] data)
    {
        public string Name => name;

        public SslObject Object => o;

        public byte[] Data => data;

        public List<byte> Received { get; } = [];

        public int SentRecords { get; set; }

        public int Expected { get; set; }

        public bool Wrote { get; set; }

        public bool Closed { get; set; }

        public Exception? Error { get; set; }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void ALostRecordEndsInAnErrorOnEverySideStillWaiting(bool fromClient, int lost) => Run(fromClient, lost);

    [Fact]
    public void ALostCloseNotifyIsAnEofErrorForItsReceiver()
    {
        var (_, server) = Run(false, -1);
        var (client, _) = Run(false, server.SentRecords - 1);
        Assert.IsType<SslEofException>(client.Error);
        Assert.Equal(server.Data.Length, client.Received.Count);
    }

    private (End Client, End Server) Run(bool fromClient, int lost)
    {
        var clientCtx = new SslContext(SslProtocol.TlsClient);
        clientCtx.LoadVerifyLocations(cafile: pki.RootFile);
        var serverCtx = new SslContext(SslProtocol.TlsServer);
        serverCtx.LoadCertChain(pki.Leaf(ServerKeyType.EcdsaP256).CertFile, pki.Leaf(ServerKeyType.EcdsaP256).KeyFile);
        var random = new Random(lost);
        var client = new End("client", clientCtx.WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: FacadeMatrixPki.HostName), new byte[5000]);
        var server = new End("server", serverCtx.WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true), new byte[30000]);
        random.NextBytes(client.Data);
        random.NextBytes(server.Data);
        client.Expected = server.Data.Length;
        server.Expected = client.Data.Length;
        byte? dropped = null;

        int steps = 0;
        for (; steps < 100; steps++)
        {
            Advance(client);
            Advance(server);
            bool moved = Move(client, server, fromClient ? lost : -1, ref dropped);
            moved |= Move(server, client, fromClient ? -1 : lost, ref dropped);
            if (!moved)
            {
                break;
            }
        }

        Assert.InRange(steps, 1, 99);
        client.Object.Incoming.WriteEof();
        server.Object.Incoming.WriteEof();
        Advance(client);
        Advance(server);
        foreach (var (side, peer) in new[] { (client, server), (server, client) })
        {
            if (side.Closed)
            {
                Assert.Null(side.Error);
                Assert.Equal(peer.Data, side.Received.ToArray());
            }
            else
            {
                Assert.NotNull(side.Error);
                Assert.IsAssignableFrom<SslException>(side.Error);
                Assert.IsNotType<SslWantReadException>(side.Error);
                Assert.IsNotType<SslZeroReturnException>(side.Error);
            }
        }

        if (dropped is null or 20)
        {
            // Nothing lost, or only the dummy change_cipher_spec of middlebox compatibility mode.
            Assert.True(client.Closed && server.Closed, "the connection did not close cleanly");
        }
        else
        {
            Assert.False(client.Closed && server.Closed, "a record was lost, yet both sides closed cleanly");
        }

        client.Object.Dispose();
        server.Object.Dispose();
        return (client, server);
    }

    // One step of a side: handshake, then write its data once, read what is there, and close.
    private static void Advance(End e)
    {
        if (e.Error is not null || e.Closed)
        {
            return;
        }

        try
        {
            e.Object.DoHandshake();
            if (!e.Wrote)
            {
                e.Wrote = true;
                e.Object.Write(e.Data);
            }

            // Read the peer's data; once it is all here, close (Unwrap discards whatever else comes).
            while (e.Received.Count < e.Expected)
            {
                byte[] chunk = e.Object.Read(20_000);
                Assert.NotEmpty(chunk);
                e.Received.AddRange(chunk);
            }

            e.Object.Unwrap();
            e.Closed = true;
        }
        catch (SslWantReadException)
        {
        }
        catch (SslException ex)
        {
            e.Error = ex;
        }
    }

    private static bool Move(End from, End to, int lost, ref byte? dropped)
    {
        byte[] bytes = from.Object.Outgoing.Read();
        if (bytes.Length == 0)
        {
            return false;
        }

        foreach (byte[] record in Connection.Records.Split([bytes]))
        {
            if (from.SentRecords++ == lost)
            {
                dropped = record[0];
                continue;
            }

            to.Object.Incoming.Write(record);
        }

        return true;
    }
}
