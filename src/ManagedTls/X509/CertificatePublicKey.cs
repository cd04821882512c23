using ManagedTls.Crypto;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.X509;

/// <summary>The subject public key of a DER certificate, for checking a handshake signature made with it.</summary>
internal static class CertificatePublicKey
{
    /// <summary>
    /// Parses <paramref name="certificateDer"/> and returns its subject public key. A certificate or key that
    /// does not parse is <c>bad_certificate</c>; a key algorithm we do not implement is <c>unsupported_certificate</c>.
    /// </summary>
    public static PublicKey FromCertificate(byte[] certificateDer)
    {
        X509CertificateStructure structure;
        try
        {
            structure = X509CertificateStructure.GetInstance(certificateDer);
        }
        catch (Exception e) when (e is not TlsAlertException)
        {
            throw new TlsAlertException(AlertDescription.BadCertificate, "the peer certificate does not parse", e);
        }

        try
        {
            return PublicKey.FromSubjectPublicKeyInfo(structure.SubjectPublicKeyInfo);
        }
        catch (TlsAlertException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new TlsAlertException(AlertDescription.UnsupportedCertificate, "the peer certificate's public key is not usable", e);
        }
    }
}
