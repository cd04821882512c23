using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Tls13;

/// <summary>What a server remembers between its HelloRetryRequest and the second ClientHello, which must equal the first but for what RFC 8446 section 4.1.2 lets change.</summary>
internal sealed record RetryState(CipherSuiteInfo Suite, NamedGroup Group, byte[] Cookie, ClientHello FirstHello);

/// <summary>
/// After our HelloRetryRequest: the second ClientHello, which must equal the first but for what RFC 8446 section 4.1.2
/// lets change (<see cref="SecondClientHello"/>), return our cookie and carry exactly the key share asked for.
/// </summary>
internal sealed class ExpectSecondClientHello(RetryState retry) : Tls13State
{
    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.ClientHello)
        {
            throw Unexpected(encoded);
        }

        var ch = Parse<ClientHello>(encoded);
        if ((ushort)ch.LegacyVersion <= (ushort)ProtocolVersion.Ssl30)
        {
            // RFC 8446 appendix D.5: a hello with legacy_version 0x0300 or less is refused with protocol_version.
            throw new TlsAlertException(AlertDescription.ProtocolVersion, $"ClientHello legacy_version 0x{(ushort)ch.LegacyVersion:x4} is SSL 3.0 or older");
        }

        SecondClientHello.Check(retry.FirstHello, ch);
        cx.Records.SkipRejectedEarlyData(EarlyDataSkip.None);
        SupportedVersionsClientHello? versions = ch.Extensions.Get<SupportedVersionsClientHello>();
        if (versions is null || !versions.Versions.Contains(ProtocolVersion.Tls13))
        {
            throw new TlsAlertException(AlertDescription.ProtocolVersion, "the client does not offer TLS 1.3");
        }

        if (ch.CompressionMethods is not [0])
        {
            throw TlsAlertException.Illegal("TLS 1.3 ClientHello must offer only the null compression method");
        }

        return Tls13ServerHello.Accept(cx, ch, encoded, retry);
    }
}

/// <summary>
/// The server's TLS 1.3 negotiation once the version decision (<see cref="Hello.ExpectClientHello"/>) handed a
/// ClientHello over: suite (client order unless the server prefers its own), group (a key share we accept, else a
/// HelloRetryRequest for a mutually supported group), the signature scheme our key can make, ALPN, a PSK to resume.
/// Then it sends the whole server flight up to Finished.
/// </summary>
internal static class Tls13ServerHello
{
    /// <summary>
    /// Negotiates from <paramref name="ch"/> (the first ClientHello, or the second one after our HelloRetryRequest
    /// with <paramref name="retry"/>) and answers it: a HelloRetryRequest, or the flight up to our Finished.
    /// </summary>
    public static HandshakeState Accept(HandshakeContext cx, ClientHello ch, ReadOnlySpan<byte> encoded, RetryState? retry)
    {
        TlsConfig s = cx.Settings;
        CipherSuiteInfo suite = Negotiation.ChooseSuite(s.CipherSuites, ch.CipherSuites, s.PreferServerCipherSuites)
            ?? throw new TlsAlertException(AlertDescription.HandshakeFailure, "no cipher suite in common") { Reason = "NO_SHARED_CIPHER" };
        if (retry is not null && suite != retry.Suite)
        {
            throw TlsAlertException.Illegal("the second ClientHello changes the suite chosen for the HelloRetryRequest");
        }

        SupportedGroupsExtension groups = ch.Extensions.Get<SupportedGroupsExtension>()
            ?? throw new TlsAlertException(AlertDescription.MissingExtension, "ClientHello without supported_groups");
        KeyShareClientHello shares = ch.Extensions.Get<KeyShareClientHello>()
            ?? throw new TlsAlertException(AlertDescription.MissingExtension, "ClientHello without key_share");
        SignatureAlgorithmsExtension schemes = ch.Extensions.Get<SignatureAlgorithmsExtension>()
            ?? throw new TlsAlertException(AlertDescription.MissingExtension, "ClientHello without signature_algorithms");
        // A set, so the check costs the size of the hello, not the product of its two lists (thousands each).
        var offeredGroups = new HashSet<NamedGroup>(groups.Groups);
        if (shares.Shares.Any(e => !offeredGroups.Contains(e.Group)))
        {
            throw TlsAlertException.Illegal("key share for a group not in supported_groups");
        }

        // The credential is chosen even when a ticket is resumed (no Certificate is sent then), as OpenSSL's
        // tls_choose_sigalg runs for every TLS 1.3 handshake: a server with no certificate the client can verify fails.
        CredentialChoice credential = ServerCredentials.ChooseTls13(s, schemes.Schemes);
        SignatureSchemeInfo scheme = credential.Scheme!;
        byte[]? alpn = Negotiation.ChooseAlpn(s, ch.Extensions.Get<AlpnExtension>());

        KeyExchangeGroup? group = null;
        KeyShareEntry? share = null;
        foreach (KeyExchangeGroup g in s.Groups)
        {
            share = shares.Shares.FirstOrDefault(e => e.Group == g.Group);
            if (share is not null)
            {
                group = g;
                break;
            }
        }

        if (retry is not null)
        {
            byte[]? cookie = ch.Extensions.Get<CookieExtension>()?.Cookie;
            if (cookie is null || !CryptoUtil.FixedTimeEquals(cookie, retry.Cookie))
            {
                throw TlsAlertException.Illegal("the second ClientHello does not return our cookie");
            }

            if (shares.Shares.Count != 1 || shares.Shares[0].Group != retry.Group)
            {
                throw TlsAlertException.Illegal("the second ClientHello must carry exactly the key share requested");
            }
        }
        else if (share is null)
        {
            KeyExchangeGroup retryGroup = s.Groups.FirstOrDefault(g => offeredGroups.Contains(g.Group))
                ?? throw new TlsAlertException(AlertDescription.HandshakeFailure, "no key exchange group in common") { Reason = "NO_SUITABLE_KEY_SHARE" };
            return SendRetry(cx, ch, suite, retryGroup, encoded);
        }

        if (group is null || share is null)
        {
            throw new TlsAlertException(AlertDescription.HandshakeFailure, "no key exchange group in common") { Reason = "NO_SUITABLE_KEY_SHARE" };
        }

        cx.Settings = s.Presenting(credential.Credential);
        cx.Transcript.SetAlgorithm(suite.PrfHash);
        cx.ServerName = ch.Extensions.Get<ServerNameExtension>()?.HostName;
        PskKeyExchangeModesExtension? modes = ch.Extensions.Get<PskKeyExchangeModesExtension>();
        cx.PeerAcceptsTickets = modes is not null && modes.Modes.Contains(Hello.ClientHandshake.PskDheKe);
        cx.PeerOffersPostHandshakeAuth = ch.Extensions.Contains(ExtensionType.PostHandshakeAuth);
        cx.PeerOfferedPsk = ch.Extensions.Contains(ExtensionType.PreSharedKey);
        cx.PeerCipherSuites = ch.CipherSuites.ToArray(); // kept for shared_ciphers(): the array alone, not the parsed message's list
        if (s.RecordSizeLimit is not null && ch.Extensions.Get<RecordSizeLimitExtension>() is { } peerLimit)
        {
            cx.PeerRecordSizeLimit = peerLimit.Limit;
        }
        ResumedPsk? resumed = ServerResumption.Accept(cx, ch, suite, encoded);
        cx.Transcript.Add(encoded);
        cx.ClientRandom = ch.Random;
        cx.Suite = suite;
        cx.Group = group.Group;
        cx.SignatureScheme = resumed is null ? scheme.Scheme : null;
        cx.Alpn = alpn;
        try
        {
            return SendFlight(cx, ch, suite, group, share, scheme, resumed);
        }
        finally
        {
            resumed?.State.Dispose();
        }
    }

    private static HandshakeState SendRetry(HandshakeContext cx, ClientHello ch, CipherSuiteInfo suite, KeyExchangeGroup group, ReadOnlySpan<byte> encoded)
    {
        cx.Transcript.SetAlgorithm(suite.PrfHash);
        cx.Transcript.Add(encoded);
        cx.Transcript.ReplaceClientHelloWithMessageHash();
        byte[] cookie = cx.RandomBytes(32);
        var ext = new ExtensionBlock()
            .Add(new SupportedVersionsServerHello(ProtocolVersion.Tls13))
            .Add(new KeyShareHelloRetryRequest(group.Group))
            .Add(new CookieExtension(cookie));
        cx.Send(new ServerHello(ProtocolVersion.Tls12, ServerHello.HelloRetryRequestRandom, ch.SessionId, suite.Suite, 0, ext));
        cx.HelloRetried = true;
        if (ch.SessionId.Length > 0)
        {
            cx.SendCompatibilityCcs();
        }

        if (ch.Extensions.Contains(ExtensionType.EarlyData))
        {
            // 0-RTT is never accepted; the client's early records are skipped until its second ClientHello.
            cx.Records.SkipRejectedEarlyData(EarlyDataSkip.UntilSecondClientHello);
        }

        return new ExpectSecondClientHello(new RetryState(suite, group.Group, cookie, ch));
    }

    private static HandshakeState SendFlight(HandshakeContext cx, ClientHello ch, CipherSuiteInfo suite, KeyExchangeGroup group, KeyShareEntry share, SignatureSchemeInfo scheme, ResumedPsk? resumed)
    {
        TlsConfig s = cx.Settings;
        Tls13HandshakeSecret hs;
        CryptoOperationLog.Note(CryptoOperationKind.KeyGeneration, group.Algorithm.Name);
        CryptoOperationLog.Note(CryptoOperationKind.KeyAgreement, group.Algorithm.Name);
        using (KeyExchangeResponse response = group.Algorithm.Respond(share.KeyExchange, s.Entropy))
        {
            var ext = new ExtensionBlock()
                .Add(new SupportedVersionsServerHello(ProtocolVersion.Tls13))
                .Add(new KeyShareServerHello(new KeyShareEntry(group.Group, response.Share)));
            if (resumed is not null)
            {
                ext.Add(new PreSharedKeyServerHello(resumed.Index));
                cx.SessionReused = true;
                cx.PeerChain = resumed.State.ClientChain;
                cx.VerifyResult = resumed.State.ClientVerify;
            }

            cx.Send(new ServerHello(ProtocolVersion.Tls12, cx.RandomBytes(32), ch.SessionId, suite.Suite, 0, ext));
            using Tls13EarlySecret early = resumed is null ? Tls13EarlySecret.WithoutPsk(suite.PrfHash) : Tls13EarlySecret.WithPsk(suite.PrfHash, resumed.State.Psk);
            hs = early.ToHandshakeSecret(response.SharedSecret);
        }

        Tls13TrafficSecret? clientHs = null, serverHs = null, clientApp = null, serverApp = null;
        Tls13MasterSecret? master = null;
        try
        {
            byte[] hash = cx.Transcript.GetCurrentHash();
            clientHs = hs.ClientHandshakeTrafficSecret(hash);
            serverHs = hs.ServerHandshakeTrafficSecret(hash);
            cx.LogSecret(NssKeyLog.ClientHandshakeTrafficSecret, clientHs);
            cx.LogSecret(NssKeyLog.ServerHandshakeTrafficSecret, serverHs);
            if (ch.SessionId.Length > 0)
            {
                cx.SendCompatibilityCcs();
            }

            Tls13Common.SetWriteKeys(cx, suite, serverHs);
            var ee = new ExtensionBlock();
            if (cx.PeerRecordSizeLimit is int peerRecordLimit)
            {
                cx.Records.SetRecordSizeLimits(peerRecordLimit, s.RecordSizeLimit!.Value);
                ee.Add(new RecordSizeLimitExtension((ushort)s.RecordSizeLimit.Value));
            }

            if (cx.Alpn is not null)
            {
                ee.Add(new AlpnExtension([cx.Alpn]));
            }

            if (cx.ServerName is not null)
            {
                ee.Add(new ServerNameExtension((byte[]?)null));
            }

            cx.Send(new EncryptedExtensions(ee));
            bool requestCertificate = s.RequestClientCertificate && resumed is null;
            if (requestCertificate)
            {
                cx.Send(Tls13Common.BuildCertificateRequest(s, []));
            }

            if (resumed is null)
            {
                cx.Send(new CertificateMessage([], Tls13Common.OwnEntries(s)));
                Tls13Common.SendCertificateVerify(cx, scheme);
            }

            cx.Send(new Finished(serverHs.ComputeFinished(cx.Transcript.GetCurrentHash())));
            serverHs.Dispose();

            hash = cx.Transcript.GetCurrentHash();
            master = hs.ToMasterSecret();
            clientApp = master.ClientApplicationTrafficSecret(hash);
            serverApp = master.ServerApplicationTrafficSecret(hash);
            Tls13ExporterSecret exporter = master.ExporterMasterSecret(hash);
            cx.Exporter = exporter;

            cx.LogSecret(NssKeyLog.ClientTrafficSecret0, clientApp);
            cx.LogSecret(NssKeyLog.ServerTrafficSecret0, serverApp);
            cx.LogSecret(NssKeyLog.ExporterSecret, exporter);
            Tls13Common.SetWriteKeys(cx, suite, serverApp);
            Tls13Common.SetReadKeys(cx, suite, clientHs);
            if (ch.Extensions.Contains(ExtensionType.EarlyData))
            {
                // 0-RTT is never accepted (EncryptedExtensions carries no early_data): skip the client's early records.
                cx.Records.SkipRejectedEarlyData(EarlyDataSkip.TrialDecryption);
            }

            var keys = new ServerFinishKeys(suite, clientHs, clientApp, serverApp, master);
            return requestCertificate ? new ExpectClientCertificate(keys) : new ExpectClientFinished(keys);
        }
        catch
        {
            // Signing, a key log that throws or bytes after the ClientHello in its record: wipe every secret made here.
            hs.Dispose();
            clientHs?.Dispose();
            serverHs?.Dispose();
            clientApp?.Dispose();
            serverApp?.Dispose();
            master?.Dispose();
            throw;
        }
    }
}

/// <summary>The server's secrets between its Finished and the client's; the master secret stays for the resumption master secret.</summary>
internal sealed record ServerFinishKeys(CipherSuiteInfo Suite, Tls13TrafficSecret ClientHandshake, Tls13TrafficSecret ClientApplication, Tls13TrafficSecret ServerApplication, Tls13MasterSecret Master) : IDisposable
{
    /// <summary>Wipes all four secrets.</summary>
    public void Dispose()
    {
        ClientHandshake.Dispose();
        ClientApplication.Dispose();
        ServerApplication.Dispose();
        Master.Dispose();
    }
}

/// <summary>After a CertificateRequest: waits for the client's Certificate, which may be empty.</summary>
internal sealed class ExpectClientCertificate(ServerFinishKeys keys) : Tls13State
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.Certificate)
        {
            throw Unexpected(encoded);
        }

        var certificate = Parse<CertificateMessage>(encoded);
        if (certificate.RequestContext is not { Length: 0 })
        {
            throw TlsAlertException.Illegal("client Certificate with a request context we did not send");
        }

        if (certificate.Entries.Count == 0)
        {
            if (cx.Settings.RequireClientCertificate)
            {
                throw new TlsAlertException(AlertDescription.CertificateRequired, "the client sent no certificate") { Reason = "PEER_DID_NOT_RETURN_A_CERTIFICATE" };
            }

            cx.Transcript.Add(encoded);
            return new ExpectClientFinished(keys);
        }

        PublicKey leafKey = HandshakeCommon.AcceptPeerChain(cx, certificate);
        cx.Transcript.Add(encoded);
        return new ExpectClientCertificateVerify(keys, leafKey);
    }
}

/// <summary>Waits for the client's CertificateVerify and checks it with its leaf key.</summary>
internal sealed class ExpectClientCertificateVerify(ServerFinishKeys keys, PublicKey leafKey) : Tls13State
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

        cx.ClientSignatureScheme = Tls13Common.VerifyPeerSignature(cx, Parse<CertificateVerify>(encoded), leafKey);
        cx.Transcript.Add(encoded);
        return new ExpectClientFinished(keys);
    }
}

/// <summary>Waits for the client Finished, then reads application traffic.</summary>
internal sealed class ExpectClientFinished(ServerFinishKeys keys) : Tls13State
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
        if (!keys.ClientHandshake.VerifyFinished(cx.Transcript.GetCurrentHash(), finished.VerifyData))
        {
            throw new TlsAlertException(AlertDescription.DecryptError, "client Finished does not verify");
        }

        cx.ReceivedTls13Finished(finished);
        cx.Transcript.Add(encoded);
        Tls13Common.SetReadKeys(cx, keys.Suite, keys.ClientApplication);
        keys.ClientHandshake.Dispose();
        ServerResumption.IssueTickets(cx, keys.Suite, keys.Master);
        keys.Master.Dispose();
        return new ExpectTraffic(keys.Suite, keys.ClientApplication, keys.ServerApplication);
    }
}
