using ManagedTls.X509.Validation;

namespace ManagedTls.Tests.X509;

public class HostMatcherTests
{
    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("EXAMPLE.com", "example.com", true)]
    [InlineData("example.com.", "example.com", true)]
    [InlineData("example.com", "www.example.com", false)]
    [InlineData("www.example.com", "example.com", false)]
    [InlineData("*.example.com", "www.example.com", true)]
    [InlineData("*.Example.COM", "www.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "xn--bcher-kva.example.com", true)]
    [InlineData("w*.example.com", "www.example.com", false)]
    [InlineData("*w.example.com", "www.example.com", false)]
    [InlineData("www.*.com", "www.example.com", false)]
    [InlineData("xn--*-1b3c148a.example.com", "xn--bliss-1b3c148a.example.com", false)]
    [InlineData("*", "com", false)]
    [InlineData("*.com", "example.com", false)]
    [InlineData("*.co.uk", "example.co.uk", false)]
    [InlineData("*.s3.amazonaws.com", "bucket.s3.amazonaws.com", false)]
    [InlineData("*.example.co.uk", "www.example.co.uk", true)]
    [InlineData("*.*.example.com", "a.b.example.com", false)]
    public void DnsPattern(string pattern, string host, bool matches)
    {
        Assert.Equal(matches, HostMatcher.MatchDns(pattern, HostMatcher.NormalizeHost(host)));
    }

    [Theory]
    [InlineData("www.example.com.", "www.example.com")]
    [InlineData("WWW.Example.Com", "www.example.com")]
    [InlineData("foo_bar.example.com", "")]
    [InlineData("", "")]
    [InlineData("a..b", "")]
    [InlineData("-a.example", "")]
    [InlineData("b\u00fccher.example", "")]
    public void HostNormalization(string input, string expected)
    {
        Assert.Equal(expected, HostMatcher.NormalizeHost(input));
    }

    [Theory]
    [InlineData("192.0.2.1", "c0000201")]
    [InlineData("0.0.0.0", "00000000")]
    [InlineData("255.255.255.255", "ffffffff")]
    [InlineData("192.0.2.01", null)]
    [InlineData("0300.0.2.1", null)]
    [InlineData("0xc0.0.2.1", null)]
    [InlineData("3221225985", null)]
    [InlineData("192.0.2", null)]
    [InlineData("192.0.2.256", null)]
    [InlineData("192.0.2.1.", null)]
    [InlineData("::1", "00000000000000000000000000000001")]
    [InlineData("::", "00000000000000000000000000000000")]
    [InlineData("2001:db8::1", "20010db8000000000000000000000001")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "20010db8000000000000000000000001")]
    [InlineData("::ffff:192.0.2.1", "00000000000000000000ffffc0000201")]
    [InlineData("1:2:3:4:5:6:7:8", "00010002000300040005000600070008")]
    [InlineData("1:2:3:4:5:6:7:8:9", null)]
    [InlineData("1::2::3", null)]
    [InlineData("12345::1", null)]
    [InlineData(":1", null)]
    [InlineData("1:2:3:4:5:6:7", null)]
    [InlineData("fe80::1%eth0", null)]
    public void IpParsing_IsStrict(string text, string? hex)
    {
        byte[]? parsed = NameSyntax.ParseIp(text);
        Assert.Equal(hex, parsed is null ? null : ManagedTls.Crypto.CryptoUtil.ToHex(parsed));
    }

    [Theory]
    [InlineData("20010db8000000000000000000000001", "2001:db8::1")]
    [InlineData("20010db8000000000001000000000001", "2001:db8::1:0:0:1")]
    [InlineData("00000000000000000000000000000001", "::1")]
    [InlineData("00000000000000000000000000000000", "::")]
    [InlineData("20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1")]
    [InlineData("c0a80101", "192.168.1.1")]
    public void IpFormatting_FollowsRfc5952(string hex, string text)
    {
        Assert.Equal(text, NameSyntax.FormatIp(ManagedTls.Crypto.CryptoUtil.FromHex(hex)));
    }

    [Theory]
    [InlineData("example.com", "example.com", false, true)]
    [InlineData("example.com", "www.example.com", false, true)]
    [InlineData("example.com", "wwwexample.com", false, false)]
    [InlineData("www.example.com", "example.com", false, false)]
    [InlineData("example.com", "*.example.com", false, true)]
    [InlineData("foo.example.com", "*.example.com", false, false)]
    [InlineData("foo.example.com", "*.example.com", true, true)]
    [InlineData("a.foo.example.com", "*.example.com", true, false)]
    [InlineData("", "anything.example", false, true)]
    public void DnsNameConstraints(string constraint, string name, bool excluded, bool matches)
    {
        Assert.Equal(matches, NameConstraintSet.DnsMatch(constraint, name, excluded));
    }
}
