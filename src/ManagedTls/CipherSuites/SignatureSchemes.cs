using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.CipherSuites;

/// <summary>
/// One TLS signature scheme (RFC 8446 section 4.2.3) and the crypto-level algorithm behind it.
/// </summary>
/// <param name="Scheme">The wire code point.</param>
/// <param name="Algorithm">What signs and verifies it.</param>
/// <param name="Tls13">True when TLS 1.3 allows it in CertificateVerify; false for the TLS 1.2-only PKCS#1 v1.5 and SHA-1 schemes.</param>
/// <param name="OpenSslAlias">OpenSSL's <c>SIG+HASH</c> spelling in <c>-sigalgs</c> lists (for example <c>RSA-PSS+SHA256</c>), or null when OpenSSL knows the scheme only by its IANA name.</param>
internal sealed record SignatureSchemeInfo(SignatureScheme Scheme, SignatureAlgorithm Algorithm, bool Tls13, string? OpenSslAlias)
{
    /// <summary>The IANA name, which is also OpenSSL's (for example <c>ecdsa_secp256r1_sha256</c>).</summary>
    public string Name => Algorithm.Name;

    /// <summary>True when the scheme is only ever verified, never produced (the SHA-1 schemes).</summary>
    public bool VerifyOnly => Algorithm.VerifyOnly;

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// The signature schemes this library implements, as descriptors in preference order, and OpenSSL's
/// default list and <c>-sigalgs</c> syntax.
/// </summary>
internal static class SignatureSchemes
{
    /// <summary>Every supported scheme, most preferred first (OpenSSL 3.0's order, then the SHA-1 legacy pair).</summary>
    public static IReadOnlyList<SignatureSchemeInfo> All { get; } =
    [
        new(SignatureScheme.EcdsaSecp256r1Sha256, SignatureAlgorithm.EcdsaP256Sha256, true, "ECDSA+SHA256"),
        new(SignatureScheme.EcdsaSecp384r1Sha384, SignatureAlgorithm.EcdsaP384Sha384, true, "ECDSA+SHA384"),
        new(SignatureScheme.EcdsaSecp521r1Sha512, SignatureAlgorithm.EcdsaP521Sha512, true, "ECDSA+SHA512"),
        new(SignatureScheme.Ed25519, SignatureAlgorithm.Ed25519, true, null),
        new(SignatureScheme.Ed448, SignatureAlgorithm.Ed448, true, null),
        new(SignatureScheme.RsaPssPssSha256, SignatureAlgorithm.RsaPssPssSha256, true, null),
        new(SignatureScheme.RsaPssPssSha384, SignatureAlgorithm.RsaPssPssSha384, true, null),
        new(SignatureScheme.RsaPssPssSha512, SignatureAlgorithm.RsaPssPssSha512, true, null),
        new(SignatureScheme.RsaPssRsaeSha256, SignatureAlgorithm.RsaPssRsaeSha256, true, "RSA-PSS+SHA256"),
        new(SignatureScheme.RsaPssRsaeSha384, SignatureAlgorithm.RsaPssRsaeSha384, true, "RSA-PSS+SHA384"),
        new(SignatureScheme.RsaPssRsaeSha512, SignatureAlgorithm.RsaPssRsaeSha512, true, "RSA-PSS+SHA512"),
        new(SignatureScheme.RsaPkcs1Sha256, SignatureAlgorithm.RsaPkcs1Sha256, false, "RSA+SHA256"),
        new(SignatureScheme.RsaPkcs1Sha384, SignatureAlgorithm.RsaPkcs1Sha384, false, "RSA+SHA384"),
        new(SignatureScheme.RsaPkcs1Sha512, SignatureAlgorithm.RsaPkcs1Sha512, false, "RSA+SHA512"),
        new(SignatureScheme.EcdsaSha1, SignatureAlgorithm.EcdsaSha1, false, "ECDSA+SHA1"),
        new(SignatureScheme.RsaPkcs1Sha1, SignatureAlgorithm.RsaPkcs1Sha1, false, "RSA+SHA1"),
    ];

    /// <summary>
    /// The signature_algorithms list OpenSSL 3.0 sends by default (client) and accepts by default (server),
    /// restricted to the schemes this library implements, in OpenSSL's order. Determined with
    /// <c>openssl s_client -trace</c> (OpenSSL 3.0.19) against a local <c>openssl s_server</c>: the ClientHello
    /// lists exactly these fourteen, followed by ecdsa_sha224, rsa_pkcs1_sha224 and dsa_* (not implemented
    /// here); the SHA-1 schemes are absent because security level 1 excludes them from what OpenSSL 3.0 offers.
    /// Python's <c>ssl</c> module sends the same list, since it leaves OpenSSL's default in place.
    /// </summary>
    public static IReadOnlyList<SignatureScheme> Default { get; } =
    [
        SignatureScheme.EcdsaSecp256r1Sha256,
        SignatureScheme.EcdsaSecp384r1Sha384,
        SignatureScheme.EcdsaSecp521r1Sha512,
        SignatureScheme.Ed25519,
        SignatureScheme.Ed448,
        SignatureScheme.RsaPssPssSha256,
        SignatureScheme.RsaPssPssSha384,
        SignatureScheme.RsaPssPssSha512,
        SignatureScheme.RsaPssRsaeSha256,
        SignatureScheme.RsaPssRsaeSha384,
        SignatureScheme.RsaPssRsaeSha512,
        SignatureScheme.RsaPkcs1Sha256,
        SignatureScheme.RsaPkcs1Sha384,
        SignatureScheme.RsaPkcs1Sha512,
    ];

    /// <summary>
    /// The schemes offered and accepted at OpenSSL's security level <paramref name="level"/>, in OpenSSL 3.0's order, as
    /// <c>openssl s_client -trace</c> (3.0.19) lists them with <c>@SECLEVEL=n</c>: a scheme's strength is half its hash
    /// (SHA-1 counts 63 bits), Ed25519 128 and Ed448 224, and must reach the level's bits (80, 112, 128, 192, 256). So
    /// level 0 adds ecdsa_sha1 and rsa_pkcs1_sha1 after <see cref="Default"/> (TLS 1.2 only: TLS 1.3 never takes
    /// them); levels 1 to 3 are <see cref="Default"/>; level 4 keeps the SHA-384, SHA-512 and Ed448 schemes, level 5 the
    /// SHA-512 ones.
    /// </summary>
    /// <param name="level">The security level; above 5 counts as 5.</param>
    /// <returns>The schemes in preference order.</returns>
    public static IReadOnlyList<SignatureScheme> ForSecurityLevel(int level)
    {
        if (level <= 0)
        {
            return [.. Default, SignatureScheme.EcdsaSha1, SignatureScheme.RsaPkcs1Sha1];
        }

        int bits = SecurityLevel.MinimumBits(level);
        return Default.Where(s => SecurityBits(s) >= bits).ToArray();
    }

    /// <summary>OpenSSL's security bits of a scheme: half the hash's output (SHA-1: 63), Ed25519 128, Ed448 224.</summary>
    public static int SecurityBits(SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.EcdsaSha1 or SignatureScheme.RsaPkcs1Sha1 => 63,
        SignatureScheme.Ed25519 => 128,
        SignatureScheme.Ed448 => 224,
        SignatureScheme.EcdsaSecp384r1Sha384 or SignatureScheme.RsaPssPssSha384 or SignatureScheme.RsaPssRsaeSha384 or SignatureScheme.RsaPkcs1Sha384 => 192,
        SignatureScheme.EcdsaSecp521r1Sha512 or SignatureScheme.RsaPssPssSha512 or SignatureScheme.RsaPssRsaeSha512 or SignatureScheme.RsaPkcs1Sha512 => 256,
        _ => 128,
    };

    /// <summary>
    /// What a TLS 1.2 peer is assumed to support when it sends no signature_algorithms extension
    /// (RFC 5246 section 7.4.1.4.1): SHA-1 with RSA and with ECDSA.
    /// </summary>
    public static IReadOnlyList<SignatureScheme> Tls12Implicit { get; } = [SignatureScheme.RsaPkcs1Sha1, SignatureScheme.EcdsaSha1];

    /// <summary>The descriptor of a code point, or null for schemes this library does not implement.</summary>
    public static SignatureSchemeInfo? Find(SignatureScheme scheme)
    {
        foreach (SignatureSchemeInfo info in All)
        {
            if (info.Scheme == scheme)
            {
                return info;
            }
        }

        return null;
    }

    /// <summary>The descriptor whose crypto algorithm is <paramref name="algorithm"/>.</summary>
    public static SignatureSchemeInfo Find(SignatureAlgorithm algorithm)
    {
        foreach (SignatureSchemeInfo info in All)
        {
            if (info.Algorithm == algorithm)
            {
                return info;
            }
        }

        throw new InvalidOperationException($"no signature scheme for {algorithm.Name}");
    }

    /// <summary>
    /// The descriptor for an OpenSSL <c>-sigalgs</c> element: an IANA name (<c>rsa_pss_rsae_sha256</c>) or a
    /// <c>SIG+HASH</c> pair (<c>RSA+SHA256</c>, <c>RSA-PSS+SHA256</c> or <c>PSS+SHA256</c> for rsa_pss_rsae,
    /// <c>ECDSA+SHA384</c>); case is ignored. Null when the name is unknown.
    /// </summary>
    public static SignatureSchemeInfo? FindByName(string name)
    {
        string trimmed = name.Trim();
        if (trimmed.StartsWith("PSS+", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = "RSA-" + trimmed;
        }

        foreach (SignatureSchemeInfo info in All)
        {
            if (string.Equals(info.Name, trimmed, StringComparison.OrdinalIgnoreCase)
                || (info.OpenSslAlias is not null && string.Equals(info.OpenSslAlias, trimmed, StringComparison.OrdinalIgnoreCase)))
            {
                return info;
            }
        }

        return null;
    }

    /// <summary>
    /// Parses an OpenSSL signature-algorithm list (<c>SSL_CTX_set1_sigalgs_list</c> syntax: elements
    /// separated by ':'), keeping its order and dropping duplicates.
    /// </summary>
    /// <exception cref="FormatException">An element names no supported scheme, or the list is empty.</exception>
    public static IReadOnlyList<SignatureScheme> ParseList(string list)
    {
        var result = new List<SignatureScheme>();
        foreach (string element in list.Split(':'))
        {
            SignatureSchemeInfo info = FindByName(element)
                ?? throw new FormatException($"unknown signature algorithm '{element}'");
            if (!result.Contains(info.Scheme))
            {
                result.Add(info.Scheme);
            }
        }

        return result;
    }

    /// <summary>True when <paramref name="scheme"/> is implemented and allowed in TLS 1.3.</summary>
    public static bool AllowedInTls13(SignatureScheme scheme) => Find(scheme)?.Tls13 == true;

    /// <summary>
    /// The schemes of <paramref name="offered"/> (in that order) that <paramref name="key"/> can sign with:
    /// in TLS 1.3 only TLS 1.3 schemes and with the ECDSA curve bound to the scheme; in TLS 1.2 the
    /// PKCS#1 v1.5 schemes too, with any curve.
    /// </summary>
    public static IReadOnlyList<SignatureSchemeInfo> SignableBy(PrivateKey key, IEnumerable<SignatureScheme> offered, bool tls13)
    {
        var result = new List<SignatureSchemeInfo>();
        foreach (SignatureScheme scheme in offered)
        {
            SignatureSchemeInfo? info = Find(scheme);
            if (info is not null && (info.Tls13 || !tls13) && key.CanSign(info.Algorithm, enforceCurve: tls13) && !result.Contains(info))
            {
                result.Add(info);
            }
        }

        return result;
    }
}
