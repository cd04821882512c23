namespace ManagedTls.Wire;

/// <summary>Key-exchange groups (IANA "TLS Supported Groups").</summary>
public enum NamedGroup : ushort
{
    /// <summary>secp256r1(23).</summary>
    Secp256r1 = 0x0017,
    /// <summary>secp384r1(24).</summary>
    Secp384r1 = 0x0018,
    /// <summary>secp521r1(25).</summary>
    Secp521r1 = 0x0019,
    /// <summary>x25519(29).</summary>
    X25519 = 0x001d,
    /// <summary>x448(30).</summary>
    X448 = 0x001e,
    /// <summary>ffdhe2048(256).</summary>
    Ffdhe2048 = 0x0100,
    /// <summary>ffdhe3072(257).</summary>
    Ffdhe3072 = 0x0101,
    /// <summary>ffdhe4096(258).</summary>
    Ffdhe4096 = 0x0102,
    /// <summary>ffdhe6144(259).</summary>
    Ffdhe6144 = 0x0103,
    /// <summary>ffdhe8192(260).</summary>
    Ffdhe8192 = 0x0104,
    /// <summary>X25519MLKEM768(4588), the hybrid of draft-ietf-tls-ecdhe-mlkem.</summary>
    X25519MLKEM768 = 0x11ec,
}

/// <summary>Signature schemes (RFC 8446 section 4.2.3).</summary>
public enum SignatureScheme : ushort
{
    /// <summary>rsa_pkcs1_sha1(0x0201), TLS 1.2 legacy.</summary>
    RsaPkcs1Sha1 = 0x0201,
    /// <summary>ecdsa_sha1(0x0203), TLS 1.2 legacy.</summary>
    EcdsaSha1 = 0x0203,
    /// <summary>rsa_pkcs1_sha256(0x0401).</summary>
    RsaPkcs1Sha256 = 0x0401,
    /// <summary>rsa_pkcs1_sha384(0x0501).</summary>
    RsaPkcs1Sha384 = 0x0501,
    /// <summary>rsa_pkcs1_sha512(0x0601).</summary>
    RsaPkcs1Sha512 = 0x0601,
    /// <summary>ecdsa_secp256r1_sha256(0x0403).</summary>
    EcdsaSecp256r1Sha256 = 0x0403,
    /// <summary>ecdsa_secp384r1_sha384(0x0503).</summary>
    EcdsaSecp384r1Sha384 = 0x0503,
    /// <summary>ecdsa_secp521r1_sha512(0x0603).</summary>
    EcdsaSecp521r1Sha512 = 0x0603,
    /// <summary>rsa_pss_rsae_sha256(0x0804).</summary>
    RsaPssRsaeSha256 = 0x0804,
    /// <summary>rsa_pss_rsae_sha384(0x0805).</summary>
    RsaPssRsaeSha384 = 0x0805,
    /// <summary>rsa_pss_rsae_sha512(0x0806).</summary>
    RsaPssRsaeSha512 = 0x0806,
    /// <summary>ed25519(0x0807).</summary>
    Ed25519 = 0x0807,
    /// <summary>ed448(0x0808).</summary>
    Ed448 = 0x0808,
    /// <summary>rsa_pss_pss_sha256(0x0809).</summary>
    RsaPssPssSha256 = 0x0809,
    /// <summary>rsa_pss_pss_sha384(0x080a).</summary>
    RsaPssPssSha384 = 0x080a,
    /// <summary>rsa_pss_pss_sha512(0x080b).</summary>
    RsaPssPssSha512 = 0x080b,
}
