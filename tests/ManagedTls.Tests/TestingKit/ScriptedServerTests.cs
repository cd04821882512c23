using ManagedTls.Connection;
using ManagedTls.Ssl;
using ManagedTls.Testing;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;

namespace ManagedTls.Tests.TestingKit;

/// <summary>The kit playing a server against the engine's client, through TlsConnection and through SslObject.</summary>
public class ScriptedServerTests
{
    [Fact]
    public void FullHandshakeAndApplicationDataAgainstTlsConnection()
    {
        using TlsConnection client = EngineTargets.Client(EngineTargets.Pki);
        using DelegateTarget target = EngineTargets.For(client);
        ScriptResult result = TlsScript.AsServer(EngineTargets.Options(seed: 20))
            .Expect(HandshakeType.ClientHello, m => m.HasExtension(ExtensionType.KeyShare), "with a key share")
            .ServerFlight()
            .Expect(HandshakeType.Finished, m => m.Verified == true, "verified")
            .Do(() => client.WriteApplicationData("from client"u8), "client writes")
            .ExpectApplicationData("from client"u8.ToArray())
            .SendApplicationData("from server"u8.ToArray())
            .Do(() => Assert.Equal("from server"u8.ToArray(), ConnectionPair.ReadAll(client)), "client reads")
            .Send(TlsMessages.NewSessionTicket())
            .SendKeyUpdate(requestUpdate: true)
            .Expect(HandshakeType.KeyUpdate)
            .Do(() => client.WriteApplicationData("after update"u8), "client writes under new keys")
            .ExpectApplicationData("after update"u8.ToArray())
            .Run(target);

        Assert.True(client.IsHandshakeComplete);
        Assert.True(client.VerifyResult!.IsValid);
        Assert.Single(client.ReceivedSessions);
        Assert.Equal(1, client.ReadKeyGeneration);
        Assert.Equal(1, client.WriteKeyGeneration);
        Assert.True(result.HandshakeComplete);
        Assert.Equal(NamedGroup.X25519, result.Group);
    }

    [Fact]
    public void FullHandshakeAgainstSslObject()
    {
        (_, SslContext clientContext) = EngineTargets.Contexts();
        using var target = new SslObjectTarget(clientContext, serverSide: false, serverHostname: "localhost");
        TlsScript.AsServer(EngineTargets.Options(seed: 21))
            .Handshake()
            .Do(() => target.Ssl.Write("hi"u8.ToArray()), "client writes")
            .ExpectApplicationData("hi"u8.ToArray())
            .SendCloseNotify()
            .Do(target.Drive, "client reads")
            .Run(target);

        Assert.True(target.Ssl.IsHandshakeComplete);
        Assert.True(target.PeerClosed);
        Assert.Equal("TLSv1.3", target.Ssl.Version());
    }

    [Fact]
    public void AScriptedHelloRetryRequestMakesTheClientRetry()
    {
        using TlsConnection client = EngineTargets.Client(EngineTargets.Pki);
        using DelegateTarget target = EngineTargets.For(client);
        byte[] cookie = [1, 2, 3, 4];
        ScriptResult result = TlsScript.AsServer(EngineTargets.Options(seed: 22))
            .Expect(HandshakeType.ClientHello)
            .HelloRetryRequest(NamedGroup.Secp256r1, cookie)
            .Expect(
                HandshakeType.ClientHello,
                m => m.Extension(ExtensionType.Cookie)?.Data.AsSpan(2).SequenceEqual(cookie) == true && m.Extension(ExtensionType.KeyShare)!.Data[2..4].SequenceEqual(new byte[] { 0x00, 0x17 }),
                "the cookie and a secp256r1 share")
            .ServerFlight()
            .Expect(HandshakeType.Finished, m => m.Verified == true, "verified")
            .Run(target);

        Assert.True(client.IsHandshakeComplete);
        Assert.True(client.HelloRetried);
        Assert.True(result.HelloRetried);
        Assert.Equal(NamedGroup.Secp256r1, client.NamedGroup);
    }

    [Fact]
    public void AWrongServerFinishedGetsDecryptError()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerFlight(new ServerFlightOptions { Edit = m => m.Type == HandshakeType.Finished ? m.SetBytes("verify_data", new byte[m.GetBytes("verify_data").Length]) : m })
            .ExpectAlert(AlertDescription.DecryptError), seed: 23);
        Assert.Equal(AlertDescription.DecryptError, failure?.Description);
    }

    [Fact]
    public void ABrokenCertificateVerifySignatureGetsDecryptError()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerHello()
            .EncryptedExtensions()
            .Certificate()
            .CertificateVerify(m => m.SetBytes("signature", new byte[64]))
            .ServerFinished()
            .ExpectAlert(AlertDescription.DecryptError), seed: 24);
        Assert.Equal(AlertDescription.DecryptError, failure?.Description);
    }

    [Fact]
    public void LeavingOutTheCertificateGetsUnexpectedMessage()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerFlight(new ServerFlightOptions { Edit = m => m.Type == HandshakeType.Certificate ? null : m })
            .ExpectAlert(AlertDescription.UnexpectedMessage), seed: 25);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void AServerHelloWithAnUnofferedSuiteGetsIllegalParameter()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerHello(new ServerFlightOptions { Edit = m => m.Set("cipher_suite", 0x1399) })
            .ExpectAlert(AlertDescription.IllegalParameter), seed: 26);
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }
}
