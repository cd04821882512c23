using ManagedTls.Crypto;
using ManagedTls.Handshake.Hello;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Tls12;

/// <summary>
/// What ties a TLS 1.2 renegotiation to the handshake before it (RFC 5746 section 3): whether secure renegotiation
/// was negotiated, the two verify_data of the last handshake, the server's leaf certificate then (which must not
/// change), and the settings the connection had before the renegotiation narrowed them.
/// </summary>
/// <param name="Secure">Both sides supported RFC 5746 in the last handshake.</param>
/// <param name="Previous">The last handshake's client and server verify_data.</param>
/// <param name="ServerLeaf">Client: the server's leaf certificate (DER) from the last handshake, or null when it sent none.</param>
/// <param name="BaseSettings">The settings to return to when the renegotiation ends.</param>
/// <param name="RequestsClientCertificate">Server: this renegotiation asks for the client's certificate.</param>
internal sealed record Tls12RenegotiationBinding(bool Secure, Tls12FinishedPair Previous, byte[]? ServerLeaf, TlsConfig BaseSettings, bool RequestsClientCertificate);

/// <summary>
/// TLS 1.2 renegotiation (RFC 5246 section 7.4.1, RFC 5746, decision 0024): a new full handshake over an established
/// connection, run by the ordinary TLS 1.2 states under the current record protection, with the settings narrowed to
/// TLS 1.2 so that the version cannot change, and the renegotiation_info checks of RFC 5746 sections 3.5 to 3.7.
/// </summary>
internal static class Tls12Renegotiation
{
    /// <summary>
    /// True when a renegotiation may run over this connection: not refused by <see cref="TlsConfig.RefuseRenegotiation"/>,
    /// and either secure renegotiation was negotiated or <see cref="TlsConfig.AllowUnsafeLegacyRenegotiation"/> is set.
    /// </summary>
    public static bool Permitted(HandshakeContext cx, bool secure) =>
        !cx.Settings.RefuseRenegotiation && (secure || cx.Settings.AllowUnsafeLegacyRenegotiation);

    /// <summary>
    /// Starts the new handshake's bookkeeping: the binding to the last handshake, the settings narrowed to TLS 1.2
    /// (and, when <paramref name="requestClientCertificate"/>, asking for the client's certificate), a new transcript.
    /// </summary>
    public static void Begin(HandshakeContext cx, bool secure, bool requestClientCertificate)
    {
        Tls12FinishedPair previous = cx.Tls12Finished ?? throw TlsAlertException.Internal("a renegotiation without a completed TLS 1.2 handshake");
        TlsConfig baseSettings = cx.Settings;
        byte[]? leaf = cx.IsClient && cx.PeerChain.Count > 0 ? cx.PeerChain[0] : null;
        cx.Renegotiation = new Tls12RenegotiationBinding(secure, previous, leaf, baseSettings, requestClientCertificate);
        cx.Settings = baseSettings with
        {
            MinimumVersion = ProtocolVersion.Tls12,
            MaximumVersion = ProtocolVersion.Tls12,
            RequestClientCertificate = baseSettings.RequestClientCertificate || requestClientCertificate,
        };
        cx.BeginNewHandshake();
    }

    /// <summary>Client: begins a renegotiation and sends its ClientHello; returns the state waiting for the ServerHello.</summary>
    public static HandshakeState StartClient(HandshakeContext cx, bool secure)
    {
        Begin(cx, secure, requestClientCertificate: false);
        byte[] random = cx.RandomBytes(32);
        cx.ClientRandom = random;
        var offer = new ClientOffer(random, [], [], HrrSuite: null, Session: null);
        ClientHandshake.SendHello(cx, ClientHandshake.BuildHello(cx, offer, cookie: null), session: null);
        return new ExpectServerHello(offer);
    }

    /// <summary>
    /// Server: begins a renegotiation with the client's new hello and answers it. The hello must offer TLS 1.2
    /// (<c>protocol_version</c> otherwise: a renegotiation cannot change the version) and the null compression method.
    /// </summary>
    public static HandshakeState AcceptClientHello(HandshakeContext cx, ReadOnlySpan<byte> encoded, bool secure, bool requestClientCertificate)
    {
        var ch = (ClientHello)HandshakeMessage.Read(encoded, WireContext.Tls13);
        Begin(cx, secure, requestClientCertificate);
        if (ExpectClientHello.ChooseVersion(cx.Settings, ch) != ProtocolVersion.Tls12)
        {
            throw new TlsAlertException(AlertDescription.ProtocolVersion, "a renegotiation cannot change the version");
        }

        if (!ch.CompressionMethods.Contains((byte)0))
        {
            throw TlsAlertException.Illegal("the ClientHello does not offer the null compression method");
        }

        return Tls12ServerHello.Accept(cx, ch, encoded);
    }

    /// <summary>The renegotiation_info a client sends: client_verify_data in a secure renegotiation (RFC 5746 section 3.5).</summary>
    public static byte[] ClientHelloInfo(Tls12RenegotiationBinding binding) => (byte[])binding.Previous.Client.Clone();

    /// <summary>
    /// Server: true when the client's hello supports secure renegotiation. On an initial handshake that is the SCSV or an
    /// empty renegotiation_info, and a non-empty one is <c>handshake_failure</c> (RFC 5746 section 3.6). In a secure
    /// renegotiation the SCSV is <c>handshake_failure</c> and renegotiation_info must be present and equal
    /// client_verify_data, compared in constant time (section 3.7); in a legacy one it must be absent.
    /// </summary>
    public static bool CheckClientHello(HandshakeContext cx, ClientHello ch)
    {
        RenegotiationInfoExtension? info = ch.Extensions.Get<RenegotiationInfoExtension>();
        bool scsv = ch.CipherSuites.Contains(TlsCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
        if (cx.Renegotiation is not { } binding)
        {
            if (info is { RenegotiatedConnection.Length: > 0 })
            {
                throw new TlsAlertException(AlertDescription.HandshakeFailure, "renegotiation_info is not empty on an initial handshake");
            }

            return info is not null || scsv;
        }

        if (!binding.Secure)
        {
            if (info is not null)
            {
                throw new TlsAlertException(AlertDescription.HandshakeFailure, "renegotiation_info in a renegotiation of a connection without secure renegotiation");
            }

            return false;
        }

        if (scsv)
        {
            throw new TlsAlertException(AlertDescription.HandshakeFailure, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV in a renegotiation ClientHello");
        }

        if (info is null || !CryptoUtil.FixedTimeEquals(info.RenegotiatedConnection, binding.Previous.Client))
        {
            throw new TlsAlertException(AlertDescription.HandshakeFailure, "renegotiation_info does not carry the client's last verify_data");
        }

        return true;
    }

    /// <summary>
    /// The renegotiation_info a server sends when secure renegotiation is agreed: empty on an initial handshake,
    /// client_verify_data || server_verify_data in a renegotiation (RFC 5746 section 3.7).
    /// </summary>
    public static byte[] ServerHelloInfo(HandshakeContext cx) => cx.Renegotiation is { } binding
        ? [.. binding.Previous.Client, .. binding.Previous.Server]
        : [];

    /// <summary>
    /// Client: checks the ServerHello's renegotiation_info (<paramref name="info"/>, null when absent) and returns
    /// whether secure renegotiation holds. Initial handshake: it must be empty (RFC 5746 section 3.4). Secure
    /// renegotiation: it must be present and equal client_verify_data || server_verify_data, compared in constant time
    /// (section 3.5); legacy renegotiation: absent. Anything else is <c>handshake_failure</c>.
    /// </summary>
    public static bool CheckServerHello(HandshakeContext cx, RenegotiationInfoExtension? info)
    {
        if (cx.Renegotiation is not { } binding)
        {
            if (info is { RenegotiatedConnection.Length: > 0 })
            {
                throw new TlsAlertException(AlertDescription.HandshakeFailure, "renegotiation_info is not empty on an initial handshake");
            }

            return info is not null;
        }

        if (!binding.Secure)
        {
            return info is null
                ? false
                : throw new TlsAlertException(AlertDescription.HandshakeFailure, "renegotiation_info in a renegotiation of a connection without secure renegotiation");
        }

        byte[] expected = ServerHelloInfo(cx);
        if (info is null || !CryptoUtil.FixedTimeEquals(info.RenegotiatedConnection, expected))
        {
            throw new TlsAlertException(AlertDescription.HandshakeFailure, "renegotiation_info does not carry the last handshake's verify_data");
        }

        return true;
    }

    /// <summary>
    /// Client: in a renegotiation the server's leaf certificate must be the one of the last handshake, byte for byte
    /// (<c>illegal_parameter</c>, as BoringSSL's SERVER_CERT_CHANGED; decision 0024).
    /// </summary>
    public static void CheckSameServer(HandshakeContext cx, CertificateMessage certificate)
    {
        if (cx.Renegotiation is not { } binding || binding.ServerLeaf is not { } leaf)
        {
            return;
        }

        if (certificate.Entries.Count == 0 || !certificate.Entries[0].Data.AsSpan().SequenceEqual(leaf))
        {
            throw TlsAlertException.Illegal("the server's certificate changed in a renegotiation");
        }
    }

    /// <summary>
    /// Ends a renegotiation that completed: the settings return, and it is counted. It was a full handshake, so the
    /// connection no longer reports a reused session (as OpenSSL's SSL_session_reused reports the last handshake).
    /// </summary>
    public static void Complete(HandshakeContext cx)
    {
        if (cx.Renegotiation is { } binding)
        {
            cx.Settings = binding.BaseSettings;
            cx.Renegotiation = null;
            cx.SessionReused = false;
            cx.Renegotiations.Complete(binding.RequestsClientCertificate);
        }
    }

    /// <summary>Abandons a renegotiation the peer refused before it answered our hello: the settings return.</summary>
    public static void Abandon(HandshakeContext cx)
    {
        if (cx.Renegotiation is { } binding)
        {
            cx.Settings = binding.BaseSettings;
            cx.Renegotiation = null;
        }
    }
}
