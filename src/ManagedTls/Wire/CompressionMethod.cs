namespace ManagedTls.Wire;

/// <summary>
/// TLS 1.2 compression methods with their wire values (IANA "TLS Compression Method Identifiers"; RFC 5246
/// section 7.4.1.2, RFC 3749). The hellos carry them as single bytes; TLS 1.3 allows only <see cref="Null"/>.
/// A client offers DEFLATE, and a server picks it, only with OP_NO_COMPRESSION cleared on its side, so records are
/// compressed only when both sides cleared it (docs/decisions/0025-tls-compression.md, docs/security.md).
/// </summary>
internal enum CompressionMethod : byte
{
    /// <summary>null(0): records are not compressed.</summary>
    Null = 0,
    /// <summary>DEFLATE(1): zlib-wrapped DEFLATE, one stream per direction and connection state (RFC 3749).</summary>
    Deflate = 1,
}
