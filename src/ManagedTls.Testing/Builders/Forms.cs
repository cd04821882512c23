using ManagedTls.Wire;

namespace ManagedTls.Testing;

/// <summary>Every handshake message form <see cref="TlsMessages"/> makes: the message type plus the version or key exchange that decides its shape.</summary>
public enum MessageForm
{
    /// <summary>TLS 1.3 ClientHello.</summary>
    ClientHello,
    /// <summary>TLS 1.2 ClientHello.</summary>
    ClientHello12,
    /// <summary>TLS 1.3 ServerHello.</summary>
    ServerHello,
    /// <summary>TLS 1.2 ServerHello.</summary>
    ServerHello12,
    /// <summary>HelloRetryRequest.</summary>
    HelloRetryRequest,
    /// <summary>EncryptedExtensions.</summary>
    EncryptedExtensions,
    /// <summary>TLS 1.3 CertificateRequest.</summary>
    CertificateRequest,
    /// <summary>TLS 1.2 CertificateRequest.</summary>
    CertificateRequest12,
    /// <summary>TLS 1.3 Certificate.</summary>
    Certificate,
    /// <summary>TLS 1.2 Certificate.</summary>
    Certificate12,
    /// <summary>CertificateVerify.</summary>
    CertificateVerify,
    /// <summary>Finished.</summary>
    Finished,
    /// <summary>TLS 1.3 NewSessionTicket.</summary>
    NewSessionTicket,
    /// <summary>TLS 1.2 NewSessionTicket.</summary>
    NewSessionTicket12,
    /// <summary>EndOfEarlyData.</summary>
    EndOfEarlyData,
    /// <summary>KeyUpdate.</summary>
    KeyUpdate,
    /// <summary>HelloRequest (TLS 1.2).</summary>
    HelloRequest,
    /// <summary>ServerHelloDone (TLS 1.2).</summary>
    ServerHelloDone,
    /// <summary>ECDHE ServerKeyExchange (TLS 1.2).</summary>
    ServerKeyExchangeEcdhe,
    /// <summary>DHE ServerKeyExchange (TLS 1.2).</summary>
    ServerKeyExchangeDhe,
    /// <summary>ECDHE ClientKeyExchange (TLS 1.2).</summary>
    ClientKeyExchangeEcdhe,
    /// <summary>DHE ClientKeyExchange (TLS 1.2).</summary>
    ClientKeyExchangeDhe,
    /// <summary>RSA ClientKeyExchange (TLS 1.2).</summary>
    ClientKeyExchangeRsa,
    /// <summary>CertificateStatus (TLS 1.2).</summary>
    CertificateStatus,
    /// <summary>message_hash, the synthetic transcript message.</summary>
    MessageHash,
}

/// <summary>The message an extension sits in, which decides its form and whether it is allowed (RFC 8446 section 4.2).</summary>
public enum ExtensionPlace
{
    /// <summary>ClientHello.</summary>
    ClientHello,
    /// <summary>TLS 1.3 ServerHello.</summary>
    ServerHello,
    /// <summary>HelloRetryRequest.</summary>
    HelloRetryRequest,
    /// <summary>EncryptedExtensions.</summary>
    EncryptedExtensions,
    /// <summary>A TLS 1.3 CertificateEntry.</summary>
    CertificateEntry,
    /// <summary>TLS 1.3 CertificateRequest.</summary>
    CertificateRequest,
    /// <summary>TLS 1.3 NewSessionTicket.</summary>
    NewSessionTicket,
    /// <summary>TLS 1.2 ServerHello.</summary>
    ServerHelloTls12,
}

/// <summary>Every extension form <see cref="TlsExtensions"/> makes.</summary>
public enum ExtensionForm
{
    /// <summary>server_name with a host name (ClientHello).</summary>
    ServerName,
    /// <summary>Empty server_name (EncryptedExtensions).</summary>
    ServerNameAck,
    /// <summary>max_fragment_length.</summary>
    MaxFragmentLength,
    /// <summary>status_request, OCSP request (ClientHello).</summary>
    StatusRequest,
    /// <summary>Empty status_request (CertificateRequest, TLS 1.2 ServerHello).</summary>
    StatusRequestAck,
    /// <summary>status_request with an OCSP response (certificate entry).</summary>
    StatusRequestResponse,
    /// <summary>supported_groups.</summary>
    SupportedGroups,
    /// <summary>ec_point_formats.</summary>
    EcPointFormats,
    /// <summary>signature_algorithms.</summary>
    SignatureAlgorithms,
    /// <summary>signature_algorithms_cert.</summary>
    SignatureAlgorithmsCert,
    /// <summary>ALPN offer (ClientHello).</summary>
    Alpn,
    /// <summary>ALPN answer, one protocol (EncryptedExtensions).</summary>
    AlpnServer,
    /// <summary>Empty signed_certificate_timestamp (ClientHello).</summary>
    SignedCertificateTimestamp,
    /// <summary>signed_certificate_timestamp with an SCT list (certificate entry).</summary>
    SignedCertificateTimestampList,
    /// <summary>padding.</summary>
    Padding,
    /// <summary>encrypt_then_mac.</summary>
    EncryptThenMac,
    /// <summary>extended_master_secret.</summary>
    ExtendedMasterSecret,
    /// <summary>record_size_limit.</summary>
    RecordSizeLimit,
    /// <summary>session_ticket.</summary>
    SessionTicket,
    /// <summary>pre_shared_key, client form.</summary>
    PreSharedKey,
    /// <summary>pre_shared_key, server form.</summary>
    PreSharedKeyServer,
    /// <summary>Empty early_data (ClientHello, EncryptedExtensions).</summary>
    EarlyData,
    /// <summary>early_data with max_early_data_size (NewSessionTicket).</summary>
    EarlyDataTicket,
    /// <summary>supported_versions, client form.</summary>
    SupportedVersions,
    /// <summary>supported_versions, server form.</summary>
    SupportedVersionsServer,
    /// <summary>cookie.</summary>
    Cookie,
    /// <summary>psk_key_exchange_modes.</summary>
    PskKeyExchangeModes,
    /// <summary>certificate_authorities.</summary>
    CertificateAuthorities,
    /// <summary>oid_filters (CertificateRequest).</summary>
    OidFilters,
    /// <summary>post_handshake_auth.</summary>
    PostHandshakeAuth,
    /// <summary>key_share, client form.</summary>
    KeyShareClient,
    /// <summary>key_share, server form.</summary>
    KeyShareServer,
    /// <summary>key_share, HelloRetryRequest form.</summary>
    KeyShareRetry,
    /// <summary>renegotiation_info.</summary>
    RenegotiationInfo,
    /// <summary>An unknown extension type with raw data.</summary>
    Raw,
}

/// <summary>The sample (default) message or extension of each form, and where each extension form belongs.</summary>
public static class TlsForms
{
    /// <summary>Every message form.</summary>
    public static IReadOnlyList<MessageForm> AllMessages { get; } = Enum.GetValues<MessageForm>();

    /// <summary>Every extension form.</summary>
    public static IReadOnlyList<ExtensionForm> AllExtensions { get; } = Enum.GetValues<ExtensionForm>();

    /// <summary>The valid default message of <paramref name="form"/>, fresh each call.</summary>
    /// <param name="form">The form.</param>
    /// <returns>The message.</returns>
    public static HandshakeBuilder Message(MessageForm form) => form switch
    {
        MessageForm.ClientHello => TlsMessages.ClientHello(),
        MessageForm.ClientHello12 => TlsMessages.ClientHello12(),
        MessageForm.ServerHello => TlsMessages.ServerHello(),
        MessageForm.ServerHello12 => TlsMessages.ServerHello12(),
        MessageForm.HelloRetryRequest => TlsMessages.HelloRetryRequest(cookie: TlsExtensions.Filled(16, 0xc0)),
        MessageForm.EncryptedExtensions => TlsMessages.EncryptedExtensions(TlsExtensions.ServerNameAck(), TlsExtensions.Alpn("h2")),
        MessageForm.CertificateRequest => TlsMessages.CertificateRequest(),
        MessageForm.CertificateRequest12 => TlsMessages.CertificateRequest12(TlsExtensions.SampleName),
        MessageForm.Certificate => TlsMessages.CertificateWithEntries(
            ThrowawayPki.Shared.Chain.Select(c => TlsMessages.CertificateEntry(c, TlsExtensions.StatusRequestResponse(), TlsExtensions.SignedCertificateTimestamp([1, 2, 3])))),
        MessageForm.Certificate12 => TlsMessages.Certificate12(),
        MessageForm.CertificateVerify => TlsMessages.CertificateVerify(),
        MessageForm.Finished => TlsMessages.Finished(),
        MessageForm.NewSessionTicket => TlsMessages.NewSessionTicket(extensions: TlsExtensions.EarlyDataTicket()),
        MessageForm.NewSessionTicket12 => TlsMessages.NewSessionTicket12(),
        MessageForm.EndOfEarlyData => TlsMessages.EndOfEarlyData(),
        MessageForm.KeyUpdate => TlsMessages.KeyUpdate(),
        MessageForm.HelloRequest => TlsMessages.HelloRequest(),
        MessageForm.ServerHelloDone => TlsMessages.ServerHelloDone(),
        MessageForm.ServerKeyExchangeEcdhe => TlsMessages.ServerKeyExchangeEcdhe(),
        MessageForm.ServerKeyExchangeDhe => TlsMessages.ServerKeyExchangeDhe(),
        MessageForm.ClientKeyExchangeEcdhe => TlsMessages.ClientKeyExchangeEcdhe(),
        MessageForm.ClientKeyExchangeDhe => TlsMessages.ClientKeyExchangeDhe(),
        MessageForm.ClientKeyExchangeRsa => TlsMessages.ClientKeyExchangeRsa(),
        MessageForm.CertificateStatus => TlsMessages.CertificateStatus(),
        MessageForm.MessageHash => TlsMessages.MessageHash(),
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
    };

    /// <summary>The valid default extension of <paramref name="form"/>, fresh each call.</summary>
    /// <param name="form">The form.</param>
    /// <returns>The extension.</returns>
    public static ExtensionBuilder Extension(ExtensionForm form) => form switch
    {
        ExtensionForm.ServerName => TlsExtensions.ServerName(),
        ExtensionForm.ServerNameAck => TlsExtensions.ServerNameAck(),
        ExtensionForm.MaxFragmentLength => TlsExtensions.MaxFragmentLength(),
        ExtensionForm.StatusRequest => TlsExtensions.StatusRequest(),
        ExtensionForm.StatusRequestAck => TlsExtensions.StatusRequestAck(),
        ExtensionForm.StatusRequestResponse => TlsExtensions.StatusRequestResponse(),
        ExtensionForm.SupportedGroups => TlsExtensions.SupportedGroups(),
        ExtensionForm.EcPointFormats => TlsExtensions.EcPointFormats(),
        ExtensionForm.SignatureAlgorithms => TlsExtensions.SignatureAlgorithms(),
        ExtensionForm.SignatureAlgorithmsCert => TlsExtensions.SignatureAlgorithmsCert(),
        ExtensionForm.Alpn => TlsExtensions.Alpn(),
        ExtensionForm.AlpnServer => TlsExtensions.Alpn("h2"),
        ExtensionForm.SignedCertificateTimestamp => TlsExtensions.SignedCertificateTimestamp(),
        ExtensionForm.SignedCertificateTimestampList => TlsExtensions.SignedCertificateTimestamp([0, 1, 2, 3], [4, 5]),
        ExtensionForm.Padding => TlsExtensions.Padding(),
        ExtensionForm.EncryptThenMac => TlsExtensions.EncryptThenMac(),
        ExtensionForm.ExtendedMasterSecret => TlsExtensions.ExtendedMasterSecret(),
        ExtensionForm.RecordSizeLimit => TlsExtensions.RecordSizeLimit(),
        ExtensionForm.SessionTicket => TlsExtensions.SessionTicket([1, 2, 3, 4]),
        ExtensionForm.PreSharedKey => TlsExtensions.PreSharedKey(),
        ExtensionForm.PreSharedKeyServer => TlsExtensions.PreSharedKeyServer(),
        ExtensionForm.EarlyData => TlsExtensions.EarlyData(),
        ExtensionForm.EarlyDataTicket => TlsExtensions.EarlyDataTicket(),
        ExtensionForm.SupportedVersions => TlsExtensions.SupportedVersions(ProtocolVersion.Tls13, ProtocolVersion.Tls12),
        ExtensionForm.SupportedVersionsServer => TlsExtensions.SupportedVersionsServer(),
        ExtensionForm.Cookie => TlsExtensions.Cookie(),
        ExtensionForm.PskKeyExchangeModes => TlsExtensions.PskKeyExchangeModes(),
        ExtensionForm.CertificateAuthorities => TlsExtensions.CertificateAuthorities(),
        ExtensionForm.OidFilters => TlsExtensions.OidFilters(),
        ExtensionForm.PostHandshakeAuth => TlsExtensions.PostHandshakeAuth(),
        ExtensionForm.KeyShareClient => TlsExtensions.KeyShareClient(),
        ExtensionForm.KeyShareServer => TlsExtensions.KeyShareServer(),
        ExtensionForm.KeyShareRetry => TlsExtensions.KeyShareRetry(),
        ExtensionForm.RenegotiationInfo => TlsExtensions.RenegotiationInfo(),
        ExtensionForm.Raw => TlsExtensions.Raw(0x4a4a, [0xde, 0xad]),
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
    };

    /// <summary>The message <paramref name="form"/> belongs in (where its default is legal and parses in that form).</summary>
    /// <param name="form">The form.</param>
    /// <returns>The place.</returns>
    public static ExtensionPlace PlaceOf(ExtensionForm form) => form switch
    {
        ExtensionForm.ServerNameAck or ExtensionForm.AlpnServer => ExtensionPlace.EncryptedExtensions,
        ExtensionForm.StatusRequestAck or ExtensionForm.OidFilters => ExtensionPlace.CertificateRequest,
        ExtensionForm.StatusRequestResponse or ExtensionForm.SignedCertificateTimestampList => ExtensionPlace.CertificateEntry,
        ExtensionForm.PreSharedKeyServer or ExtensionForm.SupportedVersionsServer or ExtensionForm.KeyShareServer => ExtensionPlace.ServerHello,
        ExtensionForm.KeyShareRetry => ExtensionPlace.HelloRetryRequest,
        ExtensionForm.EarlyDataTicket => ExtensionPlace.NewSessionTicket,
        _ => ExtensionPlace.ClientHello,
    };
}
