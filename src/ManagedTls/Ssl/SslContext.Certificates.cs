using ManagedTls.Handshake;

namespace ManagedTls.Ssl;

/// <content>The certificate chains loaded by <see cref="LoadCertChain"/>, one per key type.</content>
public sealed partial class SslContext
{
    /// <summary>
    /// The chain loaded last by <see cref="LoadCertChain"/> (DER copies, leaf first; OpenSSL's current certificate,
    /// <c>SSL_CTX_get0_certificate</c>); empty before any. This is the chain a client presents. With chains of several key
    /// types loaded, a server may serve another one of <see cref="CertificateChains"/>, whichever the client can verify.
    /// </summary>
    public IReadOnlyList<byte[]> CertificateChain => _lastCredential is { } last ? Copy(last.Chain) : Array.Empty<byte[]>();

    /// <summary>
    /// A .NET extra: every chain a server chooses from (DER copies, leaf first), one per key type in OpenSSL's order of
    /// certificate slots: RSA, RSA-PSS, ECDSA (one for all curves: a P-384 chain replaces a P-256 one), Ed25519, Ed448.
    /// TLS 1.3 serves the chain whose key can make the first signature scheme the client offers (in the client's order,
    /// or ours with <see cref="SslOptions.CipherServerPreference"/>, which Python sets by default); TLS 1.2 chooses the
    /// suite first (ECDHE-ECDSA needs an ECDSA or EdDSA chain, ECDHE-RSA an RSA or RSA-PSS one, RSA key transport an RSA
    /// one) and then the chain for it the same way.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<byte[]>> CertificateChains => _credentials.Select(c => Copy(c.Chain)).ToArray();

    private static IReadOnlyList<byte[]> Copy(IReadOnlyList<byte[]> chain) => chain.Select(c => (byte[])c.Clone()).ToArray();
}
