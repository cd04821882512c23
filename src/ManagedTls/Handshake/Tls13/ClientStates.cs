using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Hello;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;

namespace ManagedTls.Handshake.Tls13;

/// <summary>
/// The client's TLS 1.3 answer to the ServerHello the version decision (<see cref="ExpectServerHello"/>) handed over:
/// a HelloRetryRequest is answered with the second ClientHello; a ServerHello's key share and PSK choice give the
/// handshake secrets, and the handshake keys are installed.
/// </summary>
internal static class Tls13ClientHello
{
    /// <summary>
    /// Checks the ServerHello's extensions, key share and PSK choice against <paramref name="offer"/>, derives the
    /// handshake secrets and switches to handshake keys; returns the state waiting for EncryptedExtensions.
    /// </summary>
    public static HandshakeState AcceptServerHello(HandshakeContext cx, ServerHello sh, CipherSuiteInfo suite, ReadOnlySpan<byte> encoded, ClientOffer offer)
    {
        if (offer.HrrSuite is not null && suite != offer.HrrSuite)
        {
            throw TlsAlertException.Illegal("the ServerHello suite differs from the HelloRetryRequest's");
        }

        foreach (TlsExtension e in sh.Extensions)
        {
            if (e.Type is not (ExtensionType.SupportedVersions or ExtensionType.KeyShare)
                && !(e.Type == ExtensionType.PreSharedKey && offer.Session is not null))
            {
                throw new TlsAlertException(AlertDescription.UnsupportedExtension, $"ServerHello carries {e.Type}, which was not offered");
            }
        }

        KeyShareServerHello keyShare = sh.Extensions.Get<KeyShareServerHello>()
            ?? throw new TlsAlertException(AlertDescription.MissingExtension, "ServerHello without key_share");
        if (!offer.Shares.TryGetValue(keyShare.Share.Group, out IKeyExchange? kx))
        {
            throw TlsAlertException.Illegal($"ServerHello key share for {keyShare.Share.Group}, which we sent no share for");
        }

        PreSharedKeyServerHello? psk = sh.Extensions.Get<PreSharedKeyServerHello>();
        if (psk is not null && (psk.SelectedIdentity != 0 || suite.PrfHash != offer.Session!.Suite.PrfHash))
        {
            throw TlsAlertException.Illegal("the server selected a PSK identity that was not offered, or with a suite of another hash");
        }

        CryptoOperationLog.Note(CryptoOperationKind.KeyAgreement, kx.Algorithm.Name);
        byte[] shared = kx.DeriveSharedSecret(keyShare.Share.KeyExchange);
        foreach (IKeyExchange k in offer.Shares.Values)
        {
            k.Dispose();
        }

        if (offer.HrrSuite is null)
        {
            cx.Transcript.SetAlgorithm(suite.PrfHash);
        }

        cx.Transcript.Add(encoded);
        cx.Suite = suite;
        cx.Group = keyShare.Share.Group;
        Tls13HandshakeSecret hs;
        try
        {
            using Tls13EarlySecret early = psk is null ? Tls13EarlySecret.WithoutPsk(suite.PrfHash) : Tls13EarlySecret.WithPsk(suite.PrfHash, offer.Session!.Psk);
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
            cx.PeerChain = offer.Session!.PeerChain;
            cx.VerifyResult = cx.Settings.VerifyPeer ? offer.Session.VerifyResult : null;
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

    /// <summary>
    /// A HelloRetryRequest: at most one, only extensions we may receive in it, and a change it asks for (a key share
    /// for a group we offered without one, or a cookie). Sends the second ClientHello and waits for the ServerHello.
    /// </summary>
    public static HandshakeState HandleRetry(HandshakeContext cx, ServerHello hrr, CipherSuiteInfo suite, ReadOnlySpan<byte> encoded, ClientOffer offer)
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

        Dictionary<NamedGroup, IKeyExchange> shares = offer.Shares;
        if (keyShare is not null)
        {
            KeyExchangeGroup group = cx.Settings.Groups.FirstOrDefault(g => g.Group == keyShare.SelectedGroup)
                ?? throw TlsAlertException.Illegal($"HelloRetryRequest asks for {keyShare.SelectedGroup}, which was not offered");
            if (offer.Shares.ContainsKey(group.Group))
            {
                throw TlsAlertException.Illegal($"HelloRetryRequest asks for {group.Group}, which already had a key share");
            }

            foreach (IKeyExchange k in offer.Shares.Values)
            {
                k.Dispose();
            }

            CryptoOperationLog.Note(CryptoOperationKind.KeyGeneration, group.Algorithm.Name);
            shares = new Dictionary<NamedGroup, IKeyExchange> { [group.Group] = group.Algorithm.Generate(cx.Settings.Entropy) };
        }

        cx.HelloRetried = true;
        cx.Transcript.SetAlgorithm(suite.PrfHash);
        cx.Transcript.ReplaceClientHelloWithMessageHash();
        cx.Transcript.Add(encoded);
        cx.SendCompatibilityCcs();
        Tls13Session? session = offer.Session is null ? null : ClientHandshake.OfferableSession(cx.Settings, suite.PrfHash);
        var retried = new ClientOffer(offer.Random, offer.SessionId, shares, suite, session);
        ClientHandshake.SendHello(cx, ClientHandshake.BuildHello(cx, retried, cookie), session);
        return new ExpectServerHello(retried);
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

        cx.ReceivedTls13Finished(finished);
        cx.Transcript.Add(encoded);
        byte[] hash = cx.Transcript.GetCurrentHash();
        using Tls13MasterSecret master = keys.Secret.ToMasterSecret();
        Tls13TrafficSecret clientApp = master.ClientApplicationTrafficSecret(hash);
        Tls13TrafficSecret serverApp = master.ServerApplicationTrafficSecret(hash);
        Tls13ResumptionMasterSecret? resumption = null;
        try
        {
            Tls13ExporterSecret exporter = master.ExporterMasterSecret(hash);
            cx.Exporter = exporter;
            cx.LogSecret(NssKeyLog.ClientTrafficSecret0, clientApp);
            cx.LogSecret(NssKeyLog.ServerTrafficSecret0, serverApp);
            cx.LogSecret(NssKeyLog.ExporterSecret, exporter);
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
