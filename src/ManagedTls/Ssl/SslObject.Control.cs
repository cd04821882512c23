namespace ManagedTls.Ssl;

/// <content>
/// Two steps openssl's s_client and s_server take that Python's <c>ssl</c> has no name for: a KeyUpdate on demand
/// (OpenSSL's <c>SSL_key_update</c>) and close_notify without waiting for the peer's (OpenSSL's first
/// <c>SSL_shutdown</c>, after which <c>SSL_read</c> goes on until the peer's close_notify).
/// </content>
public partial class SslObject
{
    /// <summary>
    /// Queues a TLS 1.3 KeyUpdate: this side's sending keys change at once, and with <paramref name="requestPeerUpdate"/>
    /// the peer is asked to change its own (RFC 8446 section 4.6.3).
    /// </summary>
    /// <param name="requestPeerUpdate">Send <c>update_requested</c> instead of <c>update_not_requested</c>.</param>
    /// <exception cref="InvalidOperationException">The handshake is not complete.</exception>
    /// <exception cref="SslException">close_notify was sent (<c>PROTOCOL_IS_SHUTDOWN</c>), or the connection failed.</exception>
    internal void UpdateKeys(bool requestPeerUpdate)
    {
        lock (_lock)
        {
            ThrowIfFailed();
            if (!_conn.IsHandshakeComplete)
            {
                throw new InvalidOperationException("handshake not done yet");
            }

            if (_sentShutdown)
            {
                throw new SslException(SslErrorNumber.Ssl, "SSL", "PROTOCOL_IS_SHUTDOWN", "protocol is shutdown");
            }

            try
            {
                _conn.UpdateKeys(requestPeerUpdate);
            }
            catch (TlsAlertException e)
            {
                throw Translate(e);
            }
            finally
            {
                Flush();
            }
        }
    }

    /// <summary>
    /// Queues close_notify (once) without reading anything: application data the peer still sends is read as before,
    /// and once its close_notify arrives a read raises <see cref="SslZeroReturnException"/>. <see cref="Unwrap"/> also
    /// sends close_notify, but then discards what arrives until the peer's.
    /// </summary>
    /// <exception cref="SslException">The handshake is not complete (<c>SHUTDOWN_WHILE_IN_INIT</c>), or the connection failed.</exception>
    internal void SendCloseNotify()
    {
        lock (_lock)
        {
            ThrowIfFailed();
            if (!_conn.IsHandshakeComplete)
            {
                throw new SslException(SslErrorNumber.Ssl, "SSL", "SHUTDOWN_WHILE_IN_INIT", "shutdown while in init");
            }

            if (_sentShutdown)
            {
                return;
            }

            _sentShutdown = true;
            try
            {
                _conn.Close();
            }
            catch (TlsAlertException e)
            {
                throw Translate(e);
            }
            finally
            {
                Flush();
            }
        }
    }
}
