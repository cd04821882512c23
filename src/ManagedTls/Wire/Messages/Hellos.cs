using ManagedTls.Wire.Extensions;

namespace ManagedTls.Wire.Messages;

/// <summary>ClientHello (RFC 8446 section 4.1.2; RFC 5246 section 7.4.1.2).</summary>
internal sealed class ClientHello : HandshakeMessage
{
    /// <summary>Creates a ClientHello.</summary>
    public ClientHello(
        ProtocolVersion legacyVersion,
        byte[] random,
        byte[] sessionId,
        IReadOnlyList<TlsCipherSuite> cipherSuites,
        byte[] compressionMethods,
        ExtensionBlock extensions,
        bool hasExtensionBlock = true)
    {
        LegacyVersion = legacyVersion;
        Random = random;
        SessionId = sessionId;
        CipherSuites = cipherSuites;
        CompressionMethods = compressionMethods;
        Extensions = extensions;
        HasExtensionBlock = hasExtensionBlock || extensions.Count > 0;
    }

    /// <summary>legacy_version (0x0303 for TLS 1.2 and 1.3 clients).</summary>
    public ProtocolVersion LegacyVersion { get; }

    /// <summary>The 32-byte client random.</summary>
    public byte[] Random { get; }

    /// <summary>legacy_session_id (0..32 bytes).</summary>
    public byte[] SessionId { get; }

    /// <summary>Offered suites in preference order (unknown and GREASE values kept).</summary>
    public IReadOnlyList<TlsCipherSuite> CipherSuites { get; }

    /// <summary>legacy_compression_methods.</summary>
    public byte[] CompressionMethods { get; }

    /// <summary>The extensions, in wire order.</summary>
    public ExtensionBlock Extensions { get; }

    /// <summary>False only for an old-style ClientHello that ends after the compression methods.</summary>
    public bool HasExtensionBlock { get; }

    /// <summary>Bytes of the pre_shared_key binders at the end of the encoded message (0 without PSK).</summary>
    public int BindersLength => Extensions.Get<PreSharedKeyClientHello>()?.BindersLength ?? 0;

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.ClientHello;

    /// <summary>Parses a ClientHello body.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     ProtocolVersion legacy_version = 0x0303;
    ///     Random random;
    ///     opaque legacy_session_id&lt;0..32&gt;;
    ///     CipherSuite cipher_suites&lt;2..2^16-2&gt;;
    ///     opaque legacy_compression_methods&lt;1..2^8-1&gt;;
    ///     Extension extensions&lt;8..2^16-1&gt;;   // absent in a bare TLS 1.2 hello
    /// } ClientHello;
    /// </code>
    /// </remarks>
    public static ClientHello Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var version = (ProtocolVersion)r.ReadUInt16("ClientHello.legacy_version");
        byte[] random = r.ReadBytes(32, "ClientHello.random").ToArray();
        byte[] sid = r.ReadVector8("ClientHello.legacy_session_id", 0, 32).ToArray();
        TlsReader suites = r.Sub16("ClientHello.cipher_suites", 2, 0xFFFE);
        if ((suites.Remaining & 1) != 0)
        {
            throw TlsAlertException.Decode("ClientHello.cipher_suites: odd length");
        }

        var list = new List<TlsCipherSuite>(suites.Remaining / 2);
        while (!suites.IsEmpty)
        {
            list.Add((TlsCipherSuite)suites.ReadUInt16("ClientHello.cipher_suite"));
        }

        byte[] compression = r.ReadVector8("ClientHello.legacy_compression_methods", 1).ToArray();
        if (r.IsEmpty)
        {
            return new ClientHello(version, random, sid, list, compression, new ExtensionBlock(), hasExtensionBlock: false);
        }

        ExtensionBlock ext = ExtensionBlock.Read(ref r, ExtensionContext.ClientHello, "ClientHello.extensions");
        r.ExpectEnd("ClientHello");
        return new ClientHello(version, random, sid, list, compression, ext);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        writer.WriteUInt16((ushort)LegacyVersion);
        WriteRandom(writer, Random, "ClientHello.random");
        writer.WriteVector8(SessionId, "ClientHello.legacy_session_id", 0, 32);
        VectorMark m = writer.BeginVector16();
        foreach (TlsCipherSuite s in CipherSuites)
        {
            writer.WriteUInt16((ushort)s);
        }

        writer.EndVector(m, "ClientHello.cipher_suites", 2, 0xFFFE);
        writer.WriteVector8(CompressionMethods, "ClientHello.legacy_compression_methods", 1);
        if (HasExtensionBlock)
        {
            Extensions.Write(writer, "ClientHello.extensions");
        }
    }

    internal static void WriteRandom(TlsWriter writer, byte[] random, string field)
    {
        if (random.Length != 32)
        {
            throw TlsAlertException.Internal($"{field}: must be 32 bytes, is {random.Length}");
        }

        writer.WriteBytes(random);
    }
}

/// <summary>
/// ServerHello (RFC 8446 section 4.1.3; RFC 5246 section 7.4.1.3), including the HelloRetryRequest
/// form, which is a ServerHello whose random is SHA-256("HelloRetryRequest").
/// </summary>
internal sealed class ServerHello : HandshakeMessage
{
    private static readonly byte[] HrrRandom =
    [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ];

    /// <summary>Creates a ServerHello (or, with <see cref="HelloRetryRequestRandom"/>, a HelloRetryRequest).</summary>
    public ServerHello(
        ProtocolVersion legacyVersion,
        byte[] random,
        byte[] sessionIdEcho,
        TlsCipherSuite cipherSuite,
        byte compressionMethod,
        ExtensionBlock extensions,
        bool hasExtensionBlock = true)
    {
        LegacyVersion = legacyVersion;
        Random = random;
        SessionIdEcho = sessionIdEcho;
        CipherSuite = cipherSuite;
        CompressionMethod = compressionMethod;
        Extensions = extensions;
        HasExtensionBlock = hasExtensionBlock || extensions.Count > 0;
    }

    /// <summary>The special random that marks a HelloRetryRequest (a fresh copy).</summary>
    public static byte[] HelloRetryRequestRandom => (byte[])HrrRandom.Clone();

    /// <summary>legacy_version.</summary>
    public ProtocolVersion LegacyVersion { get; }

    /// <summary>The 32-byte server random.</summary>
    public byte[] Random { get; }

    /// <summary>legacy_session_id_echo.</summary>
    public byte[] SessionIdEcho { get; }

    /// <summary>The selected suite.</summary>
    public TlsCipherSuite CipherSuite { get; }

    /// <summary>legacy_compression_method.</summary>
    public byte CompressionMethod { get; }

    /// <summary>The extensions, in wire order.</summary>
    public ExtensionBlock Extensions { get; }

    /// <summary>False for a TLS 1.2 ServerHello that ends after the compression method.</summary>
    public bool HasExtensionBlock { get; }

    /// <summary>True when the random is the HelloRetryRequest marker.</summary>
    public bool IsHelloRetryRequest => Random.AsSpan().SequenceEqual(HrrRandom);

    /// <summary>
    /// The downgrade marker in the last 8 bytes of the random (RFC 8446 section 4.1.3): <c>Tls12</c> for
    /// "DOWNGRD\x01" (a TLS 1.3 server negotiating TLS 1.2), <c>Tls11</c> for "DOWNGRD\x00", else null.
    /// </summary>
    public ProtocolVersion? DowngradeMarker
    {
        get
        {
            ReadOnlySpan<byte> tail = Random.AsSpan(Random.Length - 8);
            if (!tail.Slice(0, 7).SequenceEqual("DOWNGRD"u8))
            {
                return null;
            }

            return tail[7] switch
            {
                1 => ProtocolVersion.Tls12,
                0 => ProtocolVersion.Tls11,
                _ => null,
            };
        }
    }

    /// <summary>Writes the TLS 1.2 ("DOWNGRD\x01") or TLS 1.1 ("DOWNGRD\x00") marker into the last 8 bytes of <paramref name="random"/>.</summary>
    public static void SetDowngradeMarker(Span<byte> random, ProtocolVersion negotiated)
    {
        Span<byte> tail = random.Slice(random.Length - 8);
        "DOWNGRD"u8.CopyTo(tail);
        tail[7] = negotiated == ProtocolVersion.Tls12 ? (byte)1 : (byte)0;
    }

    /// <summary>supported_versions' selected_version when present, else legacy_version.</summary>
    public ProtocolVersion SelectedVersion
        => Extensions.Get<SupportedVersionsServerHello>()?.SelectedVersion ?? LegacyVersion;

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.ServerHello;

    /// <summary>Parses a ServerHello body. Which extensions are legal depends on the form found:
    /// HelloRetryRequest (by random), TLS 1.3 (supported_versions present) or TLS 1.2.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     ProtocolVersion legacy_version = 0x0303;
    ///     Random random;
    ///     opaque legacy_session_id_echo&lt;0..32&gt;;
    ///     CipherSuite cipher_suite;
    ///     uint8 legacy_compression_method = 0;
    ///     Extension extensions&lt;6..2^16-1&gt;;   // may be absent in TLS 1.2
    /// } ServerHello;
    /// </code>
    /// </remarks>
    public static ServerHello Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var version = (ProtocolVersion)r.ReadUInt16("ServerHello.legacy_version");
        byte[] random = r.ReadBytes(32, "ServerHello.random").ToArray();
        byte[] sid = r.ReadVector8("ServerHello.legacy_session_id_echo", 0, 32).ToArray();
        var suite = (TlsCipherSuite)r.ReadUInt16("ServerHello.cipher_suite");
        byte compression = r.ReadUInt8("ServerHello.legacy_compression_method");
        if (r.IsEmpty)
        {
            return new ServerHello(version, random, sid, suite, compression, new ExtensionBlock(), hasExtensionBlock: false);
        }

        bool hrr = random.AsSpan().SequenceEqual(HrrRandom);
        ExtensionContext parse = hrr ? ExtensionContext.HelloRetryRequest : ExtensionContext.ServerHello;
        ExtensionContext check = hrr ? ExtensionContext.HelloRetryRequest
            : ExtensionBlock.Peek(r, ExtensionType.SupportedVersions) ? ExtensionContext.ServerHello
            : ExtensionContext.ServerHelloTls12;
        ExtensionBlock ext = ExtensionBlock.Read(ref r, parse, check, "ServerHello.extensions");
        r.ExpectEnd("ServerHello");
        return new ServerHello(version, random, sid, suite, compression, ext);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        writer.WriteUInt16((ushort)LegacyVersion);
        ClientHello.WriteRandom(writer, Random, "ServerHello.random");
        writer.WriteVector8(SessionIdEcho, "ServerHello.legacy_session_id_echo", 0, 32);
        writer.WriteUInt16((ushort)CipherSuite);
        writer.WriteUInt8(CompressionMethod);
        if (HasExtensionBlock)
        {
            Extensions.Write(writer, "ServerHello.extensions");
        }
    }
}
