using System.Diagnostics;
using ManagedTls.Crypto;
using ManagedTls.Tests.X509;
using Org.BouncyCastle.Math;

namespace ManagedTls.Tests.Crypto;

/// <summary>RSA public keys read from a SubjectPublicKeyInfo are bounded before they are used.</summary>
public class RsaPublicKeyLimitTests
{
    private static PublicKey Parse(BigInteger modulus, BigInteger exponent) =>
        PublicKey.FromSubjectPublicKeyInfo(TestPki.RsaSpki(modulus, exponent).GetDerEncoded());

    [Theory]
    [InlineData(512)]
    [InlineData(2048)]
    [InlineData(16384)]
    public void ModulusWithinBounds_IsAccepted(int bits)
    {
        PublicKey key = Parse(TestPki.FakeModulus(bits, seed: 7), BigInteger.ValueOf(65537));
        Assert.Equal(bits, key.Bits);
    }

    [Theory]
    [InlineData(511)]
    [InlineData(16385)]
    [InlineData(32768)]
    public void ModulusOutOfBounds_IsRefused(int bits)
    {
        var e = Assert.Throws<KeyFormatException>(() => Parse(TestPki.FakeModulus(bits, seed: 7), BigInteger.ValueOf(65537)));
        Assert.Equal(KeyFormatError.OutOfBounds, e.Reason);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("65536")]
    [InlineData("4294967296")]
    [InlineData("4294967297")]
    [InlineData("18446744073709551617")]
    public void ExponentOutOfBounds_IsRefused(string exponent)
    {
        var e = Assert.Throws<KeyFormatException>(() => Parse(TestPki.FakeModulus(2048, seed: 8), new BigInteger(exponent)));
        Assert.Equal(KeyFormatError.OutOfBounds, e.Reason);
    }

    [Fact]
    public void HugeExponent_IsRefusedQuickly()
    {
        BigInteger n = TestPki.FakeModulus(16384, seed: 9);
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<KeyFormatException>(() => Parse(n, n.Subtract(BigInteger.Two)));
        Assert.Equal(KeyFormatError.OutOfBounds, e.Reason);
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(500), $"took {sw.Elapsed.TotalMilliseconds} ms");
    }

    [Theory]
    [InlineData("3")]
    [InlineData("4294967295")]
    public void ExponentAtTheEdges_IsAccepted(string exponent)
    {
        Assert.Equal(2048, Parse(TestPki.FakeModulus(2048, seed: 10), new BigInteger(exponent)).Bits);
    }

    [Fact]
    public void A16384BitModulus_IsNotPrimeTested()
    {
        // The modulus of a peer's key is used only to check its owner's signatures, so it is not proven composite:
        // a Miller-Rabin test on a fresh 16384-bit modulus took seconds of work for every new certificate.
        BigInteger n = TestPki.FakeModulus(16384, seed: Environment.TickCount);
        var sw = Stopwatch.StartNew();
        Parse(n, BigInteger.ValueOf(65537));
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(500), $"took {sw.Elapsed.TotalMilliseconds} ms");
    }
}
