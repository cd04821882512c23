namespace ManagedTls.Wire.Messages;

/// <summary>The key exchange of a TLS 1.2 suite, which decides how ServerKeyExchange and ClientKeyExchange parse.</summary>
internal enum KeyExchangeKind
{
    /// <summary>Not known (TLS 1.3, or before the suite is chosen).</summary>
    None,
    /// <summary>RSA key transport: no ServerKeyExchange; ClientKeyExchange carries the encrypted premaster secret.</summary>
    Rsa,
    /// <summary>Finite-field Diffie-Hellman, ephemeral (RFC 5246 section 7.4.3).</summary>
    Dhe,
    /// <summary>Elliptic-curve Diffie-Hellman, ephemeral (RFC 8422 section 5.4).</summary>
    Ecdhe,
}

/// <summary>What a parser needs to know about the connection to read a message body.</summary>
/// <param name="Version">The negotiated version (either value for the hellos).</param>
/// <param name="KeyExchange">The TLS 1.2 key exchange, for ServerKeyExchange and ClientKeyExchange.</param>
/// <param name="FinishedLength">The expected verify_data length, or 0 for any non-empty length.</param>
internal readonly record struct WireContext(
    ProtocolVersion Version,
    KeyExchangeKind KeyExchange = KeyExchangeKind.None,
    int FinishedLength = 0)
{
    /// <summary>TLS 1.3, no further knowledge.</summary>
    public static WireContext Tls13 => new(ProtocolVersion.Tls13);

    /// <summary>TLS 1.2 with key exchange <paramref name="kx"/>.</summary>
    public static WireContext Tls12(KeyExchangeKind kx = KeyExchangeKind.None) => new(ProtocolVersion.Tls12, kx);

    /// <summary>True for TLS 1.3.</summary>
    public bool IsTls13 => Version == ProtocolVersion.Tls13;
}

/// <summary>
/// A handshake message: its type, its body codec and the common framing
/// (<c>HandshakeType msg_type; uint24 length; body</c>). Parse with <see cref="Read"/> or
/// <see cref="ReadBody"/>, then pattern-match on the concrete sealed class.
/// </summary>
internal abstract class HandshakeMessage
{
    /// <summary>The message type.</summary>
    public abstract HandshakeType Type { get; }

    /// <summary>Writes the body (without the four-byte header).</summary>
    public abstract void WriteBody(TlsWriter writer);

    /// <summary>Writes header and body.</summary>
    public void Write(TlsWriter writer)
    {
        writer.WriteUInt8((byte)Type);
        VectorMark m = writer.BeginVector24();
        WriteBody(writer);
        writer.EndVector(m, "Handshake.length");
    }

    /// <summary>The full message, header included, as it goes into the transcript.</summary>
    public byte[] Encode()
    {
        using var w = new TlsWriter();
        Write(w);
        return w.ToArray();
    }

    /// <summary>The body alone.</summary>
    public byte[] EncodeBody()
    {
        using var w = new TlsWriter();
        WriteBody(w);
        return w.ToArray();
    }

    /// <summary>
    /// Parses exactly one complete message (header and body, nothing after it).
    /// </summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     HandshakeType msg_type;
    ///     uint24 length;
    ///     select (Handshake.msg_type) { ... };
    /// } Handshake;
    /// </code>
    /// </remarks>
    public static HandshakeMessage Read(ReadOnlySpan<byte> message, in WireContext context)
    {
        var r = new TlsReader(message);
        var type = (HandshakeType)r.ReadUInt8("Handshake.msg_type");
        ReadOnlySpan<byte> body = r.ReadVector24("Handshake.length");
        r.ExpectEnd("Handshake");
        return ReadBody(type, body, context);
    }

    /// <summary>
    /// Parses the body of a message of type <paramref name="type"/>. A type that does not exist in the
    /// context's version is <c>unexpected_message</c>.
    /// </summary>
    public static HandshakeMessage ReadBody(HandshakeType type, ReadOnlySpan<byte> body, in WireContext context)
    {
        bool tls13 = context.IsTls13;
        return (type, tls13) switch
        {
            (HandshakeType.ClientHello, _) => ClientHello.Read(body),
            (HandshakeType.ServerHello, _) => ServerHello.Read(body),
            (HandshakeType.Certificate, _) => CertificateMessage.Read(body, tls13),
            (HandshakeType.CertificateVerify, _) => CertificateVerify.Read(body),
            (HandshakeType.Finished, _) => Finished.Read(body, context.FinishedLength),
            (HandshakeType.NewSessionTicket, true) => NewSessionTicket13.Read(body),
            (HandshakeType.NewSessionTicket, false) => NewSessionTicket12.Read(body),
            (HandshakeType.CertificateRequest, true) => CertificateRequest13.Read(body),
            (HandshakeType.CertificateRequest, false) => CertificateRequest12.Read(body),
            (HandshakeType.EncryptedExtensions, true) => EncryptedExtensions.Read(body),
            (HandshakeType.EndOfEarlyData, true) => EndOfEarlyData.Read(body),
            (HandshakeType.KeyUpdate, true) => KeyUpdate.Read(body),
            (HandshakeType.HelloRequest, false) => HelloRequest.Read(body),
            (HandshakeType.ServerKeyExchange, false) => ServerKeyExchange.Read(body, context.KeyExchange),
            (HandshakeType.ServerHelloDone, false) => ServerHelloDone.Read(body),
            (HandshakeType.ClientKeyExchange, false) => ClientKeyExchange.Read(body, context.KeyExchange),
            (HandshakeType.CertificateStatus, false) => CertificateStatus.Read(body),
            _ => throw new TlsAlertException(
                AlertDescription.UnexpectedMessage,
                $"handshake message type {(byte)type} is not valid in {(tls13 ? "TLS 1.3" : "TLS 1.2")}"),
        };
    }
}

/// <summary>Handshake framing for the record layer: finds whole messages in a reassembly buffer.</summary>
internal static class HandshakeFraming
{
    /// <summary>Size of <c>msg_type</c> + <c>uint24 length</c>.</summary>
    public const int HeaderLength = 4;

    /// <summary>
    /// Looks for one complete message at the start of <paramref name="buffer"/>. Returns false when more
    /// bytes are needed; a declared body longer than <paramref name="maxBodyLength"/> is <c>decode_error</c>
    /// (checked as soon as the header is in, so a peer cannot make us buffer without bound).
    /// </summary>
    public static bool TryReadMessage(ReadOnlySpan<byte> buffer, int maxBodyLength, out HandshakeType type, out int totalLength)
    {
        type = default;
        totalLength = 0;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        int length = (buffer[1] << 16) | (buffer[2] << 8) | buffer[3];
        if (length > maxBodyLength)
        {
            throw TlsAlertException.Decode($"handshake message of {length} bytes exceeds the {maxBodyLength}-byte limit");
        }

        if (buffer.Length - HeaderLength < length)
        {
            return false;
        }

        type = (HandshakeType)buffer[0];
        totalLength = HeaderLength + length;
        return true;
    }

    /// <summary>Writes a four-byte handshake header into <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, HandshakeType type, int bodyLength)
    {
        if ((uint)bodyLength > 0xFFFFFF)
        {
            throw TlsAlertException.Internal($"handshake body of {bodyLength} bytes does not fit uint24");
        }

        destination[0] = (byte)type;
        destination[1] = (byte)(bodyLength >> 16);
        destination[2] = (byte)(bodyLength >> 8);
        destination[3] = (byte)bodyLength;
    }

    /// <summary>
    /// The synthetic <c>message_hash</c> message that replaces ClientHello1 in the transcript after a
    /// HelloRetryRequest (RFC 8446 section 4.4.1).
    /// </summary>
    public static byte[] MessageHash(ReadOnlySpan<byte> clientHello1Hash)
    {
        var m = new byte[HeaderLength + clientHello1Hash.Length];
        WriteHeader(m, HandshakeType.MessageHash, clientHello1Hash.Length);
        clientHello1Hash.CopyTo(m.AsSpan(HeaderLength));
        return m;
    }
}

/// <summary>A message whose body is empty: extra bytes are <c>decode_error</c>.</summary>
internal abstract class EmptyMessage : HandshakeMessage
{
    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
    }

    /// <summary>Checks an empty body.</summary>
    protected static void ExpectEmpty(ReadOnlySpan<byte> body, string name)
    {
        if (!body.IsEmpty)
        {
            throw TlsAlertException.Decode($"{name}: body must be empty, has {body.Length} byte(s)");
        }
    }
}
