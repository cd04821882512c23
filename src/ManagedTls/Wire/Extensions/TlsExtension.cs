namespace ManagedTls.Wire.Extensions;

/// <summary>The message an extension block belongs to; decides how bodies parse and which types are legal.</summary>
internal enum ExtensionContext
{
    /// <summary>ClientHello (CH).</summary>
    ClientHello,
    /// <summary>TLS 1.3 ServerHello (SH).</summary>
    ServerHello,
    /// <summary>HelloRetryRequest (HRR).</summary>
    HelloRetryRequest,
    /// <summary>EncryptedExtensions (EE).</summary>
    EncryptedExtensions,
    /// <summary>A TLS 1.3 CertificateEntry (CT).</summary>
    Certificate,
    /// <summary>TLS 1.3 CertificateRequest (CR).</summary>
    CertificateRequest,
    /// <summary>TLS 1.3 NewSessionTicket (NST).</summary>
    NewSessionTicket,
    /// <summary>TLS 1.2 ServerHello.</summary>
    ServerHelloTls12,
}

/// <summary>
/// One extension. Subclasses are the typed extensions the engine negotiates; anything else is an
/// <see cref="UnknownExtension"/> that keeps its bytes and re-encodes unchanged.
/// </summary>
internal abstract class TlsExtension
{
    /// <summary>The extension's code point.</summary>
    public abstract ExtensionType Type { get; }

    /// <summary>Writes <c>extension_data</c> (without type and length).</summary>
    public abstract void WriteBody(TlsWriter writer);

    /// <summary>Encodes <c>extension_data</c> alone.</summary>
    public byte[] EncodeBody()
    {
        using var w = new TlsWriter();
        WriteBody(w);
        return w.ToArray();
    }

    /// <summary>Fails with <c>decode_error</c> unless <paramref name="body"/> is empty.</summary>
    internal static void ExpectEmpty(ReadOnlySpan<byte> body, string name)
    {
        if (!body.IsEmpty)
        {
            throw TlsAlertException.Decode($"{name}: extension_data must be empty, has {body.Length} byte(s)");
        }
    }
}

/// <summary>An extension kept as its code point and raw <c>extension_data</c>.</summary>
internal sealed class UnknownExtension : TlsExtension
{
    /// <summary>Creates an opaque extension.</summary>
    public UnknownExtension(ushort type, byte[] data)
    {
        RawType = type;
        Data = data;
    }

    /// <summary>The code point as a number.</summary>
    public ushort RawType { get; }

    /// <summary>The raw <c>extension_data</c>.</summary>
    public byte[] Data { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => (ExtensionType)RawType;

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteBytes(Data);
}

/// <summary>An extension whose <c>extension_data</c> is always empty (extended_master_secret, encrypt_then_mac, post_handshake_auth).</summary>
internal sealed class EmptyExtension : TlsExtension
{
    /// <summary>Creates the empty extension of type <paramref name="type"/>.</summary>
    public EmptyExtension(ExtensionType type) => Type = type;

    /// <inheritdoc/>
    public override ExtensionType Type { get; }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
    }
}
