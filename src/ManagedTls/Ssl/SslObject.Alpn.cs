using ManagedTls.Connection;

namespace ManagedTls.Ssl;

/// <content>The ALPN list of one client connection (OpenSSL's <c>SSL_set_alpn_protos</c>).</content>
public partial class SslObject
{
    /// <summary>
    /// OpenSSL's <c>SSL_set_alpn_protos</c> (Python has no counterpart): the application protocols this client
    /// connection offers, most preferred first, in place of its context's <see cref="SslContext.AlpnProtocols"/>. An empty
    /// list offers none. Only before the handshake starts; the ClientHello is made again with the new list.
    /// </summary>
    /// <param name="protocols">Protocol names (ASCII), each 1 to 255 bytes.</param>
    /// <exception cref="SslException">A name is empty or longer than 255 bytes.</exception>
    /// <exception cref="ArgumentException">A name is not ASCII.</exception>
    /// <exception cref="InvalidOperationException">A server-side object, or the handshake has started.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public void SetAlpnProtocols(IEnumerable<string> protocols)
    {
        byte[][] list = SslContext.EncodeAlpnProtocols(protocols);
        lock (_lock)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(SslObject));
            }

            if (ServerSide)
            {
                throw new InvalidOperationException("ALPN protocols are set per connection on the client side only");
            }

            if (_handshakeCounted || _conn.IsHandshakeComplete)
            {
                throw new InvalidOperationException("Cannot set ALPN protocols after the handshake has started.");
            }

            if (SameProtocols(_config.AlpnProtocols, list))
            {
                return;
            }

            ThrowIfFailed();
            _config = _config with { AlpnProtocols = list };
            TlsConnection old = _conn;
            _conn = CreateConnection(_offered);
            old.Dispose();
        }
    }

    private static bool SameProtocols(IReadOnlyList<byte[]> current, byte[][] wanted)
    {
        if (current.Count != wanted.Length)
        {
            return false;
        }

        for (int i = 0; i < wanted.Length; i++)
        {
            if (!current[i].AsSpan().SequenceEqual(wanted[i]))
            {
                return false;
            }
        }

        return true;
    }
}
