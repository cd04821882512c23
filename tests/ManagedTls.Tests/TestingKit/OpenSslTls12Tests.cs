using ManagedTls.Testing;
using ManagedTls.Wire;

namespace ManagedTls.Tests.TestingKit;

/// <summary>
/// The kit's TLS 1.2 key tracking against a real peer: the scripted client against <c>openssl s_server -tls1_2</c> and
/// the scripted server against <c>openssl s_client -tls1_2</c>, one connection each, every wait bounded.
/// </summary>
public class OpenSslTls12Tests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ClientCompletesEcdheEcdsaAesGcmWithOrWithoutExtendedMasterSecret(bool ems)
    {
        ScriptResult result = AgainstServer(
            rsa: false,
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            script => script.Handshake12(new ClientHelloOptions { ExtendedMasterSecret = ems }));

        Assert.Equal(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, result.CipherSuite);
        Assert.Equal(ems, result.ExtendedMasterSecret);
        Assert.Equal(NamedGroup.X25519, result.Group);
        Assert.Equal(EngineTargets.Pki.Leaf.CertificateDer, result.Messages.Single(m => m.Type == HandshakeType.Certificate).Certificates[0]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ClientCompletesEcdheRsaAes256CbcSha384WithOrWithoutEncryptThenMac(bool etm)
    {
        ScriptResult result = AgainstServer(
            rsa: true,
            "ECDHE-RSA-AES256-SHA384",
            script => script.Handshake12(new ClientHelloOptions { EncryptThenMac = etm }));

        Assert.Equal(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, result.CipherSuite);
        Assert.Equal(etm, result.EncryptThenMac);
        Assert.Equal(etm, result.Messages[0].HasExtension(ExtensionType.EncryptThenMac));
    }

    [Fact]
    public void ClientCompletesDheRsa()
    {
        ScriptResult result = AgainstServer(rsa: true, "DHE-RSA-AES128-GCM-SHA256", script => script.Handshake12());

        Assert.Equal(TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, result.CipherSuite);
        Assert.True(result.Messages.Single(m => m.Type == HandshakeType.ServerKeyExchange).Verified);
    }

    [Fact]
    public void ClientCompletesRsaKeyTransport()
    {
        ScriptResult result = AgainstServer(rsa: true, "AES128-GCM-SHA256", script => script.Handshake12());

        Assert.Equal(TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, result.CipherSuite);
        Assert.DoesNotContain(result.Messages, m => m.Type == HandshakeType.ServerKeyExchange);
    }

    [Fact]
    public void ClientSendsItsCertificateWhenAsked()
    {
        ScriptResult result = AgainstServer(
            rsa: false,
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            script => script.Handshake12(),
            "-Verify", "1", "-verify_return_error", "-CAfile", "{ca}");

        Assert.Contains(result.Messages, m => m.Type == HandshakeType.CertificateRequest);
    }

    [Fact]
    public void OpenSslAnswersAWrongClientFinishedWithDecryptError()
    {
        using var server = KitOpenSsl.Server(rsa: false, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
        using var target = new TcpTarget("127.0.0.1", server.Port);
        ScriptResult result = TlsScript.AsClient(EngineTargets.Options(seed: 120))
            .ClientHello12()
            .ExpectServerFlight12()
            .ClientKeyExchange()
            .SendChangeCipherSpec()
            .Finished(new byte[12])
            .ExpectAlert(AlertDescription.DecryptError, AlertLevel.Fatal)
            .Run(target);

        Assert.False(result.HandshakeComplete);
    }

    [Fact]
    public void OpenSslAnswersAPlaintextClientFinishedWithUnexpectedMessage()
    {
        // No change_cipher_spec: the Finished goes out in plaintext where openssl expects the ChangeCipherSpec.
        using var server = KitOpenSsl.Server(rsa: false, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
        using var target = new TcpTarget("127.0.0.1", server.Port);
        TlsScript.AsClient(EngineTargets.Options(seed: 121))
            .ClientHello12()
            .ExpectServerFlight12()
            .ClientKeyExchange()
            .ClientFinished()
            .ExpectAlert(AlertDescription.UnexpectedMessage, AlertLevel.Fatal)
            .Run(target);
    }

    [Fact]
    public void OpenSslAnswersAPrematureChangeCipherSpecWithUnexpectedMessage()
    {
        // change_cipher_spec before the ClientKeyExchange (CVE-2014-0224): the kit has no keys to switch to yet.
        using var server = KitOpenSsl.Server(rsa: false, "-tls1_2");
        using var target = new TcpTarget("127.0.0.1", server.Port);
        TlsScript.AsClient(EngineTargets.Options(seed: 122))
            .ClientHello12()
            .ExpectServerFlight12()
            .SendChangeCipherSpec()
            .ExpectAlert(AlertDescription.UnexpectedMessage, AlertLevel.Fatal)
            .Run(target);
    }

    [Fact]
    public void AWrongPremasterVersionIsNoticedOnlyAtTheFinished()
    {
        // RSA key transport: openssl must not reveal the bad version (implicit rejection); it derives other keys, so the
        // client's Finished does not authenticate.
        byte[] premaster = new byte[48];
        premaster[0] = 0x03;
        premaster[1] = 0x01;
        using var server = KitOpenSsl.Server(rsa: true, "-tls1_2", "-cipher", "AES128-GCM-SHA256");
        using var target = new TcpTarget("127.0.0.1", server.Port);
        TlsScript.AsClient(EngineTargets.Options(seed: 123))
            .ClientHello12()
            .ExpectServerFlight12()
            .ClientKeyExchange(rsaPremasterSecret: premaster)
            .SendChangeCipherSpec()
            .ClientFinished()
            .ExpectAlert(AlertDescription.BadRecordMac, AlertLevel.Fatal)
            .Run(target);
    }

    [Theory]
    [InlineData("ECDHE-ECDSA-AES128-GCM-SHA256", TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)]
    [InlineData("ECDHE-ECDSA-AES256-SHA384", TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384)]
    [InlineData("ECDHE-ECDSA-CHACHA20-POLY1305", TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)]
    public void ServerCompletesWithOpenSslClient(string cipher, TlsCipherSuite suite)
    {
        using var target = new TcpListenerTarget();
        using var client = KitOpenSsl.Client(target.Port, "-tls1_2", "-verify_return_error", "-cipher", cipher);
        client.WriteLine("ping");
        ScriptResult result = TlsScript.AsServer(EngineTargets.Options(seed: 130))
            .Handshake12()
            .ExpectApplicationData("ping\n"u8.ToArray())
            .SendApplicationData("pong\n"u8.ToArray())
            .SendCloseNotify()
            .Run(target);

        Assert.True(result.HandshakeComplete);
        Assert.Equal(ProtocolVersion.Tls12, result.Version);
        Assert.Equal(suite, result.CipherSuite);
        Assert.True(result.ExtendedMasterSecret);
        Assert.Equal(suite == TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, result.EncryptThenMac);
        Assert.True(client.WaitForOutput("pong", Wait), client.Output);
        Assert.True(client.WaitForExit(Wait), client.Output);
        Assert.Contains("Verify return code: 0 (ok)", client.Output, StringComparison.Ordinal);
        Assert.Contains($"Cipher is {cipher}", client.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenSslClientAnswersABadServerKeyExchangeSignatureWithDecryptError()
    {
        using var target = new TcpListenerTarget();
        using var client = KitOpenSsl.Client(target.Port, "-tls1_2");
        var options = new ServerFlightOptions { Edit = m => m.Type == HandshakeType.ServerKeyExchange ? FlipLastByte(m, "signature") : m };
        ScriptResult result = TlsScript.AsServer(EngineTargets.Options(seed: 131))
            .Expect(HandshakeType.ClientHello)
            .ServerFlight12(options)
            .ExpectAlert(AlertDescription.DecryptError, AlertLevel.Fatal)
            .Run(target);

        Assert.False(result.HandshakeComplete);
        Assert.True(client.WaitForExit(Wait), client.Output);
    }

    private static HandshakeBuilder FlipLastByte(HandshakeBuilder message, string path)
    {
        byte[] bytes = message.GetBytes(path);
        bytes[^1] ^= 0x01;
        return message.SetBytes(path, bytes);
    }

    private static ScriptResult AgainstServer(bool rsa, string cipher, Func<TlsScript, TlsScript> handshake, params string[] extra)
    {
        using var server = KitOpenSsl.Server(rsa, ["-tls1_2", "-cipher", cipher, "-rev", .. extra]);
        using var target = new TcpTarget("127.0.0.1", server.Port);
        ScriptResult result = handshake(TlsScript.AsClient(EngineTargets.Options(seed: 110)))
            .SendApplicationData("hello\n"u8.ToArray())
            .ExpectApplicationData("olleh\n"u8.ToArray())
            .SendCloseNotify()
            .Run(target);

        Assert.True(result.HandshakeComplete, server.Output);
        Assert.Equal(ProtocolVersion.Tls12, result.Version);
        Assert.Empty(result.Notes);
        return result;
    }
}
