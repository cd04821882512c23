using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Record;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Tls12;

/// <summary>
/// The server's TLS 1.2 sessions (decision 0023): finding the session a ClientHello offers (an RFC 5077 ticket sealed
/// by <see cref="TlsConfig.TicketKeys"/>, else a session id in <see cref="TlsConfig.SessionCache"/>), the abbreviated
/// handshake that resumes it (RFC 5246 section 7.3: ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished), and
/// the session a full handshake leaves behind.
/// </summary>
internal static class Tls12ServerSessions
{
    /// <summary>
    /// The session to resume for <paramref name="ch"/>, or null for a full handshake. A non-empty ticket (tickets on) is
    /// tried alone, as OpenSSL does; otherwise a session id is looked up in the cache (a miss is recorded). A ticket
    /// that does not open, a session of TLS 1.3, one that has expired (recorded as a timeout), or one that does not fit
    /// (<see cref="Fits"/>) gives a full handshake, never an alert (RFC 5077 section 3.2).
    /// </summary>
    public static SessionTicketState? Find(HandshakeContext cx, ClientHello ch, out bool byTicket)
    {
        TlsConfig s = cx.Settings;
        DateTimeOffset now = s.Clock();
        byTicket = false;
        byte[]? ticket = s.StatelessTickets ? ch.Extensions.Get<SessionTicketExtension>()?.Ticket : null;
        SessionTicketState? state = null;
        bool expired = false;
        if (ticket is { Length: > 0 })
        {
            byte[]? plain = s.TicketKeys.Open(ticket, s.Entropy, now);
            if (plain is not null)
            {
                state = SessionTicketState.Decode(plain);
                CryptoUtil.Wipe(plain);
            }

            if (state is not null && (state.Version != ProtocolVersion.Tls12 || state.IsExpiredAt(now)))
            {
                expired = state.Version == ProtocolVersion.Tls12;
                state.Dispose();
                state = null;
            }

            byTicket = state is not null;
        }
        else if (ch.SessionId.Length > 0)
        {
            state = s.SessionCache.Find(ch.SessionId, now, out expired);
            cx.SessionCacheMissed = state is null && !expired;
        }

        cx.SessionTimedOut = expired;
        if (state is not null && !Fits(s, ch, state))
        {
            state.Dispose();
            state = null;
            byTicket = false;
        }

        return state;
    }

    /// <summary>
    /// Whether <paramref name="state"/> may resume a handshake for <paramref name="ch"/>: it used extended_master_secret
    /// and the ClientHello offers it (RFC 7627 section 5.3: otherwise a full handshake), the same session context and
    /// server name, a suite the client offers and we enable, and client authentication at least as strong as these
    /// settings now ask (<see cref="ServerResumption.SatisfiesClientAuthentication"/>).
    /// </summary>
    public static bool Fits(TlsConfig s, ClientHello ch, SessionTicketState state) =>
        state.ExtendedMasterSecret && ch.Extensions.Contains(ExtensionType.ExtendedMasterSecret)
        && state.SessionContext.AsSpan().SequenceEqual(s.SessionContext)
        && string.Equals(state.ServerName, ch.Extensions.Get<ServerNameExtension>()?.HostName, StringComparison.OrdinalIgnoreCase)
        && ch.CipherSuites.Contains(state.Suite) && s.Tls12CipherSuites.Any(c => c.Suite == state.Suite)
        && ServerResumption.SatisfiesClientAuthentication(s, state);

    /// <summary>
    /// The abbreviated handshake (RFC 5246 section 7.3, RFC 5077 section 3.1): ServerHello echoing the client's session
    /// id (RFC 5077 section 3.4 for a ticket), a NewSessionTicket when the session was found by id and the client asks
    /// for a ticket, then our ChangeCipherSpec and Finished first. Returns the state waiting for the client's
    /// ChangeCipherSpec. Takes <paramref name="state"/> and wipes it.
    /// </summary>
    public static HandshakeState Resume(HandshakeContext cx, ClientHello ch, ReadOnlySpan<byte> encoded, SessionTicketState state, bool byTicket, bool secureRenegotiation)
    {
        using (state)
        {
            TlsConfig s = cx.Settings;
            CipherSuiteInfo suite = s.Tls12CipherSuites.First(c => c.Suite == state.Suite);
            byte[] random = cx.RandomBytes(32);
            if (s.OffersTls13)
            {
                ServerHello.SetDowngradeMarker(random, ProtocolVersion.Tls12);
            }

            var agreed = new Tls12Agreement(
                suite,
                ch.Random,
                random,
                ch.SessionId,
                ExtendedMasterSecret: true,
                EncryptThenMac: suite.Cbc is not null && ch.Extensions.Contains(ExtensionType.EncryptThenMac),
                SecureRenegotiation: secureRenegotiation)
            {
                TicketExpected = !byTicket && s.StatelessTickets && ch.Extensions.Contains(ExtensionType.SessionTicket),
            };

            cx.Transcript.SetAlgorithm(suite.PrfHash);
            cx.Transcript.Add(encoded);
            cx.ClientRandom = ch.Random;
            cx.Suite = suite;
            cx.Alpn = Negotiation.ChooseAlpn(s, ch.Extensions.Get<AlpnExtension>());
            cx.ServerName = ch.Extensions.Get<ServerNameExtension>()?.HostName;
            cx.PeerCipherSuites = ch.CipherSuites.ToArray(); // kept for shared_ciphers(): the array alone, not the parsed message's list
            cx.SessionReused = true;
            cx.Tls12SessionId = agreed.SessionId;
            cx.PeerChain = state.ClientChain;
            cx.VerifyResult = state.ClientVerify;
            if (s.RecordSizeLimit is not null && ch.Extensions.Get<RecordSizeLimitExtension>() is { } peerLimit)
            {
                cx.PeerRecordSizeLimit = peerLimit.Limit;
            }

            cx.Send(new ServerHello(ProtocolVersion.Tls12, random, agreed.SessionId, suite.Suite, 0, Tls12ServerHello.HelloExtensions(cx, ch, agreed, resumed: true), hasExtensionBlock: false));
            Tls12MasterSecret master = Tls12KeySchedule.FromStoredMasterSecret(suite.PrfHash, state.Psk, extended: true);
            RecordProtection? clientWrite = null;
            RecordProtection? serverWrite = null;
            try
            {
                Tls12Common.LogMasterSecret(cx, agreed, master);
                if (agreed.TicketExpected)
                {
                    SendTicket(cx, state);
                }

                if (cx.PeerRecordSizeLimit is int peer)
                {
                    cx.Records.SetRecordSizeLimits(peer, s.RecordSizeLimit!.Value);
                }

                (clientWrite, serverWrite) = Tls12Common.Protections(cx, agreed, master);
                cx.Records.SendChangeCipherSpec();
                RecordProtection installed = serverWrite;
                serverWrite = null;
                cx.Records.SetWriteProtection(installed);
                byte[] serverVerifyData = Tls12Common.FinishedData(cx, master, sentByClient: false);
                cx.Send(new Finished(serverVerifyData));
                var keys = new ResumedKeys(agreed, master, clientWrite, serverVerifyData);
                clientWrite = null;
                return new ExpectResumedClientChangeCipherSpec(keys);
            }
            catch
            {
                master.Dispose();
                clientWrite?.Dispose();
                serverWrite?.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// After the client's Finished of a full handshake: a NewSessionTicket when the ServerHello promised one, or the
    /// session stored in the cache under the ServerHello's session id. Call before our ChangeCipherSpec.
    /// </summary>
    public static void Issue(HandshakeContext cx, Tls12Agreement agreed, Tls12MasterSecret master)
    {
        if (!agreed.TicketExpected && !agreed.CacheSession)
        {
            return;
        }

        TlsConfig s = cx.Settings;
        DateTimeOffset now = s.Clock();
        var state = new SessionTicketState(master.Secret.ToArray(), agreed.Suite.Suite, now.ToUnixTimeMilliseconds(), (uint)s.TicketLifetime.TotalSeconds, 0)
        {
            Version = ProtocolVersion.Tls12,
            ExtendedMasterSecret = master.IsExtended,
            Alpn = cx.Alpn,
            ServerName = cx.ServerName,
            SessionContext = s.SessionContext,
            ClientChain = cx.PeerChain,
            ClientVerify = cx.VerifyResult,
        };
        if (agreed.TicketExpected)
        {
            using (state)
            {
                SendTicket(cx, state);
            }
        }
        else
        {
            s.SessionCache.Store(agreed.SessionId, state, now);
        }
    }

    // Seals the state with the ticket keys and sends it in a NewSessionTicket whose hint is the ticket lifetime.
    private static void SendTicket(HandshakeContext cx, SessionTicketState state)
    {
        TlsConfig s = cx.Settings;
        byte[] plain = state.Encode();
        try
        {
            cx.Send(new NewSessionTicket12(state.LifetimeSeconds, s.TicketKeys.Seal(plain, s.Entropy, s.Clock())));
        }
        finally
        {
            CryptoUtil.Wipe(plain);
        }
    }
}

/// <summary>
/// What one side of an abbreviated handshake holds between its own Finished and the peer's: the agreement, the master
/// secret, the protection for the peer's records (installed at its ChangeCipherSpec) and our verify_data.
/// Disposing it wipes the secrets.
/// </summary>
internal sealed class ResumedKeys(Tls12Agreement agreed, Tls12MasterSecret master, RecordProtection peerWrite, byte[] ownVerifyData) : IDisposable
{
    private RecordProtection? _peerWrite = peerWrite;

    /// <summary>What the hellos settled.</summary>
    public Tls12Agreement Agreed => agreed;

    /// <summary>The session's master secret.</summary>
    public Tls12MasterSecret Master => master;

    /// <summary>Our verify_data (the server's, which came first).</summary>
    public byte[] OwnVerifyData => ownVerifyData;

    /// <summary>Hands the peer's write protection to the record layer; it is no longer wiped here.</summary>
    public RecordProtection TakePeerWrite()
    {
        RecordProtection protection = _peerWrite ?? throw TlsAlertException.Internal("no pending protection");
        _peerWrite = null;
        return protection;
    }

    /// <summary>Wipes the master secret and the pending protection.</summary>
    public void Dispose()
    {
        master.Dispose();
        _peerWrite?.Dispose();
        _peerWrite = null;
    }
}

/// <summary>
/// Server, abbreviated handshake: the client's change_cipher_spec after our Finished (the single byte 1, else
/// <c>illegal_parameter</c>); the client's keys protect what we read from the next record on.
/// </summary>
internal sealed class ExpectResumedClientChangeCipherSpec(ResumedKeys keys) : Tls12State
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded) => throw Unexpected(encoded);

    /// <inheritdoc/>
    public override HandshakeState HandleChangeCipherSpec(HandshakeContext cx, ReadOnlySpan<byte> body)
    {
        if (body.Length != 1 || body[0] != 0x01)
        {
            throw TlsAlertException.Illegal("change_cipher_spec is not the single byte 1");
        }

        RecordProtection clientWrite = keys.TakePeerWrite();
        try
        {
            cx.Records.SetReadProtection(clientWrite);
        }
        catch
        {
            clientWrite.Dispose();
            throw;
        }

        return new ExpectResumedClientFinished(keys);
    }
}

/// <summary>
/// Server, abbreviated handshake: the client's Finished, checked in constant time over the transcript through our
/// Finished; then application data flows. tls-unique is our Finished, the first of this handshake (RFC 5929).
/// </summary>
internal sealed class ExpectResumedClientFinished(ResumedKeys keys) : Tls12State
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.Finished)
        {
            throw Unexpected(encoded);
        }

        Tls12Agreement agreed = keys.Agreed;
        byte[] clientVerifyData = Tls12Common.CheckPeerFinished(cx, keys.Master, encoded);
        cx.Transcript.Add(encoded);
        cx.Tls12Finished = new Tls12FinishedPair(clientVerifyData, keys.OwnVerifyData, Abbreviated: true);
        cx.Exporter = new Tls12Exporter(agreed.Suite.PrfHash, keys.Master.Secret, keys.Master.IsExtended, agreed.ClientRandom, agreed.ServerRandom);
        keys.Dispose();
        return new Tls12Traffic(agreed.SecureRenegotiation);
    }
}

/// <summary>
/// The client's TLS 1.2 sessions (decision 0023): which session may be offered, the abbreviated handshake when the
/// server echoes the offered id, and the session a handshake leaves behind.
/// </summary>
internal static class Tls12ClientSessions
{
    /// <summary>OpenSSL's default session timeout, used when the server gives no ticket lifetime hint.</summary>
    public const uint DefaultTimeoutSeconds = 7200;

    /// <summary>
    /// The configured TLS 1.2 session when it can be offered: resumable (an id or ticket, made with
    /// extended_master_secret), valid by our clock, made for the same server name, its suite among our TLS 1.2 suites,
    /// and verified as these settings verify (<see cref="Hello.ClientHandshake.VerificationAllows"/>).
    /// </summary>
    public static Tls12Session? Offerable(TlsConfig s)
    {
        Tls12Session? session = s.Tls12ResumptionSession;
        if (session is null || !s.OffersTls12 || !session.IsResumable || !session.IsValidAt(s.Clock())
            || !string.Equals(session.ServerName, s.ServerName, StringComparison.OrdinalIgnoreCase)
            || !s.Tls12CipherSuites.Any(c => c.Suite == session.Suite.Suite))
        {
            return null;
        }

        return Hello.ClientHandshake.VerificationAllows(s, session.PeerChain, session.Verification) ? session : null;
    }

    /// <summary>
    /// The server echoed the offered session id: it resumes (RFC 5246 section 7.4.1.3, RFC 5077 section 3.4). It must
    /// keep the session's suite (<c>illegal_parameter</c>) and its use of extended_master_secret (RFC 7627 section 5.3:
    /// <c>handshake_failure</c> either way). The master secret is the session's; the server's ChangeCipherSpec and
    /// Finished come next, after a NewSessionTicket when it echoed session_ticket.
    /// </summary>
    public static HandshakeState Resume(HandshakeContext cx, Tls12Session session, Tls12Agreement agreed, bool ticketPromised)
    {
        if (agreed.Suite.Suite != session.Suite.Suite)
        {
            throw TlsAlertException.Illegal($"the server resumed the session with {agreed.Suite.IanaName}, not its suite {session.Suite.IanaName}");
        }

        if (agreed.Compression != CompressionMethod.Null)
        {
            // Only sessions made without compression are kept, and a resumption keeps the session's method (RFC 5246
            // section 7.4.1.3).
            throw TlsAlertException.Illegal($"the server resumed a session made without compression with {agreed.Compression}");
        }

        if (session.ExtendedMasterSecret != agreed.ExtendedMasterSecret)
        {
            throw new TlsAlertException(AlertDescription.HandshakeFailure, session.ExtendedMasterSecret
                ? "the server resumed a session made with extended_master_secret without it"
                : "the server resumed a session made without extended_master_secret with it");
        }

        cx.SessionReused = true;
        cx.PeerChain = session.PeerChain;
        cx.VerifyResult = cx.Settings.VerifyPeer ? session.VerifyResult : null;
        Tls12MasterSecret master = Tls12KeySchedule.FromStoredMasterSecret(agreed.Suite.PrfHash, session.MasterSecret, session.ExtendedMasterSecret);
        RecordProtection? clientWrite = null;
        RecordProtection? serverWrite = null;
        try
        {
            Tls12Common.LogMasterSecret(cx, agreed, master);
            (clientWrite, serverWrite) = Tls12Common.Protections(cx, agreed, master);
            var keys = new ResumedClientKeys(new ResumedKeys(agreed, master, serverWrite, []), clientWrite, session);
            clientWrite = null;
            serverWrite = null;
            return ticketPromised ? new ExpectResumedNewSessionTicket(keys) : new ExpectResumedServerChangeCipherSpec(keys);
        }
        catch
        {
            master.Dispose();
            clientWrite?.Dispose();
            serverWrite?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The session a handshake leaves: the suite, a copy of the master secret, the id (SHA-256 of the ticket when the
    /// server sent one, as OpenSSL; else the server's session id), the ticket and its hint (the timeout when given,
    /// else 7200 seconds), ALPN, the server name and the server's chain with how it was verified. Null when the server
    /// gave neither an id nor a ticket.
    /// </summary>
    public static Tls12Session? Make(HandshakeContext cx, CipherSuiteInfo suite, Tls12MasterSecret master, byte[] sessionId, Tls12Session? resumed)
    {
        Tls12Ticket? ticket = cx.Tls12Ticket;

        // A session made with compression is not kept: resuming it would have to restore the method (RFC 5246 section
        // 7.4.1.3), and compression is off unless both sides clear OP_NO_COMPRESSION (decision 0025).
        if ((ticket is null && sessionId.Length == 0) || cx.Compression != CompressionMethod.Null)
        {
            return null;
        }

        TlsConfig s = cx.Settings;
        byte[] id = ticket is not null ? Hashes.Compute(HashAlgorithm.Sha256, ticket.Ticket) : sessionId;
        uint timeout = ticket is { LifetimeHintSeconds: > 0 } ? ticket.LifetimeHintSeconds : DefaultTimeoutSeconds;
        return new Tls12Session(suite, master.Secret.ToArray(), master.IsExtended, id, s.Clock(), timeout)
        {
            Ticket = ticket?.Ticket,
            LifetimeHintSeconds = ticket?.LifetimeHintSeconds ?? 0,
            Alpn = cx.Alpn,
            ServerName = resumed is not null ? resumed.ServerName : s.ServerName,
            PeerChain = cx.PeerChain,
            VerifyResult = resumed is not null ? resumed.VerifyResult : cx.VerifyResult,
            Verification = resumed is not null ? resumed.Verification
                : cx.VerifyResult is { IsValid: true } ? SessionVerification.Of(s, s.CheckHostname ? s.ServerName : null) : null,
        };
    }
}

/// <summary>The client's keys of an abbreviated handshake: the shared part, our pending write protection and the session resumed.</summary>
internal sealed class ResumedClientKeys(ResumedKeys keys, RecordProtection clientWrite, Tls12Session session) : IDisposable
{
    private RecordProtection? _clientWrite = clientWrite;

    /// <summary>The agreement, master secret and the server's pending write protection.</summary>
    public ResumedKeys Keys => keys;

    /// <summary>The session being resumed.</summary>
    public Tls12Session Session => session;

    /// <summary>Hands our write protection to the record layer; it is no longer wiped here.</summary>
    public RecordProtection TakeClientWrite()
    {
        RecordProtection protection = _clientWrite ?? throw TlsAlertException.Internal("no pending protection");
        _clientWrite = null;
        return protection;
    }

    /// <summary>Wipes the secrets.</summary>
    public void Dispose()
    {
        keys.Dispose();
        _clientWrite?.Dispose();
        _clientWrite = null;
    }
}

/// <summary>
/// Client, abbreviated handshake: the server echoed session_ticket, so its NewSessionTicket comes before its
/// ChangeCipherSpec (RFC 5077 section 3.1); a non-empty ticket replaces the session's.
/// </summary>
internal sealed class ExpectResumedNewSessionTicket(ResumedClientKeys keys) : Tls12ClientState
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        TakeNewSessionTicket(cx, encoded);
        return new ExpectResumedServerChangeCipherSpec(keys);
    }
}

/// <summary>
/// Client, abbreviated handshake: the server's ChangeCipherSpec right after its hello (or NewSessionTicket); the
/// single byte 1, else <c>unexpected_message</c> as in a full handshake. Reading switches to the server's keys.
/// </summary>
internal sealed class ExpectResumedServerChangeCipherSpec(ResumedClientKeys keys) : Tls12ClientState
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    public override HandshakeState HandleChangeCipherSpec(HandshakeContext cx, ReadOnlySpan<byte> body)
    {
        CheckChangeCipherSpecBody(body);

        RecordProtection serverWrite = keys.Keys.TakePeerWrite();
        try
        {
            cx.Records.SetReadProtection(serverWrite);
        }
        catch
        {
            serverWrite.Dispose();
            throw;
        }

        return new ExpectResumedServerFinished(keys);
    }

    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded) => throw Unexpected(encoded);
}

/// <summary>
/// Client, abbreviated handshake: the server's Finished (checked in constant time), then our ChangeCipherSpec and
/// Finished; tls-unique is the server's Finished. A new ticket makes a new session with the same master secret.
/// </summary>
internal sealed class ExpectResumedServerFinished(ResumedClientKeys keys) : Tls12ClientState
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.Finished)
        {
            throw Unexpected(encoded);
        }

        Tls12Agreement agreed = keys.Keys.Agreed;
        Tls12MasterSecret master = keys.Keys.Master;
        byte[] serverVerifyData = Tls12Common.CheckPeerFinished(cx, master, encoded);
        cx.Transcript.Add(encoded);
        byte[] clientVerifyData = Tls12Common.FinishedData(cx, master, sentByClient: true);
        cx.Records.SendChangeCipherSpec();
        RecordProtection clientWrite = keys.TakeClientWrite();
        try
        {
            cx.Records.SetWriteProtection(clientWrite);
        }
        catch
        {
            clientWrite.Dispose();
            throw;
        }

        cx.Send(new Finished(clientVerifyData));
        cx.Tls12Finished = new Tls12FinishedPair(clientVerifyData, serverVerifyData, Abbreviated: true);
        cx.Exporter = new Tls12Exporter(agreed.Suite.PrfHash, master.Secret, master.IsExtended, agreed.ClientRandom, agreed.ServerRandom);
        if (cx.Tls12Ticket is not null)
        {
            cx.Tls12Session = Tls12ClientSessions.Make(cx, agreed.Suite, master, agreed.SessionId, keys.Session);
        }

        keys.Dispose();
        return new Tls12Traffic(agreed.SecureRenegotiation);
    }
}
