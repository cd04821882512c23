namespace ManagedTls.Ssl;

/// <content>Negotiated details beyond Python's <c>ssl</c> module: the key-exchange group and the signature scheme.</content>
public sealed partial class SslSocket
{
    /// <summary>The key-exchange group's IANA name (<c>"x25519"</c>, <c>"secp256r1"</c>...); see <see cref="SslObject.Group"/>.</summary>
    /// <returns>The group name, or null before the handshake completes.</returns>
    public string? Group() => _channel.Ssl.Group();

    /// <summary>The server's signature scheme by IANA name (<c>"ecdsa_secp256r1_sha256"</c>...); see <see cref="SslObject.SignatureScheme"/>.</summary>
    /// <returns>The scheme name, or null before the handshake completes.</returns>
    public string? SignatureScheme() => _channel.Ssl.SignatureScheme();
}
