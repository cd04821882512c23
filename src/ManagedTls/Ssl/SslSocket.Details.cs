namespace ManagedTls.Ssl;

/// <content>Negotiated details beyond Python 3.11's <c>ssl</c> module: the key-exchange group, the signature schemes, the peer's chain.</content>
public partial class SslSocket
{
    /// <summary>The key-exchange group's IANA name (<c>"x25519"</c>, <c>"secp256r1"</c>...); see <see cref="SslObject.Group"/>.</summary>
    /// <returns>The group name, or null before the handshake completes.</returns>
    public string? Group() => _channel.Ssl.Group();

    /// <summary>The server's signature scheme by IANA name (<c>"ecdsa_secp256r1_sha256"</c>...); see <see cref="SslObject.SignatureScheme"/>.</summary>
    /// <returns>The scheme name, or null before the handshake completes.</returns>
    public string? SignatureScheme() => _channel.Ssl.SignatureScheme();

    /// <summary>Python 3.15's <c>client_sigalg()</c>: the client's signature scheme by IANA name; see <see cref="SslObject.ClientSignatureScheme"/>.</summary>
    /// <returns>The scheme name, or null when the client sent no certificate.</returns>
    public string? ClientSignatureScheme() => _channel.Ssl.ClientSignatureScheme();

    /// <summary>Python 3.13's <c>get_unverified_chain()</c>: the peer's chain, leaf first, as DER; see <see cref="SslObject.GetUnverifiedChain"/>.</summary>
    /// <returns>The certificates; empty before the handshake or without a peer certificate.</returns>
    public IReadOnlyList<byte[]> GetUnverifiedChain() => _channel.Ssl.GetUnverifiedChain();
}
