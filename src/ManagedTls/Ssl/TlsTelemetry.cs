namespace ManagedTls.Ssl;

/// <summary>
/// The names under which ManagedTls reports its handshakes and connections (decision 0037): an
/// <see cref="System.Diagnostics.Tracing.EventSource"/> with the counters and events of .NET's "System.Net.Security"
/// source, and a <c>System.Diagnostics.Metrics</c> meter for OpenTelemetry. Both cost nothing while nobody listens.
/// </summary>
/// <example>
/// <code>
/// dotnet-counters monitor --counters ManagedTls -p PID        (the meter)
/// dotnet-counters monitor --counters 'EventCounters\ManagedTls,EventCounters\System.Net.Security' -p PID
/// builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(TlsTelemetry.MeterName));
/// </code>
/// </example>
public static class TlsTelemetry
{
    /// <summary>
    /// The event source's name, "ManagedTls": the counters <c>tls-handshake-rate</c>, <c>total-tls-handshakes</c>,
    /// <c>current-tls-handshakes</c>, <c>failed-tls-handshakes</c>, <c>all-tls-sessions-open</c>,
    /// <c>tls12-sessions-open</c>, <c>tls13-sessions-open</c>, <c>all-tls-handshake-duration</c>,
    /// <c>tls12-handshake-duration</c>, <c>tls13-handshake-duration</c> (ms), and the events <c>HandshakeStart</c>,
    /// <c>HandshakeStop</c>, <c>HandshakeFailed</c>, as SslStream's source has them.
    /// </summary>
    public const string EventSourceName = "ManagedTls";

    /// <summary>The meter's name, "ManagedTls".</summary>
    public const string MeterName = "ManagedTls";

    /// <summary>
    /// The histogram of handshake durations in seconds, one measurement per handshake that ended, full or resumed,
    /// successful or failed; tagged <c>tls.protocol.version</c> ("1.2", "1.3"), <c>tls.cipher</c> (the IANA name),
    /// <c>tls.resumed</c>, <c>managedtls.role</c> ("client", "server") and, on failure, <c>error.type</c>.
    /// </summary>
    public const string HandshakeDurationName = "managedtls.handshake.duration";

    /// <summary>The up-down counter of handshakes in progress, tagged <c>managedtls.role</c>.</summary>
    public const string ActiveHandshakesName = "managedtls.active_handshakes";

    /// <summary>The up-down counter of established connections not yet ended, tagged <c>tls.protocol.version</c> and <c>managedtls.role</c>.</summary>
    public const string ActiveConnectionsName = "managedtls.active_connections";
}
