using Org.BouncyCastle.Asn1;

namespace ManagedTls.X509.Store;

/// <summary>
/// The fields of a certificate the trust store and the <c>getpeercert()</c> decoder need, read straight from
/// the ASN.1 so names keep their encoded order and unusual attribute values survive.
/// </summary>
/// <remarks>
/// <code>
/// Certificate  ::=  SEQUENCE  {
///      tbsCertificate       TBSCertificate,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
///
/// TBSCertificate  ::=  SEQUENCE  {
///      version         [0]  EXPLICIT Version DEFAULT v1,
///      serialNumber         CertificateSerialNumber,
///      signature            AlgorithmIdentifier,
///      issuer               Name,
///      validity             Validity,
///      subject              Name,
///      subjectPublicKeyInfo SubjectPublicKeyInfo,
///      issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
///      subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
///      extensions      [3]  EXPLICIT Extensions OPTIONAL }
///
/// Extension  ::=  SEQUENCE  {
///      extnID      OBJECT IDENTIFIER,
///      critical    BOOLEAN DEFAULT FALSE,
///      extnValue   OCTET STRING }
/// </code>
/// </remarks>
internal sealed class RawCertificate
{
    private readonly List<(string Oid, bool Critical, byte[] Value)> _extensions = new();

    private RawCertificate(byte[] der)
    {
        Der = der;
    }

    /// <summary>The certificate's DER encoding.</summary>
    public byte[] Der { get; }

    /// <summary>X.509 version field as encoded (0 = v1, 2 = v3).</summary>
    public int Version { get; private set; }

    /// <summary>The serialNumber INTEGER's content octets (two's complement, as encoded).</summary>
    public byte[] SerialContent { get; private set; } = Array.Empty<byte>();

    /// <summary>The issuer Name.</summary>
    public Asn1Sequence Issuer { get; private set; } = null!;

    /// <summary>The subject Name.</summary>
    public Asn1Sequence Subject { get; private set; } = null!;

    /// <summary>DER of the issuer Name.</summary>
    public byte[] IssuerDer { get; private set; } = Array.Empty<byte>();

    /// <summary>DER of the subject Name.</summary>
    public byte[] SubjectDer { get; private set; } = Array.Empty<byte>();

    /// <summary>notBefore (UTCTime or GeneralizedTime object).</summary>
    public Asn1Object NotBefore { get; private set; } = null!;

    /// <summary>notAfter (UTCTime or GeneralizedTime object).</summary>
    public Asn1Object NotAfter { get; private set; } = null!;

    /// <summary>Extensions in certificate order.</summary>
    public IReadOnlyList<(string Oid, bool Critical, byte[] Value)> Extensions => _extensions;

    /// <summary>Parses a DER certificate; throws <see cref="TlsAlertException"/> (bad_certificate) when malformed.</summary>
    public static RawCertificate Parse(byte[] der)
    {
        try
        {
            var cert = new RawCertificate(der);
            cert.Read();
            return cert;
        }
        catch (TlsAlertException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            throw new TlsAlertException(AlertDescription.BadCertificate, "malformed certificate: " + e.Message, e);
        }
    }

    /// <summary>The first extension with this OID, or null. OpenSSL's lookups refuse duplicates; see <see cref="CountExtensions"/>.</summary>
    public byte[]? FindExtension(string oid)
    {
        foreach (var e in _extensions)
        {
            if (e.Oid == oid)
            {
                return e.Value;
            }
        }

        return null;
    }

    /// <summary>How many extensions carry this OID.</summary>
    public int CountExtensions(string oid) => _extensions.Count(e => e.Oid == oid);

    private void Read()
    {
        var outer = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(Der));
        if (outer.Count != 3)
        {
            throw new TlsAlertException(AlertDescription.BadCertificate, "certificate is not a 3-element SEQUENCE");
        }

        var tbs = Asn1Sequence.GetInstance(outer[0]);
        int i = 0;
        if (tbs[0] is Asn1TaggedObject versionTag && versionTag.TagNo == 0)
        {
            Version = DerInteger.GetInstance(versionTag, true).IntValueExact;
            i = 1;
        }

        SerialContent = IntegerContent(DerInteger.GetInstance(tbs[i]));
        Issuer = Asn1Sequence.GetInstance(tbs[i + 2]);
        IssuerDer = Issuer.GetEncoded(Asn1Encodable.Der);
        var validity = Asn1Sequence.GetInstance(tbs[i + 3]);
        NotBefore = validity[0].ToAsn1Object();
        NotAfter = validity[1].ToAsn1Object();
        Subject = Asn1Sequence.GetInstance(tbs[i + 4]);
        SubjectDer = Subject.GetEncoded(Asn1Encodable.Der);
        _ = Asn1Sequence.GetInstance(tbs[i + 5]);
        for (int j = i + 6; j < tbs.Count; j++)
        {
            if (tbs[j] is Asn1TaggedObject tagged && tagged.TagNo == 3)
            {
                var exts = Asn1Sequence.GetInstance(tagged, true);
                foreach (Asn1Encodable e in exts)
                {
                    var ext = Asn1Sequence.GetInstance(e);
                    string oid = DerObjectIdentifier.GetInstance(ext[0]).Id;
                    bool critical = ext.Count == 3 && DerBoolean.GetInstance(ext[1]).IsTrue;
                    byte[] value = Asn1OctetString.GetInstance(ext[ext.Count - 1]).GetOctets();
                    _extensions.Add((oid, critical, value));
                }
            }
        }
    }

    private static byte[] IntegerContent(DerInteger value) => ContentOctets(value);

    /// <summary>The content octets of a primitive, single-byte-tag object: its DER without tag and length.</summary>
    public static byte[] ContentOctets(Asn1Encodable value)
    {
        byte[] enc = value.GetEncoded(Asn1Encodable.Der);
        int len = enc[1];
        int offset = 2;
        if ((len & 0x80) != 0)
        {
            offset += len & 0x7f;
        }

        return enc.AsSpan(offset).ToArray();
    }
}
