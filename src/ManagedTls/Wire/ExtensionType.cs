namespace ManagedTls.Wire;

/// <summary>TLS extension code points (IANA "TLS ExtensionType Values"). Unknown values round-trip as their number.</summary>
public enum ExtensionType : ushort
{
    /// <summary>server_name(0), RFC 6066.</summary>
    ServerName = 0,
    /// <summary>max_fragment_length(1), RFC 6066.</summary>
    MaxFragmentLength = 1,
    /// <summary>status_request(5), RFC 6066.</summary>
    StatusRequest = 5,
    /// <summary>supported_groups(10), RFC 8422 / RFC 7919.</summary>
    SupportedGroups = 10,
    /// <summary>ec_point_formats(11), RFC 8422.</summary>
    EcPointFormats = 11,
    /// <summary>signature_algorithms(13), RFC 8446.</summary>
    SignatureAlgorithms = 13,
    /// <summary>application_layer_protocol_negotiation(16), RFC 7301.</summary>
    ApplicationLayerProtocolNegotiation = 16,
    /// <summary>signed_certificate_timestamp(18), RFC 6962.</summary>
    SignedCertificateTimestamp = 18,
    /// <summary>padding(21), RFC 7685.</summary>
    Padding = 21,
    /// <summary>encrypt_then_mac(22), RFC 7366.</summary>
    EncryptThenMac = 22,
    /// <summary>extended_master_secret(23), RFC 7627.</summary>
    ExtendedMasterSecret = 23,
    /// <summary>record_size_limit(28), RFC 8449.</summary>
    RecordSizeLimit = 28,
    /// <summary>session_ticket(35), RFC 5077.</summary>
    SessionTicket = 35,
    /// <summary>pre_shared_key(41), RFC 8446.</summary>
    PreSharedKey = 41,
    /// <summary>early_data(42), RFC 8446.</summary>
    EarlyData = 42,
    /// <summary>supported_versions(43), RFC 8446.</summary>
    SupportedVersions = 43,
    /// <summary>cookie(44), RFC 8446.</summary>
    Cookie = 44,
    /// <summary>psk_key_exchange_modes(45), RFC 8446.</summary>
    PskKeyExchangeModes = 45,
    /// <summary>certificate_authorities(47), RFC 8446.</summary>
    CertificateAuthorities = 47,
    /// <summary>oid_filters(48), RFC 8446.</summary>
    OidFilters = 48,
    /// <summary>post_handshake_auth(49), RFC 8446.</summary>
    PostHandshakeAuth = 49,
    /// <summary>signature_algorithms_cert(50), RFC 8446.</summary>
    SignatureAlgorithmsCert = 50,
    /// <summary>key_share(51), RFC 8446.</summary>
    KeyShare = 51,
    /// <summary>renegotiation_info(65281), RFC 5746.</summary>
    RenegotiationInfo = 0xff01,
}
