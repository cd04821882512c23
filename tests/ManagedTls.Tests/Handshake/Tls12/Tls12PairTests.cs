using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// Our TLS 1.2 client against our TLS 1.2 server, in memory: every suite with each key that can serve it, the version
/// each pair of ranges settles on (or the alert when none), and what both ends report of the same connection.
/// </summary>
public class Tls12PairTests
{
    private static readonly Lazy<(byte[] Der, PrivateKey Key)> RsaLeaf =
        new(() => ConnectionTestKit.CustomLeaf(ServerKeyType.Rsa2048, s => s.KeyUsage = KeyUsage.KeyEncipherment | KeyUsage.DigitalSignature));

    /// <summary>The version pairs of ranges settle on: the highest both enable, or protocol_version.</summary>
    public static TheoryData<ProtocolVersion, ProtocolVersion, ProtocolVersion, ProtocolVersion, ProtocolVersion?> Ranges()
    {
        var data = new TheoryData<ProtocolVersion, ProtocolVersion, ProtocolVersion, ProtocolVersion, ProtocolVersion?>();
        (ProtocolVersion, ProtocolVersion)[] ranges =
        [
            (ProtocolVersion.Tls12, ProtocolVersion.Tls12),
            (ProtocolVersion.Tls12, ProtocolVersion.Tls13),
            (ProtocolVersion.Tls13, ProtocolVersion.Tls13),
        ];
        foreach ((ProtocolVersion cMin, ProtocolVersion cMax) in ranges)
        {
            foreach ((ProtocolVersion sMin, ProtocolVersion sMax) in ranges)
            {
                ushort high = Math.Min((ushort)cMax, (ushort)sMax);
                ushort low = Math.Max((ushort)cMin, (ushort)sMin);
                data.Add(cMin, cMax, sMin, sMax, low <= high ? (ProtocolVersion)high : null);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Tls12ServerHandshakeTests.SuitesAndKeys), MemberType = typeof(Tls12ServerHandshakeTests))]
    public void EverySuiteCompletesBetweenOurClientAndServer(string suiteName, ServerKeyType key)
    {
        CipherSuiteInfo suite = CipherSuiteRegistry.FindByIanaName(suiteName)!;
        TlsConfig client = Range(ConnectionTestKit.Client(), ProtocolVersion.Tls12, ProtocolVersion.Tls12) with { Tls12CipherSuites = [suite] };
        TlsConfig server = Range(ConnectionTestKit.Server(key), ProtocolVersion.Tls12, ProtocolVersion.Tls12) with { DhParameters = KeyExchanges.Ffdhe2048, Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites };
        if (key == ServerKeyType.Rsa2048)
        {
            // RSA key transport needs keyEncipherment in a leaf that has keyUsage (RFC 5246 section 7.4.2).
            var (der, leafKey) = RsaLeaf.Value;
            server = server with { CertificateChain = [der], PrivateKey = leafKey };
        }

        using var pair = new ConnectionPair(client, server);
        pair.Handshake();

        Assert.Equal(ProtocolVersion.Tls12, pair.Client.Version);
        Assert.Equal(ProtocolVersion.Tls12, pair.Server.Version);
        Assert.Equal(suite, pair.Client.CipherSuite);
        Assert.Equal(suite, pair.Server.CipherSuite);
        Assert.True(pair.Client.VerifyResult!.IsValid);

        // One connection: the same tls-unique (RFC 5929: the first Finished, the client's) and the same exported keys.
        byte[] unique = pair.Client.GetChannelBinding("tls-unique")!;
        Assert.Equal(12, unique.Length);
        Assert.Equal(unique, pair.Server.GetChannelBinding("tls-unique"));
        Assert.Equal(pair.Client.ExportKeyingMaterial("EXPORTER-test", [1, 2, 3], 32), pair.Server.ExportKeyingMaterial("EXPORTER-test", [1, 2, 3], 32));

        // Data both ways, larger than one record.
        byte[] up = new byte[40000];
        new Random(1).NextBytes(up);
        pair.Client.WriteApplicationData(up);
        pair.Pump();
        Assert.Equal(up, ConnectionPair.ReadAll(pair.Server));
        pair.Server.WriteApplicationData(up.AsSpan(0, 100));
        pair.Pump();
        Assert.Equal(up.AsSpan(0, 100).ToArray(), ConnectionPair.ReadAll(pair.Client));

        // close_notify both ways.
        pair.Client.Close();
        pair.Pump();
        Assert.True(pair.Server.PeerClosed);
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public void EachPairOfRangesSettlesOnTheHighestSharedVersionOrFails(ProtocolVersion cMin, ProtocolVersion cMax, ProtocolVersion sMin, ProtocolVersion sMax, ProtocolVersion? expected)
    {
        using var pair = new ConnectionPair(Range(ConnectionTestKit.Client(), cMin, cMax), Range(ConnectionTestKit.Server(), sMin, sMax));
        pair.Pump();
        if (expected is { } version)
        {
            Assert.Null(pair.ClientError);
            Assert.Null(pair.ServerError);
            Assert.Equal(version, pair.Client.Version);
            Assert.Equal(version, pair.Server.Version);
        }
        else
        {
            // The server answers a hello without a version it enables with protocol_version (RFC 8446 section 4.2.1).
            Assert.Equal(AlertDescription.ProtocolVersion, pair.ServerError?.Description);
            Assert.Equal(AlertDescription.ProtocolVersion, pair.ClientError?.Description);
        }
    }

    [Fact]
    public void AClientLimitedToTls12CompletesWithAServerOfBothVersions()
    {
        // The server enables both versions and writes the RFC 8446 sentinel into its random when it answers a client
        // limited to TLS 1.2; only a client that offered TLS 1.3 looks for it (Tls12ClientHandshakeTests covers that).
        using var limited = new ConnectionPair(Range(ConnectionTestKit.Client(), ProtocolVersion.Tls12, ProtocolVersion.Tls12), Range(ConnectionTestKit.Server(), ProtocolVersion.Tls12, ProtocolVersion.Tls13));
        limited.Handshake();
        Assert.Equal(ProtocolVersion.Tls12, limited.Client.Version);
    }

    [Fact]
    public void ClientCertificatesAreVerifiedOnBothSides()
    {
        TlsConfig client = Range(ConnectionTestKit.Client(), ProtocolVersion.Tls12, ProtocolVersion.Tls12);
        var (der, key) = ConnectionTestKit.Leaf(ServerKeyType.Rsa2048);
        client = client with { CertificateChain = [der], PrivateKey = key };
        TlsConfig server = Range(ConnectionTestKit.Server(), ProtocolVersion.Tls12, ProtocolVersion.Tls12) with
        {
            RequestClientCertificate = true,
            RequireClientCertificate = true,
        };
        using var pair = new ConnectionPair(client, server);
        pair.Handshake();
        Assert.Equal(der, Assert.Single(pair.Server.PeerCertificateChain));
        Assert.NotNull(pair.Server.ClientSignatureScheme);
    }

    private static TlsConfig Range(TlsConfig config, ProtocolVersion min, ProtocolVersion max) => config with
    {
        MinimumVersion = min,
        MaximumVersion = max,
        Tls12CipherSuites = min == ProtocolVersion.Tls12 ? CipherSuiteRegistry.Tls12Suites.Where(s => s.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe).ToArray() : [],
    };
}
