namespace ManagedTls.X509;

/// <summary>
/// Certificate verification flags with the values of Python's <c>ssl.VerifyFlags</c> (which are OpenSSL's
/// <c>X509_V_FLAG_*</c> bits).
/// </summary>
[Flags]
public enum VerifyFlags
{
    /// <summary><c>VERIFY_DEFAULT</c>: no revocation checks, standard rules.</summary>
    VerifyDefault = 0,

    /// <summary><c>VERIFY_CRL_CHECK_LEAF</c>: the peer certificate must be checked against a CRL of its issuer.</summary>
    VerifyCrlCheckLeaf = 0x4,

    /// <summary><c>VERIFY_CRL_CHECK_CHAIN</c>: every certificate of the chain must be checked against a CRL.</summary>
    VerifyCrlCheckChain = 0xC,

    /// <summary><c>VERIFY_X509_STRICT</c>: refuse certificates that break the RFC 5280 and CA/Browser Forum encoding rules.</summary>
    VerifyX509Strict = 0x20,

    /// <summary><c>VERIFY_ALLOW_PROXY_CERTS</c>: accepted for compatibility; proxy certificates are not processed.</summary>
    VerifyAllowProxyCerts = 0x40,

    /// <summary><c>VERIFY_X509_TRUSTED_FIRST</c>: when looking for an issuer, try trusted certificates before untrusted ones.</summary>
    VerifyX509TrustedFirst = 0x8000,

    /// <summary><c>VERIFY_X509_PARTIAL_CHAIN</c>: any trusted certificate (not only a self-signed root) is a trust anchor.</summary>
    VerifyX509PartialChain = 0x80000,
}
