namespace ManagedTls.Ssl;

/// <content>TLS 1.2 renegotiation and asking for a client certificate after the handshake, waiting for the answer.</content>
public partial class SslSocket
{
    /// <summary>
    /// Renegotiates a TLS 1.2 connection (a .NET extra; OpenSSL's <c>SSL_renegotiate</c> then <c>SSL_do_handshake</c>)
    /// and returns once the new handshake completed. Application data the peer sends meanwhile is kept for the next
    /// read. Not to be called while a read is in progress on another thread.
    /// </summary>
    /// <exception cref="SslException">As <see cref="SslObject.Renegotiate"/>; <c>NO_RENEGOTIATION</c> when the peer
    /// refuses (the connection stays usable).</exception>
    public void Renegotiate() =>
        Run(_channel.PostHandshakeAsync(Adapter(SocketOperation.Handshake), static ssl => ssl.StartRenegotiation(requestClientCertificate: false)));

    /// <summary>
    /// Server: asks for the client's certificate after the handshake and returns once the client answered, as SslStream's
    /// <c>NegotiateClientCertificateAsync</c>: TLS 1.3 post-handshake authentication, or on TLS 1.2 a renegotiation with a
    /// CertificateRequest (see <see cref="SslObject.VerifyClientPostHandshake"/>). Then <see cref="GetPeerCert"/> returns
    /// the client's certificate, or null when it sent none.
    /// </summary>
    /// <exception cref="SslException">As <see cref="SslObject.VerifyClientPostHandshake"/>.</exception>
    public void NegotiateClientCertificate() =>
        Run(_channel.PostHandshakeAsync(Adapter(SocketOperation.Handshake), static ssl => ssl.VerifyClientPostHandshake()));

    /// <summary>How many TLS 1.2 renegotiations completed on this connection (see <see cref="SslObject.RenegotiationCount"/>).</summary>
    public int RenegotiationCount => _channel.Ssl.RenegotiationCount;

    /// <summary>Starts a renegotiation without waiting for its end (openssl's <c>R</c> command); the next reads complete it.</summary>
    /// <param name="requestClientCertificate">Server: ask for the client's certificate in the new handshake.</param>
    internal void StartRenegotiation(bool requestClientCertificate) =>
        Run(_channel.SendAsync(Adapter(SocketOperation.Write), ssl => ssl.StartRenegotiation(requestClientCertificate)));
}
