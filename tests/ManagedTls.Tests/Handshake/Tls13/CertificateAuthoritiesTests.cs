using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Tests.Connection;
using ManagedTls.Tests.X509;
using ManagedTls.X509;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.Tests.Handshake.Tls13;

public class CertificateAuthoritiesTests
{
    private static byte[] SubjectOf(byte[] der) => new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(der).SubjectDN.GetDerEncoded();

    [Fact]
    public void CertificateRequestNamesTheTrustAnchorsAndTheClientStillAuthenticates()
    {
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.Ed25519);
        TlsConfig server = ConnectionTestKit.Server() with
        {
            RequestClientCertificate = true,
            Trust = new TrustStore([ConnectionTestKit.RootDer, ConnectionTestKit.OtherRootDer, ConnectionTestKit.RootDer]),
        };
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { CertificateChain = [der], PrivateKey = key }, server);
        pair.Handshake();
        Assert.Equal([SubjectOf(ConnectionTestKit.RootDer), SubjectOf(ConnectionTestKit.OtherRootDer)], pair.Client.CertificateAuthorities);
        Assert.Equal(der, pair.Server.PeerCertificateChain[0]);
        Assert.True(pair.Server.VerifyResult!.IsValid);
    }

    [Fact]
    public void NoAnchorsNoExtension()
    {
        TlsConfig server = ConnectionTestKit.Server() with { RequestClientCertificate = true, Trust = new TrustStore([]) };
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), server);
        pair.Handshake();
        Assert.Empty(pair.Client.CertificateAuthorities);
    }

    [Fact]
    public void TurnedOffNoExtension()
    {
        TlsConfig server = ConnectionTestKit.Server() with { RequestClientCertificate = true, SendCertificateAuthorities = false };
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), server);
        pair.Handshake();
        Assert.Empty(pair.Client.CertificateAuthorities);
    }

    [Fact]
    public void ANameListOverTheLengthLimitIsLeftOut()
    {
        // Nine anchors with 8000-byte subjects: 72 KB of names cannot fit in the 2^16 - 1 byte extensions block.
        var anchors = Enumerable.Range(0, 9)
            .Select(i => TestPki.Root("big", s => s.Subject = new X509Name($"CN=big{i},OU={new string('a', 8000)}")).Der)
            .ToList();
        Assert.True(anchors.Sum(a => SubjectOf(a).Length) > 0xFFFF);
        TlsConfig server = ConnectionTestKit.Server() with { RequestClientCertificate = true, Trust = new TrustStore(anchors) };
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), server);
        pair.Handshake();
        Assert.Empty(pair.Client.CertificateAuthorities);

        // Seven of them (56 KB) still fit.
        TlsConfig fits = server with { Trust = new TrustStore(anchors.Take(7)) };
        using var second = new ConnectionPair(ConnectionTestKit.Client(), fits);
        second.Handshake();
        Assert.Equal(7, second.Client.CertificateAuthorities.Count);
    }

    [Fact]
    public void WithoutACertificateRequestThereAreNone()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server());
        pair.Handshake();
        Assert.Empty(pair.Client.CertificateAuthorities);
    }
}
