using ManagedTls.Crypto;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace ManagedTls.X509.Validation;

/// <summary>
/// Signature verification of certificates and CRLs (RSA PKCS#1 v1.5, RSA-PSS with explicit parameters, ECDSA,
/// Ed25519, Ed448) and the key and algorithm strength policy.
/// </summary>
internal static class SignatureCheck
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string RsaPss = "1.2.840.113549.1.1.10";
    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string Ed25519 = "1.3.101.112";
    private const string Ed448 = "1.3.101.113";

    private static readonly HashSet<string> AllowedCurves =
    [
        "1.2.840.10045.3.1.7", // P-256
        "1.3.132.0.34", // P-384
        "1.3.132.0.35", // P-521
    ];

    private static readonly int[] MinimumBitsByLevel = [0, 80, 112, 128, 192, 256];

    /// <summary>
    /// The security bits a key or signature needs at OpenSSL's <paramref name="securityLevel"/> (0 to 5; higher counts
    /// as 5): 0, 80, 112, 128, 192, 256.
    /// </summary>
    public static int MinimumBits(int securityLevel) => MinimumBitsByLevel[Math.Min(Math.Max(securityLevel, 0), 5)];

    /// <summary>
    /// OpenSSL 3.0's estimate of an RSA modulus's strength (<c>ossl_ifc_ffc_compute_security_bits</c>): the canonical
    /// values of SP 800-56B and FIPS 140 IG 7.5 for the usual sizes (2048: 112, 3072: 128, 4096: 152, 7680: 192,
    /// 15360: 256), else the IG 7.5 formula rounded to a multiple of eight (1024 bits give 80, 2040 give 112).
    /// </summary>
    public static int RsaSecurityBits(int n)
    {
        switch (n)
        {
            case 2048: return 112;
            case 3072: return 128;
            case 4096: return 152;
            case 6144: return 176;
            case 7680: return 192;
            case 8192: return 200;
            case 15360: return 256;
        }

        if (n >= 687737)
        {
            return 1200;
        }

        if (n < 8)
        {
            return 0;
        }

        int cap = n <= 7680 ? 192 : n <= 15360 ? 256 : 1200;
        double x = n * Math.Log(2);
        double lx = Math.Log(x);
        double e = ((1.923 * Math.Pow(x * lx * lx, 1.0 / 3)) - 4.690) / Math.Log(2);
        int y = ((int)e + 4) & ~7;
        return Math.Min(y, cap);
    }

    /// <summary>OpenSSL 3.0's <c>BN_security_bits</c> for a finite-field prime of <paramref name="primeBits"/> (DSA, DH).</summary>
    public static int FiniteFieldSecurityBits(int primeBits) =>
        primeBits >= 15360 ? 256 : primeBits >= 7680 ? 192 : primeBits >= 3072 ? 128 : primeBits >= 2048 ? 112 : primeBits >= 1024 ? 80 : 0;

    /// <summary>
    /// The security bits OpenSSL 3.0 gives a certificate signature algorithm (<c>X509_get_signature_info</c>): half the
    /// digest size, except MD5 39 and SHA-1 63 (collisions are cheaper than that); Ed25519 128, Ed448 224; RSA-PSS its
    /// hash's. Null for an algorithm this verifier does not know (it fails later as unsupported).
    /// </summary>
    public static int? SignatureSecurityBits(AlgorithmIdentifier sigAlg)
    {
        string oid = sigAlg.Algorithm.Id;
        if (oid == RsaPss)
        {
            try
            {
                return sigAlg.Parameters is null ? null : DigestSecurityBits(RsassaPssParameters.GetInstance(sigAlg.Parameters).HashAlgorithm.Algorithm.Id);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        return oid switch
        {
            "1.2.840.113549.1.1.4" or "1.2.840.113549.1.1.2" => 39,
            "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" or "1.2.840.10040.4.3" => 63,
            "1.2.840.113549.1.1.14" or "1.2.840.10045.4.3.1" or "2.16.840.1.101.3.4.3.1" => 112,
            "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" or "2.16.840.1.101.3.4.3.2" => 128,
            "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => 192,
            "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => 256,
            Ed25519 => 128,
            Ed448 => 224,
            _ => null,
        };
    }

    private static int? DigestSecurityBits(string digestOid) => digestOid switch
    {
        "1.3.14.3.2.26" => 63,
        "2.16.840.1.101.3.4.2.4" => 112,
        "2.16.840.1.101.3.4.2.1" => 128,
        "2.16.840.1.101.3.4.2.2" => 192,
        "2.16.840.1.101.3.4.2.3" => 256,
        _ => null,
    };

    /// <summary>
    /// Null when the signature algorithm of a certificate is strong enough for <paramref name="securityLevel"/>, else the
    /// reason (OpenSSL's <c>X509_V_ERR_CA_MD_TOO_WEAK</c>). Unknown algorithms pass here and fail as unsupported.
    /// </summary>
    public static string? CheckDigest(AlgorithmIdentifier sigAlg, int securityLevel) =>
        securityLevel > 0 && SignatureSecurityBits(sigAlg) is { } bits && bits < MinimumBits(securityLevel)
            ? $"signature algorithm of {bits} bits of security, below the {MinimumBits(securityLevel)} of security level {securityLevel}"
            : null;

    /// <summary>Checks a certificate's public key against the security level; null when acceptable.</summary>
    public static string? CheckKey(Cert cert, int securityLevel, out VerifyError code)
    {
        code = VerifyError.Ok;
        var alg = cert.PublicKeyInfo.Algorithm;
        string oid = alg.Algorithm.Id;
        if (oid == EcPublicKey)
        {
            if (alg.Parameters is not DerObjectIdentifier curve)
            {
                code = VerifyError.EcKeyExplicitParams;
                return "EC key without a named curve";
            }

            if (!AllowedCurves.Contains(curve.Id))
            {
                code = VerifyError.EeKeyTooSmall;
                return "EC curve " + curve.Id + " is not allowed";
            }
        }

        AsymmetricKeyParameter? key = cert.PublicKey;
        if (key is null)
        {
            // A well-formed key that is refused (an algorithm not implemented, an RSA key out of bounds) is reported as
            // OpenSSL reports any unusable key: as too weak (check_key_level: "unsupported or malformed keys are not secure").
            if (cert.PublicKeyRefusal is { } refused)
            {
                code = VerifyError.EeKeyTooSmall;
                return refused;
            }

            code = VerifyError.UnableToDecodeIssuerPublicKey;
            return "public key cannot be decoded";
        }

        switch (key)
        {
            case RsaPublicKey rsa:
            {
                int bits = rsa.Modulus.BitLength;
                if (RsaSecurityBits(bits) < MinimumBits(securityLevel))
                {
                    code = VerifyError.EeKeyTooSmall;
                    return $"RSA key of {bits} bits";
                }

                if (securityLevel >= 1 && bits % 8 != 0)
                {
                    code = VerifyError.EeKeyTooSmall;
                    return $"RSA key of {bits} bits is not a whole number of octets";
                }

                if (oid != RsaEncryption && oid != RsaPss)
                {
                    code = VerifyError.EeKeyTooSmall;
                    return "unexpected RSA key algorithm";
                }

                return null;
            }

            case DsaKeyInfo dsa:
                // DSA signatures are never verified here (see DsaKeyInfo); a DSA leaf is tolerated at levels 0 and 1 only.
                if (securityLevel >= 2 || FiniteFieldSecurityBits(dsa.PrimeBits) < MinimumBits(securityLevel))
                {
                    code = VerifyError.EeKeyTooSmall;
                    return "DSA keys are not accepted";
                }

                return null;
            case ECPublicKeyParameters ec:
            {
                int strength = ec.Parameters.N.BitLength / 2;
                if (strength < MinimumBits(securityLevel))
                {
                    code = VerifyError.EeKeyTooSmall;
                    return $"EC key of {strength} bits of security";
                }

                return null;
            }

            case Ed25519PublicKeyParameters when 128 < MinimumBits(securityLevel):
                code = VerifyError.EeKeyTooSmall;
                return "Ed25519 key (128 bits of security)";
            case Ed448PublicKeyParameters when 224 < MinimumBits(securityLevel):
                code = VerifyError.EeKeyTooSmall;
                return "Ed448 key (224 bits of security)";
            case Ed25519PublicKeyParameters:
            case Ed448PublicKeyParameters:
                return null;
            default:
                code = VerifyError.EeKeyTooSmall;
                return "unsupported public key type";
        }
    }

    /// <summary>
    /// Verifies <paramref name="signature"/> over <paramref name="signed"/> with <paramref name="issuer"/>'s key; null
    /// when good, else the reason with <paramref name="code"/> set. The issuer's key must pass the key policy of
    /// <paramref name="securityLevel"/> (<see cref="CheckKey"/>) first, so no exponentiation is ever done with a key
    /// that validation would refuse anyway (<see cref="VerifyError.CaKeyTooSmall"/>).
    /// </summary>
    public static string? Verify(AlgorithmIdentifier sigAlg, byte[] signed, byte[] signature, Cert issuer, int securityLevel, out VerifyError code)
    {
        if (CheckKey(issuer, securityLevel, out code) is { } refused)
        {
            code = code == VerifyError.EeKeyTooSmall ? VerifyError.CaKeyTooSmall : code;
            return refused;
        }

        code = VerifyError.CertSignatureFailure;
        AsymmetricKeyParameter? key = issuer.PublicKey;
        if (key is null)
        {
            code = VerifyError.UnableToDecodeIssuerPublicKey;
            return "issuer key cannot be decoded";
        }

        try
        {
            Func<byte[], byte[], bool>? verifier = CreateVerifier(sigAlg, key, securityLevel, out string? why, ref code);
            if (verifier is null)
            {
                return why;
            }

            if (CryptoOperationLog.IsRecording)
            {
                CryptoOperationLog.Note(CryptoOperationKind.Verify, CertificateSignatureName(sigAlg), signed.Length);
            }

            return verifier(signed, signature) ? null : "bad signature";
        }
        catch (Exception e) when (e is ArgumentException or ArithmeticException or InvalidCastException or InvalidOperationException or CryptoException or FormatException or IOException)
        {
            return "signature cannot be checked: " + e.Message;
        }
    }

    /// <summary>How <see cref="CryptoOperationLog"/> names a certificate or CRL signature check: by its algorithm's OID.</summary>
    public static string CertificateSignatureName(AlgorithmIdentifier sigAlg) => "certificate " + sigAlg.Algorithm.Id;

    private static IDigest? Digest(string oid) => oid switch
    {
        "2.16.840.1.101.3.4.2.1" => new Sha256Digest(),
        "2.16.840.1.101.3.4.2.2" => new Sha384Digest(),
        "2.16.840.1.101.3.4.2.3" => new Sha512Digest(),
        "2.16.840.1.101.3.4.2.4" => new Sha224Digest(),
        "1.3.14.3.2.26" => new Sha1Digest(),
        _ => null,
    };

    private static bool NoParams(AlgorithmIdentifier a) => a.Parameters is null || a.Parameters is DerNull;

    private static Func<byte[], byte[], bool> Signer(ISigner signer, AsymmetricKeyParameter key) => (data, sig) =>
    {
        signer.Init(false, key);
        signer.BlockUpdate(data, 0, data.Length);
        return signer.VerifySignature(sig);
    };

    private static Func<byte[], byte[], bool>? CreateVerifier(AlgorithmIdentifier sigAlg, AsymmetricKeyParameter key, int level, out string? why, ref VerifyError code)
    {
        why = null;
        string oid = sigAlg.Algorithm.Id;
        if (CheckDigest(sigAlg, level) is { } weak)
        {
            code = VerifyError.CaMdTooWeak;
            why = weak;
            return null;
        }

        switch (oid)
        {
            case "1.2.840.113549.1.1.11":
            case "1.2.840.113549.1.1.12":
            case "1.2.840.113549.1.1.13":
            case "1.2.840.113549.1.1.14":
            case "1.2.840.113549.1.1.5":
            case "1.2.840.113549.1.1.4":
            {
                if (key is not RsaPublicKey rsa || !NoParams(sigAlg))
                {
                    break;
                }

                (IDigest d, string digestOid) = oid switch
                {
                    "1.2.840.113549.1.1.11" => ((IDigest)new Sha256Digest(), "2.16.840.1.101.3.4.2.1"),
                    "1.2.840.113549.1.1.12" => (new Sha384Digest(), "2.16.840.1.101.3.4.2.2"),
                    "1.2.840.113549.1.1.13" => (new Sha512Digest(), "2.16.840.1.101.3.4.2.3"),
                    "1.2.840.113549.1.1.14" => (new Sha224Digest(), "2.16.840.1.101.3.4.2.4"),
                    "1.2.840.113549.1.1.5" => (new Sha1Digest(), "1.3.14.3.2.26"),
                    _ => (new MD5Digest(), "1.2.840.113549.2.5"),
                };
                return (data, sig) => RsaVerifier.VerifyPkcs1(rsa, d, new DerObjectIdentifier(digestOid), data, sig);
            }

            case RsaPss:
            {
                if (key is not RsaPublicKey rsaKey || sigAlg.Parameters is null)
                {
                    break;
                }

                var p = RsassaPssParameters.GetInstance(sigAlg.Parameters);
                IDigest? d = Digest(p.HashAlgorithm.Algorithm.Id);
                if (d is null || !NoParams(p.HashAlgorithm) || !p.MaskGenAlgorithm.Algorithm.Equals(PkcsObjectIdentifiers.IdMgf1))
                {
                    break;
                }

                var mgfHash = AlgorithmIdentifier.GetInstance(p.MaskGenAlgorithm.Parameters);
                if (!mgfHash.Algorithm.Equals(p.HashAlgorithm.Algorithm) || p.TrailerField.IntValueExact != 1)
                {
                    break;
                }

                int salt = p.SaltLength.IntValueExact;
                if (salt < 0 || salt > 1024)
                {
                    break;
                }

                IDigest mgfDigest = Digest(mgfHash.Algorithm.Id)!;
                return (data, sig) => RsaVerifier.VerifyPss(rsaKey, d, mgfDigest, salt, data, sig);
            }

            case "1.2.840.10045.4.3.1":
            case "1.2.840.10045.4.3.2":
            case "1.2.840.10045.4.3.3":
            case "1.2.840.10045.4.3.4":
            case "1.2.840.10045.4.1":
            {
                if (key is not ECPublicKeyParameters || sigAlg.Parameters is not null)
                {
                    break;
                }

                IDigest d = oid switch
                {
                    "1.2.840.10045.4.3.1" => new Sha224Digest(),
                    "1.2.840.10045.4.3.2" => new Sha256Digest(),
                    "1.2.840.10045.4.3.3" => new Sha384Digest(),
                    "1.2.840.10045.4.3.4" => new Sha512Digest(),
                    _ => new Sha1Digest(),
                };
                return Signer(new DsaDigestSigner(new ECDsaSigner(), d), key);
            }

            case Ed25519:
                if (key is Ed25519PublicKeyParameters && sigAlg.Parameters is null)
                {
                    return Signer(new Ed25519Signer(), key);
                }

                break;
            case Ed448:
                if (key is Ed448PublicKeyParameters && sigAlg.Parameters is null)
                {
                    return Signer(new Ed448Signer([]), key);
                }

                break;
        }

        if (key is DsaKeyInfo)
        {
            code = VerifyError.CaMdTooWeak;
            why = "DSA signatures are not accepted";
            return null;
        }

        why = "unsupported signature algorithm " + oid + " for this key";
        return null;
    }
}
