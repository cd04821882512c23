using System.Text;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Fuzz;

/// <summary>
/// Writes the seed corpora of the connection targets (<see cref="ConnectionFuzzTargets"/>) from real transcripts:
/// for every configuration and both roles, the fuzzed side (built exactly as the targets build it) and a real
/// peer run a handshake and a scenario in memory, and what the peer sent, with what the fuzzed side did, is
/// written in each target's input format. Everything is deterministic, so the seeds replay exactly.
/// </summary>
internal static class SeedGenerator
{
    private static readonly (string Name, Action<Session> Run)[] Scenarios =
    [
        ("data", s =>
        {
            s.Pump();
            s.Peer(p => p.WriteApplicationData(Ascii("GET / HTTP/1.1\r\n\r\n")));
            s.Pump();
            s.Act(0, Ascii("HTTP/1.1 204 No Content\r\n\r\n"));
            s.Pump();
            s.Peer(p => p.Close());
            s.Pump();
        }),
        ("keyupdate", s =>
        {
            s.Pump();
            s.Peer(p => p.UpdateKeys(requestPeerUpdate: true));
            s.Peer(p => p.WriteApplicationData(Ascii("after a key update")));
            s.Pump();
            s.Act(1, []);
            s.Pump();
            s.Peer(p => p.UpdateKeys(requestPeerUpdate: false));
            s.Peer(p => p.WriteApplicationData(Ascii("and another")));
            s.Pump();
            s.Peer(p => p.Close());
            s.Pump();
        }),
        ("post_handshake_auth", s =>
        {
            s.Pump();
            if (s.FuzzServer)
            {
                s.Act(3, []);
            }
            else
            {
                s.Peer(p => p.RequestClientCertificatePostHandshake());
            }

            s.Pump();
            s.Peer(p => p.WriteApplicationData(Ascii("authenticated")));
            s.Pump();
        }),
        ("close", s =>
        {
            s.Pump();
            s.Act(4, []);
            s.Pump();
            s.Peer(p => p.Close());
            s.Pump();
        }),
        ("records", s =>
        {
            s.Pump();
            s.Inject(0, (byte)ContentType.Alert, [1, (byte)AlertDescription.UserCanceled]);
            s.Inject(0, (byte)ContentType.ApplicationData, []);
            s.Inject(1, (byte)ContentType.ApplicationData, Ascii("padded"), padding: 32);
            if (!s.FuzzServer)
            {
                byte[] ticket = new NewSessionTicket13(7200, 0x01020304, [9], Enumerable.Repeat((byte)0x5a, 48).ToArray(), new ExtensionBlock()).Encode();
                s.Inject(0, (byte)ContentType.Handshake, ticket);
            }

            s.Inject(0, (byte)ContentType.Handshake, new KeyUpdate(updateRequested: true).Encode());
            s.Inject(0, (byte)ContentType.ApplicationData, Ascii("under the next keys"));
            s.Inject(0, (byte)ContentType.Alert, [1, (byte)AlertDescription.CloseNotify]);
        }),
        ("fatal_alert", s =>
        {
            s.Pump();
            s.Inject(0, (byte)ContentType.Alert, [2, (byte)AlertDescription.BadRecordMac]);
        }),
    ];

    /// <summary>Writes every seed under <paramref name="corpusDir"/> (one folder per target); returns how many.</summary>
    public static int Write(string corpusDir)
    {
        int count = 0;
        foreach (bool fuzzServer in new[] { true, false })
        {
            string role = fuzzServer ? "server" : "client";
            for (int v = 0; v < ConnectionFuzzFixture.Variants; v++)
            {
                byte[] recorded = ConnectionFuzzFixture.Recorded(v).From(peerIsClient: fuzzServer);
                int helloPrefix = ConnectionFuzzFixture.UnprotectedPrefix(recorded);
                foreach ((string name, Action<Session> run) in Scenarios)
                {
                    using var session = new Session(fuzzServer, v);
                    run(session);
                    string file = $"seed-v{v}-{name}";
                    bool phaFlag = fuzzServer && name == "post_handshake_auth";
                    byte selector = (byte)(v | (phaFlag ? 0x10 : 0));
                    byte[] raw = session.Wire();
                    count += Save(corpusDir, role, file, [selector, 0, .. raw]);
                    if (name == "data")
                    {
                        count += Save(corpusDir, role, file + "-chunk7", [selector, 7, .. raw]);
                    }

                    count += Save(corpusDir, role + "_after_hello", file, [(byte)v, .. session.Ops(recorded.AsSpan(0, helloPrefix))]);
                    count += Save(corpusDir, "traffic", $"seed-{role}-v{v}-{name}", [(byte)(v | (fuzzServer ? 0 : 0x80)), .. session.Ops(recorded)]);
                }
            }
        }

        return count;
    }

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static int Save(string corpusDir, string target, string name, byte[] data)
    {
        if (!ConnectionFuzzTargets.All.TryGetValue(target, out var entry))
        {
            throw new InvalidOperationException($"no target {target}");
        }

        string dir = Path.Combine(corpusDir, target);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, name), data);

        // A seed is a real transcript: it runs to its end without a failure, but for the one ending in a fatal alert.
        string? failure = null;
        try
        {
            entry(data);
        }
        catch (TlsAlertException e)
        {
            failure = e.Message;
        }

        if ((failure is null) == name.Contains("fatal_alert"))
        {
            throw new InvalidOperationException($"the seed {target}/{name} {(failure is null ? "did not fail" : "failed: " + failure)}");
        }

        return 1;
    }

    /// <summary>One scenario: the fuzzed side as the targets build it, a real peer, and what happened between them.</summary>
    private sealed class Session : IDisposable
    {
        private readonly ConnectionFuzzPeer _keys;
        private readonly TlsConnection _fuzzed;
        private readonly TlsConnection _peer;
        private readonly List<Event> _events = [];

        public Session(bool fuzzServer, int variant)
        {
            FuzzServer = fuzzServer;
            _keys = new ConnectionFuzzPeer(peerIsClient: fuzzServer);
            TlsConfig mine = ConnectionFuzzFixture.Settings(fuzzServer, variant, _keys.OnKeyLog);
            TlsConfig theirs = ConnectionFuzzFixture.Settings(!fuzzServer, variant);
            _fuzzed = fuzzServer ? TlsConnection.CreateServer(mine) : TlsConnection.CreateClient(mine);
            _peer = fuzzServer ? TlsConnection.CreateClient(theirs) : TlsConnection.CreateServer(theirs);
            _keys.Connection = _fuzzed;
        }

        public bool FuzzServer { get; }

        /// <summary>Moves bytes both ways until both sides are quiet; the peer's bytes are recorded record by record.</summary>
        public void Pump()
        {
            for (int round = 0; round < 16 && (_fuzzed.HasOutgoing || _peer.HasOutgoing); round++)
            {
                if (_fuzzed.HasOutgoing)
                {
                    _peer.ReceiveBytes(ConnectionFuzzFixture.Drain(_fuzzed));
                }

                if (_peer.HasOutgoing)
                {
                    Deliver(ConnectionFuzzFixture.Drain(_peer));
                }
            }
        }

        /// <summary>Something the real peer does (its bytes move at the next <see cref="Pump"/>).</summary>
        public void Peer(Action<TlsConnection> action) => action(_peer);

        /// <summary>An action of the fuzzed side (an op of kind 3).</summary>
        public void Act(byte code, byte[] argument)
        {
            switch (code)
            {
                case 0:
                    _fuzzed.WriteApplicationData(argument);
                    break;
                case 1 or 2:
                    _fuzzed.UpdateKeys(requestPeerUpdate: code == 2);
                    break;
                case 3:
                    // In the raw server target the request is made by selector bit 4 once the handshake completes.
                    _fuzzed.RequestClientCertificatePostHandshake();
                    break;
                case 4:
                    _fuzzed.Close();
                    break;
            }

            _events.Add(new Event(null, [3, 0, (byte)(1 + argument.Length), code, .. argument]));
        }

        /// <summary>
        /// A record no real peer sends here, protected under the peer's keys as the targets would (op kind 0 or 1);
        /// the real peer sends nothing after it, its sequence numbers being spent.
        /// </summary>
        public void Inject(byte kind, byte type, byte[] content, int padding = 0)
        {
            byte[] wire = _keys.Record(type, content, padding, protectAlways: kind == 1);
            byte[] payload = kind == 1 ? [type, (byte)padding, .. content] : [type, .. content];
            _events.Add(new Event(wire, [kind, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload]));
            if (_fuzzed.Failure is null)
            {
                try
                {
                    _fuzzed.ReceiveBytes(wire);
                }
                catch (TlsAlertException e) when (e.Received)
                {
                }
            }
        }

        /// <summary>Every byte the peer sent, as the raw targets take it.</summary>
        public byte[] Wire() => _events.Where(e => e.Wire is not null).SelectMany(e => e.Wire!).ToArray();

        /// <summary>The ops after the replayed <paramref name="prefix"/> (which must be where the peer's bytes start).</summary>
        public byte[] Ops(ReadOnlySpan<byte> prefix)
        {
            var ops = new List<byte>();
            int skipped = 0;
            foreach (Event e in _events)
            {
                if (e.Wire is not null && skipped < prefix.Length)
                {
                    if (!prefix.Slice(skipped, Math.Min(e.Wire.Length, prefix.Length - skipped)).SequenceEqual(e.Wire))
                    {
                        throw new InvalidOperationException("the peer's bytes do not start with the recorded prefix");
                    }

                    skipped += e.Wire.Length;
                    continue;
                }

                ops.AddRange(e.Op);
            }

            return [.. ops];
        }

        public void Dispose()
        {
            _fuzzed.Dispose();
            _peer.Dispose();
            _keys.Dispose();
        }

        private void Deliver(byte[] bytes)
        {
            _fuzzed.ReceiveBytes(bytes);
            foreach (FuzzPeerRecord r in _keys.Observe(bytes))
            {
                byte[] payload = r.Protected ? [r.Type, .. r.Content] : r.Wire;
                byte kind = r.Protected ? (byte)0 : (byte)2;
                _events.Add(new Event(r.Wire, [kind, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload]));
            }
        }

        /// <summary>One step: the peer's record on the wire (null for an action) and the same as an op.</summary>
        private sealed record Event(byte[]? Wire, byte[] Op);
    }
}
