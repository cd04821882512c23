using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Math;

namespace ManagedTls.X509.Validation;

/// <summary>A problem found in one certificate while decoding it: an OpenSSL code and a reason.</summary>
internal readonly record struct CertProblem(VerifyError Code, string? Reason);

/// <summary>
/// One decoded certificate with the fields and extensions validation reads. Decoding never throws: a
/// structural problem is recorded in <see cref="Fatal"/> (the certificate is unusable) and a rule violation
/// in <see cref="StrictProblems"/> or <see cref="Problems"/>.
/// </summary>
/// <remarks>
/// Certificate  ::=  SEQUENCE  { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
/// TBSCertificate  ::=  SEQUENCE  { version [0] EXPLICIT Version DEFAULT v1, serialNumber CertificateSerialNumber,
///      signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name, subjectPublicKeyInfo SubjectPublicKeyInfo,
///      issuerUniqueID [1] IMPLICIT UniqueIdentifier OPTIONAL, subjectUniqueID [2] IMPLICIT UniqueIdentifier OPTIONAL,
///      extensions [3] EXPLICIT Extensions OPTIONAL }
/// </remarks>
internal sealed class Cert
{
    private AsymmetricKeyParameter? _key;
    private string? _keyRefusal;
    private bool _keyTried;

    private Cert(byte[] der)
    {
        Der = der;
    }

    public byte[] Der { get; }

    /// <summary>The certificate's identity in a path search (its DER in hex), made once per parsed certificate.</summary>
    public string DerKey => _derKey ??= ManagedTls.Crypto.CryptoUtil.ToHex(Der);

    private string? _derKey;

    public CertProblem? Fatal { get; private set; }

    /// <summary>Violations checked only under <see cref="VerifyFlags.VerifyX509Strict"/>.</summary>
    public List<CertProblem> StrictProblems { get; } = [];

    /// <summary>Violations that always fail the certificate.</summary>
    public List<CertProblem> Problems { get; } = [];

    public byte[] TbsDer { get; private set; } = [];

    public AlgorithmIdentifier SignatureAlgorithm { get; private set; } = null!;

    public byte[] Signature { get; private set; } = [];

    public int Version { get; private set; }

    public BigInteger Serial { get; private set; } = BigInteger.Zero;

    public X509Name Issuer { get; private set; } = null!;

    public X509Name Subject { get; private set; } = null!;

    public string IssuerKey { get; private set; } = "";

    public string SubjectKey { get; private set; } = "";

    public bool SubjectEmpty { get; private set; }

    public DateTime NotBefore { get; private set; }

    public DateTime NotAfter { get; private set; }

    public SubjectPublicKeyInfo PublicKeyInfo { get; private set; } = null!;

    public bool SelfIssued => IssuerKey == SubjectKey;

    public CertExtensions Ext { get; private set; } = null!;

    /// <summary>Decodes a certificate; never throws.</summary>
    public static Cert Parse(byte[] der)
    {
        var c = new Cert(der);
        try
        {
            c.Decode();
        }
        catch (Exception e) when (e is IOException or ArithmeticException or ArgumentException or InvalidCastException or InvalidOperationException or FormatException or OverflowException or Asn1Exception)
        {
            c.Fatal = new CertProblem(VerifyError.Unspecified, "malformed certificate: " + e.Message);
        }

        return c;
    }

    private void Decode()
    {
        var outer = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(Der));
        if (outer.Count != 3)
        {
            throw new FormatException("Certificate is not a sequence of three");
        }

        TbsDer = outer[0].GetEncoded(Asn1Encodable.Der);
        SignatureAlgorithm = AlgorithmIdentifier.GetInstance(outer[1]);
        var sigBits = DerBitString.GetInstance(outer[2]);
        if (sigBits.PadBits != 0)
        {
            throw new FormatException("signature has unused bits");
        }

        Signature = sigBits.GetOctets();
        if (!CryptoUtilEquals(outer.GetEncoded(Asn1Encodable.Der), Der))
        {
            StrictProblems.Add(new(VerifyError.Unspecified, "certificate is not DER encoded"));
        }

        var tbs = Asn1Sequence.GetInstance(outer[0]);
        int i = 0;
        Version = 1;
        if (tbs[i] is Asn1TaggedObject vt && vt.TagNo == 0 && vt.TagClass == Asn1Tags.ContextSpecific)
        {
            Version = DerInteger.GetInstance(vt, true).IntValueExact + 1;
            i++;
        }

        Serial = DerInteger.GetInstance(tbs[i++]).Value;
        var innerAlg = AlgorithmIdentifier.GetInstance(tbs[i++]);
        if (!innerAlg.Equals(SignatureAlgorithm))
        {
            Problems.Add(new(VerifyError.SignatureAlgorithmInconsistency, "tbsCertificate.signature differs from signatureAlgorithm"));
        }

        Issuer = X509Name.GetInstance(tbs[i++]);
        var validity = Asn1Sequence.GetInstance(tbs[i++]);
        if (validity.Count != 2)
        {
            throw new FormatException("bad Validity");
        }

        NotBefore = Time.GetInstance(validity[0]).ToDateTime().ToUniversalTime();
        NotAfter = Time.GetInstance(validity[1]).ToDateTime().ToUniversalTime();
        Subject = X509Name.GetInstance(tbs[i++]);
        PublicKeyInfo = SubjectPublicKeyInfo.GetInstance(tbs[i++]);
        Asn1Sequence? extSeq = null;
        for (; i < tbs.Count; i++)
        {
            var t = Asn1TaggedObject.GetInstance(tbs[i]);
            if (t.TagNo == 3)
            {
                extSeq = Asn1Sequence.GetInstance(t, true);
            }
            else if (t.TagNo is not (1 or 2))
            {
                throw new FormatException("unexpected field in TBSCertificate");
            }
        }

        IssuerKey = NameKey.Of(Issuer);
        SubjectKey = NameKey.Of(Subject);
        SubjectEmpty = Asn1Sequence.GetInstance(Subject.ToAsn1Object()).Count == 0;
        Ext = CertExtensions.Parse(extSeq, this);
        CheckBasics();
    }

    private void CheckBasics()
    {
        if (Version is < 1 or > 3)
        {
            throw new FormatException("unknown certificate version");
        }

        if (Version != 3)
        {
            StrictProblems.Add(new(VerifyError.ExtensionsRequireVersion3, "certificate is not version 3"));
        }

        if (Serial.ToByteArray().Length > 20)
        {
            StrictProblems.Add(new(VerifyError.InvalidExtension, "serial number longer than 20 octets"));
        }

        if (Asn1Sequence.GetInstance(Issuer.ToAsn1Object()).Count == 0)
        {
            StrictProblems.Add(new(VerifyError.IssuerNameEmpty, "empty issuer"));
        }
    }

    /// <summary>
    /// The public key, or null when it cannot be decoded or is refused (see <see cref="PublicKeyRefusal"/>). Only the
    /// numbers of the key are read; no arithmetic is done with them here.
    /// </summary>
    public AsymmetricKeyParameter? PublicKey
    {
        get
        {
            // A trust anchor's Cert is shared by the verifications of many connections (ParsedAnchors), so the key is
            // published only once decoded: a second thread either decodes it too (the same result) or sees it whole.
            if (!Volatile.Read(ref _keyTried))
            {
                AsymmetricKeyParameter? key = DecodeKey(out string? refusal);
                _key = key;
                _keyRefusal = refusal;
                Volatile.Write(ref _keyTried, true);
            }

            return _key;
        }
    }

    /// <summary>
    /// Why <see cref="PublicKey"/> is null when the key is well formed but refused: an algorithm this verifier does not
    /// implement, or an RSA key outside <see cref="ManagedTls.Crypto.RsaKeyLimits"/>. Null when the key decoded or is malformed.
    /// </summary>
    public string? PublicKeyRefusal
    {
        get
        {
            _ = PublicKey;
            return _keyRefusal;
        }
    }

    /// <summary>
    /// What checking a signature with this certificate's key costs, in units of one RSA-2048 verification: an RSA
    /// modulus of n bits costs (n / 2048)^2 (a public-exponent ModPow is quadratic in the modulus), rounded up, so a
    /// 16384-bit key costs 64; every other key (elliptic curves, EdDSA, or one that does not decode) costs 1.
    /// </summary>
    public int VerifyCost => PublicKey is RsaPublicKey rsa
        ? Math.Max(1, (int)Math.Ceiling(Math.Pow(rsa.Modulus.BitLength / 2048.0, 2)))
        : 1;

    private AsymmetricKeyParameter? DecodeKey(out string? refusal)
    {
        refusal = null;
        try
        {
            switch (PublicKeyInfo.Algorithm.Algorithm.Id)
            {
                case "1.2.840.113549.1.1.1": // rsaEncryption
                case "1.2.840.113549.1.1.10": // id-RSASSA-PSS
                    return RsaPublicKey.From(PublicKeyInfo);
                case "1.2.840.10040.4.1": // id-dsa
                    return DsaKeyInfo.From(PublicKeyInfo);
                case "1.2.840.10045.2.1": // id-ecPublicKey
                case "1.3.101.112": // id-Ed25519
                case "1.3.101.113": // id-Ed448
                    // From the process-wide cache of parsed keys, so a trust anchor or a server seen again is the same
                    // object and BouncyCastle's precomputed point tables are built once, not per handshake.
                    return ManagedTls.Crypto.PublicKey.FromSubjectPublicKeyInfo(PublicKeyInfo).Parameters;
                default:
                    refusal = "unsupported public key algorithm " + PublicKeyInfo.Algorithm.Algorithm.Id;
                    return null;
            }
        }
        catch (ManagedTls.Crypto.KeyFormatException e) when (e.Reason == ManagedTls.Crypto.KeyFormatError.OutOfBounds)
        {
            refusal = e.Message;
            return null;
        }
        catch (ManagedTls.Crypto.KeyFormatException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or ArithmeticException or ArgumentException or InvalidCastException or InvalidOperationException or FormatException or Asn1Exception)
        {
            return null;
        }
    }

    private static bool CryptoUtilEquals(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);
}
