using System.Diagnostics;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Tests.Connection;
using ManagedTls.X509;
using Org.BouncyCastle.Math;
using static ManagedTls.Tests.X509.TestPki;

namespace ManagedTls.Tests.X509;

/// <summary>
/// The peer's leaf in a TLS 1.3 handshake, from both sides: an RSA key outside the bounds is refused as soon as the
/// Certificate message is read, with verification on or off, before any arithmetic is done with it; a keyUsage
/// without digitalSignature is refused by verification (and only by verification).
/// </summary>
public class PeerLeafHandshakeTests
{
    private static readonly Lazy<Node> PeerRoot = new(() => Root("peer-key root"));

    private static TlsConfig Client(bool verify) => ConnectionTestKit.Client() with
    {
        Trust = new TrustStore([PeerRoot.Value.Der]),
        VerifyPeer = verify,
        CheckHostname = verify,
    };

    /// <summary>A P-256 key pair for the leaves built here, and the same private key as the engine loads it.</summary>
    private static readonly Lazy<(Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair Pair, PrivateKey Key)> LeafKey = new(() =>
    {
        var pair = EcKey();
        return (pair, PrivateKey.FromDer(Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded()));
    });

    private static TlsConfig Server(byte[] leafDer) => ConnectionTestKit.Server() with
    {
        CertificateChain = [leafDer],
        PrivateKey = LeafKey.Value.Key,
        Trust = new TrustStore([PeerRoot.Value.Der]),
    };

    private static Node RsaLeaf(BigInteger modulus, BigInteger exponent) =>
        Leaf(PeerRoot.Value, ConnectionTestKit.HostName, s => s.PublicKeyInfo = RsaSpki(modulus, exponent), ConnectionTestKit.HostName);

    public static TheoryData<int, string, bool> OutOfBoundsKeys => new()
    {
        { 32768, "65537", true },
        { 32768, "65537", false },
        { 16384, "huge", true },
        { 16384, "huge", false },
        { 2048, "1", false },
        { 2048, "4294967297", false },
    };

    [Theory]
    [MemberData(nameof(OutOfBoundsKeys))]
    public void ServerLeafKeyOutOfBounds_IsBadCertificate_Quickly(int bits, string exponent, bool verify)
    {
        BigInteger n = FakeModulus(bits, seed: bits + exponent.Length + (verify ? 1000 : 0));
        Node leaf = RsaLeaf(n, exponent == "huge" ? n.Subtract(BigInteger.Two) : new BigInteger(exponent));
        var sw = Stopwatch.StartNew();
        using var pair = new ConnectionPair(Client(verify), Server(leaf.Der));
        pair.Pump();
        Assert.NotNull(pair.ClientError);
        Assert.Equal(AlertDescription.BadCertificate, pair.ClientError!.Description);
        Assert.False(pair.Client.IsHandshakeComplete);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed.TotalMilliseconds} ms");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ClientLeafKeyOutOfBounds_IsBadCertificate_Quickly(bool verify)
    {
        BigInteger n = FakeModulus(16384, seed: verify ? 77 : 78);
        Node leaf = RsaLeaf(n, n.Subtract(BigInteger.Two));
        var sw = Stopwatch.StartNew();
        using var pair = new ConnectionPair(
            Client(verify: false) with { CertificateChain = [leaf.Der], PrivateKey = LeafKey.Value.Key },
            ConnectionTestKit.Server() with
            {
                Trust = new TrustStore([PeerRoot.Value.Der]),
                RequestClientCertificate = true,
                VerifyPeer = verify,
            });
        pair.Pump();
        Assert.NotNull(pair.ServerError);
        Assert.Equal(AlertDescription.BadCertificate, pair.ServerError!.Description);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed.TotalMilliseconds} ms");
    }

    private static Node EcLeaf(int keyUsage) =>
        Leaf(PeerRoot.Value, ConnectionTestKit.HostName, s => { s.Key = LeafKey.Value.Pair; s.KeyUsage = keyUsage; }, ConnectionTestKit.HostName);

    [Theory]
    [InlineData(Org.BouncyCastle.Asn1.X509.KeyUsage.KeyEncipherment)]
    [InlineData(Org.BouncyCastle.Asn1.X509.KeyUsage.KeyAgreement)]
    public void ServerLeafWithoutDigitalSignature_IsUnsupportedCertificate_WhenVerifying(int keyUsage)
    {
        using var pair = new ConnectionPair(Client(verify: true), Server(EcLeaf(keyUsage).Der));
        pair.Pump();
        Assert.Equal(AlertDescription.UnsupportedCertificate, pair.ClientError?.Description);
        Assert.Equal(VerifyError.InvalidPurpose, pair.Client.VerifyResult!.Error);
    }

    [Fact]
    public void ServerLeafWithoutDigitalSignature_IsAccepted_WithVerificationOff()
    {
        using var pair = new ConnectionPair(Client(verify: false), Server(EcLeaf(Org.BouncyCastle.Asn1.X509.KeyUsage.KeyEncipherment).Der));
        pair.Handshake();
    }

    [Fact]
    public void ServerLeafWithDigitalSignature_IsAccepted()
    {
        using var pair = new ConnectionPair(Client(verify: true), Server(EcLeaf(Org.BouncyCastle.Asn1.X509.KeyUsage.DigitalSignature | Org.BouncyCastle.Asn1.X509.KeyUsage.KeyEncipherment).Der));
        pair.Handshake();
        Assert.True(pair.Client.VerifyResult!.IsValid);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ClientLeafWithoutDigitalSignature_IsRefusedOnlyWhenTheServerVerifies(bool verify)
    {
        using var pair = new ConnectionPair(
            Client(verify: false) with
            {
                CertificateChain = [EcLeaf(Org.BouncyCastle.Asn1.X509.KeyUsage.KeyAgreement).Der],
                PrivateKey = LeafKey.Value.Key,
            },
            ConnectionTestKit.Server() with
            {
                Trust = new TrustStore([PeerRoot.Value.Der]),
                RequestClientCertificate = true,
                RequireClientCertificate = verify,
                VerifyPeer = verify,
            });
        pair.Pump();
        if (verify)
        {
            Assert.Equal(AlertDescription.UnsupportedCertificate, pair.ServerError?.Description);
            Assert.Equal(VerifyError.InvalidPurpose, pair.Server.VerifyResult!.Error);
        }
        else
        {
            Assert.Null(pair.ServerError);
            Assert.True(pair.Server.IsHandshakeComplete);
        }
    }
}
