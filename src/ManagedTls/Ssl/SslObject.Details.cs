using ManagedTls.CipherSuites;

namespace ManagedTls.Ssl;

/// <content>Negotiated details Python's <c>ssl</c> module (before 3.15) does not report: the key-exchange group and the signature scheme.</content>
public sealed partial class SslObject
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
