using ManagedTls.Crypto;
using ManagedTls.Wire;
using static ManagedTls.CipherSuites.OsslStrength;
using static ManagedTls.Wire.TlsCipherSuite;

namespace ManagedTls.CipherSuites;

/// <summary>
/// Every cipher suite the engine implements, as descriptors in preference order: the TLS 1.3 suites in
/// OpenSSL's order, then the TLS 1.2 suites in the order OpenSSL's <c>ALL</c> gives them (forward-secret
/// AEAD, forward-secret CBC, then static RSA; stronger first within each group). The AES-CCM suites (RFC 6655,
/// RFC 7251) are here but outside DEFAULT, as in OpenSSL; there are no PSK suites, so none of the PSK CCM ones.
/// </summary>
internal static class CipherSuiteRegistry
{
    private const OsslStrength Approved = High | Fips;

    /// <summary>All suites in preference order.</summary>
    public static readonly IReadOnlyList<CipherSuiteInfo> All = new[]
    {
        Tls13(TLS_AES_256_GCM_SHA384, BulkCipherInfo.Aes256Gcm, HashAlgorithm.Sha384),
        Tls13(TLS_CHACHA20_POLY1305_SHA256, BulkCipherInfo.ChaCha20Poly1305, HashAlgorithm.Sha256),
        Tls13(TLS_AES_128_GCM_SHA256, BulkCipherInfo.Aes128Gcm, HashAlgorithm.Sha256),
        Tls13(TLS_AES_128_CCM_SHA256, BulkCipherInfo.Aes128Ccm, HashAlgorithm.Sha256),
        Tls13(TLS_AES_128_CCM_8_SHA256, BulkCipherInfo.Aes128Ccm8, HashAlgorithm.Sha256),

        Aead(TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes256Gcm, HashAlgorithm.Sha384),
        Aead(TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Gcm, HashAlgorithm.Sha384),
        Aead(TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, "DHE-RSA-AES256-GCM-SHA384", KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Gcm, HashAlgorithm.Sha384),
        Aead(TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.ChaCha20Poly1305, HashAlgorithm.Sha256),
        Aead(TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Rsa, BulkCipherInfo.ChaCha20Poly1305, HashAlgorithm.Sha256),
        Aead(TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "DHE-RSA-CHACHA20-POLY1305", KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.ChaCha20Poly1305, HashAlgorithm.Sha256),
        Aead(TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8, "ECDHE-ECDSA-AES256-CCM8", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes256Ccm8, HashAlgorithm.Sha256),
        Aead(TLS_ECDHE_ECDSA_WITH_AES_256_CCM, "ECDHE-ECDSA-AES256-CCM", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes256Ccm, HashAlgorithm.Sha256),
        Aead(TLS_DHE_RSA_WITH_AES_256_CCM_8, "DHE-RSA-AES256-CCM8", KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Ccm8, HashAlgorithm.Sha256),
        Aead(TLS_DHE_RSA_WITH_AES_256_CCM, "DHE-RSA-AES256-CCM", KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Ccm, HashAlgorithm.Sha256),
        Aead(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes128Gcm, HashAlgorithm.Sha256),
        Aead(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Gcm, HashAlgorithm.Sha256),
        Aead(TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, "DHE-RSA-AES128-GCM-SHA256", KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Gcm, HashAlgorithm.Sha256),
        Aead(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, "ECDHE-ECDSA-AES128-CCM8", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes128Ccm8, HashAlgorithm.Sha256),
        Aead(TLS_ECDHE_ECDSA_WITH_AES_128_CCM, "ECDHE-ECDSA-AES128-CCM", KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes128Ccm, HashAlgorithm.Sha256),
        Aead(TLS_DHE_RSA_WITH_AES_128_CCM_8, "DHE-RSA-AES128-CCM8", KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Ccm8, HashAlgorithm.Sha256),
        Aead(TLS_DHE_RSA_WITH_AES_128_CCM, "DHE-RSA-AES128-CCM", KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Ccm, HashAlgorithm.Sha256),

        Cbc(TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, "ECDHE-ECDSA-AES256-SHA384", OsslVersion.Tls12, KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes256Cbc, MacInfo.Sha384),
        Cbc(TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, "ECDHE-RSA-AES256-SHA384", OsslVersion.Tls12, KeyExchangeInfo.Ecdhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Cbc, MacInfo.Sha384),
        Cbc(TLS_DHE_RSA_WITH_AES_256_CBC_SHA256, "DHE-RSA-AES256-SHA256", OsslVersion.Tls12, KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Cbc, MacInfo.Sha256),
        Cbc(TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, "ECDHE-ECDSA-AES128-SHA256", OsslVersion.Tls12, KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes128Cbc, MacInfo.Sha256),
        Cbc(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "ECDHE-RSA-AES128-SHA256", OsslVersion.Tls12, KeyExchangeInfo.Ecdhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Cbc, MacInfo.Sha256),
        Cbc(TLS_DHE_RSA_WITH_AES_128_CBC_SHA256, "DHE-RSA-AES128-SHA256", OsslVersion.Tls12, KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Cbc, MacInfo.Sha256),
        Cbc(TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "ECDHE-ECDSA-AES256-SHA", OsslVersion.Tls1, KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes256Cbc, MacInfo.Sha1),
        Cbc(TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA", OsslVersion.Tls1, KeyExchangeInfo.Ecdhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Cbc, MacInfo.Sha1),
        Cbc(TLS_DHE_RSA_WITH_AES_256_CBC_SHA, "DHE-RSA-AES256-SHA", OsslVersion.Ssl3, KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Cbc, MacInfo.Sha1),
        Cbc(TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ECDHE-ECDSA-AES128-SHA", OsslVersion.Tls1, KeyExchangeInfo.Ecdhe, AuthenticationInfo.Ecdsa, BulkCipherInfo.Aes128Cbc, MacInfo.Sha1),
        Cbc(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "ECDHE-RSA-AES128-SHA", OsslVersion.Tls1, KeyExchangeInfo.Ecdhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Cbc, MacInfo.Sha1),
        Cbc(TLS_DHE_RSA_WITH_AES_128_CBC_SHA, "DHE-RSA-AES128-SHA", OsslVersion.Ssl3, KeyExchangeInfo.Dhe, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Cbc, MacInfo.Sha1),

        Aead(TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Gcm, HashAlgorithm.Sha384),
        Aead(TLS_RSA_WITH_AES_256_CCM_8, "AES256-CCM8", KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Ccm8, HashAlgorithm.Sha256),
        Aead(TLS_RSA_WITH_AES_256_CCM, "AES256-CCM", KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Ccm, HashAlgorithm.Sha256),
        Aead(TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Gcm, HashAlgorithm.Sha256),
        Aead(TLS_RSA_WITH_AES_128_CCM_8, "AES128-CCM8", KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Ccm8, HashAlgorithm.Sha256),
        Aead(TLS_RSA_WITH_AES_128_CCM, "AES128-CCM", KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Ccm, HashAlgorithm.Sha256),
        Cbc(TLS_RSA_WITH_AES_256_CBC_SHA256, "AES256-SHA256", OsslVersion.Tls12, KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Cbc, MacInfo.Sha256),
        Cbc(TLS_RSA_WITH_AES_128_CBC_SHA256, "AES128-SHA256", OsslVersion.Tls12, KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Cbc, MacInfo.Sha256),
        Cbc(TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA", OsslVersion.Ssl3, KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes256Cbc, MacInfo.Sha1),
        Cbc(TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", OsslVersion.Ssl3, KeyExchangeInfo.Rsa, AuthenticationInfo.Rsa, BulkCipherInfo.Aes128Cbc, MacInfo.Sha1),
    };

    /// <summary>The TLS 1.3 suites, in preference order.</summary>
    public static readonly IReadOnlyList<CipherSuiteInfo> Tls13Suites = All.Where(s => s.IsTls13).ToArray();

    /// <summary>The TLS 1.2 suites, in preference order.</summary>
    public static readonly IReadOnlyList<CipherSuiteInfo> Tls12Suites = All.Where(s => !s.IsTls13).ToArray();

    private static readonly Dictionary<ushort, CipherSuiteInfo> ByCode = All.ToDictionary(s => s.Code);
    private static readonly Dictionary<string, CipherSuiteInfo> ByIanaName = All.ToDictionary(s => s.IanaName, StringComparer.Ordinal);
    private static readonly Dictionary<string, CipherSuiteInfo> ByOpenSslName = All.ToDictionary(s => s.OpenSslName, StringComparer.Ordinal);

    /// <summary>The descriptor for a code point, or null when the engine does not implement it.</summary>
    public static CipherSuiteInfo? Find(ushort code) => ByCode.TryGetValue(code, out var s) ? s : null;

    /// <summary>The descriptor for a code point, or null when the engine does not implement it.</summary>
    public static CipherSuiteInfo? Find(TlsCipherSuite suite) => Find((ushort)suite);

    /// <summary>The descriptor with this IANA name (case-sensitive), or null.</summary>
    public static CipherSuiteInfo? FindByIanaName(string name) => ByIanaName.TryGetValue(name, out var s) ? s : null;

    /// <summary>The descriptor with this OpenSSL name (case-sensitive, as OpenSSL matches), or null.</summary>
    public static CipherSuiteInfo? FindByOpenSslName(string name) => ByOpenSslName.TryGetValue(name, out var s) ? s : null;

    private static CipherSuiteInfo Tls13(TlsCipherSuite suite, BulkCipherInfo cipher, HashAlgorithm hash) =>
        new(suite, suite.ToString(), ProtocolVersion.Tls13, OsslVersion.Tls13, KeyExchangeInfo.Any, AuthenticationInfo.Any,
            cipher, MacInfo.Aead, hash, cipher.Aead == AeadAlgorithm.ChaCha20Poly1305 ? High : Approved);

    private static CipherSuiteInfo Aead(
        TlsCipherSuite suite, string name, KeyExchangeInfo kx, AuthenticationInfo auth, BulkCipherInfo cipher, HashAlgorithm prf) =>
        new(suite, name, ProtocolVersion.Tls12, OsslVersion.Tls12, kx, auth, cipher, MacInfo.Aead, prf, Tls12AeadStrength(cipher));

    // As OpenSSL 3.0 marks them: ChaCha20-Poly1305 is HIGH but not FIPS; the AES-CCM suites (RFC 6655, RFC 7251)
    // are HIGH, not FIPS, and left out of DEFAULT (COMPLEMENTOFDEFAULT selects them).
    private static OsslStrength Tls12AeadStrength(BulkCipherInfo cipher) =>
        cipher.Aead == AeadAlgorithm.ChaCha20Poly1305 ? High
        : Aeads.IsCcm(cipher.Aead!.Value) ? High | NotDefault
        : Approved;

    // CBC suites use the TLS 1.2 PRF with SHA-256 unless their MAC is SHA-384 (RFC 5246 section 5, RFC 5289).
    private static CipherSuiteInfo Cbc(
        TlsCipherSuite suite, string name, OsslVersion minVersion, KeyExchangeInfo kx, AuthenticationInfo auth, BulkCipherInfo cipher, MacInfo mac) =>
        new(suite, name, ProtocolVersion.Tls12, minVersion, kx, auth, cipher, mac,
            mac.Hash == HashAlgorithm.Sha384 ? HashAlgorithm.Sha384 : HashAlgorithm.Sha256, Approved);
}
