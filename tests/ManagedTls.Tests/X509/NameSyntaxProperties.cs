using FsCheck.Xunit;
using ManagedTls.X509.Validation;

namespace ManagedTls.Tests.X509;

public class NameSyntaxProperties
{
    /// <summary>Groups drawn so that runs of zeros (and so "::") are common.</summary>
    private static byte[] Address(int[] groups, int count)
    {
        var b = new byte[count * 2];
        for (int i = 0; i < count; i++)
        {
            int x = groups is { Length: > 0 } ? groups[i % groups.Length] * (i + 1) : 0;
            int g = x % 3 == 0 ? 0 : x & 0xffff;
            b[2 * i] = (byte)(g >> 8);
            b[(2 * i) + 1] = (byte)g;
        }

        return b;
    }

    [Property]
    public bool Ipv6_CanonicalTextParsesBack(int[] groups)
    {
        byte[] a = Address(groups, 8);
        string text = NameSyntax.FormatIp(a);
        return NameSyntax.ParseIp(text) is { } back && back.AsSpan().SequenceEqual(a) && text == text.ToLowerInvariant();
    }

    [Property]
    public bool Ipv4_CanonicalTextParsesBack(byte a, byte b, byte c, byte d)
    {
        byte[] ip = [a, b, c, d];
        return NameSyntax.ParseIp(NameSyntax.FormatIp(ip)) is { } back && back.AsSpan().SequenceEqual(ip);
    }

    [Property]
    public bool Ipv4_LeadingZeroSpellingsAreRefused(byte a, byte b, byte c, byte d)
    {
        return NameSyntax.ParseIp($"0{a}.{b}.{c}.{d}") is null;
    }

    [Property]
    public bool HostMatch_NeverThrows_AndWildcardNeverMatchesAcrossLabels(string pattern, string host)
    {
        string h = HostMatcher.NormalizeHost(host ?? "");
        bool m = HostMatcher.MatchDns(pattern ?? "", h);
        return !m || (pattern ?? "").StartsWith("*.", StringComparison.Ordinal) == false || h.Split('.').Length == (pattern ?? "").TrimEnd('.').Split('.').Length;
    }
}
