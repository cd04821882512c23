using System.Globalization;
using System.Text;
using ManagedTls.Wire;

namespace ManagedTls.Testing;

/// <summary>
/// Factories for every extension the engine knows, each a valid encoding tree with the RFC's field names. Where an
/// extension has several forms (ClientHello, ServerHello, HelloRetryRequest, certificate entry, ticket), each form
/// has its own factory. Every factory's output is accepted by ManagedTls's parser in its context and re-encodes to the
/// same bytes.
/// </summary>
public static class TlsExtensions
{
    /// <summary>The x25519 public key of RFC 8448's client, a valid default key_share.</summary>
    internal static readonly byte[] SampleX25519Share = Convert.FromHexString("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c");

    /// <summary>server_name in a ClientHello (RFC 6066 section 3): one host_name entry.</summary>
    /// <param name="hostName">The host name (ASCII).</param>
    /// <returns><c>server_name { server_name_list [ server_name { name_type, host_name } ] }</c>.</returns>
    public static ExtensionBuilder ServerName(string hostName = "localhost") =>
        new("server_name", ExtensionType.ServerName,
            new VectorNode("server_name_list", 2, ServerNameEntry(hostName)));

    /// <summary>One entry of server_name_list.</summary>
    /// <param name="hostName">The host name (ASCII).</param>
    /// <returns><c>server_name { name_type = host_name(0), host_name }</c>.</returns>
    public static StructNode ServerNameEntry(string hostName) =>
        new("server_name", new UIntNode("name_type", 1, 0), VectorNode.Opaque("host_name", 2, Encoding.ASCII.GetBytes(hostName)));

    /// <summary>server_name as a server acknowledges it (EncryptedExtensions, TLS 1.2 ServerHello): empty.</summary>
    /// <returns>An empty server_name.</returns>
    public static ExtensionBuilder ServerNameAck() => new("server_name", ExtensionType.ServerName);

    /// <summary>max_fragment_length (RFC 6066 section 4).</summary>
    /// <param name="code">1..4 for 2^9..2^12 bytes.</param>
    /// <returns>The extension.</returns>
    public static ExtensionBuilder MaxFragmentLength(byte code = 1) =>
        new("max_fragment_length", ExtensionType.MaxFragmentLength, new UIntNode("max_fragment_length", 1, code));

    /// <summary>status_request in a ClientHello (RFC 6066 section 8): an OCSP request without responder IDs or extensions.</summary>
    /// <returns><c>status_request { status_type = ocsp(1), responder_id_list, request_extensions }</c>.</returns>
    public static ExtensionBuilder StatusRequest() =>
        new("status_request", ExtensionType.StatusRequest,
            new UIntNode("status_type", 1, 1),
            new VectorNode("responder_id_list", 2),
            new VectorNode("request_extensions", 2));

    /// <summary>status_request as a TLS 1.2 ServerHello or TLS 1.3 CertificateRequest carries it: empty.</summary>
    /// <returns>An empty status_request.</returns>
    public static ExtensionBuilder StatusRequestAck() => new("status_request", ExtensionType.StatusRequest);

    /// <summary>status_request in a TLS 1.3 certificate entry (RFC 8446 section 4.4.2.1): a CertificateStatus with an OCSP response.</summary>
    /// <param name="ocspResponse">The DER OCSPResponse (not checked); null for a placeholder.</param>
    /// <returns><c>status_request { status_type = ocsp(1), ocsp_response }</c>.</returns>
    public static ExtensionBuilder StatusRequestResponse(byte[]? ocspResponse = null) =>
        new("status_request", ExtensionType.StatusRequest,
            new UIntNode("status_type", 1, 1),
            VectorNode.Opaque("ocsp_response", 3, ocspResponse ?? [0x30, 0x03, 0x0a, 0x01, 0x00]));

    /// <summary>supported_groups (RFC 8446 section 4.2.7).</summary>
    /// <param name="groups">The groups; none for x25519, secp256r1, x448, secp521r1, secp384r1, ffdhe2048.</param>
    /// <returns><c>supported_groups { named_group_list [ named_group... ] }</c>.</returns>
    public static ExtensionBuilder SupportedGroups(params NamedGroup[] groups) =>
        new("supported_groups", ExtensionType.SupportedGroups,
            new VectorNode("named_group_list", 2, (groups.Length > 0 ? groups : DefaultGroups).Select(g => new UIntNode("named_group", 2, (ushort)g))));

    /// <summary>ec_point_formats (RFC 8422 section 5.1.2).</summary>
    /// <param name="formats">The formats; none for [uncompressed(0)].</param>
    /// <returns><c>ec_point_formats { ec_point_format_list [ ec_point_format... ] }</c>.</returns>
    public static ExtensionBuilder EcPointFormats(params byte[] formats) =>
        new("ec_point_formats", ExtensionType.EcPointFormats,
            new VectorNode("ec_point_format_list", 1, (formats.Length > 0 ? formats : [0]).Select(f => new UIntNode("ec_point_format", 1, f))));

    /// <summary>signature_algorithms (RFC 8446 section 4.2.3).</summary>
    /// <param name="schemes">The schemes; none for the TLS 1.3 schemes in OpenSSL's order.</param>
    /// <returns><c>signature_algorithms { supported_signature_algorithms [ signature_scheme... ] }</c>.</returns>
    public static ExtensionBuilder SignatureAlgorithms(params SignatureScheme[] schemes) =>
        new("signature_algorithms", ExtensionType.SignatureAlgorithms, SchemeList(schemes));

    /// <summary>signature_algorithms_cert (RFC 8446 section 4.2.3).</summary>
    /// <param name="schemes">The schemes; none for the TLS 1.3 schemes in OpenSSL's order.</param>
    /// <returns>The extension.</returns>
    public static ExtensionBuilder SignatureAlgorithmsCert(params SignatureScheme[] schemes) =>
        new("signature_algorithms_cert", ExtensionType.SignatureAlgorithmsCert, SchemeList(schemes));

    /// <summary>application_layer_protocol_negotiation (RFC 7301). A server's answer carries exactly one name.</summary>
    /// <param name="protocols">The protocol names; none for ["h2", "http/1.1"].</param>
    /// <returns><c>application_layer_protocol_negotiation { protocol_name_list [ protocol_name... ] }</c>.</returns>
    public static ExtensionBuilder Alpn(params string[] protocols) =>
        new("application_layer_protocol_negotiation", ExtensionType.ApplicationLayerProtocolNegotiation,
            new VectorNode("protocol_name_list", 2, (protocols.Length > 0 ? protocols : ["h2", "http/1.1"])
                .Select(p => VectorNode.Opaque("protocol_name", 1, Encoding.ASCII.GetBytes(p)))));

    /// <summary>
    /// signed_certificate_timestamp (RFC 6962 section 3.3): empty as a ClientHello asks for it; with SCTs, the
    /// SignedCertificateTimestampList a certificate entry carries.
    /// </summary>
    /// <param name="serializedScts">The serialized SCTs; none for the empty request form.</param>
    /// <returns>The extension.</returns>
    public static ExtensionBuilder SignedCertificateTimestamp(params byte[][] serializedScts) =>
        serializedScts.Length == 0
            ? new("signed_certificate_timestamp", ExtensionType.SignedCertificateTimestamp)
            : new("signed_certificate_timestamp", ExtensionType.SignedCertificateTimestamp,
                new VectorNode("sct_list", 2, serializedScts.Select(s => VectorNode.Opaque("serialized_sct", 2, s))));

    /// <summary>padding (RFC 7685): zero bytes.</summary>
    /// <param name="length">How many.</param>
    /// <returns><c>padding { padding }</c>.</returns>
    public static ExtensionBuilder Padding(int length = 16) =>
        new("padding", ExtensionType.Padding, new BytesNode("padding", new byte[length]));

    /// <summary>encrypt_then_mac (RFC 7366): empty.</summary>
    /// <returns>The extension.</returns>
    public static ExtensionBuilder EncryptThenMac() => new("encrypt_then_mac", ExtensionType.EncryptThenMac);

    /// <summary>extended_master_secret (RFC 7627): empty.</summary>
    /// <returns>The extension.</returns>
    public static ExtensionBuilder ExtendedMasterSecret() => new("extended_master_secret", ExtensionType.ExtendedMasterSecret);

    /// <summary>post_handshake_auth (RFC 8446 section 4.2.6): empty.</summary>
    /// <returns>The extension.</returns>
    public static ExtensionBuilder PostHandshakeAuth() => new("post_handshake_auth", ExtensionType.PostHandshakeAuth);

    /// <summary>record_size_limit (RFC 8449).</summary>
    /// <param name="limit">The limit, 64 or more.</param>
    /// <returns><c>record_size_limit { record_size_limit }</c>.</returns>
    public static ExtensionBuilder RecordSizeLimit(ushort limit = 16385) =>
        new("record_size_limit", ExtensionType.RecordSizeLimit, new UIntNode("record_size_limit", 2, limit));

    /// <summary>session_ticket (RFC 5077): the opaque ticket, empty to ask for one.</summary>
    /// <param name="ticket">The ticket; null for empty.</param>
    /// <returns><c>session_ticket { ticket }</c>.</returns>
    public static ExtensionBuilder SessionTicket(byte[]? ticket = null) =>
        new("session_ticket", ExtensionType.SessionTicket, new BytesNode("ticket", ticket ?? []));

    /// <summary>pre_shared_key in a ClientHello (RFC 8446 section 4.2.11): one identity and one binder.</summary>
    /// <param name="identity">The PSK identity (a ticket); null for 16 bytes of 0x5a.</param>
    /// <param name="obfuscatedTicketAge">obfuscated_ticket_age.</param>
    /// <param name="binder">The binder; null for 32 zero bytes.</param>
    /// <returns><c>pre_shared_key { identities [ psk_identity { identity, obfuscated_ticket_age } ], binders [ binder ] }</c>.</returns>
    public static ExtensionBuilder PreSharedKey(byte[]? identity = null, uint obfuscatedTicketAge = 0, byte[]? binder = null) =>
        PreSharedKey([PskIdentity(identity ?? Filled(16, 0x5a), obfuscatedTicketAge)], [binder ?? new byte[32]]);

    /// <summary>pre_shared_key in a ClientHello with any number of identities and binders.</summary>
    /// <param name="identities">The entries (see <see cref="PskIdentity"/>).</param>
    /// <param name="binders">The binders.</param>
    /// <returns>The extension.</returns>
    public static ExtensionBuilder PreSharedKey(IEnumerable<TlsNode> identities, IEnumerable<byte[]> binders) =>
        new("pre_shared_key", ExtensionType.PreSharedKey,
            new VectorNode("identities", 2, identities),
            new VectorNode("binders", 2, binders.Select(b => VectorNode.Opaque("binder", 1, b))));

    /// <summary>One PskIdentity.</summary>
    /// <param name="identity">The identity bytes.</param>
    /// <param name="obfuscatedTicketAge">obfuscated_ticket_age.</param>
    /// <returns><c>psk_identity { identity, obfuscated_ticket_age }</c>.</returns>
    public static StructNode PskIdentity(byte[] identity, uint obfuscatedTicketAge) =>
        new("psk_identity", VectorNode.Opaque("identity", 2, identity), new UIntNode("obfuscated_ticket_age", 4, obfuscatedTicketAge));

    /// <summary>pre_shared_key in a ServerHello: the selected identity.</summary>
    /// <param name="selectedIdentity">Index of the accepted identity.</param>
    /// <returns><c>pre_shared_key { selected_identity }</c>.</returns>
    public static ExtensionBuilder PreSharedKeyServer(ushort selectedIdentity = 0) =>
        new("pre_shared_key", ExtensionType.PreSharedKey, new UIntNode("selected_identity", 2, selectedIdentity));

    /// <summary>early_data as ClientHello and EncryptedExtensions carry it: empty.</summary>
    /// <returns>The extension.</returns>
    public static ExtensionBuilder EarlyData() => new("early_data", ExtensionType.EarlyData);

    /// <summary>early_data in a NewSessionTicket: max_early_data_size.</summary>
    /// <param name="maxEarlyDataSize">The limit.</param>
    /// <returns><c>early_data { max_early_data_size }</c>.</returns>
    public static ExtensionBuilder EarlyDataTicket(uint maxEarlyDataSize = 16384) =>
        new("early_data", ExtensionType.EarlyData, new UIntNode("max_early_data_size", 4, maxEarlyDataSize));

    /// <summary>supported_versions in a ClientHello (RFC 8446 section 4.2.1).</summary>
    /// <param name="versions">The versions; none for [TLS 1.3].</param>
    /// <returns><c>supported_versions { versions [ protocol_version... ] }</c>.</returns>
    public static ExtensionBuilder SupportedVersions(params ProtocolVersion[] versions) =>
        new("supported_versions", ExtensionType.SupportedVersions,
            new VectorNode("versions", 1, (versions.Length > 0 ? versions : [ProtocolVersion.Tls13]).Select(v => new UIntNode("protocol_version", 2, (ushort)v))));

    /// <summary>supported_versions in a ServerHello or HelloRetryRequest.</summary>
    /// <param name="selected">The selected version.</param>
    /// <returns><c>supported_versions { selected_version }</c>.</returns>
    public static ExtensionBuilder SupportedVersionsServer(ProtocolVersion selected = ProtocolVersion.Tls13) =>
        new("supported_versions", ExtensionType.SupportedVersions, new UIntNode("selected_version", 2, (ushort)selected));

    /// <summary>cookie (RFC 8446 section 4.2.2).</summary>
    /// <param name="cookie">The cookie; null for 32 bytes of 0xc0.</param>
    /// <returns><c>cookie { cookie }</c>.</returns>
    public static ExtensionBuilder Cookie(byte[]? cookie = null) =>
        new("cookie", ExtensionType.Cookie, VectorNode.Opaque("cookie", 2, cookie ?? Filled(32, 0xc0)));

    /// <summary>psk_key_exchange_modes (RFC 8446 section 4.2.9).</summary>
    /// <param name="modes">The modes; none for [psk_dhe_ke(1)].</param>
    /// <returns><c>psk_key_exchange_modes { ke_modes [ ke_mode... ] }</c>.</returns>
    public static ExtensionBuilder PskKeyExchangeModes(params byte[] modes) =>
        new("psk_key_exchange_modes", ExtensionType.PskKeyExchangeModes,
            new VectorNode("ke_modes", 1, (modes.Length > 0 ? modes : [1]).Select(m => new UIntNode("ke_mode", 1, m))));

    /// <summary>certificate_authorities (RFC 8446 section 4.2.4).</summary>
    /// <param name="distinguishedNames">DER names; none for the single name CN=Kit CA.</param>
    /// <returns><c>certificate_authorities { authorities [ distinguished_name... ] }</c>.</returns>
    public static ExtensionBuilder CertificateAuthorities(params byte[][] distinguishedNames) =>
        new("certificate_authorities", ExtensionType.CertificateAuthorities,
            new VectorNode("authorities", 2, (distinguishedNames.Length > 0 ? distinguishedNames : [SampleName])
                .Select(n => VectorNode.Opaque("distinguished_name", 2, n))));

    /// <summary>oid_filters (RFC 8446 section 4.2.5), in a CertificateRequest.</summary>
    /// <param name="filters">(DER OID content, DER extension values) pairs; none for extendedKeyUsage = serverAuth.</param>
    /// <returns><c>oid_filters { filters [ oid_filter { certificate_extension_oid, certificate_extension_values } ] }</c>.</returns>
    public static ExtensionBuilder OidFilters(params (byte[] Oid, byte[] Values)[] filters) =>
        new("oid_filters", ExtensionType.OidFilters,
            new VectorNode("filters", 2, (filters.Length > 0 ? filters : [(ExtendedKeyUsageOid, ServerAuthUsage)])
                .Select(f => new StructNode("oid_filter", VectorNode.Opaque("certificate_extension_oid", 1, f.Oid), VectorNode.Opaque("certificate_extension_values", 2, f.Values)))));

    /// <summary>key_share in a ClientHello (RFC 8446 section 4.2.8).</summary>
    /// <param name="shares">The entries (see <see cref="KeyShareEntry"/>); none for one x25519 share.</param>
    /// <returns><c>key_share { client_shares [ key_share_entry { group, key_exchange }... ] }</c>.</returns>
    public static ExtensionBuilder KeyShareClient(params TlsNode[] shares) =>
        new("key_share", ExtensionType.KeyShare,
            new VectorNode("client_shares", 2, shares.Length > 0 ? shares : [KeyShareEntry(NamedGroup.X25519, SampleX25519Share)]));

    /// <summary>One KeyShareEntry.</summary>
    /// <param name="group">The group.</param>
    /// <param name="keyExchange">The public share.</param>
    /// <returns><c>key_share_entry { group, key_exchange }</c>.</returns>
    public static StructNode KeyShareEntry(NamedGroup group, byte[] keyExchange) =>
        new("key_share_entry", new UIntNode("group", 2, (ushort)group), VectorNode.Opaque("key_exchange", 2, keyExchange));

    /// <summary>key_share in a ServerHello.</summary>
    /// <param name="group">The group.</param>
    /// <param name="keyExchange">The public share; null for a sample x25519 key.</param>
    /// <returns><c>key_share { server_share { group, key_exchange } }</c>.</returns>
    public static ExtensionBuilder KeyShareServer(NamedGroup group = NamedGroup.X25519, byte[]? keyExchange = null) =>
        new("key_share", ExtensionType.KeyShare,
            new StructNode("server_share", new UIntNode("group", 2, (ushort)group), VectorNode.Opaque("key_exchange", 2, keyExchange ?? SampleX25519Share)));

    /// <summary>key_share in a HelloRetryRequest.</summary>
    /// <param name="selectedGroup">The group the client must retry with.</param>
    /// <returns><c>key_share { selected_group }</c>.</returns>
    public static ExtensionBuilder KeyShareRetry(NamedGroup selectedGroup = NamedGroup.Secp256r1) =>
        new("key_share", ExtensionType.KeyShare, new UIntNode("selected_group", 2, (ushort)selectedGroup));

    /// <summary>renegotiation_info (RFC 5746).</summary>
    /// <param name="renegotiatedConnection">The previous verify_data; null for empty (an initial handshake).</param>
    /// <returns><c>renegotiation_info { renegotiated_connection }</c>.</returns>
    public static ExtensionBuilder RenegotiationInfo(byte[]? renegotiatedConnection = null) =>
        new("renegotiation_info", ExtensionType.RenegotiationInfo, VectorNode.Opaque("renegotiated_connection", 1, renegotiatedConnection ?? []));

    /// <summary>Any extension as its code point and raw extension_data (unknown and GREASE types included).</summary>
    /// <param name="type">The code point.</param>
    /// <param name="data">extension_data; null for empty.</param>
    /// <returns>An extension named <c>extension_N</c> (N in decimal) holding a <c>data</c> field.</returns>
    public static ExtensionBuilder Raw(ushort type, byte[]? data = null) =>
        new("extension_" + type.ToString(CultureInfo.InvariantCulture), (ExtensionType)type, new BytesNode("data", data ?? []));

    /// <summary>The RFC name of an extension type, as factories name their nodes (<c>extension_N</c> when unknown).</summary>
    /// <param name="type">The code point.</param>
    /// <returns>The name.</returns>
    public static string NameOf(ExtensionType type) => type switch
    {
        ExtensionType.ServerName => "server_name",
        ExtensionType.MaxFragmentLength => "max_fragment_length",
        ExtensionType.StatusRequest => "status_request",
        ExtensionType.SupportedGroups => "supported_groups",
        ExtensionType.EcPointFormats => "ec_point_formats",
        ExtensionType.SignatureAlgorithms => "signature_algorithms",
        ExtensionType.ApplicationLayerProtocolNegotiation => "application_layer_protocol_negotiation",
        ExtensionType.SignedCertificateTimestamp => "signed_certificate_timestamp",
        ExtensionType.Padding => "padding",
        ExtensionType.EncryptThenMac => "encrypt_then_mac",
        ExtensionType.ExtendedMasterSecret => "extended_master_secret",
        ExtensionType.RecordSizeLimit => "record_size_limit",
        ExtensionType.SessionTicket => "session_ticket",
        ExtensionType.PreSharedKey => "pre_shared_key",
        ExtensionType.EarlyData => "early_data",
        ExtensionType.SupportedVersions => "supported_versions",
        ExtensionType.Cookie => "cookie",
        ExtensionType.PskKeyExchangeModes => "psk_key_exchange_modes",
        ExtensionType.CertificateAuthorities => "certificate_authorities",
        ExtensionType.OidFilters => "oid_filters",
        ExtensionType.PostHandshakeAuth => "post_handshake_auth",
        ExtensionType.SignatureAlgorithmsCert => "signature_algorithms_cert",
        ExtensionType.KeyShare => "key_share",
        ExtensionType.RenegotiationInfo => "renegotiation_info",
        _ => "extension_" + ((ushort)type).ToString(CultureInfo.InvariantCulture),
    };

    internal static readonly NamedGroup[] DefaultGroups =
        [NamedGroup.X25519, NamedGroup.Secp256r1, NamedGroup.X448, NamedGroup.Secp521r1, NamedGroup.Secp384r1, NamedGroup.Ffdhe2048];

    internal static readonly SignatureScheme[] DefaultSchemes =
    [
        SignatureScheme.EcdsaSecp256r1Sha256, SignatureScheme.EcdsaSecp384r1Sha384, SignatureScheme.EcdsaSecp521r1Sha512,
        SignatureScheme.Ed25519, SignatureScheme.Ed448,
        SignatureScheme.RsaPssPssSha256, SignatureScheme.RsaPssPssSha384, SignatureScheme.RsaPssPssSha512,
        SignatureScheme.RsaPssRsaeSha256, SignatureScheme.RsaPssRsaeSha384, SignatureScheme.RsaPssRsaeSha512,
        SignatureScheme.RsaPkcs1Sha256, SignatureScheme.RsaPkcs1Sha384, SignatureScheme.RsaPkcs1Sha512,
    ];

    // Name ::= SEQUENCE { SET { SEQUENCE { id-at-commonName, UTF8String "Kit CA" } } }
    internal static readonly byte[] SampleName = Convert.FromHexString("3011310f300d06035504030c064b6974204341");

    // id-ce-extKeyUsage (2.5.29.37) content octets, and ExtKeyUsageSyntax ::= SEQUENCE { id-kp-serverAuth }.
    private static readonly byte[] ExtendedKeyUsageOid = [0x55, 0x1d, 0x25];
    private static readonly byte[] ServerAuthUsage = Convert.FromHexString("300a06082b06010505070301");

    internal static VectorNode SchemeList(IReadOnlyList<SignatureScheme> schemes, string name = "supported_signature_algorithms") =>
        new(name, 2, (schemes.Count > 0 ? schemes : DefaultSchemes).Select(s => new UIntNode("signature_scheme", 2, (ushort)s)));

    internal static byte[] Filled(int length, byte value)
    {
        byte[] b = new byte[length];
        b.AsSpan().Fill(value);
        return b;
    }
}
