using ManagedTls.Crypto;
using ManagedTls.X509.Store;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;

namespace ManagedTls.X509.Builder;

/// <summary>
/// A freshly generated private key and its public half, for certificates made by <see cref="CertificateBuilder"/>.
/// Exports the private key as PKCS#8 (RFC 5208; DER or PEM <c>PRIVATE KEY</c>, the form <c>openssl s_server -key</c>
/// and <c>SslContext.LoadCertChain</c> read) and the public key as a SubjectPublicKeyInfo. The key material comes from the
/// <see cref="IEntropySource"/> given (checking the encoding by loading it back blinds its point arithmetic with
/// <see cref="OsEntropy"/>); nothing reaches .NET's or BouncyCastle's default generator.
/// <see cref="Dispose"/> wipes the stored private key encoding.
/// </summary>
public sealed class CertificateKeyPair : IDisposable
{
    private readonly byte[] _pkcs8;
    private readonly byte[] _spki;

    private CertificateKeyPair(CertificateKeyAlgorithm algorithm, byte[] pkcs8)
    {
        Algorithm = algorithm;
        _pkcs8 = pkcs8;

        // Loading our own encoding checks it the way every consumer of the PEM will read it.
        PrivateKey = PrivateKey.FromDer(pkcs8);
        _spki = PrivateKey.PublicKey.SubjectPublicKeyInfo;
    }

    /// <summary>The kind of key.</summary>
    public CertificateKeyAlgorithm Algorithm { get; }

    /// <summary>The DER SubjectPublicKeyInfo of the public key (RFC 5280 section 4.1.2.7).</summary>
    public byte[] SubjectPublicKeyInfo => (byte[])_spki.Clone();

    /// <summary>True after <see cref="Dispose"/>.</summary>
    internal bool IsDisposed { get; private set; }

    /// <summary>The key for signing (the TLS engine's form).</summary>
    internal PrivateKey PrivateKey { get; }

    /// <summary>The signature algorithm this key makes certificate signatures with.</summary>
    internal SignatureAlgorithm SignatureAlgorithm => Algorithm switch
    {
        CertificateKeyAlgorithm.EcdsaP256 => SignatureAlgorithm.EcdsaP256Sha256,
        CertificateKeyAlgorithm.EcdsaP384 => SignatureAlgorithm.EcdsaP384Sha384,
        _ => SignatureAlgorithm.Ed25519,
    };

    /// <summary>
    /// The AlgorithmIdentifier of those signatures: ecdsa-with-SHA256/384 (RFC 5758 section 3.2, parameters absent)
    /// or id-Ed25519 (RFC 8410 section 3, parameters absent).
    /// </summary>
    internal AlgorithmIdentifier SignatureAlgorithmIdentifier => Algorithm switch
    {
        CertificateKeyAlgorithm.EcdsaP256 => new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha256),
        CertificateKeyAlgorithm.EcdsaP384 => new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha384),
        _ => new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
    };

    /// <summary>
    /// Generates a key. An ECDSA private scalar is drawn uniformly from [1, n-1] and its public point computed with
    /// our own blinded affine conversion (docs/decisions/0004); an Ed25519 key is 32 random bytes (RFC 8032 section 5.1.5).
    /// </summary>
    /// <param name="algorithm">The kind of key.</param>
    /// <param name="entropy">Where the random bytes come from; null for <see cref="OsEntropy.Instance"/>.</param>
    /// <returns>The key pair.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not a defined value.</exception>
    public static CertificateKeyPair Generate(CertificateKeyAlgorithm algorithm, IEntropySource? entropy = null)
    {
        entropy ??= OsEntropy.Instance;
        byte[] pkcs8 = algorithm switch
        {
            CertificateKeyAlgorithm.EcdsaP256 => GenerateEc(SecObjectIdentifiers.SecP256r1, entropy),
            CertificateKeyAlgorithm.EcdsaP384 => GenerateEc(SecObjectIdentifiers.SecP384r1, entropy),
            CertificateKeyAlgorithm.Ed25519 => GenerateEd25519(entropy),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown key algorithm"),
        };

        return new CertificateKeyPair(algorithm, pkcs8);
    }

    /// <summary>The private key as DER PKCS#8 PrivateKeyInfo (unencrypted). The caller should wipe the copy after use.</summary>
    /// <returns>A new copy of the encoding.</returns>
    public byte[] ExportPkcs8()
    {
        ThrowIfDisposed();
        return (byte[])_pkcs8.Clone();
    }

    /// <summary>The private key as PEM <c>-----BEGIN PRIVATE KEY-----</c> (unencrypted PKCS#8, RFC 7468 section 10).</summary>
    /// <returns>The PEM text.</returns>
    public string ExportPkcs8Pem()
    {
        ThrowIfDisposed();
        return PemWriter.Encode("PRIVATE KEY", _pkcs8);
    }

    /// <summary>The public key as PEM <c>-----BEGIN PUBLIC KEY-----</c> (RFC 7468 section 13).</summary>
    /// <returns>The PEM text.</returns>
    public string ExportPublicKeyPem() => PemWriter.Encode("PUBLIC KEY", _spki);

    /// <summary>
    /// The RFC 5280 section 4.2.1.2 method (1) key identifier: SHA-1 of the subjectPublicKey bits. Used for the
    /// subjectKeyIdentifier of certificates for this key and the authorityKeyIdentifier of those it issues.
    /// </summary>
    /// <returns>20 bytes.</returns>
    public byte[] KeyIdentifier()
    {
        var info = Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo.GetInstance(Asn1Object.FromByteArray(_spki));
        return Hashes.Compute(HashAlgorithm.Sha1, info.PublicKey.GetBytes());
    }

    /// <summary>Wipes the stored private key encoding; exports fail afterwards.</summary>
    public void Dispose()
    {
        if (!IsDisposed)
        {
            IsDisposed = true;
            CryptoUtil.Wipe(_pkcs8);
        }
    }

    private void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            throw new ObjectDisposedException(nameof(CertificateKeyPair));
        }
    }

    // ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING, [0] parameters OPTIONAL, [1] publicKey BIT STRING OPTIONAL }
    // (RFC 5915), inside PrivateKeyInfo { version 0, AlgorithmIdentifier { id-ecPublicKey, namedCurve }, OCTET STRING } (RFC 5208, RFC 5480).
    private static byte[] GenerateEc(DerObjectIdentifier curveOid, IEntropySource entropy)
    {
        X9ECParameters curve = ECNamedCurveTable.GetByOid(curveOid);
        var domain = new ECNamedDomainParameters(curveOid, curve);
        BigInteger d = BigIntegers.CreateRandomInRange(BigInteger.One, domain.N.Subtract(BigInteger.One), BcRandom.Create(entropy));
        var key = new ECPrivateKeyParameters("EC", d, domain);

        // The point comes back in affine form (Z = 1), so encoding it does not normalise again.
        ECPublicKeyParameters pub = EcMath.PublicKeyOf(key, entropy);
        var sec1 = new ECPrivateKeyStructure(domain.N.BitLength, d, new DerBitString(pub.Q.GetEncoded(false)), null);
        var info = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, curveOid), sec1);
        return info.GetDerEncoded();
    }

    // PrivateKeyInfo { version 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { CurvePrivateKey ::= OCTET STRING (32) } } (RFC 8410 section 7).
    private static byte[] GenerateEd25519(IEntropySource entropy)
    {
        byte[] seed = new byte[Ed25519PrivateKeyParameters.KeySize];
        entropy.GetBytes(seed);
        try
        {
            var info = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), new DerOctetString(seed));
            return info.GetDerEncoded();
        }
        finally
        {
            CryptoUtil.Wipe(seed);
        }
    }
}
