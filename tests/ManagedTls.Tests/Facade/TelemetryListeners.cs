using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Runs alone: the "ManagedTls" event source and meter are process-wide, and their counts move only while someone
/// listens, so no test of another collection may listen, or run, meanwhile (xunit runs collections without
/// parallelization after the parallel ones, one at a time).
/// </summary>
[CollectionDefinition("Telemetry", DisableParallelization = true)]
public sealed class TelemetryCollection
{
}

/// <summary>One measurement of the "ManagedTls" meter, with the thread that recorded it.</summary>
internal sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags, int Thread)
{
    public object? Tag(string name) => Tags.TryGetValue(name, out object? value) ? value : null;
}

/// <summary>Records every measurement of the "ManagedTls" meter while it lives.</summary>
internal sealed class MeterCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public MeterCapture()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TlsTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    /// <summary>The measurements of <paramref name="instrument"/>, from every thread or only from <paramref name="thread"/>.</summary>
    public List<Measurement> Of(string instrument, int? thread = null) =>
        _measurements.Where(m => m.Instrument == instrument && (thread is null || m.Thread == thread)).ToList();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new Measurement(instrument.Name, value, copy, Environment.CurrentManagedThreadId));
    }
}

/// <summary>Enables the "ManagedTls" event source with counters every second, and records counter payloads and events.</summary>
internal sealed class CounterListener : EventListener
{
    private readonly ConcurrentQueue<IDictionary<string, object?>> _counters = new();
    private readonly ConcurrentQueue<EventWrittenEventArgs> _events = new();

    public IReadOnlyCollection<EventWrittenEventArgs> Events => _events;

    /// <summary>The payloads of counter <paramref name="name"/> received so far.</summary>
    public List<IDictionary<string, object?>> Counter(string name) =>
        _counters.Where(c => (string?)c["Name"] == name).ToList();

    /// <summary>Waits (bounded) until a payload of <paramref name="name"/> satisfies <paramref name="condition"/>.</summary>
    public IDictionary<string, object?> WaitFor(string name, Func<IDictionary<string, object?>, bool> condition)
    {
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < end)
        {
            if (Counter(name).LastOrDefault(condition) is { } found)
            {
                return found;
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"no payload of {name} as expected within 15 s; last: {Describe(Counter(name).LastOrDefault())}");
    }

    public static string Describe(IDictionary<string, object?>? payload) =>
        payload is null ? "none" : string.Join(", ", payload.Select(kv => $"{kv.Key}={kv.Value}"));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Also called from the base constructor for sources that exist already (field initializers have run by then).
        if (eventSource.Name == TlsTelemetry.EventSourceName)
        {
            EnableEvents(eventSource, EventLevel.Informational, EventKeywords.All, new Dictionary<string, string?> { ["EventCounterIntervalSec"] = "1" });
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName == "EventCounters" && eventData.Payload is [IDictionary<string, object?> payload])
        {
            _counters.Enqueue(payload);
        }
        else
        {
            _events.Enqueue(eventData);
        }
    }
}
