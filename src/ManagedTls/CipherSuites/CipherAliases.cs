namespace ManagedTls.CipherSuites;

/// <summary>
/// A pattern over OpenSSL's algorithm classes: a suite matches when, for every class the pattern names
/// (non-zero), it shares a bit with the pattern. A named suite also pins its exact code.
/// </summary>
/// <param name="Kx">Key-exchange classes, or none.</param>
/// <param name="Auth">Authentication classes, or none.</param>
/// <param name="Enc">Cipher classes, or none.</param>
/// <param name="Mac">MAC classes, or none.</param>
/// <param name="MinTls">Required OpenSSL minimum version, or none.</param>
/// <param name="Strength">Strength flags, or none.</param>
/// <param name="Code">The exact suite code for a named suite, 0 for an alias.</param>
internal readonly record struct CipherSelector(
    OsslKx Kx = OsslKx.None,
    OsslAuth Auth = OsslAuth.None,
    OsslEnc Enc = OsslEnc.None,
    OsslMac Mac = OsslMac.None,
    OsslVersion MinTls = OsslVersion.None,
    OsslStrength Strength = OsslStrength.None,
    ushort Code = 0)
{
    /// <summary>The selector that names exactly one suite (with its classes, for <c>+</c> combinations).</summary>
    public static CipherSelector ForSuite(CipherSuiteInfo s) => new(
        s.KeyExchange.Mask, s.Authentication.Mask, s.Cipher.Mask, s.Mac.Mask, OsslVersion.None, s.Strength, s.Code);

    /// <summary>True when <paramref name="s"/> falls under this pattern.</summary>
    public bool Matches(CipherSuiteInfo s)
    {
        if (Code != 0 && Code != s.Code)
        {
            return false;
        }

        if ((Kx != 0 && (Kx & s.KeyExchange.Mask) == 0)
            || (Auth != 0 && (Auth & s.Authentication.Mask) == 0)
            || (Enc != 0 && (Enc & s.Cipher.Mask) == 0)
            || (Mac != 0 && (Mac & s.Mac.Mask) == 0))
        {
            return false;
        }

        if (MinTls != OsslVersion.None && MinTls != s.OpenSslMinVersion)
        {
            return false;
        }

        OsslStrength strong = Strength & OsslStrength.StrongMask;
        OsslStrength notDefault = Strength & OsslStrength.DefaultMask;
        return (strong == 0 || (strong & s.Strength) != 0) && (notDefault == 0 || (notDefault & s.Strength) != 0);
    }
}

/// <summary>
/// The group names of OpenSSL 3.0's cipher-list language (its <c>cipher_aliases</c> table). The DTLS
/// version names are left out: with a TLS method OpenSSL lets them select nothing, as an unknown word does.
/// </summary>
internal static class CipherAliases
{
    private static readonly Dictionary<string, CipherSelector> Table = new(StringComparer.Ordinal)
    {
        ["ALL"] = new(Enc: ~OsslEnc.ENull),
        ["COMPLEMENTOFALL"] = new(Enc: OsslEnc.ENull),
        ["COMPLEMENTOFDEFAULT"] = new(Strength: OsslStrength.NotDefault),

        ["kRSA"] = new(Kx: OsslKx.Rsa),
        ["kEDH"] = new(Kx: OsslKx.Dhe),
        ["kDHE"] = new(Kx: OsslKx.Dhe),
        ["DH"] = new(Kx: OsslKx.Dhe),
        ["kEECDH"] = new(Kx: OsslKx.Ecdhe),
        ["kECDHE"] = new(Kx: OsslKx.Ecdhe),
        ["ECDH"] = new(Kx: OsslKx.Ecdhe),
        ["kPSK"] = new(Kx: OsslKx.Psk),
        ["kRSAPSK"] = new(Kx: OsslKx.RsaPsk),
        ["kECDHEPSK"] = new(Kx: OsslKx.EcdhePsk),
        ["kDHEPSK"] = new(Kx: OsslKx.DhePsk),
        ["kSRP"] = new(Kx: OsslKx.Srp),
        ["kGOST"] = new(Kx: OsslKx.Gost),
        ["kGOST18"] = new(Kx: OsslKx.Gost18),

        ["aRSA"] = new(Auth: OsslAuth.Rsa),
        ["aDSS"] = new(Auth: OsslAuth.Dss),
        ["DSS"] = new(Auth: OsslAuth.Dss),
        ["aNULL"] = new(Auth: OsslAuth.Null),
        ["aECDSA"] = new(Auth: OsslAuth.Ecdsa),
        ["ECDSA"] = new(Auth: OsslAuth.Ecdsa),
        ["aPSK"] = new(Auth: OsslAuth.Psk),
        ["aGOST01"] = new(Auth: OsslAuth.Gost01),
        ["aGOST12"] = new(Auth: OsslAuth.Gost12),
        ["aGOST"] = new(Auth: OsslAuth.Gost01 | OsslAuth.Gost12),
        ["aSRP"] = new(Auth: OsslAuth.Srp),

        ["EDH"] = new(Kx: OsslKx.Dhe, Auth: ~OsslAuth.Null),
        ["DHE"] = new(Kx: OsslKx.Dhe, Auth: ~OsslAuth.Null),
        ["EECDH"] = new(Kx: OsslKx.Ecdhe, Auth: ~OsslAuth.Null),
        ["ECDHE"] = new(Kx: OsslKx.Ecdhe, Auth: ~OsslAuth.Null),
        ["NULL"] = new(Enc: OsslEnc.ENull),
        ["RSA"] = new(Kx: OsslKx.Rsa, Auth: OsslAuth.Rsa),
        ["ADH"] = new(Kx: OsslKx.Dhe, Auth: OsslAuth.Null),
        ["AECDH"] = new(Kx: OsslKx.Ecdhe, Auth: OsslAuth.Null),
        ["PSK"] = new(Kx: OsslKx.AnyPsk),
        ["SRP"] = new(Kx: OsslKx.Srp),

        ["3DES"] = new(Enc: OsslEnc.TripleDes),
        ["RC4"] = new(Enc: OsslEnc.Rc4),
        ["RC2"] = new(Enc: OsslEnc.Rc2),
        ["IDEA"] = new(Enc: OsslEnc.Idea),
        ["SEED"] = new(Enc: OsslEnc.Seed),
        ["eNULL"] = new(Enc: OsslEnc.ENull),
        ["GOST"] = new(Enc: OsslEnc.Gost89 | OsslEnc.Gost8912),
        ["AES128"] = new(Enc: OsslEnc.Aes128 | OsslEnc.Aes128Gcm | OsslEnc.Aes128Ccm | OsslEnc.Aes128Ccm8),
        ["AES256"] = new(Enc: OsslEnc.Aes256 | OsslEnc.Aes256Gcm | OsslEnc.Aes256Ccm | OsslEnc.Aes256Ccm8),
        ["AES"] = new(Enc: OsslEnc.Aes),
        ["AESGCM"] = new(Enc: OsslEnc.AesGcm),
        ["AESCCM"] = new(Enc: OsslEnc.AesCcm),
        ["AESCCM8"] = new(Enc: OsslEnc.Aes128Ccm8 | OsslEnc.Aes256Ccm8),
        ["CAMELLIA128"] = new(Enc: OsslEnc.Camellia128),
        ["CAMELLIA256"] = new(Enc: OsslEnc.Camellia256),
        ["CAMELLIA"] = new(Enc: OsslEnc.Camellia),
        ["CHACHA20"] = new(Enc: OsslEnc.ChaCha20Poly1305),
        ["GOST2012"] = new(Enc: OsslEnc.Gost8912),
        ["ARIA"] = new(Enc: OsslEnc.Aria),
        ["ARIAGCM"] = new(Enc: OsslEnc.Aria),
        ["ARIA128"] = new(Enc: OsslEnc.Aria128Gcm),
        ["ARIA256"] = new(Enc: OsslEnc.Aria256Gcm),
        ["CBC"] = new(Enc: OsslEnc.Cbc),

        ["MD5"] = new(Mac: OsslMac.Md5),
        ["SHA1"] = new(Mac: OsslMac.Sha1),
        ["SHA"] = new(Mac: OsslMac.Sha1),
        ["GOST94"] = new(Mac: OsslMac.Gost94),
        ["GOST89MAC"] = new(Mac: OsslMac.Gost89Mac | OsslMac.Gost89Mac12),
        ["SHA256"] = new(Mac: OsslMac.Sha256),
        ["SHA384"] = new(Mac: OsslMac.Sha384),
        ["GOST12"] = new(Mac: OsslMac.Gost12_256),

        ["SSLv3"] = new(MinTls: OsslVersion.Ssl3),
        ["TLSv1"] = new(MinTls: OsslVersion.Tls1),
        ["TLSv1.0"] = new(MinTls: OsslVersion.Tls1),
        ["TLSv1.2"] = new(MinTls: OsslVersion.Tls12),

        ["LOW"] = new(Strength: OsslStrength.Low),
        ["MEDIUM"] = new(Strength: OsslStrength.Medium),
        ["HIGH"] = new(Strength: OsslStrength.High),
        ["FIPS"] = new(Enc: ~OsslEnc.ENull, Strength: OsslStrength.Fips),
    };

    /// <summary>The alias with this exact (case-sensitive) name.</summary>
    public static bool TryGet(string name, out CipherSelector selector) => Table.TryGetValue(name, out selector);

    /// <summary>Every alias name.</summary>
    public static IEnumerable<string> Names => Table.Keys;
}
