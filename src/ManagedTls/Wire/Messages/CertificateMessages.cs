using ManagedTls.Wire.Extensions;

namespace ManagedTls.Wire.Messages;

/// <summary>One certificate with its TLS 1.3 per-entry extensions (always empty in TLS 1.2).</summary>
/// <param name="Data">The DER certificate.</param>
/// <param name="Extensions">status_request (OCSP) and signed_certificate_timestamp, TLS 1.3 only.</param>
internal sealed record CertificateEntry(byte[] Data, ExtensionBlock Extensions)
{
    /// <summary>An entry without extensions.</summary>
    public CertificateEntry(byte[] data)
        : this(data, new ExtensionBlock())
    {
    }
}

/// <summary>Certificate in its TLS 1.3 form (RFC 8446 section 4.4.2) or TLS 1.2 form (RFC 5246 section 7.4.2).</summary>
internal sealed class CertificateMessage : HandshakeMessage
{
    /// <summary>Creates the message; <paramref name="requestContext"/> null means the TLS 1.2 form.</summary>
    public CertificateMessage(byte[]? requestContext, IReadOnlyList<CertificateEntry> entries)
    {
        RequestContext = requestContext;
        Entries = entries;
    }

    /// <summary>certificate_request_context (TLS 1.3), or null for TLS 1.2.</summary>
    public byte[]? RequestContext { get; }

    /// <summary>True for the TLS 1.3 form.</summary>
    public bool IsTls13 => RequestContext is not null;

    /// <summary>The chain, end-entity first.</summary>
    public IReadOnlyList<CertificateEntry> Entries { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.Certificate;

    /// <summary>Parses the body in the TLS 1.3 form (<paramref name="tls13"/>) or the TLS 1.2 form.</summary>
    /// <remarks>
    /// <code>
    /// // TLS 1.3
    /// struct {
    ///     opaque cert_data&lt;1..2^24-1&gt;;
    ///     Extension extensions&lt;0..2^16-1&gt;;
    /// } CertificateEntry;
    /// struct {
    ///     opaque certificate_request_context&lt;0..2^8-1&gt;;
    ///     CertificateEntry certificate_list&lt;0..2^24-1&gt;;
    /// } Certificate;
    /// // TLS 1.2
    /// opaque ASN.1Cert&lt;1..2^24-1&gt;;
    /// struct { ASN.1Cert certificate_list&lt;0..2^24-1&gt;; } Certificate;
    /// </code>
    /// </remarks>
    public static CertificateMessage Read(ReadOnlySpan<byte> body, bool tls13)
    {
        var r = new TlsReader(body);
        byte[]? ctx = tls13 ? r.ReadVector8("Certificate.certificate_request_context").ToArray() : null;
        TlsReader list = r.Sub24("Certificate.certificate_list");
        r.ExpectEnd("Certificate");
        var entries = new List<CertificateEntry>();
        while (!list.IsEmpty)
        {
            byte[] cert = list.ReadVector24("Certificate.cert_data", 1).ToArray();
            ExtensionBlock ext = tls13
                ? ExtensionBlock.Read(ref list, ExtensionContext.Certificate, "CertificateEntry.extensions")
                : new ExtensionBlock();
            entries.Add(new CertificateEntry(cert, ext));
        }

        return new CertificateMessage(ctx, entries);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        if (RequestContext is not null)
        {
            writer.WriteVector8(RequestContext, "Certificate.certificate_request_context");
        }

        VectorMark m = writer.BeginVector24();
        foreach (CertificateEntry e in Entries)
        {
            writer.WriteVector24(e.Data, "Certificate.cert_data", 1);
            if (RequestContext is not null)
            {
                e.Extensions.Write(writer, "CertificateEntry.extensions");
            }
            else if (e.Extensions.Count != 0)
            {
                throw TlsAlertException.Internal("Certificate: a TLS 1.2 entry cannot carry extensions");
            }
        }

        writer.EndVector(m, "Certificate.certificate_list");
    }
}

/// <summary>CertificateVerify (RFC 8446 section 4.4.3; the TLS 1.2 digitally-signed form is the same shape).</summary>
internal sealed class CertificateVerify : HandshakeMessage
{
    /// <summary>Creates the message.</summary>
    public CertificateVerify(SignatureScheme algorithm, byte[] signature)
    {
        Algorithm = algorithm;
        Signature = signature;
    }

    /// <summary>The signature scheme.</summary>
    public SignatureScheme Algorithm { get; }

    /// <summary>The signature.</summary>
    public byte[] Signature { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.CertificateVerify;

    /// <summary>Parses the body.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     SignatureScheme algorithm;
    ///     opaque signature&lt;0..2^16-1&gt;;
    /// } CertificateVerify;
    /// </code>
    /// </remarks>
    public static CertificateVerify Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var alg = (SignatureScheme)r.ReadUInt16("CertificateVerify.algorithm");
        byte[] sig = r.ReadVector16("CertificateVerify.signature").ToArray();
        r.ExpectEnd("CertificateVerify");
        return new CertificateVerify(alg, sig);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        writer.WriteUInt16((ushort)Algorithm);
        writer.WriteVector16(Signature, "CertificateVerify.signature");
    }
}

/// <summary>Finished (RFC 8446 section 4.4.4, RFC 5246 section 7.4.9): verify_data is the whole body.</summary>
internal sealed class Finished : HandshakeMessage
{
    /// <summary>Creates the message.</summary>
    public Finished(byte[] verifyData) => VerifyData = verifyData;

    /// <summary>verify_data.</summary>
    public byte[] VerifyData { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.Finished;

    /// <summary>Parses the body; with <paramref name="expectedLength"/> &gt; 0 any other length is <c>decode_error</c>.</summary>
    /// <remarks><code>struct { opaque verify_data[Hash.length]; } Finished;</code></remarks>
    public static Finished Read(ReadOnlySpan<byte> body, int expectedLength = 0)
    {
        if (expectedLength > 0 ? body.Length != expectedLength : body.IsEmpty)
        {
            throw TlsAlertException.Decode($"Finished.verify_data: {body.Length} byte(s), expected {(expectedLength > 0 ? expectedLength.ToString(System.Globalization.CultureInfo.InvariantCulture) : "at least 1")}");
        }

        return new Finished(body.ToArray());
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteBytes(VerifyData);
}

/// <summary>
/// CertificateStatus (RFC 6066 section 8): a TLS 1.2 handshake message, and in TLS 1.3 the body of a
/// certificate entry's status_request extension. Only ocsp(1) exists; another type is <c>decode_error</c>.
/// </summary>
internal sealed class CertificateStatus : HandshakeMessage
{
    /// <summary>Creates the message with a DER OCSPResponse.</summary>
    public CertificateStatus(byte[] ocspResponse) => OcspResponse = ocspResponse;

    /// <summary>The DER OCSPResponse.</summary>
    public byte[] OcspResponse { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.CertificateStatus;

    /// <summary>Parses the handshake message body.</summary>
    public static CertificateStatus Read(ReadOnlySpan<byte> body) => ReadBody(body);

    /// <summary>Parses a CertificateStatus structure.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     CertificateStatusType status_type;   // ocsp(1)
    ///     select (status_type) { case ocsp: OCSPResponse; } response;
    /// } CertificateStatus;
    /// opaque OCSPResponse&lt;1..2^24-1&gt;;
    /// </code>
    /// </remarks>
    public static CertificateStatus ReadBody(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        byte type = r.ReadUInt8("CertificateStatus.status_type");
        if (type != 1)
        {
            throw TlsAlertException.Decode($"CertificateStatus.status_type: {type} is not ocsp(1)");
        }

        byte[] resp = r.ReadVector24("CertificateStatus.ocsp_response", 1).ToArray();
        r.ExpectEnd("CertificateStatus");
        return new CertificateStatus(resp);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        writer.WriteUInt8(1);
        writer.WriteVector24(OcspResponse, "CertificateStatus.ocsp_response", 1);
    }
}
