using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Hello;
using ManagedTls.Record;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;

namespace ManagedTls.Handshake.Tls12;

/// <summary>
/// What the client learned from a TLS 1.2 ServerHello and carries to the end of the handshake: the agreement both
/// sides share, and whether the server promised a NewSessionTicket (it echoed session_ticket, RFC 5077 section 3.2).
/// </summary>
/// <param name="Agreed">Suite, randoms, session id and the extensions both sides sent.</param>
/// <param name="TicketPromised">True when a NewSessionTicket must come before the server's ChangeCipherSpec.</param>
internal sealed record Tls12ClientAgreement(Tls12Agreement Agreed, bool TicketPromised);

/// <summary>
/// The server's ephemeral key exchange parameters from its ServerKeyExchange, checked and signed: the algorithm to
/// answer with and the server's public value. Nothing secret; our share is made when the client's flight is sent.
/// </summary>
/// <param name="Algorithm">The curve, or the finite field group the server chose.</param>
/// <param name="ServerPublic">The server's point or dh_Ys.</param>
internal sealed record ServerKeyShare(KeyExchangeAlgorithm Algorithm, byte[] ServerPublic);

/// <summary>
/// The client's TLS 1.2 answer to the ServerHello the version decision (<see cref="ExpectServerHello"/>) handed over
/// (RFC 5246 section 7.4.1.3): the extensions must be answers to ours, secure renegotiation is required unless
/// <see cref="TlsConfig.LegacyServerConnect"/>, and the transcript hash becomes the suite's PRF hash.
/// </summary>
internal static class Tls12ClientHello
{
    /// <summary>
    /// Checks the ServerHello's extensions against what we offered and returns the state waiting for the server's
    /// Certificate. The TLS 1.3 key shares of <paramref name="offer"/> are wiped: TLS 1.2 makes its own.
    /// <list type="bullet">
    /// <item>server_name (empty, only when we sent one), ec_point_formats (must list uncompressed, else
    /// <c>illegal_parameter</c>, RFC 8422 section 5.2), ALPN (one protocol we offered, else <c>illegal_parameter</c>),
    /// extended_master_secret (RFC 7627), encrypt_then_mac (honoured only for a CBC suite, RFC 7366 section 3),
    /// renegotiation_info (empty on an initial handshake, the last verify_data in a renegotiation, else
    /// <c>handshake_failure</c>, RFC 5746 sections 3.4 and 3.5),
    /// session_ticket (empty, only when we offered it), record_size_limit (only when we sent one) and supported_groups
    /// (which some servers send and which says nothing); anything else is <c>unsupported_extension</c>.</item>
    /// <item>No renegotiation_info: <c>handshake_failure</c> unless <see cref="TlsConfig.LegacyServerConnect"/>
    /// (OpenSSL's <c>unsafe legacy renegotiation disabled</c>).</item>
    /// </list>
    /// </summary>
    public static HandshakeState AcceptServerHello(HandshakeContext cx, ServerHello sh, CipherSuiteInfo suite, ReadOnlySpan<byte> encoded, ClientOffer offer)
    {
        offer.Dispose();
        TlsConfig s = cx.Settings;
        bool extendedMasterSecret = false;
        bool encryptThenMac = false;
        bool secureRenegotiation = false;
        bool ticketPromised = false;
        foreach (TlsExtension e in sh.Extensions)
        {
            switch (e)
            {
                case ServerNameExtension when s.ServerName is { Length: > 0 } n && !HandshakeCommon.IsIpLiteral(n):
                case SupportedGroupsExtension:
                    break;
                case EcPointFormatsExtension formats:
                    if (!formats.Formats.Contains(ClientHandshake.UncompressedPoints))
                    {
                        throw TlsAlertException.Illegal("ec_point_formats does not list the uncompressed format");
                    }

                    break;
                case AlpnExtension alpn when s.AlpnProtocols.Count > 0:
                    if (alpn.Protocols.Count != 1 || !s.AlpnProtocols.Any(p => p.AsSpan().SequenceEqual(alpn.Protocols[0])))
                    {
                        throw TlsAlertException.Illegal("server selected an ALPN protocol that was not offered");
                    }

                    cx.Alpn = alpn.Protocols[0];
                    break;
                case EmptyExtension { Type: ExtensionType.ExtendedMasterSecret }:
                    extendedMasterSecret = true;
                    break;
                case EmptyExtension { Type: ExtensionType.EncryptThenMac }:
                    // RFC 7366 section 3: meaningless for an AEAD suite, where a server should not send it; ignored then, as OpenSSL does.
                    encryptThenMac = suite.Cipher.Aead is null;
                    break;
                case RenegotiationInfoExtension info:
                    secureRenegotiation = Tls12Renegotiation.CheckServerHello(cx, info);
                    break;
                case SessionTicketExtension ticket when s.StatelessTickets:
                    if (ticket.Ticket.Length != 0)
                    {
                        throw TlsAlertException.Decode("session_ticket in the ServerHello is not empty");
                    }

                    ticketPromised = true;
                    break;
                case RecordSizeLimitExtension limit when s.RecordSizeLimit is int own:
                    cx.PeerRecordSizeLimit = limit.Limit;
                    cx.Records.SetRecordSizeLimits(limit.Limit, own);
                    break;
                default:
                    throw new TlsAlertException(AlertDescription.UnsupportedExtension, $"ServerHello carries {e.Type}, which was not offered");
            }
        }

        if (cx.Renegotiation is not null)
        {
            // A renegotiation: RFC 5746 section 3.5 when the last handshake was secure, legacy otherwise.
            secureRenegotiation = Tls12Renegotiation.CheckServerHello(cx, sh.Extensions.Get<RenegotiationInfoExtension>());
        }
        else if (!secureRenegotiation && !s.LegacyServerConnect)
        {
            throw new TlsAlertException(AlertDescription.HandshakeFailure, "the server does not support secure renegotiation (RFC 5746), and legacy servers are not allowed");
        }

        cx.Transcript.SetAlgorithm(suite.PrfHash);
        cx.Transcript.Add(encoded);
        cx.Suite = suite;
        var agreed = new Tls12Agreement(suite, offer.Random, sh.Random, sh.SessionIdEcho, extendedMasterSecret, encryptThenMac, secureRenegotiation, cx.Compression);
        if (offer.Tls12Session is { } session && sh.SessionIdEcho.Length > 0 && sh.SessionIdEcho.AsSpan().SequenceEqual(offer.SessionId))
        {
            // The server echoed the id of the session we offered: it resumes (RFC 5246 section 7.4.1.3, RFC 5077 section 3.4).
            return Tls12ClientSessions.Resume(cx, session, agreed, ticketPromised);
        }

        return new ExpectServerCertificate(new Tls12ClientAgreement(agreed, ticketPromised));
    }
}

/// <summary>
/// A state of the TLS 1.2 client. A HelloRequest before the handshake completes is ignored, as RFC 5246 section
/// 7.4.1.1 says (it is not part of the transcript); every other message goes to <see cref="HandleMessage"/>.
/// </summary>
internal abstract class Tls12ClientState : Tls12State
{
    /// <summary>
    /// The server's ChangeCipherSpec body must be the single byte 1 (RFC 5246 section 7.1), else
    /// <c>unexpected_message</c> as OpenSSL answers; for the full and the abbreviated handshake alike.
    /// </summary>
    protected static void CheckChangeCipherSpecBody(ReadOnlySpan<byte> body)
    {
        if (body.Length != 1 || body[0] != 0x01)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, "change_cipher_spec body is not the single byte 1");
        }
    }

    /// <summary>
    /// Reads the server's NewSessionTicket (RFC 5077 section 3.3) into the transcript and <see cref="HandshakeContext.Tls12Ticket"/>:
    /// a non-empty ticket is kept, an empty one means the server changed its mind. Anything else is <c>unexpected_message</c>.
    /// </summary>
    protected void TakeNewSessionTicket(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.NewSessionTicket)
        {
            throw Unexpected(encoded);
        }

        var ticket = Parse<NewSessionTicket12>(encoded);
        cx.Transcript.Add(encoded);
        cx.Tls12Ticket = ticket.Ticket.Length == 0 ? null : new Tls12Ticket(ticket.Ticket, ticket.LifetimeHint);
    }

    /// <inheritdoc/>
    public sealed override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) == HandshakeType.HelloRequest)
        {
            Parse<HelloRequest>(encoded);
            return this;
        }

        return HandleMessage(cx, encoded);
    }

    /// <summary>Handles a message other than HelloRequest and returns the next state.</summary>
    protected abstract HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded);
}

/// <summary>
/// Waits for the server's Certificate (RFC 5246 section 7.4.2): verified as in TLS 1.3, with the keyUsage the key
/// exchange needs, and a leaf key that fits the suite (ECDSA suites: ECDSA or EdDSA; RSA suites: RSA; RSA key
/// transport: an rsaEncryption key).
/// </summary>
internal sealed class ExpectServerCertificate(Tls12ClientAgreement agreement) : Tls12ClientState
{
    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.Certificate)
        {
            throw Unexpected(encoded);
        }

        bool keyTransport = agreement.Agreed.KeyExchange == KeyExchangeKind.Rsa;
        var certificate = Parse<CertificateMessage>(encoded);
        Tls12Renegotiation.CheckSameServer(cx, certificate);
        PublicKey leafKey = HandshakeCommon.AcceptPeerChain(cx, certificate,
            keyTransport ? VerifyRequest.KeyUsageKeyEncipherment : VerifyRequest.KeyUsageDigitalSignature);
        CheckLeafKey(agreement.Agreed.Suite, leafKey);
        cx.Transcript.Add(encoded);
        return keyTransport
            ? new ExpectCertificateRequestOrServerHelloDone(agreement, leafKey, null)
            : new ExpectServerKeyExchange(agreement, leafKey);
    }

    /// <summary>
    /// The leaf key must be of the suite's authentication (<c>illegal_parameter</c>, OpenSSL's "wrong certificate
    /// type"); RSA key transport needs an rsaEncryption key, not an RSA-PSS one (<c>handshake_failure</c>, OpenSSL's
    /// "missing rsa encrypting cert").
    /// </summary>
    public static void CheckLeafKey(CipherSuiteInfo suite, PublicKey leafKey)
    {
        bool fits = suite.Authentication.Algorithm switch
        {
            AuthenticationAlgorithm.Ecdsa => leafKey.Kind is KeyKind.Ec or KeyKind.Ed25519 or KeyKind.Ed448,
            AuthenticationAlgorithm.Rsa => leafKey.Kind is KeyKind.Rsa or KeyKind.RsaPss,
            _ => false,
        };
        if (!fits)
        {
            throw TlsAlertException.Illegal($"a {leafKey} certificate does not fit {suite.IanaName}");
        }

        if (suite.KeyExchange.Algorithm == SuiteKeyExchange.Rsa && leafKey.Kind != KeyKind.Rsa)
        {
            throw new TlsAlertException(AlertDescription.HandshakeFailure, $"RSA key transport needs an rsaEncryption key, not {leafKey}");
        }
    }
}

/// <summary>
/// Waits for the ServerKeyExchange of an ECDHE or DHE suite (RFC 8422 section 5.4, RFC 5246 section 7.4.3) and checks
/// it before anything is computed with it:
/// <list type="bullet">
/// <item>ECDHE: a named group we offered that TLS 1.2 can use (x25519, x448, secp256r1, secp384r1, secp521r1), else
/// <c>illegal_parameter</c> (OpenSSL's "wrong curve").</item>
/// <item>DHE: p odd and at most 10000 bits, 1 &lt; g &lt; p-1, 1 &lt; Ys &lt; p-1 (<c>illegal_parameter</c>), and p at
/// least as strong as the security level asks, 2048 bits at Python's level 2 (<c>handshake_failure</c>, OpenSSL's
/// "dh key too small").</item>
/// <item>The signature: a scheme we offered that the leaf key can make in TLS 1.2 (PKCS#1 v1.5 allowed, ECDSA on any
/// curve), else <c>illegal_parameter</c>; it must verify over client_random + server_random + params, else
/// <c>decrypt_error</c>.</item>
/// </list>
/// </summary>
internal sealed class ExpectServerKeyExchange(Tls12ClientAgreement agreement, PublicKey leafKey) : Tls12ClientState
{
    /// <summary>The groups whose ECDHE form TLS 1.2 defines (RFC 8422 section 5.1.1).</summary>
    private static readonly NamedGroup[] Tls12Curves = [NamedGroup.X25519, NamedGroup.X448, NamedGroup.Secp256r1, NamedGroup.Secp384r1, NamedGroup.Secp521r1];

    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.ServerKeyExchange)
        {
            throw Unexpected(encoded);
        }

        Tls12Agreement agreed = agreement.Agreed;
        var message = Parse<ServerKeyExchange>(encoded, agreed.KeyExchange);
        ServerKeyShare share;
        switch (message)
        {
            case EcdheServerKeyExchange ecdhe:
                KeyExchangeGroup group = cx.Settings.Groups.FirstOrDefault(g => g.Group == ecdhe.Group && Tls12Curves.Contains(g.Group))
                    ?? throw TlsAlertException.Illegal($"ServerKeyExchange names {ecdhe.Group}, which was not offered for ECDHE");
                share = new ServerKeyShare(group.Algorithm, ecdhe.PublicPoint);
                cx.Group = group.Group;
                break;
            case DheServerKeyExchange dhe:
                FiniteFieldKeyExchange field = FiniteFieldKeyExchange.FromServerParameters(dhe.P, dhe.G, minimumPrimeBits: 0);
                field.DecodeShare(dhe.Ys, exactLength: false);
                int minimum = SecurityLevel.MinimumFiniteFieldPrimeBits(cx.Settings.SecurityLevel);
                if (field.PrimeBits < minimum)
                {
                    // OpenSSL's SSL_R_DH_KEY_TOO_SMALL, which Python reports as "[SSL: DH_KEY_TOO_SMALL] dh key too small".
                    throw new TlsAlertException(AlertDescription.HandshakeFailure, "dh key too small", new ArgumentOutOfRangeException(nameof(dhe.P), $"a {field.PrimeBits}-bit prime, below the {minimum} bits of security level {cx.Settings.SecurityLevel}"))
                    {
                        Reason = "DH_KEY_TOO_SMALL",
                    };
                }

                share = new ServerKeyShare(field, dhe.Ys);
                cx.Group = KeyExchangeGroups.All.FirstOrDefault(g => ReferenceEquals(g.Algorithm, field))?.Group;
                break;
            default:
                throw TlsAlertException.Internal("ServerKeyExchange of an unknown kind");
        }

        cx.SignatureScheme = VerifyParams(cx, agreed, leafKey, message, encoded);
        cx.Transcript.Add(encoded);
        return new ExpectCertificateRequestOrServerHelloDone(agreement, leafKey, share);
    }

    // The signed params are the body up to the signature: the body less algorithm (2), the length (2) and the signature.
    private static SignatureScheme VerifyParams(HandshakeContext cx, Tls12Agreement agreed, PublicKey leafKey, ServerKeyExchange message, ReadOnlySpan<byte> encoded)
    {
        SignatureSchemeInfo? info = SignatureSchemes.Find(message.Algorithm);
        if (info is null || !cx.Settings.SignatureSchemes.Contains(message.Algorithm) || !leafKey.CanVerify(info.Algorithm, enforceCurve: false))
        {
            throw TlsAlertException.Illegal($"ServerKeyExchange is signed with {message.Algorithm}, which was not offered or does not fit the certificate key");
        }

        ReadOnlySpan<byte> body = encoded.Slice(HandshakeFraming.HeaderLength);
        ReadOnlySpan<byte> parameters = body.Slice(0, body.Length - 4 - message.Signature.Length);
        byte[] content = Tls12Common.ServerParamsContent(agreed, parameters);
        if (!leafKey.Verify(info.Algorithm, content, message.Signature))
        {
            throw new TlsAlertException(AlertDescription.DecryptError, "the ServerKeyExchange signature does not verify");
        }

        return message.Algorithm;
    }
}

/// <summary>
/// After the server's Certificate (RSA key transport) or ServerKeyExchange: waits for a CertificateRequest or the
/// ServerHelloDone.
/// </summary>
internal sealed class ExpectCertificateRequestOrServerHelloDone(Tls12ClientAgreement agreement, PublicKey leafKey, ServerKeyShare? share) : Tls12ClientState
{
    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        switch (TypeOf(encoded))
        {
            case HandshakeType.CertificateRequest:
                var request = Parse<CertificateRequest12>(encoded);
                cx.CertificateAuthorities = request.Authorities;
                cx.Transcript.Add(encoded);
                return new ExpectServerHelloDone(agreement, leafKey, share, request);
            case HandshakeType.ServerHelloDone:
                Parse<ServerHelloDone>(encoded);
                cx.Transcript.Add(encoded);
                return ClientFlight.Send(cx, agreement, leafKey, share, null);
            default:
                throw Unexpected(encoded);
        }
    }
}

/// <summary>After a CertificateRequest: waits for the ServerHelloDone.</summary>
internal sealed class ExpectServerHelloDone(Tls12ClientAgreement agreement, PublicKey leafKey, ServerKeyShare? share, CertificateRequest12 request) : Tls12ClientState
{
    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.ServerHelloDone)
        {
            throw Unexpected(encoded);
        }

        Parse<ServerHelloDone>(encoded);
        cx.Transcript.Add(encoded);
        return ClientFlight.Send(cx, agreement, leafKey, share, request);
    }
}

/// <summary>
/// The client's second flight (RFC 5246 section 7.3): Certificate when asked (empty when we have none that fits),
/// ClientKeyExchange, CertificateVerify when we sent a certificate, ChangeCipherSpec, and Finished under the new keys.
/// </summary>
internal static class ClientFlight
{
    /// <summary>ClientCertificateType rsa_sign (RFC 5246 section 7.4.4).</summary>
    public const byte RsaSign = 1;

    /// <summary>ClientCertificateType ecdsa_sign, which also covers EdDSA keys (RFC 8422 section 5.5).</summary>
    public const byte EcdsaSign = 64;

    /// <summary>Sends the flight and returns the state waiting for the server's NewSessionTicket or ChangeCipherSpec.</summary>
    public static HandshakeState Send(HandshakeContext cx, Tls12ClientAgreement agreement, PublicKey leafKey, ServerKeyShare? share, CertificateRequest12? request)
    {
        Tls12Agreement agreed = agreement.Agreed;
        SignatureSchemeInfo? signing = null;
        if (request is not null)
        {
            signing = SigningScheme(cx.Settings, request);
            cx.Send(new CertificateMessage(null, signing is null ? [] : cx.Settings.CertificateChain.Select(c => new CertificateEntry(c)).ToArray()));
        }

        (byte[] exchangeKeys, byte[] premaster) = KeyExchange(cx, agreed, leafKey, share);
        try
        {
            cx.Send(new ClientKeyExchange(agreed.KeyExchange, exchangeKeys));
        }
        catch
        {
            CryptoUtil.Wipe(premaster);
            throw;
        }

        // With extended_master_secret the session hash runs through the ClientKeyExchange just sent (RFC 7627 section 4).
        Tls12MasterSecret master = Tls12Common.MasterSecret(cx, agreed, premaster);
        RecordProtection? clientWrite = null;
        RecordProtection? serverWrite = null;
        try
        {
            Tls12Common.LogMasterSecret(cx, agreed, master);
            if (signing is not null)
            {
                // RFC 5246 section 7.4.8: the signature covers handshake_messages itself, hashed by the scheme's own hash.
                PrivateKey key = cx.Settings.PrivateKey!;
                byte[] signature = key.Sign(signing.Algorithm, cx.Transcript.RetainedMessages, cx.Settings.Entropy);
                cx.Send(new CertificateVerify(signing.Scheme, signature));
                cx.ClientSignatureScheme = signing.Scheme;
            }

            (clientWrite, serverWrite) = Tls12Common.Protections(cx, agreed, master);
            cx.Records.SendChangeCipherSpec();
            RecordProtection installed = clientWrite;
            clientWrite = null;
            cx.Records.SetWriteProtection(installed);
            byte[] verifyData = Tls12Common.FinishedData(cx, master, sentByClient: true);
            cx.Send(new Finished(verifyData));
            var keys = new ClientFinishKeys(agreed, master, serverWrite, verifyData);
            return agreement.TicketPromised ? new ExpectNewSessionTicket(keys) : new ExpectServerChangeCipherSpec(keys);
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
    /// The scheme the client signs its CertificateVerify with for <paramref name="request"/>: the first of ours the
    /// server accepts that our key can make in TLS 1.2, preferring for an ECDSA key a scheme of its own curve (as OpenSSL
    /// chooses), when the server also accepts our key's certificate type; null when we have no key or nothing fits (then
    /// an empty Certificate is sent, RFC 5246 section 7.4.6).
    /// </summary>
    public static SignatureSchemeInfo? SigningScheme(TlsConfig s, CertificateRequest12 request)
    {
        if (s.PrivateKey is not { } key || s.CertificateChain.Count == 0)
        {
            return null;
        }

        byte type = key.Kind is KeyKind.Rsa or KeyKind.RsaPss ? RsaSign : EcdsaSign;
        if (!request.CertificateTypes.Contains(type))
        {
            return null;
        }

        IReadOnlyList<SignatureSchemeInfo> usable = SignatureSchemes.SignableBy(key, s.SignatureSchemes.Where(request.SignatureAlgorithms.Contains), tls13: false);
        return usable.FirstOrDefault(x => key.CanSign(x.Algorithm, enforceCurve: true)) ?? usable.FirstOrDefault();
    }

    // ClientKeyExchange.exchange_keys and the premaster secret: our (EC)DH share and the shared secret in its TLS 1.2
    // form (RFC 5246 section 8.1.2, RFC 8422 section 5.10), or for RSA key transport client_version (0x0303) and 46
    // random bytes, encrypted to the server's key (RFC 5246 section 7.4.7.1).
    private static (byte[] ExchangeKeys, byte[] Premaster) KeyExchange(HandshakeContext cx, Tls12Agreement agreed, PublicKey leafKey, ServerKeyShare? share)
    {
        IEntropySource entropy = cx.Settings.Entropy;
        if (agreed.KeyExchange == KeyExchangeKind.Rsa)
        {
            byte[] premaster = cx.RandomBytes(RsaKeyExchange.PremasterLength);
            premaster[0] = (byte)((ushort)ProtocolVersion.Tls12 >> 8);
            premaster[1] = (byte)((ushort)ProtocolVersion.Tls12 & 0xFF);
            try
            {
                return (RsaKeyExchange.EncryptPremaster(leafKey, premaster, entropy), premaster);
            }
            catch
            {
                CryptoUtil.Wipe(premaster);
                throw;
            }
        }

        ServerKeyShare server = share ?? throw TlsAlertException.Internal("an ephemeral key exchange without the server's parameters");
        CryptoOperationLog.Note(CryptoOperationKind.KeyGeneration, server.Algorithm.Name);
        CryptoOperationLog.Note(CryptoOperationKind.KeyAgreement, server.Algorithm.Name);
        using KeyExchangeResponse response = server.Algorithm is FiniteFieldKeyExchange field
            ? field.RespondTls12(server.ServerPublic, entropy)
            : server.Algorithm.Respond(server.ServerPublic, entropy);
        return (response.Share, server.Algorithm.ToTls12PremasterSecret(response.SharedSecret.ToArray()));
    }
}

/// <summary>
/// What the client holds from its Finished to the server's: the agreement, the master secret, the server's write
/// protection (installed for reading at the server's ChangeCipherSpec) and our verify_data. Disposing wipes the secrets.
/// </summary>
internal sealed record ClientFinishKeys(Tls12Agreement Agreed, Tls12MasterSecret Master, RecordProtection ServerWrite, byte[] ClientVerifyData) : IDisposable
{
    /// <summary>Wipes the master secret and the pending read protection.</summary>
    public void Dispose()
    {
        Master.Dispose();
        ServerWrite.Dispose();
    }
}

/// <summary>
/// The server echoed session_ticket: its NewSessionTicket must come before its ChangeCipherSpec (RFC 5077 section 3.3;
/// OpenSSL requires it too). A non-empty ticket is kept in <see cref="HandshakeContext.Tls12Ticket"/> and goes into
/// the session the handshake leaves; an empty one means the server changed its mind.
/// </summary>
internal sealed class ExpectNewSessionTicket(ClientFinishKeys keys) : Tls12ClientState
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        TakeNewSessionTicket(cx, encoded);
        return new ExpectServerChangeCipherSpec(keys);
    }
}

/// <summary>
/// Waits for the server's ChangeCipherSpec (RFC 5246 section 7.1): its body must be the single byte 0x01, else
/// <c>unexpected_message</c> as OpenSSL answers; it switches reading to the server's keys. No handshake message is
/// legal here.
/// </summary>
internal sealed class ExpectServerChangeCipherSpec(ClientFinishKeys keys) : Tls12ClientState
{
    /// <inheritdoc/>
    public override void Dispose() => keys.Dispose();

    /// <inheritdoc/>
    public override HandshakeState HandleChangeCipherSpec(HandshakeContext cx, ReadOnlySpan<byte> body)
    {
        CheckChangeCipherSpecBody(body);

        cx.Records.SetReadProtection(keys.ServerWrite);
        return new ExpectServerFinished(keys.Agreed, keys.Master, keys.ClientVerifyData);
    }

    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded) => throw Unexpected(encoded);
}

/// <summary>
/// Waits for the server's Finished under its new keys; checks it in constant time (<c>decrypt_error</c>), keeps both
/// verify_data (tls-unique), makes the exporter and the session (<see cref="Tls12ClientSessions.Make"/>) and moves to
/// application traffic.
/// </summary>
internal sealed class ExpectServerFinished(Tls12Agreement agreed, Tls12MasterSecret master, byte[] clientVerifyData) : Tls12ClientState
{
    /// <inheritdoc/>
    public override void Dispose() => master.Dispose();

    /// <inheritdoc/>
    protected override HandshakeState HandleMessage(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.Finished)
        {
            throw Unexpected(encoded);
        }

        byte[] serverVerifyData = Tls12Common.CheckPeerFinished(cx, master, encoded);
        cx.Transcript.Add(encoded);
        cx.Tls12Finished = new Tls12FinishedPair(clientVerifyData, serverVerifyData, Abbreviated: false);
        cx.Exporter = new Tls12Exporter(agreed.Suite.PrfHash, master.Secret, master.IsExtended, agreed.ClientRandom, agreed.ServerRandom);
        cx.Tls12Session = Tls12ClientSessions.Make(cx, agreed.Suite, master, agreed.SessionId, resumed: null);
        master.Dispose();
        return new Tls12Traffic(agreed.SecureRenegotiation);
    }
}
