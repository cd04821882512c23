using ManagedTls.Handshake.Tls12;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Hello;

/// <summary>
/// The server waits for the first ClientHello and makes the one version decision: TLS_FALLBACK_SCSV from a client
/// below our highest version (RFC 7507), then the highest version both sides enable (supported_versions, or without
/// it legacy_version), then the compression methods that version allows. The server-name callback runs here, once,
/// before the chosen version's states negotiate the rest.
/// </summary>
internal sealed class ExpectClientHello : HandshakeState
{
    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.ClientHello)
        {
            throw Unexpected(encoded);
        }

        var ch = (ClientHello)HandshakeMessage.Read(encoded, WireContext.Tls13);
        cx.ClientHelloSeen = true;
        ProtocolVersion version = ChooseVersion(cx.Settings, ch);
        cx.Version = version;
        if (version == ProtocolVersion.Tls13 ? ch.CompressionMethods is not [0] : !ch.CompressionMethods.Contains((byte)0))
        {
            throw TlsAlertException.Illegal(version == ProtocolVersion.Tls13
                ? "TLS 1.3 ClientHello must offer only the null compression method"
                : "the ClientHello does not offer the null compression method");
        }

        if (cx.Settings.ServerNameCallback is { } onServerName)
        {
            Negotiation.ApplyServerName(cx, onServerName, ch.Extensions.Get<ServerNameExtension>()?.HostName);
        }

        return version == ProtocolVersion.Tls13
            ? Tls13ServerHello.Accept(cx, ch, encoded, retry: null)
            : Tls12ServerHello.Accept(cx, ch, encoded);
    }

    /// <summary>
    /// The version to answer <paramref name="ch"/> with. SSL 3.0 and older in legacy_version is <c>protocol_version</c>
    /// (RFC 8446 appendix D.5). A hello carrying TLS_FALLBACK_SCSV whose highest version is below our highest is
    /// <c>inappropriate_fallback</c> (RFC 7507 section 3), checked before any other version refusal. With
    /// supported_versions the highest version in it we enable wins and legacy_version is ignored (RFC 8446 section
    /// 4.2.1); without it, a legacy_version of TLS 1.2 or above means TLS 1.2. Anything else is <c>protocol_version</c>.
    /// </summary>
    public static ProtocolVersion ChooseVersion(TlsConfig s, ClientHello ch)
    {
        if ((ushort)ch.LegacyVersion <= (ushort)ProtocolVersion.Ssl30)
        {
            throw new TlsAlertException(AlertDescription.ProtocolVersion, $"ClientHello legacy_version 0x{(ushort)ch.LegacyVersion:x4} is SSL 3.0 or older");
        }

        SupportedVersionsClientHello? versions = ch.Extensions.Get<SupportedVersionsClientHello>();
        ushort clientHighest = versions is null
            ? (ushort)ch.LegacyVersion
            : versions.Versions.Where(IsKnownVersion).Select(v => (ushort)v).DefaultIfEmpty((ushort)ch.LegacyVersion).Max();
        if (ch.CipherSuites.Contains(TlsCipherSuite.TLS_FALLBACK_SCSV) && clientHighest < (ushort)s.MaximumVersion)
        {
            throw new TlsAlertException(AlertDescription.InappropriateFallback, $"TLS_FALLBACK_SCSV from a client whose highest version 0x{clientHighest:x4} is below ours");
        }

        if (versions is not null)
        {
            if (s.OffersTls13 && versions.Versions.Contains(ProtocolVersion.Tls13))
            {
                return ProtocolVersion.Tls13;
            }

            if (s.OffersTls12 && versions.Versions.Contains(ProtocolVersion.Tls12))
            {
                return ProtocolVersion.Tls12;
            }
        }
        else if (s.OffersTls12 && (ushort)ch.LegacyVersion >= (ushort)ProtocolVersion.Tls12)
        {
            return ProtocolVersion.Tls12;
        }

        throw new TlsAlertException(AlertDescription.ProtocolVersion, s.OffersTls12
            ? "the client offers no version this server enables"
            : "the client does not offer TLS 1.3");
    }

    // The TLS versions (0x0300 to 0x0304); GREASE and other values in supported_versions are ignored (RFC 8701).
    private static bool IsKnownVersion(ProtocolVersion v) => (ushort)v is >= 0x0300 and <= 0x0304;
}
