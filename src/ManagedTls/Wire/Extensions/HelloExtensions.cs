using System.Text;

namespace ManagedTls.Wire.Extensions;

/// <summary>server_name (RFC 6066 section 3): one host_name in a ClientHello, empty in a server's acknowledgement.</summary>
/// <remarks>
/// <code>
/// struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
/// enum { host_name(0), (255) } NameType;
/// opaque HostName&lt;1..2^16-1&gt;;
/// struct { ServerName server_name_list&lt;1..2^16-1&gt; } ServerNameList;
/// </code>
/// </remarks>
internal sealed class ServerNameExtension : TlsExtension
{
    /// <summary>The longest host_name accepted: a DNS name is at most 253 characters, and OpenSSL allows 255.</summary>
    public const int MaxHostNameLength = 255;

    /// <summary>Creates the extension; <paramref name="hostName"/> null is the empty server form.</summary>
    public ServerNameExtension(byte[]? hostName) => HostNameBytes = hostName;

    /// <summary>Creates the ClientHello form for an ASCII host name.</summary>
    public ServerNameExtension(string hostName)
        : this(Encoding.ASCII.GetBytes(hostName))
    {
    }

    /// <summary>The host_name bytes, or null in the empty (server) form.</summary>
    public byte[]? HostNameBytes { get; }

    /// <summary>The host name as text (bytes outside ASCII appear as '?'), or null.</summary>
    public string? HostName => HostNameBytes is null ? null : Encoding.ASCII.GetString(HostNameBytes);

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.ServerName;

    /// <summary>
    /// Parses the body. In a ClientHello it is a non-empty server_name_list (RFC 6066 section 3: an empty body is
    /// <c>decode_error</c>) whose host_name is ASCII without control characters and at most
    /// <see cref="MaxHostNameLength"/> bytes (anything else is <c>illegal_parameter</c>: such a name can reach logs,
    /// callbacks, tickets and certificate matching); in the server's
    /// messages it is empty (anything else is <c>decode_error</c>).
    /// </summary>
    public static ServerNameExtension Read(ReadOnlySpan<byte> body, ExtensionContext context = ExtensionContext.ClientHello)
    {
        if (context != ExtensionContext.ClientHello)
        {
            TlsExtension.ExpectEmpty(body, "server_name");
            return new ServerNameExtension((byte[]?)null);
        }

        if (body.IsEmpty)
        {
            throw TlsAlertException.Decode("server_name: empty in a ClientHello (RFC 6066 wants a non-empty list)");
        }

        var r = new TlsReader(body);
        TlsReader list = r.Sub16("server_name.server_name_list", 1);
        r.ExpectEnd("server_name");
        byte[]? host = null;
        while (!list.IsEmpty)
        {
            byte nameType = list.ReadUInt8("server_name.name_type");
            if (nameType != 0)
            {
                throw TlsAlertException.Decode($"server_name: unknown name_type {nameType}");
            }

            ReadOnlySpan<byte> name = list.ReadVector16("server_name.host_name", 1);
            if (host is not null)
            {
                throw TlsAlertException.Illegal("server_name: more than one host_name");
            }

            if (name.Length > MaxHostNameLength)
            {
                throw TlsAlertException.Illegal($"server_name: host_name of {name.Length} bytes (a DNS name has at most {MaxHostNameLength})");
            }

            foreach (byte b in name)
            {
                if (b <= 0x20 || b >= 0x7F)
                {
                    throw TlsAlertException.Illegal($"server_name: host_name has byte 0x{b:x2} (control, space or non-ASCII)");
                }
            }

            host = name.ToArray();
        }

        return new ServerNameExtension(host);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        if (HostNameBytes is null)
        {
            return;
        }

        VectorMark m = writer.BeginVector16();
        writer.WriteUInt8(0);
        writer.WriteVector16(HostNameBytes, "server_name.host_name", 1);
        writer.EndVector(m, "server_name.server_name_list", 1);
    }
}

/// <summary>max_fragment_length (RFC 6066 section 4): one code 1..4 meaning 2^9..2^12 bytes.</summary>
/// <remarks><code>enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) } MaxFragmentLength;</code></remarks>
internal sealed class MaxFragmentLengthExtension : TlsExtension
{
    /// <summary>Creates the extension with code <paramref name="code"/> (1..4).</summary>
    public MaxFragmentLengthExtension(byte code) => Code = code;

    /// <summary>The code, 1..4.</summary>
    public byte Code { get; }

    /// <summary>The fragment limit in bytes.</summary>
    public int MaxLength => 1 << (8 + Code);

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.MaxFragmentLength;

    /// <summary>Parses the body; a code outside 1..4 is <c>illegal_parameter</c>.</summary>
    public static MaxFragmentLengthExtension Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        byte code = r.ReadUInt8("max_fragment_length");
        r.ExpectEnd("max_fragment_length");
        if (code is < 1 or > 4)
        {
            throw TlsAlertException.Illegal($"max_fragment_length: code {code} is not 1..4");
        }

        return new MaxFragmentLengthExtension(code);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteUInt8(Code);
}

/// <summary>The three shapes of status_request.</summary>
internal enum StatusRequestForm
{
    /// <summary>ClientHello: a CertificateStatusRequest.</summary>
    Request,
    /// <summary>TLS 1.2 ServerHello or TLS 1.3 CertificateRequest: empty.</summary>
    Empty,
    /// <summary>TLS 1.3 CertificateEntry: a CertificateStatus carrying an OCSP response.</summary>
    Response,
}

/// <summary>status_request (RFC 6066 section 8, RFC 8446 section 4.4.2.1).</summary>
/// <remarks>
/// <code>
/// struct {
///     CertificateStatusType status_type;   // ocsp(1)
///     select (status_type) { case ocsp: OCSPStatusRequest; } request;
/// } CertificateStatusRequest;
/// struct {
///     ResponderID responder_id_list&lt;0..2^16-1&gt;;
///     Extensions  request_extensions;      // opaque &lt;0..2^16-1&gt;
/// } OCSPStatusRequest;
/// opaque ResponderID&lt;1..2^16-1&gt;;
/// </code>
/// In a certificate entry the body is a CertificateStatus (see <see cref="Messages.CertificateStatus"/>).
/// A request with another status_type keeps its remaining bytes opaque.
/// </remarks>
internal sealed class StatusRequestExtension : TlsExtension
{
    private StatusRequestExtension(StatusRequestForm form, byte statusType, IReadOnlyList<byte[]> responderIds, byte[] requestExtensions, byte[] other)
    {
        Form = form;
        StatusType = statusType;
        ResponderIds = responderIds;
        RequestExtensions = requestExtensions;
        OpaqueRequest = other;
    }

    /// <summary>Which shape this is.</summary>
    public StatusRequestForm Form { get; }

    /// <summary>status_type (1 = ocsp) for the request and response forms.</summary>
    public byte StatusType { get; }

    /// <summary>OCSP responder IDs (request form).</summary>
    public IReadOnlyList<byte[]> ResponderIds { get; }

    /// <summary>DER request extensions (request form).</summary>
    public byte[] RequestExtensions { get; }

    /// <summary>For a request with a status_type other than ocsp: its bytes; for the response form: the OCSP response.</summary>
    public byte[] OpaqueRequest { get; }

    /// <summary>The OCSP response (response form).</summary>
    public byte[] OcspResponse => OpaqueRequest;

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.StatusRequest;

    /// <summary>An OCSP request.</summary>
    public static StatusRequestExtension OcspRequest(IReadOnlyList<byte[]> responderIds, byte[] requestExtensions)
        => new(StatusRequestForm.Request, 1, responderIds, requestExtensions, []);

    /// <summary>The empty acknowledgement.</summary>
    public static StatusRequestExtension EmptyAck() => new(StatusRequestForm.Empty, 0, [], [], []);

    /// <summary>A certificate entry's OCSP response.</summary>
    public static StatusRequestExtension Response(byte[] ocspResponse)
        => new(StatusRequestForm.Response, 1, [], [], ocspResponse);

    /// <summary>Parses the body as it appears in <paramref name="context"/>.</summary>
    public static StatusRequestExtension Read(ReadOnlySpan<byte> body, ExtensionContext context)
    {
        if (context == ExtensionContext.Certificate)
        {
            var status = Messages.CertificateStatus.ReadBody(body);
            return Response(status.OcspResponse);
        }

        if (context != ExtensionContext.ClientHello)
        {
            ExpectEmpty(body, "status_request");
            return EmptyAck();
        }

        var r = new TlsReader(body);
        byte type = r.ReadUInt8("status_request.status_type");
        if (type != 1)
        {
            return new StatusRequestExtension(StatusRequestForm.Request, type, [], [], r.ReadRest().ToArray());
        }

        TlsReader ids = r.Sub16("status_request.responder_id_list");
        var list = new List<byte[]>();
        while (!ids.IsEmpty)
        {
            list.Add(ids.ReadVector16("status_request.responder_id", 1).ToArray());
        }

        byte[] exts = r.ReadVector16("status_request.request_extensions").ToArray();
        r.ExpectEnd("status_request");
        return OcspRequest(list, exts);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        switch (Form)
        {
            case StatusRequestForm.Empty:
                return;
            case StatusRequestForm.Response:
                new Messages.CertificateStatus(OcspResponse).WriteBody(writer);
                return;
        }

        writer.WriteUInt8(StatusType);
        if (StatusType != 1)
        {
            writer.WriteBytes(OpaqueRequest);
            return;
        }

        VectorMark m = writer.BeginVector16();
        foreach (byte[] id in ResponderIds)
        {
            writer.WriteVector16(id, "status_request.responder_id", 1);
        }

        writer.EndVector(m, "status_request.responder_id_list");
        writer.WriteVector16(RequestExtensions, "status_request.request_extensions");
    }
}

/// <summary>supported_groups (RFC 8446 section 4.2.7).</summary>
/// <remarks><code>struct { NamedGroup named_group_list&lt;2..2^16-1&gt;; } NamedGroupList;</code></remarks>
internal sealed class SupportedGroupsExtension : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public SupportedGroupsExtension(IReadOnlyList<NamedGroup> groups) => Groups = groups;

    /// <summary>Groups in preference order (unknown code points kept).</summary>
    public IReadOnlyList<NamedGroup> Groups { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.SupportedGroups;

    /// <summary>Parses the body; empty or odd-length lists are <c>decode_error</c>.</summary>
    public static SupportedGroupsExtension Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        TlsReader list = r.Sub16("supported_groups.named_group_list", 2);
        r.ExpectEnd("supported_groups");
        var groups = new List<NamedGroup>(list.Remaining / 2);
        if ((list.Remaining & 1) != 0)
        {
            throw TlsAlertException.Decode("supported_groups.named_group_list: odd length");
        }

        while (!list.IsEmpty)
        {
            groups.Add((NamedGroup)list.ReadUInt16("supported_groups.named_group"));
        }

        return new SupportedGroupsExtension(groups);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        VectorMark m = writer.BeginVector16();
        foreach (NamedGroup g in Groups)
        {
            writer.WriteUInt16((ushort)g);
        }

        writer.EndVector(m, "supported_groups.named_group_list", 2);
    }
}

/// <summary>ec_point_formats (RFC 8422 section 5.1.2).</summary>
/// <remarks><code>struct { ECPointFormat ec_point_format_list&lt;1..2^8-1&gt; } ECPointFormatList;</code></remarks>
internal sealed class EcPointFormatsExtension : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public EcPointFormatsExtension(byte[] formats) => Formats = formats;

    /// <summary>The formats (0 = uncompressed).</summary>
    public byte[] Formats { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.EcPointFormats;

    /// <summary>Parses the body.</summary>
    public static EcPointFormatsExtension Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        byte[] f = r.ReadVector8("ec_point_formats.ec_point_format_list", 1).ToArray();
        r.ExpectEnd("ec_point_formats");
        return new EcPointFormatsExtension(f);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteVector8(Formats, "ec_point_formats.ec_point_format_list", 1);
}

/// <summary>The shared shape of signature_algorithms and signature_algorithms_cert (RFC 8446 section 4.2.3).</summary>
/// <remarks><code>struct { SignatureScheme supported_signature_algorithms&lt;2..2^16-2&gt;; } SignatureSchemeList;</code></remarks>
internal abstract class SignatureSchemeListExtension : TlsExtension
{
    /// <summary>Creates the list.</summary>
    protected SignatureSchemeListExtension(IReadOnlyList<SignatureScheme> schemes) => Schemes = schemes;

    /// <summary>Schemes in preference order (unknown code points kept).</summary>
    public IReadOnlyList<SignatureScheme> Schemes { get; }

    /// <summary>Parses a SignatureSchemeList body.</summary>
    public static List<SignatureScheme> ReadList(ReadOnlySpan<byte> body, string name)
    {
        var r = new TlsReader(body);
        List<SignatureScheme> list = ReadSchemes(ref r, name + ".supported_signature_algorithms");
        r.ExpectEnd(name);
        return list;
    }

    /// <summary>Reads a u16-prefixed list of schemes, 2..2^16-2 bytes of even length.</summary>
    public static List<SignatureScheme> ReadSchemes(ref TlsReader r, string field)
    {
        TlsReader list = r.Sub16(field, 2, 0xFFFE);
        if ((list.Remaining & 1) != 0)
        {
            throw TlsAlertException.Decode($"{field}: odd length");
        }

        var schemes = new List<SignatureScheme>(list.Remaining / 2);
        while (!list.IsEmpty)
        {
            schemes.Add((SignatureScheme)list.ReadUInt16(field));
        }

        return schemes;
    }

    /// <summary>Writes a u16-prefixed list of schemes.</summary>
    public static void WriteSchemes(TlsWriter writer, IReadOnlyList<SignatureScheme> schemes, string field)
    {
        VectorMark m = writer.BeginVector16();
        foreach (SignatureScheme s in schemes)
        {
            writer.WriteUInt16((ushort)s);
        }

        writer.EndVector(m, field, 2, 0xFFFE);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => WriteSchemes(writer, Schemes, "supported_signature_algorithms");
}

/// <summary>signature_algorithms (RFC 8446 section 4.2.3).</summary>
internal sealed class SignatureAlgorithmsExtension(IReadOnlyList<SignatureScheme> schemes) : SignatureSchemeListExtension(schemes)
{
    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.SignatureAlgorithms;
}

/// <summary>signature_algorithms_cert (RFC 8446 section 4.2.3).</summary>
internal sealed class SignatureAlgorithmsCertExtension(IReadOnlyList<SignatureScheme> schemes) : SignatureSchemeListExtension(schemes)
{
    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.SignatureAlgorithmsCert;
}

/// <summary>application_layer_protocol_negotiation (RFC 7301 section 3.1).</summary>
/// <remarks>
/// <code>
/// opaque ProtocolName&lt;1..2^8-1&gt;;
/// struct { ProtocolName protocol_name_list&lt;2..2^16-1&gt; } ProtocolNameList;
/// </code>
/// A server's list holds exactly one name (otherwise <c>illegal_parameter</c>).
/// </remarks>
internal sealed class AlpnExtension : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public AlpnExtension(IReadOnlyList<byte[]> protocols) => Protocols = protocols;

    /// <summary>The protocol names, in order.</summary>
    public IReadOnlyList<byte[]> Protocols { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.ApplicationLayerProtocolNegotiation;

    /// <summary>Parses the body; empty names and empty lists are <c>decode_error</c>.</summary>
    public static AlpnExtension Read(ReadOnlySpan<byte> body, bool server)
    {
        var r = new TlsReader(body);
        TlsReader list = r.Sub16("alpn.protocol_name_list", 2);
        r.ExpectEnd("alpn");
        var names = new List<byte[]>();
        while (!list.IsEmpty)
        {
            names.Add(list.ReadVector8("alpn.protocol_name", 1).ToArray());
        }

        if (server && names.Count != 1)
        {
            throw TlsAlertException.Illegal($"alpn: a server must select exactly one protocol, got {names.Count}");
        }

        return new AlpnExtension(names);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        VectorMark m = writer.BeginVector16();
        foreach (byte[] p in Protocols)
        {
            writer.WriteVector8(p, "alpn.protocol_name", 1);
        }

        writer.EndVector(m, "alpn.protocol_name_list", 2);
    }
}

/// <summary>padding (RFC 7685): zero bytes; anything else is <c>illegal_parameter</c>.</summary>
internal sealed class PaddingExtension : TlsExtension
{
    /// <summary>Creates <paramref name="length"/> bytes of padding.</summary>
    public PaddingExtension(int length) => Length = length;

    /// <summary>Number of zero bytes.</summary>
    public int Length { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.Padding;

    /// <summary>Parses the body.</summary>
    public static PaddingExtension Read(ReadOnlySpan<byte> body)
    {
        foreach (byte b in body)
        {
            if (b != 0)
            {
                throw TlsAlertException.Illegal("padding: non-zero byte");
            }
        }

        return new PaddingExtension(body.Length);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteZeros(Length);
}

/// <summary>record_size_limit (RFC 8449): a limit below 64 is <c>illegal_parameter</c>.</summary>
/// <remarks><code>uint16 RecordSizeLimit;</code></remarks>
internal sealed class RecordSizeLimitExtension : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public RecordSizeLimitExtension(ushort limit) => Limit = limit;

    /// <summary>The largest plaintext record the sender is willing to receive.</summary>
    public ushort Limit { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.RecordSizeLimit;

    /// <summary>Parses the body.</summary>
    public static RecordSizeLimitExtension Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        ushort v = r.ReadUInt16("record_size_limit");
        r.ExpectEnd("record_size_limit");
        if (v < 64)
        {
            throw TlsAlertException.Illegal($"record_size_limit: {v} is below 64");
        }

        return new RecordSizeLimitExtension(v);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteUInt16(Limit);
}

/// <summary>session_ticket (RFC 5077 section 3.2): the opaque ticket, possibly empty.</summary>
internal sealed class SessionTicketExtension : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public SessionTicketExtension(byte[] ticket) => Ticket = ticket;

    /// <summary>The ticket (empty to ask for one, or in the server's acknowledgement).</summary>
    public byte[] Ticket { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.SessionTicket;

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteBytes(Ticket);
}

/// <summary>renegotiation_info (RFC 5746 section 3.2).</summary>
/// <remarks><code>struct { opaque renegotiated_connection&lt;0..255&gt;; } RenegotiationInfo;</code></remarks>
internal sealed class RenegotiationInfoExtension : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public RenegotiationInfoExtension(byte[] renegotiatedConnection) => RenegotiatedConnection = renegotiatedConnection;

    /// <summary>The verify_data of the previous handshake(s); empty on an initial handshake.</summary>
    public byte[] RenegotiatedConnection { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.RenegotiationInfo;

    /// <summary>Parses the body.</summary>
    public static RenegotiationInfoExtension Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        byte[] v = r.ReadVector8("renegotiation_info.renegotiated_connection").ToArray();
        r.ExpectEnd("renegotiation_info");
        return new RenegotiationInfoExtension(v);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteVector8(RenegotiatedConnection, "renegotiation_info.renegotiated_connection");
}
