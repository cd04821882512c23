using ManagedTls.Testing;
using ManagedTls.Wire;

namespace ManagedTls.Tests.TestingKit;

/// <summary>The kit's TCP target against <c>openssl s_server</c> (one connection per server, killed afterwards).</summary>
public class OpenSslServerTests
{
    [Fact]
    public void HandshakeAndEchoAgainstOpenSsl()
    {
        using var server = KitOpenSsl.Server(rsa: false, "-tls1_3", "-rev");
        using var target = new TcpTarget("127.0.0.1", server.Port);
        ScriptResult result = TlsScript.AsClient(EngineTargets.Options(seed: 30))
            .Handshake()
            .SendApplicationData("hello\n"u8.ToArray())
            .ExpectApplicationData("olleh\n"u8.ToArray())
            .SendCloseNotify()
            .Run(target);

        Assert.True(result.HandshakeComplete);
        Assert.Equal(EngineTargets.Pki.Leaf.CertificateDer, result.Messages.Single(m => m.Type == HandshakeType.Certificate).Certificates[0]);
        Assert.NotEmpty(result.Tickets);
    }

    [Fact]
    public void OpenSslRefusesCompressionWithIllegalParameter()
    {
        using var server = KitOpenSsl.Server(rsa: false, "-tls1_3");
        using var target = new TcpTarget("127.0.0.1", server.Port);
        TlsScript.AsClient(EngineTargets.Options(seed: 31))
            .Send(TlsMessages.ClientHello().SetBytes("legacy_compression_methods", [1, 0]))
            .ExpectAlert(AlertDescription.IllegalParameter, AlertLevel.Fatal)
            .ExpectClose()
            .Run(target);
    }
}
