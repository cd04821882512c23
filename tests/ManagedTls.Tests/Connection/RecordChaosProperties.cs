using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ManagedTls.CipherSuites;

namespace ManagedTls.Tests.Connection;

/// <summary>FsCheck generators of <see cref="ChaosScenario"/>.</summary>
public static class ChaosArbitraries
{
    public static Arbitrary<ChaosScenario> Scenarios() => Arb.From(RecordChaosProperties.ScenarioGen());
}

/// <summary>FsCheck generators of TLS 1.2 <see cref="ChaosScenario"/>s.</summary>
public static class Tls12ChaosArbitraries
{
    public static Arbitrary<ChaosScenario> Scenarios() => Arb.From(RecordChaosProperties.Tls12ScenarioGen());
}

/// <summary>FsCheck generators of TLS 1.2 <see cref="ChaosScenario"/>s that resume or renegotiate.</summary>
public static class Tls12SessionChaosArbitraries
{
    public static Arbitrary<ChaosScenario> Scenarios() => Arb.From(RecordChaosProperties.Tls12SessionScenarioGen());
}

/// <summary>
/// Records dropped, duplicated, reordered or changed in single bits or bytes, in either direction, during the handshake
/// and the data phase, end every run within a bounded number of steps with each side either failed by an alert (its own,
/// sent to the peer, or the peer's) or waiting on a transport that ends — or, when the changes were ones TLS 1.3
/// must tolerate, with both sides complete and the data intact. Never another exception, never InternalError, never a
/// side that completes after reading something other than what was sent.
/// </summary>
public class RecordChaosProperties
{
    /// <summary>The replayed FsCheck seed: the same scenarios on every run. Change it (or remove Replay) to explore others.</summary>
    private const string ReplaySeed = "(4223372036854775807,13835058055282163729)";

    internal static Gen<ChaosMutation> MutationGen() =>
        from fromClient in Gen.Elements(true, false)
        from record in Gen.Choose(0, 9)
        from kind in Gen.Elements(Enum.GetValues<ChaosKind>())

        // A quarter of the byte changes hit the 5-byte record header.
        from position in Gen.Frequency((1, Gen.Choose(0, 4)), (3, Gen.Choose(0, 3000)))
        from bit in Gen.Choose(0, 7)
        select new ChaosMutation(fromClient, record, kind, position, bit);

    internal static Gen<ChaosScenario> ScenarioGen() =>
        from count in Gen.Choose(1, 3)
        from mutations in MutationGen().ArrayOf(count)
        from suite in Gen.Choose(0, CipherSuiteRegistry.Tls13Suites.Count - 1)
        from compat in Gen.Elements(true, false)
        from hrr in Gen.Elements(true, false)
        from clientAuth in Gen.Elements(true, false)
        from keyUpdate in Gen.Elements(true, false)
        from seed in Gen.Choose(0, 1_000_000)
        select new ChaosScenario(mutations, suite, compat, hrr, clientAuth, keyUpdate, seed);

    /// <summary>TLS 1.2 scenarios: any TLS 1.2 suite (ECDHE, DHE, RSA key transport; AEAD and CBC with encrypt_then_mac), client authentication or not.</summary>
    internal static Gen<ChaosScenario> Tls12ScenarioGen() =>
        from count in Gen.Choose(1, 3)
        from mutations in MutationGen().ArrayOf(count)
        from suite in Gen.Choose(0, CipherSuiteRegistry.Tls12Suites.Count - 1)
        from clientAuth in Gen.Elements(true, false)
        from seed in Gen.Choose(0, 1_000_000)
        select new ChaosScenario(mutations, suite, Compat: false, Hrr: false, clientAuth, KeyUpdate: false, seed, Tls12: true);

    /// <summary>
    /// TLS 1.2 scenarios that resume a session (by id or ticket: the abbreviated flow, the server's change_cipher_spec
    /// and Finished first) or renegotiate in the middle of the data (the client, or the server by HelloRequest), or
    /// both; the changes reach further into each side's records, where the renegotiation's are.
    /// </summary>
    internal static Gen<ChaosScenario> Tls12SessionScenarioGen() =>
        from count in Gen.Choose(1, 3)
        from mutations in (from m in MutationGen() from record in Gen.Choose(0, 12) select m with { Record = record }).ArrayOf(count)
        from suite in Gen.Choose(0, CipherSuiteRegistry.Tls12Suites.Count - 1)
        from clientAuth in Gen.Elements(true, false)
        from resume in Gen.Elements(Enum.GetValues<ChaosResumption>())
        from renegotiation in Gen.Elements(Enum.GetValues<ChaosRenegotiation>())
        where resume != ChaosResumption.None || renegotiation != ChaosRenegotiation.None
        from seed in Gen.Choose(0, 1_000_000)
        select new ChaosScenario(mutations, suite, Compat: false, Hrr: false, clientAuth, KeyUpdate: false, seed, Tls12: true, resume, renegotiation);

    [Property(MaxTest = 400, Replay = ReplaySeed, Arbitrary = [typeof(ChaosArbitraries)])]
    public void ChangedRecordsEndInAlertsOrAreHarmless(ChaosScenario scenario) => Check(scenario);

    /// <summary>
    /// The same over TLS 1.2, where nothing may change unnoticed but the record version of the hellos: a dropped,
    /// repeated or moved change_cipher_spec is as fatal as any other record's.
    /// </summary>
    [Property(MaxTest = 250, Replay = ReplaySeed, Arbitrary = [typeof(Tls12ChaosArbitraries)])]
    public void ChangedTls12RecordsEndInAlertsOrAreHarmless(ChaosScenario scenario)
    {
        Assert.True(scenario.Tls12);
        Check(scenario);
    }

    /// <summary>
    /// The same with TLS 1.2 resumption and renegotiation: a run that completes resumed when asked (both sides) and
    /// renegotiated exactly once (both sides) with all three parts of the data in order.
    /// </summary>
    [Property(MaxTest = 120, Replay = ReplaySeed, Arbitrary = [typeof(Tls12SessionChaosArbitraries)])]
    public void ChangedRecordsInTls12ResumptionAndRenegotiationEndInAlertsOrAreHarmless(ChaosScenario scenario)
    {
        Assert.True(scenario.Tls12);
        Assert.True(scenario.Resume != ChaosResumption.None || scenario.Renegotiation != ChaosRenegotiation.None);
        Check(scenario);
    }

    /// <summary>Runs one scenario and checks how both sides ended; returns the run for further checks.</summary>
    internal static RecordChaos Check(ChaosScenario scenario)
    {
        var run = new RecordChaos(scenario);
        try
        {
            run.Run();
            Assert.InRange(run.Steps, 0, RecordChaos.MaxSteps - 1);
            foreach (var (side, peer) in new[] { (run.Client, run.Server), (run.Server, run.Client) })
            {
                switch (side.End)
                {
                    case ChaosEnd.Completed:
                        // Only what TLS 1.3 must tolerate may have changed on the way, and the data is exactly what was written.
                        Assert.True(peer.CloseIndex >= 0, $"{side.Name} saw a close_notify {peer.Name} never sent");
                        Assert.True(
                            RecordChaos.FaithfulThrough(side.Processed.Select(p => p.Record), peer.Sent.Take(peer.CloseIndex + 1), scenario.Tls12),
                            $"{side.Name} completed although what it read differs from what {peer.Name} sent");
                        Assert.Equal(peer.Data, ConnectionPair.ReadAll(side.Connection));
                        Assert.Null(side.Error);
                        Assert.Equal(scenario.Resume != ChaosResumption.None, side.ResumedAtHandshake);

                        // A renegotiation is a full handshake: after it the session is no longer reported as reused.
                        Assert.Equal(scenario.Resume != ChaosResumption.None && scenario.Renegotiation == ChaosRenegotiation.None, side.Connection.SessionReused);
                        Assert.Equal(scenario.Renegotiation != ChaosRenegotiation.None ? 1 : 0, side.Connection.RenegotiationCount);
                        break;
                    case ChaosEnd.FailedLocally or ChaosEnd.FailedByPeer:
                        Assert.Same(side.Error, side.Connection.Failure);
                        Assert.NotEqual(AlertDescription.InternalError, side.Error!.Description);
                        Assert.NotEqual(AlertDescription.CloseNotify, side.Error.Description);
                        if (side.End == ChaosEnd.FailedByPeer)
                        {
                            Assert.Equal(ChaosEnd.FailedLocally, peer.End);
                            Assert.Equal(peer.Error!.Description, side.Error.Description);
                        }

                        break;
                    default:
                        // Waiting with nothing in flight: a record it needs was lost. It must not have read the peer's close_notify.
                        Assert.False(side.Connection.IsHandshakeComplete && side.Connection.PeerClosed);
                        Assert.Null(side.Error);
                        break;
                }
            }

            bool untouched = run.Applied.Count == 0;
            if (untouched)
            {
                Assert.Equal(ChaosEnd.Completed, run.Client.End);
                Assert.Equal(ChaosEnd.Completed, run.Server.End);
            }
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"{scenario}\napplied: {string.Join("; ", run.Applied)}\nclient {run.Client.End} {run.Client.Error?.Description}, server {run.Server.End} {run.Server.Error?.Description}\n{e.Message}\n{run.Trace}", e);
        }
        finally
        {
            run.Client.Connection.Dispose();
            run.Server.Connection.Dispose();
            run.Earlier?.Client.Tls12Session?.Dispose();
            run.Earlier?.Dispose();
        }

        return run;
    }
}
