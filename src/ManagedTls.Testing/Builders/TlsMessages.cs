using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Testing;

/// <summary>
/// Factories for every TLS 1.3 and TLS 1.2 handshake message, each a valid encoding tree (see
/// <see cref="HandshakeBuilder"/>) with the RFC's field names and deterministic placeholder values (randoms, keys and
/// signatures are well-formed but not computed: the scripted peer, <see cref="TlsScript"/>, fills in real ones). Every
/// factory's output is accepted by ManagedTls's parser in the right context and re-encodes to the same bytes.
/// </summary>
public static class TlsMessages
{
    /// <summary>The special ServerHello.random of a HelloRetryRequest, SHA-256("HelloRetryRequest") (RFC 8446 section 4.1.3).</summary>
    public static byte[] HelloRetryRequestRandom => Convert.FromHexString("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    internal static readonly TlsCipherSuite[] Tls13Suites =
        [TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256];

    internal static readonly TlsCipherSuite[] Tls12Suites =
    [
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
    ];

    /// <summary>
    /// A TLS 1.3 ClientHello: legacy_version 0x0303, a 32-byte random, an empty legacy_session_id, the three common
    /// TLS 1.3 suites, null compression, and extensions server_name, supported_groups, signature_algorithms,
    /// supported_versions [TLS 1.3], psk_key_exchange_modes [psk_dhe_ke] and key_share (one x25519 share).
    /// </summary>
    /// <param name="extensions">The extensions in order; null for the defaults above.</param>
    /// <param name="cipherSuites">The suites; null for TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256.</param>
    /// <param name="random">The random (32 bytes); null for 00 01 02 ... 1f.</param>
    /// <param name="sessionId">legacy_session_id; null for empty.</param>
    /// <returns>
    /// <c>client_hello { msg_type, body { legacy_version, random, legacy_session_id, cipher_suites [cipher_suite...],
    /// legacy_compression_methods [compression_method...], extensions [...] } }</c>.
    /// </returns>
    public static HandshakeBuilder ClientHello(
        IEnumerable<ExtensionBuilder>? extensions = null,
        IEnumerable<TlsCipherSuite>? cipherSuites = null,
        byte[]? random = null,
        byte[]? sessionId = null) =>
        Hello(
            "client_hello",
            extensions ?? DefaultClientExtensions(),
            cipherSuites ?? Tls13Suites,
            random,
            sessionId);

    /// <summary>
    /// A TLS 1.2 ClientHello: four ECDHE, DHE and RSA AES-GCM suites, null compression, and extensions server_name,
    /// supported_groups, ec_point_formats, signature_algorithms, extended_master_secret, renegotiation_info and an
    /// empty session_ticket.
    /// </summary>
    /// <param name="extensions">The extensions; null for the defaults above.</param>
    /// <param name="cipherSuites">The suites; null for the defaults above.</param>
    /// <returns>The message (same shape as <see cref="ClientHello"/>).</returns>
    public static HandshakeBuilder ClientHello12(IEnumerable<ExtensionBuilder>? extensions = null, IEnumerable<TlsCipherSuite>? cipherSuites = null) =>
        Hello(
            "client_hello",
            extensions ??
            [
                TlsExtensions.ServerName(),
                TlsExtensions.SupportedGroups(NamedGroup.X25519, NamedGroup.Secp256r1, NamedGroup.Secp384r1),
                TlsExtensions.EcPointFormats(),
                TlsExtensions.SignatureAlgorithms(),
                TlsExtensions.ExtendedMasterSecret(),
                TlsExtensions.RenegotiationInfo(),
                TlsExtensions.SessionTicket(),
            ],
            cipherSuites ?? Tls12Suites,
            null,
            null);

    /// <summary>The default ClientHello extensions (see <see cref="ClientHello"/>), fresh each call.</summary>
    /// <returns>The extensions.</returns>
    public static List<ExtensionBuilder> DefaultClientExtensions() =>
    [
        TlsExtensions.ServerName(),
        TlsExtensions.SupportedGroups(),
        TlsExtensions.SignatureAlgorithms(),
        TlsExtensions.SupportedVersions(),
        TlsExtensions.PskKeyExchangeModes(),
        TlsExtensions.KeyShareClient(),
    ];

    /// <summary>A TLS 1.3 ServerHello: TLS_AES_128_GCM_SHA256, supported_versions (TLS 1.3) and an x25519 key_share.</summary>
    /// <param name="cipherSuite">The selected suite.</param>
    /// <param name="extensions">The extensions; null for supported_versions and key_share.</param>
    /// <param name="random">The random; null for 0x20 ... 0x3f.</param>
    /// <param name="sessionIdEcho">legacy_session_id_echo; null for empty.</param>
    /// <returns>
    /// <c>server_hello { msg_type, body { legacy_version, random, legacy_session_id_echo, cipher_suite,
    /// legacy_compression_method, extensions [...] } }</c>.
    /// </returns>
    public static HandshakeBuilder ServerHello(
        TlsCipherSuite cipherSuite = TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        IEnumerable<ExtensionBuilder>? extensions = null,
        byte[]? random = null,
        byte[]? sessionIdEcho = null) =>
        ServerHelloShape(
            "server_hello",
            random ?? Sequence(32, 0x20),
            sessionIdEcho ?? [],
            cipherSuite,
            extensions ?? [TlsExtensions.SupportedVersionsServer(), TlsExtensions.KeyShareServer()]);

    /// <summary>A TLS 1.2 ServerHello: ECDHE-ECDSA-AES128-GCM, and extensions renegotiation_info, extended_master_secret, ec_point_formats.</summary>
    /// <param name="cipherSuite">The selected suite.</param>
    /// <param name="extensions">The extensions; null for the defaults above.</param>
    /// <returns>The message (same shape as <see cref="ServerHello"/>).</returns>
    public static HandshakeBuilder ServerHello12(
        TlsCipherSuite cipherSuite = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        IEnumerable<ExtensionBuilder>? extensions = null) =>
        ServerHelloShape(
            "server_hello",
            Sequence(32, 0x20),
            Sequence(32, 0x80),
            cipherSuite,
            extensions ?? [TlsExtensions.RenegotiationInfo(), TlsExtensions.ExtendedMasterSecret(), TlsExtensions.EcPointFormats()]);

    /// <summary>A HelloRetryRequest: a ServerHello with the special random, supported_versions and key_share naming secp256r1.</summary>
    /// <param name="selectedGroup">The group the client must retry with.</param>
    /// <param name="cipherSuite">The selected suite.</param>
    /// <param name="cookie">A cookie to add, or null for none.</param>
    /// <param name="sessionIdEcho">legacy_session_id_echo; null for empty.</param>
    /// <returns>A <c>hello_retry_request</c> node with the ServerHello fields.</returns>
    public static HandshakeBuilder HelloRetryRequest(
        NamedGroup selectedGroup = NamedGroup.Secp256r1,
        TlsCipherSuite cipherSuite = TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        byte[]? cookie = null,
        byte[]? sessionIdEcho = null)
    {
        var ext = new List<ExtensionBuilder> { TlsExtensions.SupportedVersionsServer(), TlsExtensions.KeyShareRetry(selectedGroup) };
        if (cookie is not null)
        {
            ext.Add(TlsExtensions.Cookie(cookie));
        }

        return ServerHelloShape("hello_retry_request", HelloRetryRequestRandom, sessionIdEcho ?? [], cipherSuite, ext);
    }

    /// <summary>EncryptedExtensions (RFC 8446 section 4.3.1).</summary>
    /// <param name="extensions">The extensions (none by default).</param>
    /// <returns><c>encrypted_extensions { msg_type, body { extensions [...] } }</c>.</returns>
    public static HandshakeBuilder EncryptedExtensions(params ExtensionBuilder[] extensions) =>
        new("encrypted_extensions", HandshakeType.EncryptedExtensions, new VectorNode("extensions", 2, extensions));

    /// <summary>A TLS 1.3 CertificateRequest: an empty context and signature_algorithms.</summary>
    /// <param name="context">certificate_request_context; null for empty (as during the handshake).</param>
    /// <param name="extensions">The extensions; none for signature_algorithms alone.</param>
    /// <returns><c>certificate_request { msg_type, body { certificate_request_context, extensions [...] } }</c>.</returns>
    public static HandshakeBuilder CertificateRequest(byte[]? context = null, params ExtensionBuilder[] extensions) =>
        new("certificate_request", HandshakeType.CertificateRequest,
            VectorNode.Opaque("certificate_request_context", 1, context ?? []),
            new VectorNode("extensions", 2, extensions.Length > 0 ? extensions : [TlsExtensions.SignatureAlgorithms()]));

    /// <summary>A TLS 1.2 CertificateRequest: ecdsa_sign and rsa_sign, the default schemes, no authorities.</summary>
    /// <param name="authorities">DER distinguished names.</param>
    /// <returns>
    /// <c>certificate_request { msg_type, body { certificate_types [certificate_type...],
    /// supported_signature_algorithms [signature_scheme...], certificate_authorities [distinguished_name...] } }</c>.
    /// </returns>
    public static HandshakeBuilder CertificateRequest12(params byte[][] authorities) =>
        new("certificate_request", HandshakeType.CertificateRequest,
            new VectorNode("certificate_types", 1, new UIntNode("certificate_type", 1, 64), new UIntNode("certificate_type", 1, 1)),
            TlsExtensions.SchemeList([]),
            new VectorNode("certificate_authorities", 2, authorities.Select(a => VectorNode.Opaque("distinguished_name", 2, a))));

    /// <summary>A TLS 1.3 Certificate with one entry per certificate, each without extensions.</summary>
    /// <param name="certificates">DER certificates, leaf first; null for <see cref="ThrowawayPki.Shared"/>'s chain.</param>
    /// <param name="context">certificate_request_context; null for empty.</param>
    /// <returns>
    /// <c>certificate { msg_type, body { certificate_request_context, certificate_list [ certificate_entry { cert_data,
    /// extensions [...] }... ] } }</c>.
    /// </returns>
    public static HandshakeBuilder Certificate(IEnumerable<byte[]>? certificates = null, byte[]? context = null) =>
        CertificateWithEntries((certificates ?? ThrowawayPki.Shared.Chain).Select(c => CertificateEntry(c)), context);

    /// <summary>A TLS 1.3 Certificate with the given entries (see <see cref="CertificateEntry"/>).</summary>
    /// <param name="entries">The entries.</param>
    /// <param name="context">certificate_request_context; null for empty.</param>
    /// <returns>The message.</returns>
    public static HandshakeBuilder CertificateWithEntries(IEnumerable<TlsNode> entries, byte[]? context = null) =>
        new("certificate", HandshakeType.Certificate,
            VectorNode.Opaque("certificate_request_context", 1, context ?? []),
            new VectorNode("certificate_list", 3, entries));

    /// <summary>One TLS 1.3 CertificateEntry with per-entry extensions (status_request, signed_certificate_timestamp).</summary>
    /// <param name="certificate">The DER certificate.</param>
    /// <param name="extensions">The entry's extensions.</param>
    /// <returns><c>certificate_entry { cert_data, extensions [...] }</c>.</returns>
    public static StructNode CertificateEntry(byte[] certificate, params ExtensionBuilder[] extensions) =>
        new("certificate_entry", VectorNode.Opaque("cert_data", 3, certificate), new VectorNode("extensions", 2, extensions));

    /// <summary>A TLS 1.2 Certificate.</summary>
    /// <param name="certificates">DER certificates, leaf first; null for <see cref="ThrowawayPki.Shared"/>'s chain.</param>
    /// <returns><c>certificate { msg_type, body { certificate_list [ cert_data... ] } }</c>.</returns>
    public static HandshakeBuilder Certificate12(IEnumerable<byte[]>? certificates = null) =>
        new("certificate", HandshakeType.Certificate,
            new VectorNode("certificate_list", 3, (certificates ?? ThrowawayPki.Shared.Chain).Select(c => VectorNode.Opaque("cert_data", 3, c))));

    /// <summary>CertificateVerify (RFC 8446 section 4.4.3) with a placeholder signature.</summary>
    /// <param name="algorithm">The scheme.</param>
    /// <param name="signature">The signature; null for 64 bytes of 0x51.</param>
    /// <returns><c>certificate_verify { msg_type, body { algorithm, signature } }</c>.</returns>
    public static HandshakeBuilder CertificateVerify(SignatureScheme algorithm = SignatureScheme.EcdsaSecp256r1Sha256, byte[]? signature = null) =>
        new("certificate_verify", HandshakeType.CertificateVerify,
            new UIntNode("algorithm", 2, (ushort)algorithm),
            VectorNode.Opaque("signature", 2, signature ?? TlsExtensions.Filled(64, 0x51)));

    /// <summary>Finished: verify_data is the whole body.</summary>
    /// <param name="verifyData">verify_data; null for 32 zero bytes.</param>
    /// <returns><c>finished { msg_type, body { verify_data } }</c>.</returns>
    public static HandshakeBuilder Finished(byte[]? verifyData = null) =>
        new("finished", HandshakeType.Finished, new BytesNode("verify_data", verifyData ?? new byte[32]));

    /// <summary>A TLS 1.3 NewSessionTicket: two hours, a fixed age_add, a one-byte nonce, a 32-byte ticket, no extensions.</summary>
    /// <param name="ticket">The ticket; null for 32 bytes of 0x7e.</param>
    /// <param name="nonce">ticket_nonce; null for [0].</param>
    /// <param name="lifetime">ticket_lifetime in seconds.</param>
    /// <param name="ageAdd">ticket_age_add.</param>
    /// <param name="extensions">The extensions (early_data: <see cref="TlsExtensions.EarlyDataTicket"/>).</param>
    /// <returns>
    /// <c>new_session_ticket { msg_type, body { ticket_lifetime, ticket_age_add, ticket_nonce, ticket, extensions [...] } }</c>.
    /// </returns>
    public static HandshakeBuilder NewSessionTicket(byte[]? ticket = null, byte[]? nonce = null, uint lifetime = 7200, uint ageAdd = 0x01020304, params ExtensionBuilder[] extensions) =>
        new("new_session_ticket", HandshakeType.NewSessionTicket,
            new UIntNode("ticket_lifetime", 4, lifetime),
            new UIntNode("ticket_age_add", 4, ageAdd),
            VectorNode.Opaque("ticket_nonce", 1, nonce ?? [0]),
            VectorNode.Opaque("ticket", 2, ticket ?? TlsExtensions.Filled(32, 0x7e)),
            new VectorNode("extensions", 2, extensions));

    /// <summary>A TLS 1.2 NewSessionTicket (RFC 5077 section 3.3).</summary>
    /// <param name="ticket">The ticket; null for 32 bytes of 0x7e.</param>
    /// <param name="lifetimeHint">ticket_lifetime_hint.</param>
    /// <returns><c>new_session_ticket { msg_type, body { ticket_lifetime_hint, ticket } }</c>.</returns>
    public static HandshakeBuilder NewSessionTicket12(byte[]? ticket = null, uint lifetimeHint = 7200) =>
        new("new_session_ticket", HandshakeType.NewSessionTicket,
            new UIntNode("ticket_lifetime_hint", 4, lifetimeHint),
            VectorNode.Opaque("ticket", 2, ticket ?? TlsExtensions.Filled(32, 0x7e)));

    /// <summary>EndOfEarlyData: an empty body.</summary>
    /// <returns><c>end_of_early_data { msg_type, body { } }</c>.</returns>
    public static HandshakeBuilder EndOfEarlyData() => new("end_of_early_data", HandshakeType.EndOfEarlyData);

    /// <summary>KeyUpdate (RFC 8446 section 4.6.3).</summary>
    /// <param name="updateRequested">True for update_requested(1).</param>
    /// <returns><c>key_update { msg_type, body { request_update } }</c>.</returns>
    public static HandshakeBuilder KeyUpdate(bool updateRequested = false) =>
        new("key_update", HandshakeType.KeyUpdate, new UIntNode("request_update", 1, updateRequested ? 1UL : 0UL));

    /// <summary>HelloRequest (TLS 1.2): an empty body.</summary>
    /// <returns><c>hello_request { msg_type, body { } }</c>.</returns>
    public static HandshakeBuilder HelloRequest() => new("hello_request", HandshakeType.HelloRequest);

    /// <summary>ServerHelloDone (TLS 1.2): an empty body.</summary>
    /// <returns><c>server_hello_done { msg_type, body { } }</c>.</returns>
    public static HandshakeBuilder ServerHelloDone() => new("server_hello_done", HandshakeType.ServerHelloDone);

    /// <summary>An ECDHE ServerKeyExchange (RFC 8422 section 5.4) with a placeholder signature.</summary>
    /// <param name="group">namedcurve.</param>
    /// <param name="point">The public point; null for a sample x25519 key.</param>
    /// <param name="algorithm">The signature's scheme.</param>
    /// <returns><c>server_key_exchange { msg_type, body { curve_type, namedcurve, point, algorithm, signature } }</c>.</returns>
    public static HandshakeBuilder ServerKeyExchangeEcdhe(NamedGroup group = NamedGroup.X25519, byte[]? point = null, SignatureScheme algorithm = SignatureScheme.EcdsaSecp256r1Sha256) =>
        new("server_key_exchange", HandshakeType.ServerKeyExchange,
            new UIntNode("curve_type", 1, 3),
            new UIntNode("namedcurve", 2, (ushort)group),
            VectorNode.Opaque("point", 1, point ?? TlsExtensions.SampleX25519Share),
            new UIntNode("algorithm", 2, (ushort)algorithm),
            VectorNode.Opaque("signature", 2, TlsExtensions.Filled(64, 0x51)));

    /// <summary>A DHE ServerKeyExchange (RFC 5246 section 7.4.3): ffdhe2048's p and g, a placeholder Ys and signature.</summary>
    /// <param name="algorithm">The signature's scheme.</param>
    /// <returns><c>server_key_exchange { msg_type, body { dh_p, dh_g, dh_Ys, algorithm, signature } }</c>.</returns>
    public static HandshakeBuilder ServerKeyExchangeDhe(SignatureScheme algorithm = SignatureScheme.RsaPssRsaeSha256) =>
        new("server_key_exchange", HandshakeType.ServerKeyExchange,
            VectorNode.Opaque("dh_p", 2, KeyExchanges.Ffdhe2048.Prime),
            VectorNode.Opaque("dh_g", 2, KeyExchanges.Ffdhe2048.Generator),
            VectorNode.Opaque("dh_Ys", 2, TlsExtensions.Filled(256, 0x3c)),
            new UIntNode("algorithm", 2, (ushort)algorithm),
            VectorNode.Opaque("signature", 2, TlsExtensions.Filled(256, 0x51)));

    /// <summary>An ECDHE ClientKeyExchange (RFC 8422 section 5.7).</summary>
    /// <param name="point">The public point; null for a sample x25519 key.</param>
    /// <returns><c>client_key_exchange { msg_type, body { point } }</c>.</returns>
    public static HandshakeBuilder ClientKeyExchangeEcdhe(byte[]? point = null) =>
        new("client_key_exchange", HandshakeType.ClientKeyExchange, VectorNode.Opaque("point", 1, point ?? TlsExtensions.SampleX25519Share));

    /// <summary>A DHE ClientKeyExchange (RFC 5246 section 7.4.7.2).</summary>
    /// <param name="publicValue">dh_Yc; null for 256 bytes of 0x3d.</param>
    /// <returns><c>client_key_exchange { msg_type, body { dh_Yc } }</c>.</returns>
    public static HandshakeBuilder ClientKeyExchangeDhe(byte[]? publicValue = null) =>
        new("client_key_exchange", HandshakeType.ClientKeyExchange, VectorNode.Opaque("dh_Yc", 2, publicValue ?? TlsExtensions.Filled(256, 0x3d)));

    /// <summary>An RSA ClientKeyExchange (RFC 5246 section 7.4.7.1).</summary>
    /// <param name="encryptedPreMasterSecret">The encrypted premaster secret; null for 256 bytes of 0x3e.</param>
    /// <returns><c>client_key_exchange { msg_type, body { encrypted_pre_master_secret } }</c>.</returns>
    public static HandshakeBuilder ClientKeyExchangeRsa(byte[]? encryptedPreMasterSecret = null) =>
        new("client_key_exchange", HandshakeType.ClientKeyExchange,
            VectorNode.Opaque("encrypted_pre_master_secret", 2, encryptedPreMasterSecret ?? TlsExtensions.Filled(256, 0x3e)));

    /// <summary>CertificateStatus (RFC 6066 section 8), TLS 1.2.</summary>
    /// <param name="ocspResponse">The DER OCSPResponse; null for a placeholder.</param>
    /// <returns><c>certificate_status { msg_type, body { status_type, ocsp_response } }</c>.</returns>
    public static HandshakeBuilder CertificateStatus(byte[]? ocspResponse = null) =>
        new("certificate_status", HandshakeType.CertificateStatus,
            new UIntNode("status_type", 1, 1),
            VectorNode.Opaque("ocsp_response", 3, ocspResponse ?? [0x30, 0x03, 0x0a, 0x01, 0x00]));

    /// <summary>
    /// The synthetic message_hash message that replaces ClientHello1 in the transcript after a HelloRetryRequest
    /// (RFC 8446 section 4.4.1): its body is Hash(ClientHello1). Never sent on the wire by a correct peer.
    /// </summary>
    /// <param name="clientHelloHash">The hash; null for 32 zero bytes.</param>
    /// <returns><c>message_hash { msg_type, body { hash } }</c>.</returns>
    public static HandshakeBuilder MessageHash(byte[]? clientHelloHash = null) =>
        new("message_hash", HandshakeType.MessageHash, new BytesNode("hash", clientHelloHash ?? new byte[32]));

    /// <summary>Any message type with a raw body.</summary>
    /// <param name="type">msg_type (any value).</param>
    /// <param name="body">The body.</param>
    /// <returns><c>handshake { msg_type, body { data } }</c>.</returns>
    public static HandshakeBuilder Raw(HandshakeType type, byte[] body) =>
        new("handshake", type, new BytesNode("data", body));

    internal static byte[] Sequence(int length, byte start)
    {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)(start + i);
        }

        return b;
    }

    private static HandshakeBuilder Hello(string name, IEnumerable<ExtensionBuilder> extensions, IEnumerable<TlsCipherSuite> suites, byte[]? random, byte[]? sessionId) =>
        new(name, HandshakeType.ClientHello,
            new UIntNode("legacy_version", 2, (ushort)ProtocolVersion.Tls12),
            new BytesNode("random", random ?? Sequence(32, 0)),
            VectorNode.Opaque("legacy_session_id", 1, sessionId ?? []),
            new VectorNode("cipher_suites", 2, suites.Select(s => new UIntNode("cipher_suite", 2, (ushort)s))),
            new VectorNode("legacy_compression_methods", 1, new UIntNode("compression_method", 1, 0)),
            new VectorNode("extensions", 2, extensions));

    private static HandshakeBuilder ServerHelloShape(string name, byte[] random, byte[] sessionIdEcho, TlsCipherSuite suite, IEnumerable<ExtensionBuilder> extensions) =>
        new(name, HandshakeType.ServerHello,
            new UIntNode("legacy_version", 2, (ushort)ProtocolVersion.Tls12),
            new BytesNode("random", random),
            VectorNode.Opaque("legacy_session_id_echo", 1, sessionIdEcho),
            new UIntNode("cipher_suite", 2, (ushort)suite),
            new UIntNode("legacy_compression_method", 1, 0),
            new VectorNode("extensions", 2, extensions));
}
