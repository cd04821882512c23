using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Ssl;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// A ticket stands in for the whole authentication of a full handshake, so it is accepted only under the settings
/// it was issued under (the session context) and only where those settings would not now demand a client
/// certificate the original handshake did not have. Otherwise the client gets a full handshake.
/// </summary>
public class SessionBindingTests
{
    [Fact]
    public void ATicketResumesUnderTheSettingsItWasIssuedUnder()
    {
        TlsConfig server = EngineServer();
        TlsTicket ticket = IssueTicket(server);
        ScriptResult resumed = Run(server, script => script
            .ClientHello(new ClientHelloOptions { Resume = ticket })
            .ExpectServerFlight()
            .ClientFinished());
        Assert.True(resumed.Resumed);
    }

    [Fact]
    public void ATicketFromAnotherSessionContextFallsBackToAFullHandshake()
    {
        TlsConfig server = EngineServer();
        TlsTicket ticket = IssueTicket(server);

        // Same ticket keys (so the ticket opens), another context: a full handshake with the server's certificate.
        ScriptResult full = Run(server with { SessionContext = [9, 9, 9] }, script => script
            .ClientHello(new ClientHelloOptions { Resume = ticket })
            .Expect(HandshakeType.ServerHello, m => !m.HasExtension(ExtensionType.PreSharedKey), "no pre_shared_key")
            .Expect(HandshakeType.EncryptedExtensions)
            .Expect(HandshakeType.Certificate));
        Assert.False(full.Resumed);
    }

    [Fact]
    public void ATicketWithoutAClientCertificateDoesNotResumeWhereOneIsNowRequired()
    {
        TlsConfig server = EngineServer();
        TlsTicket ticket = IssueTicket(server);

        // The same context now requires a client certificate: the resumption would skip it, so the server makes a
        // full handshake and asks for the certificate.
        TlsConfig strict = server with { RequestClientCertificate = true, RequireClientCertificate = true };
        ScriptResult full = Run(strict, script => script
            .ClientHello(new ClientHelloOptions { Resume = ticket })
            .Expect(HandshakeType.ServerHello, m => !m.HasExtension(ExtensionType.PreSharedKey), "no pre_shared_key")
            .Expect(HandshakeType.EncryptedExtensions)
            .Expect(HandshakeType.CertificateRequest));
        Assert.False(full.Resumed);
    }

    [Fact]
    public void AServerNameCallbackThatSwitchesToAClientAuthContextCannotBeResumedPast()
    {
        // Context A serves admin.test without client authentication until the callback starts switching that name to
        // context B, which requires a client certificate. A ticket A issued for admin.test must not resume under B.
        var (a, _) = EngineTargets.Contexts();
        var (b, _) = EngineTargets.Contexts();
        b.VerifyMode = VerifyMode.CertRequired;
        b.LoadVerifyLocations(cadata: EngineTargets.Pki.Authority.CertificateDer);
        bool switching = false;
        a.SniCallback = (ssl, name, _) =>
        {
            if (switching && name == "admin.test")
            {
                ((SslObject)ssl).Context = b;
            }

            return null;
        };

        var options = new ScriptOptions { Entropy = new Tests.Connection.SeededEntropy(412), Pki = EngineTargets.Pki, ServerName = "admin.test" };
        TlsTicket ticket;
        using (var target = new SslObjectTarget(a, serverSide: true, serverHostname: null))
        {
            ScriptResult first = TlsScript.AsClient(options).Handshake().SendApplicationData([1]).ExpectNothing(TimeSpan.FromMilliseconds(50)).Run(target);
            Assert.NotEmpty(first.Tickets);
            ticket = first.Tickets[0];
        }

        switching = true;
        using (var target = new SslObjectTarget(a, serverSide: true, serverHostname: null))
        {
            ScriptResult second = TlsScript.AsClient(options)
                .ClientHello(new ClientHelloOptions { Resume = ticket })
                .Expect(HandshakeType.ServerHello, m => !m.HasExtension(ExtensionType.PreSharedKey), "no pre_shared_key")
                .Expect(HandshakeType.EncryptedExtensions)
                .Expect(HandshakeType.CertificateRequest)
                .Run(target);
            Assert.False(second.Resumed);
        }
    }

    private static TlsConfig EngineServer() => Tests.Connection.ConnectionTestKit.Server() with
    {
        Trust = new TrustStore([EngineTargets.Pki.Authority.CertificateDer]),
        SessionContext = [1, 2, 3],
        TicketKeys = new TicketKeyRing(),
    };

    private static TlsTicket IssueTicket(TlsConfig server)
    {
        ScriptResult first = Run(server, script => script.Handshake().SendApplicationData([1]).ExpectNothing(TimeSpan.FromMilliseconds(20)));
        Assert.NotEmpty(first.Tickets);
        return first.Tickets[0];
    }

    private static ScriptResult Run(TlsConfig server, Func<TlsScript, TlsScript> script)
    {
        using TlsConnection connection = TlsConnection.CreateServer(server);
        using DelegateTarget target = EngineTargets.For(connection);
        return script(TlsScript.AsClient(EngineTargets.Options(seed: 400))).Run(target);
    }
}
