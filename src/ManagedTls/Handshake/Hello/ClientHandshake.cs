using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls12;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;

namespace ManagedTls.Handshake.Hello;

/// <summary>
/// What a client put in its ClientHello and must remember until the ServerHello: the random and legacy session id it
/// sent, the private halves of its key shares, the suite a HelloRetryRequest named (once one came) and the TLS 1.3 or
/// TLS 1.2 session it offered. Disposing it wipes the key shares not yet used.
/// </summary>
internal sealed record ClientOffer(byte[] Random, byte[] SessionId, Dictionary<NamedGroup, IKeyExchange> Shares, CipherSuiteInfo? HrrSuite, Tls13Session? Session) : IDisposable
{
    /// <summary>The TLS 1.2 session offered (its id is <see cref="SessionId"/>), or null.</summary>
    public Tls12Session? Tls12Session { get; init; }

    /// <summary>Wipes the private keys of the shares.</summary>
    public void Dispose()
    {
        foreach (IKeyExchange k in Shares.Values)
        {
            k.Dispose();
        }
    }
}

/// <summary>Starts a client handshake: builds and sends the one ClientHello for the configured version range.</summary>
internal static class ClientHandshake
{
    /// <summary>The psk_dhe_ke key exchange mode (RFC 8446 section 4.2.9), the only one this engine uses.</summary>
    public const byte PskDheKe = 1;

    /// <summary>The uncompressed point format (RFC 8422 section 5.1.2), the only one offered or accepted.</summary>
    public const byte UncompressedPoints = 0;

    /// <summary>Sends ClientHello1 and returns the state waiting for the ServerHello.</summary>
    public static HandshakeState Start(HandshakeContext cx)
    {
        TlsConfig s = cx.Settings;
        byte[] random = cx.RandomBytes(32);

        // A TLS 1.2 session is offered by its id (decision 0023); otherwise a TLS 1.3 client in middlebox compatibility
        // mode sends a random legacy session id (RFC 8446 appendix D.4).
        Tls12Session? session12 = Tls12.Tls12ClientSessions.Offerable(s);
        byte[] sessionId = session12 is not null ? session12.SessionId
            : s.MiddleboxCompatibility && s.OffersTls13 ? cx.RandomBytes(32) : [];
        cx.ClientRandom = random;
        cx.ServerName = s.ServerName;
        var shares = new Dictionary<NamedGroup, IKeyExchange>();
        if (s.OffersTls13)
        {
            IReadOnlyList<NamedGroup> shareGroups = s.KeyShareGroups.Count > 0 ? s.KeyShareGroups : [s.Groups[0].Group];
            foreach (NamedGroup g in shareGroups)
            {
                KeyExchangeAlgorithm algorithm = s.Groups.First(k => k.Group == g).Algorithm;
                CryptoOperationLog.Note(CryptoOperationKind.KeyGeneration, algorithm.Name);
                shares[g] = algorithm.Generate(s.Entropy);
            }
        }

        Tls13Session? session = s.OffersTls13 ? OfferableSession(s, hash: null) : null;
        var offer = new ClientOffer(random, sessionId, shares, HrrSuite: null, session) { Tls12Session = session12 };
        SendHello(cx, BuildHello(cx, offer, cookie: null), session);
        return new ExpectServerHello(offer);
    }

    /// <summary>
    /// The configured resumption session when it can be offered: not wiped, its ticket still valid, made for the
    /// same server name (a session without one is offered only to a connection without one), its suite's hash among
    /// our suites (after a HelloRetryRequest, equal to <paramref name="hash"/>), and, when these settings verify the
    /// server, verified under the same trust settings; with the host name checked, that name must be the one checked
    /// then or must match the session's stored leaf now. Resuming skips the server's certificate, so a session that
    /// fails any of these would let a server be accepted without the checks these settings ask for: a full
    /// handshake is made instead.
    /// </summary>
    public static Tls13Session? OfferableSession(TlsConfig s, HashAlgorithm? hash)
    {
        Tls13Session? session = s.ResumptionSession;
        if (session is null || !session.IsValidAt(s.Clock())
            || !string.Equals(session.ServerName, s.ServerName, StringComparison.OrdinalIgnoreCase)
            || !s.CipherSuites.Any(c => c.PrfHash == session.Suite.PrfHash)
            || (hash is not null && hash != session.Suite.PrfHash))
        {
            return null;
        }

        return VerificationAllows(s, session.PeerChain, session.Verification) ? session : null;
    }

    /// <summary>
    /// True when a session with <paramref name="peerChain"/>, verified under <paramref name="verification"/>, may stand
    /// in for verifying the server under <paramref name="s"/>: always when these settings do not verify; otherwise only
    /// when it was verified under the same trust settings and, with the host name checked, for the same name or one
    /// its stored leaf matches now.
    /// </summary>
    public static bool VerificationAllows(TlsConfig s, IReadOnlyList<byte[]> peerChain, SessionVerification? verification)
    {
        if (!s.VerifyPeer)
        {
            return true;
        }

        if (verification is not { } verified || !verified.SameTrustAs(s) || peerChain.Count == 0)
        {
            return false;
        }

        return !(s.CheckHostname && s.ServerName is { } name && !string.Equals(verified.CheckedName, name, StringComparison.OrdinalIgnoreCase)
            && CertificateVerifier.CheckName(peerChain[0], HandshakeCommon.PeerNameOf(name), s.HostnameChecksCommonName) != VerifyError.Ok);
    }

    /// <summary>
    /// Encodes and sends a ClientHello. With a session offered, the binder placeholder at the end is replaced
    /// by the real binder over the transcript so far plus the hello truncated before the binders
    /// (RFC 8446 section 4.2.11.2); the transcript's hash is known only after a HelloRetryRequest.
    /// </summary>
    public static void SendHello(HandshakeContext cx, ClientHello hello, Tls13Session? session)
    {
        byte[] encoded = hello.Encode();
        if (session is not null)
        {
            HashAlgorithm hash = session.Suite.PrfHash;
            ReadOnlySpan<byte> truncated = encoded.AsSpan(0, encoded.Length - hello.BindersLength);
            byte[] transcriptHash = cx.Transcript.IsAlgorithmKnown ? cx.Transcript.GetHashWith(truncated) : Hashes.Compute(hash, truncated);
            using Tls13EarlySecret early = Tls13EarlySecret.WithPsk(hash, session.Psk);
            byte[] binder = early.ComputeBinder(PskKind.Resumption, transcriptHash);
            binder.CopyTo(encoded.AsSpan(encoded.Length - binder.Length));
        }

        cx.Transcript.Add(encoded);
        cx.Records.QueueHandshake(encoded);
    }

    /// <summary>
    /// The one ClientHello for the configured version range (RFC 8446 section 4.1.2, RFC 5246 section 7.4.1.2):
    /// <list type="bullet">
    /// <item>always: server_name unless the name is an IP literal, supported_groups, signature_algorithms, ALPN when
    /// configured, record_size_limit when configured; legacy_version TLS 1.2 and the null compression method (after
    /// DEFLATE when compression is allowed and TLS 1.3 is not offered, <see cref="Negotiation.OfferedCompressionMethods"/>);</item>
    /// <item>with TLS 1.3: its suites first, supported_versions, the cookie after a retry, key_share in the order
    /// given, psk_key_exchange_modes [psk_dhe_ke], post_handshake_auth when configured, and last pre_shared_key with
    /// a zero binder placeholder when a session is offered (<see cref="SendHello"/> fills in the binder);</item>
    /// <item>with TLS 1.2: its suites and TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 section 3.4; in a secure
    /// renegotiation renegotiation_info with client_verify_data instead, section 3.5), ec_point_formats
    /// [uncompressed], encrypt_then_mac, extended_master_secret and session_ticket (unless tickets are off; carrying
    /// the offered session's ticket).</item>
    /// </list>
    /// </summary>
    public static ClientHello BuildHello(HandshakeContext cx, ClientOffer offer, byte[]? cookie)
    {
        TlsConfig s = cx.Settings;
        var ext = new ExtensionBlock();
        if (s.ServerName is { Length: > 0 } name && !HandshakeCommon.IsIpLiteral(name))
        {
            ext.Add(new ServerNameExtension(name));
        }

        if (s.OffersTls12)
        {
            ext.Add(new EcPointFormatsExtension([UncompressedPoints]));
        }

        ext.Add(new SupportedGroupsExtension(s.Groups.Select(g => g.Group).ToArray()));
        ext.Add(new SignatureAlgorithmsExtension(s.SignatureSchemes.Where(x => s.OffersTls12 || SignatureSchemes.AllowedInTls13(x)).ToArray()));
        if (s.AlpnProtocols.Count > 0)
        {
            ext.Add(new AlpnExtension(s.AlpnProtocols));
        }

        if (s.OffersTls12)
        {
            ext.Add(new EmptyExtension(ExtensionType.EncryptThenMac));
            ext.Add(new EmptyExtension(ExtensionType.ExtendedMasterSecret));
            if (s.StatelessTickets)
            {
                // RFC 5077 section 3.1: the ticket of the session offered, else empty to ask for one.
                ext.Add(new SessionTicketExtension(offer.Tls12Session?.Ticket ?? []));
            }
        }

        if (s.OffersTls13)
        {
            ext.Add(new SupportedVersionsClientHello(s.OffersTls12 ? [ProtocolVersion.Tls13, ProtocolVersion.Tls12] : [ProtocolVersion.Tls13]));
            if (cookie is not null)
            {
                ext.Add(new CookieExtension(cookie));
            }

            ext.Add(new KeyShareClientHello(offer.Shares.Select(p => new KeyShareEntry(p.Key, p.Value.PublicShare.ToArray())).ToArray()));
            ext.Add(new PskKeyExchangeModesExtension([PskDheKe]));
        }

        if (s.RecordSizeLimit is int limit)
        {
            ext.Add(new RecordSizeLimitExtension((ushort)limit));
        }

        if (cx.Renegotiation is { Secure: true } renegotiation)
        {
            // RFC 5746 section 3.5: a secure renegotiation carries client_verify_data, and never the SCSV.
            ext.Add(new RenegotiationInfoExtension(Tls12Renegotiation.ClientHelloInfo(renegotiation)));
        }

        if (s.OffersTls13 && s.PostHandshakeAuth)
        {
            ext.Add(new EmptyExtension(ExtensionType.PostHandshakeAuth));
        }

        if (offer.Session is { } session)
        {
            var identity = new PskIdentity(session.Ticket, session.ObfuscatedAge(s.Clock()));
            ext.Add(new PreSharedKeyClientHello([identity], [new byte[Hashes.OutputSize(session.Suite.PrfHash)]]));
        }

        var suites = new List<TlsCipherSuite>();
        if (s.OffersTls13)
        {
            suites.AddRange(s.CipherSuites.Select(c => c.Suite));
        }

        if (s.OffersTls12)
        {
            suites.AddRange(s.Tls12CipherSuites.Select(c => c.Suite));
            if (cx.Renegotiation is null)
            {
                suites.Add(TlsCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
            }
        }

        return new ClientHello(ProtocolVersion.Tls12, offer.Random, offer.SessionId, suites.ToArray(), Negotiation.OfferedCompressionMethods(s), ext);
    }
}
