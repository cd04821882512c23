using FsCheck;
using FsCheck.Xunit;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Testing;
using ManagedTls.Tests.Connection;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Handshake.Tls13;

public class Tls13RetryRuleTests
{
    // The client offers x25519 and secp256r1 with an x25519 share.
    private static TlsConfig TwoGroups(TlsConfig s) => s with
    {
        Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp256r1],
        KeyShareGroups = [NamedGroup.X25519],
    };

    [Theory]
    [InlineData(NamedGroup.X25519)]
    [InlineData(NamedGroup.Secp384r1)]
    public void RetryForAGroupAlreadySharedOrNotOfferedIsIllegal(NamedGroup group)
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .HelloRetryRequest(group)
            .ExpectAlert(AlertDescription.IllegalParameter), seed: 1201, configure: TwoGroups);
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    [Fact]
    public void RetryThatChangesNothingIsIllegal()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .HelloRetryRequest(NamedGroup.Secp256r1, edit: m => m.Remove("extensions.key_share"))
            .ExpectAlert(AlertDescription.IllegalParameter), seed: 1202, configure: TwoGroups);
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    [Fact]
    public void TheSecondClientHelloEchoesTheCookieAndASecondRetryIsUnexpected()
    {
        ClientHello? first = null;
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello, m => first = (ClientHello)HandshakeMessage.Read(m.Bytes, WireContext.Tls13))
            .HelloRetryRequest(NamedGroup.Secp256r1, cookie: [1, 2, 3])
            .Expect(HandshakeType.ClientHello, m =>
            {
                var second = (ClientHello)HandshakeMessage.Read(m.Bytes, WireContext.Tls13);
                Assert.Equal([1, 2, 3], second.Extensions.Get<CookieExtension>()!.Cookie);
                Assert.Equal(NamedGroup.Secp256r1, Assert.Single(second.Extensions.Get<KeyShareClientHello>()!.Shares).Group);
                Assert.Equal(first!.Random, second.Random);
            })
            .HelloRetryRequest(NamedGroup.Secp256r1)
            .ExpectAlert(AlertDescription.UnexpectedMessage), seed: 1203, configure: TwoGroups);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void SecondClientHelloWithoutTheCookieIsIllegal()
    {
        // The server (secp256r1 only) asks for a retry; a fresh first hello is not the second hello it asked for.
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello()
            .ExpectHelloRetryRequest()
            .Send(TlsMessages.ClientHello())
            .ExpectAlert(AlertDescription.IllegalParameter), seed: 1204, configure: s => s with { Groups = [KeyExchangeGroups.Secp256r1] });
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
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
