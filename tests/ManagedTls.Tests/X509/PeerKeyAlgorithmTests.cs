using ManagedTls.Crypto;
using ManagedTls.X509;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using static ManagedTls.Tests.X509.CertificateVerifierTests;
using static ManagedTls.Tests.X509.TestPki;

namespace ManagedTls.Tests.X509;

/// <summary>
/// Keys of other kinds than RSA whose decoding would run arithmetic of a size the certificate chooses: DSA (its y is
/// raised to q modulo p to check it) and elliptic-curve keys with explicit parameters (the field prime is tested for
/// primality and the point multiplied by the given order). Neither is decoded from a peer any more.
/// </summary>
public class PeerKeyAlgorithmTests
{
    private static readonly Lazy<Node> KeyRoot = new(() => Root("key-algorithm root"));

    /// <summary>A DSA key with 16384-bit p and q: checking y^q mod p costs a 16384-bit exponentiation.</summary>
    private static SubjectPublicKeyInfo HugeDsaSpki(int seed)
    {
        BigInteger p = FakeModulus(16384, seed);
        BigInteger q = FakeModulus(16000, seed + 1);
        return new SubjectPublicKeyInfo(
            new AlgorithmIdentifier(X9ObjectIdentifiers.IdDsa, new DsaParameter(p, q, BigInteger.ValueOf(4))),
            new DerInteger(FakeModulus(16000, seed + 2)));
    }

    /// <summary>P-256's parameters written out explicitly, with another order and a cofactor.</summary>
    private static SubjectPublicKeyInfo ExplicitCurveSpki(BigInteger? order = null, BigInteger? cofactor = null)
    {
        X9ECParameters p256 = ECNamedCurveTable.GetByName("P-256");
        var pair = EcKey();
        var explicitParameters = new X9ECParameters(p256.Curve, p256.BaseEntry, order ?? p256.N, cofactor ?? p256.H, p256.GetSeed());
        var point = ((ECPublicKeyParameters)pair.Public).Q.GetEncoded(false);
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, explicitParameters), point);
    }

    [Fact]
    public void DsaKeyWithHugeParameters_IsNotDecodedFromAPeer()
    {
        SubjectPublicKeyInfo spki = HugeDsaSpki(21);
        var (e, elapsed) = Timed(() => Assert.Throws<KeyFormatException>(() => PublicKey.FromSubjectPublicKeyInfo(spki.GetDerEncoded())));
        Assert.Equal(KeyFormatError.Unsupported, e.Reason);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), $"took {elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void DsaKeysWithHugeParameters_InAChain_AreJudgedOnTheirSizeOnly()
    {
        Node leaf = Leaf(KeyRoot.Value, "leaf", s => s.PublicKeyInfo = HugeDsaSpki(31), "a.example");
        Node ica = Ca(KeyRoot.Value, "dsa ica", s => s.PublicKeyInfo = HugeDsaSpki(41));
        Node below = Leaf(ica, "leaf", s => s.FakeSignatureLength = 64, "a.example");
        var ((atLevel2, atLevel1, ca), elapsed) = Timed(() => (
            Verify(leaf, [], [KeyRoot.Value]),
            Verify(leaf, [], [KeyRoot.Value], q => q.SecurityLevel = 1),
            Verify(below, [ica], [KeyRoot.Value])));
        Assert.Equal(VerifyError.EeKeyTooSmall, atLevel2.Error);
        Assert.True(atLevel1.IsValid, atLevel1.Detail); // level 1 accepts a DSA leaf of 1024 bits or more; nothing is computed with it
        Assert.Equal(VerifyError.CaKeyTooSmall, ca.Error);
        Assert.Equal(1, ca.ErrorDepth);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void ExplicitCurveParametersOfP256_AreStillAccepted()
    {
        PublicKey key = PublicKey.FromSubjectPublicKeyInfo(ExplicitCurveSpki().GetDerEncoded());
        Assert.Equal(EcCurve.P256, key.Curve);
    }

    [Fact]
    public void ExplicitCurveWithAHugeOrder_IsRefusedQuickly()
    {
        // With a cofactor other than 1 BouncyCastle checks the point by multiplying it by the order: 200,000 bits here.
        BigInteger order = FakeModulus(200_000, 51);
        SubjectPublicKeyInfo spki = ExplicitCurveSpki(order, BigInteger.Two);
        var (e, elapsed) = Timed(() => Assert.Throws<KeyFormatException>(() => PublicKey.FromSubjectPublicKeyInfo(spki.GetDerEncoded())));
        Assert.Equal(KeyFormatError.Unsupported, e.Reason);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), $"took {elapsed.TotalMilliseconds} ms");

        Node leaf = Leaf(KeyRoot.Value, "leaf", s => s.PublicKeyInfo = spki, "a.example");
        Assert.Equal(VerifyError.EcKeyExplicitParams, Verify(leaf, [], [KeyRoot.Value]).Error);
    }
}
