using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// What a peer can make us do or keep without giving us anything: tickets kept, post-handshake signatures, records
/// that carry nothing (each kind bounded in a row, and all of them together), and the receive side of the AEAD
/// limits (a sender's duty, not a receiver's).
/// </summary>
public class PeerWorkLimitTests
{
    [Fact]
    public void AClientKeepsOnlyTheNewestTickets()
    {
        using TlsConnection client = EngineTargets.Client(EngineTargets.Pki);
        using DelegateTarget target = EngineTargets.For(client);
        TlsScript script = TlsScript.AsServer(EngineTargets.Options(seed: 501)).Handshake();
        for (int i = 0; i < 100; i++)
        {
            script = script.Send(TlsMessages.NewSessionTicket(ticket: [(byte)i, 1, 2, 3], nonce: [(byte)i]));
        }

        script.ExpectNothing(TimeSpan.FromMilliseconds(20)).Run(target);
        Assert.Equal(8, client.ReceivedSessions.Count);
        Assert.Equal(Enumerable.Range(92, 8).Select(i => (byte)i), client.ReceivedSessions.Select(s => s.Ticket[0]));
        Assert.Null(client.Failure);
    }

    [Theory]
    [InlineData(604800u, null, 1)]
    [InlineData(604801u, AlertDescription.IllegalParameter, 0)]
    [InlineData(0u, null, 0)]
    public void ATicketLivesAtMostSevenDaysAndALifetimeOfZeroIsNotKept(uint lifetime, AlertDescription? alert, int kept)
    {
        using TlsConnection client = EngineTargets.Client(EngineTargets.Pki);
        using DelegateTarget target = EngineTargets.For(client);
        TlsScript script = TlsScript.AsServer(EngineTargets.Options(seed: 509)).Handshake().Send(TlsMessages.NewSessionTicket(lifetime: lifetime));
        (alert is { } a ? script.ExpectAlert(a) : script.ExpectNothing(TimeSpan.FromMilliseconds(20))).Run(target);
        Assert.Equal(alert, client.Failure?.Description);
        Assert.Equal(kept, client.ReceivedSessions.Count);
    }

    [Fact]
    public void AClientAnswersABoundedNumberOfPostHandshakeCertificateRequests()
    {
        using TlsConnection client = EngineTargets.Client(EngineTargets.Pki, s => s with { PostHandshakeAuth = true });
        using DelegateTarget target = EngineTargets.For(client);
        TlsScript script = TlsScript.AsServer(EngineTargets.Options(seed: 502)).Handshake();
        for (int i = 0; i < 16; i++)
        {
            script = script
                .Send(TlsMessages.CertificateRequest(context: [(byte)(i + 1)], TlsExtensions.SignatureAlgorithms(SignatureScheme.EcdsaSecp256r1Sha256)))
                .Expect(HandshakeType.Certificate)
                .Expect(HandshakeType.Finished);
        }

        script
            .Send(TlsMessages.CertificateRequest(context: [99], TlsExtensions.SignatureAlgorithms(SignatureScheme.EcdsaSecp256r1Sha256)))
            .ExpectAlert(AlertDescription.UnexpectedMessage)
            .Run(target);
        Assert.Contains("post-handshake CertificateRequests", client.Failure!.Message);
    }

    [Theory]
    [InlineData("empty records", 32)]
    [InlineData("warning alerts", 4)]
    [InlineData("KeyUpdates", 32)]
    public void RecordsWithoutProgressAreBoundedInARow(string kind, int allowed)
    {
        // Up to the bound the server goes on; one more is unexpected_message.
        TlsScript Repeat(TlsScript script, int n)
        {
            for (int i = 0; i < n; i++)
            {
                script = kind switch
                {
                    "empty records" => script.SendRecord(TlsRecords.ApplicationData([]), protect: true),
                    "warning alerts" => script.SendAlert(AlertDescription.UserCanceled, AlertLevel.Warning),
                    _ => script.SendKeyUpdate(),
                };
            }

            return script;
        }

        TlsAlertException? failure = EngineTargets.AgainstServer(script =>
            Repeat(Repeat(script.Handshake(), allowed).SendApplicationData([1]), allowed + 1).ExpectAlert(AlertDescription.UnexpectedMessage), seed: 503);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void RecordsWithoutProgressCountTogetherAndAnEmptyRecordDoesNotResetTheKeyUpdateCount()
    {
        // 30 KeyUpdates, an empty record, 30 KeyUpdates: each kind stays under its bound, but an empty record is not
        // data, so the run is 61 records without progress.
        TlsAlertException? failure = EngineTargets.AgainstServer(script =>
        {
            script = script.Handshake();
            for (int i = 0; i < 30; i++)
            {
                script = script.SendKeyUpdate();
            }

            script = script.SendRecord(TlsRecords.ApplicationData([]), protect: true);
            for (int i = 0; i < 30; i++)
            {
                script = script.SendKeyUpdate();
            }

            return script.ExpectAlert(AlertDescription.UnexpectedMessage);
        }, seed: 504);
        Assert.Contains("without data or handshake progress", failure!.Message);
    }

    [Fact]
    public void ApplicationDataResetsTheCounts()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script =>
        {
            script = script.Handshake();
            for (int round = 0; round < 3; round++)
            {
                // 15 KeyUpdates and 15 empty records: 30 in a row, under every bound, then data.
                for (int i = 0; i < 15; i++)
                {
                    script = script.SendKeyUpdate().SendRecord(TlsRecords.ApplicationData([]), protect: true);
                }

                script = script.SendApplicationData([7]);
            }

            return script.ExpectNothing(TimeSpan.FromMilliseconds(20));
        }, seed: 505);
        Assert.Null(failure);
    }

    [Fact]
    public void WarningAlertsBeforeTheClientHelloAreBoundedToo()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script =>
        {
            for (int i = 0; i < 5; i++)
            {
                script = script.SendAlert(AlertDescription.UserCanceled, AlertLevel.Warning);
            }

            return script.ExpectAlert(AlertDescription.UnexpectedMessage);
        }, seed: 506);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void AClientBoundsEmptyRecordsFromTheServer()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script =>
        {
            script = script.Handshake();
            for (int i = 0; i < 33; i++)
            {
                script = script.SendRecord(TlsRecords.ApplicationData([]), protect: true);
            }

            return script.ExpectAlert(AlertDescription.UnexpectedMessage);
        }, seed: 507);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void RecordsPastTheAesGcmConfidentialityLimitAreStillReceived()
    {
        // A peer that never updates its keys (OpenSSL, Go) may send more than 2^24 records under one AES-GCM key;
        // that limit is the sender's to keep. Both sides skip to just before 2^24 and 16 more records go by.
        using TlsConnection server = TlsConnection.CreateServer(Tests.Connection.ConnectionTestKit.Server() with
        {
            CipherSuites = [Tests.Connection.ConnectionTestKit.Suite("TLS_AES_128_GCM_SHA256")],
        });
        using DelegateTarget target = EngineTargets.For(server);
        const ulong Skip = (1UL << 24) - 8;
        TlsScript script = TlsScript.AsClient(EngineTargets.Options(seed: 508))
            .Handshake()
            .Do(() => server.ReadProtection.SequenceNumber += Skip)
            .SkipWriteSequenceNumbers(Skip);
        for (int i = 0; i < 16; i++)
        {
            script = script.SendApplicationData([(byte)i]);
        }

        script.ExpectNothing(TimeSpan.FromMilliseconds(20)).Run(target);
        Assert.Null(server.Failure);
        Assert.True(server.ReadProtection.SequenceNumber > 1UL << 24);
        byte[] received = new byte[16];
        Assert.Equal(16, server.ReadApplicationData(received));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)i), received);
    }
}
