using ManagedTls.CipherSuites;

namespace ManagedTls.Ssl;

/// <content>Negotiated details Python's <c>ssl</c> module reports only from 3.13 or 3.15 on: the key-exchange group, the signature schemes, the peer's chain.</content>
public partial class SslObject
{
    /// <summary>
    /// The key-exchange group of the handshake, by its IANA name as OpenSSL's <c>SSL_get0_group_name</c> (OpenSSL 3.2+) and
    /// Python 3.15's <c>SSLSocket.group()</c> report it: <c>"x25519"</c>, <c>"secp256r1"</c>, <c>"secp384r1"</c>,
    /// <c>"x448"</c>, <c>"ffdhe2048"</c>, <c>"X25519MLKEM768"</c>. Null before the handshake completes, and after a
    /// resumption without a key exchange (psk_ke).
    /// </summary>
    /// <returns>The group name or null.</returns>
    public string? Group()
    {
        lock (_lock)
        {
            return GroupName();
        }
    }

    /// <summary>
    /// The signature scheme of the server's CertificateVerify, by its IANA name (RFC 8446 section 4.2.3), which is
    /// also how OpenSSL 3.5's <c>SSL_get0_peer_signature_name</c> and Python 3.15's <c>SSLSocket.server_sigalg()</c>
    /// name it: <c>"ecdsa_secp256r1_sha256"</c>, <c>"rsa_pss_rsae_sha256"</c>, <c>"ed25519"</c>. The same on both
    /// sides of the connection. Null before the handshake completes, and after a resumption (no certificate is
    /// signed for).
    /// </summary>
    /// <returns>The scheme name or null.</returns>
    public string? SignatureScheme()
    {
        lock (_lock)
        {
            return SignatureSchemeName();
        }
    }

    /// <summary>
    /// Python 3.15's <c>client_sigalg()</c>: the signature scheme of the client's CertificateVerify, by its IANA name
    /// (<c>"ecdsa_secp384r1_sha384"</c>, <c>"rsa_pss_rsae_sha256"</c>), as OpenSSL 3.5's <c>SSL_get0_peer_signature_name</c>
    /// names it on the server and <c>SSL_get0_signature_name</c> on the client. The same on both sides of the
    /// connection. Null before the handshake completes, when the client sent no certificate, and after a resumption.
    /// </summary>
    /// <returns>The scheme name or null.</returns>
    public string? ClientSignatureScheme()
    {
        lock (_lock)
        {
            if (_disposed || !_conn.IsHandshakeComplete || _conn.ClientSignatureScheme is not { } scheme)
            {
                return null;
            }

            return SignatureSchemes.Find(scheme)?.Name ?? $"0x{(ushort)scheme:x4}";
        }
    }

    /// <summary>
    /// Python 3.13's <c>get_unverified_chain()</c>: the certificate chain the peer sent, leaf first, as DER, whether or not
    /// it was verified (on both sides: Python adds the leaf that OpenSSL leaves out of a server's view). After a
    /// resumption, the chain of the session resumed. Empty before the handshake completes and when the peer sent no
    /// certificate.
    /// </summary>
    /// <returns>Copies of the certificates.</returns>
    public IReadOnlyList<byte[]> GetUnverifiedChain()
    {
        lock (_lock)
        {
            if (_disposed || !_conn.IsHandshakeComplete)
            {
                return Array.Empty<byte[]>();
            }

            return _conn.PeerCertificateChain.Select(c => (byte[])c.Clone()).ToArray();
        }
    }

    private string? GroupName()
    {
        if (_disposed || !_conn.IsHandshakeComplete || _conn.NamedGroup is not { } group)
        {
            return null;
        }

        return KeyExchangeGroups.Find(group)?.Name ?? $"0x{(ushort)group:x4}";
    }

    private string? SignatureSchemeName()
    {
        if (_disposed || !_conn.IsHandshakeComplete || _conn.SignatureScheme is not { } scheme)
        {
            return null;
        }

        return SignatureSchemes.Find(scheme)?.Name ?? $"0x{(ushort)scheme:x4}";
    }
}
