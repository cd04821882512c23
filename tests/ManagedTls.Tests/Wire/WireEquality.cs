using System.Collections;
using System.Reflection;

namespace ManagedTls.Tests.Wire;

/// <summary>Structural equality of decoded wire objects: same classes, same public property values, recursively.</summary>
internal static class WireEquality
{
    public static void AssertSame(object? expected, object? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: one side is null");
            return;
        }

        Assert.True(expected.GetType() == actual.GetType(), $"{path}: {expected.GetType().Name} vs {actual.GetType().Name}");
        Type t = expected.GetType();
        if (t.IsPrimitive || t.IsEnum || expected is string || t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Nullable<>))
        {
            Assert.True(expected.Equals(actual), $"{path}: {expected} vs {actual}");
            return;
        }

        if (expected is IEnumerable e1)
        {
            var a = e1.Cast<object?>().ToList();
            var b = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(a.Count == b.Count, $"{path}: {a.Count} vs {b.Count} items");
            for (int i = 0; i < a.Count; i++)
            {
                AssertSame(a[i], b[i], $"{path}[{i}]");
            }

            return;
        }

        foreach (PropertyInfo p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length == 0)
            {
                AssertSame(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}");
            }
        }
    }
}
