using ManagedTls.Ssl.Telemetry;
using ManagedTls.Wire;

namespace ManagedTls.Ssl;

/// <content>
/// The hooks of the "ManagedTls" event source and meter (decision 0037). Every entry point (<see cref="DoHandshake"/>
/// over memory queues, <see cref="SslSocket"/>, <see cref="TlsStream"/>) runs its handshake through this object, so the
/// handshake starts, completes and fails here, and the connection ends here (a fatal error, <see cref="Unwrap"/>,
/// <see cref="Dispose"/>, or the collector for an object dropped without either). Without a listener when the
/// handshake starts, <see cref="_telemetry"/> stays null and every hook is a null check.
/// </content>
public partial class SslObject
{
    private ConnectionTelemetry? _telemetry;

    /// <summary>The transport pump saw <paramref name="e"/> leave a handshake: a failure unless it is a retryable interruption.</summary>
    internal void NoteHandshakeInterrupted(Exception e) => _telemetry?.Interrupted(e);

    private void StartTelemetry() => _telemetry = ConnectionTelemetry.Start(ServerSide, ServerHostname);

    private void CompleteTelemetry() =>
        _telemetry?.Completed(_conn.Version ?? ProtocolVersion.Tls13, _conn.CipherSuite, _conn.SessionReused);

    // A failure on its way to the caller: during the handshake it fails it, afterwards (fatal) it ends the connection.
    private TException Observed<TException>(TException e)
        where TException : Exception
    {
        _telemetry?.End(ConnectionTelemetry.ErrorType(e), e.Message);
        return e;
    }

    private void EndTelemetry(string message) => _telemetry?.End(null, message);
}
