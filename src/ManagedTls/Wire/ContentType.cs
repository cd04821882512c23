namespace ManagedTls.Wire;

/// <summary>TLS record content types (RFC 8446 section 5.1).</summary>
public enum ContentType : byte
{
    /// <summary>invalid(0).</summary>
    Invalid = 0,
    /// <summary>change_cipher_spec(20).</summary>
    ChangeCipherSpec = 20,
    /// <summary>alert(21).</summary>
    Alert = 21,
    /// <summary>handshake(22).</summary>
    Handshake = 22,
    /// <summary>application_data(23).</summary>
    ApplicationData = 23,
    /// <summary>heartbeat(24), never accepted.</summary>
    Heartbeat = 24,
}

/// <summary>Handshake message types (RFC 8446 section 4, RFC 5246 section 7.4).</summary>
public enum HandshakeType : byte
{
    /// <summary>hello_request(0), TLS 1.2 only.</summary>
    HelloRequest = 0,
    /// <summary>client_hello(1).</summary>
    ClientHello = 1,
    /// <summary>server_hello(2).</summary>
    ServerHello = 2,
    /// <summary>new_session_ticket(4).</summary>
    NewSessionTicket = 4,
    /// <summary>end_of_early_data(5).</summary>
    EndOfEarlyData = 5,
    /// <summary>encrypted_extensions(8).</summary>
    EncryptedExtensions = 8,
    /// <summary>certificate(11).</summary>
    Certificate = 11,
    /// <summary>server_key_exchange(12), TLS 1.2 only.</summary>
    ServerKeyExchange = 12,
    /// <summary>certificate_request(13).</summary>
    CertificateRequest = 13,
    /// <summary>server_hello_done(14), TLS 1.2 only.</summary>
    ServerHelloDone = 14,
    /// <summary>certificate_verify(15).</summary>
    CertificateVerify = 15,
    /// <summary>client_key_exchange(16), TLS 1.2 only.</summary>
    ClientKeyExchange = 16,
    /// <summary>finished(20).</summary>
    Finished = 20,
    /// <summary>certificate_status(22), TLS 1.2 only.</summary>
    CertificateStatus = 22,
    /// <summary>key_update(24).</summary>
    KeyUpdate = 24,
    /// <summary>message_hash(254), the synthetic transcript message after HelloRetryRequest.</summary>
    MessageHash = 254,
}

/// <summary>Protocol version code points as they appear on the wire.</summary>
public enum ProtocolVersion : ushort
{
    /// <summary>SSL 3.0 (0x0300), never negotiated.</summary>
    Ssl30 = 0x0300,
    /// <summary>TLS 1.0 (0x0301), never negotiated.</summary>
    Tls10 = 0x0301,
    /// <summary>TLS 1.1 (0x0302), never negotiated.</summary>
    Tls11 = 0x0302,
    /// <summary>TLS 1.2 (0x0303).</summary>
    Tls12 = 0x0303,
    /// <summary>TLS 1.3 (0x0304).</summary>
    Tls13 = 0x0304,
}

/// <summary>The names OpenSSL gives protocol versions (<c>SSL_get_version</c>), which Python's <c>version()</c> returns.</summary>
public static class ProtocolVersionNames
{
    /// <summary>"TLSv1.2" for TLS 1.2, "TLSv1.3" for TLS 1.3, and OpenSSL's names for the older ones.</summary>
    /// <param name="version">The version.</param>
    /// <returns>The name, or "unknown".</returns>
    public static string OpenSslName(ProtocolVersion version) => version switch
    {
        ProtocolVersion.Ssl30 => "SSLv3",
        ProtocolVersion.Tls10 => "TLSv1",
        ProtocolVersion.Tls11 => "TLSv1.1",
        ProtocolVersion.Tls12 => "TLSv1.2",
        ProtocolVersion.Tls13 => "TLSv1.3",
        _ => "unknown",
    };
}
