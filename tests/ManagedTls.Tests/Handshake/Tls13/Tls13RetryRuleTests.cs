using FsCheck;
using FsCheck.Xunit;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Handshake.Tls13;

public class Tls13RetryRuleTests
{
    private static byte[] Record(byte[] message) => [22, 3, 3, (byte)(message.Length >> 8), (byte)message.Length, .. message];

    private static (TlsConnection Client, ClientHello Hello) StartClient()
    {
        TlsConnection client = TlsConnection.CreateClient(ConnectionTestKit.Client() with
        {
            Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp256r1],
            KeyShareGroups = [NamedGroup.X25519],
        });
        byte[] bytes = ConnectionPair.Drain(client);
        return (client, (ClientHello)HandshakeMessage.Read(bytes.AsSpan(5), WireContext.Tls13));
    }

    private static byte[] Retry(ClientHello hello, params TlsExtension[] extensions) =>
        Record(new ServerHello(
            ProtocolVersion.Tls12, ServerHello.HelloRetryRequestRandom, hello.SessionId, TlsCipherSuite.TLS_AES_128_GCM_SHA256, 0,
            new ExtensionBlock([new SupportedVersionsServerHello(ProtocolVersion.Tls13), .. extensions])).Encode());

    [Fact]
    public void RetryForAGroupAlreadySharedIsIllegal()
    {
        var (client, hello) = StartClient();
        using (client)
        {
            var e = Assert.Throws<TlsAlertException>(() => client.ReceiveBytes(Retry(hello, new KeyShareHelloRetryRequest(NamedGroup.X25519))));
            Assert.Equal(AlertDescription.IllegalParameter, e.Description);
        }
    }

    [Fact]
    public void RetryForAGroupNotOfferedIsIllegal()
    {
        var (client, hello) = StartClient();
        using (client)
        {
            var e = Assert.Throws<TlsAlertException>(() => client.ReceiveBytes(Retry(hello, new KeyShareHelloRetryRequest(NamedGroup.Secp384r1))));
            Assert.Equal(AlertDescription.IllegalParameter, e.Description);
        }
    }

    [Fact]
    public void RetryThatChangesNothingIsIllegal()
    {
        var (client, hello) = StartClient();
        using (client)
        {
            var e = Assert.Throws<TlsAlertException>(() => client.ReceiveBytes(Retry(hello)));
            Assert.Equal(AlertDescription.IllegalParameter, e.Description);
        }
    }

    [Fact]
    public void SecondRetryIsUnexpected()
    {
        var (client, hello) = StartClient();
        using (client)
        {
            client.ReceiveBytes(Retry(hello, new KeyShareHelloRetryRequest(NamedGroup.Secp256r1), new CookieExtension([1, 2, 3])));
            byte[] second = ConnectionPair.Drain(client);
            var hello2 = (ClientHello)HandshakeMessage.Read(Records.Split([second]).Last().AsSpan(5), WireContext.Tls13);
            Assert.Equal([1, 2, 3], hello2.Extensions.Get<CookieExtension>()!.Cookie);
            Assert.Equal(NamedGroup.Secp256r1, Assert.Single(hello2.Extensions.Get<KeyShareClientHello>()!.Shares).Group);
            Assert.Equal(hello.Random, hello2.Random);
            var e = Assert.Throws<TlsAlertException>(() => client.ReceiveBytes(Retry(hello, new KeyShareHelloRetryRequest(NamedGroup.Secp256r1))));
            Assert.Equal(AlertDescription.UnexpectedMessage, e.Description);
        }
    }

    [Fact]
    public void SecondClientHelloWithoutTheCookieIsIllegal()
    {
        using TlsConnection server = TlsConnection.CreateServer(ConnectionTestKit.Server() with { Groups = [KeyExchangeGroups.Secp256r1] });
        var (first, firstHello) = StartClient();
        var (second, secondHello) = StartClient();
        using (first)
        using (second)
        {
            server.ReceiveBytes(Record(firstHello.Encode()));
            Assert.True(server.HelloRetried);
            ConnectionPair.Drain(server);
            var e = Assert.Throws<TlsAlertException>(() => server.ReceiveBytes(Record(secondHello.Encode())));
            Assert.Equal(AlertDescription.IllegalParameter, e.Description);
        }
    }

    [Property(MaxTest = 25)]
    public void RandomCompatibleConfigurationsAgree(bool[] suiteMask, bool[] groupMask, bool serverPreference, bool alpn)
    {
        IReadOnlyList<CipherSuiteInfo> all = CipherSuiteRegistry.Tls13Suites;
        KeyExchangeGroup[] groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp256r1, KeyExchangeGroups.Secp384r1, KeyExchangeGroups.X448];
        CipherSuiteInfo[] clientSuites = all.Where((_, i) => i < suiteMask.Length && suiteMask[i]).DefaultIfEmpty(all[0]).ToArray();
        CipherSuiteInfo[] serverSuites = all.Reverse().Where(s => s == clientSuites[^1] || suiteMask.Length % 2 == 0).ToArray();
        KeyExchangeGroup[] clientGroups = groups.Where((_, i) => i < groupMask.Length && groupMask[i]).DefaultIfEmpty(groups[0]).ToArray();
        KeyExchangeGroup[] serverGroups = groups.Reverse().Where(g => g == clientGroups[^1] || groupMask.Length % 2 == 1).ToArray();
        byte[][] clientAlpn = alpn ? [[1], [2], [3]] : [];
        byte[][] serverAlpn = alpn ? [[3], [2]] : [];
        using var pair = new ConnectionPair(
            ConnectionTestKit.Client() with { CipherSuites = clientSuites, Groups = clientGroups, AlpnProtocols = clientAlpn },
            ConnectionTestKit.Server() with { CipherSuites = serverSuites, Groups = serverGroups, PreferServerCipherSuites = serverPreference, AlpnProtocols = serverAlpn });
        pair.Handshake();
        Assert.Equal(pair.Client.CipherSuite, pair.Server.CipherSuite);
        Assert.Equal(pair.Client.NamedGroup, pair.Server.NamedGroup);
        Assert.Equal(pair.Client.Version, pair.Server.Version);
        Assert.Equal(pair.Client.AlpnProtocol, pair.Server.AlpnProtocol);
        Assert.Equal(alpn ? [3] : null, pair.Client.AlpnProtocol);
        Assert.Equal(serverPreference ? serverSuites.First(clientSuites.Contains) : clientSuites.First(serverSuites.Contains), pair.Client.CipherSuite);
        // A group the client sent a share for wins (no retry); otherwise the server's first common group, after a retry.
        bool shareAccepted = serverGroups.Contains(clientGroups[0]);
        Assert.Equal(shareAccepted ? clientGroups[0] : serverGroups.First(clientGroups.Contains), KeyExchangeGroups.Find(pair.Client.NamedGroup!.Value));
        Assert.Equal(!shareAccepted, pair.Client.HelloRetried);
    }
}
