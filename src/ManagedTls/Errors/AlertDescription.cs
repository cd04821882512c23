namespace ManagedTls;

/// <summary>TLS alert levels (RFC 8446 section 6).</summary>
public enum AlertLevel : byte
{
    /// <summary>warning(1).</summary>
    Warning = 1,
    /// <summary>fatal(2).</summary>
    Fatal = 2,
}

/// <summary>TLS alert descriptions with their wire values (RFC 8446 section 6, RFC 5246 section 7.2).</summary>
public enum AlertDescription : byte
{
    /// <summary>close_notify(0).</summary>
    CloseNotify = 0,
    /// <summary>unexpected_message(10).</summary>
    UnexpectedMessage = 10,
    /// <summary>bad_record_mac(20).</summary>
    BadRecordMac = 20,
    /// <summary>decryption_failed_RESERVED(21).</summary>
    DecryptionFailed = 21,
    /// <summary>record_overflow(22).</summary>
    RecordOverflow = 22,
    /// <summary>decompression_failure_RESERVED(30).</summary>
    DecompressionFailure = 30,
    /// <summary>handshake_failure(40).</summary>
    HandshakeFailure = 40,
    /// <summary>no_certificate_RESERVED(41).</summary>
    NoCertificate = 41,
    /// <summary>bad_certificate(42).</summary>
    BadCertificate = 42,
    /// <summary>unsupported_certificate(43).</summary>
    UnsupportedCertificate = 43,
    /// <summary>certificate_revoked(44).</summary>
    CertificateRevoked = 44,
    /// <summary>certificate_expired(45).</summary>
    CertificateExpired = 45,
    /// <summary>certificate_unknown(46).</summary>
    CertificateUnknown = 46,
    /// <summary>illegal_parameter(47).</summary>
    IllegalParameter = 47,
    /// <summary>unknown_ca(48).</summary>
    UnknownCa = 48,
    /// <summary>access_denied(49).</summary>
    AccessDenied = 49,
    /// <summary>decode_error(50).</summary>
    DecodeError = 50,
    /// <summary>decrypt_error(51).</summary>
    DecryptError = 51,
    /// <summary>export_restriction_RESERVED(60).</summary>
    ExportRestriction = 60,
    /// <summary>protocol_version(70).</summary>
    ProtocolVersion = 70,
    /// <summary>insufficient_security(71).</summary>
    InsufficientSecurity = 71,
    /// <summary>internal_error(80).</summary>
    InternalError = 80,
    /// <summary>inappropriate_fallback(86).</summary>
    InappropriateFallback = 86,
    /// <summary>user_canceled(90).</summary>
    UserCanceled = 90,
    /// <summary>no_renegotiation(100).</summary>
    NoRenegotiation = 100,
    /// <summary>missing_extension(109).</summary>
    MissingExtension = 109,
    /// <summary>unsupported_extension(110).</summary>
    UnsupportedExtension = 110,
    /// <summary>certificate_unobtainable_RESERVED(111).</summary>
    CertificateUnobtainable = 111,
    /// <summary>unrecognized_name(112).</summary>
    UnrecognizedName = 112,
    /// <summary>bad_certificate_status_response(113).</summary>
    BadCertificateStatusResponse = 113,
    /// <summary>bad_certificate_hash_value_RESERVED(114).</summary>
    BadCertificateHashValue = 114,
    /// <summary>unknown_psk_identity(115).</summary>
    UnknownPskIdentity = 115,
    /// <summary>certificate_required(116).</summary>
    CertificateRequired = 116,
    /// <summary>no_application_protocol(120).</summary>
    NoApplicationProtocol = 120,
}
