using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Connection;

/// <summary>What happens to one record on its way.</summary>
public enum ChaosKind
{
    /// <summary>The record never arrives.</summary>
    Drop,

    /// <summary>The record arrives twice in a row.</summary>
    Duplicate,

    /// <summary>The record is held back until the next record in the same direction has gone (or nothing else moves).</summary>
    Reorder,

    /// <summary>One bit of one byte is inverted.</summary>
    FlipBit,

    /// <summary>One byte is taken out.</summary>
    DeleteByte,

    /// <summary>One byte is put in.</summary>
    InsertByte,
}

/// <summary>A change to the <see cref="Record"/>-th record (counting from 0) one side sends.</summary>
public sealed record ChaosMutation(bool FromClient, int Record, ChaosKind Kind, int Position, int Bit)
{
    public override string ToString() => $"{(FromClient ? "client" : "server")} record {Record}: {Kind}" + Kind switch
    {
        ChaosKind.FlipBit => $" byte {Position} bit {Bit}",
        ChaosKind.DeleteByte => $" byte {Position}",
        ChaosKind.InsertByte => $" 0x{Bit * 37 & 0xFF:x2} at {Position}",
        _ => "",
    };
}

/// <summary>How a TLS 1.2 chaos run's handshake begins.</summary>
public enum ChaosResumption
{
    /// <summary>A full handshake.</summary>
    None,

    /// <summary>The client offers the session of a clean earlier handshake by its id (tickets off on both sides).</summary>
    SessionId,

    /// <summary>The client offers the session of a clean earlier handshake by its RFC 5077 ticket.</summary>
    Ticket,
}

/// <summary>Which side of a TLS 1.2 chaos run renegotiates in the middle of its application data.</summary>
public enum ChaosRenegotiation
{
    /// <summary>No renegotiation.</summary>
    None,

    /// <summary>The client sends a new ClientHello (the server allows client renegotiation).</summary>
    Client,

    /// <summary>The server sends a HelloRequest.</summary>
    Server,
}

/// <summary>
/// The connection a chaos run uses, and the changes made to its records. <see cref="Suite"/> indexes the TLS 1.3 suites,
/// or with <see cref="Tls12"/> the TLS 1.2 suites (both sides then speak TLS 1.2 only; Compat, Hrr and KeyUpdate are
/// TLS 1.3's and stay off). TLS 1.2 runs may resume a session (<see cref="Resume"/>) and renegotiate between two parts
/// of the data (<see cref="Renegotiation"/>).
/// </summary>
public sealed record ChaosScenario(
    ChaosMutation[] Mutations,
    int Suite,
    bool Compat,
    bool Hrr,
    bool ClientAuth,
    bool KeyUpdate,
    int Seed,
    bool Tls12 = false,
    ChaosResumption Resume = ChaosResumption.None,
    ChaosRenegotiation Renegotiation = ChaosRenegotiation.None)
{
    /// <summary>The suite both sides enable.</summary>
    internal CipherSuiteInfo SuiteInfo => (Tls12 ? CipherSuiteRegistry.Tls12Suites : CipherSuiteRegistry.Tls13Suites)[Suite];

    public override string ToString() =>
        $"[{string.Join("; ", Mutations.Select(m => m.ToString()))}] suite {SuiteInfo}{(Tls12 ? " (TLS 1.2)" : "")}"
        + $"{(Compat ? " compat" : "")}{(Hrr ? " hrr" : "")}{(ClientAuth ? " clientauth" : "")}{(KeyUpdate ? " keyupdate" : "")}"
        + $"{(Resume != ChaosResumption.None ? $" resume by {Resume}" : "")}{(Renegotiation != ChaosRenegotiation.None ? $" {Renegotiation} renegotiates" : "")} seed {Seed}";
}

/// <summary>How one side ended a chaos run.</summary>
internal enum ChaosEnd
{
    /// <summary>Handshake complete, the peer's data and close_notify received.</summary>
    Completed,

    /// <summary>Failed with an alert it raised itself (and sent).</summary>
    FailedLocally,

    /// <summary>Failed with the peer's alert.</summary>
    FailedByPeer,

    /// <summary>Still waiting when nothing was left in flight: the transport's end of stream ends it with an error.</summary>
    EndOfStream,
}

/// <summary>
/// Runs a client and a server against each other through two record queues that apply a <see cref="ChaosScenario"/>:
/// records are split out of each side's output, changed as the scenario says, and delivered one at a time, alternating
/// directions. When a side completes its handshake it writes its data (with a KeyUpdate in the middle when asked) and
/// closes; with a renegotiation the initiator starts it after the first part of its data and writes the second part
/// while it runs, and each side writes the last part and closes only once the renegotiation has completed on its side.
/// A resumed run first makes its session in a clean handshake between the same configurations. The run ends when nothing moves; it fails the test on any exception other than <see cref="TlsAlertException"/>,
/// and when it does not settle within a bounded number of steps.
/// </summary>
internal sealed class RecordChaos
{
    public const int MaxSteps = 400;

    private readonly ChaosScenario _scenario;
    private readonly Side _client;
    private readonly Side _server;
    private readonly StringBuilder _trace = new();
    private readonly ConnectionPair? _earlier;

    public RecordChaos(ChaosScenario scenario)
    {
        _scenario = scenario;
        CipherSuiteInfo suite = scenario.SuiteInfo;
        TlsConfig client = ConnectionTestKit.Client(new SeededEntropy(scenario.Seed)) with
        {
            CipherSuites = [suite],
            Groups = scenario.Hrr ? [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp256r1] : [KeyExchangeGroups.X25519],
            MiddleboxCompatibility = scenario.Compat,
            AlpnProtocols = [Encoding.ASCII.GetBytes("h2")],
        };
        TlsConfig server = ConnectionTestKit.Server(ServerKeyType.Ed25519) with
        {
            CipherSuites = [suite],
            Groups = scenario.Hrr ? [KeyExchangeGroups.Secp256r1] : [KeyExchangeGroups.X25519],
            MiddleboxCompatibility = scenario.Compat,
            AlpnProtocols = [Encoding.ASCII.GetBytes("h2")],
            Entropy = new SeededEntropy(scenario.Seed + 1),
        };
        if (scenario.Tls12)
        {
            client = client with { MinimumVersion = ProtocolVersion.Tls12, MaximumVersion = ProtocolVersion.Tls12, CipherSuites = [], Tls12CipherSuites = [suite] };
            server = server with
            {
                MinimumVersion = ProtocolVersion.Tls12,
                MaximumVersion = ProtocolVersion.Tls12,
                CipherSuites = [],
                Tls12CipherSuites = [suite],
                DhParameters = ManagedTls.Crypto.KeyExchanges.Ffdhe2048,
            };
            if (suite.Authentication.Algorithm == AuthenticationAlgorithm.Rsa)
            {
                var (der, key) = Tls12HandshakeMatrix.RsaLeaf.Value;
                server = server with { CertificateChain = [der], PrivateKey = key };
            }
        }
        if (scenario.ClientAuth)
        {
            var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256);
            client = client with { CertificateChain = [der], PrivateKey = key };
            server = server with { RequestClientCertificate = true, RequireClientCertificate = true };
        }

        if (scenario.Renegotiation == ChaosRenegotiation.Client)
        {
            server = server with { AllowClientRenegotiation = true };
        }

        if (scenario.Resume != ChaosResumption.None)
        {
            // Both handshakes share the server's cache and ticket keys (the same configuration); the earlier one is clean.
            bool tickets = scenario.Resume == ChaosResumption.Ticket;
            client = client with { StatelessTickets = tickets };
            server = server with { StatelessTickets = tickets, SessionContext = [7, 1, 2] };
            _earlier = new ConnectionPair(client with { Entropy = new SeededEntropy(scenario.Seed + 2) }, server with { Entropy = new SeededEntropy(scenario.Seed + 3) });
            _earlier.Handshake();
            Tls12Session session = _earlier.Client.Tls12Session ?? throw new InvalidOperationException("the earlier handshake made no session");
            Assert.Equal(tickets, session.Ticket is not null);
            client = client with { Tls12ResumptionSession = session };
        }

        var random = new Random(scenario.Seed);
        _server = new Side("server", TlsConnection.CreateServer(server), new byte[20_000 + random.Next(100)]);
        _client = new Side("client", TlsConnection.CreateClient(client), new byte[3_000 + random.Next(100)]);
        random.NextBytes(_client.Data);
        random.NextBytes(_server.Data);
    }

    public Side Client => _client;

    public Side Server => _server;

    public string Trace => _trace.ToString();

    /// <summary>The clean handshake that made the session a resumed run offers, or null.</summary>
    public ConnectionPair? Earlier => _earlier;

    /// <summary>Every mutation that found its record (a scenario may name records that are never sent).</summary>
    public List<ChaosMutation> Applied { get; } = [];

    public int Steps { get; private set; }

    public void Run()
    {
        for (Steps = 0; Steps < MaxSteps; Steps++)
        {
            Collect(_client);
            Collect(_server);
            bool moved = Deliver(_client, _server);
            moved |= Deliver(_server, _client);
            if (moved)
            {
                continue;
            }

            if (_client.Held.Count > 0 || _server.Held.Count > 0)
            {
                Release(_client);
                Release(_server);
                continue;
            }

            foreach (Side side in new[] { _client, _server })
            {
                side.End = side.Connection.Failure switch
                {
                    { Received: true } => ChaosEnd.FailedByPeer,
                    not null => ChaosEnd.FailedLocally,
                    _ when side.Connection.IsHandshakeComplete && side.Connection.PeerClosed => ChaosEnd.Completed,
                    _ => ChaosEnd.EndOfStream,
                };
            }

            return;
        }

        throw new InvalidOperationException($"no end after {MaxSteps} steps");
    }

    // Takes whatever the side has to send, splits it into records and queues them, changed as the scenario says.
    private void Collect(Side from)
    {
        if (!from.Connection.HasOutgoing)
        {
            return;
        }

        byte[] bytes = ConnectionPair.Drain(from.Connection);
        foreach (byte[] record in Records.Split([bytes]))
        {
            int index = from.Sent.Count;
            from.Sent.Add(record);
            byte[]? current = record;
            int copies = 1;
            bool hold = false;
            foreach (ChaosMutation m in _scenario.Mutations.Where(m => m.FromClient == (from == _client) && m.Record == index))
            {
                Applied.Add(m);
                if (current is null)
                {
                    continue;
                }

                switch (m.Kind)
                {
                    case ChaosKind.Drop:
                        current = null;
                        break;
                    case ChaosKind.Duplicate:
                        copies++;
                        break;
                    case ChaosKind.Reorder:
                        hold = true;
                        break;
                    case ChaosKind.FlipBit:
                        current = (byte[])current.Clone();
                        current[m.Position % current.Length] ^= (byte)(1 << m.Bit);
                        break;
                    case ChaosKind.DeleteByte:
                        int at = m.Position % current.Length;
                        current = [.. current.AsSpan(0, at), .. current.AsSpan(at + 1)];
                        break;
                    case ChaosKind.InsertByte:
                        int put = m.Position % (current.Length + 1);
                        current = [.. current.AsSpan(0, put), (byte)(m.Bit * 37), .. current.AsSpan(put)];
                        break;
                }
            }

            _trace.Append($"{from.Name} sends #{index} type {record[0]} len {record.Length}{(current is null ? " (dropped)" : "")}{(hold ? " (held)" : "")}{(copies > 1 ? " (twice)" : "")}\n");
            for (int i = 0; current is not null && i < copies; i++)
            {
                (hold ? from.Held : from.Queue).Enqueue((index, current));
            }

            if (!hold)
            {
                Release(from);
            }
        }
    }

    private static void Release(Side from)
    {
        while (from.Held.Count > 0)
        {
            from.Queue.Enqueue(from.Held.Dequeue());
        }
    }

    // Delivers the next record from one side to the other; false when none waits.
    private bool Deliver(Side from, Side to)
    {
        if (from.Queue.Count == 0)
        {
            return false;
        }

        var (index, record) = from.Queue.Dequeue();
        TlsConnection c = to.Connection;
        if (c.Failure is not null)
        {
            _trace.Append($"  {to.Name} has failed; #{index} discarded\n");
            return true;
        }

        bool wasClosed = c.PeerClosed;
        bool wasComplete = c.IsHandshakeComplete;
        // Both sides hold the same keys when each has read exactly what the other sent so far.
        bool inSync = Faithful(to.Processed.Select(p => p.Record), from.Sent.Take(index), _scenario.Tls12)
            && FaithfulPrefix(from.Processed.Select(p => p.Record), to.Sent, _scenario.Tls12);
        bool intactAlert = from.FailedLocally is { } sent && index == sent.AlertIndex && record.AsSpan().SequenceEqual(from.Sent[index]) && !wasClosed;
        if (!wasClosed)
        {
            to.Processed.Add((index, record));
        }

        try
        {
            c.ReceiveBytes(record);
        }
        catch (TlsAlertException e)
        {
            to.Error = e;
            _trace.Append($"  {to.Name} fails on #{index}: {e.Description}{(e.Received ? " (received)" : "")}: {e.Message}\n");
            Assert.False(wasClosed, $"{to.Name} failed on bytes after the peer's close_notify");
            if (intactAlert && inSync)
            {
                // Everything before arrived as sent, so the peer's alert is readable: we fail with it.
                Assert.True(e.Received, $"{to.Name} got {from.Name}'s {from.FailedLocally!.Value.Description} alert intact but failed with {e.Description} of its own");
                Assert.Equal(from.FailedLocally!.Value.Description, e.Description);
            }

            if (!e.Received)
            {
                Assert.True(c.HasOutgoing, $"{to.Name} failed with {e.Description} without queueing an alert");
                Collect(to);
                to.FailedLocally = (e.Description, to.Sent.Count - 1);
            }

            return true;
        }

        Assert.False(intactAlert && inSync, $"{to.Name} got {from.Name}'s alert intact and did not fail");
        _trace.Append($"  {to.Name} takes #{index}{(c.IsHandshakeComplete && !wasComplete ? ", handshake complete" : "")}{(c.PeerClosed && !wasClosed ? ", peer closed" : "")}\n");
        if (c.IsHandshakeComplete && !to.Acted)
        {
            Act(to);
        }
        else if (to.Acted && to.CloseIndex < 0 && to.Error is null)
        {
            Finish(to);
        }

        return true;
    }

    /// <summary>
    /// True when the bytes of <paramref name="received"/> (chunks as delivered) are the records of <paramref name="sent"/>
    /// up to changes a TLS 1.3 receiver must not notice: dummy change_cipher_spec records added or removed, and the
    /// ignored legacy_record_version of unprotected records (RFC 8446 section 5.1 and appendix D.4).
    /// </summary>
    /// <remarks>
    /// With <paramref name="tls12"/> a TLS 1.2 receiver: every change_cipher_spec counts, and only the record version of
    /// the records before it (unprotected hellos, RFC 5246 appendix E.1) may change unnoticed.
    /// </remarks>
    public static bool Faithful(IEnumerable<byte[]> received, IEnumerable<byte[]> sent, bool tls12 = false) =>
        Normalize(Records.Split(received), tls12).SequenceEqual(Normalize(sent, tls12), StringComparer.Ordinal);

    /// <summary>True when, in the sense of <see cref="Faithful"/>, the records of <paramref name="received"/> are a prefix of <paramref name="sent"/>.</summary>
    public static bool FaithfulPrefix(IEnumerable<byte[]> received, IEnumerable<byte[]> sent, bool tls12 = false)
    {
        List<string> got = Normalize(Records.Split(received), tls12).ToList();
        return got.SequenceEqual(Normalize(sent, tls12).Take(got.Count), StringComparer.Ordinal);
    }

    /// <summary>
    /// True when <paramref name="received"/> begins, in the sense of <see cref="Faithful"/>, with the records of
    /// <paramref name="sent"/> (which end with a close_notify: whatever came after it is ignored).
    /// </summary>
    public static bool FaithfulThrough(IEnumerable<byte[]> received, IEnumerable<byte[]> sent, bool tls12 = false)
    {
        List<string> expected = Normalize(sent, tls12).ToList();
        return Normalize(Records.Split(received), tls12).Take(expected.Count).SequenceEqual(expected, StringComparer.Ordinal);
    }

    private static IEnumerable<string> Normalize(IEnumerable<byte[]> records, bool tls12)
    {
        if (!tls12)
        {
            return records.Where(r => !(r.Length == 6 && r[0] == 20 && r[3] == 0 && r[4] == 1 && r[5] == 1))
                .Select(r => r[0] is 20 or 21 or 22 && r.Length >= 5 ? [r[0], 3, 3, .. r.AsSpan(3)] : r)
                .Select(Convert.ToHexString);
        }

        return Tls12Normalize(records);
    }

    private static IEnumerable<string> Tls12Normalize(IEnumerable<byte[]> records)
    {
        bool protectedRecords = false;
        foreach (byte[] r in records)
        {
            yield return Convert.ToHexString(!protectedRecords && r[0] is 21 or 22 && r.Length >= 5 ? [r[0], 3, 3, .. r.AsSpan(3)] : r);
            protectedRecords |= r[0] == 20;
        }
    }

    // A side that has completed its handshake writes its data (updating keys half way when asked) and closes.
    private void Act(Side side)
    {
        side.Acted = true;
        side.ResumedAtHandshake = side.Connection.SessionReused;
        if (_scenario.Renegotiation != ChaosRenegotiation.None)
        {
            Begin(side);
            return;
        }

        TlsConnection c = side.Connection;
        try
        {
            int half = side.Data.Length / 2;
            c.WriteApplicationData(side.Data.AsSpan(0, half));
            if (_scenario.KeyUpdate)
            {
                c.UpdateKeys(requestPeerUpdate: true);
            }

            c.WriteApplicationData(side.Data.AsSpan(half));
            Collect(side);
            c.Close();
            Collect(side);
            side.CloseIndex = side.Sent.Count - 1;
        }
        catch (TlsAlertException e)
        {
            side.Error = e;
            _trace.Append($"  {side.Name} fails writing: {e.Description}: {e.Message}\n");
        }
    }

    // With a renegotiation: the first third of the data; the initiator then starts the renegotiation and both write the
    // second third (the peer before it sees the renegotiation, the initiator while it runs).
    private void Begin(Side side)
    {
        TlsConnection c = side.Connection;
        int third = side.Data.Length / 3;
        try
        {
            c.WriteApplicationData(side.Data.AsSpan(0, third));
            if ((side == _client) == (_scenario.Renegotiation == ChaosRenegotiation.Client))
            {
                Collect(side);
                c.Renegotiate();
                _trace.Append($"  {side.Name} starts a renegotiation\n");
            }

            c.WriteApplicationData(side.Data.AsSpan(third, third));
            Collect(side);
        }
        catch (TlsAlertException e)
        {
            side.Error = e;
            _trace.Append($"  {side.Name} fails writing: {e.Description}: {e.Message}\n");
        }

        Finish(side);
    }

    // With a renegotiation: once it has completed on this side, the last third of the data and close_notify.
    private void Finish(Side side)
    {
        TlsConnection c = side.Connection;
        if (_scenario.Renegotiation == ChaosRenegotiation.None || c.Failure is not null || c.RenegotiationCount == 0 || c.RenegotiationPending)
        {
            return;
        }

        try
        {
            int third = side.Data.Length / 3;
            c.WriteApplicationData(side.Data.AsSpan(2 * third));
            Collect(side);
            c.Close();
            Collect(side);
            side.CloseIndex = side.Sent.Count - 1;
            _trace.Append($"  {side.Name} renegotiated, writes the rest and closes\n");
        }
        catch (TlsAlertException e)
        {
            side.Error = e;
            _trace.Append($"  {side.Name} fails writing: {e.Description}: {e.Message}\n");
        }
    }

    /// <summary>One endpoint and what went to and from it.</summary>
    internal sealed class Side(string name, TlsConnection connection, byte[] data)
    {
        public string Name => name;

        public TlsConnection Connection => connection;

        /// <summary>The application data this side writes once its handshake is complete.</summary>
        public byte[] Data => data;

        public bool Acted { get; set; }

        /// <summary>Whether the connection reported a reused session when its first handshake completed.</summary>
        public bool ResumedAtHandshake { get; set; }

        public TlsAlertException? Error { get; set; }

        public ChaosEnd End { get; set; }

        /// <summary>The records this side sent, as sent (before any change).</summary>
        public List<byte[]> Sent { get; } = [];

        /// <summary>Records on their way to the peer: (index in <see cref="Sent"/>, bytes as changed).</summary>
        public Queue<(int Index, byte[] Record)> Queue { get; } = new();

        /// <summary>Records held back for reordering.</summary>
        public Queue<(int Index, byte[] Record)> Held { get; } = new();

        /// <summary>The records this side processed (given to it before the peer's close_notify), as they arrived.</summary>
        public List<(int Index, byte[] Record)> Processed { get; } = [];

        /// <summary>The index in <see cref="Sent"/> of this side's close_notify, or -1.</summary>
        public int CloseIndex { get; set; } = -1;

        /// <summary>When this side failed on its own: the alert it sent and the index of that alert's record.</summary>
        public (AlertDescription Description, int AlertIndex)? FailedLocally { get; set; }
    }
}
