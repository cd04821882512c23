using FsCheck;
using FsCheck.Fluent;
using ManagedTls.CipherSuites;

namespace ManagedTls.Tests.Connection;

/// <summary>Chosen record changes with known outcomes, run through the same pump as <see cref="RecordChaosProperties"/>.</summary>
public class RecordChaosTests
{
    private static readonly ChaosScenario Clean = new([], Suite: 0, Compat: true, Hrr: false, ClientAuth: false, KeyUpdate: true, Seed: 42);

    // The records each side sends in the unchanged run, to aim changes at.
    private static (List<byte[]> Client, List<byte[]> Server) CleanRecords()
    {
        RecordChaos run = CleanRun();
        return (run.Client.Sent, run.Server.Sent);
    }

    private static RecordChaos CleanRun()
    {
        RecordChaos run = RecordChaosProperties.Check(Clean);
        Assert.Equal(ChaosEnd.Completed, run.Client.End);
        Assert.Equal(ChaosEnd.Completed, run.Server.End);
        return run;
    }

    private static int IndexOfCcs(List<byte[]> records) => records.FindIndex(r => r[0] == 20);

    [Fact]
    public void UnchangedRecordsComplete()
    {
        var (client, server) = CleanRecords();
        Assert.Equal(1, client.Count(r => r[0] == 20));
        Assert.Equal(1, server.Count(r => r[0] == 20));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ADroppedCompatibilityChangeCipherSpecIsHarmless(bool fromClient)
    {
        var (client, server) = CleanRecords();
        int ccs = IndexOfCcs(fromClient ? client : server);
        RecordChaos run = RecordChaosProperties.Check(Clean with { Mutations = [new(fromClient, ccs, ChaosKind.Drop, 0, 0)] });
        Assert.Equal(ChaosEnd.Completed, run.Client.End);
        Assert.Equal(ChaosEnd.Completed, run.Server.End);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ADuplicatedCompatibilityChangeCipherSpecIsUnexpectedMessage(bool fromClient)
    {
        // A TLS 1.3 handshake allows exactly one change_cipher_spec; the second one is refused.
        var (client, server) = CleanRecords();
        int ccs = IndexOfCcs(fromClient ? client : server);
        RecordChaos run = RecordChaosProperties.Check(Clean with { Mutations = [new(fromClient, ccs, ChaosKind.Duplicate, 0, 0)] });
        RecordChaos.Side receiver = fromClient ? run.Server : run.Client;
        Assert.Equal(ChaosEnd.FailedLocally, receiver.End);
        Assert.Equal(AlertDescription.UnexpectedMessage, receiver.Error!.Description);
    }

    [Fact]
    public void AChangeCipherSpecBeforeTheServerHelloIsHarmless()
    {
        var (_, server) = CleanRecords();
        Assert.Equal(1, IndexOfCcs(server));
        RecordChaos run = RecordChaosProperties.Check(Clean with { Mutations = [new(false, 0, ChaosKind.Reorder, 0, 0)] });
        Assert.Equal(ChaosEnd.Completed, run.Client.End);
        Assert.Equal(ChaosEnd.Completed, run.Server.End);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AChangeCipherSpecAfterFinishedIsUnexpectedMessage(bool fromClient)
    {
        var (client, server) = CleanRecords();
        int ccs = IndexOfCcs(fromClient ? client : server);

        // Held back until the next record, the encrypted flight ending in Finished, has gone.
        RecordChaos run = RecordChaosProperties.Check(Clean with { Mutations = [new(fromClient, ccs, ChaosKind.Reorder, 0, 0)] });
        RecordChaos.Side receiver = fromClient ? run.Server : run.Client;
        Assert.Equal(ChaosEnd.FailedLocally, receiver.End);
        Assert.Equal(AlertDescription.UnexpectedMessage, receiver.Error!.Description);

        // The sender had written its data and close_notify before the alert came; what follows close_notify is ignored.
        RecordChaos.Side sender = fromClient ? run.Client : run.Server;
        Assert.Equal(ChaosEnd.Completed, sender.End);
        Assert.True(sender.Connection.PeerClosed);
    }

    [Fact]
    public void AFlippedBitInTheServerFlightIsBadRecordMacOnBothSides()
    {
        var (_, server) = CleanRecords();
        int flight = server.FindIndex(r => r[0] == 23);
        RecordChaos run = RecordChaosProperties.Check(Clean with { Mutations = [new(false, flight, ChaosKind.FlipBit, 40, 3)] });
        Assert.Equal(ChaosEnd.FailedLocally, run.Client.End);
        Assert.Equal(AlertDescription.BadRecordMac, run.Client.Error!.Description);
        Assert.Equal(ChaosEnd.FailedByPeer, run.Server.End);
        Assert.Equal(AlertDescription.BadRecordMac, run.Server.Error!.Description);
    }

    [Fact]
    public void AReplayedDataRecordIsBadRecordMacOnBothSides()
    {
        RecordChaos clean = CleanRun();
        int data = clean.Client.CloseIndex - 1;
        RecordChaos run = RecordChaosProperties.Check(Clean with { Mutations = [new(true, data, ChaosKind.Duplicate, 0, 0)] });
        Assert.Equal(ChaosEnd.FailedLocally, run.Server.End);
        Assert.Equal(AlertDescription.BadRecordMac, run.Server.Error!.Description);

        // The client had already read the server's data and close_notify; the alert after it is ignored.
        Assert.Equal(ChaosEnd.Completed, run.Client.End);
    }

    [Fact]
    public void ADroppedCloseNotifyLeavesThePeerWaitingForTheEndOfStream()
    {
        RecordChaos clean = CleanRun();
        RecordChaos run = RecordChaosProperties.Check(Clean with { Mutations = [new(false, clean.Server.CloseIndex, ChaosKind.Drop, 0, 0)] });
        Assert.Equal(ChaosEnd.EndOfStream, run.Client.End);
        Assert.False(run.Client.Connection.PeerClosed);
        Assert.Equal(ChaosEnd.Completed, run.Server.End);
    }

    [Fact]
    public void ADroppedClientHelloLeavesBothWaiting()
    {
        RecordChaos run = RecordChaosProperties.Check(Clean with { Mutations = [new(true, 0, ChaosKind.Drop, 0, 0)] });
        Assert.Equal(ChaosEnd.EndOfStream, run.Client.End);
        Assert.Equal(ChaosEnd.EndOfStream, run.Server.End);
        Assert.Equal(0, run.Steps);
    }

    [Fact]
    public void AReorderedPairOfDataRecordsIsBadRecordMac()
    {
        RecordChaos clean = CleanRun();
        int data = clean.Server.CloseIndex - 3;
        RecordChaos run = RecordChaosProperties.Check(Clean with { Mutations = [new(false, data, ChaosKind.Reorder, 0, 0)] });
        Assert.Equal(ChaosEnd.FailedLocally, run.Client.End);
        Assert.Equal(AlertDescription.BadRecordMac, run.Client.Error!.Description);

        // The server had already read the client's data and close_notify; the alert after it is ignored.
        Assert.Equal(ChaosEnd.Completed, run.Server.End);
    }

    // TLS 1.2: ECDHE-RSA with AES-128-CBC (encrypt_then_mac), client authentication.
    private static ChaosScenario Tls12Clean => new([], CipherSuiteRegistryIndex("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"), false, false, ClientAuth: true, false, Seed: 42, Tls12: true);

    private static int CipherSuiteRegistryIndex(string iana) =>
        ManagedTls.CipherSuites.CipherSuiteRegistry.Tls12Suites.ToList().FindIndex(s => s.IanaName == iana);

    [Fact]
    public void UnchangedTls12RecordsCompleteWithOneChangeCipherSpecEachWay()
    {
        RecordChaos run = RecordChaosProperties.Check(Tls12Clean);
        Assert.Equal(ChaosEnd.Completed, run.Client.End);
        Assert.Equal(ChaosEnd.Completed, run.Server.End);
        Assert.Equal(1, run.Client.Sent.Count(r => r[0] == 20));
        Assert.Equal(1, run.Server.Sent.Count(r => r[0] == 20));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ADroppedTls12ChangeCipherSpecNeverCompletes(bool fromClient)
    {
        // Unlike TLS 1.3's dummy one, TLS 1.2's change_cipher_spec switches keys: without it the encrypted Finished that
        // follows is read as a plaintext message, whose type and length are whatever its first ciphertext bytes are.
        RecordChaos clean = RecordChaosProperties.Check(Tls12Clean);
        int ccs = (fromClient ? clean.Client.Sent : clean.Server.Sent).FindIndex(r => r[0] == 20);
        RecordChaos run = RecordChaosProperties.Check(Tls12Clean with { Mutations = [new(fromClient, ccs, ChaosKind.Drop, 0, 0)] });
        RecordChaos.Side receiver = fromClient ? run.Server : run.Client;
        Assert.Equal(ChaosEnd.FailedLocally, receiver.End);
        Assert.Contains(receiver.Error!.Description, new[] { AlertDescription.UnexpectedMessage, AlertDescription.DecodeError });
        Assert.NotEqual(ChaosEnd.Completed, run.Client.End);
        Assert.NotEqual(ChaosEnd.Completed, run.Server.End);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ADuplicatedTls12ChangeCipherSpecIsUnexpectedMessage(bool fromClient)
    {
        RecordChaos clean = RecordChaosProperties.Check(Tls12Clean);
        int ccs = (fromClient ? clean.Client.Sent : clean.Server.Sent).FindIndex(r => r[0] == 20);
        RecordChaos run = RecordChaosProperties.Check(Tls12Clean with { Mutations = [new(fromClient, ccs, ChaosKind.Duplicate, 0, 0)] });
        RecordChaos.Side receiver = fromClient ? run.Server : run.Client;
        Assert.Equal(ChaosEnd.FailedLocally, receiver.End);
        Assert.Equal(AlertDescription.UnexpectedMessage, receiver.Error!.Description);
    }

    [Fact]
    public void AFlippedBitInATls12CbcRecordIsBadRecordMac()
    {
        // The first record after the client's change_cipher_spec is its Finished, protected with encrypt_then_mac.
        RecordChaos clean = RecordChaosProperties.Check(Tls12Clean);
        int finished = clean.Client.Sent.FindIndex(r => r[0] == 20) + 1;
        RecordChaos run = RecordChaosProperties.Check(Tls12Clean with { Mutations = [new(true, finished, ChaosKind.FlipBit, 20, 3)] });
        Assert.Equal(ChaosEnd.FailedLocally, run.Server.End);
        Assert.Equal(AlertDescription.BadRecordMac, run.Server.Error!.Description);
    }
}

/// <summary>Chosen record changes in TLS 1.2 resumed handshakes and renegotiations, through the record-chaos pump.</summary>
public class RecordChaosSessionTests
{
    private static ChaosScenario Clean(ChaosResumption resume, ChaosRenegotiation renegotiation) => new(
        [],
        CipherSuiteRegistry.Tls12Suites.ToList().FindIndex(s => s.IanaName == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        false,
        false,
        ClientAuth: false,
        false,
        Seed: 7,
        Tls12: true,
        resume,
        renegotiation);

    private static RecordChaos Completed(ChaosScenario scenario)
    {
        RecordChaos run = RecordChaosProperties.Check(scenario);
        Assert.Equal(ChaosEnd.Completed, run.Client.End);
        Assert.Equal(ChaosEnd.Completed, run.Server.End);
        return run;
    }

    [Fact]
    public void TheGeneratedScenariosChangeTheRenegotiationsAndResumedFlightsAndEndEveryWay()
    {
        var scenarios = Gen.Sample(RecordChaosProperties.Tls12SessionScenarioGen(), 40, new Rnd(77UL, 0x9E3779B97F4A7C15UL), 30).ToList();
        int inRenegotiation = 0, inResumedFlight = 0, completed = 0, clientFailed = 0, serverFailed = 0;
        foreach (ChaosScenario scenario in scenarios)
        {
            RecordChaos run = RecordChaosProperties.Check(scenario);
            foreach (ChaosMutation m in run.Applied)
            {
                List<byte[]> sent = m.FromClient ? run.Client.Sent : run.Server.Sent;
                int firstData = sent.FindIndex(r => r[0] == 23);

                // A handshake or change_cipher_spec record after the sender's first data is the renegotiation's.
                if (scenario.Renegotiation != ChaosRenegotiation.None && firstData >= 0 && m.Record > firstData && sent[m.Record][0] is 20 or 22)
                {
                    inRenegotiation++;
                }

                // The server's change_cipher_spec and Finished right after its ServerHello (or NewSessionTicket).
                if (scenario.Resume != ChaosResumption.None && !m.FromClient && m.Record is >= 1 and <= 3 && (firstData < 0 || m.Record < firstData))
                {
                    inResumedFlight++;
                }
            }

            completed += run.Client.End == ChaosEnd.Completed && run.Server.End == ChaosEnd.Completed ? 1 : 0;
            clientFailed += run.Client.End == ChaosEnd.FailedLocally ? 1 : 0;
            serverFailed += run.Server.End == ChaosEnd.FailedLocally ? 1 : 0;
        }

        Assert.Contains(scenarios, s => s.Resume == ChaosResumption.SessionId && s.Renegotiation == ChaosRenegotiation.Server);
        Assert.Contains(scenarios, s => s.Resume == ChaosResumption.Ticket && s.Renegotiation == ChaosRenegotiation.Client);
        Assert.InRange(inRenegotiation, 5, 200);
        Assert.InRange(inResumedFlight, 3, 200);
        Assert.InRange(completed, 1, scenarios.Count - 1);
        Assert.InRange(clientFailed, 1, scenarios.Count);
        Assert.InRange(serverFailed, 1, scenarios.Count);
    }

    [Theory]
    [InlineData(ChaosResumption.SessionId)]
    [InlineData(ChaosResumption.Ticket)]
    public void AResumedHandshakeSendsTheServersChangeCipherSpecFirst(ChaosResumption resume)
    {
        RecordChaos run = Completed(Clean(resume, ChaosRenegotiation.None));
        Assert.True(run.Client.Connection.SessionReused);
        Assert.True(run.Server.Connection.SessionReused);

        // Abbreviated: the ServerHello, then the server's change_cipher_spec and Finished; the client's come after them.
        Assert.Equal(1, run.Server.Sent.FindIndex(r => r[0] == 20));
        Assert.Equal(1, run.Client.Sent.FindIndex(r => r[0] == 20));
        Assert.Equal(1, run.Client.Sent.Count(r => r[0] == 20));
    }

    [Theory]
    [InlineData(ChaosResumption.None, ChaosRenegotiation.Client)]
    [InlineData(ChaosResumption.None, ChaosRenegotiation.Server)]
    [InlineData(ChaosResumption.Ticket, ChaosRenegotiation.Client)]
    [InlineData(ChaosResumption.SessionId, ChaosRenegotiation.Server)]
    public void ARenegotiationInTheMiddleOfTheDataDeliversItAllInOrder(ChaosResumption resume, ChaosRenegotiation renegotiation)
    {
        RecordChaos run = Completed(Clean(resume, renegotiation));
        Assert.Equal(1, run.Client.Connection.RenegotiationCount);
        Assert.Equal(1, run.Server.Connection.RenegotiationCount);
        Assert.Equal(2, run.Client.Sent.Count(r => r[0] == 20));
        Assert.Equal(2, run.Server.Sent.Count(r => r[0] == 20));
    }

    [Theory]
    [InlineData(ChaosResumption.SessionId)]
    [InlineData(ChaosResumption.Ticket)]
    public void ADroppedServerChangeCipherSpecInAResumedHandshakeNeverCompletes(ChaosResumption resume)
    {
        RecordChaos run = RecordChaosProperties.Check(Clean(resume, ChaosRenegotiation.None) with { Mutations = [new(false, 1, ChaosKind.Drop, 0, 0)] });
        Assert.Equal(ChaosEnd.FailedLocally, run.Client.End);
        Assert.Contains(run.Client.Error!.Description, new[] { AlertDescription.UnexpectedMessage, AlertDescription.DecodeError });
        Assert.NotEqual(ChaosEnd.Completed, run.Server.End);
    }

    [Theory]
    [InlineData(ChaosRenegotiation.Client)]
    [InlineData(ChaosRenegotiation.Server)]
    public void AFlippedBitInTheMessageThatStartsARenegotiationIsBadRecordMac(ChaosRenegotiation renegotiation)
    {
        // The initiator's records: its handshake, the first part of its data, then the ClientHello or HelloRequest.
        RecordChaos clean = Completed(Clean(ChaosResumption.None, renegotiation));
        bool fromClient = renegotiation == ChaosRenegotiation.Client;
        List<byte[]> sent = fromClient ? clean.Client.Sent : clean.Server.Sent;
        int start = sent.FindIndex(sent.FindIndex(r => r[0] == 23) + 1, r => r[0] == 22);
        RecordChaos run = RecordChaosProperties.Check(Clean(ChaosResumption.None, renegotiation) with { Mutations = [new(fromClient, start, ChaosKind.FlipBit, 9, 2)] });
        RecordChaos.Side receiver = fromClient ? run.Server : run.Client;
        Assert.Equal(ChaosEnd.FailedLocally, receiver.End);
        Assert.Equal(AlertDescription.BadRecordMac, receiver.Error!.Description);
        Assert.Equal(0, receiver.Connection.RenegotiationCount);
    }

    [Theory]
    [InlineData(ChaosRenegotiation.Client)]
    [InlineData(ChaosRenegotiation.Server)]
    public void ADroppedRenegotiationChangeCipherSpecNeverCompletes(ChaosRenegotiation renegotiation)
    {
        // The second change_cipher_spec each side sends is the renegotiation's (protected under the first keys).
        RecordChaos clean = Completed(Clean(ChaosResumption.None, renegotiation));
        foreach (bool fromClient in new[] { true, false })
        {
            List<byte[]> sent = fromClient ? clean.Client.Sent : clean.Server.Sent;
            int ccs = sent.FindLastIndex(r => r[0] == 20);
            RecordChaos run = RecordChaosProperties.Check(Clean(ChaosResumption.None, renegotiation) with { Mutations = [new(fromClient, ccs, ChaosKind.Drop, 0, 0)] });
            RecordChaos.Side receiver = fromClient ? run.Server : run.Client;
            Assert.Equal(ChaosEnd.FailedLocally, receiver.End);
            Assert.Equal(AlertDescription.BadRecordMac, receiver.Error!.Description);
            Assert.NotEqual(ChaosEnd.Completed, run.Client.End);
            Assert.NotEqual(ChaosEnd.Completed, run.Server.End);
        }
    }
}

/// <summary>What a side may still send after its close_notify.</summary>
public class CloseNotifyTests
{
    [Fact]
    public void ARequestedKeyUpdateIsNotAnsweredAfterCloseNotify()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server());
        pair.Handshake();
        pair.Server.Close();
        pair.Client.UpdateKeys(requestPeerUpdate: true);
        byte[] update = ConnectionPair.Drain(pair.Client);
        byte[] closeNotify = ConnectionPair.Drain(pair.Server);
        pair.Client.ReceiveBytes(closeNotify);
        Assert.True(pair.Client.PeerClosed);

        // RFC 8446 section 6.1: close_notify says the sender will send no more messages on this connection.
        pair.Server.ReceiveBytes(update);
        Assert.Equal(1, pair.Server.ReadKeyGeneration);
        Assert.False(pair.Server.HasOutgoing, "a KeyUpdate was sent after close_notify");
        Assert.Equal(0, pair.Server.WriteKeyGeneration);

        // The client, still open, can go on writing; the server reads it under the updated keys.
        pair.Client.WriteApplicationData([1, 2, 3]);
        pair.Server.ReceiveBytes(ConnectionPair.Drain(pair.Client));
        Assert.Equal([1, 2, 3], ConnectionPair.ReadAll(pair.Server));
    }
}
