using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Hello;
using ManagedTls.Record;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Tls12;

/// <summary>
/// The server's TLS 1.2 negotiation once the version decision (<see cref="ExpectClientHello"/>) handed a ClientHello
/// over (RFC 5246 section 7.3): the suite among those this server can complete with its key and the client's groups and
/// signature schemes, the ECDHE or DHE group, the ServerKeyExchange signature scheme, ALPN; then the whole first flight,
/// ServerHello to ServerHelloDone.
/// </summary>
/// <remarks>
/// A session the client offers (a ticket, else a session id) that fits is resumed with the abbreviated handshake of
/// <see cref="Tls12ServerSessions"/>. A client that asks for a ticket (tickets on, extended_master_secret agreed) gets
/// one and an empty session id, as from OpenSSL; otherwise the full handshake gets a fresh random session id, under
/// which the session is cached (decision 0023).
/// </remarks>
internal static class Tls12ServerHello
{
    /// <summary>ClientCertificateType rsa_sign (RFC 5246 section 7.4.4).</summary>
    public const byte RsaSign = 1;

    /// <summary>ClientCertificateType ecdsa_sign (RFC 8422 section 5.5), which covers EdDSA keys too.</summary>
    public const byte EcdsaSign = 64;

    /// <summary>Length of the session id a full handshake is given.</summary>
    public const int SessionIdLength = 32;

    /// <summary>
    /// Negotiates from <paramref name="ch"/> (its encoding <paramref name="encoded"/>), sends ServerHello, Certificate,
    /// ServerKeyExchange (ECDHE and DHE), CertificateRequest (when configured) and ServerHelloDone, and returns the
    /// state waiting for the client's flight. No suite this server can complete is <c>handshake_failure</c>.
    /// </summary>
    public static HandshakeState Accept(HandshakeContext cx, ClientHello ch, ReadOnlySpan<byte> encoded)
    {
        TlsConfig s = cx.Settings;
        bool secureRenegotiation = Tls12Renegotiation.CheckClientHello(cx, ch);
        if (ch.Extensions.Get<EcPointFormatsExtension>() is { } formats && !formats.Formats.Contains(ClientHandshake.UncompressedPoints))
        {
            // RFC 8422 section 5.1.2: the uncompressed format is mandatory, so a list without it is illegal.
            throw TlsAlertException.Illegal("ec_point_formats does not list the uncompressed format");
        }

        // A renegotiation is always a full handshake (OpenSSL's SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION, decision
        // 0024): it exists to change something, such as asking for the client's certificate, that resuming would skip.
        if (cx.Renegotiation is null && Tls12ServerSessions.Find(cx, ch, out bool byTicket) is { } resumed)
        {
            return Tls12ServerSessions.Resume(cx, ch, encoded, resumed, byTicket, secureRenegotiation);
        }

        if (s.ServerCredentials.Count == 0)
        {
            throw ServerCredentials.NoCertificate(s, tls13: false);
        }

        var options = Tls12ServerOptions.For(s, ch);
        CipherSuiteInfo suite = Negotiation.ChooseSuite(s.Tls12CipherSuites.Where(options.CanComplete).ToArray(), ch.CipherSuites, s.PreferServerCipherSuites)
            ?? throw new TlsAlertException(AlertDescription.HandshakeFailure, "no cipher suite in common") { Reason = "NO_SHARED_CIPHER" };
        CredentialChoice credential = options.CredentialFor(suite);
        cx.Settings = s = s.Presenting(credential.Credential);
        byte[]? alpn = Negotiation.ChooseAlpn(s, ch.Extensions.Get<AlpnExtension>());

        byte[] random = cx.RandomBytes(32);
        if (s.OffersTls13)
        {
            // RFC 8446 section 4.1.3: a server that speaks TLS 1.3 and negotiates TLS 1.2 says so in its random.
            ServerHello.SetDowngradeMarker(random, ProtocolVersion.Tls12);
        }

        bool extendedMasterSecret = ch.Extensions.Contains(ExtensionType.ExtendedMasterSecret);
        CompressionMethod compression = Negotiation.ChooseCompression(s, ch.CompressionMethods);

        // Sessions made with compression are neither ticketed nor cached (decision 0025): resuming would have to keep it.
        bool ticket = extendedMasterSecret && compression == CompressionMethod.Null && s.StatelessTickets && ch.Extensions.Contains(ExtensionType.SessionTicket);
        var agreed = new Tls12Agreement(
            suite,
            ch.Random,
            random,

            // With a ticket the session id is empty, as OpenSSL sends it: the ticket is the session (RFC 5077 section 3.4).
            ticket ? [] : cx.RandomBytes(SessionIdLength),
            ExtendedMasterSecret: extendedMasterSecret,
            EncryptThenMac: suite.Cbc is not null && ch.Extensions.Contains(ExtensionType.EncryptThenMac),
            SecureRenegotiation: secureRenegotiation,
            Compression: compression)
        {
            // Sessions without extended_master_secret are never resumed (RFC 7627 section 5.3), so none is kept.
            TicketExpected = ticket,
            CacheSession = extendedMasterSecret && !ticket && compression == CompressionMethod.Null,
        };

        cx.Transcript.SetAlgorithm(suite.PrfHash);
        cx.Transcript.Add(encoded);
        cx.ClientRandom = ch.Random;
        cx.Suite = suite;
        cx.Alpn = alpn;
        cx.Compression = agreed.Compression;
        cx.Tls12SessionId = agreed.SessionId;
        cx.ServerName = ch.Extensions.Get<ServerNameExtension>()?.HostName;
        cx.PeerCipherSuites = ch.CipherSuites.ToArray(); // kept for shared_ciphers(): the array alone, not the parsed message's list
        if (s.RecordSizeLimit is not null && ch.Extensions.Get<RecordSizeLimitExtension>() is { } peerLimit)
        {
            cx.PeerRecordSizeLimit = peerLimit.Limit;
        }

        cx.Send(new ServerHello(ProtocolVersion.Tls12, random, agreed.SessionId, suite.Suite, (byte)agreed.Compression, HelloExtensions(cx, ch, agreed, resumed: false), hasExtensionBlock: false));
        cx.Send(new CertificateMessage(null, s.CertificateChain.Select(c => new CertificateEntry(c)).ToArray()));
        IKeyExchange? ephemeral = agreed.KeyExchange == KeyExchangeKind.Rsa ? null : SendServerKeyExchange(cx, agreed, credential, options);
        try
        {
            if (s.RequestClientCertificate)
            {
                cx.Send(BuildCertificateRequest(s));
            }

            cx.Send(new ServerHelloDone());
            if (cx.PeerRecordSizeLimit is int peer)
            {
                ApplyRecordSizeLimits(cx, peer, s.RecordSizeLimit!.Value);
            }

            var offer = new Tls12ServerOffer(agreed, (ushort)ch.LegacyVersion, ephemeral);
            return s.RequestClientCertificate ? new ExpectClientCertificate(offer) : new ExpectClientKeyExchange(offer, clientKey: null);
        }
        catch
        {
            ephemeral?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The signature schemes a client certificate may sign its CertificateVerify with: ours that this library implements,
    /// as the CertificateRequest lists them.
    /// </summary>
    public static SignatureScheme[] ClientSignatureSchemes(TlsConfig s) =>
        s.SignatureSchemes.Where(x => SignatureSchemes.Find(x) is not null).ToArray();

    /// <summary>
    /// A TLS 1.2 CertificateRequest (RFC 5246 section 7.4.4): rsa_sign and ecdsa_sign, our signature schemes, and the
    /// subjects of our in-memory trust anchors when <see cref="TlsConfig.SendCertificateAuthorities"/> is on and they fit
    /// in the 2^16 - 1 bytes of certificate_authorities (otherwise none).
    /// </summary>
    public static CertificateRequest12 BuildCertificateRequest(TlsConfig s)
    {
        IReadOnlyList<byte[]> names = [];
        if (s.SendCertificateAuthorities)
        {
            IReadOnlyList<byte[]> anchors = HandshakeCommon.AnchorSubjects(s.Trust);
            if (anchors.Sum(n => 2L + n.Length) <= 0xFFFF)
            {
                names = anchors;
            }
        }

        return new CertificateRequest12([RsaSign, EcdsaSign], ClientSignatureSchemes(s), names);
    }

    /// <summary>
    /// The ServerHello's extensions, each only in answer to the client's: renegotiation_info (empty, or in a
    /// renegotiation both verify_data of the last handshake, RFC 5746 section 3.7), server_name (empty, and not when
    /// resuming, RFC 6066 section 3), ec_point_formats [uncompressed] for an ECC suite, ALPN, session_ticket (empty, when
    /// a NewSessionTicket follows), encrypt_then_mac, extended_master_secret,
    /// record_size_limit.
    /// </summary>
    internal static ExtensionBlock HelloExtensions(HandshakeContext cx, ClientHello ch, Tls12Agreement agreed, bool resumed)
    {
        var ext = new ExtensionBlock();
        if (agreed.SecureRenegotiation)
        {
            ext.Add(new RenegotiationInfoExtension(Tls12Renegotiation.ServerHelloInfo(cx)));
        }

        if (cx.ServerName is not null && !resumed)
        {
            ext.Add(new ServerNameExtension((byte[]?)null));
        }

        bool ecc = agreed.Suite.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe || agreed.Suite.Authentication.Algorithm == AuthenticationAlgorithm.Ecdsa;
        if (ecc && ch.Extensions.Contains(ExtensionType.EcPointFormats))
        {
            ext.Add(new EcPointFormatsExtension([ClientHandshake.UncompressedPoints]));
        }

        if (cx.Alpn is not null)
        {
            ext.Add(new AlpnExtension([cx.Alpn]));
        }

        if (agreed.TicketExpected)
        {
            ext.Add(new SessionTicketExtension([]));
        }

        if (agreed.EncryptThenMac)
        {
            ext.Add(new EmptyExtension(ExtensionType.EncryptThenMac));
        }

        if (agreed.ExtendedMasterSecret)
        {
            ext.Add(new EmptyExtension(ExtensionType.ExtendedMasterSecret));
        }

        if (cx.PeerRecordSizeLimit is not null)
        {
            // RFC 8449 section 4: a TLS 1.2 limit counts plaintext only and is at most 2^14.
            ext.Add(new RecordSizeLimitExtension((ushort)Math.Min(cx.Settings.RecordSizeLimit!.Value, RecordLimits.MaxPlaintext)));
        }

        return ext;
    }

    /// <summary>
    /// Applies record_size_limit once both sides announced one; the record layer counts it as the negotiated version does
    /// (in TLS 1.2 plaintext only, RFC 8449 section 4).
    /// </summary>
    private static void ApplyRecordSizeLimits(HandshakeContext cx, int peerLimit, int ownLimit) =>
        cx.Records.SetRecordSizeLimits(peerLimit, ownLimit);

    /// <summary>
    /// Makes the ephemeral key pair of the chosen group and sends ServerKeyExchange, its parameters signed over both
    /// randoms (<see cref="Tls12Common.ServerParamsContent"/>). Returns the pending exchange, which the caller owns.
    /// </summary>
    private static IKeyExchange SendServerKeyExchange(HandshakeContext cx, Tls12Agreement agreed, CredentialChoice credential, Tls12ServerOptions options)
    {
        TlsConfig s = cx.Settings;
        PrivateKey key = credential.Credential.Key;
        SignatureSchemeInfo scheme = credential.Scheme ?? throw TlsAlertException.Internal("a signed key exchange without a signature scheme");
        bool ecdhe = agreed.KeyExchange == KeyExchangeKind.Ecdhe;
        KeyExchangeAlgorithm algorithm = ecdhe
            ? (options.EcdheGroup ?? throw TlsAlertException.Internal("ECDHE without a group")).Algorithm
            : options.DheGroup ?? throw TlsAlertException.Internal("DHE without a group");
        CryptoOperationLog.Note(CryptoOperationKind.KeyGeneration, algorithm.Name);
        IKeyExchange ephemeral = algorithm.Generate(s.Entropy);
        try
        {
            byte[] share = ephemeral.PublicShare.ToArray();
            ServerKeyExchange Make(byte[] signature) => ecdhe
                ? new EcdheServerKeyExchange(options.EcdheGroup!.Group, share, scheme.Scheme, signature)
                : new DheServerKeyExchange(options.DheGroup!.Prime, options.DheGroup.Generator, share, scheme.Scheme, signature);

            byte[] content = Tls12Common.ServerParamsContent(agreed, Make([]).EncodeParams());
            cx.Send(Make(key.Sign(scheme.Algorithm, content, s.Entropy)));
            cx.Group = ecdhe ? options.EcdheGroup!.Group : options.DheNamedGroup;
            cx.SignatureScheme = scheme.Scheme;
            return ephemeral;
        }
        catch
        {
            ephemeral.Dispose();
            throw;
        }
    }
}

/// <summary>
/// What this server can complete for one ClientHello, which decides the suites it may choose (as OpenSSL's server
/// masks do): the credential and ServerKeyExchange scheme for RSA-authenticated and for ECDSA-authenticated suites
/// (each the first shared scheme some fitting credential can make, <see cref="ServerCredentials"/>), the credential for
/// RSA key transport, the ECDHE group and the DHE group.
/// </summary>
/// <param name="RsaSigner">The credential and scheme for ECDHE_RSA and DHE_RSA suites, or null.</param>
/// <param name="EcdsaSigner">The credential and scheme for ECDHE_ECDSA suites, or null.</param>
/// <param name="RsaKeyTransport">The rsaEncryption credential for RSA key transport suites, or null.</param>
/// <param name="EcdheGroup">The ECDHE group, or null when none fits.</param>
/// <param name="DheGroup">The DHE group, or null when DHE is not possible.</param>
/// <param name="DheNamedGroup">The DHE group's RFC 7919 name, or null for parameters of our own.</param>
internal sealed record Tls12ServerOptions(
    CredentialChoice? RsaSigner,
    CredentialChoice? EcdsaSigner,
    CredentialChoice? RsaKeyTransport,
    KeyExchangeGroup? EcdheGroup,
    FiniteFieldKeyExchange? DheGroup,
    NamedGroup? DheNamedGroup)
{
    /// <summary>
    /// Works out the options for <paramref name="ch"/>. Without supported_groups any curve may be used (RFC 8422 section
    /// 4) and secp256r1, which every ECC client has, is taken first; without signature_algorithms the client accepts
    /// SHA-1 with RSA and ECDSA only (RFC 5246 section 7.4.1.4.1), which this library never signs with, so only RSA key
    /// transport remains. An EC certificate must be on a curve in supported_groups (RFC 8422 section 5.1).
    /// </summary>
    public static Tls12ServerOptions For(TlsConfig s, ClientHello ch)
    {
        IReadOnlyList<NamedGroup>? groups = ch.Extensions.Get<SupportedGroupsExtension>()?.Groups;
        IReadOnlyList<SignatureScheme> schemes = ch.Extensions.Get<SignatureAlgorithmsExtension>()?.Schemes ?? SignatureSchemes.Tls12Implicit;

        KeyExchangeGroup[] curves = s.Groups.Where(g => g.SupportsTls12 && !g.IsFiniteField).ToArray();
        KeyExchangeGroup? ecdhe = groups is null
            ? curves.FirstOrDefault(g => g.Group == NamedGroup.Secp256r1) ?? curves.FirstOrDefault()
            : Negotiation.ChooseGroup(curves, groups, s.PreferServerCipherSuites);

        FiniteFieldKeyExchange? dhe;
        NamedGroup? dheName;
        if (groups is not null && groups.Any(IsFfdheCodePoint))
        {
            // RFC 7919 section 4: a client naming any FFDHE group gets DHE only with one of those groups (from our groups,
            // or our configured parameters when they are one of them).
            KeyExchangeGroup? named = Negotiation.ChooseGroup(s.Groups.Where(g => g.IsFiniteField), groups, s.PreferServerCipherSuites)
                ?? (OwnNamedGroup(s.DhParameters) is { } own && groups.Contains(own.Group) ? own : null);
            dhe = named?.Algorithm as FiniteFieldKeyExchange;
            dheName = named?.Group;
        }
        else
        {
            dhe = s.DhParameters;
            dheName = OwnNamedGroup(dhe)?.Group;
        }

        bool CurveFits(Credential c) => groups is null || (CurveGroup(c.Key.Curve) is { } curve && groups.Contains(curve));
        return new Tls12ServerOptions(
            ServerCredentials.ChooseTls12Signer(s, schemes, AuthenticationAlgorithm.Rsa, CurveFits),
            ServerCredentials.ChooseTls12Signer(s, schemes, AuthenticationAlgorithm.Ecdsa, CurveFits),
            ServerCredentials.ChooseRsaKeyTransport(s),
            ecdhe,
            dhe,
            dheName);
    }

    /// <summary>True when this server can complete a handshake with <paramref name="suite"/>.</summary>
    public bool CanComplete(CipherSuiteInfo suite) => suite.KeyExchange.Algorithm switch
    {
        SuiteKeyExchange.Ecdhe => Signer(suite) is not null && EcdheGroup is not null,
        SuiteKeyExchange.Dhe => Signer(suite) is not null && DheGroup is not null,
        SuiteKeyExchange.Rsa => RsaKeyTransport is not null && suite.Authentication.Algorithm == AuthenticationAlgorithm.Rsa,
        _ => false,
    };

    /// <summary>The credential (and scheme) that completes <paramref name="suite"/>, one <see cref="CanComplete"/> accepted.</summary>
    public CredentialChoice CredentialFor(CipherSuiteInfo suite) =>
        (suite.KeyExchange.Algorithm == SuiteKeyExchange.Rsa ? RsaKeyTransport : Signer(suite))
        ?? throw TlsAlertException.Internal("a suite chosen without a credential to complete it");

    private CredentialChoice? Signer(CipherSuiteInfo suite) => suite.Authentication.Algorithm switch
    {
        AuthenticationAlgorithm.Rsa => RsaSigner,
        AuthenticationAlgorithm.Ecdsa => EcdsaSigner,
        _ => null,
    };

    // The RFC 7919 group our configured parameters are, if they are one.
    private static KeyExchangeGroup? OwnNamedGroup(FiniteFieldKeyExchange? parameters) =>
        parameters is null ? null : KeyExchangeGroups.All.FirstOrDefault(g => ReferenceEquals(g.Algorithm, parameters));

    // The FFDHE range of the NamedGroup registry (RFC 7919 section 4), known to us or not.
    private static bool IsFfdheCodePoint(NamedGroup group) => (ushort)group is >= 0x0100 and <= 0x01FF;

    private static NamedGroup? CurveGroup(EcCurve curve) => curve switch
    {
        EcCurve.P256 => NamedGroup.Secp256r1,
        EcCurve.P384 => NamedGroup.Secp384r1,
        EcCurve.P521 => NamedGroup.Secp521r1,
        _ => null,
    };
}

/// <summary>
/// What the server keeps from its first flight until the client's key exchange: the agreement, the ClientHello's
/// legacy_version (which an RSA premaster secret must start with) and the ephemeral key pair (none for RSA key
/// transport). Disposing it wipes the ephemeral private key.
/// </summary>
/// <param name="Agreed">What the hellos settled.</param>
/// <param name="ClientVersion">ClientHello.legacy_version.</param>
/// <param name="Ephemeral">The ECDHE or DHE key pair, or null.</param>
internal sealed record Tls12ServerOffer(Tls12Agreement Agreed, ushort ClientVersion, IKeyExchange? Ephemeral) : IDisposable
{
    /// <summary>Wipes the ephemeral private key.</summary>
    public void Dispose() => Ephemeral?.Dispose();
}

/// <summary>
/// The server's secrets from the client's key exchange to the end of the handshake: the master secret and, once the
/// client's change_cipher_spec made the key block, our pending write protection. Disposing it wipes both.
/// </summary>
internal sealed class Tls12ServerSecrets(Tls12Agreement agreed, Tls12MasterSecret master) : IDisposable
{
    private RecordProtection? _serverWrite;

    /// <summary>What the hellos settled.</summary>
    public Tls12Agreement Agreed => agreed;

    /// <summary>The master secret.</summary>
    public Tls12MasterSecret Master => master;

    /// <summary>Keeps our write protection until our Finished; it is wiped with the rest unless taken.</summary>
    public void KeepServerWrite(RecordProtection protection)
    {
        _serverWrite?.Dispose();
        _serverWrite = protection;
    }

    /// <summary>Hands our write protection over to the record layer; it is no longer wiped here.</summary>
    public RecordProtection TakeServerWrite()
    {
        RecordProtection protection = _serverWrite ?? throw TlsAlertException.Internal("no pending write protection");
        _serverWrite = null;
        return protection;
    }

    /// <summary>Wipes the master secret and the pending write protection.</summary>
    public void Dispose()
    {
        master.Dispose();
        _serverWrite?.Dispose();
        _serverWrite = null;
    }
}

/// <summary>
/// After a CertificateRequest: the client's Certificate, which may be empty. Empty while a certificate is required is
/// <c>handshake_failure</c>, as OpenSSL answers in TLS 1.2 (RFC 5246 section 7.4.6 leaves the choice to the server).
/// </summary>
internal sealed class ExpectClientCertificate(Tls12ServerOffer offer) : Tls12State
{
    /// <inheritdoc/>
    public override void Dispose() => offer.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.Certificate)
        {
            throw Unexpected(encoded);
        }

        var certificate = Parse<CertificateMessage>(encoded);
        if (certificate.Entries.Count == 0)
        {
            if (cx.Settings.RequireClientCertificate)
            {
                throw new TlsAlertException(AlertDescription.HandshakeFailure, "the client sent no certificate") { Reason = "PEER_DID_NOT_RETURN_A_CERTIFICATE" };
            }

            cx.Transcript.Add(encoded);
            return new ExpectClientKeyExchange(offer, clientKey: null);
        }

        PublicKey leafKey = HandshakeCommon.AcceptPeerChain(cx, certificate);
        cx.Transcript.Add(encoded);
        return new ExpectClientKeyExchange(offer, leafKey);
    }
}

/// <summary>
/// The client's key exchange: its ECDHE point or DHE value, checked and agreed with our ephemeral key, or its RSA-encrypted
/// premaster secret, which is decrypted without revealing whether it was well formed (a bad one is noticed only at the
/// Finished messages). Then the master secret, with the session hash when extended_master_secret was agreed.
/// </summary>
internal sealed class ExpectClientKeyExchange(Tls12ServerOffer offer, PublicKey? clientKey) : Tls12State
{
    /// <inheritdoc/>
    public override void Dispose() => offer.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.ClientKeyExchange)
        {
            throw Unexpected(encoded);
        }

        Tls12Agreement agreed = offer.Agreed;
        var exchange = Parse<ClientKeyExchange>(encoded, agreed.KeyExchange);

        // RFC 7627 section 3: the session hash runs through ClientKeyExchange.
        cx.Transcript.Add(encoded);
        Tls12MasterSecret master = Tls12Common.MasterSecret(cx, agreed, Premaster(cx, exchange.ExchangeKeys));
        offer.Dispose();
        var secrets = new Tls12ServerSecrets(agreed, master);
        try
        {
            Tls12Common.LogMasterSecret(cx, agreed, master);
        }
        catch
        {
            secrets.Dispose();
            throw;
        }

        return clientKey is null ? new ExpectClientChangeCipherSpec(secrets) : new ExpectClientCertificateVerify(secrets, clientKey);
    }

    // The premaster secret (the caller wipes it): ECDHE and DHE shares are validated by the group (illegal_parameter);
    // an RSA ciphertext always yields 48 bytes.
    private byte[] Premaster(HandshakeContext cx, byte[] exchangeKeys)
    {
        switch (offer.Agreed.KeyExchange)
        {
            case KeyExchangeKind.Rsa:
                PrivateKey key = cx.Settings.PrivateKey ?? throw TlsAlertException.Internal("no key to decrypt with");
                return RsaKeyExchange.DecryptPremaster(key, exchangeKeys, offer.ClientVersion, cx.Settings.Entropy);
            case KeyExchangeKind.Ecdhe:
            {
                IKeyExchange ephemeral = offer.Ephemeral ?? throw TlsAlertException.Internal("ECDHE without an ephemeral key");
                CryptoOperationLog.Note(CryptoOperationKind.KeyAgreement, ephemeral.Algorithm.Name);
                return ephemeral.Algorithm.ToTls12PremasterSecret(ephemeral.DeriveSharedSecret(exchangeKeys));
            }

            case KeyExchangeKind.Dhe:
            {
                IKeyExchange ephemeral = offer.Ephemeral ?? throw TlsAlertException.Internal("DHE without an ephemeral key");
                return ephemeral.Algorithm.ToTls12PremasterSecret(FiniteFieldKeyExchange.DeriveTls12(ephemeral, exchangeKeys));
            }

            default:
                throw TlsAlertException.Internal("a TLS 1.2 key exchange of no known kind");
        }
    }
}

/// <summary>
/// The client's CertificateVerify (RFC 5246 section 7.4.8): a signature over every handshake message so far with the
/// scheme's own hash. The scheme must be one our CertificateRequest listed and fit the certificate key
/// (<c>illegal_parameter</c>); a signature that does not verify is <c>decrypt_error</c>.
/// </summary>
internal sealed class ExpectClientCertificateVerify(Tls12ServerSecrets secrets, PublicKey clientKey) : Tls12State
{
    /// <inheritdoc/>
    public override void Dispose() => secrets.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.CertificateVerify)
        {
            throw Unexpected(encoded);
        }

        var verify = Parse<CertificateVerify>(encoded);
        SignatureSchemeInfo? info = SignatureSchemes.Find(verify.Algorithm);
        if (info is null || !Tls12ServerHello.ClientSignatureSchemes(cx.Settings).Contains(verify.Algorithm)
            || !clientKey.CanVerify(info.Algorithm, enforceCurve: false))
        {
            throw TlsAlertException.Illegal($"CertificateVerify uses {verify.Algorithm}, which was not offered or does not fit the certificate key");
        }

        if (!clientKey.Verify(info.Algorithm, cx.Transcript.RetainedMessages, verify.Signature))
        {
            throw new TlsAlertException(AlertDescription.DecryptError, "CertificateVerify signature does not verify");
        }

        cx.ClientSignatureScheme = verify.Algorithm;
        cx.Transcript.Add(encoded);
        return new ExpectClientChangeCipherSpec(secrets);
    }
}

/// <summary>
/// The client's change_cipher_spec (RFC 5246 section 7.1): its body is the single byte 1 (anything else is
/// <c>illegal_parameter</c>, as OpenSSL answers); the key block is made and the client's write keys protect what we read
/// from the next record on. Any handshake message here is <c>unexpected_message</c>.
/// </summary>
internal sealed class ExpectClientChangeCipherSpec(Tls12ServerSecrets secrets) : Tls12State
{
    /// <inheritdoc/>
    public override void Dispose() => secrets.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded) => throw Unexpected(encoded);

    /// <inheritdoc/>
    public override HandshakeState HandleChangeCipherSpec(HandshakeContext cx, ReadOnlySpan<byte> body)
    {
        if (body.Length != 1 || body[0] != 0x01)
        {
            throw TlsAlertException.Illegal("change_cipher_spec is not the single byte 1");
        }

        (RecordProtection clientWrite, RecordProtection serverWrite) = Tls12Common.Protections(cx, secrets.Agreed, secrets.Master);
        secrets.KeepServerWrite(serverWrite);
        try
        {
            cx.Records.SetReadProtection(clientWrite);
        }
        catch
        {
            clientWrite.Dispose();
            throw;
        }

        return new ExpectClientFinished(secrets);
    }
}

/// <summary>
/// The client's Finished, under its new keys: checked in constant time against the transcript
/// (<see cref="Tls12Common.CheckPeerFinished"/>). Then our change_cipher_spec, our write keys and our Finished; both
/// verify_data values stay on the context, the exporter is made, and application data flows.
/// </summary>
internal sealed class ExpectClientFinished(Tls12ServerSecrets secrets) : Tls12State
{
    /// <inheritdoc/>
    public override void Dispose() => secrets.Dispose();

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.Finished)
        {
            throw Unexpected(encoded);
        }

        Tls12Agreement agreed = secrets.Agreed;
        Tls12MasterSecret master = secrets.Master;
        byte[] clientVerifyData = Tls12Common.CheckPeerFinished(cx, master, encoded);
        cx.Transcript.Add(encoded);

        // The NewSessionTicket comes before our ChangeCipherSpec and is part of what our Finished covers (RFC 5077 section 3.3).
        Tls12ServerSessions.Issue(cx, agreed, master);
        byte[] serverVerifyData = Tls12Common.FinishedData(cx, master, sentByClient: false);
        cx.Records.SendChangeCipherSpec();
        RecordProtection serverWrite = secrets.TakeServerWrite();
        try
        {
            cx.Records.SetWriteProtection(serverWrite);
        }
        catch
        {
            serverWrite.Dispose();
            throw;
        }

        cx.Send(new Finished(serverVerifyData));
        cx.Tls12Finished = new Tls12FinishedPair(clientVerifyData, serverVerifyData, Abbreviated: false);
        cx.Exporter = new Tls12Exporter(agreed.Suite.PrfHash, master.Secret, master.IsExtended, agreed.ClientRandom, agreed.ServerRandom);
        secrets.Dispose();
        return new Tls12Traffic(agreed.SecureRenegotiation);
    }
}
