using ManagedTls.Wire;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Tls12;

/// <summary>
/// A completed TLS 1.2 handshake carrying application data. TLS 1.2 has no KeyUpdate; new keys come from a
/// renegotiation (decision 0024), which either side may start: the client with a new ClientHello, the server with a
/// HelloRequest. A request from the peer is refused with a no_renegotiation warning (RFC 5746 section 4.2 and 4.4
/// allow refusing), and the connection goes on, when <see cref="TlsConfig.RefuseRenegotiation"/> is set, when secure
/// renegotiation was not negotiated and <see cref="TlsConfig.AllowUnsafeLegacyRenegotiation"/> is clear, on a server
/// for a client's request unless <see cref="TlsConfig.AllowClientRenegotiation"/>, and past
/// <see cref="RenegotiationLimits"/>.
/// </summary>
/// <param name="secure">Secure renegotiation (RFC 5746) was negotiated in the handshake that led here.</param>
internal sealed class Tls12Traffic(bool secure) : TrafficState
{
    private bool _helloRequestSent;
    private bool _requestClientCertificate;

    /// <summary>Server: true while a HelloRequest we sent waits for the client's ClientHello.</summary>
    public bool HelloRequestPending => _helloRequestSent;

    /// <summary>Server: true while a HelloRequest asking for the client's certificate waits for its answer.</summary>
    public override bool ClientAuthPending => _helloRequestSent && _requestClientCertificate;

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        switch ((HandshakeType)encoded[0])
        {
            case HandshakeType.HelloRequest when cx.IsClient:
                Parse(encoded);
                return Admit(cx) ? Tls12Renegotiation.StartClient(cx, secure) : Refuse(cx);
            case HandshakeType.ClientHello when !cx.IsClient:
                if (_helloRequestSent)
                {
                    _helloRequestSent = false;
                    return Tls12Renegotiation.AcceptClientHello(cx, encoded, secure, _requestClientCertificate);
                }

                return cx.Settings.AllowClientRenegotiation && Admit(cx)
                    ? Tls12Renegotiation.AcceptClientHello(cx, encoded, secure, requestClientCertificate: false)
                    : Refuse(cx);
            default:
                throw Unexpected(encoded);
        }
    }

    /// <summary>
    /// Starts a renegotiation from our side: a client sends its new ClientHello and returns the state waiting for the
    /// ServerHello; a server sends HelloRequest (not part of any transcript) and stays here until the client's hello,
    /// asking then for the client's certificate when <paramref name="requestClientCertificate"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Renegotiation is refused by our settings or not secure, or a
    /// HelloRequest is already pending.</exception>
    public HandshakeState Renegotiate(HandshakeContext cx, bool requestClientCertificate)
    {
        if (!Tls12Renegotiation.Permitted(cx, secure))
        {
            throw new InvalidOperationException(cx.Settings.RefuseRenegotiation
                ? "renegotiation is disabled (NoRenegotiation)"
                : "secure renegotiation (RFC 5746) was not negotiated, and unsafe legacy renegotiation is not allowed");
        }

        if (cx.IsClient)
        {
            return Tls12Renegotiation.StartClient(cx, secure);
        }

        if (_helloRequestSent)
        {
            throw new InvalidOperationException("a HelloRequest is already waiting for the client's answer");
        }

        cx.Records.QueueHandshake(new HelloRequest().Encode());
        _helloRequestSent = true;
        _requestClientCertificate = requestClientCertificate;
        return this;
    }

    /// <summary>Server: the client answered our HelloRequest with a no_renegotiation warning; nothing is pending any more.</summary>
    public void PeerRefusedRenegotiation()
    {
        _helloRequestSent = false;
        _requestClientCertificate = false;
    }

    /// <summary>TLS 1.2 has no KeyUpdate.</summary>
    public override void UpdateWriteKeys(HandshakeContext cx, bool requestPeerUpdate) =>
        throw new InvalidOperationException("TLS 1.2 has no KeyUpdate");

    /// <summary>Server: asks for a client certificate after the handshake by renegotiating with a CertificateRequest.</summary>
    public override void RequestClientAuth(HandshakeContext cx) => Renegotiate(cx, requestClientCertificate: true);

    // A renegotiation the peer starts: permitted by our settings and within the rate limit.
    private bool Admit(HandshakeContext cx) =>
        Tls12Renegotiation.Permitted(cx, secure) && cx.Renegotiations.TryAdmitPeerStarted(cx.Settings.Clock());

    private HandshakeState Refuse(HandshakeContext cx)
    {
        if (!cx.Records.IsClosedForWriting)
        {
            cx.Records.SendWarningAlert(AlertDescription.NoRenegotiation);
        }

        return this;
    }

    private static void Parse(ReadOnlySpan<byte> encoded) => HandshakeMessage.Read(encoded, WireContext.Tls12());
}
