namespace ManagedTls.CipherSuites;

/// <summary>
/// OpenSSL's security levels as they apply to cipher suites (its default security callback): which suites
/// a context still offers at level 0..5 (what <c>openssl ciphers -s</c> lists).
/// </summary>
internal static class SecurityLevel
{
    /// <summary>OpenSSL's default level.</summary>
    public const int OpenSslDefault = 1;

    /// <summary>Python's <c>SSLContext</c> default level (it configures <c>@SECLEVEL=2</c>).</summary>
    public const int PythonDefault = 2;

    private static readonly int[] MinimumBitsByLevel = { 0, 80, 112, 128, 192, 256 };

    private static readonly int[] MinimumPrimeBitsByLevel = { 0, 1024, 2048, 3072, 7680, 15360 };

    /// <summary>The symmetric strength a suite needs at <paramref name="level"/> (levels above 5 count as 5).</summary>
    public static int MinimumBits(int level) => MinimumBitsByLevel[Math.Min(Math.Max(level, 0), 5)];

    /// <summary>
    /// The smallest finite-field prime a TLS 1.2 DHE server may use at <paramref name="level"/>: the prime whose
    /// estimated strength (OpenSSL's <c>BN_security_bits</c>: 1024 bits give 80, 2048 give 112, 3072 give 128, 7680 give
    /// 192, 15360 give 256) reaches <see cref="MinimumBits"/>; 0 at level 0, 2048 bits at Python's level 2.
    /// </summary>
    public static int MinimumFiniteFieldPrimeBits(int level) => MinimumPrimeBitsByLevel[Math.Min(Math.Max(level, 0), 5)];

    /// <summary>
    /// OpenSSL 3.0's security bits of a key-exchange group (its provider's group table): x25519 and secp256r1 128,
    /// secp384r1 192, secp521r1 256, x448 224, ffdhe2048 112, ffdhe3072 to ffdhe6144 128, ffdhe8192 192; the hybrid
    /// X25519MLKEM768 192 (as OpenSSL 3.5 rates it). A group below <see cref="MinimumBits"/> is not offered or accepted.
    /// </summary>
    public static int GroupBits(ManagedTls.Wire.NamedGroup group) => group switch
    {
        ManagedTls.Wire.NamedGroup.Secp384r1 or ManagedTls.Wire.NamedGroup.Ffdhe8192 or ManagedTls.Wire.NamedGroup.X25519MLKEM768 => 192,
        ManagedTls.Wire.NamedGroup.Secp521r1 => 256,
        ManagedTls.Wire.NamedGroup.X448 => 224,
        ManagedTls.Wire.NamedGroup.Ffdhe2048 => 112,
        _ => 128,
    };

    /// <summary>
    /// True when <paramref name="suite"/> is allowed at <paramref name="level"/>: enough strength bits; from
    /// level 3 forward secrecy (TLS 1.3 or (EC)DHE); above 160 bits no HMAC-SHA1.
    /// </summary>
    public static bool Allows(CipherSuiteInfo suite, int level)
    {
        int bits = MinimumBits(level);
        if (suite.StrengthBits < bits)
        {
            return false;
        }

        if (bits > 160 && suite.Mac.Mask == OsslMac.Sha1)
        {
            return false;
        }

        return level < 3 || suite.IsTls13 || (suite.KeyExchange.Mask & (OsslKx.Dhe | OsslKx.Ecdhe)) != 0;
    }
}
