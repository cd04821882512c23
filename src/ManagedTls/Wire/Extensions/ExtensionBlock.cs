using System.Collections;

namespace ManagedTls.Wire.Extensions;

/// <summary>
/// An ordered extension block, as carried by hellos, EncryptedExtensions, CertificateRequest,
/// certificate entries and tickets. Order is kept exactly, so a parsed block re-encodes to the same bytes.
/// </summary>
/// <remarks>
/// <code>
/// struct {
///     ExtensionType extension_type;
///     opaque extension_data&lt;0..2^16-1&gt;;
/// } Extension;
/// </code>
/// Decoding rejects duplicate types (forbidden by RFC 8446 section 4.2 and RFC 5246 section 7.4.1.4,
/// which name no alert) with <c>illegal_parameter</c>, a recognised extension in a message it is not defined for with
/// <c>illegal_parameter</c> (TLS 1.3, RFC 8446 section 4.2) or <c>unsupported_extension</c> (TLS 1.2
/// ServerHello, RFC 5246 section 7.4.1.4), and a ClientHello whose pre_shared_key is not last with
/// <c>illegal_parameter</c> (RFC 8446 section 4.2.11).
/// </remarks>
internal sealed class ExtensionBlock : IReadOnlyList<TlsExtension>
{
    private readonly List<TlsExtension> _items;

    /// <summary>Creates an empty block.</summary>
    public ExtensionBlock() => _items = [];

    /// <summary>Creates a block holding <paramref name="items"/> in order.</summary>
    public ExtensionBlock(IEnumerable<TlsExtension> items) => _items = [.. items];

    /// <inheritdoc/>
    public int Count => _items.Count;

    /// <inheritdoc/>
    public TlsExtension this[int index] => _items[index];

    /// <summary>Appends an extension (for building outgoing messages).</summary>
    public ExtensionBlock Add(TlsExtension extension)
    {
        _items.Add(extension);
        return this;
    }

    /// <summary>The extension of type <paramref name="type"/>, or null.</summary>
    public TlsExtension? Find(ExtensionType type)
    {
        foreach (TlsExtension e in _items)
        {
            if (e.Type == type)
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>True when an extension of type <paramref name="type"/> is present.</summary>
    public bool Contains(ExtensionType type) => Find(type) is not null;

    /// <summary>The first extension of class <typeparamref name="T"/>, or null.</summary>
    public T? Get<T>()
        where T : TlsExtension
    {
        foreach (TlsExtension e in _items)
        {
            if (e is T t)
            {
                return t;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public IEnumerator<TlsExtension> GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <summary>Reads a u16-length-prefixed extension block, parsing bodies and checking legality for <paramref name="context"/>.</summary>
    public static ExtensionBlock Read(ref TlsReader reader, ExtensionContext context, string field, int min = 0, int max = 0xFFFF)
        => Read(ref reader, context, context, field, min, max);

    /// <summary>
    /// Reads a u16-length-prefixed extension block. The framing, duplicates and the legality of every
    /// type in <paramref name="check"/> are verified first, then the bodies are parsed in the forms of
    /// <paramref name="parse"/>, so a misplaced extension is reported as misplaced, not as malformed.
    /// </summary>
    public static ExtensionBlock Read(ref TlsReader reader, ExtensionContext parse, ExtensionContext check, string field, int min = 0, int max = 0xFFFF)
    {
        TlsReader sub = reader.Sub16(field, min, max);
        TlsReader scan = sub;
        var seen = new HashSet<ushort>();
        int count = 0;
        int pskIndex = -1;
        while (!scan.IsEmpty)
        {
            ushort type = scan.ReadUInt16(field + ".extension_type");
            scan.ReadVector16(field + ".extension_data");
            if (!seen.Add(type))
            {
                throw TlsAlertException.Illegal($"{field}: duplicate extension {Name(type)}");
            }

            if (!ExtensionRules.IsAllowed((ExtensionType)type, check))
            {
                string reason = $"{field}: {Name(type)} is not allowed in {check}";
                throw check == ExtensionContext.ServerHelloTls12
                    ? new TlsAlertException(AlertDescription.UnsupportedExtension, reason)
                    : TlsAlertException.Illegal(reason);
            }

            if (type == (ushort)ExtensionType.PreSharedKey)
            {
                pskIndex = count;
            }

            count++;
        }

        if (check == ExtensionContext.ClientHello && pskIndex >= 0 && pskIndex != count - 1)
        {
            throw TlsAlertException.Illegal($"{field}: pre_shared_key is not the last extension");
        }

        var block = new ExtensionBlock();
        while (!sub.IsEmpty)
        {
            ushort type = sub.ReadUInt16(field + ".extension_type");
            ReadOnlySpan<byte> body = sub.ReadVector16(field + ".extension_data");
            block._items.Add(ExtensionCodec.Decode(type, body, parse));
        }

        return block;
    }

    /// <summary>True when the u16-prefixed block at the reader's position names <paramref name="type"/> (a tolerant look-ahead).</summary>
    public static bool Peek(TlsReader reader, ExtensionType type)
    {
        if (reader.Remaining < 2)
        {
            return false;
        }

        int length = reader.ReadUInt16("peek");
        ReadOnlySpan<byte> rest = reader.Rest;
        var r = new TlsReader(rest.Slice(0, Math.Min(length, rest.Length)));
        while (r.Remaining >= 4)
        {
            ushort t = r.ReadUInt16("peek");
            int n = r.ReadUInt16("peek");
            if (t == (ushort)type)
            {
                return true;
            }

            if (n > r.Remaining)
            {
                return false;
            }

            r.ReadBytes(n, "peek");
        }

        return false;
    }

    /// <summary>Writes the block with its u16 length prefix.</summary>
    public void Write(TlsWriter writer, string field, int min = 0, int max = 0xFFFF)
    {
        VectorMark m = writer.BeginVector16();
        WriteEntries(writer);
        writer.EndVector(m, field, min, max);
    }

    /// <summary>Writes the extensions without the outer length prefix.</summary>
    public void WriteEntries(TlsWriter writer)
    {
        foreach (TlsExtension e in _items)
        {
            writer.WriteUInt16((ushort)e.Type);
            VectorMark m = writer.BeginVector16();
            e.WriteBody(writer);
            writer.EndVector(m, "extension_data");
        }
    }

    /// <summary>Encodes the block, length prefix included.</summary>
    public byte[] Encode()
    {
        using var w = new TlsWriter();
        Write(w, "extensions");
        return w.ToArray();
    }

    private static string Name(ushort type)
        => Enum.IsDefined(typeof(ExtensionType), type) ? ((ExtensionType)type).ToString() : $"extension {type}";
}

/// <summary>RFC 8446 section 4.2's table of which extension may appear in which message, plus the TLS 1.2 ServerHello.</summary>
internal static class ExtensionRules
{
    private const int CH = 1 << (int)ExtensionContext.ClientHello;
    private const int SH = 1 << (int)ExtensionContext.ServerHello;
    private const int HRR = 1 << (int)ExtensionContext.HelloRetryRequest;
    private const int EE = 1 << (int)ExtensionContext.EncryptedExtensions;
    private const int CT = 1 << (int)ExtensionContext.Certificate;
    private const int CR = 1 << (int)ExtensionContext.CertificateRequest;
    private const int NST = 1 << (int)ExtensionContext.NewSessionTicket;
    private const int SH12 = 1 << (int)ExtensionContext.ServerHelloTls12;

    /// <summary>
    /// True when <paramref name="type"/> may appear in <paramref name="context"/>. Types this table does
    /// not know are always allowed (they are kept opaque and ignored).
    /// </summary>
    public static bool IsAllowed(ExtensionType type, ExtensionContext context)
    {
        int mask = Mask(type);
        return mask == -1 || (mask & (1 << (int)context)) != 0;
    }

    private static int Mask(ExtensionType type) => (ushort)type switch
    {
        0 => CH | EE | SH12,                // server_name
        1 => CH | EE | SH12,                // max_fragment_length
        5 => CH | CR | CT | SH12,           // status_request
        10 => CH | EE | SH12,               // supported_groups (tolerated in a TLS 1.2 ServerHello)
        11 => CH | SH12,                    // ec_point_formats
        13 => CH | CR,                      // signature_algorithms
        14 => CH | EE | SH12,               // use_srtp
        15 => CH | EE | SH12,               // heartbeat
        16 => CH | EE | SH12,               // application_layer_protocol_negotiation
        18 => CH | CR | CT | SH12,          // signed_certificate_timestamp
        19 => CH | EE | SH12,               // client_certificate_type
        20 => CH | EE | SH12,               // server_certificate_type
        21 => CH,                           // padding
        22 => CH | SH12,                    // encrypt_then_mac
        23 => CH | SH12,                    // extended_master_secret
        28 => CH | EE | SH12,               // record_size_limit
        35 => CH | SH12,                    // session_ticket
        41 => CH | SH,                      // pre_shared_key
        42 => CH | EE | NST,                // early_data
        43 => CH | SH | HRR,                // supported_versions
        44 => CH | HRR,                     // cookie
        45 => CH,                           // psk_key_exchange_modes
        47 => CH | CR,                      // certificate_authorities
        48 => CR,                           // oid_filters
        49 => CH,                           // post_handshake_auth
        50 => CH | CR,                      // signature_algorithms_cert
        51 => CH | SH | HRR,                // key_share
        0xff01 => CH | SH12,                // renegotiation_info
        _ => -1,
    };
}
