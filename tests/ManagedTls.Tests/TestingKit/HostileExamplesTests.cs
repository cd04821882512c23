using ManagedTls.Connection;
using ManagedTls.Record;
using ManagedTls.Testing;
using ManagedTls.Wire;

namespace ManagedTls.Tests.TestingKit;

/// <summary>Malformed and out-of-order input against the engine, one script each: the alert RFC 8446 asks for, and a close.</summary>
public class HostileExamplesTests
{
    [Fact]
    public void ServerRefusesChangeCipherSpecBetweenFragmentsOfTheClientHello()
    {
        byte[] hello = TlsMessages.ClientHello().Encode();
        Server(script => script
            .SendRecord(TlsRecords.Record(ContentType.Handshake, hello[..10]))
            .SendChangeCipherSpec()
            .SendRecord(TlsRecords.Record(ContentType.Handshake, hello[10..]))
            .ExpectAlert(AlertDescription.UnexpectedMessage));
    }

    [Fact]
    public void ServerRefusesAnEmptyHandshakeRecord()
    {
        Server(script => script
            .SendRecord(TlsRecords.Record(ContentType.Handshake, []))
            .ExpectAlert(AlertDescription.UnexpectedMessage));
    }

    [Fact]
    public void ServerRefusesAKeyShareForAGroupItDoesNotList()
    {
        Server(script => script
            .ClientHello(new ClientHelloOptions { SupportedGroups = [NamedGroup.Secp256r1] })
            .ExpectAlert(AlertDescription.IllegalParameter));
    }

    [Fact]
    public void ServerRefusesASmallOrderX25519Share()
    {
        Server(script => script
            .Send(TlsMessages.ClientHello().SetBytes("extensions.key_share.client_shares[0].key_exchange", new byte[32]))
            .ExpectAlert(AlertDescription.IllegalParameter));
    }

    [Fact]
    public void ServerRefusesApplicationDataBeforeTheClientFinished()
    {
        Server(script => script
            .ClientHello()
            .ExpectServerFlight()
            .SendApplicationData([1, 2, 3])
            .ExpectAlert(AlertDescription.UnexpectedMessage));
    }

    [Fact]
    public void ServerRefusesAKeyUpdateWithAnUnknownRequest()
    {
        Server(script => script
            .Handshake()
            .Send(TlsMessages.KeyUpdate().Set("request_update", 2))
            .ExpectAlert(AlertDescription.IllegalParameter));
    }

    [Fact]
    public void ServerRefusesANewSessionTicketFromTheClient()
    {
        Server(script => script
            .Handshake()
            .Send(TlsMessages.NewSessionTicket())
            .ExpectAlert(AlertDescription.UnexpectedMessage));
    }

    [Fact]
    public void ServerRefusesARecordWithAnUnknownContentType()
    {
        Server(script => script
            .Handshake()
            .SendRecord(TlsRecords.Record(ContentType.Invalid, [0]))
            .ExpectAlert(AlertDescription.UnexpectedMessage));
    }

    [Fact]
    public void ServerRefusesASecondClientHelloThatChangesTheSuite()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script
                .ClientHello()
                .ExpectHelloRetryRequest()
                .ClientHello(new ClientHelloOptions { CipherSuites = [TlsCipherSuite.TLS_AES_256_GCM_SHA384] })
                .ExpectAlert(AlertDescription.IllegalParameter),
            seed: 40,
            configure: s => s with { Groups = [ManagedTls.CipherSuites.KeyExchangeGroups.Secp256r1] });
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    [Fact]
    public void ClientRefusesAHelloRetryRequestForAGroupItAlreadySent()
    {
        Client(script => script
            .Expect(HandshakeType.ClientHello)
            .HelloRetryRequest(NamedGroup.X25519)
            .ExpectAlert(AlertDescription.IllegalParameter));
    }

    [Fact]
    public void ClientRefusesASessionIdEchoThatDoesNotMatch()
    {
        Client(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerHello(new ServerFlightOptions { Edit = m => m.SetBytes("legacy_session_id_echo", new byte[32]) })
            .ExpectAlert(AlertDescription.IllegalParameter));
    }

    [Fact]
    public void ClientRefusesEncryptedExtensionsSentInPlaintext()
    {
        Client(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerHello()
            .Send(SendOptions.Plaintext, TlsMessages.EncryptedExtensions())
            .ExpectAlert(AlertDescription.UnexpectedMessage));
    }

    [Fact]
    public void ClientRefusesTheWholeFlightInOnePlaintextRecord()
    {
        // The ServerHello and the messages after it share a record, so they span the key change.
        TlsAlertException? failure = Client(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerFlight(new ServerFlightOptions { Records = SendOptions.OneRecord })
            .ExpectAlert(AlertDescription.UnexpectedMessage));
        Assert.Contains("span a key change", failure!.Message);
    }

    [Fact]
    public void EveryRecordFactoryPassesTheEngineRecordRules()
    {
        foreach (RecordBuilder record in new[]
        {
            TlsRecords.Handshake(TlsMessages.ClientHello()), TlsRecords.Alert(AlertDescription.CloseNotify),
            TlsRecords.ChangeCipherSpec(), TlsRecords.ApplicationData([1]), TlsRecords.Record(ContentType.Alert, [2, 40]),
        })
        {
            byte[] bytes = record.Encode();
            Assert.True(RecordDeframer.TryParse(bytes, RecordReadRules.Initial, out RecordHeader header, out int length));
            Assert.Equal(bytes.Length, length);
            Assert.Equal(record.ContentType, header.Type);
        }
    }

    private static void Server(Func<TlsScript, TlsScript> script) =>
        Assert.NotNull(EngineTargets.AgainstServer(s => script(s).ExpectClose(), seed: 41));

    private static TlsAlertException? Client(Func<TlsScript, TlsScript> script) => EngineTargets.AgainstClient(script, seed: 42);
}
