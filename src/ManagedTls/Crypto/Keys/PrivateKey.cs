using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Crypto;

/// <summary>
/// A private key loaded from PEM or DER (PKCS#1, PKCS#8, SEC1, encrypted PKCS#8, legacy OpenSSL PEM
/// encryption), with its public half, able to sign with the <see cref="SignatureAlgorithm"/>s it fits and,
/// for RSA, to decrypt a TLS 1.2 premaster secret (<see cref="RsaKeyExchange"/>).
/// </summary>
internal sealed class PrivateKey
{
    private PrivateKey(AsymmetricKeyParameter parameters, PublicKey publicKey)
    {
        Parameters = parameters;
        PublicKey = publicKey;
    }

    /// <summary>The kind of key.</summary>
    public KeyKind Kind => PublicKey.Kind;

    /// <summary>For EC keys, the curve; otherwise <see cref="EcCurve.None"/>.</summary>
    public EcCurve Curve => PublicKey.Curve;

    /// <summary>The key size in bits (see <see cref="PublicKey.Bits"/>).</summary>
    public int Bits => PublicKey.Bits;

    /// <summary>The matching public key.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>For an id-RSASSA-PSS key with parameters, what it may sign with; otherwise null.</summary>
    public RsaPssRestrictions? PssRestrictions => PublicKey.PssRestrictions;

    /// <summary>The BouncyCastle private key.</summary>
    internal AsymmetricKeyParameter Parameters { get; }

    /// <summary>
    /// Loads a private key from PEM text or DER bytes (told apart by a <c>-----BEGIN</c> line). In PEM the
    /// first private-key block is used, so a file holding a certificate chain and the key works.
    /// </summary>
    /// <param name="data">The file contents.</param>
    /// <param name="password">The password for an encrypted key; null when none was given.</param>
    /// <exception cref="KeyFormatException">No usable key, or a missing or wrong password.</exception>
    public static PrivateKey Load(ReadOnlySpan<byte> data, string? password = null) => PrivateKeyLoader.Load(data, password);

    /// <summary>Reads and loads a key file (see <see cref="Load"/>).</summary>
    /// <exception cref="KeyFormatException">No usable key, or a missing or wrong password.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PrivateKey LoadFile(string path, string? password = null) => PrivateKeyLoader.Load(File.ReadAllBytes(path), password);

    /// <summary>Loads the first private key in PEM text.</summary>
    /// <exception cref="KeyFormatException">No usable key, or a missing or wrong password.</exception>
    public static PrivateKey FromPem(string pem, string? password = null) => PrivateKeyLoader.FromPem(pem, password);

    /// <summary>Loads a DER private key: PKCS#8, encrypted PKCS#8, PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey.</summary>
    /// <exception cref="KeyFormatException">No usable key, or a missing or wrong password.</exception>
    public static PrivateKey FromDer(ReadOnlySpan<byte> der, string? password = null) => PrivateKeyLoader.FromDer(der, password);

    /// <summary>
    /// Wraps a BouncyCastle private key, deriving and checking its public half. A non-null
    /// <paramref name="pssAlgorithm"/> marks an RSA key as an id-RSASSA-PSS key.
    /// </summary>
    internal static PrivateKey FromParameters(AsymmetricKeyParameter parameters, AlgorithmIdentifier? pssAlgorithm)
    {
        try
        {
            AsymmetricKeyParameter publicParameters = parameters switch
            {
                RsaPrivateCrtKeyParameters rsa => CheckRsa(rsa),
                ECPrivateKeyParameters ec => EcMath.PublicKeyOf(ec, OsEntropy.Instance),
                Ed25519PrivateKeyParameters ed => ed.GeneratePublicKey(),
                Ed448PrivateKeyParameters ed => ed.GeneratePublicKey(),
                _ => throw new KeyFormatException(KeyFormatError.Unsupported, $"unsupported private key ({parameters.GetType().Name})"),
            };

            if (pssAlgorithm is not null && parameters is not RsaPrivateCrtKeyParameters)
            {
                throw new KeyFormatException(KeyFormatError.Malformed, "id-RSASSA-PSS key that is not an RSA key");
            }

            return new PrivateKey(parameters, PublicKey.FromParameters(publicParameters, pssAlgorithm));
        }
        catch (Exception e) when (e is not KeyFormatException and not OutOfMemoryException)
        {
            // BouncyCastle rejects out-of-range values (a zero scalar, a point at infinity) with ArgumentException.
            throw new KeyFormatException(KeyFormatError.Malformed, "the private key values are invalid", e);
        }
    }

    /// <summary>
    /// True when this key can sign with <paramref name="algorithm"/>: not a verify-only (SHA-1) algorithm,
    /// the key kind matches (an RSA-PSS key makes only rsa_pss_pss within its restrictions, an rsaEncryption
    /// key rsa_pss_rsae and rsa_pkcs1), the modulus is big enough, and with <paramref name="enforceCurve"/>
    /// (TLS 1.3) an EC key is on the algorithm's curve.
    /// </summary>
    public bool CanSign(SignatureAlgorithm algorithm, bool enforceCurve) =>
        !algorithm.VerifyOnly && algorithm.Fits(Kind, Curve, Bits, PssRestrictions, enforceCurve);

    /// <summary>The candidates this key can sign with, in the candidates' order.</summary>
    public IReadOnlyList<SignatureAlgorithm> SignableAlgorithms(IEnumerable<SignatureAlgorithm> candidates, bool enforceCurve)
    {
        var result = new List<SignatureAlgorithm>();
        foreach (SignatureAlgorithm candidate in candidates)
        {
            if (CanSign(candidate, enforceCurve))
            {
                result.Add(candidate);
            }
        }

        return result;
    }

    /// <summary>
    /// Signs <paramref name="message"/> (the whole message; it is hashed here). ECDSA uses deterministic
    /// nonces (RFC 6979) and returns the DER Ecdsa-Sig-Value; PSS draws its salt, and RSA its blinding,
    /// from <paramref name="entropy"/>.
    /// </summary>
    /// <exception cref="TlsAlertException">internal_error: the key cannot make this kind of signature (<see cref="CanSign"/> is false).</exception>
    public byte[] Sign(SignatureAlgorithm algorithm, ReadOnlySpan<byte> message, IEntropySource entropy)
    {
        if (!CanSign(algorithm, enforceCurve: false))
        {
            throw TlsAlertException.Internal($"a {PublicKey} key cannot sign with {algorithm.Name}");
        }

        return SignatureEngine.Sign(this, algorithm, message, entropy);
    }

    /// <summary>True when <paramref name="publicKey"/> (for example a certificate's) is this key's public half.</summary>
    public bool Matches(PublicKey publicKey) => PublicKey.KeyEquals(publicKey);

    /// <inheritdoc />
    public override string ToString() => PublicKey.ToString();

    private static RsaKeyParameters CheckRsa(RsaPrivateCrtKeyParameters rsa)
    {
        if (rsa.P.SignValue <= 0 || rsa.Q.SignValue <= 0 || !rsa.P.Multiply(rsa.Q).Equals(rsa.Modulus))
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "RSA private key is inconsistent (p * q != n)");
        }

        return RsaModulusCheck.Create(() => new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent));
    }
}
