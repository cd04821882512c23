namespace ManagedTls.Ssl;

/// <content>Python's deprecated <c>set_servername_callback</c>.</content>
public sealed partial class SslContext
{
    /// <summary>
    /// Python's <c>set_servername_callback(server_name_callback)</c>, the legacy form of <see cref="SniCallback"/>: sets
    /// it (null removes it). Python 3.11 passes the callback the same server name (as sent, an IDNA name as its A-label)
    /// and handles its answer the same way (checked against live Python 3.11); its documentation describes a U-label,
    /// which 3.11 does not deliver. Python's <c>TypeError: not a callable object</c> cannot arise in .NET.
    /// </summary>
    /// <param name="serverNameCallback">The callback, or null.</param>
    /// <exception cref="ArgumentException">A <see cref="SslProtocol.TlsClient"/> context (Python's <c>ValueError:
    /// sni_callback cannot be set on TLS_CLIENT context</c>).</exception>
    [Obsolete("This is a legacy API retained for backwards compatibility. When possible, you should use sni_callback (SniCallback) instead.")]
    public void SetServernameCallback(SniCallback? serverNameCallback) => SniCallback = serverNameCallback;
}
