using ManagedTls.X509;
using Org.BouncyCastle.Math;
using static ManagedTls.Tests.X509.CertificateVerifierTests;
using static ManagedTls.Tests.X509.TestPki;

namespace ManagedTls.Tests.X509;

/// <summary>
/// RSA keys from certificates are bounded before any arithmetic is done with them: modulus 512 to 16384 bits,
/// public exponent odd, at least 3 and at most 2^32; and a candidate issuer's key must pass the key policy before
/// path building checks a signature with it.
/// </summary>
public class RsaKeyLimitTests
{
    private static readonly BigInteger F4 = BigInteger.ValueOf(65537);

    private static readonly Lazy<Node> EcRoot = new(() => Root("rsa-limits root"));

    /// <summary>An intermediate with a made-up RSA key, and a leaf "signed" by it with a signature as long as its modulus.</summary>
    private static (Node Ica, Node Leaf) ChainWithCaKey(BigInteger modulus, BigInteger exponent)
    {
        Node ica = Ca(EcRoot.Value, "big-key ica", s => s.PublicKeyInfo = RsaSpki(modulus, exponent));
        Node leaf = Leaf(ica, "leaf", s => s.FakeSignatureLength = (modulus.BitLength + 7) / 8, "a.example");
        return (ica, leaf);
    }

    /// <summary>The chain fails on the intermediate's key (67 at depth 1), within <paramref name="bound"/>.</summary>
    private static VerifyResult AssertCaKeyRefused(Node ica, Node leaf, TimeSpan bound)
    {
        var (r, elapsed) = Timed(() => Verify(leaf, [ica], [EcRoot.Value]));
        Assert.Equal(VerifyError.CaKeyTooSmall, r.Error);
        Assert.Equal(1, r.ErrorDepth);
        Assert.True(elapsed < bound, $"took {elapsed.TotalMilliseconds} ms");
        return r;
    }

    [Fact]
    public void Intermediate_With32768BitModulus_FailsWithin100Milliseconds()
    {
        // Before the bound this chain cost one 32768-bit exponentiation with a 32767-bit exponent (measured: about 80 s
        // of CPU, 4 min 20 s on a loaded two-core machine); the key is now refused before any arithmetic (about 5 ms).
        BigInteger n = FakeModulus(32768);
        var (ica, leaf) = ChainWithCaKey(n, n.Subtract(BigInteger.Two));
        Verify(Leaf(EcRoot.Value, "warm-up", null, "a.example"), [], [EcRoot.Value]); // JIT and caches, outside the measure
        AssertCaKeyRefused(ica, leaf, TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData(16385)]
    [InlineData(32768)]
    public void CaModulusOverTheMaximum_IsRefusedBeforeItsSignatureIsChecked(int bits)
    {
        var (ica, leaf) = ChainWithCaKey(FakeModulus(bits), F4);
        Assert.Contains("16384", AssertCaKeyRefused(ica, leaf, TimeSpan.FromSeconds(1)).Detail);
    }

    [Fact]
    public void CaModulusOfExactly16384Bits_PassesTheKeyPolicy_AndReachesTheSignatureCheck()
    {
        var (ica, leaf) = ChainWithCaKey(FakeModulus(16384), F4);
        VerifyResult r = Verify(leaf, [ica], [EcRoot.Value]);
        Assert.Equal(VerifyError.CertSignatureFailure, r.Error);
        Assert.Equal(0, r.ErrorDepth);
    }

    [Fact]
    public void LeafModulus_16384BitsVerifies_LargerIsRefused()
    {
        Node ok = Leaf(EcRoot.Value, "leaf", s => s.PublicKeyInfo = RsaSpki(FakeModulus(16384), F4), "a.example");
        Assert.True(Verify(ok, [], [EcRoot.Value]).IsValid);
        foreach (int bits in new[] { 16385, 16392 })
        {
            Node big = Leaf(EcRoot.Value, "leaf", s => s.PublicKeyInfo = RsaSpki(FakeModulus(bits), F4), "a.example");
            VerifyResult r = Verify(big, [], [EcRoot.Value]);
            Assert.Equal(VerifyError.EeKeyTooSmall, r.Error);
            Assert.Equal(0, r.ErrorDepth);
            Assert.Contains("16384", r.Detail);
        }
    }

    public static TheoryData<string> BadExponents => new()
    {
        "1",
        "2",
        "65536",
        "4294967296", // 2^32, even
        "4294967297", // 2^32 + 1
        "18446744073709551617", // 2^64 + 1
        "huge",
    };

    private static BigInteger Exponent(string text, BigInteger modulus) =>
        text == "huge" ? modulus.Subtract(BigInteger.Two) : new BigInteger(text);

    [Theory]
    [MemberData(nameof(BadExponents))]
    public void CaExponentOutOfBounds_IsRefusedQuickly(string exponent)
    {
        BigInteger n = FakeModulus(4096);
        var (ica, leaf) = ChainWithCaKey(n, Exponent(exponent, n));
        AssertCaKeyRefused(ica, leaf, TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("65537")]
    [InlineData("4294967295")] // 2^32 - 1, the largest odd exponent within the bound
    public void CaExponentWithinBounds_ReachesTheSignatureCheck(string exponent)
    {
        var (ica, leaf) = ChainWithCaKey(FakeModulus(2048), new BigInteger(exponent));
        Assert.Equal(VerifyError.CertSignatureFailure, Verify(leaf, [ica], [EcRoot.Value]).Error);
    }

    [Theory]
    [MemberData(nameof(BadExponents))]
    public void LeafExponentOutOfBounds_IsEeKeyTooSmall(string exponent)
    {
        BigInteger n = FakeModulus(2048);
        Node leaf = Leaf(EcRoot.Value, "leaf", s => s.PublicKeyInfo = RsaSpki(n, Exponent(exponent, n)), "a.example");
        Assert.Equal(VerifyError.EeKeyTooSmall, Verify(leaf, [], [EcRoot.Value]).Error);
    }

    [Fact]
    public void CaKeyUnderTheSecurityLevel_IsRefusedBeforeItsSignatureIsChecked()
    {
        // A 1024-bit CA at level 2 is refused on its size, not on the (bad) signature of its child.
        var (ica, leaf) = ChainWithCaKey(FakeModulus(1024), F4);
        AssertCaKeyRefused(ica, leaf, TimeSpan.FromSeconds(1));
        Assert.Equal(VerifyError.CertSignatureFailure, Verify(leaf, [ica], [EcRoot.Value], q => q.SecurityLevel = 1).Error);
    }

    [Fact]
    public void ManyLookAlikeCasWithHugeKeys_EndQuickly()
    {
        // Twenty intermediates sharing one subject, each with a 16384-bit key and an exponent over the bound,
        // and a leaf whose signature is as long as their moduli: path building would try every one of them.
        BigInteger n = FakeModulus(16384);
        Node[] cas = Enumerable.Range(0, 20).Select(i =>
            Ca(EcRoot.Value, "look-alike", s => { s.PublicKeyInfo = RsaSpki(FakeModulus(16384, seed: i + 2), n.Subtract(BigInteger.Two)); s.NoSki = true; })).ToArray();
        Node leaf = Leaf(cas[0], "leaf", s => { s.FakeSignatureLength = 2048; s.NoAki = true; }, "a.example");
        var (r, elapsed) = Timed(() => Verify(leaf, cas, [EcRoot.Value]));
        Assert.False(r.IsValid);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void LookAlikeCasWithTheLargestAllowedKeys_SpendTheBudgetByKeySize()
    {
        // Forty intermediates sharing one subject, each with a 16384-bit key inside the bounds: each signature check
        // costs about 20 ms, so counting checks alone (200) would let this chain cost seconds. Weighted by key size
        // (64 units each), the budget of 200 allows four.
        Node[] cas = Enumerable.Range(0, 40).Select(i =>
            Ca(EcRoot.Value, "look-alike", s => { s.PublicKeyInfo = RsaSpki(FakeModulus(16384, seed: i + 100), F4); s.NoSki = true; })).ToArray();
        Node leaf = Leaf(cas[0], "leaf", s => { s.FakeSignatureLength = 2048; s.NoAki = true; }, "a.example");
        var (r, elapsed) = Timed(() => Verify(leaf, cas, [EcRoot.Value]));
        Assert.False(r.IsValid);
        Assert.InRange(r.Work.SignatureVerifications, 1, 4);

        // The work count above is the guarantee. The clock only catches some other cost growing by an order of
        // magnitude: four checks take about 80 ms on an idle core, and a shared 2-core machine at a load of 50 has
        // measured 3.3 s, so the bound leaves room for that.
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.TotalMilliseconds} ms");
    }
}
