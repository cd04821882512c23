using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// TLS 1.2 renegotiation against the adversarial kit: a kit peer that renegotiates correctly completes with our client
/// and our server, and one that breaks RFC 5746 (wrong verify_data, the SCSV in a renegotiation hello, a server whose
/// certificate changes, another version) is refused with the alert decision 0024 names.
/// </summary>
public class Tls12RenegotiationScriptedTests
{
    private static readonly byte[] Ping = "ping"u8.ToArray();

    private static TlsConfig Tls12(TlsConfig s) => s with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites,
    };

    private static TlsConfig AllowingServer(TlsConfig s) => Tls12(s) with { AllowClientRenegotiation = true };

    [Fact]
    public void AKitClientRenegotiatesWithOurServer()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script.Handshake12()
                .ClientHello12().ExpectServerFlight12().ClientFlight12().ExpectFinished12()
                .SendApplicationData(Ping).ExpectNothing(TimeSpan.FromMilliseconds(50)),
            configure: AllowingServer);
        Assert.Null(failure);
    }

    [Fact]
    public void OurServerDoesNotResumeInsideARenegotiation()
    {
        // The kit offers, in its renegotiation ClientHello, the session id our server cached in the first handshake:
        // the server must answer with a full handshake (its Certificate follows the ServerHello), never an abbreviated one.
        using TlsConnection server = EngineTargets.Server(s => AllowingServer(s) with { StatelessTickets = false });
        using var target = EngineTargets.For(server);
        byte[]? id = null;
        TlsScript.AsClient(EngineTargets.Options())
            .Handshake12()
            .Do(() => id = server.Tls12SessionId, "read the cached session id")
            .ClientHello12(new ClientHelloOptions { Edit = h => h.SetBytes("legacy_session_id", id!) })
            .ExpectServerFlight12().ClientFlight12().ExpectFinished12()
            .SendApplicationData(Ping).ExpectNothing(TimeSpan.FromMilliseconds(50))
            .Run(target);
        Assert.Null(server.Failure);
        Assert.NotNull(id);
        Assert.Equal(32, id!.Length);
        Assert.False(server.SessionReused);
    }

    [Fact]
    public void OurServerRefusesAKitClientsRenegotiationWithAWarningByDefault()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script.Handshake12().ClientHello12().ExpectAlert(AlertDescription.NoRenegotiation, AlertLevel.Warning),
            configure: Tls12);
        Assert.Null(failure);
    }

    [Fact]
    public void AWrongClientVerifyDataIsHandshakeFailure()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script.Handshake12()
                .ClientHello12(new ClientHelloOptions { Edit = h => h.SetBytes("extensions.renegotiation_info.renegotiated_connection", new byte[12]) })
                .ExpectAlert(AlertDescription.HandshakeFailure),
            configure: AllowingServer);
        Assert.Equal(AlertDescription.HandshakeFailure, failure?.Description);
        Assert.Contains("verify_data", failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingRenegotiationInfoInASecureRenegotiationIsHandshakeFailure()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script.Handshake12()
                .ClientHello12(new ClientHelloOptions { Edit = h => h.Remove("extensions.renegotiation_info") })
                .ExpectAlert(AlertDescription.HandshakeFailure),
            configure: AllowingServer);
        Assert.Equal(AlertDescription.HandshakeFailure, failure?.Description);
    }

    [Fact]
    public void TheScsvInARenegotiationHelloIsHandshakeFailure()
    {
        // The renegotiation_info is right (the kit fills in its verify_data); only the SCSV is wrong (RFC 5746 section 3.7).
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script.Handshake12()
                .ClientHello12(new ClientHelloOptions
                {
                    Edit = h => h.Append("cipher_suites", new UIntNode("cipher_suite", 2, (ulong)TlsCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)),
                })
                .ExpectAlert(AlertDescription.HandshakeFailure),
            configure: AllowingServer);
        Assert.Equal(AlertDescription.HandshakeFailure, failure?.Description);
        Assert.Contains("SCSV", failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARenegotiationCannotMoveToTls13()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script.Handshake12().Send(TlsMessages.ClientHello()).ExpectAlert(AlertDescription.ProtocolVersion),
            configure: s => AllowingServer(s) with { MaximumVersion = ProtocolVersion.Tls13, CipherSuites = CipherSuiteRegistry.Tls13Suites });
        Assert.Equal(AlertDescription.ProtocolVersion, failure?.Description);
    }

    [Fact]
    public void OurClientRenegotiatesWhenAKitServerSendsHelloRequest()
    {
        ReceivedMessage? hello = null;
        TlsAlertException? failure = EngineTargets.AgainstClient(
            script => script.Handshake12()
                .Send(TlsMessages.HelloRequest())
                .Expect(HandshakeType.ClientHello, m => hello = m)
                .ServerFlight12().ExpectClientFlight12().SendChangeCipherSpec().ServerFinished()
                .SendApplicationData(Ping).ExpectNothing(TimeSpan.FromMilliseconds(50)),
            configure: Tls12);
        Assert.Null(failure);

        // RFC 5746 section 3.5: renegotiation_info with the client's verify_data, and no SCSV.
        // The extension's data is the 1-byte length and the 12 bytes of verify_data.
        Assert.Equal(13, hello!.Extension(ExtensionType.RenegotiationInfo)!.Data.Length);
        var ch = (ManagedTls.Wire.Messages.ClientHello)ManagedTls.Wire.Messages.HandshakeMessage.Read(hello.Bytes, ManagedTls.Wire.Messages.WireContext.Tls12());
        Assert.DoesNotContain(TlsCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV, ch.CipherSuites);
    }

    [Fact]
    public void AWrongServerVerifyDataIsHandshakeFailure()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(
            script => script.Handshake12()
                .Send(TlsMessages.HelloRequest())
                .Expect(HandshakeType.ClientHello)
                .ServerHello12(new ServerFlightOptions
                {
                    Edit = m => m.GetInt("msg_type") == (int)HandshakeType.ServerHello ? m.SetBytes("extensions.renegotiation_info.renegotiated_connection", new byte[24]) : m,
                })
                .ExpectAlert(AlertDescription.HandshakeFailure),
            configure: Tls12);
        Assert.Equal(AlertDescription.HandshakeFailure, failure?.Description);
    }

    [Fact]
    public void AServerCertificateThatChangesInARenegotiationIsIllegalParameter()
    {
        byte[] other = EngineTargets.Pki.Authority.CertificateDer;
        TlsAlertException? failure = EngineTargets.AgainstClient(
            script => script.Handshake12()
                .Send(TlsMessages.HelloRequest())
                .Expect(HandshakeType.ClientHello)
                .ServerFlight12(new ServerFlightOptions
                {
                    Edit = m => m.GetInt("msg_type") == (int)HandshakeType.Certificate ? TlsMessages.Certificate12([other]) : m,
                })
                .ExpectAlert(AlertDescription.IllegalParameter),
            configure: Tls12);
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
        Assert.Contains("changed", failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HelloRequestsThatAreRefusedStopAtTheProgressBound()
    {
        // A client with renegotiation off refuses each HelloRequest; a server that keeps sending them is stopped.
        TlsScript Flood(TlsScript script)
        {
            script = script.Handshake12();
            for (int i = 0; i < 40; i++)
            {
                script = script.Send(TlsMessages.HelloRequest());
            }

            return script.ExpectAlert(a => a.Description == AlertDescription.UnexpectedMessage || a.Description == AlertDescription.NoRenegotiation, "refusals, then unexpected_message");
        }

        TlsAlertException? failure = EngineTargets.AgainstClient(Flood, configure: c => Tls12(c) with { RefuseRenegotiation = true });
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALegacyServerIsRenegotiatedWithOnlyWithUnsafeLegacyRenegotiation(bool allowUnsafe)
    {
        // A server without RFC 5746 (no renegotiation_info), accepted with LegacyServerConnect.
        var legacy = new ServerFlightOptions
        {
            Edit = m => m.GetInt("msg_type") == (int)HandshakeType.ServerHello && m.Has("extensions.renegotiation_info") ? m.Remove("extensions.renegotiation_info") : m,
        };
        ReceivedMessage? hello = null;
        TlsAlertException? failure = EngineTargets.AgainstClient(
            script =>
            {
                script = script.Handshake12(legacy).Send(TlsMessages.HelloRequest());
                return allowUnsafe
                    ? script.Expect(HandshakeType.ClientHello, m => hello = m)
                        .ServerFlight12(legacy).ExpectClientFlight12().SendChangeCipherSpec().ServerFinished()
                        .SendApplicationData(Ping).ExpectNothing(TimeSpan.FromMilliseconds(50))
                    : script.ExpectAlert(AlertDescription.NoRenegotiation, AlertLevel.Warning);
            },
            configure: c => Tls12(c) with { LegacyServerConnect = true, AllowUnsafeLegacyRenegotiation = allowUnsafe });
        Assert.Null(failure);
        if (allowUnsafe)
        {
            // RFC 5746 section 4.2 leaves a client renegotiating with a legacy server nothing to send: neither the
            // extension nor the SCSV.
            Assert.False(hello!.HasExtension(ExtensionType.RenegotiationInfo));
        }
    }
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALegacyClientIsRenegotiatedWithOnlyWithUnsafeLegacyRenegotiation(bool allowUnsafe)
    {
        // A client without RFC 5746: neither renegotiation_info nor the SCSV, in either hello.
        var legacy = new ClientHelloOptions { Edit = h => h.Remove("extensions.renegotiation_info") };
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script =>
            {
                script = script.Handshake12(legacy).ClientHello12(legacy);
                return allowUnsafe
                    ? script.ExpectServerFlight12().ClientFlight12().ExpectFinished12()
                        .SendApplicationData(Ping).ExpectNothing(TimeSpan.FromMilliseconds(50))
                    : script.ExpectAlert(AlertDescription.NoRenegotiation, AlertLevel.Warning);
            },
            configure: s => AllowingServer(s) with { AllowUnsafeLegacyRenegotiation = allowUnsafe });
        Assert.Null(failure);
    }
    [Fact]
    public void OurClientRefusesATls13ServerHelloInARenegotiation()
    {
        // The client offered TLS 1.3 at first; its renegotiation offers TLS 1.2 only, so supported_versions is refused.
        TlsAlertException? failure = EngineTargets.AgainstClient(
            script => script.Handshake12()
                .Send(TlsMessages.HelloRequest())
                .Expect(HandshakeType.ClientHello, m => !m.HasExtension(ExtensionType.SupportedVersions), "a TLS 1.2-only ClientHello")
                .Send(TlsMessages.ServerHello())
                .ExpectAlert(AlertDescription.IllegalParameter),
            configure: c => Tls12(c) with { MaximumVersion = ProtocolVersion.Tls13, CipherSuites = CipherSuiteRegistry.Tls13Suites });
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }
}
