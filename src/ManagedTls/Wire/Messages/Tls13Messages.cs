using ManagedTls.Wire.Extensions;

namespace ManagedTls.Wire.Messages;

/// <summary>EncryptedExtensions (RFC 8446 section 4.3.1).</summary>
internal sealed class EncryptedExtensions : HandshakeMessage
{
    /// <summary>Creates the message.</summary>
    public EncryptedExtensions(ExtensionBlock extensions) => Extensions = extensions;

    /// <summary>The extensions, in wire order.</summary>
    public ExtensionBlock Extensions { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.EncryptedExtensions;

    /// <summary>Parses the body.</summary>
    /// <remarks><code>struct { Extension extensions&lt;0..2^16-1&gt;; } EncryptedExtensions;</code></remarks>
    public static EncryptedExtensions Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        ExtensionBlock ext = ExtensionBlock.Read(ref r, ExtensionContext.EncryptedExtensions, "EncryptedExtensions.extensions");
        r.ExpectEnd("EncryptedExtensions");
        return new EncryptedExtensions(ext);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => Extensions.Write(writer, "EncryptedExtensions.extensions");
}

/// <summary>TLS 1.3 CertificateRequest (RFC 8446 section 4.3.2); signature_algorithms is mandatory (<c>missing_extension</c>).</summary>
internal sealed class CertificateRequest13 : HandshakeMessage
{
    /// <summary>Creates the message.</summary>
    public CertificateRequest13(byte[] context, ExtensionBlock extensions)
    {
        Context = context;
        Extensions = extensions;
    }

    /// <summary>certificate_request_context (empty during the handshake).</summary>
    public byte[] Context { get; }

    /// <summary>The extensions, in wire order.</summary>
    public ExtensionBlock Extensions { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.CertificateRequest;

    /// <summary>Parses the body.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     opaque certificate_request_context&lt;0..2^8-1&gt;;
    ///     Extension extensions&lt;2..2^16-1&gt;;
    /// } CertificateRequest;
    /// </code>
    /// </remarks>
    public static CertificateRequest13 Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        byte[] ctx = r.ReadVector8("CertificateRequest.certificate_request_context").ToArray();
        ExtensionBlock ext = ExtensionBlock.Read(ref r, ExtensionContext.CertificateRequest, "CertificateRequest.extensions", 2);
        r.ExpectEnd("CertificateRequest");
        if (!ext.Contains(ExtensionType.SignatureAlgorithms))
        {
            throw new TlsAlertException(AlertDescription.MissingExtension, "CertificateRequest: no signature_algorithms extension");
        }

        return new CertificateRequest13(ctx, ext);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        writer.WriteVector8(Context, "CertificateRequest.certificate_request_context");
        Extensions.Write(writer, "CertificateRequest.extensions", 2);
    }
}

/// <summary>TLS 1.3 NewSessionTicket (RFC 8446 section 4.6.1).</summary>
internal sealed class NewSessionTicket13 : HandshakeMessage
{
    /// <summary>Creates the message.</summary>
    public NewSessionTicket13(uint lifetime, uint ageAdd, byte[] nonce, byte[] ticket, ExtensionBlock extensions)
    {
        Lifetime = lifetime;
        AgeAdd = ageAdd;
        Nonce = nonce;
        Ticket = ticket;
        Extensions = extensions;
    }

    /// <summary>ticket_lifetime in seconds.</summary>
    public uint Lifetime { get; }

    /// <summary>ticket_age_add.</summary>
    public uint AgeAdd { get; }

    /// <summary>ticket_nonce.</summary>
    public byte[] Nonce { get; }

    /// <summary>The opaque ticket (the PSK identity).</summary>
    public byte[] Ticket { get; }

    /// <summary>The extensions (early_data carries max_early_data_size).</summary>
    public ExtensionBlock Extensions { get; }

    /// <summary>max_early_data_size, or null when the ticket does not allow early data.</summary>
    public uint? MaxEarlyDataSize => Extensions.Get<EarlyDataExtension>()?.MaxEarlyDataSize;

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.NewSessionTicket;

    /// <summary>Parses the body.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     uint32 ticket_lifetime;
    ///     uint32 ticket_age_add;
    ///     opaque ticket_nonce&lt;0..255&gt;;
    ///     opaque ticket&lt;1..2^16-1&gt;;
    ///     Extension extensions&lt;0..2^16-2&gt;;
    /// } NewSessionTicket;
    /// </code>
    /// </remarks>
    public static NewSessionTicket13 Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        uint lifetime = r.ReadUInt32("NewSessionTicket.ticket_lifetime");
        uint add = r.ReadUInt32("NewSessionTicket.ticket_age_add");
        byte[] nonce = r.ReadVector8("NewSessionTicket.ticket_nonce").ToArray();
        byte[] ticket = r.ReadVector16("NewSessionTicket.ticket", 1).ToArray();
        ExtensionBlock ext = ExtensionBlock.Read(ref r, ExtensionContext.NewSessionTicket, "NewSessionTicket.extensions", 0, 0xFFFE);
        r.ExpectEnd("NewSessionTicket");
        return new NewSessionTicket13(lifetime, add, nonce, ticket, ext);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        writer.WriteUInt32(Lifetime);
        writer.WriteUInt32(AgeAdd);
        writer.WriteVector8(Nonce, "NewSessionTicket.ticket_nonce");
        writer.WriteVector16(Ticket, "NewSessionTicket.ticket", 1);
        Extensions.Write(writer, "NewSessionTicket.extensions", 0, 0xFFFE);
    }
}

/// <summary>EndOfEarlyData (RFC 8446 section 4.5): <c>struct {} EndOfEarlyData;</c></summary>
internal sealed class EndOfEarlyData : EmptyMessage
{
    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.EndOfEarlyData;

    /// <summary>Parses the (empty) body.</summary>
    public static EndOfEarlyData Read(ReadOnlySpan<byte> body)
    {
        ExpectEmpty(body, "EndOfEarlyData");
        return new EndOfEarlyData();
    }
}

/// <summary>KeyUpdate (RFC 8446 section 4.6.3); a request_update other than 0 or 1 is <c>illegal_parameter</c>.</summary>
internal sealed class KeyUpdate : HandshakeMessage
{
    /// <summary>Creates the message.</summary>
    public KeyUpdate(bool updateRequested) => UpdateRequested = updateRequested;

    /// <summary>True for update_requested(1): the peer must answer with its own KeyUpdate.</summary>
    public bool UpdateRequested { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.KeyUpdate;

    /// <summary>Parses the body.</summary>
    /// <remarks>
    /// <code>
    /// enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
    /// struct { KeyUpdateRequest request_update; } KeyUpdate;
    /// </code>
    /// </remarks>
    public static KeyUpdate Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        byte v = r.ReadUInt8("KeyUpdate.request_update");
        r.ExpectEnd("KeyUpdate");
        if (v > 1)
        {
            throw TlsAlertException.Illegal($"KeyUpdate.request_update: {v} is neither 0 nor 1");
        }

        return new KeyUpdate(v == 1);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteUInt8(UpdateRequested ? (byte)1 : (byte)0);
}
