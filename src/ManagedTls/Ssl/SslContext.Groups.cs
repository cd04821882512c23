using ManagedTls.CipherSuites;

namespace ManagedTls.Ssl;

/// <content>Python's <c>set_ecdh_curve</c>: one key-exchange group, over the group list of <see cref="SetGroups"/>.</content>
public sealed partial class SslContext
{
    private static readonly Lazy<HashSet<string>> ObjectShortNames = new(() => SplitNames(OpenSslShortNames.Objects));
    private static readonly Lazy<HashSet<string>> GroupShortNames = new(() => SplitNames(OpenSslShortNames.Groups));

    /// <summary>
    /// Python's <c>set_ecdh_curve(curve_name)</c>: with OpenSSL 3 (<c>SSL_CTX_set1_groups</c> with one group) the named
    /// group becomes the only key-exchange group, for TLS 1.2 ECDHE (and DHE with an RFC 7919 group) and for TLS 1.3 key
    /// shares, on a client (the one group offered) as on a server (the one group accepted). It replaces the list of
    /// <see cref="SetGroups"/>, and a later <see cref="SetGroups"/> replaces it. The name is an OpenSSL object short name,
    /// case-sensitive, as <c>OBJ_sn2nid</c> reads it: <c>prime256v1</c>, <c>secp384r1</c>, <c>secp521r1</c>, <c>X25519</c>,
    /// <c>X448</c>, <c>ffdhe2048</c> to <c>ffdhe8192</c> (not <c>secp256r1</c>, <c>P-256</c> or <c>x25519</c>, which
    /// <see cref="SetGroups"/> takes). Unlike Python, the groups OpenSSL 3.0 knows and this library does not implement
    /// (<c>brainpoolP256r1</c>, <c>secp256k1</c>, <c>prime192v1</c>, the binary and GOST curves) are refused here, where
    /// Python accepts them and a handshake that needs one fails.
    /// </summary>
    /// <param name="curveName">The group's OpenSSL short name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="curveName"/> is null (Python's <c>TypeError</c>).</exception>
    /// <exception cref="ArgumentException">No OpenSSL object has this short name (Python's <c>ValueError</c>:
    /// <c>unknown elliptic curve name 'x'</c>).</exception>
    /// <exception cref="SslException">An OpenSSL object that is no group, such as <c>RSA</c> (Python's <c>SSLError</c>:
    /// <c>unknown error</c>), or a group this library does not implement; the groups set before stay.</exception>
    public void SetEcdhCurve(string curveName)
    {
        if (curveName is null)
        {
            throw new ArgumentNullException(nameof(curveName), "expected str, bytes or os.PathLike object, not NoneType");
        }

        if (!ObjectShortNames.Value.Contains(curveName))
        {
            throw new ArgumentException($"unknown elliptic curve name '{curveName}'", nameof(curveName));
        }

        if (!GroupShortNames.Value.Contains(curveName))
        {
            // OpenSSL's SSL_CTX_set1_groups fails without an error on its queue: Python reports "unknown error".
            throw new SslException("unknown error");
        }

        // The OpenSSL short names of the implemented groups are among their OpenSSL spellings (the first, as printed).
        KeyExchangeGroup group = KeyExchangeGroups.All.FirstOrDefault(g => g.OpenSslNames.Contains(curveName, StringComparer.Ordinal))
            ?? throw new SslException($"unsupported group '{curveName}': the groups implemented are prime256v1, secp384r1, secp521r1, X25519, X448 and ffdhe2048 to ffdhe8192");
        _groups = [group];
    }

    private static HashSet<string> SplitNames(string names) =>
        new(names.Split(['|', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}
