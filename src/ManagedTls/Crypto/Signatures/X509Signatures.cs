using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Signers;

namespace ManagedTls.Crypto;

/// <summary>
/// Verification of the signatures on certificates and CRLs (RFC 5280 signatureAlgorithm + signatureValue)
/// with <see cref="PublicKey"/>, so the X.509 layer never needs BouncyCastle's own verifier (whose RSA key
/// checks draw from .NET's random generator, that is from OpenSSL). Supported: sha1/sha256/sha384/sha512
/// WithRSAEncryption, ecdsa-with-SHA1/256/384/512, RSASSA-PSS (RFC 4055; MGF1, any salt length, SHA-1/2
/// hashes), Ed25519 and Ed448.
/// </summary>
internal static class X509Signatures
{
    /// <summary>
    /// Checks <paramref name="signature"/> over <paramref name="signedData"/> (the DER TBSCertificate) made
    /// with <paramref name="algorithm"/> by <paramref name="issuerKey"/>. False for a wrong, malformed or
    /// unsupported signature, or when the key kind does not fit the algorithm; never throws for bad input.
    /// </summary>
    public static bool Verify(PublicKey issuerKey, AlgorithmIdentifier algorithm, ReadOnlySpan<byte> signedData, ReadOnlySpan<byte> signature)
    {
        try
        {
            DerObjectIdentifier oid = algorithm.Algorithm;
            if (oid.Equals(PkcsObjectIdentifiers.IdRsassaPss))
            {
                return VerifyPss(issuerKey, algorithm.Parameters, signedData, signature);
            }

            SignatureAlgorithm? known = Map(oid);
            if (known is null || !known.Fits(issuerKey.Kind, issuerKey.Curve, issuerKey.Bits, issuerKey.PssRestrictions, enforceCurve: false))
            {
                return false;
            }

            // RFC 5758 / RFC 8410: ECDSA and EdDSA identifiers carry no parameters; RSA ones NULL or none.
            return SignatureEngine.Verify(issuerKey, known, signedData, signature);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>The fixed-parameter algorithm an OID names, or null.</summary>
    private static SignatureAlgorithm? Map(DerObjectIdentifier oid)
    {
        if (oid.Equals(PkcsObjectIdentifiers.Sha256WithRsaEncryption))
        {
            return SignatureAlgorithm.RsaPkcs1Sha256;
        }

        if (oid.Equals(PkcsObjectIdentifiers.Sha384WithRsaEncryption))
        {
            return SignatureAlgorithm.RsaPkcs1Sha384;
        }

        if (oid.Equals(PkcsObjectIdentifiers.Sha512WithRsaEncryption))
        {
            return SignatureAlgorithm.RsaPkcs1Sha512;
        }

        if (oid.Equals(PkcsObjectIdentifiers.Sha1WithRsaEncryption))
        {
            return SignatureAlgorithm.RsaPkcs1Sha1;
        }

        if (oid.Equals(X9ObjectIdentifiers.ECDsaWithSha256))
        {
            return SignatureAlgorithm.EcdsaP256Sha256;
        }

        if (oid.Equals(X9ObjectIdentifiers.ECDsaWithSha384))
        {
            return SignatureAlgorithm.EcdsaP384Sha384;
        }

        if (oid.Equals(X9ObjectIdentifiers.ECDsaWithSha512))
        {
            return SignatureAlgorithm.EcdsaP521Sha512;
        }

        if (oid.Equals(X9ObjectIdentifiers.ECDsaWithSha1))
        {
            return SignatureAlgorithm.EcdsaSha1;
        }

        if (oid.Equals(EdECObjectIdentifiers.id_Ed25519))
        {
            return SignatureAlgorithm.Ed25519;
        }

        return oid.Equals(EdECObjectIdentifiers.id_Ed448) ? SignatureAlgorithm.Ed448 : null;
    }

    /// <summary>
    /// RSASSA-PSS with the parameters in the signature's AlgorithmIdentifier (RFC 4055 section 3.1; absent
    /// fields default to SHA-1, MGF1-SHA-1, salt 20). The issuer key may be rsaEncryption or id-RSASSA-PSS;
    /// an id-RSASSA-PSS key with restrictions must allow these parameters.
    /// </summary>
    private static bool VerifyPss(PublicKey key, Asn1Encodable? parameters, ReadOnlySpan<byte> signedData, ReadOnlySpan<byte> signature)
    {
        CryptoOperationLog.Note(CryptoOperationKind.Verify, "rsassa_pss (certificate)", signedData.Length);
        if (key.Kind is not (KeyKind.Rsa or KeyKind.RsaPss) || signature.Length != (key.Bits + 7) / 8)
        {
            return false;
        }

        RsassaPssParameters pss = RsassaPssParameters.GetInstance(parameters ?? DerSequence.Empty);
        HashAlgorithm? hash = KeyAlgorithms.HashFromOid(pss.HashAlgorithm.Algorithm);
        if (hash is null || !pss.MaskGenAlgorithm.Algorithm.Equals(PkcsObjectIdentifiers.IdMgf1) || !pss.TrailerField.HasValue(1))
        {
            return false;
        }

        HashAlgorithm? mgfHash = KeyAlgorithms.HashFromOid(AlgorithmIdentifier.GetInstance(pss.MaskGenAlgorithm.Parameters).Algorithm);
        int salt = pss.SaltLength.IntValueExact;
        if (mgfHash is null || salt < 0)
        {
            return false;
        }

        if (key.PssRestrictions is { } restrictions
            && (restrictions.Hash != hash || restrictions.MgfHash != mgfHash || salt < restrictions.MinSaltLength))
        {
            return false;
        }

        var verifier = new PssSigner(new RsaBlindedEngine(), Hashes.CreateDigest(hash.Value), Hashes.CreateDigest(mgfHash.Value), salt);
        verifier.Init(false, key.Parameters);
        byte[] data = signedData.ToArray();
        verifier.BlockUpdate(data, 0, data.Length);
        return verifier.VerifySignature(signature.ToArray());
    }
}
