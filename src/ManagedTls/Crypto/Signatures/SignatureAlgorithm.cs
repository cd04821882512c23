namespace ManagedTls.Crypto;

/// <summary>How the hash of the message becomes a signature.</summary>
internal enum SignaturePadding
{
    /// <summary>RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2).</summary>
    Pkcs1,
    /// <summary>RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash (RFC 8446 section 4.2.3).</summary>
    Pss,
    /// <summary>ECDSA with a DER-encoded Ecdsa-Sig-Value (r, s) as TLS carries it.</summary>
    Ecdsa,
    /// <summary>Pure EdDSA (RFC 8032) over the whole message; the hash is intrinsic.</summary>
    EdDsa,
}

/// <summary>
/// A signature algorithm at the crypto level: which key kind signs, the padding, the hash and (for ECDSA
/// as TLS 1.3 defines it) the curve the key must be on. The TLS code points map onto these in
/// <c>CipherSuites/SignatureSchemes.cs</c>; this layer knows nothing of the wire.
/// </summary>
/// <param name="Name">The TLS name of the matching scheme, for messages (for example <c>rsa_pss_rsae_sha256</c>).</param>
/// <param name="Key">The kind of key that makes and checks the signature.</param>
/// <param name="Padding">How the digest becomes a signature.</param>
/// <param name="Hash">The message hash; null for EdDSA, whose hash is part of the algorithm.</param>
/// <param name="Curve">For ECDSA, the curve the algorithm is bound to (<see cref="EcCurve.None"/> for <c>ecdsa_sha1</c>, which names none).</param>
/// <param name="VerifyOnly">True for the SHA-1 algorithms, which are accepted from TLS 1.2 peers but never produced.</param>
internal sealed record SignatureAlgorithm(string Name, KeyKind Key, SignaturePadding Padding, HashAlgorithm? Hash, EcCurve Curve, bool VerifyOnly = false)
{
    /// <summary>rsa_pkcs1_sha1: TLS 1.2 legacy, verify only.</summary>
    public static readonly SignatureAlgorithm RsaPkcs1Sha1 = new("rsa_pkcs1_sha1", KeyKind.Rsa, SignaturePadding.Pkcs1, HashAlgorithm.Sha1, EcCurve.None, VerifyOnly: true);

    /// <summary>rsa_pkcs1_sha256.</summary>
    public static readonly SignatureAlgorithm RsaPkcs1Sha256 = new("rsa_pkcs1_sha256", KeyKind.Rsa, SignaturePadding.Pkcs1, HashAlgorithm.Sha256, EcCurve.None);

    /// <summary>rsa_pkcs1_sha384.</summary>
    public static readonly SignatureAlgorithm RsaPkcs1Sha384 = new("rsa_pkcs1_sha384", KeyKind.Rsa, SignaturePadding.Pkcs1, HashAlgorithm.Sha384, EcCurve.None);

    /// <summary>rsa_pkcs1_sha512.</summary>
    public static readonly SignatureAlgorithm RsaPkcs1Sha512 = new("rsa_pkcs1_sha512", KeyKind.Rsa, SignaturePadding.Pkcs1, HashAlgorithm.Sha512, EcCurve.None);

    /// <summary>rsa_pss_rsae_sha256: PSS with an rsaEncryption key.</summary>
    public static readonly SignatureAlgorithm RsaPssRsaeSha256 = new("rsa_pss_rsae_sha256", KeyKind.Rsa, SignaturePadding.Pss, HashAlgorithm.Sha256, EcCurve.None);

    /// <summary>rsa_pss_rsae_sha384.</summary>
    public static readonly SignatureAlgorithm RsaPssRsaeSha384 = new("rsa_pss_rsae_sha384", KeyKind.Rsa, SignaturePadding.Pss, HashAlgorithm.Sha384, EcCurve.None);

    /// <summary>rsa_pss_rsae_sha512.</summary>
    public static readonly SignatureAlgorithm RsaPssRsaeSha512 = new("rsa_pss_rsae_sha512", KeyKind.Rsa, SignaturePadding.Pss, HashAlgorithm.Sha512, EcCurve.None);

    /// <summary>rsa_pss_pss_sha256: PSS with an id-RSASSA-PSS key.</summary>
    public static readonly SignatureAlgorithm RsaPssPssSha256 = new("rsa_pss_pss_sha256", KeyKind.RsaPss, SignaturePadding.Pss, HashAlgorithm.Sha256, EcCurve.None);

    /// <summary>rsa_pss_pss_sha384.</summary>
    public static readonly SignatureAlgorithm RsaPssPssSha384 = new("rsa_pss_pss_sha384", KeyKind.RsaPss, SignaturePadding.Pss, HashAlgorithm.Sha384, EcCurve.None);

    /// <summary>rsa_pss_pss_sha512.</summary>
    public static readonly SignatureAlgorithm RsaPssPssSha512 = new("rsa_pss_pss_sha512", KeyKind.RsaPss, SignaturePadding.Pss, HashAlgorithm.Sha512, EcCurve.None);

    /// <summary>ecdsa_sha1: TLS 1.2 legacy, any curve, verify only.</summary>
    public static readonly SignatureAlgorithm EcdsaSha1 = new("ecdsa_sha1", KeyKind.Ec, SignaturePadding.Ecdsa, HashAlgorithm.Sha1, EcCurve.None, VerifyOnly: true);

    /// <summary>ecdsa_secp256r1_sha256.</summary>
    public static readonly SignatureAlgorithm EcdsaP256Sha256 = new("ecdsa_secp256r1_sha256", KeyKind.Ec, SignaturePadding.Ecdsa, HashAlgorithm.Sha256, EcCurve.P256);

    /// <summary>ecdsa_secp384r1_sha384.</summary>
    public static readonly SignatureAlgorithm EcdsaP384Sha384 = new("ecdsa_secp384r1_sha384", KeyKind.Ec, SignaturePadding.Ecdsa, HashAlgorithm.Sha384, EcCurve.P384);

    /// <summary>ecdsa_secp521r1_sha512.</summary>
    public static readonly SignatureAlgorithm EcdsaP521Sha512 = new("ecdsa_secp521r1_sha512", KeyKind.Ec, SignaturePadding.Ecdsa, HashAlgorithm.Sha512, EcCurve.P521);

    /// <summary>ed25519.</summary>
    public static readonly SignatureAlgorithm Ed25519 = new("ed25519", KeyKind.Ed25519, SignaturePadding.EdDsa, null, EcCurve.None);

    /// <summary>ed448.</summary>
    public static readonly SignatureAlgorithm Ed448 = new("ed448", KeyKind.Ed448, SignaturePadding.EdDsa, null, EcCurve.None);

    /// <summary>Every algorithm, strongest-first within each family.</summary>
    public static IReadOnlyList<SignatureAlgorithm> All { get; } =
    [
        EcdsaP256Sha256, EcdsaP384Sha384, EcdsaP521Sha512, Ed25519, Ed448,
        RsaPssPssSha256, RsaPssPssSha384, RsaPssPssSha512,
        RsaPssRsaeSha256, RsaPssRsaeSha384, RsaPssRsaeSha512,
        RsaPkcs1Sha256, RsaPkcs1Sha384, RsaPkcs1Sha512,
        EcdsaSha1, RsaPkcs1Sha1,
    ];

    /// <summary>
    /// True when a key of this kind, curve and size (and PSS restrictions) fits the algorithm. With
    /// <paramref name="enforceCurve"/> (TLS 1.3) an ECDSA key must be on the algorithm's curve; without it
    /// (TLS 1.2, where the curve is negotiated separately) any supported curve will do.
    /// </summary>
    internal bool Fits(KeyKind kind, EcCurve curve, int bits, RsaPssRestrictions? pss, bool enforceCurve)
    {
        if (kind != Key)
        {
            return false;
        }

        switch (Padding)
        {
            case SignaturePadding.Ecdsa:
                return !enforceCurve || Curve == EcCurve.None || Curve == curve;
            case SignaturePadding.Pss:
                // RFC 8017 section 9.1.1: emLen = ceil((modBits - 1) / 8) must hold hLen + sLen + 2 bytes, sLen = hLen.
                int hashLength = Hashes.OutputSize(Hash!.Value);
                int emLength = (bits - 1 + 7) / 8;
                return emLength >= (2 * hashLength) + 2 && (pss is null || pss.Allows(Hash.Value));
            case SignaturePadding.Pkcs1:
                // DigestInfo for SHA-512 is 83 bytes, plus 11 bytes of padding.
                return (bits + 7) / 8 >= Hashes.OutputSize(Hash!.Value) + 19 + 11;
            default:
                return true;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
