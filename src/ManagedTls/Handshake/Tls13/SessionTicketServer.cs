using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Tls13;

/// <summary>A PSK the server accepted: the recovered session state and the index of its identity in the ClientHello.</summary>
internal sealed record ResumedPsk(SessionTicketState State, ushort Index);

/// <summary>
/// The server's side of TLS 1.3 resumption (RFC 8446 sections 4.2.11 and 4.6.1): issuing NewSessionTickets
/// after the handshake, and choosing an offered PSK when a ClientHello carries pre_shared_key.
/// </summary>
internal static class ServerResumption
{
    /// <summary>
    /// Picks the first offered ticket that opens (stateless) or is in the cache (stateful, taken out: single
    /// use), has not expired, whose obfuscated age matches ours within the tolerance, whose suite has the
    /// negotiated suite's hash and whose server name matches; then checks its binder over the transcript
    /// plus the ClientHello truncated before the binders. A binder that does not verify is
    /// <c>decrypt_error</c>. Returns null (a full handshake) when no ticket is acceptable or the client does
    /// not offer psk_dhe_ke. Call with the transcript's hash set and before the ClientHello is added.
    /// </summary>
    public static ResumedPsk? Accept(HandshakeContext cx, ClientHello ch, CipherSuiteInfo suite, ReadOnlySpan<byte> encoded)
    {
        PreSharedKeyClientHello? offered = ch.Extensions.Get<PreSharedKeyClientHello>();
        if (offered is null)
        {
            return null;
        }

        if (ch.Extensions.Get<PskKeyExchangeModesExtension>() is not { } modes)
        {
            throw new TlsAlertException(AlertDescription.MissingExtension, "pre_shared_key without psk_key_exchange_modes");
        }

        if (!modes.Modes.Contains(Hello.ClientHandshake.PskDheKe))
        {
            return null;
        }

        TlsConfig s = cx.Settings;
        DateTimeOffset now = s.Clock();
        for (int i = 0; i < offered.Identities.Count; i++)
        {
            PskIdentity identity = offered.Identities[i];
            SessionTicketState? state = Recover(s, identity.Identity, now);
            if (state is null)
            {
                continue;
            }

            if (!IsAcceptable(cx, state, suite, identity.ObfuscatedTicketAge, now))
            {
                state.Dispose();
                continue;
            }

            byte[] transcriptHash = cx.Transcript.GetHashWith(encoded.Slice(0, encoded.Length - offered.BindersLength));
            bool binderOk;
            using (Tls13EarlySecret early = Tls13EarlySecret.WithPsk(suite.PrfHash, state.Psk))
            {
                binderOk = early.VerifyBinder(PskKind.Resumption, transcriptHash, offered.Binders[i]);
            }

            if (!binderOk)
            {
                state.Dispose();
                throw new TlsAlertException(AlertDescription.DecryptError, "the PSK binder does not verify");
            }

            return new ResumedPsk(state, (ushort)i);
        }

        return null;
    }

    /// <summary>
    /// Sends <see cref="TlsConfig.NumTickets"/> NewSessionTickets once the client's Finished is in the
    /// transcript, when the client offered psk_dhe_ke. Each has a fresh random ticket_age_add, a nonce unique
    /// in the connection, and its own PSK; the ticket is the sealed state or a cache id.
    /// </summary>
    public static void IssueTickets(HandshakeContext cx, CipherSuiteInfo suite, Tls13MasterSecret master)
    {
        TlsConfig s = cx.Settings;
        if (s.NumTickets == 0 || !cx.PeerAcceptsTickets)
        {
            return;
        }

        uint lifetime = (uint)s.TicketLifetime.TotalSeconds;
        using Tls13ResumptionMasterSecret resumption = master.ResumptionMasterSecret(cx.Transcript.GetCurrentHash());
        DateTimeOffset now = s.Clock();
        for (int i = 0; i < s.NumTickets; i++)
        {
            byte[] nonce = [(byte)i];
            byte[] ageAddBytes = cx.RandomBytes(4);
            uint ageAdd = (uint)(ageAddBytes[0] << 24 | ageAddBytes[1] << 16 | ageAddBytes[2] << 8 | ageAddBytes[3]);
            var state = new SessionTicketState(resumption.TicketPsk(nonce), suite.Suite, now.ToUnixTimeMilliseconds(), lifetime, ageAdd)
            {
                Alpn = cx.Alpn,
                ServerName = cx.ServerName,
                SessionContext = s.SessionContext,
                ClientChain = cx.PeerChain,
                ClientVerify = cx.VerifyResult,
            };
            byte[] ticket;
            if (s.StatelessTickets)
            {
                byte[] plain = state.Encode();
                ticket = s.TicketKeys.Seal(plain, s.Entropy, now);
                CryptoUtil.Wipe(plain);
                state.Dispose();
            }
            else
            {
                ticket = s.SessionCache.Store(state, s.Entropy, now);
            }

            cx.Records.QueueHandshake(new NewSessionTicket13(lifetime, ageAdd, nonce, ticket, new ExtensionBlock()).Encode());
        }
    }

    private static SessionTicketState? Recover(TlsConfig s, byte[] ticket, DateTimeOffset now)
    {
        if (!s.StatelessTickets)
        {
            return s.SessionCache.Take(ticket);
        }

        byte[]? plain = s.TicketKeys.Open(ticket, s.Entropy, now);
        if (plain is null)
        {
            return null;
        }

        SessionTicketState? state = SessionTicketState.Decode(plain);
        CryptoUtil.Wipe(plain);
        if (state is not null && state.Version != ProtocolVersion.Tls13)
        {
            // A TLS 1.2 session never resumes a TLS 1.3 handshake.
            state.Dispose();
            return null;
        }

        return state;
    }

    private static bool IsAcceptable(HandshakeContext cx, SessionTicketState state, CipherSuiteInfo suite, uint obfuscatedAge, DateTimeOffset now)
    {
        TlsConfig s = cx.Settings;
        long ageMs = now.ToUnixTimeMilliseconds() - state.CreatedAtMs;
        if (ageMs < 0 || ageMs >= state.LifetimeSeconds * 1000L)
        {
            return false;
        }

        long clientAgeMs = unchecked(obfuscatedAge - state.AgeAdd);
        if (Math.Abs(clientAgeMs - ageMs) > (long)s.TicketAgeTolerance.TotalMilliseconds)
        {
            return false;
        }

        CipherSuiteInfo? original = s.CipherSuites.FirstOrDefault(c => c.Suite == state.Suite);
        return original is not null && original.PrfHash == suite.PrfHash
            && string.Equals(state.ServerName, cx.ServerName, StringComparison.OrdinalIgnoreCase)
            && state.SessionContext.AsSpan().SequenceEqual(s.SessionContext)
            && SatisfiesClientAuthentication(s, state);
    }

    /// <summary>
    /// A resumed handshake skips client authentication, so a ticket may stand in for it only when the original
    /// handshake did what these settings would demand now: a certificate when one is required, and a verified chain
    /// when a certificate the client sent would be verified. Otherwise the client gets a full handshake (and is asked
    /// for its certificate), not a resumption that bypasses the requirement.
    /// </summary>
    internal static bool SatisfiesClientAuthentication(TlsConfig s, SessionTicketState state)
    {
        if (s.RequestClientCertificate && s.RequireClientCertificate && state.ClientChain.Count == 0)
        {
            return false;
        }

        bool verifiesClients = (s.RequestClientCertificate || s.PostHandshakeAuth) && s.VerifyPeer;
        return !verifiesClients || state.ClientChain.Count == 0 || state.ClientVerify is { IsValid: true };
    }
}
