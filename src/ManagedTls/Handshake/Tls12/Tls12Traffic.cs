using ManagedTls.Wire;

namespace ManagedTls.Handshake.Tls12;

/// <summary>
/// A completed TLS 1.2 handshake carrying application data. TLS 1.2 has no KeyUpdate. A renegotiation request (a
/// HelloRequest to a client, a ClientHello to a server) is refused with a no_renegotiation warning (RFC 5746 section
/// 4.2 and 4.4 allow refusing; OpenSSL 3 refuses a client's by default), and the connection goes on.
/// </summary>
internal sealed class Tls12Traffic : TrafficState
{
    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        switch ((HandshakeType)encoded[0])
        {
            case HandshakeType.HelloRequest when cx.IsClient:
            case HandshakeType.ClientHello when !cx.IsClient:
                if (!cx.Records.IsClosedForWriting)
                {
                    cx.Records.SendWarningAlert(AlertDescription.NoRenegotiation);
                }

                return this;
            default:
                throw Unexpected(encoded);
        }
    }

    /// <summary>TLS 1.2 has no KeyUpdate.</summary>
    public override void UpdateWriteKeys(HandshakeContext cx, bool requestPeerUpdate) =>
        throw new InvalidOperationException("TLS 1.2 has no KeyUpdate");

    /// <summary>Not yet: a TLS 1.2 server asks for a client certificate after the handshake by renegotiating.</summary>
    public override void RequestClientAuth(HandshakeContext cx) =>
        throw new InvalidOperationException("a TLS 1.2 connection asks for a client certificate by renegotiation, which is not available");
}
