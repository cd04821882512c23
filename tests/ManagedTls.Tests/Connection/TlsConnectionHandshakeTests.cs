using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Tests.Connection;

public class TlsConnectionHandshakeTests
{
    public static TheoryData<string> Suites => new(CipherSuiteRegistry.Tls13Suites.Select(s => s.IanaName));

    [Theory]
    [MemberData(nameof(Suites))]
    public void EverySuiteCompletesWithX25519(string suiteName)
    {
        CipherSuiteInfo suite = ConnectionTestKit.Suite(suiteName);
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { CipherSuites = [suite], Groups = [KeyExchangeGroups.X25519] },
            ConnectionTestKit.Server());
        pair.Handshake();
        Assert.Equal(suite, pair.Client.CipherSuite);
        Assert.Equal(suite, pair.Server.CipherSuite);
        Assert.Equal(NamedGroup.X25519, pair.Client.NamedGroup);
        Assert.Equal(ProtocolVersion.Tls13, pair.Client.Version);
        ExchangeData(pair, 1000);
    }

    [Theory]
    [InlineData(NamedGroup.X25519)]
    [InlineData(NamedGroup.Secp256r1)]
    [InlineData(NamedGroup.Secp384r1)]
    [InlineData(NamedGroup.X448)]
    [InlineData(NamedGroup.Ffdhe2048)]
    [InlineData(NamedGroup.X25519MLKEM768)]
    public void EveryGroupCompletes(NamedGroup group)
    {
        KeyExchangeGroup g = KeyExchangeGroups.Find(group)!;
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { Groups = [g] },
            ConnectionTestKit.Server() with { Groups = [g] });
        pair.Handshake();
        Assert.Equal(group, pair.Client.NamedGroup);
        Assert.Equal(group, pair.Server.NamedGroup);
        Assert.False(pair.Client.HelloRetried);
        ExchangeData(pair, 100);
    }

    [Theory]
    [InlineData(ServerKeyType.Rsa2048, SignatureScheme.RsaPssRsaeSha256)]
    [InlineData(ServerKeyType.EcdsaP256, SignatureScheme.EcdsaSecp256r1Sha256)]
    [InlineData(ServerKeyType.EcdsaP384, SignatureScheme.EcdsaSecp384r1Sha384)]
    [InlineData(ServerKeyType.Ed25519, SignatureScheme.Ed25519)]
    public void EveryServerKeyTypeCompletes(ServerKeyType keyType, SignatureScheme expected)
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server(keyType));
        pair.Handshake();
        Assert.Equal(expected, pair.Client.SignatureScheme);
        Assert.Equal(expected, pair.Server.SignatureScheme);
        Assert.True(pair.Client.VerifyResult!.IsValid);
        Assert.Equal(ConnectionTestKit.Leaf(keyType).Der, pair.Client.PeerCertificateChain[0]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HelloRetryRequestForAGroupWithoutKeyShare(bool compatibility)
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with
            {
                Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp256r1],
                KeyShareGroups = [NamedGroup.X25519],
                MiddleboxCompatibility = compatibility,
            },
            ConnectionTestKit.Server() with { Groups = [KeyExchangeGroups.Secp256r1], MiddleboxCompatibility = compatibility });
        pair.Handshake();
        Assert.True(pair.Client.HelloRetried);
        Assert.True(pair.Server.HelloRetried);
        Assert.Equal(NamedGroup.Secp256r1, pair.Client.NamedGroup);
        Assert.Equal(NamedGroup.Secp256r1, pair.Server.NamedGroup);
        Assert.Equal(compatibility ? 1 : 0, Records.Count(pair.ClientWire, 20));
        Assert.Equal(compatibility ? 1 : 0, Records.Count(pair.ServerWire, 20));
        ExchangeData(pair, 10);
    }

    [Fact]
    public void NoCommonGroupIsHandshakeFailure()
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { Groups = [KeyExchangeGroups.X25519] },
            ConnectionTestKit.Server() with { Groups = [KeyExchangeGroups.Secp384r1] });
        pair.Pump();
        Assert.Equal(AlertDescription.HandshakeFailure, pair.ServerError!.Description);
        Assert.Equal(AlertDescription.HandshakeFailure, pair.ClientError!.Description);
        Assert.True(pair.ClientError.Received);
    }

    [Fact]
    public void NoCommonSuiteIsHandshakeFailure()
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { CipherSuites = [ConnectionTestKit.Suite("TLS_AES_128_GCM_SHA256")] },
            ConnectionTestKit.Server() with { CipherSuites = [ConnectionTestKit.Suite("TLS_AES_256_GCM_SHA384")] });
        pair.Pump();
        Assert.Equal(AlertDescription.HandshakeFailure, pair.ServerError!.Description);
        Assert.True(pair.ClientError!.Received);
    }

    [Theory]
    [InlineData(false, "TLS_AES_256_GCM_SHA384")]
    [InlineData(true, "TLS_CHACHA20_POLY1305_SHA256")]
    public void SuiteOrderFollowsClientUnlessServerPrefers(bool serverPreference, string expected)
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { CipherSuites = [ConnectionTestKit.Suite("TLS_AES_256_GCM_SHA384"), ConnectionTestKit.Suite("TLS_CHACHA20_POLY1305_SHA256")] },
            ConnectionTestKit.Server() with
            {
                CipherSuites = [ConnectionTestKit.Suite("TLS_CHACHA20_POLY1305_SHA256"), ConnectionTestKit.Suite("TLS_AES_256_GCM_SHA384")],
                PreferServerCipherSuites = serverPreference,
            });
        pair.Handshake();
        Assert.Equal(expected, pair.Client.CipherSuite!.IanaName);
    }

    [Fact]
    public void AlpnAgreesOnTheServersPreference()
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { AlpnProtocols = [Encoding.ASCII.GetBytes("h2"), Encoding.ASCII.GetBytes("http/1.1")] },
            ConnectionTestKit.Server() with { AlpnProtocols = [Encoding.ASCII.GetBytes("http/1.1"), Encoding.ASCII.GetBytes("h2")] });
        pair.Handshake();
        Assert.Equal("http/1.1", Encoding.ASCII.GetString(pair.Client.AlpnProtocol!));
        Assert.Equal("http/1.1", Encoding.ASCII.GetString(pair.Server.AlpnProtocol!));
    }

    [Fact]
    public void AlpnWithoutOverlapIsNoApplicationProtocol()
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { AlpnProtocols = [Encoding.ASCII.GetBytes("h2")] },
            ConnectionTestKit.Server() with { AlpnProtocols = [Encoding.ASCII.GetBytes("http/1.1")] });
        pair.Pump();
        Assert.Equal(AlertDescription.NoApplicationProtocol, pair.ServerError!.Description);
        Assert.False(pair.ServerError.Received);
        Assert.Equal(AlertDescription.NoApplicationProtocol, pair.ClientError!.Description);
        Assert.True(pair.ClientError.Received);
    }

    [Fact]
    public void AlpnOnlyOnOneSideSelectsNothing()
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { AlpnProtocols = [Encoding.ASCII.GetBytes("h2")] },
            ConnectionTestKit.Server());
        pair.Handshake();
        Assert.Null(pair.Client.AlpnProtocol);
        Assert.Null(pair.Server.AlpnProtocol);
    }

    [Fact]
    public void ServerSeesTheServerName()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server());
        pair.Handshake();
        Assert.Equal(ConnectionTestKit.HostName, pair.Server.ServerName);
    }

    [Fact]
    public void HostnameMismatchIsBadCertificateOnBothSides()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { ServerName = "other.test" }, ConnectionTestKit.Server());
        pair.Pump();
        Assert.Equal(AlertDescription.BadCertificate, pair.ClientError!.Description);
        Assert.False(pair.ClientError.Received);
        Assert.Equal(VerifyError.HostnameMismatch, pair.Client.VerifyResult!.Error);
        Assert.Equal(AlertDescription.BadCertificate, pair.ServerError!.Description);
        Assert.True(pair.ServerError.Received);
    }

    [Fact]
    public void HostnameMismatchPassesWhenNotChecked()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { ServerName = "other.test", CheckHostname = false }, ConnectionTestKit.Server());
        pair.Handshake();
        Assert.Equal("other.test", pair.Server.ServerName);
    }

    [Fact]
    public void UntrustedCaIsUnknownCaOnBothSides()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { Trust = new TrustStore([ConnectionTestKit.OtherRootDer]) }, ConnectionTestKit.Server());
        pair.Pump();
        Assert.Equal(AlertDescription.UnknownCa, pair.ClientError!.Description);
        Assert.Equal(AlertDescription.UnknownCa, pair.ServerError!.Description);
        Assert.True(pair.ServerError.Received);
        Assert.False(pair.Client.VerifyResult!.IsValid);
    }

    [Fact]
    public void ExpiredCertificateIsCertificateExpired()
    {
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { Clock = () => new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero) }, ConnectionTestKit.Server());
        pair.Pump();
        Assert.Equal(AlertDescription.CertificateExpired, pair.ClientError!.Description);
        Assert.Equal(AlertDescription.CertificateExpired, pair.ServerError!.Description);
    }

    [Fact]
    public void UnverifiedModeAcceptsAnUntrustedChain()
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { Trust = new TrustStore([]), VerifyPeer = false, CheckHostname = false },
            ConnectionTestKit.Server());
        pair.Handshake();
        Assert.Null(pair.Client.VerifyResult);
        Assert.Single(pair.Client.PeerCertificateChain);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MiddleboxCompatibilityControlsChangeCipherSpec(bool compatibility)
    {
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { MiddleboxCompatibility = compatibility },
            ConnectionTestKit.Server() with { MiddleboxCompatibility = compatibility });
        pair.Handshake();
        Assert.Equal(compatibility ? 1 : 0, Records.Count(pair.ClientWire, 20));
        Assert.Equal(compatibility ? 1 : 0, Records.Count(pair.ServerWire, 20));
        byte[] clientHello = Records.Split(pair.ClientWire)[0];
        Assert.Equal(compatibility ? 32 : 0, clientHello[5 + 4 + 2 + 32]);
    }

    [Fact]
    public void KeyLogHasTheFiveNssLabelsOnBothSides()
    {
        var clientLines = new List<string>();
        var serverLines = new List<string>();
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { KeyLog = clientLines.Add },
            ConnectionTestKit.Server() with { KeyLog = serverLines.Add });
        pair.Handshake();
        string[] labels = ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"];
        Assert.Equal(labels, clientLines.Select(l => l.Split(' ')[0]));
        Assert.Equal(clientLines, serverLines);
        Assert.Equal(
            pair.Client.ExportKeyingMaterial("EXPORTER-test", [1, 2, 3], 32),
            pair.Server.ExportKeyingMaterial("EXPORTER-test", [1, 2, 3], 32));
    }

    internal static void ExchangeData(ConnectionPair pair, int size)
    {
        byte[] toServer = new byte[size];
        byte[] toClient = new byte[size];
        new Random(size).NextBytes(toServer);
        new Random(size + 1).NextBytes(toClient);
        pair.Client.WriteApplicationData(toServer);
        pair.Server.WriteApplicationData(toClient);
        pair.Pump();
        Assert.Equal(toServer, ConnectionPair.ReadAll(pair.Server));
        Assert.Equal(toClient, ConnectionPair.ReadAll(pair.Client));
    }
}
