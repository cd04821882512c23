using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>
/// The largest body the engine accepts for each handshake message type, checked as soon as a message's four-byte
/// header arrives, so that a peer cannot make us buffer more than the message could ever legitimately need.
/// Anything longer is <c>decode_error</c> (RFC 8446 section 6: "the length of the message was incorrect").
/// A type that is not a handshake message at all is <c>unexpected_message</c> at the same point.
/// </summary>
/// <remarks>
/// Where a message's syntax bounds its size, the limit is that bound: the largest well-formed encoding, so every
/// valid message is accepted (OpenSSL takes the same view of ClientHello, whose largest encoding is 131,396 bytes:
/// <c>2 + 32 + 1+32 + 2+65534 + 1+255 + 2+65535</c>). Where the syntax allows up to 2^24 - 1 bytes (certificate
/// chains, ServerKeyExchange with its 2^16 - 1 byte fields three times over), the limit is OpenSSL's default
/// <c>max_cert_list</c>, 100 KiB. Messages with a fixed or tiny body get exactly that.
/// </remarks>
internal static class HandshakeSizeLimits
{
    /// <summary>The limit for messages whose syntax would allow 2^24 - 1 bytes: OpenSSL's default max_cert_list.</summary>
    public const int LargeMessage = 100 * 1024;

    /// <summary>Each known handshake type and the largest body accepted for it.</summary>
    public static IReadOnlyDictionary<HandshakeType, int> MaxBody { get; } = new Dictionary<HandshakeType, int>
    {
        // TLS 1.2 HelloRequest, ServerHelloDone and TLS 1.3 EndOfEarlyData are empty.
        [HandshakeType.HelloRequest] = 0,
        [HandshakeType.ServerHelloDone] = 0,
        [HandshakeType.EndOfEarlyData] = 0,

        // legacy_version(2) random(32) session_id<0..32> cipher_suites<2..2^16-2> compression<1..2^8-1> extensions<0..2^16-1>.
        [HandshakeType.ClientHello] = 2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535,

        // legacy_version(2) random(32) session_id<0..32> cipher_suite(2) compression(1) extensions<0..2^16-1>.
        [HandshakeType.ServerHello] = 2 + 32 + 1 + 32 + 2 + 1 + 2 + 65535,

        // TLS 1.3: lifetime(4) age_add(4) nonce<0..255> ticket<1..2^16-1> extensions<0..2^16-2> (TLS 1.2's is smaller).
        [HandshakeType.NewSessionTicket] = 4 + 4 + 1 + 255 + 2 + 65535 + 2 + 65534,

        // extensions<0..2^16-1>.
        [HandshakeType.EncryptedExtensions] = 2 + 65535,

        // A certificate chain: certificate_list<0..2^24-1>, bounded as OpenSSL bounds it.
        [HandshakeType.Certificate] = LargeMessage,

        // TLS 1.2: params up to three <1..2^16-1> vectors plus a signature; bounded as OpenSSL bounds it.
        [HandshakeType.ServerKeyExchange] = LargeMessage,

        // TLS 1.2: certificate_types<1..2^8-1> supported_signature_algorithms<2..2^16-2> certificate_authorities<0..2^16-1>
        // (TLS 1.3's context<0..255> extensions<2..2^16-1> is smaller).
        [HandshakeType.CertificateRequest] = 1 + 255 + 2 + 65534 + 2 + 65535,

        // algorithm(2) signature<0..2^16-1>.
        [HandshakeType.CertificateVerify] = 2 + 2 + 65535,

        // TLS 1.2: an RSA-encrypted premaster secret under at most a 16384-bit key, or a DH/ECDH public value.
        [HandshakeType.ClientKeyExchange] = 2 + 2048,

        // verify_data: Hash.length (at most 48) or TLS 1.2's 12 bytes; 64 as OpenSSL allows.
        [HandshakeType.Finished] = 64,

        // status_type(1) response<1..2^24-1>: an OCSP response, bounded as OpenSSL bounds certificate chains.
        [HandshakeType.CertificateStatus] = LargeMessage,

        // request_update(1).
        [HandshakeType.KeyUpdate] = 1,
    };

    /// <summary>
    /// Checks a handshake header's type and announced body length: an unknown type (or message_hash, which never
    /// travels) is <c>unexpected_message</c>; a body longer than the type's limit is <c>decode_error</c>.
    /// </summary>
    public static void Check(HandshakeType type, int bodyLength)
    {
        if (!MaxBody.TryGetValue(type, out int max))
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"handshake message type {(byte)type} is not a message this engine accepts");
        }

        if (bodyLength > max)
        {
            throw TlsAlertException.Decode($"{type} message of {bodyLength} bytes exceeds the limit of {max}");
        }
    }
}
