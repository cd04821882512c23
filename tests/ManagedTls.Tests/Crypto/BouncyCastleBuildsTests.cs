using ManagedTls.Crypto;
using ManagedTls.Handshake;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace ManagedTls.Tests.Crypto;

/// <summary>
/// The library is built for netstandard2.0, net8.0 and net10.0, BouncyCastle for netstandard2.0 and net6.0, and NuGet
/// may pair our netstandard2.0 build with its net6.0 build (a net6.0 or net7.0 application). A BouncyCastle interface
/// whose members differ between its builds cannot be implemented by our netstandard2.0 build without a
/// <see cref="TypeLoadException"/> there (decision 0034), so the library implements none and subclasses only the
/// BouncyCastle classes whose abstract members are the same in every build. The pairing itself is run by CI
/// from the packed packages (consumers/).
/// </summary>
public class BouncyCastleBuildsTests
{
    // Classes the library may derive from: no abstract member, and no member that differs between BouncyCastle's builds
    // that a subclass would have to implement. SecureRandom is used without a generator (BcRandom).
    private static readonly Type[] AllowedBaseClasses = [typeof(SecureRandom), typeof(AsymmetricKeyParameter)];

    [Fact]
    public void The_library_implements_no_BouncyCastle_interface_and_subclasses_only_the_allowed_classes()
    {
        var bouncyCastle = typeof(SecureRandom).Assembly;
        var offenders = new List<string>();
        foreach (Type type in typeof(TlsRole).Assembly.GetTypes())
        {
            Type? baseType = type.BaseType;
            if (baseType is not null && baseType.Assembly == bouncyCastle && !AllowedBaseClasses.Contains(baseType))
            {
                offenders.Add($"{type.FullName} derives from {baseType.FullName}");
            }

            IEnumerable<Type> inherited = baseType?.GetInterfaces() ?? [];
            foreach (Type i in type.GetInterfaces().Except(inherited))
            {
                if (i.Assembly == bouncyCastle)
                {
                    offenders.Add($"{type.FullName} implements {i.FullName}");
                }
            }
        }

        Assert.Empty(offenders);

        // The scan sees the library's BouncyCastle subclasses: it would see an offender.
        Assert.Contains(typeof(TlsRole).Assembly.GetTypes(), t => t.BaseType == typeof(SecureRandom));
    }

    [Fact]
    public void Every_way_BouncyCastle_draws_from_the_adapter_reads_the_injected_source()
    {
        // 8 + 8 + 4 + 8 + 8 + 4 bytes, in the order drawn below.
        var source = new ReplayEntropy(Enumerable.Range(1, 40).Select(i => (byte)i).ToArray());
        SecureRandom random = BcRandom.Create(source);

        byte[] a = new byte[8];
        random.NextBytes(a);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, a);

        byte[] b = new byte[12];
        random.NextBytes(b, 2, 8);
        Assert.Equal(new byte[] { 0, 0, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0 }, b);

        Assert.Equal(0x11121314, random.NextInt());
        Assert.Equal(0x15161718191a1b1cL, random.NextLong());
        Assert.Equal(new byte[] { 29, 30, 31, 32, 33, 34, 35, 36 }, random.GenerateSeed(8));

        Span<byte> span = stackalloc byte[4];
        random.NextBytes(span);
        Assert.Equal(new byte[] { 37, 38, 39, 40 }, span.ToArray());

        // Seeding is ignored and draws nothing; the source is now empty, so one more draw fails loudly.
        random.SetSeed([1, 2, 3]);
        random.SetSeed(42L);
        Assert.Throws<InvalidOperationException>(() => random.NextBytes(new byte[1]));
    }
}
