using System.Diagnostics;
using ManagedTls.CipherSuites;
using ManagedTls.Wire;

namespace ManagedTls.Ssl.Telemetry;

/// <summary>
/// What one connection reported to the "ManagedTls" event source and meter, so that each count it raised is lowered
/// exactly once (decision 0037). Made only when a handshake starts while someone listens: a connection nobody
/// observes has none, and its hooks cost a null check.
/// </summary>
/// <remarks>
/// <para>The life of a connection: its handshake starts, then either completes (the connection is open) or fails;
/// an open connection ends. Each step happens once whatever calls it, in whatever order: the first end wins.</para>
/// <para>A connection dropped without being disposed is ended by this object's finalizer when the collector finds
/// both unreachable: a handshake in progress counts as failed (<c>error.type</c> "abandoned"), an open connection
/// as closed. Only observed connections carry a finalizable object; disposing one suppresses its finalizer.</para>
/// </remarks>
internal sealed class ConnectionTelemetry
{
    /// <summary>The <c>error.type</c> of a handshake that ended without an error of its own (disposed, or collected).</summary>
    public const string Abandoned = "abandoned";

    private const int InHandshake = 0;
    private const int Open = 1;
    private const int Ended = 2;

    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly bool _server;
    private readonly bool _eventSource;        // counted as started in the event source
    private readonly bool _activeHandshake;    // counted in managedtls.active_handshakes
    private bool _activeConnection;            // counted in managedtls.active_connections
    private ProtocolVersion _version;
    private string? _interruption;             // error.type of a timeout or cancellation seen during the handshake
    private int _state;

    private ConnectionTelemetry(bool server, bool eventSource, bool activeHandshake)
    {
        _server = server;
        _eventSource = eventSource;
        _activeHandshake = activeHandshake;
    }

    /// <summary>Ends what is still counted when the connection was dropped without being disposed.</summary>
    ~ConnectionTelemetry()
    {
        try
        {
            End(null, "the connection was collected without being disposed", finalizing: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A listener's failure must not take the finalizer thread down.
        }
    }

    private KeyValuePair<string, object?> Role => new(TlsMetrics.RoleTag, _server ? "server" : "client");

    private KeyValuePair<string, object?> VersionTag => new(TlsMetrics.ProtocolVersionTag, _version == ProtocolVersion.Tls13 ? "1.3" : "1.2");

    /// <summary>A handshake starts: a tracker when the event source or an instrument is enabled, else null (nothing allocated).</summary>
    public static ConnectionTelemetry? Start(bool server, string? targetHost)
    {
        bool eventSource = TlsEventSource.Log.IsEnabled();
        if (!eventSource && !TlsMetrics.AnyEnabled)
        {
            return null;
        }

        var telemetry = new ConnectionTelemetry(server, eventSource, TlsMetrics.ActiveHandshakes.Enabled);
        if (eventSource)
        {
            TlsEventSource.Log.Started(server, targetHost);
        }

        if (telemetry._activeHandshake)
        {
            TlsMetrics.ActiveHandshakes.Add(1, telemetry.Role);
        }

        return telemetry;
    }

    /// <summary>The <c>error.type</c> of a failure: OpenSSL's reason name when the error has one, else the exception's type.</summary>
    public static string ErrorType(Exception e) => e is SslException { Reason: { } reason } ? reason : e.GetType().FullName ?? e.GetType().Name;

    /// <summary>The handshake completed: measured, and the connection counted as open.</summary>
    public void Completed(ProtocolVersion version, CipherSuiteInfo? suite, bool resumed)
    {
        // What an end racing this completion reads is set first; an end that wins the race makes it unused.
        _version = version;
        _activeConnection = TlsMetrics.ActiveConnections.Enabled;
        if (Interlocked.CompareExchange(ref _state, Open, InHandshake) != InHandshake)
        {
            return;
        }

        double seconds = ElapsedSeconds();
        if (_eventSource)
        {
            TlsEventSource.Log.Completed(version, seconds * 1000);
        }

        if (_activeHandshake)
        {
            TlsMetrics.ActiveHandshakes.Add(-1, Role);
        }

        if (TlsMetrics.HandshakeDuration.Enabled)
        {
            var tags = new TagList
            {
                VersionTag,
                new(TlsMetrics.CipherTag, suite?.IanaName),
                new(TlsMetrics.ResumedTag, resumed ? BoxedTrue : BoxedFalse),
                Role,
            };
            TlsMetrics.HandshakeDuration.Record(seconds, tags);
        }

        if (_activeConnection)
        {
            TlsMetrics.ActiveConnections.Add(1, VersionTag, Role);
        }
    }

    /// <summary>
    /// The handshake was interrupted by an exception on its way to the caller (from the transport pump): a timeout or
    /// a cancellation is remembered (the handshake may still be resumed, or the connection dropped); want-read and
    /// want-write are the ordinary flow; anything else fails the handshake.
    /// </summary>
    public void Interrupted(Exception e)
    {
        if (Volatile.Read(ref _state) != InHandshake || e is SslWantReadException or SslWantWriteException)
        {
            return;
        }

        if (e is TimeoutException or OperationCanceledException)
        {
            _interruption = ErrorType(e);
            return;
        }

        End(ErrorType(e), e.Message);
    }

    /// <summary>
    /// The connection ends: a handshake in progress fails with <paramref name="errorType"/> (or the timeout seen, or
    /// "abandoned"), an open connection is counted as closed. Only the first call counts.
    /// </summary>
    public void End(string? errorType, string message, bool finalizing = false)
    {
        int was = Interlocked.Exchange(ref _state, Ended);
        if (was == InHandshake)
        {
            HandshakeFailed(errorType ?? _interruption ?? Abandoned, message);
        }
        else if (was == Open)
        {
            Closed();
        }

        if (was != Ended && !finalizing)
        {
            GC.SuppressFinalize(this);
        }
    }

    private void HandshakeFailed(string errorType, string message)
    {
        double seconds = ElapsedSeconds();
        if (_eventSource)
        {
            TlsEventSource.Log.Failed(_server, seconds * 1000, message);
        }

        if (_activeHandshake)
        {
            TlsMetrics.ActiveHandshakes.Add(-1, Role);
        }

        if (TlsMetrics.HandshakeDuration.Enabled)
        {
            TlsMetrics.HandshakeDuration.Record(seconds, Role, new KeyValuePair<string, object?>(TlsMetrics.ErrorTypeTag, errorType));
        }
    }

    private void Closed()
    {
        if (_eventSource)
        {
            TlsEventSource.Log.Closed(_version);
        }

        if (_activeConnection)
        {
            TlsMetrics.ActiveConnections.Add(-1, VersionTag, Role);
        }
    }

    private double ElapsedSeconds() => (Stopwatch.GetTimestamp() - _start) / (double)Stopwatch.Frequency;
}
