namespace ManagedTls.Ssl;

/// <summary>
/// Context options with OpenSSL 3's bit values, as Python's <c>ssl.Options</c> (<c>ssl.OP_*</c>) has them,
/// so <c>ctx.Options |= SslOptions.NoTlsV1_2</c> means what <c>ctx.options |= ssl.OP_NO_TLSv1_2</c> means.
/// Options are read once, when a connection freezes its context into its configuration.
/// </summary>
[Flags]
#pragma warning disable CA1711, CA1707 // names follow Python's ssl module
public enum SslOptions : long
{
    /// <summary>No options. Declared before the other zero-valued names, so <c>SslOptions.None.ToString()</c> is <c>"None"</c>.</summary>
    None = 0,
    /// <summary>
    /// <c>OP_NO_SSLv2</c> (0, as in Python with OpenSSL 3, where SSL 2.0 is gone): no effect; SSL 2.0 is never spoken here.
    /// </summary>
    NoSslV2 = 0,
    /// <summary>
    /// <c>OP_SINGLE_DH_USE</c> (0, as in Python with OpenSSL 3): no effect; every DHE key exchange here uses a fresh key.
    /// </summary>
    SingleDhUse = 0,
    /// <summary>
    /// <c>OP_SINGLE_ECDH_USE</c> (0, as in Python with OpenSSL 3): no effect; every ECDHE key exchange here uses a fresh key.
    /// </summary>
    SingleEcdhUse = 0,
    /// <summary>
    /// <c>OP_LEGACY_SERVER_CONNECT</c>: a TLS 1.2 client completes the handshake with a server that does not support
    /// secure renegotiation (RFC 5746); clear by default, as in OpenSSL 3 and Python.
    /// </summary>
    LegacyServerConnect = 0x4,
    /// <summary>
    /// <c>OP_ENABLE_KTLS</c> (Python 3.12; OpenSSL 3's <c>SSL_OP_ENABLE_KTLS</c>, 0x8): accepted and kept in
    /// <see cref="SslContext.Options"/>, but it has no effect: records are always protected in this library, never
    /// handed to the kernel's TLS offload.
    /// </summary>
    EnableKtls = 0x8,
    /// <summary><c>OP_IGNORE_UNEXPECTED_EOF</c>: treat EOF without close_notify as a clean close.</summary>
    IgnoreUnexpectedEof = 0x80,
    /// <summary>
    /// OpenSSL's <c>SSL_OP_ALLOW_CLIENT_RENEGOTIATION</c>, which Python does not name: a TLS 1.2 server accepts a
    /// renegotiation the client starts. Clear by default, as in OpenSSL 3: the client's new hello is answered with a
    /// no_renegotiation warning and the connection goes on (decision 0024).
    /// </summary>
    AllowClientRenegotiation = 0x100,
    /// <summary>
    /// OpenSSL's <c>SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION</c> (<c>-legacy_renegotiation</c>), which Python does not
    /// name: TLS 1.2 renegotiation over a connection where secure renegotiation (RFC 5746) was not negotiated, open to
    /// the 2009 prefix-injection attack. Clear by default: such a renegotiation is refused with a no_renegotiation warning.
    /// </summary>
    AllowUnsafeLegacyRenegotiation = 0x40000,
    /// <summary>
    /// <c>OP_NO_TICKET</c>: no self-contained tickets. A TLS 1.3 server keeps its sessions in the context's stateful cache
    /// (each resumes once); on TLS 1.2 a client sends no session_ticket extension and a server does not answer one, and
    /// sessions resume by the session id the server keeps in that cache (decision 0023).
    /// </summary>
    NoTicket = 0x4000,
    /// <summary>
    /// <c>OP_NO_COMPRESSION</c> (set by default): TLS compression is never offered or accepted. Cleared on both sides,
    /// TLS 1.2 records are DEFLATE-compressed (RFC 3749); see docs/decisions/0025-tls-compression.md for why not to.
    /// </summary>
    NoCompression = 0x20000,
    /// <summary><c>OP_ENABLE_MIDDLEBOX_COMPAT</c>: TLS 1.3 middlebox compatibility mode (RFC 8446 appendix D.4).</summary>
    EnableMiddleboxCompat = 0x100000,
    /// <summary><c>OP_CIPHER_SERVER_PREFERENCE</c>: the server picks the suite by its own order.</summary>
    CipherServerPreference = 0x400000,
    /// <summary><c>OP_NO_SSLv3</c>: SSL 3.0 is never negotiated (always true here).</summary>
    NoSslV3 = 0x2000000,
    /// <summary><c>OP_NO_TLSv1</c>: TLS 1.0 is never negotiated (always true here).</summary>
    NoTlsV1 = 0x4000000,
    /// <summary><c>OP_NO_TLSv1_2</c>: disable TLS 1.2.</summary>
    NoTlsV1_2 = 0x8000000,
    /// <summary><c>OP_NO_TLSv1_1</c>: TLS 1.1 is never negotiated (always true here).</summary>
    NoTlsV1_1 = 0x10000000,
    /// <summary><c>OP_NO_TLSv1_3</c>: disable TLS 1.3.</summary>
    NoTlsV1_3 = 0x20000000,
    /// <summary>
    /// <c>OP_NO_RENEGOTIATION</c>: refuse TLS 1.2 renegotiation: a server answers a client's new hello, a client a
    /// HelloRequest, with a no_renegotiation warning, and neither side starts one.
    /// </summary>
    NoRenegotiation = 0x40000000,
    /// <summary><c>OP_ALL</c>: OpenSSL 3's bundle of harmless bug workarounds (0x80000050).</summary>
    All = 0x80000050,
    /// <summary>
    /// What a new context starts with, as in Python 3 with OpenSSL 3:
    /// <c>OP_ALL | OP_NO_SSLv3 | OP_NO_COMPRESSION | OP_CIPHER_SERVER_PREFERENCE | OP_ENABLE_MIDDLEBOX_COMPAT</c> (0x82520050).
    /// </summary>
    Default = All | NoSslV3 | NoCompression | CipherServerPreference | EnableMiddleboxCompat,
}
#pragma warning restore CA1711, CA1707
