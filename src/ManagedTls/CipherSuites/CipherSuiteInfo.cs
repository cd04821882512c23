using System.Globalization;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.CipherSuites;

/// <summary>
/// Everything the engine, the record layer, the cipher-string parser and the Python-style facade need to
/// know about one cipher suite. Immutable; every instance lives in <see cref="CipherSuiteRegistry.All"/>.
/// </summary>
internal sealed record CipherSuiteInfo
{
    /// <summary>Creates a descriptor; derived lengths and names follow from the parts.</summary>
    public CipherSuiteInfo(
        TlsCipherSuite suite,
        string openSslName,
        ProtocolVersion protocol,
        OsslVersion openSslMinVersion,
        KeyExchangeInfo keyExchange,
        AuthenticationInfo authentication,
        BulkCipherInfo cipher,
        MacInfo mac,
        HashAlgorithm prfHash,
        OsslStrength strength)
    {
        Suite = suite;
        IanaName = suite.ToString();
        OpenSslName = openSslName;
        Protocol = protocol;
        OpenSslMinVersion = openSslMinVersion;
        KeyExchange = keyExchange;
        Authentication = authentication;
        Cipher = cipher;
        Mac = mac;
        PrfHash = prfHash;
        Strength = strength;
        Description = FormatDescription();
    }

    /// <summary>The suite's code point.</summary>
    public TlsCipherSuite Suite { get; }

    /// <summary>The two-byte IANA code.</summary>
    public ushort Code => (ushort)Suite;

    /// <summary>The IANA name (<c>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</c>), OpenSSL's "standard name".</summary>
    public string IanaName { get; }

    /// <summary>OpenSSL's name (<c>ECDHE-RSA-AES128-GCM-SHA256</c>); TLS 1.3 suites use the IANA name.</summary>
    public string OpenSslName { get; }

    /// <summary>The protocol the suite is negotiated in: <see cref="ProtocolVersion.Tls12"/> or <see cref="ProtocolVersion.Tls13"/>.</summary>
    public ProtocolVersion Protocol { get; }

    /// <summary>The oldest version OpenSSL lists the suite under (SSLv3 for RSA/DHE CBC-SHA suites, TLSv1 for ECDHE CBC-SHA).</summary>
    public OsslVersion OpenSslMinVersion { get; }

    /// <summary>Key exchange.</summary>
    public KeyExchangeInfo KeyExchange { get; }

    /// <summary>Server authentication.</summary>
    public AuthenticationInfo Authentication { get; }

    /// <summary>Bulk cipher.</summary>
    public BulkCipherInfo Cipher { get; }

    /// <summary>Record MAC (<see cref="MacInfo.Aead"/> for AEAD suites).</summary>
    public MacInfo Mac { get; }

    /// <summary>Hash of the TLS 1.2 PRF, or of HKDF and the transcript in TLS 1.3.</summary>
    public HashAlgorithm PrfHash { get; }

    /// <summary>OpenSSL's strength flags (HIGH, FIPS, not-in-DEFAULT).</summary>
    public OsslStrength Strength { get; }

    /// <summary>The suite's line in <c>openssl ciphers -v</c>, without the newline (Python's <c>description</c>).</summary>
    public string Description { get; }

    /// <summary>True for TLS 1.3 suites.</summary>
    public bool IsTls13 => Protocol == ProtocolVersion.Tls13;

    /// <summary>True when the bulk cipher is an AEAD.</summary>
    public bool IsAead => Cipher.IsAead;

    /// <summary>The AEAD, or null for CBC suites.</summary>
    public AeadAlgorithm? Aead => Cipher.Aead;

    /// <summary>The CBC cipher, or null for AEAD suites.</summary>
    public CbcCipher? Cbc => Cipher.Cbc;

    /// <summary>The HMAC hash, or null for AEAD suites.</summary>
    public HashAlgorithm? MacHash => Mac.Hash;

    /// <summary>Encryption key length in bytes.</summary>
    public int KeyLength => Cipher.KeyLength;

    /// <summary>Implicit IV length taken from the key block / traffic secret (TLS 1.3: 12).</summary>
    public int FixedIvLength => IsTls13 ? 12 : Cipher.Tls12FixedIvLength;

    /// <summary>Explicit IV or nonce carried in each record (TLS 1.3: 0).</summary>
    public int RecordIvLength => IsTls13 ? 0 : Cipher.Tls12RecordIvLength;

    /// <summary>AEAD tag length in bytes (0 for CBC suites).</summary>
    public int TagLength => Cipher.TagLength;

    /// <summary>HMAC key length in bytes (0 for AEAD suites).</summary>
    public int MacKeyLength => Mac.Length;

    /// <summary>HMAC output length in bytes (0 for AEAD suites).</summary>
    public int MacLength => Mac.Length;

    /// <summary>Effective symmetric strength in bits (Python's <c>strength_bits</c>).</summary>
    public int StrengthBits => Cipher.Bits;

    /// <summary>Symmetric algorithm bits (Python's <c>alg_bits</c>).</summary>
    public int AlgBits => Cipher.Bits;

    /// <summary>OpenSSL's cipher id, <c>0x0300XXXX</c> (Python's <c>id</c>).</summary>
    public uint OpenSslId => 0x03000000u | Code;

    /// <summary>Python's <c>protocol</c> field (<c>SSL_CIPHER_get_version</c>: "TLSv1.0", not "TLSv1").</summary>
    public string PythonProtocol => OpenSslMinVersion == OsslVersion.Tls1 ? "TLSv1.0" : VersionName(OpenSslMinVersion);

    /// <summary>Python's <c>symmetric</c> field.</summary>
    public string PythonSymmetric => Cipher.PythonName;

    /// <summary>Python's <c>digest</c> field (null for AEAD suites).</summary>
    public string? PythonDigest => Mac.PythonName;

    /// <summary>Python's <c>kea</c> field.</summary>
    public string PythonKea => KeyExchange.PythonName;

    /// <summary>Python's <c>auth</c> field.</summary>
    public string PythonAuth => Authentication.PythonName;

    /// <summary>The version column of <c>openssl ciphers -v</c>.</summary>
    public static string VersionName(OsslVersion version) => version switch
    {
        OsslVersion.Ssl3 => "SSLv3",
        OsslVersion.Tls1 => "TLSv1",
        OsslVersion.Tls12 => "TLSv1.2",
        OsslVersion.Tls13 => "TLSv1.3",
        _ => "unknown",
    };

    /// <summary>The IANA name.</summary>
    public override string ToString() => IanaName;

    // OpenSSL 3.0 SSL_CIPHER_description: "%-30s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%-4s".
    private string FormatDescription() => string.Format(
        CultureInfo.InvariantCulture,
        "{0,-30} {1,-7} Kx={2,-8} Au={3,-5} Enc={4,-22} Mac={5,-4}",
        OpenSslName,
        VersionName(OpenSslMinVersion),
        KeyExchange.OpenSslName,
        Authentication.OpenSslName,
        Cipher.OpenSslName,
        Mac.OpenSslName);
}
