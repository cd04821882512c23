namespace ManagedTls.Ssl;

/// <content>TLS 1.3 post-handshake client authentication.</content>
public partial class SslSocket
{
    /// <summary>
    /// Python's <c>verify_client_post_handshake()</c>; see <see cref="SslObject.VerifyClientPostHandshake"/>. The
    /// request is sent with the next read, write or <see cref="DoHandshake"/>; the client's certificate is
    /// available from <see cref="GetPeerCert"/> once a read has consumed its answer.
    /// </summary>
    /// <exception cref="SslException">As <see cref="SslObject.VerifyClientPostHandshake"/>.</exception>
    public void VerifyClientPostHandshake() => _channel.Ssl.VerifyClientPostHandshake();
}
