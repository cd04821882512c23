using ManagedTls.Handshake;

namespace ManagedTls.Ssl;

/// <content>The server-name callback and the context switch it may make.</content>
public partial class SslObject
{
    private SslContext _context;

    // The context whose certificates, trust and ALPN this connection runs with (the one made from, or the last switch applied).
    private SslContext _appliedContext;
    private object _callbackOwner;
    private bool _serverNameRefused;

    /// <summary>What <see cref="SslContext.SniCallback"/> receives first: this object, or the <see cref="SslSocket"/> wrapping it.</summary>
    internal object CallbackOwner
    {
        get => _callbackOwner;
        set => _callbackOwner = value ?? throw new ArgumentNullException(nameof(value));
    }

    // Runs in the engine once the ClientHello is parsed, on a server whose context has a server-name callback: the
    // callback first (an alert aborts), then, if it switched the context, the new context's settings for the rest of
    // the handshake.
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

        if (ReferenceEquals(_context, _appliedContext))
        {
            return null;
        }

        TlsConfig switched = _context.Freeze(serverSide: true, this, switchedTo: true);
        _config = _config.WithServerNameSettings(switched);
        _appliedContext = _context;
        return switched;
    }
}
