using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ManagedTls.Crypto;

namespace ManagedTls.Tests.Crypto;

public class KeyExchangeTests
{
    private static KeyExchangeAlgorithm ByName(string name) => KeyExchanges.All.Single(k => k.Name == name);

    public static TheoryData<string> AllNames() => new(KeyExchanges.All.Select(k => k.Name));

    private static ReplayEntropy Seeded(string label) => new(Hashes.Compute(HashAlgorithm.Sha512, System.Text.Encoding.UTF8.GetBytes(label)), repeat: true);

    private static void AssertIllegal(Action action)
    {
        var e = Assert.Throws<TlsAlertException>(action);
        Assert.Equal(AlertDescription.IllegalParameter, e.Description);
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void InitiatorAndResponderAgree(string name)
    {
        KeyExchangeAlgorithm kx = ByName(name);
        using IKeyExchange initiator = kx.Generate(OsEntropy.Instance);
        Assert.Equal(kx.InitiatorShareSize, initiator.PublicShare.Length);
        using KeyExchangeResponse response = kx.Respond(initiator.PublicShare, OsEntropy.Instance);
        Assert.Equal(kx.ResponderShareSize, response.Share.Length);
        Assert.Equal(kx.SharedSecretSize, response.SharedSecret.Length);
        byte[] secret = initiator.DeriveSharedSecret(response.Share);
        Assert.Equal(response.SharedSecret, secret);
        Assert.Contains(secret, b => b != 0);
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void WrongShareLengthsAreIllegalParameter(string name)
    {
        KeyExchangeAlgorithm kx = ByName(name);
        using IKeyExchange initiator = kx.Generate(OsEntropy.Instance);
        foreach (int delta in new[] { -1, 1 })
        {
            AssertIllegal(() => kx.Respond(new byte[kx.InitiatorShareSize + delta], OsEntropy.Instance));
            AssertIllegal(() => initiator.DeriveSharedSecret(new byte[kx.ResponderShareSize + delta]));
        }

        AssertIllegal(() => kx.Respond([], OsEntropy.Instance));
        AssertIllegal(() => initiator.DeriveSharedSecret([]));
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void SameEntropyGivesSameShare(string name)
    {
        KeyExchangeAlgorithm kx = ByName(name);
        using IKeyExchange a = kx.Generate(Seeded("same " + name));
        using IKeyExchange b = kx.Generate(Seeded("same " + name));
        using IKeyExchange c = kx.Generate(Seeded("other " + name));
        Assert.Equal(a.PublicShare.ToArray(), b.PublicShare.ToArray());
        Assert.NotEqual(a.PublicShare.ToArray(), c.PublicShare.ToArray());
    }

    [Theory]
    [InlineData("x25519", "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("x25519", "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("x25519", "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")] // order 8
    [InlineData("x25519", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // p - 1
    [InlineData("x448", "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("x448", "0100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void SmallOrderMontgomeryPointsGiveAllZeroSecretAndAreRejected(string name, string pointHex)
    {
        KeyExchangeAlgorithm kx = ByName(name);
        byte[] point = CryptoUtil.FromHex(pointHex);
        using IKeyExchange initiator = kx.Generate(OsEntropy.Instance);
        AssertIllegal(() => initiator.DeriveSharedSecret(point));
        AssertIllegal(() => kx.Respond(point, OsEntropy.Instance));
    }

    [Theory]
    [InlineData("secp256r1")]
    [InlineData("secp384r1")]
    [InlineData("secp521r1")]
    public void InvalidCurvePointsAreIllegalParameter(string name)
    {
        KeyExchangeAlgorithm kx = ByName(name);
        using IKeyExchange initiator = kx.Generate(OsEntropy.Instance);
        byte[] valid = initiator.PublicShare.ToArray();
        int coordinate = (valid.Length - 1) / 2;

        // Off the curve: y + 1.
        byte[] offCurve = (byte[])valid.Clone();
        offCurve[^1] ^= 0x01;
        AssertIllegal(() => kx.Respond(offCurve, OsEntropy.Instance));
        AssertIllegal(() => initiator.DeriveSharedSecret(offCurve));

        // Compressed, hybrid and infinity forms are refused even at the right length.
        foreach (byte form in new byte[] { 0x00, 0x02, 0x03, 0x06, 0x07 })
        {
            byte[] other = (byte[])valid.Clone();
            other[0] = form;
            AssertIllegal(() => kx.Respond(other, OsEntropy.Instance));
        }

        // The point at infinity: its one-byte encoding, and the all-zero "uncompressed" coordinates.
        AssertIllegal(() => kx.Respond([0x00], OsEntropy.Instance));
        AssertIllegal(() => initiator.DeriveSharedSecret([0x00]));
        byte[] zeros = new byte[valid.Length];
        zeros[0] = 0x04;
        AssertIllegal(() => kx.Respond(zeros, OsEntropy.Instance));
        AssertIllegal(() => initiator.DeriveSharedSecret(zeros));

        // Coordinates at or above the field prime.
        byte[] large = Enumerable.Repeat((byte)0xff, valid.Length).ToArray();
        large[0] = 0x04;
        AssertIllegal(() => kx.Respond(large, OsEntropy.Instance));

        // A compressed point of the compressed length is a wrong length.
        byte[] compressed = valid.AsSpan(0, 1 + coordinate).ToArray();
        compressed[0] = (byte)(2 + (valid[^1] & 1));
        AssertIllegal(() => kx.Respond(compressed, OsEntropy.Instance));
    }

    public static TheoryData<string> FfdheNames() => new("ffdhe2048", "ffdhe3072");

    [Theory]
    [MemberData(nameof(FfdheNames))]
    public void FiniteFieldPublicValuesOutOfRangeAreIllegalParameter(string name)
    {
        var kx = (FiniteFieldKeyExchange)ByName(name);
        using IKeyExchange initiator = kx.Generate(OsEntropy.Instance);
        byte[] p = kx.Prime;
        byte[] pMinusOne = (byte[])p.Clone();
        pMinusOne[^1] -= 1; // p is odd
        byte[] one = new byte[p.Length];
        one[^1] = 1;
        byte[] zero = new byte[p.Length];
        byte[] allOnes = Enumerable.Repeat((byte)0xff, p.Length).ToArray();
        foreach (byte[] bad in new[] { zero, one, pMinusOne, p, allOnes })
        {
            AssertIllegal(() => kx.Respond(bad, OsEntropy.Instance));
            AssertIllegal(() => initiator.DeriveSharedSecret(bad));
            AssertIllegal(() => kx.RespondTls12(bad, OsEntropy.Instance));
            AssertIllegal(() => FiniteFieldKeyExchange.DeriveTls12(initiator, bad));
        }

        // TLS 1.2 accepts values shorter than |p|, TLS 1.3 does not; neither accepts empty or longer ones.
        byte[] two = [2];
        AssertIllegal(() => kx.Respond(two, OsEntropy.Instance));
        using (KeyExchangeResponse r = kx.RespondTls12(two, OsEntropy.Instance))
        {
            Assert.Equal(p.Length, r.Share.Length);
        }

        AssertIllegal(() => kx.RespondTls12([], OsEntropy.Instance));
        AssertIllegal(() => kx.RespondTls12(new byte[p.Length + 1], OsEntropy.Instance));
        AssertIllegal(() => FiniteFieldKeyExchange.DeriveTls12(initiator, []));
    }

    [Fact]
    public void Tls12ShortPublicValueAgreesWithPaddedForm()
    {
        FiniteFieldKeyExchange kx = KeyExchanges.Ffdhe2048;
        using IKeyExchange server = kx.Generate(OsEntropy.Instance);
        byte[] serverY = server.PublicShare.ToArray();
        int zeros = 0;
        while (serverY[zeros] == 0)
        {
            zeros++;
        }

        using KeyExchangeResponse client = kx.RespondTls12(serverY.AsSpan(zeros), OsEntropy.Instance);
        byte[] clientY = client.Share;
        int clientZeros = 0;
        while (clientY[clientZeros] == 0)
        {
            clientZeros++;
        }

        byte[] serverSecret = FiniteFieldKeyExchange.DeriveTls12(server, clientY.AsSpan(clientZeros));
        Assert.Equal(client.SharedSecret, serverSecret);
        byte[] premaster = kx.ToTls12PremasterSecret((byte[])serverSecret.Clone());
        Assert.NotEqual(0, premaster[0]);
        Assert.Equal(serverSecret.SkipWhile(b => b == 0).ToArray(), premaster);
    }

    [Fact]
    public void PremasterStrippingKeepsOtherFamiliesUnchanged()
    {
        byte[] secret = [0, 0, 1, 2];
        Assert.Same(secret, KeyExchanges.X25519.ToTls12PremasterSecret(secret));
        Assert.Equal(new byte[] { 1, 2 }, KeyExchanges.Ffdhe2048.ToTls12PremasterSecret([0, 0, 1, 2]));
        Assert.Equal(new byte[] { 0 }, KeyExchanges.Ffdhe2048.ToTls12PremasterSecret([0, 0]));
    }

    [Fact]
    public void ServerChosenDhParametersAreValidated()
    {
        FiniteFieldKeyExchange ffdhe2048 = KeyExchanges.Ffdhe2048;
        byte[] p = ffdhe2048.Prime;

        // A known group is recognised as the named one.
        Assert.Same(ffdhe2048, FiniteFieldKeyExchange.FromServerParameters(p, [2]));

        // An unknown but well-formed 2048-bit group works end to end with full-length exponents.
        byte[] otherPrime = (byte[])p.Clone();
        otherPrime[^2] ^= 0x10;
        FiniteFieldKeyExchange custom = FiniteFieldKeyExchange.FromServerParameters(otherPrime, [5]);
        Assert.Equal(2047, custom.PrivateKeyBits);
        using (IKeyExchange server = custom.Generate(OsEntropy.Instance))
        using (KeyExchangeResponse client = custom.RespondTls12(server.PublicShare, OsEntropy.Instance))
        {
            Assert.Equal(client.SharedSecret, FiniteFieldKeyExchange.DeriveTls12(server, client.Share));
        }

        // Too small by default, allowed with a lower minimum.
        byte[] small = p.AsSpan(0, 128).ToArray();
        small[^1] |= 1;
        var e = Assert.Throws<TlsAlertException>(() => FiniteFieldKeyExchange.FromServerParameters(small, [2]));
        Assert.Equal(AlertDescription.InsufficientSecurity, e.Description);
        Assert.Equal(1024, FiniteFieldKeyExchange.FromServerParameters(small, [2], minimumPrimeBits: 1024).PrimeBits);

        // Even p, generator out of range, absurdly large p.
        byte[] even = (byte[])p.Clone();
        even[^1] &= 0xfe;
        AssertIllegal(() => FiniteFieldKeyExchange.FromServerParameters(even, [2]));
        AssertIllegal(() => FiniteFieldKeyExchange.FromServerParameters(p, []));
        AssertIllegal(() => FiniteFieldKeyExchange.FromServerParameters(p, [0]));
        AssertIllegal(() => FiniteFieldKeyExchange.FromServerParameters(p, [1]));
        byte[] pMinusOne = (byte[])p.Clone();
        pMinusOne[^1] -= 1;
        AssertIllegal(() => FiniteFieldKeyExchange.FromServerParameters(p, pMinusOne));
        AssertIllegal(() => FiniteFieldKeyExchange.FromServerParameters(p, p));
        byte[] huge = Enumerable.Repeat((byte)0xff, 1260).ToArray();
        AssertIllegal(() => FiniteFieldKeyExchange.FromServerParameters(huge, [2]));
        AssertIllegal(() => FiniteFieldKeyExchange.FromServerParameters([], [2]));
    }

    [Fact]
    public void HybridRejectsBadEncapsulationKeyAndZeroX25519()
    {
        KeyExchangeAlgorithm kx = KeyExchanges.X25519MlKem768;
        using IKeyExchange client = kx.Generate(OsEntropy.Instance);
        byte[] share = client.PublicShare.ToArray();

        // FIPS 203 modulus check: the first 12-bit coefficient set to 4095 (>= q = 3329).
        byte[] badKey = (byte[])share.Clone();
        badKey[0] = 0xff;
        badKey[1] |= 0x0f;
        AssertIllegal(() => kx.Respond(badKey, OsEntropy.Instance));

        // The X25519 half is a small-order point.
        byte[] zeroEcdh = (byte[])share.Clone();
        Array.Clear(zeroEcdh, 1184, 32);
        AssertIllegal(() => kx.Respond(zeroEcdh, OsEntropy.Instance));

        using KeyExchangeResponse server = kx.Respond(share, OsEntropy.Instance);
        byte[] reply = (byte[])server.Share.Clone();
        Array.Clear(reply, 1088, 32);
        AssertIllegal(() => client.DeriveSharedSecret(reply));
    }

    [Fact]
    public void HybridTamperedCiphertextGivesDifferentSecret()
    {
        KeyExchangeAlgorithm kx = KeyExchanges.X25519MlKem768;
        using IKeyExchange client = kx.Generate(OsEntropy.Instance);
        using KeyExchangeResponse server = kx.Respond(client.PublicShare, OsEntropy.Instance);
        byte[] tampered = (byte[])server.Share.Clone();
        tampered[0] ^= 0x80;
        byte[] secret = client.DeriveSharedSecret(tampered);
        Assert.NotEqual(server.SharedSecret.AsSpan(0, 32).ToArray(), secret.AsSpan(0, 32).ToArray());
        Assert.Equal(server.SharedSecret.AsSpan(32).ToArray(), secret.AsSpan(32).ToArray());
    }

    [Fact]
    public void DisposeWipesAndRefuses()
    {
        var x25519 = (MontgomeryKeyExchange)KeyExchanges.X25519;
        byte[] privateKey = Hashes.Compute(HashAlgorithm.Sha256, "key"u8);
        IKeyExchange kx = x25519.FromPrivateKey(privateKey);
        byte[] peer = kx.PublicShare.ToArray();
        kx.Dispose();
        Assert.All(privateKey, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => kx.DeriveSharedSecret(peer));

        foreach (KeyExchangeAlgorithm alg in new[] { KeyExchanges.Secp256r1, KeyExchanges.Ffdhe2048, KeyExchanges.X25519MlKem768 })
        {
            IKeyExchange pending = alg.Generate(OsEntropy.Instance);
            byte[] share = new byte[alg.ResponderShareSize];
            pending.Dispose();
            Assert.Throws<ObjectDisposedException>(() => pending.DeriveSharedSecret(share));
        }

        var response = new KeyExchangeResponse([1], [1, 2, 3]);
        response.Dispose();
        Assert.All(response.SharedSecret, b => Assert.Equal(0, b));
    }

    [Fact]
    public void AllRandomnessComesFromTheInjectedSource()
    {
        // The two largest finite-field groups share the code path of ffdhe2048 and only cost time here.
        foreach (KeyExchangeAlgorithm kx in KeyExchanges.All.Where(k => k.InitiatorShareSize < 768 || k.Family == KeyExchangeFamily.Kem))
        {
            using IKeyExchange a = kx.Generate(Seeded("inj " + kx.Name));
            using KeyExchangeResponse r1 = kx.Respond(a.PublicShare, Seeded("resp " + kx.Name));
            using KeyExchangeResponse r2 = kx.Respond(a.PublicShare, Seeded("resp " + kx.Name));
            Assert.Equal(r1.Share, r2.Share);
            Assert.Equal(r1.SharedSecret, r2.SharedSecret);
        }
    }

    /// <summary>Two parties agree for every group, whatever randomness each side has.</summary>
    [Property(MaxTest = 3)]
    public Property EveryGroupAgrees(NonEmptyArray<byte> initiatorSeed, NonEmptyArray<byte> responderSeed)
    {
        return Prop.ToProperty(KeyExchanges.All.All(kx =>
        {
            using IKeyExchange initiator = kx.Generate(new ReplayEntropy(Hashes.Compute(HashAlgorithm.Sha512, initiatorSeed.Get), repeat: true));
            using KeyExchangeResponse response = kx.Respond(initiator.PublicShare, new ReplayEntropy(Hashes.Compute(HashAlgorithm.Sha512, responderSeed.Get), repeat: true));
            return initiator.DeriveSharedSecret(response.Share).AsSpan().SequenceEqual(response.SharedSecret);
        }));
    }
}
