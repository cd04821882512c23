using ManagedTls.Testing;
using ManagedTls.Wire;

namespace ManagedTls.Tests.TestingKit;

/// <summary>
/// The kit's TLS 1.2 client against its TLS 1.2 server over loopback TCP (the server script on another thread): the two
/// key trackings agree on every key exchange and record protection, and a change made on one side shows on the other.
/// </summary>
public class KitPairTls12Tests
{
    [Theory]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true, true)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, true, true)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, false, false)]
    [InlineData(TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, false, true)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, true, false)]
    public void ClientAndServerAgree(TlsCipherSuite suite, bool ems, bool etm)
    {
        (ScriptResult client, ScriptResult server) = Pair(
            client => client
                .Handshake12(new ClientHelloOptions { CipherSuites = [suite], ExtendedMasterSecret = ems, EncryptThenMac = etm })
                .SendApplicationData("ping"u8.ToArray())
                .ExpectApplicationData("pong"u8.ToArray())
                .SendCloseNotify(),
            server => server
                .Handshake12(new ServerFlightOptions { CipherSuite = suite })
                .ExpectApplicationData("ping"u8.ToArray())
                .SendApplicationData("pong"u8.ToArray())
                .ExpectClose());

        foreach (ScriptResult r in new[] { client, server })
        {
            Assert.True(r.HandshakeComplete);
            Assert.Equal(suite, r.CipherSuite);
            Assert.Equal(ems, r.ExtendedMasterSecret);
            bool cbc = suite is TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 or TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA;
            Assert.Equal(etm && cbc, r.EncryptThenMac);
            Assert.Empty(r.Notes);
        }

        Assert.Equal(client.Group, server.Group);
    }

    [Fact]
    public void TheBuildersDefaultClientHelloIsTrackedLikeAComputedOne()
    {
        (ScriptResult client, ScriptResult server) = Pair(
            client => client.Send(TlsMessages.ClientHello12()).ExpectServerFlight12().ClientFlight12().ExpectFinished12(),
            server => server.Handshake12());

        Assert.True(client.HandshakeComplete);
        Assert.True(server.HandshakeComplete);
        Assert.True(client.ExtendedMasterSecret);
        Assert.Equal(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, client.CipherSuite);
    }

    [Fact]
    public void ClientCertificateAndAServerChosenCurve()
    {
        (ScriptResult client, ScriptResult server) = Pair(
            client => client.Handshake12(),
            server => server.Handshake12(new ServerFlightOptions { Group = NamedGroup.Secp384r1, RequestClientCertificate = true }));

        Assert.Equal(NamedGroup.Secp384r1, client.Group);
        Assert.Contains(server.Messages, m => m.Type == HandshakeType.CertificateVerify);
        Assert.Equal(EngineTargets.Pki.Leaf.CertificateDer, server.Messages.Single(m => m.Type == HandshakeType.Certificate).Certificates[0]);
    }

    [Fact]
    public void AnEditedClientFinishedOpensButDoesNotVerify()
    {
        (ScriptResult client, ScriptResult server) = Pair(
            client => client
                .ClientHello12()
                .ExpectServerFlight12()
                .ClientKeyExchange()
                .SendChangeCipherSpec()
                .ClientFinished(m => m.SetBytes("verify_data", new byte[12]))
                .ExpectAlert(AlertDescription.DecryptError),
            server => server
                .Expect(HandshakeType.ClientHello)
                .ServerFlight12()
                .Expect(HandshakeType.ClientKeyExchange)
                .ExpectChangeCipherSpec()
                .Expect(HandshakeType.Finished, m => m.Protected && m.Verified == false, "protected, not verified")
                .SendAlert(AlertDescription.DecryptError));

        Assert.False(client.HandshakeComplete);
        Assert.False(server.HandshakeComplete);
        Assert.Equal(AlertDescription.DecryptError, client.Alert!.Description);
        Assert.False(client.Alert.Protected);
    }

    /// <summary>Runs the server script on a listening target in the background and the client script against it.</summary>
    private static (ScriptResult Client, ScriptResult Server) Pair(Func<TlsScript, TlsScript> client, Func<TlsScript, TlsScript> server)
    {
        using var listener = new TcpListenerTarget();
        Task<ScriptResult> serverRun = Task.Run(() => server(TlsScript.AsServer(EngineTargets.Options(seed: 140))).Run(listener));
        ScriptResult clientResult;
        using (var target = new TcpTarget("127.0.0.1", listener.Port))
        {
            clientResult = client(TlsScript.AsClient(EngineTargets.Options(seed: 141))).Run(target);
            Assert.True(serverRun.Wait(TimeSpan.FromSeconds(10)), "the server script did not finish within 10 s");
        }

        return (clientResult, serverRun.Result);
    }
}
