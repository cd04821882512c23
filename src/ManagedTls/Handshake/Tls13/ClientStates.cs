using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;

namespace ManagedTls.Handshake.Tls13;

/// <summary>Starts a client handshake: builds and sends the first ClientHello.</summary>
internal static class ClientHandshake
{
    /// <summary>The psk_dhe_ke key exchange mode (RFC 8446 section 4.2.9), the only one this engine uses.</summary>
    public const byte PskDheKe = 1;

    /// <summary>Sends ClientHello1 and returns the state waiting for the ServerHello.</summary>
    public static HandshakeState Start(HandshakeContext cx)
    {
        HandshakeSettings s = cx.Settings;
        byte[] random = cx.RandomBytes(32);
        byte[] sessionId = s.MiddleboxCompatibility ? cx.RandomBytes(32) : [];
        cx.ClientRandom = random;
        cx.ServerName = s.ServerName;
        IReadOnlyList<NamedGroup> shareGroups = s.KeyShareGroups.Count > 0 ? s.KeyShareGroups : [s.Groups[0].Group];
        var shares = new Dictionary<NamedGroup, IKeyExchange>();
        foreach (NamedGroup g in shareGroups)
        {
            shares[g] = s.Groups.First(k => k.Group == g).Algorithm.Generate(s.Entropy);
        }

        Tls13Session? session = OfferableSession(s, hash: null);
        SendHello(cx, BuildHello(cx, random, sessionId, shares, cookie: null, session), session);
        return new ExpectServerHello(random, sessionId, shares, hrrSuite: null, session);
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
    public static Tls13Session? OfferableSession(HandshakeSettings s, HashAlgorithm? hash)
    {
        Tls13Session? session = s.ResumptionSession;
        if (session is null || !session.IsValidAt(s.Clock())
            || !string.Equals(session.ServerName, s.ServerName, StringComparison.OrdinalIgnoreCase)
            || !s.CipherSuites.Any(c => c.PrfHash == session.Suite.PrfHash)
            || (hash is not null && hash != session.Suite.PrfHash))
        {
            return null;
        }

        if (!s.VerifyPeer)
        {
            return session;
        }

        if (session.Verification is not { } verified || !verified.SameTrustAs(s) || session.PeerChain.Count == 0)
        {
            return null;
        }

        if (s.CheckHostname && s.ServerName is { } name && !string.Equals(verified.CheckedName, name, StringComparison.OrdinalIgnoreCase)
            && CertificateVerifier.CheckName(session.PeerChain[0], HandshakeCommon.PeerNameOf(name), s.HostnameChecksCommonName) != VerifyError.Ok)
        {
            return null;
        }

        return session;
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
    /// The ClientHello: only TLS 1.3 suites and version, our groups and schemes, key shares in the order
    /// given, server_name unless the name is an IP literal, ALPN when configured, the cookie after a retry,
    /// psk_key_exchange_modes [psk_dhe_ke], and last pre_shared_key with a zero binder placeholder when a
    /// session is offered (<see cref="SendHello"/> fills in the binder).
    /// </summary>
    public static ClientHello BuildHello(HandshakeContext cx, byte[] random, byte[] sessionId, Dictionary<NamedGroup, IKeyExchange> shares, byte[]? cookie, Tls13Session? session)
    {
        HandshakeSettings s = cx.Settings;
        var ext = new ExtensionBlock();
        if (s.ServerName is { Length: > 0 } name && !HandshakeCommon.IsIpLiteral(name))
        {
            ext.Add(new ServerNameExtension(name));
        }

        ext.Add(new SupportedGroupsExtension(s.Groups.Select(g => g.Group).ToArray()));
        ext.Add(new SignatureAlgorithmsExtension(s.SignatureSchemes.Where(SignatureSchemes.AllowedInTls13).ToArray()));
        if (s.AlpnProtocols.Count > 0)
        {
            ext.Add(new AlpnExtension(s.AlpnProtocols));
        }

        ext.Add(new SupportedVersionsClientHello([ProtocolVersion.Tls13]));
        if (cookie is not null)
        {
            ext.Add(new CookieExtension(cookie));
        }

        ext.Add(new KeyShareClientHello(shares.Select(p => new KeyShareEntry(p.Key, p.Value.PublicShare.ToArray())).ToArray()));
        ext.Add(new PskKeyExchangeModesExtension([PskDheKe]));
        if (s.RecordSizeLimit is int limit)
        {
            ext.Add(new RecordSizeLimitExtension((ushort)limit));
        }

        if (s.PostHandshakeAuth)
        {
            ext.Add(new EmptyExtension(ExtensionType.PostHandshakeAuth));
        }

        if (session is not null)
        {
            var identity = new PskIdentity(session.Ticket, session.ObfuscatedAge(s.Clock()));
            ext.Add(new PreSharedKeyClientHello([identity], [new byte[Hashes.OutputSize(session.Suite.PrfHash)]]));
        }

        return new ClientHello(ProtocolVersion.Tls12, random, sessionId, s.CipherSuites.Select(c => c.Suite).ToArray(), [0], ext);
    }
}

/// <summary>
/// Waits for the ServerHello (or, once, a HelloRetryRequest). Checks version, downgrade marker, echo,
/// suite and key share, derives the handshake secrets and switches to handshake keys.
/// </summary>
internal sealed class ExpectServerHello : Tls13State
{
    private readonly byte[] _random;
    private readonly byte[] _sessionId;
    private readonly Dictionary<NamedGroup, IKeyExchange> _shares;
    private readonly CipherSuiteInfo? _hrrSuite;
    private readonly Tls13Session? _offered;

    /// <summary>
    /// Creates the state; <paramref name="hrrSuite"/> is the suite a HelloRetryRequest named, if one came, and
    /// <paramref name="offered"/> the session offered in the last ClientHello, if any.
    /// </summary>
    public ExpectServerHello(byte[] random, byte[] sessionId, Dictionary<NamedGroup, IKeyExchange> shares, CipherSuiteInfo? hrrSuite, Tls13Session? offered)
    {
        _offered = offered;
        _random = random;
        _sessionId = sessionId;
        _shares = shares;
        _hrrSuite = hrrSuite;
    }

    /// <summary>Wipes the private keys of the shares not yet used.</summary>
    public override void Dispose()
    {
        foreach (IKeyExchange k in _shares.Values)
        {
            k.Dispose();
        }
    }

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.ServerHello)
        {
            throw Unexpected(encoded);
        }

        var sh = Parse<ServerHello>(encoded);
        CipherSuiteInfo suite = CheckCommon(cx, sh);
        if (sh.IsHelloRetryRequest)
        {
            return HandleRetry(cx, sh, suite, encoded);
        }

        if (_hrrSuite is not null && suite != _hrrSuite)
        {
            throw TlsAlertException.Illegal("the ServerHello suite differs from the HelloRetryRequest's");
        }

        foreach (TlsExtension e in sh.Extensions)
        {
            if (e.Type is not (ExtensionType.SupportedVersions or ExtensionType.KeyShare)
                && !(e.Type == ExtensionType.PreSharedKey && _offered is not null))
            {
                throw new TlsAlertException(AlertDescription.UnsupportedExtension, $"ServerHello carries {e.Type}, which was not offered");
            }
        }

        KeyShareServerHello keyShare = sh.Extensions.Get<KeyShareServerHello>()
            ?? throw new TlsAlertException(AlertDescription.MissingExtension, "ServerHello without key_share");
        if (!_shares.TryGetValue(keyShare.Share.Group, out IKeyExchange? kx))
        {
            throw TlsAlertException.Illegal($"ServerHello key share for {keyShare.Share.Group}, which we sent no share for");
        }

        PreSharedKeyServerHello? psk = sh.Extensions.Get<PreSharedKeyServerHello>();
        if (psk is not null && (psk.SelectedIdentity != 0 || suite.PrfHash != _offered!.Suite.PrfHash))
        {
            throw TlsAlertException.Illegal("the server selected a PSK identity that was not offered, or with a suite of another hash");
        }

        byte[] shared = kx.DeriveSharedSecret(keyShare.Share.KeyExchange);
        foreach (IKeyExchange k in _shares.Values)
        {
            k.Dispose();
        }

        if (_hrrSuite is null)
        {
            cx.Transcript.SetAlgorithm(suite.PrfHash);
        }

        cx.Transcript.Add(encoded);
        cx.Suite = suite;
        cx.Group = keyShare.Share.Group;
        Tls13HandshakeSecret hs;
        try
        {
            using Tls13EarlySecret early = psk is null ? Tls13EarlySecret.WithoutPsk(suite.PrfHash) : Tls13EarlySecret.WithPsk(suite.PrfHash, _offered!.Psk);
            hs = early.ToHandshakeSecret(shared);
        }
        finally
        {
            CryptoUtil.Wipe(shared);
        }

        if (psk is not null)
        {
            // The session was offered only if it was verified the way these settings verify (OfferableSession);
            // without verification nothing is reported as verified, as in a full handshake.
            cx.SessionReused = true;
            cx.PeerChain = _offered!.PeerChain;
            cx.VerifyResult = cx.Settings.VerifyPeer ? _offered.VerifyResult : null;
        }

        byte[] hash = cx.Transcript.GetCurrentHash();
        var keys = new ClientHandshakeKeys(suite, hs, hs.ClientHandshakeTrafficSecret(hash), hs.ServerHandshakeTrafficSecret(hash));
        try
        {
            cx.LogSecret(NssKeyLog.ClientHandshakeTrafficSecret, keys.ClientTraffic);
            cx.LogSecret(NssKeyLog.ServerHandshakeTrafficSecret, keys.ServerTraffic);
            cx.SendCompatibilityCcs();
            Tls13Common.SetWriteKeys(cx, suite, keys.ClientTraffic);
            Tls13Common.SetReadKeys(cx, suite, keys.ServerTraffic);
            return new ExpectEncryptedExtensions(keys);
        }
        catch
        {
            // A failure here (bytes after the ServerHello in its record, a key log that throws) wipes the new secrets.
            keys.Dispose();
            throw;
        }
    }

    private CipherSuiteInfo CheckCommon(HandshakeContext cx, ServerHello sh)
    {
        if ((ushort)sh.LegacyVersion <= (ushort)ProtocolVersion.Ssl30)
        {
            // RFC 8446 appendix D.5: a hello with legacy_version 0x0300 or less is refused with protocol_version.
            throw new TlsAlertException(AlertDescription.ProtocolVersion, $"ServerHello legacy_version 0x{(ushort)sh.LegacyVersion:x4} is SSL 3.0 or older");
        }

        SupportedVersionsServerHello? versions = sh.Extensions.Get<SupportedVersionsServerHello>();
        if (versions is null)
        {
            if (sh.DowngradeMarker is not null)
            {
                throw TlsAlertException.Illegal("ServerHello random carries a downgrade marker");
            }

            throw new TlsAlertException(AlertDescription.ProtocolVersion, $"server chose {sh.LegacyVersion}; only TLS 1.3 was offered");
        }

        if (versions.SelectedVersion != ProtocolVersion.Tls13 || sh.LegacyVersion != ProtocolVersion.Tls12)
        {
            throw TlsAlertException.Illegal($"server selected version 0x{(ushort)versions.SelectedVersion:x4}, which was not offered");
        }

        if (!sh.SessionIdEcho.AsSpan().SequenceEqual(_sessionId))
        {
            throw TlsAlertException.Illegal("legacy_session_id_echo does not match");
        }

        if (sh.CompressionMethod != 0)
        {
            throw TlsAlertException.Illegal("non-null compression method");
        }

        return cx.Settings.CipherSuites.FirstOrDefault(s => s.Suite == sh.CipherSuite)
            ?? throw TlsAlertException.Illegal($"server chose suite 0x{(ushort)sh.CipherSuite:x4}, which was not offered");
    }

    private HandshakeState HandleRetry(HandshakeContext cx, ServerHello hrr, CipherSuiteInfo suite, ReadOnlySpan<byte> encoded)
    {
        if (cx.HelloRetried)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, "second HelloRetryRequest");
        }

        foreach (TlsExtension e in hrr.Extensions)
        {
            if (e.Type is not (ExtensionType.SupportedVersions or ExtensionType.KeyShare or ExtensionType.Cookie))
            {
                throw new TlsAlertException(AlertDescription.UnsupportedExtension, $"HelloRetryRequest carries {e.Type}, which was not offered");
            }
        }

        KeyShareHelloRetryRequest? keyShare = hrr.Extensions.Get<KeyShareHelloRetryRequest>();
        byte[]? cookie = hrr.Extensions.Get<CookieExtension>()?.Cookie;
        if (keyShare is null && cookie is null)
        {
            throw TlsAlertException.Illegal("HelloRetryRequest would not change the ClientHello");
        }

        Dictionary<NamedGroup, IKeyExchange> shares = _shares;
        if (keyShare is not null)
        {
            KeyExchangeGroup group = cx.Settings.Groups.FirstOrDefault(g => g.Group == keyShare.SelectedGroup)
                ?? throw TlsAlertException.Illegal($"HelloRetryRequest asks for {keyShare.SelectedGroup}, which was not offered");
            if (_shares.ContainsKey(group.Group))
            {
                throw TlsAlertException.Illegal($"HelloRetryRequest asks for {group.Group}, which already had a key share");
            }

            foreach (IKeyExchange k in _shares.Values)
            {
                k.Dispose();
            }

            shares = new Dictionary<NamedGroup, IKeyExchange> { [group.Group] = group.Algorithm.Generate(cx.Settings.Entropy) };
        }

        cx.HelloRetried = true;
        cx.Transcript.SetAlgorithm(suite.PrfHash);
        cx.Transcript.ReplaceClientHelloWithMessageHash();
        cx.Transcript.Add(encoded);
        cx.SendCompatibilityCcs();
        Tls13Session? session = _offered is null ? null : ClientHandshake.OfferableSession(cx.Settings, suite.PrfHash);
        ClientHandshake.SendHello(cx, ClientHandshake.BuildHello(cx, _random, _sessionId, shares, cookie, session), session);
        return new ExpectServerHello(_random, _sessionId, shares, suite, session);
    }
}

/// <summary>The client's handshake-stage secrets, carried from the ServerHello to the client Finished.</summary>
internal sealed record ClientHandshakeKeys(CipherSuiteInfo Suite, Tls13HandshakeSecret Secret, Tls13TrafficSecret ClientTraffic, Tls13TrafficSecret ServerTraffic) : IDisposable
{
    /// <summary>Wipes all three secrets.</summary>
    public void Dispose()
    {
        Secret.Dispose();
        ClientTraffic.Dispose();
        ServerTraffic.Dispose();
    }
}

/// <summary>Waits for EncryptedExtensions: ALPN must be one protocol we offered; nothing unsolicited.</summary>
internal sealed class ExpectEncryptedExtensions(ClientHandshakeKeys keys) : Tls13State
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.EncryptedExtensions)
        {
            throw Unexpected(encoded);
        }

        var ee = Parse<EncryptedExtensions>(encoded);
        foreach (TlsExtension e in ee.Extensions)
        {
            switch (e)
            {
                case AlpnExtension alpn when cx.Settings.AlpnProtocols.Count > 0:
                    if (alpn.Protocols.Count != 1 || !cx.Settings.AlpnProtocols.Any(p => p.AsSpan().SequenceEqual(alpn.Protocols[0])))
                    {
                        throw TlsAlertException.Illegal("server selected an ALPN protocol that was not offered");
                    }

                    cx.Alpn = alpn.Protocols[0];
                    break;
                case RecordSizeLimitExtension limit when cx.Settings.RecordSizeLimit is int own:
                    if (cx.PeerRecordSizeLimit is not null)
                    {
                        throw TlsAlertException.Illegal("record_size_limit sent twice");
                    }

                    cx.PeerRecordSizeLimit = limit.Limit;
                    cx.Records.SetRecordSizeLimits(limit.Limit, own);
                    break;
                case ServerNameExtension when cx.Settings.ServerName is { Length: > 0 } n && !HandshakeCommon.IsIpLiteral(n):
                case SupportedGroupsExtension:
                    break;
                default:
                    throw new TlsAlertException(AlertDescription.UnsupportedExtension, $"EncryptedExtensions carries {e.Type}, which was not offered");
            }
        }

        cx.Transcript.Add(encoded);
        return cx.SessionReused ? new ExpectFinished(keys, null) : new ExpectCertificateOrCertificateRequest(keys);
    }
}

/// <summary>Waits for the server's Certificate, or a CertificateRequest before it.</summary>
internal sealed class ExpectCertificateOrCertificateRequest(ClientHandshakeKeys keys) : Tls13State
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        switch (TypeOf(encoded))
        {
            case HandshakeType.CertificateRequest:
                var request = Parse<CertificateRequest13>(encoded);
                if (request.Context.Length != 0)
                {
                    throw TlsAlertException.Illegal("CertificateRequest during the handshake must have an empty context");
                }

                cx.Transcript.Add(encoded);
                cx.CertificateAuthorities = request.Extensions.Get<CertificateAuthoritiesExtension>()?.Authorities ?? [];
                return new ExpectCertificate(keys, request);
            case HandshakeType.Certificate:
                return ExpectCertificate.Accept(cx, keys, null, encoded);
            default:
                throw Unexpected(encoded);
        }
    }
}

/// <summary>After a CertificateRequest: waits for the server's Certificate.</summary>
internal sealed class ExpectCertificate(ClientHandshakeKeys keys, CertificateRequest13 request) : Tls13State
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded) =>
        TypeOf(encoded) == HandshakeType.Certificate ? Accept(cx, keys, request, encoded) : throw Unexpected(encoded);

    /// <summary>Checks and verifies the server's chain and moves on to its CertificateVerify.</summary>
    public static HandshakeState Accept(HandshakeContext cx, ClientHandshakeKeys keys, CertificateRequest13? request, ReadOnlySpan<byte> encoded)
    {
        var certificate = Parse<CertificateMessage>(encoded);
        if (certificate.RequestContext is not { Length: 0 })
        {
            throw TlsAlertException.Illegal("server Certificate with a non-empty request context");
        }

        PublicKey leafKey = HandshakeCommon.AcceptPeerChain(cx, certificate);
        cx.Transcript.Add(encoded);
        return new ExpectCertificateVerify(keys, request, leafKey);
    }
}

/// <summary>Waits for the server's CertificateVerify and checks it with the leaf key.</summary>
internal sealed class ExpectCertificateVerify(ClientHandshakeKeys keys, CertificateRequest13? request, PublicKey leafKey) : Tls13State
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.CertificateVerify)
        {
            throw Unexpected(encoded);
        }

        cx.SignatureScheme = Tls13Common.VerifyPeerSignature(cx, Parse<CertificateVerify>(encoded), leafKey);
        cx.Transcript.Add(encoded);
        return new ExpectFinished(keys, request);
    }
}

/// <summary>
/// Waits for the server Finished; then sends our certificate if one was requested, our Finished, and
/// switches both directions to application traffic keys.
/// </summary>
internal sealed class ExpectFinished(ClientHandshakeKeys keys, CertificateRequest13? request) : Tls13State
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

        var finished = ParseFinished(encoded, keys.Suite);
        if (!keys.ServerTraffic.VerifyFinished(cx.Transcript.GetCurrentHash(), finished.VerifyData))
        {
            throw new TlsAlertException(AlertDescription.DecryptError, "server Finished does not verify");
        }

        cx.Transcript.Add(encoded);
        byte[] hash = cx.Transcript.GetCurrentHash();
        using Tls13MasterSecret master = keys.Secret.ToMasterSecret();
        Tls13TrafficSecret clientApp = master.ClientApplicationTrafficSecret(hash);
        Tls13TrafficSecret serverApp = master.ServerApplicationTrafficSecret(hash);
        Tls13ResumptionMasterSecret? resumption = null;
        try
        {
            cx.Exporter = master.ExporterMasterSecret(hash);
            cx.LogSecret(NssKeyLog.ClientTrafficSecret0, clientApp);
            cx.LogSecret(NssKeyLog.ServerTrafficSecret0, serverApp);
            cx.LogSecret(NssKeyLog.ExporterSecret, cx.Exporter);
            if (request is not null)
            {
                SendClientCertificate(cx, request);
            }

            cx.Send(new Finished(keys.ClientTraffic.ComputeFinished(cx.Transcript.GetCurrentHash())));
            resumption = master.ResumptionMasterSecret(cx.Transcript.GetCurrentHash());
            Tls13Common.SetWriteKeys(cx, keys.Suite, clientApp);
            Tls13Common.SetReadKeys(cx, keys.Suite, serverApp);
        }
        catch
        {
            // Signing our certificate, or bytes after the Finished in its record, failed: wipe what was derived.
            clientApp.Dispose();
            serverApp.Dispose();
            resumption?.Dispose();
            throw;
        }

        keys.ClientTraffic.Dispose();
        keys.ServerTraffic.Dispose();
        return new ExpectTraffic(keys.Suite, serverApp, clientApp, resumption);
    }

    private static void SendClientCertificate(HandshakeContext cx, CertificateRequest13 request)
    {
        SignatureSchemeInfo? scheme = ClientSigningScheme(cx, request);
        if (scheme is null)
        {
            cx.Send(new CertificateMessage(request.Context, []));
            return;
        }

        cx.Send(new CertificateMessage(request.Context, Tls13Common.OwnEntries(cx.Settings)));
        Tls13Common.SendCertificateVerify(cx, scheme);
        cx.ClientSignatureScheme = scheme.Scheme;
    }

    /// <summary>
    /// The scheme the client signs with for <paramref name="request"/>: the first of ours the server accepts
    /// that our key can make; null when we have no key or none fits (then an empty Certificate is sent).
    /// </summary>
    public static SignatureSchemeInfo? ClientSigningScheme(HandshakeContext cx, CertificateRequest13 request)
    {
        IReadOnlyList<SignatureScheme> accepted = request.Extensions.Get<SignatureAlgorithmsExtension>()?.Schemes
            ?? throw new TlsAlertException(AlertDescription.MissingExtension, "CertificateRequest without signature_algorithms");
        PrivateKey? key = cx.Settings.PrivateKey;
        return key is null ? null
            : SignatureSchemes.SignableBy(key, cx.Settings.SignatureSchemes.Where(accepted.Contains), tls13: true).FirstOrDefault();
    }
}
