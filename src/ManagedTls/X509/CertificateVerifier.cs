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
    /// Judges this side's own chain (leaf first) against OpenSSL's security level, as <c>SSL_CTX_use_certificate</c> and
    /// <c>SSL_CTX_add0_chain_cert</c> do when a chain is loaded: each certificate's key, then its signature algorithm
    /// unless it is self-signed. Returns the first failure's index and code (<see cref="VerifyError.EeKeyTooSmall"/> for
    /// any key, <see cref="VerifyError.CaMdTooWeak"/> for a digest), or null when the chain passes. Certificates that do
    /// not parse are skipped (they are refused where the chain is read).
    /// </summary>
    internal static (int Index, VerifyError Code)? CheckOwnChainStrength(IReadOnlyList<byte[]> chain, int securityLevel)
    {
        for (int i = 0; i < chain.Count; i++)
        {
            Cert c;
            try
            {
                c = Cert.Parse(chain[i]);
            }
            catch (Exception e) when (e is IOException or ArithmeticException or ArgumentException or InvalidCastException or FormatException or Org.BouncyCastle.Asn1.Asn1Exception)
            {
                continue;
            }

            if (c.Fatal is not null)
            {
                continue;
            }

            if (SignatureCheck.CheckKey(c, securityLevel, out _) is not null)
            {
                return (i, VerifyError.EeKeyTooSmall);
            }

            if (!PathSearch.IsSelfSigned(c) && SignatureCheck.CheckDigest(c.SignatureAlgorithm, securityLevel) is not null)
            {
                return (i, VerifyError.CaMdTooWeak);
            }
        }

        return null;
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
