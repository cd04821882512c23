namespace ManagedTls.X509.Store;

/// <summary>
/// The CRL fields the store needs.
/// <code>
/// CertificateList  ::=  SEQUENCE  {
///      tbsCertList          TBSCertList,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
/// TBSCertList  ::=  SEQUENCE  {
///      version              Version OPTIONAL,
///      signature            AlgorithmIdentifier,
///      issuer               Name,
///      thisUpdate           Time, ... }
/// </code>
/// </summary>
internal sealed class CrlInfo
{
    private CrlInfo(byte[] der, byte[] issuerDer, byte[] issuerCanonical)
    {
        Der = der;
        IssuerDer = issuerDer;
        IssuerCanonical = issuerCanonical;
    }

    /// <summary>The CRL's DER.</summary>
    public byte[] Der { get; }

    /// <summary>DER of the issuer Name.</summary>
    public byte[] IssuerDer { get; }

    /// <summary>OpenSSL canonical encoding of the issuer Name.</summary>
    public byte[] IssuerCanonical { get; }

    /// <summary>Parses a DER CRL; throws <see cref="CertificateStoreException"/> (ASN1) when malformed.</summary>
    public static CrlInfo Parse(byte[] der)
    {
        try
        {
            var outer = DerNode.Parse(der).Sequence();
            if (outer.Count != 3)
            {
                throw new CertificateStoreException("ASN1", "NESTED_ASN1_ERROR", "nested asn1 error");
            }

            var tbs = outer[0].Sequence();
            int i = tbs.Count > 0 && tbs[0].Is(2) ? 1 : 0;
            if (tbs.Count < i + 3)
            {
                throw new CertificateStoreException("ASN1", "NESTED_ASN1_ERROR", "nested asn1 error");
            }

            return new CrlInfo(der, tbs[i + 1].Encoded(), X509NameHash.Canonical(tbs[i + 1]));
        }
        catch (TlsAlertException e)
        {
            throw new CertificateStoreException("ASN1", "NESTED_ASN1_ERROR", "nested asn1 error", e);
        }
    }
}
