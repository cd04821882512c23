using ManagedTls.Crypto;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.X509;

/// <summary>The subject public key of a DER certificate, for checking a handshake signature made with it.</summary>
internal static class CertificatePublicKey
{
    /// <summary>
    /// Parses <paramref name="certificateDer"/> and returns its subject public key. A certificate that does not parse,
    /// or a key outside the bounds of <see cref="RsaKeyLimits"/>, is <c>bad_certificate</c>; a key algorithm or curve
    /// we do not implement (or a key that does not decode) is <c>unsupported_certificate</c>.
    /// </summary>
    public static PublicKey FromCertificate(byte[] certificateDer)
    {
        SubjectPublicKeyInfo spki;
        if (Validation.ParsedCertCache.Find(certificateDer) is { } seen)
        {
            // Parsed before (by a verification of this certificate): its key is read from there, not parsed again.
            spki = seen.PublicKeyInfo;
        }
        else
        {
            try
            {
                spki = X509CertificateStructure.GetInstance(certificateDer).SubjectPublicKeyInfo;
            }
            catch (Exception e) when (e is not TlsAlertException)
            {
                throw new TlsAlertException(AlertDescription.BadCertificate, "the peer certificate does not parse", e);
            }
        }

        try
        {
            return PublicKey.FromSubjectPublicKeyInfo(spki);
        }
        catch (TlsAlertException)
        {
            throw;
        }
        catch (KeyFormatException e) when (e.Reason == KeyFormatError.OutOfBounds)
        {
            // A key of a kind we implement but with numbers no one should accept (an RSA modulus over 16384 bits, an
            // exponent over 2^32) makes the certificate unusable rather than of an unsupported type. OpenSSL reports
            // an unusable peer key as X509_V_ERR_EE_KEY_TOO_SMALL, which ssl_x509err2alert turns into bad_certificate,
            // and rustls sends bad_certificate for a certificate it cannot decode (CertificateError::BadEncoding).
            // The key is refused here, as the Certificate message is read, whether or not verification is on.
            throw new TlsAlertException(AlertDescription.BadCertificate, "the peer certificate's public key is out of bounds: " + e.Message, e);
        }
        catch (Exception e)
        {
            throw new TlsAlertException(AlertDescription.UnsupportedCertificate, "the peer certificate's public key is not usable", e);
        }
    }
}
