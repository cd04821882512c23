using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;

namespace ManagedTls.Ssl;

/// <content>The server-name callback and switching a server connection to another context.</content>
public sealed partial class SslObject
{
    private readonly SslContext _frozenContext;
    private SslContext _context;
    private object _callbackOwner;
    private bool _serverNameRefused;

    /// <summary>
    /// Python's <c>context</c>: the context this object was made from. A server may assign another context before
    /// or during the handshake, typically from <see cref="SslContext.SniCallback"/> (Python's SNI idiom): when the
    /// client's hello is processed, the handshake then uses the new context's certificate chain and key, ALPN
    /// protocols, trust store, verify flags and verify mode (whether and how a client certificate is requested).
    /// Other settings (versions, options, tickets) stay those of the original context.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    /// <exception cref="InvalidOperationException">Set on a client-side object.</exception>
    /// <exception cref="ArgumentException">The value is a <see cref="SslProtocol.TlsClient"/> context.</exception>
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
                throw new ArgumentNullException(nameof(value));
            }

            if (!ServerSide)
            {
                throw new InvalidOperationException("the context can be switched only on the server side");
            }

            if (value.Protocol == SslProtocol.TlsClient)
            {
                throw new ArgumentException("Cannot create a server socket with a PROTOCOL_TLS_CLIENT context", nameof(value));
            }

            lock (_lock)
            {
                _context = value;
            }
        }
    }

    /// <summary>What <see cref="SslContext.SniCallback"/> receives first: this object, or the <see cref="SslSocket"/> wrapping it.</summary>
    internal object CallbackOwner
    {
        get => _callbackOwner;
        set => _callbackOwner = value ?? throw new ArgumentNullException(nameof(value));
    }

    // Runs in the engine once the ClientHello is parsed: the context's callback first (an alert aborts), then, if
    // the context was switched, the new context's configuration for the rest of the handshake.
    private TlsConfig? OnServerName(string? name)
    {
        if (_config.ServerNameCallback is { } callback)
        {
            try
            {
                callback(name);
            }
            catch (TlsAlertException)
            {
                _serverNameRefused = true;
                throw;
            }
        }

        if (ReferenceEquals(_context, _frozenContext))
        {
            return null;
        }

        _config = _context.Freeze(serverSide: true, this);
        return _config;
    }
}
