using System.Net.Security;
using System.Security.Authentication;
using ManagedTls.Ssl;

#pragma warning disable SYSLIB0058 // CipherAlgorithmType and friends: obsolete on .NET 10, still what ITlsHandshakeFeature reports.

namespace ManagedTls.AspNetCore.Internal;

/// <summary>
/// The negotiated suite in <c>ITlsHandshakeFeature</c>'s terms, from the context's <see cref="SslContext.GetCiphers"/>
/// entry of the suite <see cref="SslObject.Cipher"/> names (the entry Python's <c>get_ciphers()</c> gives: IANA code,
/// symmetric cipher, MAC digest, key exchange).
/// </summary>
internal sealed record SuiteDetails(int? Code, CipherAlgorithmType Cipher, int CipherBits, HashAlgorithmType Hash, int HashBits, ExchangeAlgorithmType Exchange)
{
    private static readonly SuiteDetails None = new(null, CipherAlgorithmType.None, 0, HashAlgorithmType.None, 0, ExchangeAlgorithmType.None);

    /// <summary>Looks the connection's suite up among <paramref name="context"/>'s (the one the connection was made from: a
    /// context switch never changes the suites).</summary>
    public static SuiteDetails Of(SslObject ssl, SslContext context)
    {
        if (ssl.Cipher() is not { } cipher)
        {
            return None;
        }

        SslCipherInfo? info = context.GetCiphers().FirstOrDefault(c => c.Name == cipher.Name);
        if (info is null)
        {
            return None with { CipherBits = cipher.SecretBits };
        }

        int code = (int)(info.Id & 0xFFFF);

        // The MAC's hash; an AEAD suite has none, and reports the hash of its PRF (TLS 1.2) or HKDF (TLS 1.3), the one in its IANA name.
        string? hash = info.Digest ?? IanaHash(((TlsCipherSuite)code).ToString());
        (HashAlgorithmType hashType, int hashBits) = hash switch
        {
            "sha1" => (HashAlgorithmType.Sha1, 160),
            "sha256" => (HashAlgorithmType.Sha256, 256),
            "sha384" => (HashAlgorithmType.Sha384, 384),
            _ => (HashAlgorithmType.None, 0),
        };

        CipherAlgorithmType cipherType = info.Symmetric switch
        {
            var s when s.StartsWith("aes-128", StringComparison.Ordinal) => CipherAlgorithmType.Aes128,
            var s when s.StartsWith("aes-192", StringComparison.Ordinal) => CipherAlgorithmType.Aes192,
            var s when s.StartsWith("aes-256", StringComparison.Ordinal) => CipherAlgorithmType.Aes256,
            var s when s.StartsWith("des-ede3", StringComparison.Ordinal) => CipherAlgorithmType.TripleDes,
            _ => CipherAlgorithmType.None, // ChaCha20-Poly1305, ARIA, Camellia: the enumeration has no member for them.
        };

        ExchangeAlgorithmType exchange = info.Kea switch
        {
            "kx-rsa" => ExchangeAlgorithmType.RsaKeyX,
            "kx-ecdhe" or "kx-dhe" or "kx-any" => ExchangeAlgorithmType.DiffieHellman, // TLS 1.3's is (EC)DHE.
            _ => ExchangeAlgorithmType.None,
        };

        return new SuiteDetails(code, cipherType, info.StrengthBits, hashType, hashBits, exchange);
    }

    private static string? IanaHash(string ianaName) =>
        ianaName.EndsWith("_SHA384", StringComparison.Ordinal) ? "sha384"
        : ianaName.EndsWith("_SHA256", StringComparison.Ordinal) ? "sha256"
        : ianaName.EndsWith("_SHA", StringComparison.Ordinal) ? "sha1"
        : null;
}
