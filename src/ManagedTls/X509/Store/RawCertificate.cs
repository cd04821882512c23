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
    public DerNode Issuer { get; private set; }

    /// <summary>The subject Name.</summary>
    public DerNode Subject { get; private set; }

    /// <summary>DER of the issuer Name, as encoded.</summary>
    public byte[] IssuerDer { get; private set; } = Array.Empty<byte>();

    /// <summary>DER of the subject Name, as encoded.</summary>
    public byte[] SubjectDer { get; private set; } = Array.Empty<byte>();

    /// <summary>notBefore (UTCTime or GeneralizedTime element).</summary>
    public DerNode NotBefore { get; private set; }

    /// <summary>notAfter (UTCTime or GeneralizedTime element).</summary>
    public DerNode NotAfter { get; private set; }

    /// <summary>Extensions in certificate order.</summary>
    public IReadOnlyList<(string Oid, bool Critical, byte[] Value)> Extensions => _extensions;

    /// <summary>Parses a DER certificate; throws <see cref="TlsAlertException"/> (bad_certificate) when malformed.</summary>
    public static RawCertificate Parse(byte[] der)
    {
        var cert = new RawCertificate(der ?? throw new ArgumentNullException(nameof(der)));
        cert.Read();
        return cert;
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
        var outer = DerNode.Parse(Der).Sequence();
        if (outer.Count != 3)
        {
            throw DerNode.Bad("certificate is not a 3-element SEQUENCE");
        }

        var tbs = outer[0].Sequence();
        int i = 0;
        if (tbs.Count > 0 && tbs[0].IsContext && tbs[0].TagNumber == 0)
        {
            var v = tbs[0].Explicit();
            if (!v.Is(2) || v.Length != 1)
            {
                throw DerNode.Bad("bad version");
            }

            Version = v.Content[0];
            i = 1;
        }

        if (tbs.Count < i + 6)
        {
            throw DerNode.Bad("TBSCertificate too short");
        }

        if (!tbs[i].Is(2) || tbs[i].Length == 0)
        {
            throw DerNode.Bad("bad serialNumber");
        }

        SerialContent = tbs[i].ContentBytes();
        tbs[i + 1].Sequence();
        Issuer = tbs[i + 2];
        IssuerDer = Issuer.Encoded();
        NameRdns(Issuer);
        var validity = tbs[i + 3].Sequence();
        if (validity.Count != 2)
        {
            throw DerNode.Bad("bad validity");
        }

        NotBefore = validity[0];
        NotAfter = validity[1];
        Subject = tbs[i + 4];
        SubjectDer = Subject.Encoded();
        NameRdns(Subject);
        tbs[i + 5].Sequence();
        for (int j = i + 6; j < tbs.Count; j++)
        {
            if (tbs[j].IsContext && tbs[j].TagNumber == 3)
            {
                foreach (DerNode e in tbs[j].Explicit().Sequence())
                {
                    var ext = e.Sequence();
                    if (ext.Count is < 2 or > 3)
                    {
                        throw DerNode.Bad("bad extension");
                    }

                    string oid = ext[0].Oid();
                    bool critical = ext.Count == 3 && ext[1].Boolean();
                    if (!ext[ext.Count - 1].Is(4))
                    {
                        throw DerNode.Bad("extension value is not an OCTET STRING");
                    }

                    _extensions.Add((oid, critical, ext[ext.Count - 1].ContentBytes()));
                }
            }
        }
    }

    /// <summary>
    /// A Name's RDNs, each a list of (type OID node, value node), checked for shape.
    /// <code>
    /// Name ::= SEQUENCE OF RelativeDistinguishedName
    /// RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
    /// AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
    /// </code>
    /// </summary>
    public static List<List<(DerNode Type, DerNode Value)>> NameRdns(DerNode name)
    {
        var result = new List<List<(DerNode Type, DerNode Value)>>();
        foreach (DerNode rdn in name.Sequence())
        {
            var entries = new List<(DerNode Type, DerNode Value)>();
            foreach (DerNode atv in rdn.Sequence(17))
            {
                var pair = atv.Sequence();
                if (pair.Count != 2)
                {
                    throw DerNode.Bad("AttributeTypeAndValue must have two elements");
                }

                pair[0].Oid();
                entries.Add((pair[0], pair[1]));
            }

            result.Add(entries);
        }

        return result;
    }
}
