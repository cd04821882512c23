using ManagedTls.X509.Validation;

namespace ManagedTls.X509;

/// <summary>
/// X.509 certification path validation: builds a path from the peer's leaf to a trust anchor through the
/// supplied intermediates and validates it under RFC 5280 (and, with <see cref="VerifyFlags.VerifyX509Strict"/>,
/// the CA/Browser Forum profile), checks the peer name, and reports failures with OpenSSL's verify codes.
/// </summary>
public static class CertificateVerifier
{
    /// <summary>Verifies a peer certificate chain. Never throws for malformed certificates: they fail verification.</summary>
    /// <param name="request">The chain, trust anchors, time, purpose, name and flags.</param>
    /// <returns>The verified chain, or the OpenSSL error code, text and depth.</returns>
    public static VerifyResult Verify(VerifyRequest request)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        try
        {
            return new PathSearch(request).Run();
        }
        catch (Exception e) when (e is IOException or ArithmeticException or ArgumentException or InvalidCastException or FormatException or Org.BouncyCastle.Asn1.Asn1Exception)
        {
            // Decoding is guarded where certificates and CRLs are read; this catches what a hostile encoding
            // might still raise deeper inside BouncyCastle's ASN.1 classes, so it fails verification instead.
            return new VerifyResult([], VerifyError.Unspecified, 0, "malformed input: " + e.Message);
        }
    }

    /// <summary>
    /// Checks only that <paramref name="leafDer"/> carries <paramref name="name"/> (the host name or IP match of a
    /// full verification, with the same rules); <see cref="VerifyError.Ok"/> when it does. For a session resumed under
    /// a host name other than the one it was verified for. A certificate that does not parse does not match.
    /// </summary>
    internal static VerifyError CheckName(byte[] leafDer, PeerName name, bool hostnameChecksCommonName)
    {
        try
        {
            Cert leaf = Cert.Parse(leafDer);
            return leaf.Fatal is null ? HostMatcher.Check(leaf, name, hostnameChecksCommonName) : VerifyError.Unspecified;
        }
        catch (Exception e) when (e is IOException or ArithmeticException or ArgumentException or InvalidCastException or FormatException or Org.BouncyCastle.Asn1.Asn1Exception)
        {
            return VerifyError.Unspecified;
        }
    }
}
