namespace ManagedTls.Crypto;

/// <summary>The kinds of asymmetric key a certificate or private key file can hold.</summary>
internal enum KeyKind
{
    /// <summary>RSA with the rsaEncryption OID (1.2.840.113549.1.1.1): PKCS#1 v1.5, PSS (rsae) and key transport.</summary>
    Rsa,
    /// <summary>RSA with the id-RSASSA-PSS OID (1.2.840.113549.1.1.10): PSS signatures only (rsa_pss_pss_*).</summary>
    RsaPss,
    /// <summary>An elliptic-curve key (id-ecPublicKey) on one of the <see cref="EcCurve"/> curves.</summary>
    Ec,
    /// <summary>Ed25519 (RFC 8032).</summary>
    Ed25519,
    /// <summary>Ed448 (RFC 8032).</summary>
    Ed448,
}

/// <summary>The elliptic curves supported for ECDSA keys.</summary>
internal enum EcCurve
{
    /// <summary>Not an EC key.</summary>
    None,
    /// <summary>NIST P-256 (secp256r1, prime256v1).</summary>
    P256,
    /// <summary>NIST P-384 (secp384r1).</summary>
    P384,
    /// <summary>NIST P-521 (secp521r1).</summary>
    P521,
}

/// <summary>
/// Restrictions carried in the parameters of an id-RSASSA-PSS key (RFC 4055 section 3.1): the key may only
/// make PSS signatures with this hash, this MGF1 hash and at least this salt length. A null hash means the
/// key names a hash this library does not implement, so it can make no signature at all.
/// </summary>
/// <param name="Hash">The message hash the key is bound to.</param>
/// <param name="MgfHash">The MGF1 hash the key is bound to.</param>
/// <param name="MinSaltLength">The smallest salt length the key allows.</param>
internal sealed record RsaPssRestrictions(HashAlgorithm? Hash, HashAlgorithm? MgfHash, int MinSaltLength)
{
    /// <summary>True when a PSS signature with <paramref name="hash"/> for both digest and MGF1 and a salt of the hash length is allowed.</summary>
    public bool Allows(HashAlgorithm hash) =>
        Hash == hash && MgfHash == hash && MinSaltLength <= Hashes.OutputSize(hash);
}

/// <summary>Why a key could not be loaded.</summary>
internal enum KeyFormatError
{
    /// <summary>The input is not a recognisable key encoding (bad PEM, bad DER, truncated).</summary>
    Malformed,
    /// <summary>The input (for example a certificate-only PEM file) holds no private key.</summary>
    NoKey,
    /// <summary>The key is encrypted and no password was given.</summary>
    PasswordRequired,
    /// <summary>The key is encrypted and the password does not decrypt it.</summary>
    WrongPassword,
    /// <summary>The key is well formed but of an algorithm, curve or encryption this library does not support.</summary>
    Unsupported,
    /// <summary>
    /// The key is well formed but a size or parameter is outside the limits this library accepts (for RSA: a modulus
    /// of 512 to 16384 bits, an odd public exponent from 3 to 2^32), so no work is done with it.
    /// </summary>
    OutOfBounds,
}

/// <summary>
/// A private or public key could not be loaded: malformed input, no key in the file, a missing or wrong
/// password, or an unsupported algorithm. The facade reports it as an <c>SslException</c> (Python raises
/// <c>SSLError</c> "[SSL] PEM lib" for the same situations).
/// </summary>
internal sealed class KeyFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeyFormatException(KeyFormatError reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
    }

    /// <summary>Why the key could not be loaded.</summary>
    public KeyFormatError Reason { get; }
}
