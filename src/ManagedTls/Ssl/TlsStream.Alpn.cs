namespace ManagedTls.Ssl;

/// <content>The client handshake with an ALPN list of its own.</content>
public sealed partial class TlsStream
{
    /// <summary>
    /// Runs the client handshake offering <paramref name="alpnProtocols"/> (in place of the context's ALPN list, as
    /// <see cref="SslObject.SetAlpnProtocols"/>) and <paramref name="session"/> for resumption.
    /// </summary>
    /// <param name="serverName">The server name sent and (with <see cref="SslContext.CheckHostname"/>) checked.</param>
    /// <param name="session">A session from an earlier connection of the same context (<see cref="SslObject.Session"/>), or null.</param>
    /// <param name="alpnProtocols">The application protocols offered, most preferred first; empty for none.</param>
    /// <param name="cancellationToken">Cancels the transport reads and writes.</param>
    /// <returns>A task completing with the handshake; <see cref="SslObject.SelectedAlpnProtocol"/> tells the server's choice.</returns>
    /// <exception cref="ArgumentException">The session comes from another context, or a protocol name is not ASCII.</exception>
    /// <exception cref="SslException">A protocol name is empty or too long, or the handshake failed.</exception>
    public Task AuthenticateAsClientAsync(string? serverName, SslSession? session, IEnumerable<string> alpnProtocols, CancellationToken cancellationToken = default)
    {
        if (alpnProtocols is null)
        {
            throw new ArgumentNullException(nameof(alpnProtocols));
        }

        // Checked before the connection is made, so that a bad name leaves the stream unused.
        string[] protocols = alpnProtocols.ToArray();
        SslContext.EncodeAlpnProtocols(protocols);
        TlsChannel channel = Start(serverSide: false, serverName, session);
        channel.Ssl.SetAlpnProtocols(protocols);
        return channel.HandshakeAsync(new AsyncStreamAdapter(_inner, cancellationToken));
    }
}
