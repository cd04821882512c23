using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Oiw;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Crypto;

/// <summary>Classification of BouncyCastle keys into <see cref="KeyKind"/>, curve and size, shared by the key types.</summary>
internal static class KeyAlgorithms
{
    private static readonly (EcCurve Curve, DerObjectIdentifier Oid)[] Curves =
    [
        (EcCurve.P256, SecObjectIdentifiers.SecP256r1),
        (EcCurve.P384, SecObjectIdentifiers.SecP384r1),
        (EcCurve.P521, SecObjectIdentifiers.SecP521r1),
    ];

    private static readonly Lazy<X9ECParameters[]> CurveParameters = new(
        () => Array.ConvertAll(Curves, c => ECNamedCurveTable.GetByOid(c.Oid)));

    /// <summary>The size in bits reported for a curve (the field size).</summary>
    public static int CurveBits(EcCurve curve) => curve switch
    {
        EcCurve.P256 => 256,
        EcCurve.P384 => 384,
        EcCurve.P521 => 521,
        _ => 0,
    };

    /// <summary>The OID naming a curve.</summary>
    public static DerObjectIdentifier CurveOid(EcCurve curve) => Array.Find(Curves, c => c.Curve == curve).Oid;

    /// <summary>Kind, curve and size of a key; throws <see cref="KeyFormatException"/> for unsupported algorithms and curves.</summary>
    public static (KeyKind Kind, EcCurve Curve, int Bits) Describe(AsymmetricKeyParameter key, bool rsaPss)
    {
        switch (key)
        {
            case RsaKeyParameters rsa:
                return (rsaPss ? KeyKind.RsaPss : KeyKind.Rsa, EcCurve.None, rsa.Modulus.BitLength);
            case ECKeyParameters ec:
                EcCurve curve = CurveOf(ec.Parameters);
                if (curve == EcCurve.None)
                {
                    throw new KeyFormatException(KeyFormatError.Unsupported, "EC key on an unsupported curve (P-256, P-384 and P-521 are supported)");
                }

                return (KeyKind.Ec, curve, CurveBits(curve));
            case Ed25519PublicKeyParameters or Ed25519PrivateKeyParameters:
                return (KeyKind.Ed25519, EcCurve.None, 253);
            case Ed448PublicKeyParameters or Ed448PrivateKeyParameters:
                return (KeyKind.Ed448, EcCurve.None, 456);
            default:
                throw new KeyFormatException(KeyFormatError.Unsupported, $"unsupported key algorithm ({key.GetType().Name})");
        }
    }

    /// <summary>Which supported curve the domain parameters describe, by name or by value; <see cref="EcCurve.None"/> when none.</summary>
    public static EcCurve CurveOf(ECDomainParameters parameters)
    {
        if (parameters is ECNamedDomainParameters named)
        {
            foreach (var (curve, oid) in Curves)
            {
                if (named.Name.Equals(oid))
                {
                    return curve;
                }
            }
        }

        X9ECParameters[] known = CurveParameters.Value;
        for (int i = 0; i < known.Length; i++)
        {
            if (known[i].Curve.Equals(parameters.Curve) && known[i].G.Equals(parameters.G) && known[i].N.Equals(parameters.N))
            {
                return Curves[i].Curve;
            }
        }

        return EcCurve.None;
    }

    /// <summary>
    /// <paramref name="info"/> (an id-ecPublicKey key) with its curve named by OID, for BouncyCastle to decode. Only
    /// P-256, P-384 and P-521 pass; explicit parameters (RFC 3279 ECParameters) pass only when they are those of one
    /// of these curves, compared field by field here, because BouncyCastle would otherwise build and check a curve
    /// from the peer's numbers: a primality test of the field prime with its default random generator (OpenSSL on
    /// Linux, decision 0007) and a point multiplication by an order of any length.
    /// </summary>
    /// <exception cref="KeyFormatException">Any other curve or parameters.</exception>
    public static Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo WithNamedCurve(Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo info)
    {
        Asn1Encodable? parameters = info.Algorithm.Parameters;
        if (parameters is DerObjectIdentifier oid)
        {
            if (Array.Exists(Curves, c => c.Oid.Equals(oid)))
            {
                return info;
            }

            throw new KeyFormatException(KeyFormatError.Unsupported, "EC key on an unsupported curve (P-256, P-384 and P-521 are supported)");
        }

        if (parameters is Asn1Sequence explicitParameters && NamedCurveOf(explicitParameters) is { } named)
        {
            return new Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo(
                new Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, named), info.PublicKey);
        }

        throw new KeyFormatException(KeyFormatError.Unsupported, "EC key whose parameters are not those of P-256, P-384 or P-521");
    }

    /// <summary>
    /// The supported curve that explicit parameters describe, or null.
    /// <code>
    /// ECParameters ::= SEQUENCE { version INTEGER { ecpVer1(1) }, fieldID FieldID, curve Curve, base ECPoint,
    ///                             order INTEGER, cofactor INTEGER OPTIONAL }
    /// FieldID ::= SEQUENCE { fieldType OBJECT IDENTIFIER, parameters ANY }   -- prime-field: INTEGER p
    /// Curve ::= SEQUENCE { a FieldElement, b FieldElement, seed BIT STRING OPTIONAL }
    /// </code>
    /// </summary>
    private static DerObjectIdentifier? NamedCurveOf(Asn1Sequence seq)
    {
        try
        {
            if (seq.Count is < 5 or > 6 || !DerInteger.GetInstance(seq[0]).HasValue(1))
            {
                return null;
            }

            var field = Asn1Sequence.GetInstance(seq[1]);
            if (field.Count != 2 || !DerObjectIdentifier.GetInstance(field[0]).Equals(X9ObjectIdentifiers.PrimeField))
            {
                return null;
            }

            var prime = DerInteger.GetInstance(field[1]).Value;
            var curve = Asn1Sequence.GetInstance(seq[2]);
            var a = new Org.BouncyCastle.Math.BigInteger(1, Asn1OctetString.GetInstance(curve[0]).GetOctets());
            var b = new Org.BouncyCastle.Math.BigInteger(1, Asn1OctetString.GetInstance(curve[1]).GetOctets());
            byte[] generator = Asn1OctetString.GetInstance(seq[3]).GetOctets();
            var order = DerInteger.GetInstance(seq[4]).Value;
            var cofactor = seq.Count == 6 ? DerInteger.GetInstance(seq[5]).Value : null;
            X9ECParameters[] known = CurveParameters.Value;
            for (int i = 0; i < known.Length; i++)
            {
                X9ECParameters k = known[i];
                if (prime.Equals(k.Curve.Field.Characteristic) && a.Equals(k.Curve.A.ToBigInteger()) && b.Equals(k.Curve.B.ToBigInteger())
                    && order.Equals(k.N) && (cofactor is null || cofactor.Equals(k.H))
                    && (generator.AsSpan().SequenceEqual(k.G.GetEncoded(false)) || generator.AsSpan().SequenceEqual(k.G.GetEncoded(true))))
                {
                    return Curves[i].Oid;
                }
            }

            return null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or InvalidOperationException or FormatException or IOException)
        {
            return null;
        }
    }

    /// <summary>A canonical encoding of the public value, for comparing two keys.</summary>
    public static byte[] PublicValue(AsymmetricKeyParameter key) => key switch
    {
        RsaKeyParameters rsa => [.. rsa.Modulus.ToByteArrayUnsigned(), 0, .. rsa.Exponent.ToByteArrayUnsigned()],
        ECPublicKeyParameters ec => ec.Q.GetEncoded(false),
        Ed25519PublicKeyParameters ed => ed.GetEncoded(),
        Ed448PublicKeyParameters ed => ed.GetEncoded(),
        _ => [],
    };

    /// <summary>
    /// Reads the RSASSA-PSS-params of an id-RSASSA-PSS key (RFC 4055 section 3.1). Absent parameters mean
    /// the key is unrestricted (null); present ones bind the hash, the MGF1 hash and the minimum salt length,
    /// with the RFC's defaults (SHA-1, MGF1-SHA-1, 20) for omitted fields.
    /// </summary>
    public static RsaPssRestrictions? ParsePssRestrictions(Asn1Encodable? parameters)
    {
        if (parameters is null || parameters is Asn1Null)
        {
            return null;
        }

        try
        {
            RsassaPssParameters pss = RsassaPssParameters.GetInstance(parameters);
            HashAlgorithm? hash = HashFromOid(pss.HashAlgorithm.Algorithm);
            HashAlgorithm? mgfHash = null;
            if (pss.MaskGenAlgorithm.Algorithm.Equals(PkcsObjectIdentifiers.IdMgf1))
            {
                mgfHash = HashFromOid(Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier.GetInstance(pss.MaskGenAlgorithm.Parameters).Algorithm);
            }

            int salt = pss.SaltLength.IntValueExact;
            if (salt < 0 || !pss.TrailerField.HasValue(1))
            {
                throw new KeyFormatException(KeyFormatError.Malformed, "RSA-PSS key parameters are invalid");
            }

            return new RsaPssRestrictions(hash, mgfHash, salt);
        }
        catch (Exception e) when (e is not KeyFormatException and not OutOfMemoryException)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "RSA-PSS key parameters are malformed", e);
        }
    }

    /// <summary>Maps a hash OID to <see cref="HashAlgorithm"/>, or null for hashes this library lacks.</summary>
    public static HashAlgorithm? HashFromOid(DerObjectIdentifier oid)
    {
        if (oid.Equals(OiwObjectIdentifiers.IdSha1))
        {
            return HashAlgorithm.Sha1;
        }

        if (oid.Equals(NistObjectIdentifiers.IdSha256))
        {
            return HashAlgorithm.Sha256;
        }

        if (oid.Equals(NistObjectIdentifiers.IdSha384))
        {
            return HashAlgorithm.Sha384;
        }

        return oid.Equals(NistObjectIdentifiers.IdSha512) ? HashAlgorithm.Sha512 : null;
    }

    /// <summary>The OID of a hash, for DigestInfo.</summary>
    public static DerObjectIdentifier HashOid(HashAlgorithm hash) => hash switch
    {
        HashAlgorithm.Sha1 => OiwObjectIdentifiers.IdSha1,
        HashAlgorithm.Sha256 => NistObjectIdentifiers.IdSha256,
        HashAlgorithm.Sha384 => NistObjectIdentifiers.IdSha384,
        _ => NistObjectIdentifiers.IdSha512,
    };
}
