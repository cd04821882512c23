using ManagedTls.Benchmarks.Tls;
using ManagedTls.Handshake;
using ManagedTls.Ssl;
using ManagedTls.X509;
using ManagedTls.X509.Validation;

namespace ManagedTls.Tests.Handshake.Floor;

/// <summary>
/// Decision 0032: connections of an unchanged context share one frozen configuration (and its parsed trust anchors),
/// a changed context freezes anew, and the parse caches give the same parsed objects for the same bytes.
/// </summary>
public sealed class SharedSnapshotTests
{
    [Fact]
    public void AnUnchangedContextFreezesOnceAndAChangedOneAgain()
    {
        SslContext client = HandshakeFloor.ClientContext(FloorRow.FullEcdsaP256);
        TlsConfig first = client.Freeze(serverSide: false);
        Assert.Same(first, client.Freeze(serverSide: false));

        client.SetAlpnProtocols(["h2"]);
        TlsConfig afterAlpn = client.Freeze(serverSide: false);
        Assert.NotSame(first, afterAlpn);
        Assert.Single(afterAlpn.AlpnProtocols);

        client.Options |= SslOptions.NoTicket;
        Assert.NotSame(afterAlpn, client.Freeze(serverSide: false));

        // A certificate added to the store reaches the next snapshot's trust anchors.
        TlsConfig beforeCa = client.Freeze(serverSide: false);
        client.LoadVerifyLocations(cadata: BenchPki.Leaf(ServerKey.Ed25519).CertPem);
        TlsConfig afterCa = client.Freeze(serverSide: false);
        Assert.NotSame(beforeCa, afterCa);
        Assert.Equal(beforeCa.Trust.Anchors.Count + 1, afterCa.Trust.Anchors.Count);
        Assert.Same(afterCa, client.Freeze(serverSide: false));
    }

    [Fact]
    public void AServerNameCallbackMakesASnapshotPerConnection()
    {
        SslContext server = HandshakeFloor.ServerContext(FloorRow.FullEcdsaP256);
        TlsConfig shared = server.Freeze(serverSide: true);
        Assert.Same(shared, server.Freeze(serverSide: true));
        server.SniCallback = (_, _, _) => null;
        Assert.NotSame(server.Freeze(serverSide: true), server.Freeze(serverSide: true));
    }

    [Fact]
    public void ConnectionsOfOneContextShareTheSnapshotForTheirNameAndCredential()
    {
        SslContext client = HandshakeFloor.ClientContext(FloorRow.FullEcdsaP256);
        SslContext server = HandshakeFloor.ServerContext(FloorRow.FullEcdsaP256);
        TlsConfig c = client.Freeze(serverSide: false);
        Assert.Same(c.ForServerName("a.test"), c.ForServerName("a.test"));
        Assert.NotSame(c.ForServerName("a.test"), c.ForServerName("b.test"));
        Assert.Equal("b.test", c.ForServerName("b.test").ServerName);

        TlsConfig s = server.Freeze(serverSide: true);
        Credential credential = Assert.Single(s.ServerCredentials);
        Assert.Same(s.Presenting(credential), s.Presenting(credential));
        Assert.Same(credential.Key, s.Presenting(credential).PrivateKey);

        // A copy made from a snapshot does not answer with what the snapshot made.
        TlsConfig copy = s with { NumTickets = 5 };
        Assert.NotSame(s.Presenting(credential), copy.Presenting(credential));
        Assert.Equal(5, copy.Presenting(credential).NumTickets);

        // Handshakes through the facade still verify and complete with the shared snapshots.
        for (int i = 0; i < 3; i++)
        {
            using var pair = new FacadePeers.Pair(client, server);
            pair.Handshake();
            Assert.True(pair.Client.IsHandshakeComplete && pair.Server.IsHandshakeComplete);
        }
    }

    [Fact]
    public void TrustAnchorsAreParsedOncePerStoreAndStillJudged()
    {
        var trust = new TrustStore([BenchPki.RootDer, [0x30, 0x03, 0x02, 0x01, 0x01]]);
        ParsedAnchors parsed = trust.Parsed;
        Assert.Same(parsed, trust.Parsed);
        Assert.Equal(2, parsed.Keys.Count);
        Assert.Single(parsed.BySubject.Values.SelectMany(v => v));

        VerifyRequest Request(byte[] leaf) => new()
        {
            PeerChain = [leaf],
            Trust = trust,
            Purpose = VerifyPurpose.ServerAuth,
            ExpectedName = PeerName.Dns(BenchPki.HostName),
        };
        Assert.True(CertificateVerifier.Verify(Request(BenchPki.Leaf(ServerKey.EcdsaP256).Der)).IsValid);
        Assert.True(CertificateVerifier.Verify(Request(BenchPki.Leaf(ServerKey.Ed25519).Der)).IsValid);

        // A leaf signed by another CA is refused with the same parsed anchors.
        var otherCa = new ManagedTls.X509.Builder.CertificateBuilder();
        var ca = otherCa.CreateCertificateAuthority("Other Root");
        byte[] stranger = otherCa.CreateLeaf(ca, BenchPki.HostName, [BenchPki.HostName]).CertificateDer;
        Assert.False(CertificateVerifier.Verify(Request(stranger)).IsValid);
    }

    [Fact]
    public void TheParsedCertificateCacheMatchesWholeBytes()
    {
        byte[] der = BenchPki.Leaf(ServerKey.Rsa2048).Der;
        Cert first = ParsedCertCache.Parse(der);
        Assert.Same(first, ParsedCertCache.Parse((byte[])der.Clone()));
        Assert.Same(first, ParsedCertCache.Find((byte[])der.Clone()));
        byte[] changed = (byte[])der.Clone();
        changed[^1] ^= 1;
        Assert.NotSame(first, ParsedCertCache.Find(changed));
    }

    [Fact]
    public void TheReleasedTranscriptRefusesChanges()
    {
        TranscriptHash released = TranscriptHash.Released();
        Assert.Same(released, TranscriptHash.Released());
        Assert.Throws<InvalidOperationException>(() => released.Add([1, 0, 0, 0]));
        Assert.Throws<InvalidOperationException>(() => released.SetAlgorithm(ManagedTls.Crypto.HashAlgorithm.Sha256));
        Assert.Equal(0, released.MessageCount);
    }
}
