using System.Text.Json;
using ManagedTls.Crypto;

namespace ManagedTls.Tests.Vectors;

/// <summary>One named value of an RFC 8448 step ("PRK", "expanded", "ClientHello", "complete record" ...).</summary>
internal sealed record Rfc8448Value(string Name, int Length, byte[] Bytes)
{
    /// <summary>The RFC's remark for values given as text (the zero salt), otherwise null.</summary>
    public string? Note { get; init; }
}

/// <summary>One <c>{client}</c>/<c>{server}</c> paragraph of an RFC 8448 trace.</summary>
internal sealed record Rfc8448Step(int Index, string Actor, string Label, string? SameAs, IReadOnlyList<Rfc8448Value> Values)
{
    /// <summary>True for the paragraphs the RFC abbreviates as "(same as ...)"; they carry no values.</summary>
    public bool IsSameAs => SameAs is not null;

    /// <summary>The value called <paramref name="name"/>; throws when the step has none.</summary>
    public byte[] this[string name] => Values.FirstOrDefault(v => v.Name == name)?.Bytes
        ?? throw new KeyNotFoundException($"step {Index} ({Actor} {Label}) has no value '{name}'");

    /// <summary>Whether the step has a value called <paramref name="name"/>.</summary>
    public bool Has(string name) => Values.Any(v => v.Name == name);

    /// <inheritdoc />
    public override string ToString() => $"#{Index} {{{Actor}}} {Label}";
}

/// <summary>
/// A trace section of RFC 8448 (3 simple 1-RTT, 4 resumed 0-RTT, 5 HelloRetryRequest, 6 client authentication,
/// 7 compatibility mode), loaded from <c>vectors/rfc8448/sectionN.json</c>, which
/// <c>tools/rfc8448_to_json.py</c> generates from the RFC text.
/// </summary>
internal sealed class Rfc8448Trace
{
    private static readonly Dictionary<int, Rfc8448Trace> Cache = [];

    private Rfc8448Trace(int section, string title, IReadOnlyList<Rfc8448Step> steps)
    {
        Section = section;
        Title = title;
        Steps = steps;
    }

    /// <summary>The RFC section number.</summary>
    public int Section { get; }

    /// <summary>The section title.</summary>
    public string Title { get; }

    /// <summary>The steps in RFC order.</summary>
    public IReadOnlyList<Rfc8448Step> Steps { get; }

    /// <summary>The trace sections that exist.</summary>
    public static IReadOnlyList<int> Sections { get; } = [3, 4, 5, 6, 7];

    /// <summary>Loads (once) and returns section <paramref name="section"/>.</summary>
    public static Rfc8448Trace Load(int section)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(section, out Rfc8448Trace? trace))
            {
                trace = Parse(File.ReadAllText(Path.Combine(VectorDirectory(), $"section{section}.json")));
                Cache[section] = trace;
            }

            return trace;
        }
    }

    /// <summary>The steps of <paramref name="actor"/> whose label is <paramref name="label"/> (including "same as" ones).</summary>
    public IEnumerable<Rfc8448Step> Find(string actor, string label) =>
        Steps.Where(s => s.Actor == actor && s.Label == label);

    /// <summary>The <paramref name="occurrence"/>-th step of <paramref name="actor"/> with <paramref name="label"/> that has values.</summary>
    public Rfc8448Step Get(string actor, string label, int occurrence = 0) =>
        Find(actor, label).Where(s => !s.IsSameAs).ElementAt(occurrence);

    /// <summary>Parses the JSON form.</summary>
    public static Rfc8448Trace Parse(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        var steps = new List<Rfc8448Step>();
        foreach (JsonElement s in root.GetProperty("steps").EnumerateArray())
        {
            var values = new List<Rfc8448Value>();
            foreach (JsonElement v in s.GetProperty("values").EnumerateArray())
            {
                byte[] bytes = CryptoUtil.FromHex(v.GetProperty("hex").GetString()!);
                int length = v.GetProperty("length").GetInt32();
                if (bytes.Length != length)
                {
                    throw new InvalidDataException($"value {v.GetProperty("name")} has {bytes.Length} bytes, declared {length}");
                }

                values.Add(new Rfc8448Value(v.GetProperty("name").GetString()!, length, bytes)
                {
                    Note = v.TryGetProperty("note", out JsonElement note) ? note.GetString() : null,
                });
            }

            JsonElement sameAs = s.GetProperty("same_as");
            steps.Add(new Rfc8448Step(
                s.GetProperty("index").GetInt32(),
                s.GetProperty("actor").GetString()!,
                s.GetProperty("label").GetString()!,
                sameAs.ValueKind == JsonValueKind.Null ? null : sameAs.GetString(),
                values));
        }

        return new Rfc8448Trace(root.GetProperty("section").GetInt32(), root.GetProperty("title").GetString()!, steps);
    }

    /// <summary>Finds <c>vectors/rfc8448</c> by walking up from the test assembly's directory to the repository root.</summary>
    public static string VectorDirectory()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "vectors", "rfc8448");
            if (File.Exists(Path.Combine(candidate, "section3.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("vectors/rfc8448 not found above " + AppContext.BaseDirectory);
    }
}
