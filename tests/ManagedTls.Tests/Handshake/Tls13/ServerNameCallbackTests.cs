using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Tests.Connection;

namespace ManagedTls.Tests.Handshake.Tls13;

public class ServerNameCallbackTests
{
    private static readonly byte[] H2 = Encoding.ASCII.GetBytes("h2");

    [Fact]
    public void CallbackSeesTheServerNameOnce()
    {
        var names = new List<string?>();
        TlsConfig server = ConnectionTestKit.Server() with { ServerNameCallback = n => { names.Add(n); return null; } };
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), server);
        pair.Handshake();
        Assert.Equal([ConnectionTestKit.HostName], names);
        Assert.Equal(ConnectionTestKit.HostName, pair.Server.ServerName);
    }

    [Fact]
    public void WithoutServerNameTheCallbackGetsNull()
    {
        var names = new List<string?>();
        TlsConfig server = ConnectionTestKit.Server() with { ServerNameCallback = n => { names.Add(n); return null; } };
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { ServerName = null, CheckHostname = false }, server);
        pair.Handshake();
        Assert.Equal([(string?)null], names);
    }

    [Fact]
    public void CallbackIsCalledOnceAcrossAHelloRetry()
    {
        int calls = 0;
        TlsConfig server = ConnectionTestKit.Server() with
        {
            Groups = [KeyExchangeGroups.Default.Single(g => g.Group == ManagedTls.Wire.NamedGroup.Secp256r1)],
            ServerNameCallback = _ => { calls++; return null; },
        };
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), server);
        pair.Handshake();
        Assert.True(pair.Server.HelloRetried);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void ReplacementSettingsSwapCertificateAndAlpn()
    {
        var (otherDer, otherKey) = ConnectionTestKit.Leaf(ServerKeyType.Ed25519);
        TlsConfig replacement = ConnectionTestKit.Server(ServerKeyType.Ed25519) with { AlpnProtocols = [H2] };
        TlsConfig server = ConnectionTestKit.Server() with { ServerNameCallback = _ => replacement };
        using var pair = new ConnectionPair(ConnectionTestKit.Client() with { AlpnProtocols = [H2] }, server);
        pair.Handshake();
        Assert.Equal(otherDer, pair.Client.PeerCertificateChain[0]);
        Assert.Equal(ManagedTls.Wire.SignatureScheme.Ed25519, pair.Client.SignatureScheme);
        Assert.Equal(H2, pair.Client.AlpnProtocol);
        Assert.NotNull(otherKey);
    }

    [Fact]
    public void WithoutReplacementTheOriginalCertificateIsUsed()
    {
        var (der, _) = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256);
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server() with { ServerNameCallback = _ => null });
        pair.Handshake();
        Assert.Equal(der, pair.Client.PeerCertificateChain[0]);
    }

    [Fact]
    public void ReplacementSettingsCanRequireAClientCertificate()
    {
        TlsConfig replacement = ConnectionTestKit.Server() with { RequestClientCertificate = true, RequireClientCertificate = true };
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), ConnectionTestKit.Server() with { ServerNameCallback = _ => replacement });
        pair.Pump();
        Assert.Equal(AlertDescription.CertificateRequired, pair.ServerError?.Description);
        Assert.Equal(AlertDescription.CertificateRequired, pair.ClientError?.Description);
        Assert.True(pair.ClientError!.Received);
    }

    [Fact]
    public void AnAlertFromTheCallbackAbortsTheHandshake()
    {
        TlsConfig server = ConnectionTestKit.Server() with
        {
            ServerNameCallback = _ => throw new TlsAlertException(AlertDescription.UnrecognizedName, "no such host"),
        };
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), server);
        pair.Pump();
        Assert.Equal(AlertDescription.UnrecognizedName, pair.ServerError?.Description);
        Assert.Equal(AlertDescription.UnrecognizedName, pair.ClientError?.Description);
        Assert.True(pair.ClientError!.Received);
    }

    [Fact]
    public void AnotherExceptionFromTheCallbackIsHandshakeFailure()
    {
        TlsConfig server = ConnectionTestKit.Server() with { ServerNameCallback = _ => throw new InvalidOperationException("boom") };
        using var pair = new ConnectionPair(ConnectionTestKit.Client(), server);
        pair.Pump();
        Assert.Equal(AlertDescription.HandshakeFailure, pair.ServerError?.Description);
        Assert.Equal(AlertDescription.HandshakeFailure, pair.ClientError?.Description);
    }

    [Fact]
    public void OnlyAServerHasACallback()
    {
        Assert.Throws<ArgumentException>(() => TlsConnection.CreateClient(ConnectionTestKit.Client() with { ServerNameCallback = _ => null }));
    }
}
