using ManagedTls.Handshake;
using ManagedTls.Wire;

namespace ManagedTls.Ssl;

/// <content>Client authentication after the handshake: TLS 1.3 post-handshake authentication, TLS 1.2 renegotiation.</content>
public partial class SslObject
{
    private bool _postHandshakeRequestSent;

    /// <summary>
    /// Python's <c>verify_client_post_handshake()</c>: a server asks the client for its certificate after the
    /// handshake (TLS 1.3 post-handshake authentication). The CertificateRequest is sent with the next
    /// <see cref="DoHandshake"/>, <see cref="Read(int)"/> or <see cref="Write(byte[])"/>, as OpenSSL does; the client
    /// answers while application data keeps flowing, and once its answer has been read <see cref="GetPeerCert"/>
    /// returns the new certificate. The context must verify peers (<see cref="VerifyMode.CertOptional"/> or
    /// <see cref="VerifyMode.CertRequired"/>; with the latter an empty answer fails with <c>certificate_required</c>),
    /// and the client's context must have <see cref="SslContext.PostHandshakeAuth"/> set. On a TLS 1.2 connection (a .NET
    /// extra: Python and OpenSSL refuse with <c>WRONG_SSL_VERSION</c>) the server renegotiates and asks for the
    /// certificate in the new handshake, as SslStream's <c>NegotiateClientCertificateAsync</c> does; the client must
    /// allow renegotiation (decision 0024).
    /// </summary>
    /// <exception cref="SslException">With OpenSSL's reasons: <c>WRONG_SSL_VERSION</c> (no version negotiated yet),
    /// <c>NOT_SERVER</c> (a client), <c>STILL_IN_INIT</c> (the handshake or an earlier request is not finished),
    /// <c>EXTENSION_NOT_RECEIVED</c> (the client did not offer post_handshake_auth), <c>INVALID_CONFIG</c> (the verify
    /// mode is <see cref="VerifyMode.CertNone"/>).</exception>
    public void VerifyClientPostHandshake()
    {
        lock (_lock)
        {
            RequestClientCertificate();
        }
    }

    private void RequestClientCertificate()
    {
        ThrowIfFailed();
        if (_conn.Version is null)
        {
            throw new SslException("SSL", "WRONG_SSL_VERSION", "wrong ssl version");
        }

        if (!ServerSide)
        {
            throw new SslException("SSL", "NOT_SERVER", "not server");
        }

        if (!_conn.IsHandshakeComplete || _conn.PostHandshakeAuthPending)
        {
            throw new SslException("SSL", "STILL_IN_INIT", "still in init");
        }

        if (_conn.Version == ProtocolVersion.Tls12)
        {
            if (_config.Verification == PeerVerification.None)
            {
                throw new SslException("SSL", "INVALID_CONFIG", "invalid config");
            }

            // TLS 1.2 asks by renegotiating with a CertificateRequest, as SslStream's NegotiateClientCertificateAsync does.
            _postHandshakeRequestSent = false;
            StartRenegotiation(requestClientCertificate: true);
            _renegotiationAwaited = false;
            return;
        }

        if (!_conn.PeerOffersPostHandshakeAuth)
        {
            throw new SslException("SSL", "EXTENSION_NOT_RECEIVED", "extension not received");
        }

        if (_config.Verification == PeerVerification.None)
        {
            throw new SslException("SSL", "INVALID_CONFIG", "invalid config");
        }

        try
        {
            _postHandshakeRequestSent = false;
            _conn.RequestClientCertificatePostHandshake();
        }
        catch (TlsAlertException e)
        {
            throw Translate(e);
        }
    }
}
