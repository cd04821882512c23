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

        return new PathSearch(request).Run();
    }
}
