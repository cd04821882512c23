using System.Reflection;
using ManagedTls.Testing;

namespace ManagedTls.Tests.TestingKit;

/// <summary>The kit's public API exposes only its own types, the BCL, FsCheck, and types ManagedTls already makes public.</summary>
public class PublicSurfaceTests
{
    private static readonly HashSet<string> AllowedEngineTypes =
    [
        "ManagedTls.Wire.HandshakeType", "ManagedTls.Wire.ContentType", "ManagedTls.Wire.ProtocolVersion", "ManagedTls.Wire.ExtensionType",
        "ManagedTls.Wire.NamedGroup", "ManagedTls.Wire.SignatureScheme", "ManagedTls.Wire.TlsCipherSuite",
        "ManagedTls.AlertDescription", "ManagedTls.AlertLevel", "ManagedTls.TlsAlertException",
        "ManagedTls.Ssl.SslObject", "ManagedTls.Ssl.MemoryBio", "ManagedTls.Ssl.SslContext",
        "ManagedTls.X509.Builder.GeneratedCertificate", "ManagedTls.X509.Builder.CertificateKeyAlgorithm", "ManagedTls.Crypto.IEntropySource",
    ];

    [Fact]
    public void PublicSignaturesUseOnlyAllowedTypes()
    {
        Assembly kit = typeof(TlsScript).Assembly;
        var offenders = new List<string>();
        foreach (Type type in kit.GetExportedTypes())
        {
            Assert.Equal("ManagedTls.Testing", type.Namespace);
            foreach (Type used in SignatureTypes(type))
            {
                if (!Allowed(used, kit))
                {
                    offenders.Add($"{type.Name}: {used.FullName}");
                }
            }
        }

        Assert.Empty(offenders.Distinct());
    }

    [Fact]
    public void TheKitDoesNotReferenceBouncyCastleOrSystemSecurityCryptography()
    {
        AssemblyName[] references = typeof(TlsScript).Assembly.GetReferencedAssemblies();
        Assert.DoesNotContain(references, r => r.Name!.StartsWith("BouncyCastle", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.Name == "System.Security.Cryptography");
    }

    private static bool Allowed(Type t, Assembly kit)
    {
        if (t.IsGenericParameter)
        {
            return true;
        }

        if (t.HasElementType)
        {
            return Allowed(t.GetElementType()!, kit);
        }

        if (t.IsGenericType && !t.GetGenericArguments().All(a => Allowed(a, kit)))
        {
            return false;
        }

        Assembly a = t.Assembly;
        return a == kit
            || a == typeof(object).Assembly
            || a.GetName().Name!.StartsWith("System", StringComparison.Ordinal)
            || a.GetName().Name is "FsCheck" or "FSharp.Core"
            || AllowedEngineTypes.Contains(t.FullName!);
    }

    private static IEnumerable<Type> SignatureTypes(Type type)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } b)
        {
            yield return b;
        }

        foreach (Type i in type.GetInterfaces())
        {
            yield return i;
        }

        foreach (MemberInfo m in type.GetMembers(flags))
        {
            switch (m)
            {
                case MethodBase method:
                    if (method is MethodInfo mi)
                    {
                        yield return mi.ReturnType;
                    }

                    foreach (ParameterInfo p in method.GetParameters())
                    {
                        yield return p.ParameterType;
                    }

                    break;
                case PropertyInfo p:
                    yield return p.PropertyType;
                    break;
                case FieldInfo f:
                    yield return f.FieldType;
                    break;
                case EventInfo e:
                    yield return e.EventHandlerType!;
                    break;
            }
        }
    }
}
