namespace ManagedTls.Wire;

/// <summary>Cipher suite code points with their IANA names, as .NET's <c>TlsCipherSuite</c> spells them.</summary>
#pragma warning disable CA1707 // IANA names are kept exactly
public enum TlsCipherSuite : ushort
{
    /// <summary>0x1301.</summary>
    TLS_AES_128_GCM_SHA256 = 0x1301,
    /// <summary>0x1302.</summary>
    TLS_AES_256_GCM_SHA384 = 0x1302,
    /// <summary>0x1303.</summary>
    TLS_CHACHA20_POLY1305_SHA256 = 0x1303,
    /// <summary>0x1304.</summary>
    TLS_AES_128_CCM_SHA256 = 0x1304,
    /// <summary>0x1305.</summary>
    TLS_AES_128_CCM_8_SHA256 = 0x1305,

    /// <summary>0xC02B.</summary>
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B,
    /// <summary>0xC02C.</summary>
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xC02C,
    /// <summary>0xC02F.</summary>
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xC02F,
    /// <summary>0xC030.</summary>
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xC030,
    /// <summary>0xCCA9.</summary>
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA9,
    /// <summary>0xCCA8.</summary>
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA8,
    /// <summary>0xCCAA.</summary>
    TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCAA,
    /// <summary>0x009E.</summary>
    TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009E,
    /// <summary>0x009F.</summary>
    TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009F,
    /// <summary>0xC009.</summary>
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xC009,
    /// <summary>0xC00A.</summary>
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xC00A,
    /// <summary>0xC023.</summary>
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = 0xC023,
    /// <summary>0xC024.</summary>
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 = 0xC024,
    /// <summary>0xC013.</summary>
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xC013,
    /// <summary>0xC014.</summary>
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xC014,
    /// <summary>0xC027.</summary>
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 = 0xC027,
    /// <summary>0xC028.</summary>
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 = 0xC028,
    /// <summary>0x0033.</summary>
    TLS_DHE_RSA_WITH_AES_128_CBC_SHA = 0x0033,
    /// <summary>0x0039.</summary>
    TLS_DHE_RSA_WITH_AES_256_CBC_SHA = 0x0039,
    /// <summary>0x0067.</summary>
    TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 = 0x0067,
    /// <summary>0x006B.</summary>
    TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 = 0x006B,
    /// <summary>0x009C.</summary>
    TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009C,
    /// <summary>0x009D.</summary>
    TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009D,
    /// <summary>0x002F.</summary>
    TLS_RSA_WITH_AES_128_CBC_SHA = 0x002F,
    /// <summary>0x0035.</summary>
    TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035,
    /// <summary>0x003C.</summary>
    TLS_RSA_WITH_AES_128_CBC_SHA256 = 0x003C,
    /// <summary>0x003D.</summary>
    TLS_RSA_WITH_AES_256_CBC_SHA256 = 0x003D,
    /// <summary>0xC09C (RFC 6655).</summary>
    TLS_RSA_WITH_AES_128_CCM = 0xC09C,
    /// <summary>0xC09D (RFC 6655).</summary>
    TLS_RSA_WITH_AES_256_CCM = 0xC09D,
    /// <summary>0xC09E (RFC 6655).</summary>
    TLS_DHE_RSA_WITH_AES_128_CCM = 0xC09E,
    /// <summary>0xC09F (RFC 6655).</summary>
    TLS_DHE_RSA_WITH_AES_256_CCM = 0xC09F,
    /// <summary>0xC0A0 (RFC 6655).</summary>
    TLS_RSA_WITH_AES_128_CCM_8 = 0xC0A0,
    /// <summary>0xC0A1 (RFC 6655).</summary>
    TLS_RSA_WITH_AES_256_CCM_8 = 0xC0A1,
    /// <summary>0xC0A2 (RFC 6655).</summary>
    TLS_DHE_RSA_WITH_AES_128_CCM_8 = 0xC0A2,
    /// <summary>0xC0A3 (RFC 6655).</summary>
    TLS_DHE_RSA_WITH_AES_256_CCM_8 = 0xC0A3,
    /// <summary>0xC0AC (RFC 7251).</summary>
    TLS_ECDHE_ECDSA_WITH_AES_128_CCM = 0xC0AC,
    /// <summary>0xC0AD (RFC 7251).</summary>
    TLS_ECDHE_ECDSA_WITH_AES_256_CCM = 0xC0AD,
    /// <summary>0xC0AE (RFC 7251).</summary>
    TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 = 0xC0AE,
    /// <summary>0xC0AF (RFC 7251).</summary>
    TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8 = 0xC0AF,
    /// <summary>0x00FF, the renegotiation signalling value (RFC 5746).</summary>
    TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00FF,
    /// <summary>0x5600, the downgrade signalling value (RFC 7507).</summary>
    TLS_FALLBACK_SCSV = 0x5600,
}
#pragma warning restore CA1707
