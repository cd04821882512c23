using System.Diagnostics.Metrics;

namespace ManagedTls.Ssl.Telemetry;

/// <summary>
/// The "ManagedTls" meter (decision 0037), named after Kestrel's <c>kestrel.tls_handshake.duration</c> and
/// <c>kestrel.active_tls_handshakes</c> and tagged with OpenTelemetry's TLS attributes.
/// </summary>
internal static class TlsMetrics
{
    public const string ProtocolVersionTag = "tls.protocol.version";
    public const string CipherTag = "tls.cipher";
    public const string ResumedTag = "tls.resumed";
    public const string RoleTag = "managedtls.role";
    public const string ErrorTypeTag = "error.type";

    public static readonly Meter Meter = new(TlsTelemetry.MeterName, typeof(TlsMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Histogram<double> HandshakeDuration = Meter.CreateHistogram<double>(
        TlsTelemetry.HandshakeDurationName,
        unit: "s",
        description: "The duration of TLS handshakes, full or resumed, successful or failed."
#if NET9_0_OR_GREATER
        , advice: new InstrumentAdvice<double>
        {
            // Kestrel's boundaries for its TLS handshake histogram (OpenTelemetry's for short durations).
            HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
        }
#endif
        );

    public static readonly UpDownCounter<long> ActiveHandshakes = Meter.CreateUpDownCounter<long>(
        TlsTelemetry.ActiveHandshakesName,
        unit: "{handshake}",
        description: "Number of TLS handshakes in progress.");

    public static readonly UpDownCounter<long> ActiveConnections = Meter.CreateUpDownCounter<long>(
        TlsTelemetry.ActiveConnectionsName,
        unit: "{connection}",
        description: "Number of TLS connections established and not yet ended.");

    /// <summary>True when any instrument has a listener.</summary>
    public static bool AnyEnabled => HandshakeDuration.Enabled || ActiveHandshakes.Enabled || ActiveConnections.Enabled;
}
