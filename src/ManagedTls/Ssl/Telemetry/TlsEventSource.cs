using System.Diagnostics.Tracing;
using System.Security.Authentication;
using ManagedTls.Wire;

namespace ManagedTls.Ssl.Telemetry;

/// <summary>
/// The "ManagedTls" event source: the counters and events of .NET's "System.Net.Security" source (SslStream's), with
/// the same names, display names, units and meaning, for handshakes made by ManagedTls (decision 0037). TLS 1.0 and
/// 1.1 counters are left out: ManagedTls never negotiates those versions (decision 0030).
/// </summary>
/// <remarks>
/// <para>As SslStream's, the counts cover connections whose handshake started while the source was enabled
/// (<see cref="ConnectionTelemetry"/> decides once per connection), so a connection counted when it opens is counted
/// when it closes, and nothing is counted or timed while nobody listens.</para>
/// <para>The polling counters are .NET Core 3.0's: the netstandard2.0 build, which cannot name them, makes them by
/// reflection where the runtime has them (an older .NET running that build), and has the events and the duration
/// counters only on .NET Framework.</para>
/// </remarks>
[EventSource(Name = TlsTelemetry.EventSourceName)]
internal sealed class TlsEventSource : EventSource
{
    public static readonly TlsEventSource Log = new();

    // SslProtocols.Tls13 is missing from netstandard2.0's enum; the value is the same everywhere.
    private const SslProtocols Tls13 = (SslProtocols)12288;

    private long _finished;   // successful and failed, as SslStream counts
    private long _started;
    private long _failed;
    private long _open;
    private long _open12;
    private long _open13;

#if NET
    private IncrementingPollingCounter? _rateCounter;
    private PollingCounter? _totalCounter;
    private PollingCounter? _currentCounter;
    private PollingCounter? _failedCounter;
    private PollingCounter? _openCounter;
    private PollingCounter? _open12Counter;
    private PollingCounter? _open13Counter;
#else
    private object?[]? _pollingCounters;
#endif
    private EventCounter? _duration;
    private EventCounter? _duration12;
    private EventCounter? _duration13;

    private TlsEventSource()
    {
    }

    /// <summary>The counts as they stand (for tests): started, finished, failed, open, open TLS 1.2, open TLS 1.3.</summary>
    internal (long Started, long Finished, long Failed, long Open, long Open12, long Open13) Snapshot() => (
        Interlocked.Read(ref _started), Interlocked.Read(ref _finished), Interlocked.Read(ref _failed),
        Interlocked.Read(ref _open), Interlocked.Read(ref _open12), Interlocked.Read(ref _open13));

    /// <summary>A handshake starts: counted, and the event written.</summary>
    [NonEvent]
    public void Started(bool isServer, string? targetHost)
    {
        Interlocked.Increment(ref _started);
        if (IsEnabled(EventLevel.Informational, EventKeywords.None))
        {
            HandshakeStart(isServer, targetHost ?? string.Empty);
        }
    }

    /// <summary>A handshake completes: the session is open until <see cref="Closed"/>.</summary>
    [NonEvent]
    public void Completed(ProtocolVersion version, double elapsedMilliseconds)
    {
        Interlocked.Increment(ref _finished);
        Interlocked.Increment(ref _open);
        Interlocked.Increment(ref (version == ProtocolVersion.Tls13 ? ref _open13 : ref _open12));
        WriteMetric(version == ProtocolVersion.Tls13 ? _duration13 : _duration12, elapsedMilliseconds);
        WriteMetric(_duration, elapsedMilliseconds);
        if (IsEnabled(EventLevel.Informational, EventKeywords.None))
        {
            HandshakeStop(version == ProtocolVersion.Tls13 ? Tls13 : SslProtocols.Tls12);
        }
    }

    /// <summary>A handshake fails (or is abandoned).</summary>
    [NonEvent]
    public void Failed(bool isServer, double elapsedMilliseconds, string message)
    {
        Interlocked.Increment(ref _finished);
        Interlocked.Increment(ref _failed);
        if (IsEnabled(EventLevel.Error, EventKeywords.None))
        {
            HandshakeFailed(isServer, elapsedMilliseconds, message);
        }

        if (IsEnabled(EventLevel.Informational, EventKeywords.None))
        {
            HandshakeStop(SslProtocols.None);
        }
    }

    /// <summary>A session counted by <see cref="Completed"/> ends.</summary>
    [NonEvent]
    public void Closed(ProtocolVersion version)
    {
        Interlocked.Decrement(ref (version == ProtocolVersion.Tls13 ? ref _open13 : ref _open12));
        Interlocked.Decrement(ref _open);
    }

    /// <inheritdoc/>
    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command != EventCommand.Enable)
        {
            return;
        }

#if NET
        _rateCounter ??= new IncrementingPollingCounter("tls-handshake-rate", this, () => Interlocked.Read(ref _finished))
        {
            DisplayName = "TLS handshakes completed",
            DisplayRateTimeScale = TimeSpan.FromSeconds(1),
        };
        _totalCounter ??= new PollingCounter("total-tls-handshakes", this, () => Interlocked.Read(ref _finished))
        {
            DisplayName = "Total TLS handshakes completed",
        };
        _currentCounter ??= new PollingCounter("current-tls-handshakes", this, () => Interlocked.Read(ref _started) - Interlocked.Read(ref _finished))
        {
            DisplayName = "Current TLS handshakes",
        };
        _failedCounter ??= new PollingCounter("failed-tls-handshakes", this, () => Interlocked.Read(ref _failed))
        {
            DisplayName = "Total TLS handshakes failed",
        };
        _openCounter ??= new PollingCounter("all-tls-sessions-open", this, () => Interlocked.Read(ref _open))
        {
            DisplayName = "All TLS Sessions Active",
        };
        _open12Counter ??= new PollingCounter("tls12-sessions-open", this, () => Interlocked.Read(ref _open12))
        {
            DisplayName = "TLS 1.2 Sessions Active",
        };
        _open13Counter ??= new PollingCounter("tls13-sessions-open", this, () => Interlocked.Read(ref _open13))
        {
            DisplayName = "TLS 1.3 Sessions Active",
        };
#else
        _pollingCounters ??= PollingCountersByReflection();
#endif
        _duration ??= DurationCounter("all-tls-handshake-duration", "TLS Handshake Duration");
        _duration12 ??= DurationCounter("tls12-handshake-duration", "TLS 1.2 Handshake Duration");
        _duration13 ??= DurationCounter("tls13-handshake-duration", "TLS 1.3 Handshake Duration");
    }

    [Event(1, Level = EventLevel.Informational)]
    private void HandshakeStart(bool isServer, string targetHost) => WriteEvent(1, isServer, targetHost);

    [Event(2, Level = EventLevel.Informational)]
    private void HandshakeStop(SslProtocols protocol) => WriteEvent(2, protocol);

    [Event(3, Level = EventLevel.Error)]
    private void HandshakeFailed(bool isServer, double elapsedMilliseconds, string exceptionMessage) =>
        WriteEvent(3, isServer, elapsedMilliseconds, exceptionMessage);

    private EventCounter DurationCounter(string name, string displayName)
    {
#if NET
        return new EventCounter(name, this) { DisplayName = displayName, DisplayUnits = "ms" };
#else
        // netstandard2.0's EventCounter has neither display name nor units; the runtime's may have them.
        var counter = new EventCounter(name, this);
        typeof(EventCounter).GetProperty("DisplayName")?.SetValue(counter, displayName);
        typeof(EventCounter).GetProperty("DisplayUnits")?.SetValue(counter, "ms");
        return counter;
#endif
    }

#if !NET
    // The polling counters above, made through the runtime's types when it has them (.NET Core 3.0 and later).
    private object?[] PollingCountersByReflection()
    {
        System.Reflection.Assembly runtime = typeof(EventSource).Assembly;
        Type? polling = runtime.GetType("System.Diagnostics.Tracing.PollingCounter");
        Type? incrementing = runtime.GetType("System.Diagnostics.Tracing.IncrementingPollingCounter");
        if (polling is null || incrementing is null)
        {
            return [];
        }

        return
        [
            Counter(incrementing, "tls-handshake-rate", "TLS handshakes completed", () => Interlocked.Read(ref _finished), perSecond: true),
            Counter(polling, "total-tls-handshakes", "Total TLS handshakes completed", () => Interlocked.Read(ref _finished)),
            Counter(polling, "current-tls-handshakes", "Current TLS handshakes", () => Interlocked.Read(ref _started) - Interlocked.Read(ref _finished)),
            Counter(polling, "failed-tls-handshakes", "Total TLS handshakes failed", () => Interlocked.Read(ref _failed)),
            Counter(polling, "all-tls-sessions-open", "All TLS Sessions Active", () => Interlocked.Read(ref _open)),
            Counter(polling, "tls12-sessions-open", "TLS 1.2 Sessions Active", () => Interlocked.Read(ref _open12)),
            Counter(polling, "tls13-sessions-open", "TLS 1.3 Sessions Active", () => Interlocked.Read(ref _open13)),
        ];
    }

    private object? Counter(Type type, string name, string displayName, Func<double> value, bool perSecond = false)
    {
        object? counter = Activator.CreateInstance(type, name, this, value);
        type.GetProperty("DisplayName")?.SetValue(counter, displayName);
        if (perSecond)
        {
            type.GetProperty("DisplayRateTimeScale")?.SetValue(counter, TimeSpan.FromSeconds(1));
        }

        return counter;
    }
#endif

    private static void WriteMetric(EventCounter? counter, double value)
    {
#if NET
        counter?.WriteMetric(value);
#else
        counter?.WriteMetric((float)value);
#endif
    }

    // Typed writers without the params object[] overload's boxing (as SslStream's source has them).
    [NonEvent]
    private unsafe void WriteEvent(int eventId, bool arg1, string arg2)
    {
        int flag = arg1 ? 1 : 0;   // EventSource encodes bool as 32 bits
        fixed (char* text = arg2)
        {
            EventData* data = stackalloc EventData[2];
            data[0] = new EventData { DataPointer = (IntPtr)(&flag), Size = sizeof(int) };
            data[1] = new EventData { DataPointer = (IntPtr)text, Size = (arg2.Length + 1) * sizeof(char) };
            WriteEventCore(eventId, 2, data);
        }
    }

    [NonEvent]
    private unsafe void WriteEvent(int eventId, SslProtocols arg1)
    {
        EventData data = new() { DataPointer = (IntPtr)(&arg1), Size = sizeof(SslProtocols) };
        WriteEventCore(eventId, 1, &data);
    }

    [NonEvent]
    private unsafe void WriteEvent(int eventId, bool arg1, double arg2, string arg3)
    {
        int flag = arg1 ? 1 : 0;
        fixed (char* text = arg3)
        {
            EventData* data = stackalloc EventData[3];
            data[0] = new EventData { DataPointer = (IntPtr)(&flag), Size = sizeof(int) };
            data[1] = new EventData { DataPointer = (IntPtr)(&arg2), Size = sizeof(double) };
            data[2] = new EventData { DataPointer = (IntPtr)text, Size = (arg3.Length + 1) * sizeof(char) };
            WriteEventCore(eventId, 3, data);
        }
    }
}
