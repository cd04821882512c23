using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace ManagedTls.Crypto;

/// <summary>
/// A public key taken from a SubjectPublicKeyInfo (a certificate's key), able to check the signatures of
/// <see cref="SignatureAlgorithm"/> and, for RSA, to encrypt a TLS 1.2 premaster secret.
/// </summary>
internal sealed class PublicKey
{
    private byte[]? _spki;

    private readonly AlgorithmIdentifier? _pssAlgorithm;

    private PublicKey(AsymmetricKeyParameter parameters, KeyKind kind, EcCurve curve, int bits, AlgorithmIdentifier? pssAlgorithm, RsaPssRestrictions? pss)
    {
        Parameters = parameters;
        _pssAlgorithm = pssAlgorithm;
        Kind = kind;
        Curve = curve;
        Bits = bits;
        PssRestrictions = pss;
    }

    /// <summary>The kind of key.</summary>
    public KeyKind Kind { get; }

    /// <summary>For EC keys, the curve; otherwise <see cref="EcCurve.None"/>.</summary>
    public EcCurve Curve { get; }

    /// <summary>The key size in bits as OpenSSL reports it: the modulus length for RSA, the field size for EC, 253 for Ed25519 and 456 for Ed448.</summary>
    public int Bits { get; }

    /// <summary>For an id-RSASSA-PSS key with parameters, what it may sign with; otherwise null.</summary>
    public RsaPssRestrictions? PssRestrictions { get; }

    /// <summary>The BouncyCastle key (for the X.509 layer and the signature code).</summary>
    internal AsymmetricKeyParameter Parameters { get; }

    /// <summary>The DER SubjectPublicKeyInfo of this key.</summary>
    public byte[] SubjectPublicKeyInfo => (byte[])(_spki ??= EncodeSpki()).Clone();

    /// <summary>Parses a DER SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7).</summary>
    /// <exception cref="KeyFormatException">The input is not a SubjectPublicKeyInfo of a supported key.</exception>
    public static PublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der)
    {
        string fingerprint = Fingerprint(der);
        if (Parsed.TryGetValue(fingerprint, out PublicKey? known))
        {
            return known;
        }

        SubjectPublicKeyInfo info;
        try
        {
            info = Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo.GetInstance(Asn1Object.FromByteArray(der.ToArray()))
                ?? throw new KeyFormatException(KeyFormatError.Malformed, "empty SubjectPublicKeyInfo");
        }
        catch (Exception e) when (e is not OutOfMemoryException and not KeyFormatException)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "malformed SubjectPublicKeyInfo", e);
        }

        PublicKey key = Parse(info);
        key._spki = der.ToArray();
        Remember(fingerprint, key);
        return key;
    }

    /// <summary>Builds the key from a parsed SubjectPublicKeyInfo (used by the X.509 layer).</summary>
    /// <exception cref="KeyFormatException">The key is malformed or of an unsupported algorithm or curve.</exception>
    internal static PublicKey FromSubjectPublicKeyInfo(SubjectPublicKeyInfo info)
    {
        byte[] der;
        try
        {
            der = info.GetDerEncoded();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "malformed SubjectPublicKeyInfo", e);
        }

        string fingerprint = Fingerprint(der);
        if (Parsed.TryGetValue(fingerprint, out PublicKey? known))
        {
            return known;
        }

        PublicKey key = Parse(info);
        key._spki = der;
        Remember(fingerprint, key);
        return key;
    }

    /// <summary>
    /// Keys parsed recently, by the SHA-256 of their DER SubjectPublicKeyInfo. A key object is immutable, so
    /// one seen again (a trust anchor, a server a client reconnects to, a client certificate) is the same
    /// object, and BouncyCastle's per-point tables for elliptic-curve verification are built once for it
    /// rather than on every handshake.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, PublicKey> Parsed = new(StringComparer.Ordinal);

    private const int MaxParsed = 256;

    private static string Fingerprint(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[32];
        Hashes.Compute(HashAlgorithm.Sha256, der, hash);
        return CryptoUtil.ToHex(hash);
    }

    private static void Remember(string fingerprint, PublicKey key)
    {
        if (Parsed.Count >= MaxParsed)
        {
            Parsed.Clear();
        }

        Parsed.TryAdd(fingerprint, key);
    }

    /// <summary>
    /// Builds the key. Only the algorithms this library uses are decoded (RSA, RSA-PSS, EC on P-256/384/521, Ed25519,
    /// Ed448), and an RSA key is bounded (<see cref="RsaKeyLimits"/>) before anything else is done with it: decoding
    /// some other kinds of key makes BouncyCastle check the peer's numbers with arithmetic whose cost the peer
    /// chooses (a DSA or DH key is raised to its own group order; explicit elliptic-curve parameters are tested for
    /// primality with the default random generator and the point checked against the given order). The modulus of an
    /// RSA key is not tested for primality: the key only checks its owner's signatures (decision 0008).
    /// </summary>
    private static PublicKey Parse(SubjectPublicKeyInfo info)
    {
        DerObjectIdentifier algorithm = info.Algorithm.Algorithm;
        bool rsaPss = algorithm.Equals(PkcsObjectIdentifiers.IdRsassaPss);
        AsymmetricKeyParameter parameters;
        try
        {
            if (rsaPss || algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption))
            {
                (var modulus, var exponent) = RsaKeyLimits.Read(info);
                parameters = RsaModulusCheck.Create(() => new RsaKeyParameters(false, modulus, exponent));
            }
            else if (algorithm.Equals(X9ObjectIdentifiers.IdECPublicKey))
            {
                parameters = PublicKeyFactory.CreateKey(KeyAlgorithms.WithNamedCurve(info));
            }
            else if (algorithm.Equals(EdECObjectIdentifiers.id_Ed25519) || algorithm.Equals(EdECObjectIdentifiers.id_Ed448))
            {
                parameters = PublicKeyFactory.CreateKey(info);
            }
            else
            {
                throw new KeyFormatException(KeyFormatError.Unsupported, $"unsupported public key algorithm ({algorithm.Id})");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException and not KeyFormatException)
        {
            throw new KeyFormatException(KeyFormatError.Unsupported, $"unsupported or malformed public key ({algorithm.Id})", e);
        }

        return FromParameters(parameters, rsaPss ? info.Algorithm : null);
    }

    /// <summary>
    /// Wraps a BouncyCastle public key. A non-null <paramref name="pssAlgorithm"/> (the id-RSASSA-PSS
    /// algorithm identifier, with or without parameters) marks an RSA key as an RSA-PSS key.
    /// </summary>
    internal static PublicKey FromParameters(AsymmetricKeyParameter parameters, AlgorithmIdentifier? pssAlgorithm)
    {
        bool rsaPss = pssAlgorithm is not null;
        RsaPssRestrictions? pss = pssAlgorithm is null ? null : KeyAlgorithms.ParsePssRestrictions(pssAlgorithm.Parameters);
        if (parameters.IsPrivate)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "expected a public key");
        }

        (KeyKind kind, EcCurve curve, int bits) = KeyAlgorithms.Describe(parameters, rsaPss);
        if (parameters is RsaKeyParameters rsa && RsaKeyLimits.Check(rsa.Modulus, rsa.Exponent) is { } why)
        {
            throw new KeyFormatException(KeyFormatError.OutOfBounds, why);
        }

        return new PublicKey(parameters, kind, curve, bits, pssAlgorithm, pss);
    }

    /// <summary>
    /// True when this key can check <paramref name="algorithm"/>: the key kind must match (an rsaEncryption
    /// key checks rsa_pkcs1 and rsa_pss_rsae, an id-RSASSA-PSS key only rsa_pss_pss within its restrictions),
    /// and with <paramref name="enforceCurve"/> (TLS 1.3) an ECDSA key must be on the algorithm's curve.
    /// </summary>
    public bool CanVerify(SignatureAlgorithm algorithm, bool enforceCurve) =>
        algorithm.Fits(Kind, Curve, Bits, PssRestrictions, enforceCurve);

    /// <summary>
    /// Checks <paramref name="signature"/> over <paramref name="message"/>. Returns false for a wrong
    /// signature, a malformed one (an ECDSA signature that is not exactly DER), or an algorithm this key
    /// cannot check (see <see cref="CanVerify"/>, with the curve not enforced); it never throws for bad input.
    /// </summary>
    public bool Verify(SignatureAlgorithm algorithm, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        CanVerify(algorithm, enforceCurve: false) && SignatureEngine.Verify(this, algorithm, message, signature);

    /// <summary>True when <paramref name="other"/> is the same key (same kind and same public value).</summary>
    public bool KeyEquals(PublicKey other) =>
        Kind == other.Kind && CryptoUtil.FixedTimeEquals(KeyAlgorithms.PublicValue(Parameters), KeyAlgorithms.PublicValue(other.Parameters));

    /// <inheritdoc />
    public override string ToString() => Curve == EcCurve.None ? $"{Kind} {Bits}" : $"{Kind} {Curve}";

    private byte[] EncodeSpki()
    {
        SubjectPublicKeyInfo info = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(Parameters);
        if (_pssAlgorithm is not null)
        {
            info = new SubjectPublicKeyInfo(_pssAlgorithm, info.PublicKey);
        }

        return info.GetDerEncoded();
    }
}
