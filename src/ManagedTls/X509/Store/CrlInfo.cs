using Org.BouncyCastle.Asn1;

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
    private CrlInfo(byte[] der, byte[] issuerDer)
    {
        Der = der;
        IssuerDer = issuerDer;
    }

    /// <summary>The CRL's DER.</summary>
    public byte[] Der { get; }

    /// <summary>DER of the issuer Name.</summary>
    public byte[] IssuerDer { get; }

    /// <summary>Parses a DER CRL; throws <see cref="CertificateStoreException"/> (ASN1) when malformed.</summary>
    public static CrlInfo Parse(byte[] der)
    {
        try
        {
            var outer = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(der));
            if (outer.Count != 3)
            {
                throw new CertificateStoreException("ASN1", "NESTED_ASN1_ERROR", "nested asn1 error");
            }

            var tbs = Asn1Sequence.GetInstance(outer[0]);
            int i = tbs[0] is DerInteger ? 1 : 0;
            var issuer = Asn1Sequence.GetInstance(tbs[i + 1]);
            return new CrlInfo(der, issuer.GetEncoded(Asn1Encodable.Der));
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new CertificateStoreException("ASN1", "NESTED_ASN1_ERROR", "nested asn1 error", e);
        }
    }
}
