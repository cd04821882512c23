namespace ManagedTls.Handshake;

/// <summary>
/// The state after a completed handshake, of either version: application data flows, and the connection asks it for
/// what only a version knows how to do (new write keys, asking the client for a certificate again).
/// </summary>
internal abstract class TrafficState : HandshakeState
{
    /// <inheritdoc/>
    public override bool IsTraffic => true;

    /// <summary>How many times our write keys were updated since the handshake.</summary>
    public virtual int WriteGeneration => 0;

    /// <summary>How many times the peer's keys were updated since the handshake.</summary>
    public virtual int ReadGeneration => 0;

    /// <summary>Server: true while a request for the client's certificate waits for its answer.</summary>
    public virtual bool ClientAuthPending => false;

    /// <summary>Server: how many client authentications after the handshake completed.</summary>
    public virtual int ClientAuthCount => 0;

    /// <summary>
    /// Moves our sending to new keys (TLS 1.3 KeyUpdate); with <paramref name="requestPeerUpdate"/> the peer is asked
    /// to do the same. A version without key updates throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public abstract void UpdateWriteKeys(HandshakeContext cx, bool requestPeerUpdate);

    /// <summary>Server: asks for the client's certificate after the handshake.</summary>
    public abstract void RequestClientAuth(HandshakeContext cx);
}

/// <summary>Keying material exporters (RFC 5705 for TLS 1.2, RFC 8446 section 7.5 for TLS 1.3), made once the handshake completes.</summary>
internal interface IKeyingMaterialExporter : IDisposable
{
    /// <summary>Exports <paramref name="length"/> bytes for <paramref name="label"/> and <paramref name="context"/>.</summary>
    byte[] Export(string label, ReadOnlySpan<byte> context, int length);
}
