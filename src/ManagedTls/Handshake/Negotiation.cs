using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;

namespace ManagedTls.Handshake;

/// <summary>
/// The choices a server makes from the two sides' lists, the same for both versions: the cipher suite, the key
/// exchange group, the signature scheme, the ALPN protocol, the TLS 1.2 compression method, the server-name callback's
/// replacement settings. Each is
/// made here once, so a rule (server preference, no_application_protocol) cannot differ between TLS 1.2 and TLS 1.3.
/// </summary>
internal static class Negotiation
{
    private static readonly byte[] NullOnly = [(byte)CompressionMethod.Null];
    private static readonly byte[] DeflateAndNull = [(byte)CompressionMethod.Deflate, (byte)CompressionMethod.Null];

    /// <summary>
    /// The compression methods a ClientHello lists, as OpenSSL 3.0 lists them: DEFLATE then null when compression is
    /// allowed and the hello cannot negotiate TLS 1.3 (RFC 8446 section 4.1.2 wants exactly [null] from a client that
    /// offers TLS 1.3, so OpenSSL offers compression only when its highest version is below TLS 1.3); else only null.
    /// </summary>
    public static byte[] OfferedCompressionMethods(TlsConfig s) => s.Compression && s.OffersTls12 && !s.OffersTls13 ? DeflateAndNull : NullOnly;

    /// <summary>
    /// The TLS 1.2 server's choice from a ClientHello's list (which holds null; checked before): DEFLATE when we allow
    /// compression and the client offers it, else null (RFC 5246 section 7.4.1.3, RFC 3749 section 2).
    /// </summary>
    public static CompressionMethod ChooseCompression(TlsConfig s, IReadOnlyList<byte> offered) =>
        s.Compression && offered.Contains((byte)CompressionMethod.Deflate) ? CompressionMethod.Deflate : CompressionMethod.Null;

    /// <summary>
    /// Checks the compression method a TLS 1.2 ServerHello chose: one we offered, else <c>illegal_parameter</c> (as
    /// OpenSSL answers an unsupported compression algorithm).
    /// </summary>
    public static CompressionMethod CheckServerCompression(TlsConfig s, byte chosen)
    {
        if (Array.IndexOf(OfferedCompressionMethods(s), chosen) < 0)
        {
            throw TlsAlertException.Illegal(chosen == 0 ? "null compression was not offered" : $"server chose compression method {chosen}, which was not offered");
        }

        return (CompressionMethod)chosen;
    }

    /// <summary>
    /// The suite to use: the client's most preferred one we enable, or with <paramref name="serverPreference"/> our
    /// most preferred one the client offers (OpenSSL's <c>SSL_OP_CIPHER_SERVER_PREFERENCE</c>); null when none is shared.
    /// </summary>
    public static CipherSuiteInfo? ChooseSuite(IReadOnlyList<CipherSuiteInfo> ours, IReadOnlyList<TlsCipherSuite> offered, bool serverPreference)
    {
        if (serverPreference)
        {
            var set = new HashSet<TlsCipherSuite>(offered);
            return ours.FirstOrDefault(c => set.Contains(c.Suite));
        }

        foreach (TlsCipherSuite code in offered)
        {
            CipherSuiteInfo? match = ours.FirstOrDefault(c => c.Suite == code);
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>
    /// The group to use from <paramref name="ours"/> (already restricted to the groups that fit) and the client's
    /// supported_groups: the client's most preferred one, or with <paramref name="serverPreference"/> our most preferred
    /// one, as OpenSSL's <c>tls1_shared_group</c>; null when none is shared.
    /// </summary>
    public static KeyExchangeGroup? ChooseGroup(IEnumerable<KeyExchangeGroup> ours, IReadOnlyList<NamedGroup> offered, bool serverPreference)
    {
        KeyExchangeGroup[] candidates = ours.ToArray();
        if (serverPreference)
        {
            var set = new HashSet<NamedGroup>(offered);
            return candidates.FirstOrDefault(g => set.Contains(g.Group));
        }

        foreach (NamedGroup code in offered)
        {
            KeyExchangeGroup? match = candidates.FirstOrDefault(g => g.Group == code);
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>
    /// The ALPN protocol to answer with (RFC 7301 section 3.2): our most preferred one the client offered; null when
    /// either side has none; <c>no_application_protocol</c> when both have some and none is shared.
    /// </summary>
    public static byte[]? ChooseAlpn(TlsConfig s, AlpnExtension? offered)
    {
        if (offered is null || s.AlpnProtocols.Count == 0)
        {
            return null;
        }

        return s.AlpnProtocols.FirstOrDefault(p => offered.Protocols.Any(o => o.AsSpan().SequenceEqual(p)))
            ?? throw new TlsAlertException(AlertDescription.NoApplicationProtocol, "no ALPN protocol in common");
    }

    /// <summary>
    /// Runs the server-name callback once, on the first ClientHello, before anything depends on the certificate, ALPN
    /// or client authentication; its replacement settings become the context's. Its exceptions other than
    /// <see cref="TlsAlertException"/> become <c>handshake_failure</c>.
    /// </summary>
    public static TlsConfig ApplyServerName(HandshakeContext cx, Func<string?, TlsConfig?> callback, string? name)
    {
        TlsConfig? replacement;
        try
        {
            replacement = callback(name);
        }
        catch (Exception e) when (e is not (TlsAlertException or OutOfMemoryException))
        {
            throw new TlsAlertException(AlertDescription.HandshakeFailure, $"the server-name callback failed: {e.Message}", e);
        }

        if (replacement is not null)
        {
            // Settings without a certificate are taken too: the version's states then fail as OpenSSL does
            // (handshake_failure), not with an error of our own.
            cx.Settings = cx.Settings.WithServerNameSettings(replacement);
        }

        return cx.Settings;
    }
}
