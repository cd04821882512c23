using System.Diagnostics;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Testing;

/// <summary>Running a script.</summary>
public sealed partial class TlsScript
{
    /// <summary>
    /// Runs every step against <paramref name="target"/> (opened first; disposed by the caller). Throws
    /// <see cref="ScriptMismatchException"/> at the first step that does not get what it expects or cannot run.
    /// </summary>
    /// <param name="target">The system under test.</param>
    /// <returns>What arrived, the tickets issued, the target's failure if any.</returns>
    public ScriptResult Run(ITlsTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var run = new ScriptRun(this, target);
        run.Execute(_steps.Select(s => (s.Name, s.Execute)).ToArray());
        return run.Result;
    }
}

/// <summary>The state of one run: channel, key tracking, clock and what has been received.</summary>
internal sealed class ScriptRun : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<byte> _carry = [];
    private int _stepIndex;
    private string _stepName = "open";

    public ScriptRun(TlsScript script, ITlsTarget target)
    {
        Script = script;
        Target = target;
        Channel = new ScriptChannel(target);
        Peer = new ScriptPeer(script.IsClient, Channel, script.Options);
        Channel.Peer = Peer;
    }

    public TlsScript Script { get; }

    public ITlsTarget Target { get; }

    public ScriptChannel Channel { get; }

    public ScriptPeer Peer { get; }

    public ScriptResult Result { get; } = new();

    private TimeSpan Timeout => Script.Options.Timeout;

    public void Execute(IReadOnlyList<(string Name, Action<ScriptRun> Execute)> steps)
    {
        try
        {
            Target.Open(Timeout);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Mismatch("the target to open", $"{e.GetType().Name}: {e.Message}", e);
        }

        for (_stepIndex = 0; _stepIndex < steps.Count; _stepIndex++)
        {
            _stepName = steps[_stepIndex].Name;
            try
            {
                steps[_stepIndex].Execute(this);
                Channel.FlushHandshake();
            }
            catch (ScriptMismatchException)
            {
                throw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw Mismatch("the step to run", $"{e.GetType().Name}: {e.Message}", e);
            }
        }

        Drain();
        Finish();
    }

    public void Dispose()
    {
        Peer.Dispose();
        Channel.Dispose();
    }

    public ClientHello RequirePeerHello() => Peer.PeerHello
        ?? throw new InvalidOperationException("no parsable ClientHello has been received (expect one first)");

    public byte[] RequireTranscriptHash() => Peer.Transcript.IsAlgorithmKnown
        ? Peer.Transcript.GetCurrentHash()
        : throw new InvalidOperationException("the transcript hash is not known yet (no ServerHello)");

    /// <summary>Sends one built message after <paramref name="edit"/> had its say (null from the hook leaves it out).</summary>
    public void SendEdited(HandshakeBuilder message, Func<HandshakeBuilder, HandshakeBuilder?>? edit, SendOptions? options = null)
    {
        HandshakeBuilder? final = edit is null ? message : edit(message);
        if (final is not null)
        {
            Channel.QueueHandshake(final.Encode(), options ?? SendOptions.Default);
        }
    }

    /// <summary>
    /// Sends change_cipher_spec: always when forced, else once and only in TLS 1.3 compatibility mode. In TLS 1.2 the
    /// pending write keys, if any, protect what is sent after it.
    /// </summary>
    public void SendCompatibilityCcs(bool force)
    {
        if (!force && (Peer.SentChangeCipherSpec || !Script.Options.MiddleboxCompatibility || Peer.IsTls12))
        {
            return;
        }

        Peer.SentChangeCipherSpec = true;
        Channel.SendRecord(ContentType.ChangeCipherSpec, [1], protect: Peer.IsTls12 && Channel.HasTls12WriteKeys, SendOptions.Default);
        Peer.OnChangeCipherSpecSent();
    }

    /// <summary>The failure of the current step: <paramref name="expected"/> did not happen, <paramref name="actual"/> did.</summary>
    public ScriptMismatchException Fail(string expected, string actual) => Mismatch(expected, actual);

    public ReceivedMessage ExpectMessage(HandshakeType type, Func<ReceivedMessage, bool>? predicate, string expected) =>
        ExpectMessage(m => m.Type == type && (predicate is null || predicate(m)), expected, type);

    public ReceivedMessage ExpectMessage(Func<ReceivedMessage, bool> match, string expected, HandshakeType? type = null)
    {
        ScriptEvent? e = Next(e => Skippable(e, type));
        if (e is ScriptEvent.Message m && match(m.Value))
        {
            return m.Value;
        }

        throw Mismatch(expected, Describe(e));
    }

    public void ExpectAlert(Func<ReceivedAlert, bool> match, string expected)
    {
        ScriptEvent? e = Next(e => Skippable(e, null));
        if (e is ScriptEvent.Alert a && match(a.Value))
        {
            return;
        }

        throw Mismatch(expected, Describe(e));
    }

    public void ExpectClose()
    {
        ScriptEvent? e = Next(e => Skippable(e, null));
        if (e is ScriptEvent.Eof or ScriptEvent.Alert { Value.Description: AlertDescription.CloseNotify })
        {
            return;
        }

        throw Mismatch("close_notify or the end of the stream", Describe(e));
    }

    public void ExpectApplicationData(byte[] expected)
    {
        while (_carry.Count < expected.Length)
        {
            ScriptEvent? e = Next(e => Skippable(e, null));
            if (e is not ScriptEvent.ApplicationData data)
            {
                throw Mismatch($"application data {Hex.Format(expected)}", _carry.Count == 0 ? Describe(e) : $"{Hex.Format(_carry.ToArray())} then {Describe(e)}");
            }

            _carry.AddRange(data.Data);
        }

        byte[] got = _carry.Take(expected.Length).ToArray();
        _carry.RemoveRange(0, expected.Length);
        if (!got.AsSpan().SequenceEqual(expected))
        {
            throw Mismatch($"application data {Hex.Format(expected)}", $"application data {Hex.Format(got)}");
        }
    }

    public void ExpectApplicationRecord(Func<byte[], bool>? predicate)
    {
        if (_carry.Count > 0)
        {
            byte[] carried = [.. _carry];
            _carry.Clear();
            if (predicate is null || predicate(carried))
            {
                return;
            }

            throw Mismatch("application data satisfying the predicate", $"application data {Hex.Format(carried)}");
        }

        ScriptEvent? e = Next(e => Skippable(e, null));
        if (e is ScriptEvent.ApplicationData data && (predicate is null || predicate(data.Data)))
        {
            return;
        }

        throw Mismatch(predicate is null ? "application data" : "application data satisfying the predicate", Describe(e));
    }

    public void ExpectChangeCipherSpec()
    {
        ScriptEvent? e = Next(e => e is ScriptEvent.Message { Value.Type: HandshakeType.NewSessionTicket } && Script.Options.IgnoreNewSessionTickets);
        if (e is ScriptEvent.ChangeCipherSpec)
        {
            return;
        }

        throw Mismatch("change_cipher_spec", Describe(e));
    }

    public void ExpectNothing(TimeSpan duration)
    {
        TimeSpan deadline = _clock.Elapsed + duration;
        while (true)
        {
            while (Channel.Events.Count > 0)
            {
                ScriptEvent e = Take();
                if (!Skippable(e, null))
                {
                    throw Mismatch($"nothing for {duration.TotalMilliseconds:0} ms", Describe(e));
                }
            }

            if (_clock.Elapsed >= deadline)
            {
                return;
            }

            if (!Channel.Fill(_clock, deadline) && Target.IsSynchronous)
            {
                return;
            }
        }
    }

    private bool Skippable(ScriptEvent e, HandshakeType? expecting) => e switch
    {
        ScriptEvent.ChangeCipherSpec => Script.Options.IgnoreChangeCipherSpec,
        ScriptEvent.Message { Value.Type: HandshakeType.NewSessionTicket } => Script.Options.IgnoreNewSessionTickets && expecting != HandshakeType.NewSessionTicket,
        _ => false,
    };

    /// <summary>The next event that is not skipped, reading from the target until the timeout; null when nothing came.</summary>
    private ScriptEvent? Next(Func<ScriptEvent, bool> skip)
    {
        TimeSpan deadline = _clock.Elapsed + Timeout;
        while (true)
        {
            while (Channel.Events.Count > 0)
            {
                ScriptEvent e = Take();
                if (!skip(e))
                {
                    return e;
                }
            }

            if (!Channel.Fill(_clock, deadline) && (Target.IsSynchronous || _clock.Elapsed >= deadline))
            {
                return null;
            }
        }
    }

    /// <summary>Removes the first event and records it in the result.</summary>
    private ScriptEvent Take()
    {
        ScriptEvent e = Channel.Events[0];
        Channel.Events.RemoveAt(0);
        switch (e)
        {
            case ScriptEvent.Message m:
                Result.MessageList.Add(m.Value);
                break;
            case ScriptEvent.Alert a:
                Result.AlertList.Add(a.Value);
                break;
            case ScriptEvent.ApplicationData d:
                Result.AppData.Write(d.Data);
                break;
        }

        return e;
    }

    /// <summary>Records events already read but not consumed by a step.</summary>
    private void Drain()
    {
        while (Channel.Events.Count > 0)
        {
            Take();
        }
    }

    private void Finish()
    {
        Result.Tickets = Peer.Tickets.ToArray();
        Result.TargetFailure = Target.Failure;
        Result.CipherSuite = Peer.Suite?.Suite;
        Result.Group = Peer.Group;
        Result.HelloRetried = Peer.HelloRetried;
        Result.Resumed = Peer.Resumed;
        Result.HandshakeComplete = Peer.Phase == ScriptPhase.Traffic;
        Result.Version = Peer.Version;
        Result.ExtendedMasterSecret = Peer.Agreement12?.ExtendedMasterSecret ?? false;
        Result.EncryptThenMac = Peer.Agreement12?.EncryptThenMac ?? false;
        Result.Notes = Peer.Notes.ToArray();
    }

    private string Describe(ScriptEvent? e) => e switch
    {
        null when Target.IsSynchronous => "nothing (the target produced no more bytes)",
        null => $"nothing within {Timeout.TotalSeconds:0.###} s",
        _ => e.ToString(),
    };

    private ScriptMismatchException Mismatch(string expected, string actual, Exception? inner = null)
    {
        Drain();
        Finish();
        string notes = Peer.Notes.Count > 0 ? $" (key tracking: {string.Join("; ", Peer.Notes)})" : "";
        return new ScriptMismatchException(_stepIndex, _stepName, expected, actual + notes, Target.Failure, Result, inner);
    }
}
