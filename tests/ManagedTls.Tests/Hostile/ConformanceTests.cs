using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Hostile;

/// <summary>RFC 8446 under hostile input: each case is an answer an adversarial test suite found wrong.</summary>
public class ConformanceTests
{
    // ---- legacy_version (appendix D.5) -------------------------------------------------------------------------

    [Theory]
    [InlineData(0x0300)]
    [InlineData(0x0200)]
    [InlineData(0x0002)]
    public void AClientHelloWithLegacyVersionSsl3OrBelowIsProtocolVersion(int version)
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello(new ClientHelloOptions { Edit = h => h.Set("legacy_version", (ulong)version) })
            .ExpectAlert(AlertDescription.ProtocolVersion), seed: 601);
        Assert.Equal(AlertDescription.ProtocolVersion, failure?.Description);
    }

    [Fact]
    public void AClientHelloWithLegacyVersionTls10StillNegotiatesTls13()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello(new ClientHelloOptions { Edit = h => h.Set("legacy_version", 0x0301) })
            .ExpectServerFlight()
            .ClientFinished(), seed: 602);
        Assert.Null(failure);
    }

    [Fact]
    public void AServerHelloWithLegacyVersionSsl3IsProtocolVersion()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerHello(new ServerFlightOptions { Edit = m => m.Set("legacy_version", 0x0300) })
            .ExpectAlert(AlertDescription.ProtocolVersion), seed: 603);
        Assert.Equal(AlertDescription.ProtocolVersion, failure?.Description);
    }

    // ---- Finished length (section 4.4.4) ------------------------------------------------------------------------

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void AClientFinishedOfTheWrongLengthIsDecodeError(int delta)
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello()
            .ExpectServerFlight()
            .ClientFinished(f => f.SetBytes("verify_data", new byte[f.GetBytes("verify_data").Length + delta]))
            .ExpectAlert(AlertDescription.DecodeError), seed: 604);
        Assert.Equal(AlertDescription.DecodeError, failure?.Description);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(16)]
    public void AServerFinishedOfTheWrongLengthIsDecodeError(int delta)
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerFlight(new ServerFlightOptions
            {
                Edit = m => m.Type == HandshakeType.Finished ? m.SetBytes("verify_data", new byte[m.GetBytes("verify_data").Length + delta]) : m,
            })
            .ExpectAlert(AlertDescription.DecodeError), seed: 605);
        Assert.Equal(AlertDescription.DecodeError, failure?.Description);
    }

    [Fact]
    public void APostHandshakeFinishedOfTheWrongLengthIsDecodeError()
    {
        using var server = ManagedTls.Connection.TlsConnection.CreateServer(Tests.Connection.ConnectionTestKit.Server() with { PostHandshakeAuth = true });
        using DelegateTarget target = EngineTargets.For(server);
        TlsScript.AsClient(EngineTargets.Options(seed: 606))
            .ClientHello(new ClientHelloOptions { PostHandshakeAuth = true })
            .ExpectServerFlight()
            .ClientFinished()
            .Do(server.RequestClientCertificatePostHandshake)
            .Expect(HandshakeType.CertificateRequest)
            .ClientCertificate(sendCertificate: false)
            .Finished(new byte[31])
            .ExpectAlert(AlertDescription.DecodeError)
            .Run(target);
        Assert.Equal(AlertDescription.DecodeError, server.Failure?.Description);
    }

    // ---- handshake message sizes (section 6: decode_error) ------------------------------------------------------

    [Fact]
    public void AClientHelloOfTheLargestTls13SizeIsAccepted()
    {
        // 32,767 cipher suites and an extensions block filled to 2^16 - 1 bytes with padding: 131,142 bytes of body,
        // as large as a TLS 1.3 ClientHello (one compression method) can be. Old limits refused anything over 64 KiB.
        TlsCipherSuite[] suites = [TlsCipherSuite.TLS_AES_128_GCM_SHA256, .. Enumerable.Range(0, 32766).Select(i => (TlsCipherSuite)(0x0a0a + (i % 2)))];
        int bodyLength = 0;
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello(new ClientHelloOptions
            {
                CipherSuites = suites,
                Edit = h =>
                {
                    int extensions = h.GetBytes("extensions").Length;
                    h.Append("extensions", TlsExtensions.Padding(0xFFFF - extensions - 4));
                    bodyLength = h.GetBytes("body").Length;
                },
            })
            .ExpectServerFlight()
            .ClientFinished(), seed: 607);
        Assert.Null(failure);
        Assert.Equal(2 + 32 + 33 + 2 + 65534 + 2 + 2 + 65535, bodyLength);
    }

    [Fact]
    public void AHandshakeMessageLongerThanItsLimitIsDecodeErrorFromItsHeader()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .SendHandshakeBytes(SendOptions.Default, [(byte)HandshakeType.ClientHello, 0x02, 0x01, 0x45])
            .ExpectAlert(AlertDescription.DecodeError), seed: 608);
        Assert.Equal(AlertDescription.DecodeError, failure?.Description);
        Assert.Contains("131397", failure!.Message);
    }

    [Fact]
    public void AServerCertificateLongerThan100KiBIsDecodeError()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerFlight(new ServerFlightOptions
            {
                Edit = m => m.Type == HandshakeType.Certificate ? TlsMessages.Certificate([new byte[60000], new byte[60000]], context: []) : m,
            })
            .ExpectAlert(AlertDescription.DecodeError), seed: 609);
        Assert.Equal(AlertDescription.DecodeError, failure?.Description);
    }

    // ---- legacy_record_version (section 5.1: ignored after the first record) --------------------------------------

    [Fact]
    public void TheServerIgnoresTheRecordVersionOfUnprotectedRecordsAfterTheFirst()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello()
            .ExpectServerFlight()
            .SendRecord(TlsRecords.ChangeCipherSpec().Set("legacy_record_version", 0x0000))
            .ClientFinished()
            .SendApplicationData([1]), seed: 610, compatibility: false);
        Assert.Null(failure);
    }

    [Fact]
    public void TheClientIgnoresTheRecordVersionOfUnprotectedRecordsAfterTheFirst()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerHello(new ServerFlightOptions { Records = new SendOptions { LegacyRecordVersion = 0x0301 } })
            .SendRecord(TlsRecords.ChangeCipherSpec().Set("legacy_record_version", 0x4242))
            .EncryptedExtensions()
            .Certificate()
            .CertificateVerify()
            .ServerFinished()
            .Expect(HandshakeType.Finished, m => m.Verified == true, "verified"), seed: 611, compatibility: false);
        Assert.Null(failure);
    }

    [Fact]
    public void TheFirstRecordMustStillCarryMajorVersionThree()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .Send(new SendOptions { LegacyRecordVersion = 0x0203 }, TlsMessages.ClientHello())
            .ExpectAlert(AlertDescription.ProtocolVersion), seed: 612);
        Assert.Equal(AlertDescription.ProtocolVersion, failure?.Description);
    }

    // ---- rejected 0-RTT (section 4.2.10) -----------------------------------------------------------------------

    [Fact]
    public void EarlyDataWithAnUnusablePskIsSkippedAndTheHandshakeCompletes()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => OfferEarlyData(script.ClientHello(new ClientHelloOptions { Edit = WithEarlyDataAndAStrangerPsk }), 3)
            .ExpectServerFlight()
            .ClientFinished()
            .SendApplicationData([1]), seed: 613);
        Assert.Null(failure);
    }

    [Fact]
    public void EarlyDataBeforeTheSecondClientHelloIsSkipped()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => OfferEarlyData(script.ClientHello(new ClientHelloOptions { Edit = WithEarlyDataAndAStrangerPsk }), 3)
            .ExpectHelloRetryRequest()
            .ClientHello()
            .ExpectServerFlight()
            .ClientFinished()
            .SendApplicationData([1]), seed: 614, configure: s => s with { Groups = [KeyExchangeGroups.Secp256r1] });
        Assert.Null(failure);
    }

    [Fact]
    public void SkippedEarlyDataIsBounded()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => OfferEarlyData(script.ClientHello(new ClientHelloOptions { Edit = WithEarlyDataAndAStrangerPsk }), 20)
            .ExpectServerFlight()
            .ExpectAlert(AlertDescription.UnexpectedMessage), seed: 615);
        Assert.Contains("rejected early data", failure!.Message);
    }

    [Fact]
    public void ApplicationDataRecordsWithoutEarlyDataOfferedAreStillRefused()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => OfferEarlyData(script.ClientHello(), 1)
            .ExpectServerFlight()
            .ExpectAlert(AlertDescription.BadRecordMac), seed: 616);
        Assert.Equal(AlertDescription.BadRecordMac, failure?.Description);
    }

    // ---- server_name (RFC 6066) -----------------------------------------------------------------------------------

    [Fact]
    public void AnEmptyServerNameExtensionIsDecodeError()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello(new ClientHelloOptions { Edit = h => h.Replace("extensions.server_name", TlsExtensions.Raw((ushort)ExtensionType.ServerName, [])) })
            .ExpectAlert(AlertDescription.DecodeError), seed: 617);
        Assert.Equal(AlertDescription.DecodeError, failure?.Description);
    }

    [Theory]
    [InlineData("host\0name")]
    [InlineData("bell\u0007.test")]
    [InlineData("tab\t.test")]
    [InlineData("sp ace.test")]
    [InlineData("caf\u00e9.test")]
    [InlineData("del\u007f.test")]
    public void AHostNameWithControlOrNonAsciiBytesIsIllegalParameter(string name)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(name);
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello(new ClientHelloOptions { Edit = h => h.SetBytes("extensions.server_name.server_name_list[0].host_name", bytes) })
            .ExpectAlert(AlertDescription.IllegalParameter), seed: 618);
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    [Theory]
    [InlineData(255, true)]
    [InlineData(256, false)]
    [InlineData(65000, false)]
    public void AHostNameIsAtMost255Bytes(int length, bool accepted)
    {
        byte[] name = Enumerable.Repeat((byte)'a', length).ToArray();
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script.ClientHello(new ClientHelloOptions { Edit = h => h.SetBytes("extensions.server_name.server_name_list[0].host_name", name) }),
            seed: 620);
        Assert.Equal(accepted ? null : AlertDescription.IllegalParameter, failure?.Description);
    }

    // ---- ALPN (RFC 7301) ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("empty list")]
    [InlineData("empty name")]
    public void AMalformedAlpnListIsDecodeError(string how)
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello(new ClientHelloOptions
            {
                Alpn = ["h2"],
                Edit = h => h.SetBytes(
                    how == "empty list" ? "extensions.application_layer_protocol_negotiation.protocol_name_list" : "extensions.application_layer_protocol_negotiation.protocol_name_list[0]",
                    []),
            })
            .ExpectAlert(AlertDescription.DecodeError), seed: 621, configure: s => s with { AlpnProtocols = [[(byte)'h', (byte)'2']] });
        Assert.Equal(AlertDescription.DecodeError, failure?.Description);
    }

    [Theory]
    [InlineData("two names")]
    [InlineData("a name not offered")]
    public void AServerAlpnAnswerOtherThanOneOfferedNameIsIllegalParameter(string how)
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(
            script => script
                .Expect(HandshakeType.ClientHello)
                .ServerFlight(new ServerFlightOptions
                {
                    Edit = m => m.Type == HandshakeType.EncryptedExtensions
                        ? TlsMessages.EncryptedExtensions(how == "two names" ? TlsExtensions.Alpn("h2", "http/1.1") : TlsExtensions.Alpn("spdy/3"))
                        : m,
                })
                .ExpectAlert(AlertDescription.IllegalParameter),
            seed: 622,
            configure: s => s with { AlpnProtocols = [[(byte)'h', (byte)'2'], "http/1.1"u8.ToArray()] });
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    // ---- change_cipher_spec (section 5: one per handshake) --------------------------------------------------------

    [Fact]
    public void ASecondChangeCipherSpecIsUnexpectedMessage()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(script => script
            .ClientHello()
            .ExpectServerFlight()
            .SendChangeCipherSpec()
            .SendChangeCipherSpec()
            .ExpectAlert(AlertDescription.UnexpectedMessage), seed: 619);
        Assert.Contains("second change_cipher_spec", failure!.Message);
    }

    // A ClientHello offering early_data with a PSK the server cannot use (an identity no key opens).
    private static void WithEarlyDataAndAStrangerPsk(HandshakeBuilder hello) => hello
        .Append("extensions", TlsExtensions.EarlyData())
        .Append("extensions", TlsExtensions.PreSharedKey(identity: new byte[48], binder: new byte[32]));

    // 0-RTT records: application_data the server has no key for (1 KiB each).
    private static TlsScript OfferEarlyData(TlsScript script, int records)
    {
        var random = new Random(records);
        for (int i = 0; i < records; i++)
        {
            byte[] junk = new byte[1024];
            random.NextBytes(junk);
            script = script.SendRecord(TlsRecords.ApplicationData(junk));
        }

        return script;
    }
}
