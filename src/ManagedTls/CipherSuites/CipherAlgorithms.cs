using ManagedTls.Crypto;

namespace ManagedTls.CipherSuites;

/// <summary>How a suite agrees on the premaster secret.</summary>
internal enum SuiteKeyExchange
{
    /// <summary>Not fixed by the suite (TLS 1.3: chosen by the supported_groups/key_share extensions).</summary>
    Any,
    /// <summary>Ephemeral elliptic-curve Diffie-Hellman (RFC 8422).</summary>
    Ecdhe,
    /// <summary>Ephemeral finite-field Diffie-Hellman (RFC 5246, RFC 7919 groups).</summary>
    Dhe,
    /// <summary>RSA key transport (RFC 5246 section 7.4.7.1), no forward secrecy.</summary>
    Rsa,
}

/// <summary>How the server proves its identity under a suite.</summary>
internal enum AuthenticationAlgorithm
{
    /// <summary>Not fixed by the suite (TLS 1.3: chosen by signature_algorithms).</summary>
    Any,
    /// <summary>ECDSA (or EdDSA) certificate.</summary>
    Ecdsa,
    /// <summary>RSA certificate.</summary>
    Rsa,
}

/// <summary>Block ciphers used in CBC mode with HMAC (TLS 1.2, RFC 5246 section 6.2.3.2).</summary>
internal enum CbcCipher
{
    /// <summary>AES-128-CBC, 16-byte key, 16-byte blocks.</summary>
    Aes128Cbc,
    /// <summary>AES-256-CBC, 32-byte key, 16-byte blocks.</summary>
    Aes256Cbc,
}

/// <summary>A key exchange with the names OpenSSL and Python give it.</summary>
/// <param name="Algorithm">The algorithm.</param>
/// <param name="Mask">Its OpenSSL class bit.</param>
/// <param name="OpenSslName">The <c>Kx=</c> column of <c>openssl ciphers -v</c>.</param>
/// <param name="PythonName">The <c>kea</c> field of Python's <c>get_ciphers()</c>.</param>
internal sealed record KeyExchangeInfo(SuiteKeyExchange Algorithm, OsslKx Mask, string OpenSslName, string PythonName)
{
    /// <summary>TLS 1.3: any group.</summary>
    public static readonly KeyExchangeInfo Any = new(SuiteKeyExchange.Any, OsslKx.None, "any", "kx-any");
    /// <summary>ECDHE.</summary>
    public static readonly KeyExchangeInfo Ecdhe = new(SuiteKeyExchange.Ecdhe, OsslKx.Ecdhe, "ECDH", "kx-ecdhe");
    /// <summary>DHE.</summary>
    public static readonly KeyExchangeInfo Dhe = new(SuiteKeyExchange.Dhe, OsslKx.Dhe, "DH", "kx-dhe");
    /// <summary>RSA key transport.</summary>
    public static readonly KeyExchangeInfo Rsa = new(SuiteKeyExchange.Rsa, OsslKx.Rsa, "RSA", "kx-rsa");
}

/// <summary>A server-authentication method with the names OpenSSL and Python give it.</summary>
/// <param name="Algorithm">The algorithm.</param>
/// <param name="Mask">Its OpenSSL class bit.</param>
/// <param name="OpenSslName">The <c>Au=</c> column of <c>openssl ciphers -v</c>.</param>
/// <param name="PythonName">The <c>auth</c> field of Python's <c>get_ciphers()</c>.</param>
internal sealed record AuthenticationInfo(AuthenticationAlgorithm Algorithm, OsslAuth Mask, string OpenSslName, string PythonName)
{
    /// <summary>TLS 1.3: any signature scheme.</summary>
    public static readonly AuthenticationInfo Any = new(AuthenticationAlgorithm.Any, OsslAuth.None, "any", "auth-any");
    /// <summary>ECDSA.</summary>
    public static readonly AuthenticationInfo Ecdsa = new(AuthenticationAlgorithm.Ecdsa, OsslAuth.Ecdsa, "ECDSA", "auth-ecdsa");
    /// <summary>RSA.</summary>
    public static readonly AuthenticationInfo Rsa = new(AuthenticationAlgorithm.Rsa, OsslAuth.Rsa, "RSA", "auth-rsa");
}

/// <summary>A bulk cipher: either an AEAD or a CBC block cipher, with the lengths the record layer needs.</summary>
/// <param name="Aead">The AEAD, or null for a CBC cipher.</param>
/// <param name="Cbc">The CBC cipher, or null for an AEAD.</param>
/// <param name="Mask">Its OpenSSL class bit.</param>
/// <param name="KeyLength">Encryption key length in bytes.</param>
/// <param name="Bits">Strength and algorithm bits as OpenSSL reports them.</param>
/// <param name="Tls12FixedIvLength">TLS 1.2 implicit IV from the key block (GCM/CCM salt 4, ChaCha20 12, CBC 0).</param>
/// <param name="Tls12RecordIvLength">TLS 1.2 explicit per-record IV/nonce (GCM/CCM 8, ChaCha20 0, CBC one block).</param>
/// <param name="TagLength">AEAD tag length in bytes (0 for CBC).</param>
/// <param name="OpenSslName">The <c>Enc=</c> column of <c>openssl ciphers -v</c>.</param>
/// <param name="PythonName">The <c>symmetric</c> field of Python's <c>get_ciphers()</c>.</param>
internal sealed record BulkCipherInfo(
    AeadAlgorithm? Aead,
    CbcCipher? Cbc,
    OsslEnc Mask,
    int KeyLength,
    int Bits,
    int Tls12FixedIvLength,
    int Tls12RecordIvLength,
    int TagLength,
    string OpenSslName,
    string PythonName)
{
    /// <summary>AES-128-GCM.</summary>
    public static readonly BulkCipherInfo Aes128Gcm = new(AeadAlgorithm.Aes128Gcm, null, OsslEnc.Aes128Gcm, 16, 128, 4, 8, 16, "AESGCM(128)", "aes-128-gcm");
    /// <summary>AES-256-GCM.</summary>
    public static readonly BulkCipherInfo Aes256Gcm = new(AeadAlgorithm.Aes256Gcm, null, OsslEnc.Aes256Gcm, 32, 256, 4, 8, 16, "AESGCM(256)", "aes-256-gcm");
    /// <summary>ChaCha20-Poly1305 (RFC 7905: the whole 12-byte nonce is implicit).</summary>
    public static readonly BulkCipherInfo ChaCha20Poly1305 = new(AeadAlgorithm.ChaCha20Poly1305, null, OsslEnc.ChaCha20Poly1305, 32, 256, 12, 0, 16, "CHACHA20/POLY1305(256)", "chacha20-poly1305");
    /// <summary>AES-128-CCM.</summary>
    public static readonly BulkCipherInfo Aes128Ccm = new(AeadAlgorithm.Aes128Ccm, null, OsslEnc.Aes128Ccm, 16, 128, 4, 8, 16, "AESCCM(128)", "aes-128-ccm");
    /// <summary>AES-128-CCM with an 8-byte tag.</summary>
    public static readonly BulkCipherInfo Aes128Ccm8 = new(AeadAlgorithm.Aes128Ccm8, null, OsslEnc.Aes128Ccm8, 16, 128, 4, 8, 8, "AESCCM8(128)", "aes-128-ccm");
    /// <summary>AES-256-CCM (RFC 6655).</summary>
    public static readonly BulkCipherInfo Aes256Ccm = new(AeadAlgorithm.Aes256Ccm, null, OsslEnc.Aes256Ccm, 32, 256, 4, 8, 16, "AESCCM(256)", "aes-256-ccm");
    /// <summary>AES-256-CCM with an 8-byte tag (RFC 6655).</summary>
    public static readonly BulkCipherInfo Aes256Ccm8 = new(AeadAlgorithm.Aes256Ccm8, null, OsslEnc.Aes256Ccm8, 32, 256, 4, 8, 8, "AESCCM8(256)", "aes-256-ccm");
    /// <summary>AES-128-CBC.</summary>
    public static readonly BulkCipherInfo Aes128Cbc = new(null, CbcCipher.Aes128Cbc, OsslEnc.Aes128, 16, 128, 0, 16, 0, "AES(128)", "aes-128-cbc");
    /// <summary>AES-256-CBC.</summary>
    public static readonly BulkCipherInfo Aes256Cbc = new(null, CbcCipher.Aes256Cbc, OsslEnc.Aes256, 32, 256, 0, 16, 0, "AES(256)", "aes-256-cbc");

    /// <summary>True for an AEAD.</summary>
    public bool IsAead => Aead is not null;
}

/// <summary>The record MAC of a suite: an HMAC hash, or none when the AEAD authenticates.</summary>
/// <param name="Hash">The HMAC hash, or null for AEAD suites.</param>
/// <param name="Mask">Its OpenSSL class bit.</param>
/// <param name="OpenSslName">The <c>Mac=</c> column of <c>openssl ciphers -v</c>.</param>
/// <param name="PythonName">The <c>digest</c> field of Python's <c>get_ciphers()</c> (None for AEAD suites).</param>
internal sealed record MacInfo(HashAlgorithm? Hash, OsslMac Mask, string OpenSslName, string? PythonName)
{
    /// <summary>The AEAD authenticates the record.</summary>
    public static readonly MacInfo Aead = new(null, OsslMac.Aead, "AEAD", null);
    /// <summary>HMAC-SHA1.</summary>
    public static readonly MacInfo Sha1 = new(HashAlgorithm.Sha1, OsslMac.Sha1, "SHA1", "sha1");
    /// <summary>HMAC-SHA256.</summary>
    public static readonly MacInfo Sha256 = new(HashAlgorithm.Sha256, OsslMac.Sha256, "SHA256", "sha256");
    /// <summary>HMAC-SHA384.</summary>
    public static readonly MacInfo Sha384 = new(HashAlgorithm.Sha384, OsslMac.Sha384, "SHA384", "sha384");

    /// <summary>MAC key and output length in bytes (0 for AEAD suites).</summary>
    public int Length => Hash is { } h ? Hashes.OutputSize(h) : 0;
}
