using ManagedTls.Handshake;

namespace ManagedTls.Connection;

/// <content>Replacing a server's settings before its handshake has begun.</content>
internal sealed partial class TlsConnection
{
    /// <summary>
    /// Server only: replaces the settings snapshot before the first ClientHello is processed (the facade's context
    /// switch made before the handshake); the transcript is started again so that it keeps messages if the new settings
    /// need them. Returns false, changing nothing, once a ClientHello was processed.
    /// </summary>
    /// <param name="settings">The new snapshot, for a server.</param>
    /// <returns>True when the settings were replaced.</returns>
    public bool ReplaceSettingsBeforeHello(TlsConfig settings)
    {
        if (settings.Role != TlsRole.Server || _cx.IsClient)
        {
            throw new ArgumentException("only a server's settings are replaced before its hello", nameof(settings));
        }

        if (_cx.ClientHelloSeen || _failure is not null || _disposed)
        {
            return false;
        }

        settings.Validate();
        _cx.Settings = settings;
        _cx.BeginNewHandshake();
        return true;
    }
}
