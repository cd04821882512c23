using ManagedTls.Connection;
using ManagedTls.Handshake;

namespace ManagedTls.Ssl;

/// <content>Python's <c>context</c> property and what switching it changes.</content>
public partial class SslObject
{
    /// <summary>
    /// Python's <c>context</c>: the context this object was made from, or the one assigned since. Either side may assign
    /// any context, as Python allows (OpenSSL's <c>SSL_set_SSL_CTX</c>); what the switch takes from it:
    /// <list type="bullet">
    /// <item>A server, assigned before the client's hello is processed (directly, or from <see cref="SslContext.SniCallback"/>,
    /// Python's SNI idiom), uses the new context's certificate chains and keys (so a context without a certificate can
    /// switch to one that has one), ALPN protocols, trust store and session id context for the handshake. Client
    /// authentication stays at least as strict as the original context's (decision 0012): a certificate is requested,
    /// required and verified when either context says so. OpenSSL keeps the original verify mode alone; here a
    /// context requiring client certificates also gets them.</item>
    /// <item>A client, assigned before its handshake starts, presents the new context's certificate chain and verifies
    /// the server against its trust store; its verify mode, host name check, versions, suites and ALPN stay the
    /// original's, as in OpenSSL.</item>
    /// <item>The verify flags, options, versions, suites, groups and ticket settings are never switched.</item>
    /// </list>
    /// Assigned later (a server after the client's hello outside the callback, a client after its first
    /// <see cref="DoHandshake"/>), only this property changes.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null (Python's <c>TypeError: The value must be a SSLContext</c>).</exception>
    public SslContext Context
    {
        get
        {
            lock (_lock)
            {
                return _context;
            }
        }

        set
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(value), "The value must be a SSLContext");
            }

            lock (_lock)
            {
                _context = value;
                if (_disposed || ReferenceEquals(value, _appliedContext))
                {
                    return;
                }

                TlsConfig switched = value.Freeze(ServerSide, this, switchedTo: true);
                if (ServerSide)
                {
                    TlsConfig merged = _config.WithServerNameSettings(switched);
                    if (_conn.ReplaceSettingsBeforeHello(ForConnection(merged, null, null)))
                    {
                        _config = merged;
                        _appliedContext = value;
                    }
                }
                else if (!_handshakeCounted && !_conn.IsHandshakeComplete)
                {
                    // Nothing was sent yet: the connection is made again with the switched settings, as setting Session does.
                    _config = _config.WithClientContextSettings(switched);
                    _appliedContext = value;
                    TlsConnection old = _conn;
                    _conn = CreateConnection(_offered);
                    old.Dispose();
                }
            }
        }
    }
}
