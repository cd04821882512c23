namespace ManagedTls.Ssl;

/// <content>TLS 1.2 renegotiation and a client certificate asked for after the handshake.</content>
public sealed partial class TlsStream
{
    /// <summary>
    /// Renegotiates a TLS 1.2 connection and completes once the new handshake has (see <see cref="SslSocket.Renegotiate"/>).
    /// Application data the peer sends meanwhile is kept for the next read. Not to be run while a read is in progress.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the renegotiation has.</returns>
    /// <exception cref="SslException">As <see cref="SslObject.Renegotiate"/>.</exception>
    public Task RenegotiateAsync(CancellationToken cancellationToken = default) =>
        Channel().PostHandshakeAsync(new AsyncStreamAdapter(_inner, cancellationToken), static ssl => ssl.StartRenegotiation(requestClientCertificate: false));

    /// <summary>
    /// Server: asks for the client's certificate after the handshake, as SslStream's <c>NegotiateClientCertificateAsync</c>
    /// (TLS 1.3 post-handshake authentication, or a TLS 1.2 renegotiation with a CertificateRequest), and completes once
    /// the client answered; the certificate is then <see cref="SslObject.GetPeerCert"/>'s.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the client has answered.</returns>
    /// <exception cref="SslException">As <see cref="SslObject.VerifyClientPostHandshake"/>.</exception>
    public Task NegotiateClientCertificateAsync(CancellationToken cancellationToken = default) =>
        Channel().PostHandshakeAsync(new AsyncStreamAdapter(_inner, cancellationToken), static ssl => ssl.VerifyClientPostHandshake());
}
