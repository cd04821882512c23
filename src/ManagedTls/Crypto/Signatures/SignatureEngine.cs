using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace ManagedTls.Crypto;

/// <summary>
/// Signing and verification over BouncyCastle for every <see cref="SignatureAlgorithm"/>. Callers go through
/// <see cref="PrivateKey.Sign"/> and <see cref="PublicKey.Verify"/>, which check that the key fits first.
/// Every BouncyCastle object that may want randomness is handed a <see cref="BcRandom"/> over an
/// <see cref="IEntropySource"/>, so nothing falls back to BouncyCastle's default generator.
/// </summary>
internal static class SignatureEngine
{
    /// <summary>Signs <paramref name="message"/>; the key is known to fit <paramref name="algorithm"/>.</summary>
    public static byte[] Sign(PrivateKey key, SignatureAlgorithm algorithm, ReadOnlySpan<byte> message, IEntropySource entropy)
    {
        CryptoOperationLog.Note(CryptoOperationKind.Sign, algorithm.Name, message.Length);
        byte[] data = message.ToArray();
        switch (algorithm.Padding)
        {
            case SignaturePadding.Pkcs1:
            {
                HashAlgorithm hash = algorithm.Hash!.Value;
                var signer = new RsaDigestSigner(Hashes.CreateDigest(hash), KeyAlgorithms.HashOid(hash));
                signer.Init(true, new ParametersWithRandom(key.Parameters, BcRandom.Create(entropy)));
                signer.BlockUpdate(data, 0, data.Length);
                return signer.GenerateSignature();
            }

            case SignaturePadding.Pss:
            {
                PssSigner signer = CreatePss(algorithm.Hash!.Value);
                signer.Init(true, new ParametersWithRandom(key.Parameters, BcRandom.Create(entropy)));
                signer.BlockUpdate(data, 0, data.Length);
                return signer.GenerateSignature();
            }

            case SignaturePadding.Ecdsa:
            {
                HashAlgorithm hash = algorithm.Hash!.Value;
                byte[] digest = Hashes.Compute(hash, data);

                // RFC 6979 deterministic nonces: no nonce bias from a weak entropy source; entropy only blinds the inversion.
                (BigInteger r, BigInteger s) = EcMath.SignDigest((ECPrivateKeyParameters)key.Parameters, digest, hash, entropy);
                return new DerSequence(new DerInteger(r), new DerInteger(s)).GetEncoded(Asn1Encodable.Der);
            }

            default:
            {
                ISigner signer = key.Kind == KeyKind.Ed25519 ? new Ed25519Signer() : new Ed448Signer([]);
                signer.Init(true, key.Parameters);
                signer.BlockUpdate(data, 0, data.Length);
                return signer.GenerateSignature();
            }
        }
    }

    /// <summary>Checks a signature; false for anything wrong or malformed, never an exception.</summary>
    public static bool Verify(PublicKey key, SignatureAlgorithm algorithm, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        CryptoOperationLog.Note(CryptoOperationKind.Verify, algorithm.Name, message.Length);
        try
        {
            return algorithm.Padding switch
            {
                SignaturePadding.Pkcs1 => VerifyPkcs1(key, algorithm.Hash!.Value, message, signature),
                SignaturePadding.Pss => VerifyPss(key, algorithm.Hash!.Value, message, signature),
                SignaturePadding.Ecdsa => VerifyEcdsa(key, algorithm.Hash!.Value, message, signature),
                _ => VerifyEdDsa(key, message, signature),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // BouncyCastle reports out-of-range or garbled signatures by throwing; to a verifier they are just invalid.
            return false;
        }
    }

    private static int ModulusLength(PublicKey key) => (key.Bits + 7) / 8;

    /// <summary>
    /// RSASSA-PKCS1-v1_5 verification by re-encoding (RFC 8017 section 8.2.2): the recovered block must be
    /// exactly the DigestInfo with an explicit NULL parameter, and the signature exactly the modulus length.
    /// </summary>
    private static bool VerifyPkcs1(PublicKey key, HashAlgorithm hash, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != ModulusLength(key))
        {
            return false;
        }

        byte[] expected = new DigestInfo(new AlgorithmIdentifier(KeyAlgorithms.HashOid(hash), DerNull.Instance), Hashes.Compute(hash, message)).GetDerEncoded();
        var rsa = new Pkcs1Encoding(new RsaEngine());
        rsa.Init(false, key.Parameters);
        byte[] sig = signature.ToArray();
        byte[] recovered = rsa.ProcessBlock(sig, 0, sig.Length);
        return CryptoUtil.FixedTimeEquals(recovered, expected);
    }

    private static bool VerifyPss(PublicKey key, HashAlgorithm hash, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != ModulusLength(key))
        {
            return false;
        }

        PssSigner verifier = CreatePss(hash);
        verifier.Init(false, key.Parameters);
        byte[] data = message.ToArray();
        verifier.BlockUpdate(data, 0, data.Length);
        return verifier.VerifySignature(signature.ToArray());
    }

    /// <summary>
    /// ECDSA verification of a DER Ecdsa-Sig-Value (RFC 8446 section 4.2.3, RFC 3279 section 2.2.3). The
    /// signature must be exactly the DER encoding of SEQUENCE { r INTEGER, s INTEGER }: re-encoding the
    /// parsed value must give back the same bytes, which rejects BER forms, non-minimal integers and trailing data.
    /// </summary>
    private static bool VerifyEcdsa(PublicKey key, HashAlgorithm hash, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        byte[] sig = signature.ToArray();
        if (Asn1Object.FromByteArray(sig) is not Asn1Sequence { Count: 2 } sequence
            || sequence[0] is not DerInteger r
            || sequence[1] is not DerInteger s
            || r.Value.SignValue <= 0
            || s.Value.SignValue <= 0)
        {
            return false;
        }

        byte[] canonical = new DerSequence(new DerInteger(r.Value), new DerInteger(s.Value)).GetEncoded(Asn1Encodable.Der);
        if (!CryptoUtil.FixedTimeEquals(canonical, sig))
        {
            return false;
        }

        var verifier = new ECDsaSigner();
        verifier.Init(false, key.Parameters);
        return verifier.VerifySignature(Hashes.Compute(hash, message), r.Value, s.Value);
    }

    private static bool VerifyEdDsa(PublicKey key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        ISigner verifier;
        if (key.Kind == KeyKind.Ed25519)
        {
            if (signature.Length != Ed25519PrivateKeyParameters.SignatureSize)
            {
                return false;
            }

            verifier = new Ed25519Signer();
        }
        else
        {
            if (signature.Length != Ed448PrivateKeyParameters.SignatureSize)
            {
                return false;
            }

            verifier = new Ed448Signer([]);
        }

        verifier.Init(false, key.Parameters);
        byte[] data = message.ToArray();
        verifier.BlockUpdate(data, 0, data.Length);
        return verifier.VerifySignature(signature.ToArray());
    }

    /// <summary>PSS as TLS uses it: MGF1 over the message hash, salt as long as the hash, trailer 0xBC.</summary>
    private static PssSigner CreatePss(HashAlgorithm hash) =>
        new(new RsaBlindedEngine(), Hashes.CreateDigest(hash), Hashes.CreateDigest(hash), Hashes.OutputSize(hash));
}
