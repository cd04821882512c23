using ManagedTls.CipherSuites;
using ManagedTls.Handshake.Tls12;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Hello;

/// <summary>
/// The client waits for the ServerHello (or, once, a HelloRetryRequest) and makes the one version decision: the
/// version the server chose must be one we offered, a TLS 1.3 server choosing TLS 1.2 must not have left the downgrade
/// sentinel (RFC 8446 section 4.1.3), and the chosen suite must be one we offered for that version. Then the chosen
/// version's states take over with what we offered.
/// </summary>
internal sealed class ExpectServerHello(ClientOffer offer) : HandshakeState
{
    /// <summary>Wipes the private keys of the shares not yet used.</summary>
    public override void Dispose() => offer.Dispose();

    /// <summary>
    /// A server that may answer with TLS 1.3 may send its compatibility change_cipher_spec before its ServerHello
    /// (after a HelloRetryRequest): dropped once when TLS 1.3 was offered, else <c>unexpected_message</c>.
    /// </summary>
    public override HandshakeState HandleChangeCipherSpec(HandshakeContext cx, ReadOnlySpan<byte> body) =>
        cx.Settings.OffersTls13 ? Tls13Common.DropCompatibilityCcs(this, cx, body) : base.HandleChangeCipherSpec(cx, body);

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        if (TypeOf(encoded) != HandshakeType.ServerHello)
        {
            throw Unexpected(encoded);
        }

        var sh = (ServerHello)HandshakeMessage.Read(encoded, WireContext.Tls13);
        ProtocolVersion version = ChooseVersion(cx.Settings, sh, retried: offer.HrrSuite is not null);
        cx.Version = version;
        if (!sh.SessionIdEcho.AsSpan().SequenceEqual(offer.SessionId) && version == ProtocolVersion.Tls13)
        {
            throw TlsAlertException.Illegal("legacy_session_id_echo does not match");
        }

        if (version != ProtocolVersion.Tls13)
        {
            cx.Compression = Negotiation.CheckServerCompression(cx.Settings, sh.CompressionMethod);
        }
        else if (sh.CompressionMethod != 0)
        {
            throw TlsAlertException.Illegal("non-null compression method");
        }

        IReadOnlyList<CipherSuiteInfo> offered = version == ProtocolVersion.Tls13 ? cx.Settings.CipherSuites : cx.Settings.Tls12CipherSuites;
        CipherSuiteInfo suite = offered.FirstOrDefault(s => s.Suite == sh.CipherSuite)
            ?? throw TlsAlertException.Illegal($"server chose suite 0x{(ushort)sh.CipherSuite:x4}, which was not offered");
        if (version != ProtocolVersion.Tls13)
        {
            return Tls12ClientHello.AcceptServerHello(cx, sh, suite, encoded, offer);
        }

        return sh.IsHelloRetryRequest
            ? Tls13ClientHello.HandleRetry(cx, sh, suite, encoded, offer)
            : Tls13ClientHello.AcceptServerHello(cx, sh, suite, encoded, offer);
    }

    /// <summary>
    /// The version a ServerHello chose, checked against what we offered: supported_versions (TLS 1.3, with
    /// legacy_version TLS 1.2) or, without it, legacy_version. SSL 3.0 and older is <c>protocol_version</c> (RFC 8446
    /// appendix D.5); a version we did not offer without supported_versions is <c>protocol_version</c>, and
    /// with it <c>illegal_parameter</c>; a TLS 1.2 answer carrying a downgrade sentinel while we offered TLS 1.3 is
    /// <c>illegal_parameter</c> (RFC 8446 section 4.1.3); after a HelloRetryRequest only TLS 1.3 is possible.
    /// </summary>
    public static ProtocolVersion ChooseVersion(TlsConfig s, ServerHello sh, bool retried)
    {
        if ((ushort)sh.LegacyVersion <= (ushort)ProtocolVersion.Ssl30)
        {
            // RFC 8446 appendix D.5: a hello with legacy_version 0x0300 or less is refused with protocol_version.
            throw new TlsAlertException(AlertDescription.ProtocolVersion, $"ServerHello legacy_version 0x{(ushort)sh.LegacyVersion:x4} is SSL 3.0 or older");
        }

        SupportedVersionsServerHello? versions = sh.Extensions.Get<SupportedVersionsServerHello>();
        if (versions is not null)
        {
            if (!s.OffersTls13 || versions.SelectedVersion != ProtocolVersion.Tls13 || sh.LegacyVersion != ProtocolVersion.Tls12)
            {
                throw TlsAlertException.Illegal($"server selected version 0x{(ushort)versions.SelectedVersion:x4}, which was not offered");
            }

            return ProtocolVersion.Tls13;
        }

        if (s.OffersTls13 && sh.DowngradeMarker is not null)
        {
            throw TlsAlertException.Illegal("ServerHello random carries a downgrade marker");
        }

        if (sh.LegacyVersion == ProtocolVersion.Tls12 && s.OffersTls12)
        {
            if (retried || sh.IsHelloRetryRequest)
            {
                throw TlsAlertException.Illegal("a HelloRetryRequest, or the ServerHello after one, without supported_versions");
            }

            return ProtocolVersion.Tls12;
        }

        throw new TlsAlertException(AlertDescription.ProtocolVersion, $"server chose version 0x{(ushort)sh.LegacyVersion:x4}, which was not offered");
    }
}
