namespace ManagedTls.X509.Builder;

/// <summary>The kinds of key <see cref="CertificateKeyPair.Generate"/> makes and <see cref="CertificateBuilder"/> certifies.</summary>
public enum CertificateKeyAlgorithm
{
    /// <summary>
    /// ECDSA over NIST P-256 (secp256r1). Certificates it issues are signed ecdsa-with-SHA256; in TLS 1.3 it signs
    /// with ecdsa_secp256r1_sha256. The default: every TLS 1.3 peer accepts it.
    /// </summary>
    EcdsaP256 = 0,

    /// <summary>ECDSA over NIST P-384 (secp384r1): ecdsa-with-SHA384 certificates, ecdsa_secp384r1_sha384 in TLS 1.3.</summary>
    EcdsaP384 = 1,

    /// <summary>Ed25519 (RFC 8032, keys and certificates as RFC 8410): ed25519 in TLS 1.3.</summary>
    Ed25519 = 2,
}

/// <summary>The extended key usages (RFC 5280 section 4.2.1.12) a leaf certificate may carry.</summary>
[Flags]
public enum CertificateUsages
{
    /// <summary>No extendedKeyUsage extension is written.</summary>
    None = 0,

    /// <summary><c>id-kp-serverAuth</c>: the certificate may identify a TLS server.</summary>
    ServerAuth = 1,

    /// <summary><c>id-kp-clientAuth</c>: the certificate may identify a TLS client.</summary>
    ClientAuth = 2,
}
