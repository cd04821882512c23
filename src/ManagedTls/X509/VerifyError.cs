namespace ManagedTls.X509;

/// <summary>
/// OpenSSL's certificate verification result codes (<c>X509_V_*</c>, OpenSSL 3.0 numbering), the values Python shows as
/// <c>SSLCertVerificationError.verify_code</c>. <see cref="VerifyErrors.Message"/> gives the matching <c>verify_message</c>.
/// </summary>
public enum VerifyError
{
    /// <summary><c>X509_V_OK</c>: "ok".</summary>
    Ok = 0,

    /// <summary><c>X509_V_ERR_UNSPECIFIED</c>: "unspecified certificate verification error".</summary>
    Unspecified = 1,

    /// <summary><c>X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT</c>: "unable to get issuer certificate".</summary>
    UnableToGetIssuerCert = 2,

    /// <summary><c>X509_V_ERR_UNABLE_TO_GET_CRL</c>: "unable to get certificate CRL".</summary>
    UnableToGetCrl = 3,

    /// <summary><c>X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE</c>: "unable to decrypt certificate's signature".</summary>
    UnableToDecryptCertSignature = 4,

    /// <summary><c>X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE</c>: "unable to decrypt CRL's signature".</summary>
    UnableToDecryptCrlSignature = 5,

    /// <summary><c>X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY</c>: "unable to decode issuer public key".</summary>
    UnableToDecodeIssuerPublicKey = 6,

    /// <summary><c>X509_V_ERR_CERT_SIGNATURE_FAILURE</c>: "certificate signature failure".</summary>
    CertSignatureFailure = 7,

    /// <summary><c>X509_V_ERR_CRL_SIGNATURE_FAILURE</c>: "CRL signature failure".</summary>
    CrlSignatureFailure = 8,

    /// <summary><c>X509_V_ERR_CERT_NOT_YET_VALID</c>: "certificate is not yet valid".</summary>
    CertNotYetValid = 9,

    /// <summary><c>X509_V_ERR_CERT_HAS_EXPIRED</c>: "certificate has expired".</summary>
    CertHasExpired = 10,

    /// <summary><c>X509_V_ERR_CRL_NOT_YET_VALID</c>: "CRL is not yet valid".</summary>
    CrlNotYetValid = 11,

    /// <summary><c>X509_V_ERR_CRL_HAS_EXPIRED</c>: "CRL has expired".</summary>
    CrlHasExpired = 12,

    /// <summary><c>X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD</c>: "format error in certificate's notBefore field".</summary>
    ErrorInCertNotBeforeField = 13,

    /// <summary><c>X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD</c>: "format error in certificate's notAfter field".</summary>
    ErrorInCertNotAfterField = 14,

    /// <summary><c>X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD</c>: "format error in CRL's lastUpdate field".</summary>
    ErrorInCrlLastUpdateField = 15,

    /// <summary><c>X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD</c>: "format error in CRL's nextUpdate field".</summary>
    ErrorInCrlNextUpdateField = 16,

    /// <summary><c>X509_V_ERR_OUT_OF_MEM</c>: "out of memory".</summary>
    OutOfMem = 17,

    /// <summary><c>X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT</c>: "self-signed certificate".</summary>
    DepthZeroSelfSignedCert = 18,

    /// <summary><c>X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN</c>: "self-signed certificate in certificate chain".</summary>
    SelfSignedCertInChain = 19,

    /// <summary><c>X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY</c>: "unable to get local issuer certificate".</summary>
    UnableToGetIssuerCertLocally = 20,

    /// <summary><c>X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE</c>: "unable to verify the first certificate".</summary>
    UnableToVerifyLeafSignature = 21,

    /// <summary><c>X509_V_ERR_CERT_CHAIN_TOO_LONG</c>: "certificate chain too long".</summary>
    CertChainTooLong = 22,

    /// <summary><c>X509_V_ERR_CERT_REVOKED</c>: "certificate revoked".</summary>
    CertRevoked = 23,

    /// <summary><c>X509_V_ERR_NO_ISSUER_PUBLIC_KEY</c>: "issuer certificate doesn't have a public key".</summary>
    NoIssuerPublicKey = 24,

    /// <summary><c>X509_V_ERR_PATH_LENGTH_EXCEEDED</c>: "path length constraint exceeded".</summary>
    PathLengthExceeded = 25,

    /// <summary><c>X509_V_ERR_INVALID_PURPOSE</c>: "unsuitable certificate purpose".</summary>
    InvalidPurpose = 26,

    /// <summary><c>X509_V_ERR_CERT_UNTRUSTED</c>: "certificate not trusted".</summary>
    CertUntrusted = 27,

    /// <summary><c>X509_V_ERR_CERT_REJECTED</c>: "certificate rejected".</summary>
    CertRejected = 28,

    /// <summary><c>X509_V_ERR_SUBJECT_ISSUER_MISMATCH</c>: "subject issuer mismatch".</summary>
    SubjectIssuerMismatch = 29,

    /// <summary><c>X509_V_ERR_AKID_SKID_MISMATCH</c>: "authority and subject key identifier mismatch".</summary>
    AkidSkidMismatch = 30,

    /// <summary><c>X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH</c>: "authority and issuer serial number mismatch".</summary>
    AkidIssuerSerialMismatch = 31,

    /// <summary><c>X509_V_ERR_KEYUSAGE_NO_CERTSIGN</c>: "key usage does not include certificate signing".</summary>
    KeyusageNoCertsign = 32,

    /// <summary><c>X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER</c>: "unable to get CRL issuer certificate".</summary>
    UnableToGetCrlIssuer = 33,

    /// <summary><c>X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION</c>: "unhandled critical extension".</summary>
    UnhandledCriticalExtension = 34,

    /// <summary><c>X509_V_ERR_KEYUSAGE_NO_CRL_SIGN</c>: "key usage does not include CRL signing".</summary>
    KeyusageNoCrlSign = 35,

    /// <summary><c>X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION</c>: "unhandled critical CRL extension".</summary>
    UnhandledCriticalCrlExtension = 36,

    /// <summary><c>X509_V_ERR_INVALID_NON_CA</c>: "invalid non-CA certificate (has CA markings)".</summary>
    InvalidNonCa = 37,

    /// <summary><c>X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED</c>: "proxy path length constraint exceeded".</summary>
    ProxyPathLengthExceeded = 38,

    /// <summary><c>X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE</c>: "key usage does not include digital signature".</summary>
    KeyusageNoDigitalSignature = 39,

    /// <summary><c>X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED</c>: "proxy certificates not allowed, please set the appropriate flag".</summary>
    ProxyCertificatesNotAllowed = 40,

    /// <summary><c>X509_V_ERR_INVALID_EXTENSION</c>: "invalid or inconsistent certificate extension".</summary>
    InvalidExtension = 41,

    /// <summary><c>X509_V_ERR_INVALID_POLICY_EXTENSION</c>: "invalid or inconsistent certificate policy extension".</summary>
    InvalidPolicyExtension = 42,

    /// <summary><c>X509_V_ERR_NO_EXPLICIT_POLICY</c>: "no explicit policy".</summary>
    NoExplicitPolicy = 43,

    /// <summary><c>X509_V_ERR_DIFFERENT_CRL_SCOPE</c>: "different CRL scope".</summary>
    DifferentCrlScope = 44,

    /// <summary><c>X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE</c>: "unsupported extension feature".</summary>
    UnsupportedExtensionFeature = 45,

    /// <summary><c>X509_V_ERR_UNNESTED_RESOURCE</c>: "RFC 3779 resource not subset of parent's resources".</summary>
    UnnestedResource = 46,

    /// <summary><c>X509_V_ERR_PERMITTED_VIOLATION</c>: "permitted subtree violation".</summary>
    PermittedViolation = 47,

    /// <summary><c>X509_V_ERR_EXCLUDED_VIOLATION</c>: "excluded subtree violation".</summary>
    ExcludedViolation = 48,

    /// <summary><c>X509_V_ERR_SUBTREE_MINMAX</c>: "name constraints minimum and maximum not supported".</summary>
    SubtreeMinmax = 49,

    /// <summary><c>X509_V_ERR_APPLICATION_VERIFICATION</c>: "application verification failure".</summary>
    ApplicationVerification = 50,

    /// <summary><c>X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE</c>: "unsupported name constraint type".</summary>
    UnsupportedConstraintType = 51,

    /// <summary><c>X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX</c>: "unsupported or invalid name constraint syntax".</summary>
    UnsupportedConstraintSyntax = 52,

    /// <summary><c>X509_V_ERR_UNSUPPORTED_NAME_SYNTAX</c>: "unsupported or invalid name syntax".</summary>
    UnsupportedNameSyntax = 53,

    /// <summary><c>X509_V_ERR_CRL_PATH_VALIDATION_ERROR</c>: "CRL path validation error".</summary>
    CrlPathValidationError = 54,

    /// <summary><c>X509_V_ERR_PATH_LOOP</c>: "path loop".</summary>
    PathLoop = 55,

    /// <summary><c>X509_V_ERR_SUITE_B_INVALID_VERSION</c>: "Suite B: certificate version invalid".</summary>
    SuiteBInvalidVersion = 56,

    /// <summary><c>X509_V_ERR_SUITE_B_INVALID_ALGORITHM</c>: "Suite B: invalid public key algorithm".</summary>
    SuiteBInvalidAlgorithm = 57,

    /// <summary><c>X509_V_ERR_SUITE_B_INVALID_CURVE</c>: "Suite B: invalid ECC curve".</summary>
    SuiteBInvalidCurve = 58,

    /// <summary><c>X509_V_ERR_SUITE_B_INVALID_SIGNATURE_ALGORITHM</c>: "Suite B: invalid signature algorithm".</summary>
    SuiteBInvalidSignatureAlgorithm = 59,

    /// <summary><c>X509_V_ERR_SUITE_B_LOS_NOT_ALLOWED</c>: "Suite B: curve not allowed for this LOS".</summary>
    SuiteBLosNotAllowed = 60,

    /// <summary><c>X509_V_ERR_SUITE_B_CANNOT_SIGN_P_384_WITH_P_256</c>: "Suite B: cannot sign P-384 with P-256".</summary>
    SuiteBCannotSignP384WithP256 = 61,

    /// <summary><c>X509_V_ERR_HOSTNAME_MISMATCH</c>: "hostname mismatch".</summary>
    HostnameMismatch = 62,

    /// <summary><c>X509_V_ERR_EMAIL_MISMATCH</c>: "email address mismatch".</summary>
    EmailMismatch = 63,

    /// <summary><c>X509_V_ERR_IP_ADDRESS_MISMATCH</c>: "IP address mismatch".</summary>
    IpAddressMismatch = 64,

    /// <summary><c>X509_V_ERR_DANE_NO_MATCH</c>: "no matching DANE TLSA records".</summary>
    DaneNoMatch = 65,

    /// <summary><c>X509_V_ERR_EE_KEY_TOO_SMALL</c>: "EE certificate key too weak".</summary>
    EeKeyTooSmall = 66,

    /// <summary><c>X509_V_ERR_CA_KEY_TOO_SMALL</c>: "CA certificate key too weak".</summary>
    CaKeyTooSmall = 67,

    /// <summary><c>X509_V_ERR_CA_MD_TOO_WEAK</c>: "CA signature digest algorithm too weak".</summary>
    CaMdTooWeak = 68,

    /// <summary><c>X509_V_ERR_INVALID_CALL</c>: "invalid certificate verification context".</summary>
    InvalidCall = 69,

    /// <summary><c>X509_V_ERR_STORE_LOOKUP</c>: "issuer certificate lookup error".</summary>
    StoreLookup = 70,

    /// <summary><c>X509_V_ERR_NO_VALID_SCTS</c>: "Certificate Transparency required, but no valid SCTs found".</summary>
    NoValidScts = 71,

    /// <summary><c>X509_V_ERR_PROXY_SUBJECT_NAME_VIOLATION</c>: "proxy subject name violation".</summary>
    ProxySubjectNameViolation = 72,

    /// <summary><c>X509_V_ERR_OCSP_VERIFY_NEEDED</c>: "OCSP verification needed".</summary>
    OcspVerifyNeeded = 73,

    /// <summary><c>X509_V_ERR_OCSP_VERIFY_FAILED</c>: "OCSP verification failed".</summary>
    OcspVerifyFailed = 74,

    /// <summary><c>X509_V_ERR_OCSP_CERT_UNKNOWN</c>: "OCSP unknown cert".</summary>
    OcspCertUnknown = 75,

    /// <summary><c>X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM</c>: "Cannot find certificate signature algorithm".</summary>
    UnsupportedSignatureAlgorithm = 76,

    /// <summary><c>X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH</c>: "subject signature algorithm and issuer public key algorithm mismatch".</summary>
    SignatureAlgorithmMismatch = 77,

    /// <summary><c>X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY</c>: "cert info signature and signature algorithm mismatch".</summary>
    SignatureAlgorithmInconsistency = 78,

    /// <summary><c>X509_V_ERR_INVALID_CA</c>: "invalid CA certificate".</summary>
    InvalidCa = 79,

    /// <summary><c>X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA</c>: "Path length invalid for non-CA cert".</summary>
    PathlenInvalidForNonCa = 80,

    /// <summary><c>X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN</c>: "Path length given without key usage keyCertSign".</summary>
    PathlenWithoutKuKeyCertSign = 81,

    /// <summary><c>X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA</c>: "Key usage keyCertSign invalid for non-CA cert".</summary>
    KuKeyCertSignInvalidForNonCa = 82,

    /// <summary><c>X509_V_ERR_ISSUER_NAME_EMPTY</c>: "Issuer name empty".</summary>
    IssuerNameEmpty = 83,

    /// <summary><c>X509_V_ERR_SUBJECT_NAME_EMPTY</c>: "Subject name empty".</summary>
    SubjectNameEmpty = 84,

    /// <summary><c>X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER</c>: "Missing Authority Key Identifier".</summary>
    MissingAuthorityKeyIdentifier = 85,

    /// <summary><c>X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER</c>: "Missing Subject Key Identifier".</summary>
    MissingSubjectKeyIdentifier = 86,

    /// <summary><c>X509_V_ERR_EMPTY_SUBJECT_ALT_NAME</c>: "Empty Subject Alternative Name extension".</summary>
    EmptySubjectAltName = 87,

    /// <summary><c>X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL</c>: "Subject empty and Subject Alt Name extension not critical".</summary>
    EmptySubjectSanNotCritical = 88,

    /// <summary><c>X509_V_ERR_CA_BCONS_NOT_CRITICAL</c>: "Basic Constraints of CA cert not marked critical".</summary>
    CaBconsNotCritical = 89,

    /// <summary><c>X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL</c>: "Authority Key Identifier marked critical".</summary>
    AuthorityKeyIdentifierCritical = 90,

    /// <summary><c>X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL</c>: "Subject Key Identifier marked critical".</summary>
    SubjectKeyIdentifierCritical = 91,

    /// <summary><c>X509_V_ERR_CA_CERT_MISSING_KEY_USAGE</c>: "CA cert does not include key usage extension".</summary>
    CaCertMissingKeyUsage = 92,

    /// <summary><c>X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3</c>: "Using cert extension requires at least X509v3".</summary>
    ExtensionsRequireVersion3 = 93,

    /// <summary><c>X509_V_ERR_EC_KEY_EXPLICIT_PARAMS</c>: "Certificate public key has explicit ECC parameters".</summary>
    EcKeyExplicitParams = 94,
}

/// <summary>The texts OpenSSL 3.0 gives each <see cref="VerifyError"/> (<c>X509_verify_cert_error_string</c>).</summary>
public static class VerifyErrors
{
    private static readonly string[] Texts =
    [
        "ok",
        "unspecified certificate verification error",
        "unable to get issuer certificate",
        "unable to get certificate CRL",
        "unable to decrypt certificate's signature",
        "unable to decrypt CRL's signature",
        "unable to decode issuer public key",
        "certificate signature failure",
        "CRL signature failure",
        "certificate is not yet valid",
        "certificate has expired",
        "CRL is not yet valid",
        "CRL has expired",
        "format error in certificate's notBefore field",
        "format error in certificate's notAfter field",
        "format error in CRL's lastUpdate field",
        "format error in CRL's nextUpdate field",
        "out of memory",
        "self-signed certificate",
        "self-signed certificate in certificate chain",
        "unable to get local issuer certificate",
        "unable to verify the first certificate",
        "certificate chain too long",
        "certificate revoked",
        "issuer certificate doesn't have a public key",
        "path length constraint exceeded",
        "unsuitable certificate purpose",
        "certificate not trusted",
        "certificate rejected",
        "subject issuer mismatch",
        "authority and subject key identifier mismatch",
        "authority and issuer serial number mismatch",
        "key usage does not include certificate signing",
        "unable to get CRL issuer certificate",
        "unhandled critical extension",
        "key usage does not include CRL signing",
        "unhandled critical CRL extension",
        "invalid non-CA certificate (has CA markings)",
        "proxy path length constraint exceeded",
        "key usage does not include digital signature",
        "proxy certificates not allowed, please set the appropriate flag",
        "invalid or inconsistent certificate extension",
        "invalid or inconsistent certificate policy extension",
        "no explicit policy",
        "different CRL scope",
        "unsupported extension feature",
        "RFC 3779 resource not subset of parent's resources",
        "permitted subtree violation",
        "excluded subtree violation",
        "name constraints minimum and maximum not supported",
        "application verification failure",
        "unsupported name constraint type",
        "unsupported or invalid name constraint syntax",
        "unsupported or invalid name syntax",
        "CRL path validation error",
        "path loop",
        "Suite B: certificate version invalid",
        "Suite B: invalid public key algorithm",
        "Suite B: invalid ECC curve",
        "Suite B: invalid signature algorithm",
        "Suite B: curve not allowed for this LOS",
        "Suite B: cannot sign P-384 with P-256",
        "hostname mismatch",
        "email address mismatch",
        "IP address mismatch",
        "no matching DANE TLSA records",
        "EE certificate key too weak",
        "CA certificate key too weak",
        "CA signature digest algorithm too weak",
        "invalid certificate verification context",
        "issuer certificate lookup error",
        "Certificate Transparency required, but no valid SCTs found",
        "proxy subject name violation",
        "OCSP verification needed",
        "OCSP verification failed",
        "OCSP unknown cert",
        "Cannot find certificate signature algorithm",
        "subject signature algorithm and issuer public key algorithm mismatch",
        "cert info signature and signature algorithm mismatch",
        "invalid CA certificate",
        "Path length invalid for non-CA cert",
        "Path length given without key usage keyCertSign",
        "Key usage keyCertSign invalid for non-CA cert",
        "Issuer name empty",
        "Subject name empty",
        "Missing Authority Key Identifier",
        "Missing Subject Key Identifier",
        "Empty Subject Alternative Name extension",
        "Subject empty and Subject Alt Name extension not critical",
        "Basic Constraints of CA cert not marked critical",
        "Authority Key Identifier marked critical",
        "Subject Key Identifier marked critical",
        "CA cert does not include key usage extension",
        "Using cert extension requires at least X509v3",
        "Certificate public key has explicit ECC parameters",
    ];

    /// <summary>The OpenSSL text for a code; "unknown certificate verification error" for codes it does not know.</summary>
    /// <param name="code">The verify code.</param>
    /// <returns>The message Python shows as <c>verify_message</c>.</returns>
    public static string Message(VerifyError code)
    {
        int i = (int)code;
        return i >= 0 && i < Texts.Length ? Texts[i] : "unknown certificate verification error";
    }
}
