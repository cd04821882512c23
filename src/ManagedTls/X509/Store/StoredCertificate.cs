namespace ManagedTls.X509.Store;

/// <summary>A certificate held by the store, with what lookups and statistics need precomputed.</summary>
internal sealed class StoredCertificate
{
    private const string BasicConstraints = "2.5.29.19";
    private const string KeyUsage = "2.5.29.15";
    private const string NetscapeCertType = "2.16.840.1.113730.1.1";
    private const string AuthorityKeyIdentifier = "2.5.29.35";
    private const string SubjectKeyIdentifier = "2.5.29.14";

    private StoredCertificate(byte[] der, byte[] subjectCanonical, bool isCa)
    {
        Der = der;
        SubjectCanonical = subjectCanonical;
        IsCa = isCa;
    }

    /// <summary>The DER certificate.</summary>
    public byte[] Der { get; }

    /// <summary>OpenSSL canonical encoding of the subject.</summary>
    public byte[] SubjectCanonical { get; }

    /// <summary>Whether OpenSSL's <c>X509_check_ca</c> would call it a CA.</summary>
    public bool IsCa { get; }

    /// <summary>Insertion order, the tie-break among equal subjects.</summary>
    public long Sequence { get; set; }

    /// <summary>Parses and classifies; throws <see cref="TlsAlertException"/> when the certificate is malformed.</summary>
    public static StoredCertificate Create(byte[] der)
    {
        var cert = RawCertificate.Parse(der);
        byte[] subject = X509NameHash.Canonical(cert.Subject);
        return new StoredCertificate(der, subject, CheckCa(cert, subject));
    }

    /// <summary>
    /// OpenSSL's <c>X509_check_ca</c>: a keyUsage without keyCertSign says no; basicConstraints decides when
    /// present; otherwise a self-signed v1 certificate, a keyUsage with keyCertSign, or a Netscape CA cert type
    /// says yes. Extensions that do not parse make the certificate invalid, hence not a CA.
    /// </summary>
    internal static bool CheckCa(RawCertificate cert, byte[] subjectCanonical)
    {
        try
        {
            foreach (string oid in new[] { BasicConstraints, KeyUsage, NetscapeCertType, AuthorityKeyIdentifier, SubjectKeyIdentifier })
            {
                if (cert.CountExtensions(oid) > 1)
                {
                    return false;
                }
            }

            byte[]? ku = cert.FindExtension(KeyUsage);
            if (ku is not null)
            {
                byte[] bits = DerNode.Parse(ku).BitStringBytes();
                int usage = (bits.Length > 0 ? bits[0] : 0) | (bits.Length > 1 ? bits[1] << 8 : 0);
                if ((usage & 0x04) == 0)
                {
                    return false;
                }
            }

            byte[]? bc = cert.FindExtension(BasicConstraints);
            if (bc is not null)
            {
                var seq = DerNode.Parse(bc).Sequence();
                return seq.Count > 0 && seq[0].Is(1) && seq[0].Boolean();
            }

            if (cert.Version == 0 && X509NameHash.Canonical(cert.Issuer).AsSpan().SequenceEqual(subjectCanonical))
            {
                return true;
            }

            if (ku is not null)
            {
                return true;
            }

            byte[]? ns = cert.FindExtension(NetscapeCertType);
            if (ns is not null)
            {
                byte[] bits = DerNode.Parse(ns).BitStringBytes();
                return bits.Length > 0 && (bits[0] & 0x07) != 0;
            }

            return false;
        }
        catch (TlsAlertException)
        {
            return false;
        }
    }
}
