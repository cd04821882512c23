using System.Reflection;
using ManagedTls.Connection;
using ManagedTls.Wire;

namespace ManagedTls.Fuzz;

/// <summary>A fuzz target: feeds <paramref name="data"/> to one parser. Only <see cref="TlsAlertException"/> is an allowed outcome.</summary>
public delegate void FuzzTarget(ReadOnlySpan<byte> data);

/// <summary>
/// Marks a static method <c>void M(ReadOnlySpan&lt;byte&gt;)</c> as the fuzz target <see cref="Name"/>.
/// To add a target, add a class with such a method anywhere in this project.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FuzzTargetAttribute(string name) : Attribute
{
    /// <summary>The name given on the command line.</summary>
    public string Name { get; } = name;
}

/// <summary>The registry of every target: the wire layer's and the connection's entry points plus every <see cref="FuzzTargetAttribute"/> method.</summary>
public static class FuzzTargets
{
    private static readonly Lazy<IReadOnlyDictionary<string, FuzzTarget>> Registry = new(Build);

    /// <summary>Target name to entry point, sorted by name.</summary>
    public static IReadOnlyDictionary<string, FuzzTarget> All => Registry.Value;

    /// <summary>
    /// Runs <paramref name="target"/> on <paramref name="data"/>: true when it decoded, false when it
    /// raised the promised <see cref="TlsAlertException"/>. Any other exception propagates (a crash).
    /// </summary>
    public static bool RunOne(FuzzTarget target, ReadOnlySpan<byte> data)
    {
        try
        {
            target(data);
            return true;
        }
        catch (TlsAlertException)
        {
            return false;
        }
    }

    private static IReadOnlyDictionary<string, FuzzTarget> Build()
    {
        var all = new SortedDictionary<string, FuzzTarget>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, WireFuzzTarget> t in WireFuzzTargets.All.Concat(ConnectionFuzzTargets.All))
        {
            WireFuzzTarget w = t.Value;
            all.Add(t.Key, d => w(d));
        }

        foreach (Type type in typeof(FuzzTargets).Assembly.GetTypes())
        {
            foreach (MethodInfo m in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (m.GetCustomAttribute<FuzzTargetAttribute>() is { } attr)
                {
                    all.Add(attr.Name, m.CreateDelegate<FuzzTarget>());
                }
            }
        }

        return all;
    }
}
