using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Testing;
using ManagedTls.Tests.Connection;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// The TLS 1.2 server's answer to hostile and unusual ClientHellos, driven by the adversarial kit's scripted client
/// (which does not track TLS 1.2 keys, so these stop at the server's first flight).
/// </summary>
public class Tls12ServerHelloTests
{
    private static readonly TlsCipherSuite[] EcdsaGcm = [TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256];

    [Fact]
    public void NoSuiteInCommonIsHandshakeFailure()
    {
        TlsAlertException? failure = Run(
            script => script
                .Send(TlsMessages.ClientHello12(cipherSuites: [TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256]))
                .ExpectAlert(AlertDescription.HandshakeFailure),
            Tls12Only);
        Assert.Equal(AlertDescription.HandshakeFailure, failure?.Description);
    }

    [Fact]
    public void ASuiteTheKeyCannotServeIsNotChosen()
    {
        // An RSA suite is offered first, but the server's key is P-256: the ECDSA suite is the one it can complete.
        ReceivedMessage? hello = null;
        TlsAlertException? failure = Run(
            script => script
                .Send(TlsMessages.ClientHello12(cipherSuites: [TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, .. EcdsaGcm]))
                .Expect(HandshakeType.ServerHello, m => hello = m),
            Tls12Only);
        Assert.Null(failure);
        Assert.Equal(EcdsaGcm[0], hello!.CipherSuite);
    }

    [Fact]
    public void AHelloWithoutTheNullCompressionMethodIsIllegalParameter()
    {
        TlsAlertException? failure = Run(
            script => script
                .Send(TlsMessages.ClientHello12().SetBytes("legacy_compression_methods", [1]))
                .ExpectAlert(AlertDescription.IllegalParameter),
            Tls12Only);
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    [Fact]
    public void PointFormatsWithoutUncompressedIsIllegalParameter()
    {
        HandshakeBuilder hello = TlsMessages.ClientHello12(cipherSuites: EcdsaGcm);
        hello.Replace("extensions.ec_point_formats", TlsExtensions.EcPointFormats(1, 2));
        TlsAlertException? failure = Run(script => script.Send(hello).ExpectAlert(AlertDescription.IllegalParameter), Tls12Only);
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    [Fact]
    public void ANonEmptyRenegotiationInfoOnAnInitialHandshakeIsHandshakeFailure()
    {
        HandshakeBuilder hello = TlsMessages.ClientHello12(cipherSuites: EcdsaGcm);
        hello.Replace("extensions.renegotiation_info", TlsExtensions.RenegotiationInfo(new byte[12]));
        TlsAlertException? failure = Run(script => script.Send(hello).ExpectAlert(AlertDescription.HandshakeFailure), Tls12Only);
        Assert.Equal(AlertDescription.HandshakeFailure, failure?.Description);
    }

    [Fact]
    public void FallbackScsvFromATls12ClientToAServerThatSpeaksTls13IsInappropriateFallback()
    {
        TlsAlertException? failure = Run(
            script => script
                .Send(TlsMessages.ClientHello12(cipherSuites: [.. EcdsaGcm, TlsCipherSuite.TLS_FALLBACK_SCSV]))
                .ExpectAlert(AlertDescription.InappropriateFallback),
            BothVersions);
        Assert.Equal(AlertDescription.InappropriateFallback, failure?.Description);
    }

    [Fact]
    public void FallbackScsvToAServerWhoseHighestIsTls12IsAccepted()
    {
        TlsAlertException? failure = Run(
            script => script
                .Send(TlsMessages.ClientHello12(cipherSuites: [.. EcdsaGcm, TlsCipherSuite.TLS_FALLBACK_SCSV]))
                .Expect(HandshakeType.ServerHello),
            Tls12Only);
        Assert.Null(failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheDowngradeSentinelIsInTheRandomExactlyWhenTls13IsEnabled(bool tls13Enabled)
    {
        ServerHello hello = FirstFlight(TlsMessages.ClientHello12(cipherSuites: EcdsaGcm), tls13Enabled ? BothVersions : Tls12Only);
        Assert.Equal(tls13Enabled ? ProtocolVersion.Tls12 : null, hello.DowngradeMarker);
        Assert.Equal(ProtocolVersion.Tls12, hello.LegacyVersion);
    }

    [Fact]
    public void ServerHelloAnswersTheClientsExtensionsAndNothingElse()
    {
        // The kit's TLS 1.2 hello: server_name, supported_groups, ec_point_formats, signature_algorithms,
        // extended_master_secret, renegotiation_info, session_ticket; plus heartbeat and encrypt_then_mac here. The
        // empty session_ticket is answered: a NewSessionTicket will follow (RFC 5077 section 3.2, decision 0023).
        HandshakeBuilder clientHello = TlsMessages.ClientHello12(cipherSuites: EcdsaGcm);
        clientHello.Append("extensions", TlsExtensions.Raw(15, [1]));
        clientHello.Append("extensions", TlsExtensions.EncryptThenMac());
        ServerHello hello = FirstFlight(clientHello, Tls12Only);
        Assert.Equal(
            [ExtensionType.RenegotiationInfo, ExtensionType.ServerName, ExtensionType.EcPointFormats, ExtensionType.SessionTicket, ExtensionType.ExtendedMasterSecret],
            hello.Extensions.Select(e => e.Type));
        Assert.Empty(hello.Extensions.Get<RenegotiationInfoExtension>()!.RenegotiatedConnection);
        Assert.Null(hello.Extensions.Get<ServerNameExtension>()!.HostNameBytes);
        Assert.Equal([0], hello.Extensions.Get<EcPointFormatsExtension>()!.Formats);
    }

    [Fact]
    public void AHelloWithoutExtensionsGetsAServerHelloWithoutAnExtensionBlock()
    {
        HandshakeBuilder clientHello = TlsMessages.ClientHello12(extensions: [], cipherSuites: [TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256]);
        ServerHello hello = FirstFlight(clientHello, s => Tls12Only(s) with
        {
            CertificateChain = [ConnectionTestKit.Leaf(ServerKeyType.Rsa2048).Der],
            PrivateKey = ConnectionTestKit.Leaf(ServerKeyType.Rsa2048).Key,
        });
        Assert.False(hello.HasExtensionBlock);
        Assert.Equal(TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, hello.CipherSuite);
    }

    [Fact]
    public void TheRenegotiationScsvIsAnsweredWithAnEmptyRenegotiationInfo()
    {
        HandshakeBuilder clientHello = TlsMessages.ClientHello12(
            extensions: [TlsExtensions.SupportedGroups(NamedGroup.X25519, NamedGroup.Secp256r1), TlsExtensions.SignatureAlgorithms()],
            cipherSuites: [.. EcdsaGcm, TlsCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV]);
        ServerHello hello = FirstFlight(clientHello, Tls12Only);
        Assert.Equal([ExtensionType.RenegotiationInfo], hello.Extensions.Select(e => e.Type));
    }

    [Theory]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, true)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, true)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, false)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, false)]
    public void EncryptThenMacIsAnsweredForCbcSuitesOnly(TlsCipherSuite suite, bool answered)
    {
        HandshakeBuilder clientHello = TlsMessages.ClientHello12(cipherSuites: [suite]);
        clientHello.Append("extensions", TlsExtensions.EncryptThenMac());
        Assert.Equal(answered, FirstFlight(clientHello, Tls12Only).Extensions.Contains(ExtensionType.EncryptThenMac));
    }

    [Theory]
    [InlineData(null, 16385, null)]
    [InlineData(4000, 16385, 4000)]
    [InlineData(16385, 512, 16384)]
    public void RecordSizeLimitIsAnsweredOnlyWhenBothHaveOne(int? ours, int theirs, int? answered)
    {
        HandshakeBuilder clientHello = TlsMessages.ClientHello12(cipherSuites: EcdsaGcm);
        clientHello.Append("extensions", TlsExtensions.RecordSizeLimit((ushort)theirs));
        ServerHello hello = FirstFlight(clientHello, s => Tls12Only(s) with { RecordSizeLimit = ours });
        Assert.Equal(answered, hello.Extensions.Get<RecordSizeLimitExtension>()?.Limit);
    }

    [Fact]
    public void AlpnIsAnsweredWithOurPreferredProtocol()
    {
        HandshakeBuilder clientHello = TlsMessages.ClientHello12(cipherSuites: EcdsaGcm);
        clientHello.Append("extensions", TlsExtensions.Alpn("http/1.1", "h2"));
        ServerHello hello = FirstFlight(clientHello, s => Tls12Only(s) with { AlpnProtocols = ["h2"u8.ToArray(), "http/1.1"u8.ToArray()] });
        Assert.Equal("h2"u8.ToArray(), Assert.Single(hello.Extensions.Get<AlpnExtension>()!.Protocols));
    }

    [Fact]
    public void NoAlpnProtocolInCommonIsNoApplicationProtocol()
    {
        HandshakeBuilder clientHello = TlsMessages.ClientHello12(cipherSuites: EcdsaGcm);
        clientHello.Append("extensions", TlsExtensions.Alpn("http/1.1"));
        TlsAlertException? failure = Run(
            script => script.Send(clientHello).ExpectAlert(AlertDescription.NoApplicationProtocol),
            s => Tls12Only(s) with { AlpnProtocols = ["h2"u8.ToArray()] });
        Assert.Equal(AlertDescription.NoApplicationProtocol, failure?.Description);
    }

    [Fact]
    public void EachFullHandshakeGetsAFreshSessionIdNotTheClients()
    {
        // Without tickets (here turned off on the server) the session id names the cached session (decision 0023).
        byte[] offered = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        HandshakeBuilder clientHello = TlsMessages.ClientHello12(cipherSuites: EcdsaGcm).SetBytes("legacy_session_id", offered);
        ServerHello first = FirstFlight(clientHello, s => Tls12Only(s) with { StatelessTickets = false });
        ServerHello second = FirstFlight(clientHello, s => Tls12Only(s) with { StatelessTickets = false }, seed: 2);
        Assert.Equal(32, first.SessionIdEcho.Length);
        Assert.NotEqual(offered, first.SessionIdEcho);
        Assert.NotEqual(first.SessionIdEcho, second.SessionIdEcho);

        // With a ticket promised, the session id is empty, as OpenSSL sends it (RFC 5077 section 3.4).
        ServerHello ticketed = FirstFlight(clientHello, Tls12Only);
        Assert.Empty(ticketed.SessionIdEcho);
        Assert.NotNull(ticketed.Extensions.Get<SessionTicketExtension>());
    }

    [Fact]
    public void TheFirstFlightIsCertificateInItsTls12FormThenServerKeyExchangeAndServerHelloDone()
    {
        var types = new List<HandshakeType>();
        ReceivedMessage? certificate = null;
        TlsAlertException? failure = Run(
            script => script
                .Send(TlsMessages.ClientHello12(cipherSuites: EcdsaGcm))
                .Expect(HandshakeType.ServerHello, m => types.Add(m.Type))
                .Expect(HandshakeType.Certificate, m => { types.Add(m.Type); certificate = m; })
                .Expect(HandshakeType.ServerKeyExchange, m => types.Add(m.Type))
                .Expect(HandshakeType.ServerHelloDone, m => types.Add(m.Type)),
            Tls12Only);
        Assert.Null(failure);
        var parsed = (CertificateMessage)HandshakeMessage.Read(certificate!.Bytes, WireContext.Tls12());
        Assert.Equal(ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256).Der, parsed.Entries[0].Data);
    }

    [Fact]
    public void ATls13HelloToAServerOfBothVersionsIsStillTls13()
    {
        TlsAlertException? failure = Run(script => script.ClientHello().ExpectServerFlight().ClientFinished(), BothVersions);
        Assert.Null(failure);
    }

    internal static TlsConfig Tls12Only(TlsConfig s) => s with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites,
    };

    internal static TlsConfig BothVersions(TlsConfig s) => Tls12Only(s) with { MaximumVersion = ProtocolVersion.Tls13 };

    private static TlsAlertException? Run(Func<TlsScript, TlsScript> script, Func<TlsConfig, TlsConfig> configure, int seed = 1) =>
        EngineTargets.AgainstServer(script, seed, configure);

    // The server's ServerHello to clientHello.
    private static ServerHello FirstFlight(HandshakeBuilder clientHello, Func<TlsConfig, TlsConfig> configure, int seed = 1)
    {
        ReceivedMessage? hello = null;
        TlsAlertException? failure = Run(
            script => script.Send(clientHello).Expect(HandshakeType.ServerHello, m => hello = m),
            configure,
            seed);
        Assert.Null(failure);
        return (ServerHello)HandshakeMessage.Read(hello!.Bytes, WireContext.Tls12());
    }
}
