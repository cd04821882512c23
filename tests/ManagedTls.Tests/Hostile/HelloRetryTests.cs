using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// RFC 8446 section 4.1.2: the second ClientHello after a HelloRetryRequest may differ from the first only in
/// key_share, early_data (removed), cookie, pre_shared_key and padding. The server here has only secp256r1, so the
/// kit's first hello (an x25519 share) always gets a HelloRetryRequest.
/// </summary>
public class HelloRetryTests
{
    public static TheoryData<string, Action<HandshakeBuilder>> Changes => new()
    {
        { "server_name", h => h.Replace("extensions.server_name", TlsExtensions.ServerName("other.test")) },
        { "extension order", h => h.Move("extensions.server_name", -1) },
        { "an added extension", h => h.InsertBefore("extensions.key_share", TlsExtensions.PostHandshakeAuth()) },
        { "a removed extension", h => h.Remove("extensions.signature_algorithms") },
        { "supported_versions", h => h.Replace("extensions.supported_versions", TlsExtensions.SupportedVersions(ProtocolVersion.Tls13, ProtocolVersion.Tls12)) },
        { "the ALPN list", h => h.InsertBefore("extensions.key_share", TlsExtensions.Alpn("h2")) },
        { "legacy_session_id", h => h.SetBytes("legacy_session_id", new byte[32]) },
        { "random", h => h.SetBytes("random", new byte[32]) },
        { "early_data offered again", h => h.InsertBefore("extensions.key_share", TlsExtensions.EarlyData()) },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void ASecondClientHelloThatChangesMoreThanAllowedIsIllegalParameter(string what, Action<HandshakeBuilder> change)
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script
                .ClientHello()
                .ExpectHelloRetryRequest()
                .ClientHello(new ClientHelloOptions { Edit = change })
                .ExpectAlert(AlertDescription.IllegalParameter),
            seed: 301,
            configure: OnlySecp256r1);
        Assert.True(failure?.Description == AlertDescription.IllegalParameter, $"changing {what}: {failure?.Message ?? "accepted"}");
        Assert.Contains("second ClientHello", failure!.Message);
    }

    [Fact]
    public void ASecondClientHelloWithOnlyPaddingChangedCompletesTheHandshake()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script
                .ClientHello()
                .ExpectHelloRetryRequest()
                .ClientHello(new ClientHelloOptions { Edit = h => h.Append("extensions", TlsExtensions.Padding(200)) })
                .ExpectServerFlight()
                .ClientFinished()
                .SendApplicationData([1]),
            seed: 302,
            configure: OnlySecp256r1);
        Assert.Null(failure);
    }

    [Fact]
    public void TheServerNameCallbackRunsOnceAndTheNameCannotChangeBehindIt()
    {
        // The callback saw the first hello's name; a second hello naming another host is refused, so the name the
        // server chose its certificate (and binds tickets) by is the one the client ends up with.
        var names = new List<string?>();
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script
                .ClientHello()
                .ExpectHelloRetryRequest()
                .ClientHello(new ClientHelloOptions { Edit = h => h.Replace("extensions.server_name", TlsExtensions.ServerName("admin.test")) })
                .ExpectAlert(AlertDescription.IllegalParameter),
            seed: 303,
            configure: s => OnlySecp256r1(s) with { ServerNameCallback = name => { names.Add(name); return null; } });
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
        Assert.Equal(["localhost"], names);
    }

    private static TlsConfig OnlySecp256r1(TlsConfig s) => s with { Groups = [KeyExchangeGroups.Secp256r1] };
}
