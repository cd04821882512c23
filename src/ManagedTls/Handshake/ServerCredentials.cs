using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Handshake;

/// <summary>
/// The kinds of certificate key a context keeps one chain for, in OpenSSL's slot order (<c>SSL_PKEY_RSA</c>,
/// <c>SSL_PKEY_RSA_PSS_SIGN</c>, <c>SSL_PKEY_ECC</c>, <c>SSL_PKEY_ED25519</c>, <c>SSL_PKEY_ED448</c>). All ECDSA curves
/// share one slot, as in OpenSSL: a P-384 chain replaces a P-256 one.
/// </summary>
internal enum CredentialSlot
{
    /// <summary>rsaEncryption keys: RSA suites (signed and key transport), PKCS#1 and rsa_pss_rsae signatures.</summary>
    Rsa,

    /// <summary>id-RSASSA-PSS keys: RSA suites with rsa_pss_pss signatures only.</summary>
    RsaPss,

    /// <summary>EC keys on any supported curve: ECDSA suites.</summary>
    Ecdsa,

    /// <summary>Ed25519 keys: ECDSA suites in TLS 1.2 (RFC 8422), ed25519 signatures.</summary>
    Ed25519,

    /// <summary>Ed448 keys: as Ed25519.</summary>
    Ed448,
}

/// <summary>A certificate chain (leaf first, DER) and the private key of its leaf.</summary>
/// <param name="Chain">The chain as sent in Certificate.</param>
/// <param name="Key">The leaf's private key.</param>
internal sealed record Credential(IReadOnlyList<byte[]> Chain, PrivateKey Key)
{
    /// <summary>The slot this credential occupies (one per key kind).</summary>
    public CredentialSlot Slot => SlotOf(Key.Kind);

    /// <summary>The slot of a key kind.</summary>
    public static CredentialSlot SlotOf(KeyKind kind) => kind switch
    {
        KeyKind.Rsa => CredentialSlot.Rsa,
        KeyKind.RsaPss => CredentialSlot.RsaPss,
        KeyKind.Ec => CredentialSlot.Ecdsa,
        KeyKind.Ed25519 => CredentialSlot.Ed25519,
        _ => CredentialSlot.Ed448,
    };

    /// <summary>
    /// <paramref name="existing"/> with <paramref name="added"/> in its slot: a chain of a kind already present replaces
    /// that one (as OpenSSL's <c>SSL_CTX_use_certificate</c>), any other is kept; the result is in slot order.
    /// </summary>
    public static IReadOnlyList<Credential> Put(IReadOnlyList<Credential> existing, Credential added) =>
        existing.Where(c => c.Slot != added.Slot).Append(added).OrderBy(c => c.Slot).ToArray();
}

/// <summary>A credential and the signature scheme it signs the handshake with.</summary>
/// <param name="Credential">The chain and key.</param>
/// <param name="Scheme">The scheme (TLS 1.3 CertificateVerify, TLS 1.2 ServerKeyExchange); null for RSA key transport.</param>
internal sealed record CredentialChoice(Credential Credential, SignatureSchemeInfo? Scheme);

/// <summary>
/// Which of a server's credentials answers a ClientHello, as OpenSSL's <c>find_sig_alg</c> and <c>tls_choose_sigalg</c>
/// choose: the shared signature schemes are walked in the client's order (ours with
/// <see cref="TlsConfig.PreferServerCipherSuites"/>, as OpenSSL orders shared sigalgs by the server's list under
/// <c>SSL_OP_CIPHER_SERVER_PREFERENCE</c>), and the first one some credential can make wins, with that credential.
/// </summary>
internal static class ServerCredentials
{
    /// <summary>
    /// TLS 1.3: the credential and CertificateVerify scheme for the client's signature_algorithms
    /// (<paramref name="offered"/>); without any credential <c>handshake_failure</c> (OpenSSL's reason
    /// <c>NO_SHARED_CIPHER</c>, or <c>NO_SUITABLE_SIGNATURE_ALGORITHM</c> when a server-name callback ran, as Python 3.11
    /// on OpenSSL 3.0 reports), and <c>NO_SUITABLE_SIGNATURE_ALGORITHM</c> when no credential can make an offered scheme.
    /// </summary>
    public static CredentialChoice ChooseTls13(TlsConfig s, IReadOnlyList<SignatureScheme> offered)
    {
        IReadOnlyList<Credential> credentials = s.ServerCredentials;
        if (credentials.Count == 0)
        {
            throw NoCertificate(s, tls13: true);
        }

        return Choose(s, credentials, offered, tls13: true, _ => true)
            ?? throw new TlsAlertException(AlertDescription.HandshakeFailure, "no signature scheme a certificate key can make was offered")
            {
                Reason = "NO_SUITABLE_SIGNATURE_ALGORITHM",
            };
    }

    /// <summary>
    /// TLS 1.2: the credential and ServerKeyExchange scheme for suites of authentication <paramref name="authentication"/>
    /// (RSA: rsaEncryption and RSASSA-PSS keys; ECDSA: EC keys whose curve <paramref name="curveFits"/> accepts (one in the
    /// client's supported_groups when it sent one), and EdDSA keys), or null when none fits.
    /// </summary>
    public static CredentialChoice? ChooseTls12Signer(TlsConfig s, IReadOnlyList<SignatureScheme> offered, AuthenticationAlgorithm authentication, Func<Credential, bool> curveFits) =>
        Choose(s, s.ServerCredentials, offered, tls13: false, c => authentication switch
        {
            AuthenticationAlgorithm.Rsa => c.Slot is CredentialSlot.Rsa or CredentialSlot.RsaPss,
            AuthenticationAlgorithm.Ecdsa => c.Slot is CredentialSlot.Ed25519 or CredentialSlot.Ed448 || (c.Slot == CredentialSlot.Ecdsa && curveFits(c)),
            _ => false,
        });

    /// <summary>TLS 1.2 RSA key transport: the rsaEncryption credential, or null.</summary>
    public static CredentialChoice? ChooseRsaKeyTransport(TlsConfig s) =>
        s.ServerCredentials.FirstOrDefault(c => c.Slot == CredentialSlot.Rsa) is { } rsa ? new CredentialChoice(rsa, null) : null;

    /// <summary>
    /// The failure of a server that has no certificate at all once the server-name callback had its say: TLS 1.2
    /// <c>NO_SHARED_CIPHER</c>; TLS 1.3 <c>NO_SHARED_CIPHER</c>, or <c>NO_SUITABLE_SIGNATURE_ALGORITHM</c> when the
    /// configuration has a server-name callback (what Python 3.11 on OpenSSL 3.0 reports in each case); the alert is
    /// handshake_failure in all of them.
    /// </summary>
    public static TlsAlertException NoCertificate(TlsConfig s, bool tls13) =>
        new(AlertDescription.HandshakeFailure, "the server has no certificate")
        {
            Reason = tls13 && s.ServerNameCallback is not null ? "NO_SUITABLE_SIGNATURE_ALGORITHM" : "NO_SHARED_CIPHER",
        };

    private static CredentialChoice? Choose(TlsConfig s, IReadOnlyList<Credential> credentials, IReadOnlyList<SignatureScheme> offered, bool tls13, Func<Credential, bool> usable)
    {
        IEnumerable<SignatureScheme> shared = s.PreferServerCipherSuites
            ? s.SignatureSchemes.Where(offered.Contains)
            : offered.Where(s.SignatureSchemes.Contains);
        foreach (SignatureScheme scheme in shared)
        {
            foreach (Credential c in credentials)
            {
                if (usable(c) && SignatureSchemes.SignableBy(c.Key, [scheme], tls13) is [var info])
                {
                    return new CredentialChoice(c, info);
                }
            }
        }

        return null;
    }
}
