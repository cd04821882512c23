namespace ManagedTls.CipherSuites;

// Algorithm classes as OpenSSL's cipher-list language sees them. Each suite carries one bit per class;
// an alias selects the suites that share at least one bit with it in every class the alias names.
// Classes with no suite in our registry (PSK, SRP, GOST, Camellia, ARIA, ...) still have bits, so that
// their aliases are recognised and select nothing, exactly as they select nothing in OpenSSL's list
// once the suites we do not implement are filtered out.

/// <summary>Key-exchange classes (OpenSSL's <c>SSL_k*</c>).</summary>
[Flags]
internal enum OsslKx : uint
{
    /// <summary>No key exchange named (TLS 1.3 suites, aliases that leave the class open).</summary>
    None = 0,
    /// <summary>RSA key transport.</summary>
    Rsa = 0x1,
    /// <summary>Finite-field ephemeral Diffie-Hellman.</summary>
    Dhe = 0x2,
    /// <summary>Elliptic-curve ephemeral Diffie-Hellman.</summary>
    Ecdhe = 0x4,
    /// <summary>Plain pre-shared key.</summary>
    Psk = 0x8,
    /// <summary>GOST key transport.</summary>
    Gost = 0x10,
    /// <summary>SRP.</summary>
    Srp = 0x20,
    /// <summary>RSA with a pre-shared key.</summary>
    RsaPsk = 0x40,
    /// <summary>ECDHE with a pre-shared key.</summary>
    EcdhePsk = 0x80,
    /// <summary>DHE with a pre-shared key.</summary>
    DhePsk = 0x100,
    /// <summary>GOST 2018 key transport.</summary>
    Gost18 = 0x200,
    /// <summary>Every PSK key exchange.</summary>
    AnyPsk = Psk | RsaPsk | EcdhePsk | DhePsk,
}

/// <summary>Server-authentication classes (OpenSSL's <c>SSL_a*</c>).</summary>
[Flags]
internal enum OsslAuth : uint
{
    /// <summary>No authentication named.</summary>
    None = 0,
    /// <summary>RSA signatures (or RSA key transport).</summary>
    Rsa = 0x1,
    /// <summary>DSA signatures.</summary>
    Dss = 0x2,
    /// <summary>Anonymous.</summary>
    Null = 0x4,
    /// <summary>ECDSA signatures.</summary>
    Ecdsa = 0x8,
    /// <summary>Pre-shared key.</summary>
    Psk = 0x10,
    /// <summary>GOST R 34.10-2001.</summary>
    Gost01 = 0x20,
    /// <summary>SRP.</summary>
    Srp = 0x40,
    /// <summary>GOST R 34.10-2012.</summary>
    Gost12 = 0x80,
}

/// <summary>Bulk-encryption classes (OpenSSL's <c>SSL_enc</c> bits).</summary>
[Flags]
internal enum OsslEnc : uint
{
    /// <summary>No cipher named.</summary>
    None = 0,
    /// <summary>DES.</summary>
    Des = 0x1,
    /// <summary>Triple DES.</summary>
    TripleDes = 0x2,
    /// <summary>RC4.</summary>
    Rc4 = 0x4,
    /// <summary>RC2.</summary>
    Rc2 = 0x8,
    /// <summary>IDEA.</summary>
    Idea = 0x10,
    /// <summary>No encryption.</summary>
    ENull = 0x20,
    /// <summary>AES-128 in CBC mode.</summary>
    Aes128 = 0x40,
    /// <summary>AES-256 in CBC mode.</summary>
    Aes256 = 0x80,
    /// <summary>Camellia-128.</summary>
    Camellia128 = 0x100,
    /// <summary>Camellia-256.</summary>
    Camellia256 = 0x200,
    /// <summary>GOST 28147-89.</summary>
    Gost89 = 0x400,
    /// <summary>SEED.</summary>
    Seed = 0x800,
    /// <summary>AES-128-GCM.</summary>
    Aes128Gcm = 0x1000,
    /// <summary>AES-256-GCM.</summary>
    Aes256Gcm = 0x2000,
    /// <summary>AES-128-CCM.</summary>
    Aes128Ccm = 0x4000,
    /// <summary>AES-256-CCM.</summary>
    Aes256Ccm = 0x8000,
    /// <summary>AES-128-CCM with an 8-byte tag.</summary>
    Aes128Ccm8 = 0x10000,
    /// <summary>AES-256-CCM with an 8-byte tag.</summary>
    Aes256Ccm8 = 0x20000,
    /// <summary>GOST 28147-89 (2012 profile).</summary>
    Gost8912 = 0x40000,
    /// <summary>ChaCha20-Poly1305.</summary>
    ChaCha20Poly1305 = 0x80000,
    /// <summary>ARIA-128-GCM.</summary>
    Aria128Gcm = 0x100000,
    /// <summary>ARIA-256-GCM.</summary>
    Aria256Gcm = 0x200000,
    /// <summary>Magma.</summary>
    Magma = 0x400000,
    /// <summary>Kuznyechik.</summary>
    Kuznyechik = 0x800000,

    /// <summary>Every AES-GCM cipher.</summary>
    AesGcm = Aes128Gcm | Aes256Gcm,
    /// <summary>Every AES-CCM cipher (both tag lengths).</summary>
    AesCcm = Aes128Ccm | Aes256Ccm | Aes128Ccm8 | Aes256Ccm8,
    /// <summary>Every AES cipher.</summary>
    Aes = Aes128 | Aes256 | AesGcm | AesCcm,
    /// <summary>Every Camellia cipher.</summary>
    Camellia = Camellia128 | Camellia256,
    /// <summary>Every ARIA cipher.</summary>
    Aria = Aria128Gcm | Aria256Gcm,
    /// <summary>Every CBC-mode cipher.</summary>
    Cbc = Des | TripleDes | Rc2 | Idea | Aes128 | Aes256 | Camellia128 | Camellia256 | Seed,
}

/// <summary>MAC classes (OpenSSL's <c>SSL_mac</c> bits); AEAD suites carry <see cref="Aead"/>.</summary>
[Flags]
internal enum OsslMac : uint
{
    /// <summary>No MAC named.</summary>
    None = 0,
    /// <summary>HMAC-MD5.</summary>
    Md5 = 0x1,
    /// <summary>HMAC-SHA1.</summary>
    Sha1 = 0x2,
    /// <summary>GOST R 34.11-94.</summary>
    Gost94 = 0x4,
    /// <summary>GOST 28147-89 MAC.</summary>
    Gost89Mac = 0x8,
    /// <summary>HMAC-SHA256.</summary>
    Sha256 = 0x10,
    /// <summary>HMAC-SHA384.</summary>
    Sha384 = 0x20,
    /// <summary>The AEAD cipher authenticates.</summary>
    Aead = 0x40,
    /// <summary>GOST R 34.11-2012 (256).</summary>
    Gost12_256 = 0x80,
    /// <summary>GOST 28147-89 MAC (2012 profile).</summary>
    Gost89Mac12 = 0x100,
    /// <summary>GOST R 34.11-2012 (512).</summary>
    Gost12_512 = 0x200,
}

/// <summary>
/// Strength flags (OpenSSL's <c>algo_strength</c>). The low five bits form the "strong" group
/// (LOW, MEDIUM, HIGH, FIPS share it), <see cref="NotDefault"/> forms the "default" group.
/// </summary>
[Flags]
internal enum OsslStrength : uint
{
    /// <summary>Nothing named.</summary>
    None = 0,
    /// <summary>Export grade (no longer present).</summary>
    Export = 0x1,
    /// <summary>LOW.</summary>
    Low = 0x2,
    /// <summary>MEDIUM.</summary>
    Medium = 0x4,
    /// <summary>HIGH.</summary>
    High = 0x8,
    /// <summary>FIPS 140 approved algorithms.</summary>
    Fips = 0x10,
    /// <summary>Excluded from DEFAULT (selected by COMPLEMENTOFDEFAULT).</summary>
    NotDefault = 0x20,
    /// <summary>The strength group.</summary>
    StrongMask = 0x1F,
    /// <summary>The default group.</summary>
    DefaultMask = 0x20,
}

/// <summary>The oldest protocol version OpenSSL lists a suite under (its <c>min_tls</c>).</summary>
internal enum OsslVersion
{
    /// <summary>No version named (only aliases use this).</summary>
    None = 0,
    /// <summary>SSL 3.0 ("SSLv3").</summary>
    Ssl3 = 0x0300,
    /// <summary>TLS 1.0 ("TLSv1", Python says "TLSv1.0").</summary>
    Tls1 = 0x0301,
    /// <summary>TLS 1.2.</summary>
    Tls12 = 0x0303,
    /// <summary>TLS 1.3.</summary>
    Tls13 = 0x0304,
}
