namespace ManagedTls.Ssl;

/// <content>A KeyUpdate on demand and close_notify without waiting: see <see cref="SslObject.UpdateKeys"/> and <see cref="SslObject.SendCloseNotify"/>.</content>
public partial class SslSocket
{
    /// <summary>Sends a KeyUpdate now (after the handshake, if it has not run); a write, as <see cref="Write"/> is.</summary>
    /// <param name="requestPeerUpdate">Ask the peer to update its keys too.</param>
    /// <exception cref="SslException">close_notify was sent, or the connection failed.</exception>
    internal void UpdateKeys(bool requestPeerUpdate) =>
        Run(_channel.SendAsync(Adapter(SocketOperation.Write), ssl => ssl.UpdateKeys(requestPeerUpdate)));

    /// <summary>
    /// Sends close_notify (once) and returns without waiting for the peer's: later reads return what the peer still
    /// sends, then raise <see cref="SslZeroReturnException"/> at its close_notify. A write, as <see cref="Write"/> is.
    /// </summary>
    /// <exception cref="SslException">The handshake is not complete, or the connection failed.</exception>
    internal void SendCloseNotify() =>
        Run(_channel.SendAsync(Adapter(SocketOperation.Write), static ssl => ssl.SendCloseNotify()));
}
