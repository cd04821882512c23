using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// A hostile TLS 1.2 server, played by the adversarial kit in plaintext records, against our client: the version
/// decision (downgrade sentinel, versions not offered), the ServerHello's extensions (only answers to ours, RFC 5746,
/// RFC 8422, RFC 7301), then the first messages of the server's flight. Each failure has its alert.
/// </summary>
public class Tls12ClientReceivesServerHelloTests
{
    private const TlsCipherSuite Ecdsa = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;

    private static TlsConfig Tls12(TlsConfig s) => s with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites,
    };

    private static TlsConfig Tls13And12(TlsConfig s) => Tls12(s) with { MaximumVersion = ProtocolVersion.Tls13 };

    /// <summary>The kit's TLS 1.2 ServerHello with <paramref name="extensions"/> (renegotiation_info first unless told).</summary>
    private static HandshakeBuilder Hello(params ExtensionBuilder[] extensions) =>
        TlsMessages.ServerHello12(Ecdsa, [TlsExtensions.RenegotiationInfo(), .. extensions]);

    private static TlsAlertException? Run(Func<TlsScript, TlsScript> afterClientHello, AlertDescription expected, Func<TlsConfig, TlsConfig>? configure = null, int seed = 1201)
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(
            script => afterClientHello(script.Expect(HandshakeType.ClientHello)).ExpectAlert(expected),
            seed,
            configure ?? Tls12);
        Assert.Equal(expected, failure?.Description);
        return failure;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void DowngradeSentinelWhileOfferingTls13IsIllegalParameter(byte last)
    {
        byte[] random = new byte[32];
        random.AsSpan(0, 24).Fill(0x20);
        "DOWNGRD"u8.CopyTo(random.AsSpan(24));
        random[31] = last;
        TlsAlertException? e = Run(s => s.Send(Hello().SetBytes("random", random)), AlertDescription.IllegalParameter, Tls13And12);
        Assert.Contains("downgrade", e!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls12ServerHelloToATls13OnlyClientIsProtocolVersion() =>
        Run(s => s.Send(Hello()), AlertDescription.ProtocolVersion, c => c);

    [Fact]
    public void Tls11ServerHelloIsProtocolVersion() =>
        Run(s => s.Send(Hello().Set("legacy_version", 0x0302)), AlertDescription.ProtocolVersion);

    [Fact]
    public void SuiteNotOfferedIsIllegalParameter() =>
        Run(s => s.Send(TlsMessages.ServerHello12(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, [TlsExtensions.RenegotiationInfo()])),
            AlertDescription.IllegalParameter, c => Tls12(c) with { Tls12CipherSuites = [CipherSuiteRegistry.Find(Ecdsa)!] });

    [Fact]
    public void Tls13SuiteInATls12ServerHelloIsIllegalParameter() =>
        Run(s => s.Send(TlsMessages.ServerHello12(TlsCipherSuite.TLS_AES_128_GCM_SHA256, [TlsExtensions.RenegotiationInfo()])), AlertDescription.IllegalParameter, Tls13And12);

    [Fact]
    public void CompressionIsIllegalParameter() =>
        Run(s => s.Send(Hello().Set("legacy_compression_method", 1)), AlertDescription.IllegalParameter);

    [Fact]
    public void WithoutRenegotiationInfoIsHandshakeFailure()
    {
        TlsAlertException? e = Run(s => s.Send(TlsMessages.ServerHello12(Ecdsa, [TlsExtensions.ExtendedMasterSecret()])), AlertDescription.HandshakeFailure);
        Assert.Contains("secure renegotiation", e!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutRenegotiationInfoLegacyServerConnectGoesOn()
    {
        // The client accepts the hello and waits for the Certificate; an early ServerHelloDone shows it got that far.
        Run(s => s.Send(TlsMessages.ServerHello12(Ecdsa, [])).Send(TlsMessages.ServerHelloDone()),
            AlertDescription.UnexpectedMessage, c => Tls12(c) with { LegacyServerConnect = true });
    }

    [Fact]
    public void RenegotiationInfoNotEmptyOnAnInitialHandshakeIsHandshakeFailure() =>
        Run(s => s.Send(TlsMessages.ServerHello12(Ecdsa, [TlsExtensions.RenegotiationInfo(new byte[12])])), AlertDescription.HandshakeFailure);

    [Fact]
    public void EcPointFormatsWithoutUncompressedIsIllegalParameter() =>
        Run(s => s.Send(Hello(TlsExtensions.EcPointFormats(1, 2))), AlertDescription.IllegalParameter);

    [Fact]
    public void EmptyEcPointFormatsIsDecodeError() =>
        Run(s => s.Send(Hello(TlsExtensions.Raw((ushort)ExtensionType.EcPointFormats, [0]))), AlertDescription.DecodeError);

    public static TheoryData<string> Unsolicited() => new()
    {
        "max_fragment_length",
        "status_request",
        "unknown",
        "key_share",
        "alpn",
        "record_size_limit",
        "session_ticket",
        "server_name",
    };

    /// <summary>An extension we did not offer in a TLS 1.2 ServerHello is unsupported_extension (RFC 5246 section 7.4.1.4).</summary>
    [Theory]
    [MemberData(nameof(Unsolicited))]
    public void UnsolicitedExtensionIsUnsupportedExtension(string which)
    {
        ExtensionBuilder extension = which switch
        {
            "max_fragment_length" => TlsExtensions.MaxFragmentLength(),
            "status_request" => TlsExtensions.StatusRequestAck(),
            "unknown" => TlsExtensions.Raw(0x1234),
            "key_share" => TlsExtensions.Raw((ushort)ExtensionType.KeyShare, [0, 29, 0, 1, 9]),
            "alpn" => TlsExtensions.Alpn("h2"),
            "record_size_limit" => TlsExtensions.RecordSizeLimit(1024),
            "session_ticket" => TlsExtensions.SessionTicket(),
            _ => TlsExtensions.ServerNameAck(),
        };

        // Tickets off; the server name an IP literal, which is never sent in server_name.
        Run(s => s.Send(Hello(extension)), AlertDescription.UnsupportedExtension,
            c => Tls12(c) with { StatelessTickets = false, ServerName = "127.0.0.1" });
    }

    [Fact]
    public void AlpnProtocolNotOfferedIsIllegalParameter() =>
        Run(s => s.Send(Hello(TlsExtensions.Alpn("http/1.1"))), AlertDescription.IllegalParameter,
            c => Tls12(c) with { AlpnProtocols = ["h2"u8.ToArray()] });

    [Fact]
    public void NonEmptySessionTicketIsDecodeError() =>
        Run(s => s.Send(Hello(TlsExtensions.SessionTicket([1, 2]))), AlertDescription.DecodeError);

    [Fact]
    public void NonEmptyServerNameIsDecodeError() =>
        Run(s => s.Send(Hello(TlsExtensions.ServerName("localhost"))), AlertDescription.DecodeError);

    [Fact]
    public void RecordSizeLimitBelow64IsIllegalParameter() =>
        Run(s => s.Send(Hello(TlsExtensions.RecordSizeLimit(63))), AlertDescription.IllegalParameter,
            c => Tls12(c) with { RecordSizeLimit = 1024 });

    [Fact]
    public void DuplicateExtensionIsIllegalParameter() =>
        Run(s => s.Send(Hello(TlsExtensions.ExtendedMasterSecret(), TlsExtensions.ExtendedMasterSecret())), AlertDescription.IllegalParameter);

    /// <summary>Tolerated answers: the extensions we offered, encrypt_then_mac with an AEAD suite, supported_groups; the client then waits for the Certificate.</summary>
    [Fact]
    public void EveryAnswerWeOfferedIsAccepted() =>
        Run(s => s.Send(Hello(
                TlsExtensions.ServerNameAck(), TlsExtensions.EcPointFormats(0, 1), TlsExtensions.Alpn("h2"), TlsExtensions.ExtendedMasterSecret(),
                TlsExtensions.EncryptThenMac(), TlsExtensions.SessionTicket(), TlsExtensions.RecordSizeLimit(2048), TlsExtensions.SupportedGroups(NamedGroup.X25519)))
                .Send(TlsMessages.ServerHelloDone()),
            AlertDescription.UnexpectedMessage, c => Tls12(c) with { AlpnProtocols = ["h2"u8.ToArray()], RecordSizeLimit = 4096 });

    // ---- After the ServerHello ----

    [Fact]
    public void ChangeCipherSpecAfterTheServerHelloIsUnexpectedMessage() =>
        Run(s => s.Send(Hello()).SendChangeCipherSpec(), AlertDescription.UnexpectedMessage);

    [Fact]
    public void RecordVersionOtherThanTls12AfterTheServerHelloIsProtocolVersion() =>
        Run(s => s.Send(Hello()).Send(new SendOptions { LegacyRecordVersion = 0x0301 }, TlsMessages.Certificate12(EngineTargets.Pki.Chain)), AlertDescription.ProtocolVersion);

    [Fact]
    public void ApplicationDataBeforeAnyKeysIsUnexpectedMessage() =>
        Run(s => s.Send(Hello()).SendRecord(TlsRecords.ApplicationData([1, 2, 3])), AlertDescription.UnexpectedMessage);

    [Fact]
    public void EmptyCertificateIsDecodeError() =>
        Run(s => s.Send(Hello(), TlsMessages.Certificate12([])), AlertDescription.DecodeError);

    [Fact]
    public void Tls13CertificateFormIsDecodeError() =>
        Run(s => s.Send(Hello(), TlsMessages.Certificate(EngineTargets.Pki.Chain)), AlertDescription.DecodeError);

    [Fact]
    public void UntrustedCertificateIsUnknownCa() =>
        Run(s => s.Send(Hello(), TlsMessages.Certificate12(ThrowawayPki.Create(entropy: new Connection.SeededEntropy(5)).Chain)), AlertDescription.UnknownCa);

    [Fact]
    public void ServerHelloDoneWithoutServerKeyExchangeIsUnexpectedMessage() =>
        Run(s => s.Send(Hello(), TlsMessages.Certificate12(EngineTargets.Pki.Chain), TlsMessages.ServerHelloDone()), AlertDescription.UnexpectedMessage);

    [Fact]
    public void ServerKeyExchangeWithABadSignatureIsDecryptError() =>
        Run(s => s.Send(Hello(), TlsMessages.Certificate12(EngineTargets.Pki.Chain), TlsMessages.ServerKeyExchangeEcdhe()), AlertDescription.DecryptError);

    [Theory]
    [InlineData((ushort)NamedGroup.Ffdhe2048)]
    [InlineData((ushort)NamedGroup.X25519MLKEM768)]
    [InlineData((ushort)0x1234)]
    public void ServerKeyExchangeWithAGroupNotUsableForEcdheIsIllegalParameter(ushort group) =>
        Run(s => s.Send(Hello(), TlsMessages.Certificate12(EngineTargets.Pki.Chain), TlsMessages.ServerKeyExchangeEcdhe((NamedGroup)group)),
            AlertDescription.IllegalParameter, c => Tls12(c) with { Groups = KeyExchangeGroups.All });

    [Fact]
    public void ServerKeyExchangeWithExplicitCurveParametersIsIllegalParameter() =>
        Run(s => s.Send(Hello(), TlsMessages.Certificate12(EngineTargets.Pki.Chain), TlsMessages.ServerKeyExchangeEcdhe().Set("curve_type", 1)), AlertDescription.IllegalParameter);

    [Fact]
    public void ServerKeyExchangeSchemeNotOfferedIsIllegalParameter() =>
        Run(s => s.Send(Hello(), TlsMessages.Certificate12(EngineTargets.Pki.Chain), TlsMessages.ServerKeyExchangeEcdhe(algorithm: (SignatureScheme)0x0401)),
            AlertDescription.IllegalParameter, c => Tls12(c) with { SignatureSchemes = [SignatureScheme.EcdsaSecp256r1Sha256] });

    [Fact]
    public void HelloRequestWithABodyIsDecodeError() =>
        Run(s => s.Send(Hello(), TlsMessages.HelloRequest().Append("body", new BytesNode("junk", [1]))), AlertDescription.DecodeError);

    [Fact]
    public void HelloRequestDuringTheHandshakeIsIgnored() =>
        Run(s => s.Send(Hello(), TlsMessages.HelloRequest(), TlsMessages.HelloRequest(), TlsMessages.ServerHelloDone()), AlertDescription.UnexpectedMessage);

    [Fact]
    public void FinishedInPlaceOfTheCertificateIsUnexpectedMessage() =>
        Run(s => s.Send(Hello(), TlsMessages.Finished(new byte[12])), AlertDescription.UnexpectedMessage);

    [Fact]
    public void Tls13OnlyMessageIsUnexpectedMessage() =>
        Run(s => s.Send(Hello(), TlsMessages.EncryptedExtensions()), AlertDescription.UnexpectedMessage);
}
