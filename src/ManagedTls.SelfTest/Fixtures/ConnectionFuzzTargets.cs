using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;

namespace ManagedTls.Connection;

/// <summary>
/// Fuzzing entry points that drive a whole <see cref="TlsConnection"/> from a peer's bytes, shared by the fuzz
/// harness and the corpus replay test. Every connection lives in <see cref="ConnectionFuzzFixture"/>'s fixed world,
/// so an input always runs the same way. The only outcome allowed besides success is
/// <see cref="TlsAlertException"/> (the connection failed, and the target ends with it), and then the connection
/// must have queued the alert (unless it received one) and it must not be <c>internal_error</c>; a broken rule is an
/// <see cref="InvalidOperationException"/>, which the harness treats as a crash, like any other exception.
/// </summary>
/// <remarks>
/// <para>Selector byte (first): bits 0-3 modulo 5 pick the configuration (<see cref="ConnectionFuzzFixture"/>).</para>
/// <para><c>server</c>, <c>client</c>: <c>selector chunk bytes...</c>. A server, or a client whose ClientHello was
/// taken, receives the bytes as its peer's, in pieces of <c>chunk</c> bytes (0: one record at a time). With
/// selector bit 4 set, once its handshake is complete the server asks for a client certificate and the client
/// updates its keys and asks for the peer's, once.</para>
/// <para><c>server_after_hello</c>, <c>client_after_hello</c>: <c>selector op...</c>. The peer's unprotected first
/// records of the configuration's recorded handshake (its hello, and the HelloRetryRequest exchange) are replayed
/// first, then the ops run. <c>traffic</c>: the same, but the peer's whole handshake (with the server's tickets)
/// is replayed first; selector bit 7 set fuzzes the client, clear the server.</para>
/// <para>An op is <c>kind u16-length payload</c>; kind modulo 4: 0 a record, payload <c>type content</c>,
/// protected under the peer's current keys once it has them (<see cref="ConnectionFuzzPeer"/>), except
/// change_cipher_spec; 1 a padded record, payload <c>type padding content</c>, always protected once there are keys;
/// 2 raw bytes; 3 an action of the fuzzed side, payload <c>code argument</c>, code modulo 6: 0 write the argument
/// as application data, 1 update keys, 2 update keys and request the peer's, 3 request a client certificate
/// (server), 4 close, 5 deliver in pieces of <c>argument[0]</c> bytes from now on (0: one record at a time).
/// Actions whose preconditions do not hold are skipped.</para>
/// </remarks>
internal static class ConnectionFuzzTargets
{
    /// <summary>Target name to entry point.</summary>
    public static IReadOnlyDictionary<string, WireFuzzTarget> All { get; } = new Dictionary<string, WireFuzzTarget>
    {
        ["server"] = d => Raw(server: true, d),
        ["client"] = d => Raw(server: false, d),
        ["server_after_hello"] = d => Scripted(server: true, wholeHandshake: false, d),
        ["client_after_hello"] = d => Scripted(server: false, wholeHandshake: false, d),
        ["traffic"] = d => Scripted(server: d.IsEmpty || (d[0] & 0x80) == 0, wholeHandshake: true, d),
    };

    /// <summary>The configuration a selector byte stands for.</summary>
    public static int VariantOf(byte selector) => (selector & 0x0F) % ConnectionFuzzFixture.Variants;

    private static void Raw(bool server, ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            return;
        }

        using var run = new Run(server, VariantOf(data[0]), peer: null) { Chunk = data[1], ActOnceComplete = (data[0] & 0x10) != 0 };
        run.Deliver(data.Slice(2));
    }

    private static void Scripted(bool server, bool wholeHandshake, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        int variant = VariantOf(data[0]);
        byte[] recorded = ConnectionFuzzFixture.Recorded(variant).From(peerIsClient: server);
        ReadOnlySpan<byte> prefix = recorded.AsSpan(0, wholeHandshake ? recorded.Length : ConnectionFuzzFixture.UnprotectedPrefix(recorded));
        using var peer = new ConnectionFuzzPeer(peerIsClient: server);
        using var run = new Run(server, variant, peer);
        try
        {
            run.Deliver(prefix);
        }
        catch (TlsAlertException e)
        {
            throw new InvalidOperationException($"the recorded handshake {variant} no longer replays: {e.Message}", e);
        }

        peer.Observe(prefix);
        data = data.Slice(1);
        while (data.Length >= 3)
        {
            byte kind = data[0];
            int length = Math.Min(data.Length - 3, (data[1] << 8) | data[2]);
            ReadOnlySpan<byte> payload = data.Slice(3, length);
            data = data.Slice(3 + length);
            switch (kind % 4)
            {
                case 0 when payload.Length >= 1:
                    run.Deliver(peer.Record(payload[0], payload.Slice(1), padding: 0, protectAlways: false));
                    break;
                case 1 when payload.Length >= 2:
                    run.Deliver(peer.Record(payload[0], payload.Slice(2), padding: payload[1], protectAlways: true));
                    break;
                case 2:
                    run.Deliver(payload);
                    break;
                case 3 when payload.Length >= 1:
                    run.Act(payload[0], payload.Slice(1));
                    break;
            }
        }
    }

    /// <summary>One fuzzed connection: delivers bytes, runs actions, and checks how every failure ends.</summary>
    private sealed class Run : IDisposable
    {
        private readonly byte[] _scratch = new byte[1024];
        private bool _acted;

        public Run(bool server, int variant, ConnectionFuzzPeer? peer)
        {
            TlsConfig settings = ConnectionFuzzFixture.Settings(server, variant, peer is null ? null : peer.OnKeyLog);
            Connection = server ? TlsConnection.CreateServer(settings) : TlsConnection.CreateClient(settings);
            if (peer is not null)
            {
                peer.Connection = Connection;
            }

            ConnectionFuzzFixture.Drain(Connection);
        }

        public TlsConnection Connection { get; }

        /// <summary>Piece size for <see cref="Deliver"/>: 0 delivers one record at a time.</summary>
        public int Chunk { get; set; }

        /// <summary>Once the handshake is complete, request a client certificate (server) or a key update (client), once.</summary>
        public bool ActOnceComplete { get; init; }

        public void Deliver(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                int n = Chunk > 0 ? Chunk : RecordLength(bytes);
                byte[] piece = bytes.Slice(0, Math.Min(n, bytes.Length)).ToArray();
                bytes = bytes.Slice(piece.Length);
                Call(c => c.ReceiveBytes(piece));
                while (Connection.ReadApplicationData(_scratch) > 0)
                {
                }

                if (ActOnceComplete && !_acted && Connection.IsHandshakeComplete)
                {
                    _acted = true;
                    Act(Connection.IsClient ? (byte)2 : (byte)3, []);
                }
            }
        }

        public void Act(byte code, ReadOnlySpan<byte> argument)
        {
            TlsConnection c = Connection;
            bool traffic = c.IsHandshakeComplete && !c.IsClosedForWriting;
            switch (code % 6)
            {
                case 0 when traffic:
                    byte[] data = argument.IsEmpty ? [0x61] : argument.ToArray();
                    Call(x => x.WriteApplicationData(data));
                    break;
                case 1 or 2 when traffic:
                    Call(x => x.UpdateKeys(requestPeerUpdate: code % 6 == 2));
                    break;
                case 3 when traffic && !c.IsClient && c.PeerOffersPostHandshakeAuth && !c.PostHandshakeAuthPending:
                    Call(x => x.RequestClientCertificatePostHandshake());
                    break;
                case 4:
                    Call(x => x.Close());
                    break;
                case 5:
                    Chunk = argument.IsEmpty ? 0 : argument[0];
                    break;
            }
        }

        public void Dispose() => Connection.Dispose();

        // The length of the first record of bytes (header and fragment), or all of them when it is cut short.
        private static int RecordLength(ReadOnlySpan<byte> bytes) =>
            bytes.Length < 5 ? bytes.Length : 5 + ((bytes[3] << 8) | bytes[4]);

        private void Call(Action<TlsConnection> call)
        {
            try
            {
                call(Connection);
                ConnectionFuzzFixture.Drain(Connection);
            }
            catch (TlsAlertException e)
            {
                CheckFailure(e, ConnectionFuzzFixture.Drain(Connection));
                throw;
            }
        }

        // A failure must not be internal_error, and unless the peer sent the alert the last record queued is ours.
        private void CheckFailure(TlsAlertException e, byte[] output)
        {
            if (e.Received)
            {
                return;
            }

            if (e.Description == AlertDescription.InternalError)
            {
                throw new InvalidOperationException($"internal_error from peer input: {e.Message}", e);
            }

            int last = -1;
            for (int i = 0; i + 5 <= output.Length; i += 5 + ((output[i + 3] << 8) | output[i + 4]))
            {
                last = i;
            }

            int tag = Connection.CipherSuite is { Aead: not null } suite ? Aeads.TagSize(suite.Aead.Value) : 16;
            bool alert = last >= 0 && (output[last] == (byte)ContentType.Alert
                ? output.Length - last == 7 && output[last + 5] == 2 && output[last + 6] == (byte)e.Description
                : output[last] == (byte)ContentType.ApplicationData && output.Length - last == 5 + 3 + tag);
            if (!alert)
            {
                throw new InvalidOperationException($"failed with {e.Description} but queued no alert ({output.Length} bytes out): {e.Message}", e);
            }
        }
    }
}
