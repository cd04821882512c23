namespace ManagedTls.Ssl;

/// <content>Sessions and resumption, shared ciphers: the same as on <see cref="SslObject"/>.</content>
public partial class SslSocket
{
    /// <summary>Python's <c>session</c>; see <see cref="SslObject.Session"/>. A client's TLS 1.3 session gets its ticket once something has been read; a TLS 1.2 session is resumable when the handshake completes.</summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    /// <exception cref="ArgumentException">The session comes from another context.</exception>
    /// <exception cref="InvalidOperationException">A server-side socket, or the handshake has started.</exception>
    public SslSession? Session
    {
        get => _channel.Ssl.Session;
        set => _channel.Ssl.Session = value;
    }

    /// <summary>Python's <c>session_reused</c>.</summary>
    public bool SessionReused => _channel.Ssl.SessionReused;

    /// <summary>Python's <c>shared_ciphers()</c>; see <see cref="SslObject.SharedCiphers"/>.</summary>
    /// <returns>The list, or null on a client or before the handshake.</returns>
    public IReadOnlyList<(string Name, string Protocol, int SecretBits)>? SharedCiphers() => _channel.Ssl.SharedCiphers();
}
