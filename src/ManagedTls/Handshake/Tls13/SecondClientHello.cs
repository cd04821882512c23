using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Tls13;

/// <summary>
/// RFC 8446 section 4.1.2: after a HelloRetryRequest "the client MUST send the same ClientHello without
/// modification, except as follows": key_share replaced by the one share asked for, early_data removed, the cookie
/// added, pre_shared_key updated (new ages, binders, and identities whose hash no longer fits dropped), padding
/// changed. Anything else that differs is <c>illegal_parameter</c>.
/// </summary>
/// <remarks>
/// The attack this answers: a server that checks only suite, cookie and key share lets a client negotiate the
/// expensive or sensitive parts (the server name the certificate and tickets are chosen by, ALPN, the offered
/// versions) against one hello and then change them in the second, behind the server's decisions. Extensions are
/// compared in order, so reordering them is a change too.
/// </remarks>
internal static class SecondClientHello
{
    /// <summary>Throws <c>illegal_parameter</c> unless <paramref name="second"/> differs from <paramref name="first"/> only as allowed.</summary>
    public static void Check(ClientHello first, ClientHello second)
    {
        if (first.LegacyVersion != second.LegacyVersion
            || !first.Random.AsSpan().SequenceEqual(second.Random)
            || !first.SessionId.AsSpan().SequenceEqual(second.SessionId)
            || !first.CipherSuites.SequenceEqual(second.CipherSuites)
            || !first.CompressionMethods.AsSpan().SequenceEqual(second.CompressionMethods))
        {
            throw Changed("its fixed fields (version, random, session id, suites or compression)");
        }

        if (second.Extensions.Contains(ExtensionType.EarlyData))
        {
            throw TlsAlertException.Illegal("the second ClientHello offers early_data (RFC 8446 section 4.2.10)");
        }

        List<TlsExtension> a = Compared(first.Extensions);
        List<TlsExtension> b = Compared(second.Extensions);
        if (a.Count != b.Count)
        {
            throw Changed("its extensions (one added or removed)");
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (a[i].Type != b[i].Type)
            {
                throw Changed($"its extensions ({b[i].Type} where {a[i].Type} was, or reordered)");
            }

            // The key share is checked by the caller against the group the HelloRetryRequest named.
            if (a[i].Type != ExtensionType.KeyShare && !a[i].EncodeBody().AsSpan().SequenceEqual(b[i].EncodeBody()))
            {
                throw Changed($"the {a[i].Type} extension");
            }
        }
    }

    // The extensions that must stay the same, in their order.
    private static List<TlsExtension> Compared(ExtensionBlock extensions) =>
        extensions.Where(e => e.Type is not (ExtensionType.Padding or ExtensionType.EarlyData or ExtensionType.Cookie or ExtensionType.PreSharedKey)).ToList();

    private static TlsAlertException Changed(string what) =>
        TlsAlertException.Illegal($"the second ClientHello changes {what} (RFC 8446 section 4.1.2)");
}
