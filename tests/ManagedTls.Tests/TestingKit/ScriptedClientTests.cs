using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Ssl;
using ManagedTls.Testing;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;

namespace ManagedTls.Tests.TestingKit;

/// <summary>The kit playing a client against the engine's server, through TlsConnection and through SslObject.</summary>
public class ScriptedClientTests
{
    [Fact]
    public void FullHandshakeAndApplicationDataAgainstTlsConnection()
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        ScriptResult result = TlsScript.AsClient(EngineTargets.Options())
            .Handshake()
            .SendApplicationData("ping"u8.ToArray())
            .Do(() => Assert.Equal("ping"u8.ToArray(), ConnectionPair.ReadAll(server)), "server reads ping")
            .Do(() => server.WriteApplicationData("pong"u8), "server writes pong")
            .ExpectApplicationData("pong"u8.ToArray())
            .SendCloseNotify()
            .Do(() => Assert.True(server.PeerClosed), "server saw close_notify")
            .Run(target);

        Assert.True(server.IsHandshakeComplete);
        Assert.True(result.HandshakeComplete);
        Assert.Equal(TlsCipherSuite.TLS_AES_128_GCM_SHA256, result.CipherSuite);
        Assert.Equal(NamedGroup.X25519, result.Group);
        Assert.Equal(
            [HandshakeType.ServerHello, HandshakeType.EncryptedExtensions, HandshakeType.Certificate, HandshakeType.CertificateVerify, HandshakeType.Finished],
            result.Messages.Take(5).Select(m => m.Type));
        Assert.Equal(2, result.Tickets.Count);
        Assert.Null(result.TargetFailure);
    }

    [Fact]
    public void FullHandshakeAgainstSslObjectWithReceivedMessageAccessors()
    {
        (SslContext serverContext, _) = EngineTargets.Contexts();
        serverContext.SetAlpnProtocols(["h2"]);
        using var target = new SslObjectTarget(serverContext, serverSide: true);
        ReceivedMessage? ee = null;
        ScriptResult result = TlsScript.AsClient(EngineTargets.Options(seed: 8))
            .ClientHello(new ClientHelloOptions { Alpn = ["http/1.1", "h2"], KeyShareGroups = [NamedGroup.Secp256r1] })
            .Expect(HandshakeType.ServerHello, m => m.KeyShareGroup == NamedGroup.Secp256r1 && m.HasExtension(ExtensionType.SupportedVersions), "secp256r1 share")
            .Expect(HandshakeType.EncryptedExtensions, m => ee = m)
            .Expect(HandshakeType.Certificate, m => Assert.Equal(EngineTargets.Pki.Leaf.CertificateDer, m.Certificates[0]))
            .Expect(HandshakeType.CertificateVerify)
            .Expect(HandshakeType.Finished, m => m.Verified == true, "verified")
            .ClientFinished()
            .SendApplicationData("hello"u8.ToArray())
            .Do(() => Assert.Equal("hello"u8.ToArray(), target.ReceivedData), "SslObject read hello")
            .Do(() => target.Ssl.Write("world"u8.ToArray()), "SslObject writes")
            .ExpectApplicationData("world"u8.ToArray())
            .Run(target);

        Assert.True(target.Ssl.IsHandshakeComplete);
        Assert.Equal("h2", target.Ssl.SelectedAlpnProtocol());
        Assert.Equal([0, 3, 2, (byte)'h', (byte)'2'], ee!.Extension(ExtensionType.ApplicationLayerProtocolNegotiation)!.Data);
        Assert.Equal(NamedGroup.Secp256r1, result.Group);
    }

    [Fact]
    public void HelloRetryRequestFromTheServerIsAnsweredWithASecondClientHello()
    {
        // The server takes only secp256r1; the first hello carries an x25519 share, so the server asks again.
        using TlsConnection server = EngineTargets.Server(s => s with { Groups = [KeyExchangeGroups.Secp256r1] });
        using DelegateTarget target = EngineTargets.For(server);
        ScriptResult result = TlsScript.AsClient(EngineTargets.Options(seed: 9))
            .ClientHello()
            .ExpectHelloRetryRequest()
            .ClientHello()
            .ExpectServerFlight()
            .ClientFinished()
            .SendApplicationData([1, 2, 3])
            .Run(target);

        Assert.True(server.IsHandshakeComplete);
        Assert.True(server.HelloRetried);
        Assert.True(result.HelloRetried);
        Assert.Equal(NamedGroup.Secp256r1, result.Group);
        Assert.Equal([1, 2, 3], ConnectionPair.ReadAll(server));
    }

    [Fact]
    public void ResumptionWithATicketTheServerIssued()
    {
        TlsConfig settings = ConnectionTestKit.Server();
        using (TlsConnection first = TlsConnection.CreateServer(settings))
        using (DelegateTarget target = EngineTargets.For(first))
        {
            ScriptResult full = TlsScript.AsClient(EngineTargets.Options(seed: 10)).Handshake().ExpectNothing().Run(target);
            TlsTicket ticket = full.Tickets[0];
            Assert.Equal(32, ticket.Psk.Length);

            using TlsConnection second = TlsConnection.CreateServer(settings);
            using DelegateTarget target2 = EngineTargets.For(second);
            ScriptResult resumed = TlsScript.AsClient(EngineTargets.Options(seed: 11))
                .ClientHello(new ClientHelloOptions { Resume = ticket })
                .Expect(HandshakeType.ServerHello, m => m.HasExtension(ExtensionType.PreSharedKey), "pre_shared_key accepted")
                .Expect(HandshakeType.EncryptedExtensions)
                .Expect(HandshakeType.Finished, m => m.Verified == true, "verified")
                .ClientFinished()
                .SendApplicationData("again"u8.ToArray())
                .Run(target2);

            Assert.True(resumed.Resumed);
            Assert.True(second.SessionReused);
            Assert.Equal("again"u8.ToArray(), ConnectionPair.ReadAll(second));

            // The same ticket with its binder broken after computation: the server refuses the hello.
            using TlsConnection third = TlsConnection.CreateServer(settings);
            using DelegateTarget target3 = EngineTargets.For(third);
            TlsScript.AsClient(EngineTargets.Options(seed: 12))
                .ClientHello(new ClientHelloOptions { Resume = ticket, EditAfterBinders = h => h.SetBytes("extensions.pre_shared_key.binders[0]", new byte[32]) })
                .ExpectAlert(AlertDescription.DecryptError)
                .Run(target3);
            Assert.Equal(AlertDescription.DecryptError, third.Failure?.Description);
        }
    }

    [Fact]
    public void KeyUpdateInBothDirections()
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        TlsScript.AsClient(EngineTargets.Options(seed: 13))
            .Handshake()
            .SendKeyUpdate(requestUpdate: true)
            .Expect(HandshakeType.KeyUpdate, m => m.Body[0] == 0, "update_not_requested")
            .SendApplicationData("after update"u8.ToArray())
            .Do(() => Assert.Equal("after update"u8.ToArray(), ConnectionPair.ReadAll(server)), "server reads under new keys")
            .Do(() => server.UpdateKeys(requestPeerUpdate: false), "server updates its keys")
            .Do(() => server.WriteApplicationData("from new keys"u8), "server writes")
            .Expect(HandshakeType.KeyUpdate)
            .ExpectApplicationData("from new keys"u8.ToArray())
            .Run(target);

        Assert.Equal(1, server.ReadKeyGeneration);
        Assert.Equal(2, server.WriteKeyGeneration);
    }

    [Fact]
    public void CompressionMethodsOtherThanNullGetIllegalParameter()
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        ScriptResult result = TlsScript.AsClient(EngineTargets.Options())
            .Send(TlsMessages.ClientHello().SetBytes("legacy_compression_methods", [0, 1]))
            .ExpectAlert(AlertDescription.IllegalParameter, AlertLevel.Fatal)
            .ExpectClose()
            .Run(target);

        Assert.IsType<TlsAlertException>(result.TargetFailure);
    }

    [Fact]
    public void ARecordLengthBeyondTheLimitGetsRecordOverflow()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .SendRecord(TlsRecords.Handshake(TlsMessages.ClientHello()).SetLength("fragment", 0x4001 + 0x100))
            .ExpectAlert(AlertDescription.RecordOverflow), seed: 7);
        Assert.Equal(AlertDescription.RecordOverflow, failure?.Description);
    }

    [Fact]
    public void AClientHelloSpreadOverOneByteRecordsIsAccepted()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .Send(SendOptions.Fragmented(1), TlsMessages.ClientHello())
            .Expect(HandshakeType.ServerHello), seed: 14);
        Assert.Null(failure);
    }

    [Fact]
    public void AWrongClientFinishedGetsDecryptError()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello()
            .ExpectServerFlight()
            .Finished(new byte[32])
            .ExpectAlert(AlertDescription.DecryptError), seed: 15);
        Assert.Equal(AlertDescription.DecryptError, failure?.Description);
    }

    [Fact]
    public void AMismatchNamesTheStepWhatWasExpectedAndWhatArrived()
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        var e = Assert.Throws<ScriptMismatchException>(() => TlsScript.AsClient(EngineTargets.Options())
            .Send(TlsMessages.ClientHello().Remove("extensions.supported_versions"))
            .Expect(HandshakeType.ServerHello)
            .Run(target));

        Assert.Equal(1, e.StepIndex);
        Assert.Equal("Expect(ServerHello)", e.Step);
        Assert.Contains("alert ProtocolVersion (Fatal)", e.Actual);
        Assert.Contains("[15030300020246]", e.Actual);
        Assert.IsType<TlsAlertException>(e.TargetFailure);
        Assert.Contains("step 2 (Expect(ServerHello)): expected ServerHello; got alert ProtocolVersion", e.Message);
        Assert.Contains("target failure: TlsAlertException", e.Message);
    }

    [Fact]
    public void TheClientAuthenticatesWhenTheServerAsks()
    {
        using TlsConnection server = EngineTargets.Server(s => s with
        {
            RequestClientCertificate = true,
            RequireClientCertificate = true,
            Trust = new ManagedTls.X509.TrustStore([EngineTargets.Pki.Authority.CertificateDer]),
            Clock = () => DateTimeOffset.UtcNow,
        });
        using DelegateTarget target = EngineTargets.For(server);
        TlsScript.AsClient(EngineTargets.Options(seed: 16))
            .ClientHello()
            .ExpectServerFlight()
            .ClientCertificate()
            .ClientFinished()
            .SendApplicationData([7])
            .ExpectNothing()
            .Run(target);

        Assert.True(server.IsHandshakeComplete);
        Assert.Equal(EngineTargets.Pki.Leaf.CertificateDer, server.PeerCertificateChain[0]);
        Assert.Equal(SignatureScheme.EcdsaSecp256r1Sha256, server.ClientSignatureScheme);
    }

    [Fact]
    public void AnEmptyCertificateWhenOneIsRequiredGetsCertificateRequired()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello()
            .ExpectServerFlight()
            .ClientCertificate(sendCertificate: false)
            .ClientFinished()
            .ExpectAlert(AlertDescription.CertificateRequired)
            .ExpectClose(), seed: 17, configure: s => s with { RequestClientCertificate = true, RequireClientCertificate = true });
        Assert.Equal(AlertDescription.CertificateRequired, failure?.Description);
    }

    [Fact]
    public void ExpectNothingAndExpectCloseReportWhatArrived()
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        var e = Assert.Throws<ScriptMismatchException>(() => TlsScript.AsClient(EngineTargets.Options())
            .ClientHello()
            .ExpectNothing()
            .Run(target));
        Assert.Equal("ExpectNothing", e.Step);
        Assert.Contains("handshake ServerHello", e.Actual);
        Assert.Null(e.TargetFailure);
        Assert.Equal(HandshakeType.ServerHello, e.Partial.Messages[0].Type);

        using TlsConnection server2 = EngineTargets.Server();
        using DelegateTarget target2 = EngineTargets.For(server2);
        e = Assert.Throws<ScriptMismatchException>(() => TlsScript.AsClient(EngineTargets.Options())
            .ClientHello()
            .ExpectServerFlight()
            .ExpectClose()
            .Run(target2));
        Assert.Contains("nothing (the target produced no more bytes)", e.Actual);
    }

    [Fact]
    public void AStepThatCannotRunIsReportedAsAMismatch()
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        var e = Assert.Throws<ScriptMismatchException>(() => TlsScript.AsClient(EngineTargets.Options())
            .ClientFinished()
            .Run(target));
        Assert.Equal("ClientFinished", e.Step);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Throws<InvalidOperationException>(() => TlsScript.AsClient().ServerFlight());
    }
}
