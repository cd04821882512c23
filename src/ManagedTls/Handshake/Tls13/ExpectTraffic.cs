using ManagedTls.CipherSuites;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Tls13;

/// <summary>
/// After both Finished messages: application traffic. Accepts KeyUpdate (both roles) and, on the client,
/// NewSessionTicket, which becomes a <see cref="Tls13Session"/> in <see cref="HandshakeContext.ReceivedSessions"/>
/// (the newest <see cref="TlsConfig.MaxReceivedSessions"/> are kept).
/// </summary>
internal sealed class ExpectTraffic : TrafficState
{
    /// <summary>The longest ticket_lifetime allowed: 7 days in seconds.</summary>
    public const uint MaxTicketLifetimeSeconds = 604800;

    private readonly CipherSuiteInfo _suite;
    private readonly Tls13TrafficSecret _read;
    private readonly Tls13TrafficSecret _write;
    private readonly Tls13ResumptionMasterSecret? _resumption;
    private PendingClientAuth? _pendingAuth;

    // The verification every ticket of this connection records: one per connection, not one per ticket (it is immutable).
    private SessionVerification? _verification;
    private int _clientAuthCount;
    private int _certificateRequests;

    /// <summary>
    /// Creates the traffic state; it owns both application traffic secrets and, on the client, the resumption
    /// master secret that turns each NewSessionTicket's nonce into a PSK.
    /// </summary>
    public ExpectTraffic(CipherSuiteInfo suite, Tls13TrafficSecret read, Tls13TrafficSecret write, Tls13ResumptionMasterSecret? resumption = null)
    {
        _resumption = resumption;
        _suite = suite;
        _read = read;
        _write = write;
    }

    /// <inheritdoc/>
    /// <summary>How many times our write keys were updated.</summary>
    public override int WriteGeneration => _write.Generation;

    /// <summary>How many times the peer's keys were updated.</summary>
    public override int ReadGeneration => _read.Generation;

    /// <summary>Server: true while a post-handshake CertificateRequest waits for the client's answer.</summary>
    public override bool ClientAuthPending => _pendingAuth is not null;

    /// <summary>Server: how many post-handshake client authentications completed.</summary>
    public override int ClientAuthCount => _clientAuthCount;

    /// <summary>
    /// Server: queues a post-handshake CertificateRequest (RFC 8446 section 4.6.2). The caller checks that the
    /// client offered post_handshake_auth and that no request is pending.
    /// </summary>
    public override void RequestClientAuth(HandshakeContext cx) => _pendingAuth = PostHandshakeAuth.Request(cx);

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        switch (TypeOf(encoded))
        {
            case HandshakeType.KeyUpdate:
                // The connection bounds KeyUpdates without data in between (TlsConfig.MaxKeyUpdatesWithoutData).
                var update = Tls13Common.Parse<KeyUpdate>(encoded);
                _read.Update();
                Tls13Common.SetReadKeys(cx, _suite, _read);
                // After our close_notify we send nothing more, so there is no next record to protect with new keys.
                if (update.UpdateRequested && !cx.Records.IsClosedForWriting)
                {
                    UpdateWriteKeys(cx, requestPeerUpdate: false);
                }

                return this;
            case HandshakeType.NewSessionTicket when cx.IsClient:
                AcceptTicket(cx, Tls13Common.Parse<NewSessionTicket13>(encoded));
                return this;
            case HandshakeType.CertificateRequest when cx.IsClient:
                if (++_certificateRequests > cx.Settings.MaxPostHandshakeAuthRequests)
                {
                    throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"more than {cx.Settings.MaxPostHandshakeAuthRequests} post-handshake CertificateRequests");
                }

                PostHandshakeAuth.Answer(cx, encoded, _write);
                return this;
            case HandshakeType.Certificate or HandshakeType.CertificateVerify or HandshakeType.Finished when _pendingAuth is not null:
                if (_pendingAuth.Handle(cx, encoded, _read))
                {
                    _pendingAuth = null;
                    _clientAuthCount++;
                }

                return this;
            default:
                throw Unexpected(encoded);
        }
    }

    /// <summary>Sends KeyUpdate under the current keys, then switches our write keys to the next generation.</summary>
    public override void UpdateWriteKeys(HandshakeContext cx, bool requestPeerUpdate)
    {
        cx.Records.QueueHandshake(new KeyUpdate(requestPeerUpdate).Encode());
        _write.Update();
        Tls13Common.SetWriteKeys(cx, _suite, _write);
    }

    /// <summary>Wipes both traffic secrets and the resumption master secret.</summary>
    public override void Dispose()
    {
        _read.Dispose();
        _write.Dispose();
        _resumption?.Dispose();
    }

    /// <summary>
    /// A NewSessionTicket (RFC 8446 section 4.6.1): a lifetime over 7 days is <c>illegal_parameter</c>; a zero
    /// lifetime means the ticket must not be used and it is dropped. Any early_data extension is ignored: this
    /// engine never sends early data.
    /// </summary>
    private void AcceptTicket(HandshakeContext cx, NewSessionTicket13 ticket)
    {
        if (ticket.Lifetime > MaxTicketLifetimeSeconds)
        {
            throw TlsAlertException.Illegal($"ticket_lifetime {ticket.Lifetime} is over 7 days");
        }

        if (ticket.Lifetime == 0 || _resumption is null)
        {
            return;
        }

        if (cx.ReceivedSessions.Count >= cx.Settings.MaxReceivedSessions)
        {
            Tls13Session oldest = cx.TakeOldestReceivedSession();
            if (!oldest.IsAdopted)
            {
                oldest.Dispose();
            }
        }

        cx.AddReceivedSession(new Tls13Session(ticket.Ticket, _resumption.TicketPsk(ticket.Nonce), _suite, ticket.Lifetime, ticket.AgeAdd, cx.Settings.Clock())
        {
            Alpn = cx.Alpn,
            ServerName = cx.ServerName,
            PeerChain = cx.PeerChain,
            VerifyResult = cx.VerifyResult,
            Verification = cx.VerifyResult is { IsValid: true } ? _verification ??= SessionVerification.Of(cx.Settings, cx.Settings.CheckHostname ? cx.ServerName : null) : null,
        });
    }

}
