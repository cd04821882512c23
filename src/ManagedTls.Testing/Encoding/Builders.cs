using ManagedTls.Wire;

namespace ManagedTls.Testing;

/// <summary>
/// A handshake message as an encoding tree: <c>msg_type</c> (uint8) and <c>body</c>, a vector with a 3-byte length
/// prefix (the header's uint24 length). The body is inline, so its fields are addressed directly
/// (<c>legacy_version</c>, <c>extensions.key_share</c>); <c>SetLength("body", n)</c> overrides the header's length.
/// Made by <see cref="TlsMessages"/>.
/// </summary>
public sealed class HandshakeBuilder : StructNode
{
    /// <summary>Creates a message of type <paramref name="type"/> whose body holds <paramref name="fields"/>.</summary>
    /// <param name="name">The message's RFC name (<c>client_hello</c>).</param>
    /// <param name="type">msg_type.</param>
    /// <param name="fields">The body's fields in order.</param>
    public HandshakeBuilder(string name, HandshakeType type, params TlsNode[] fields)
        : this(name, [new UIntNode("msg_type", 1, (byte)type), new VectorNode("body", 3, fields) { IsInline = true }])
    {
    }

    private HandshakeBuilder(string name, params TlsNode[] children)
        : base(name, children)
    {
    }

    /// <summary>msg_type as the enum (an unknown value shows as its number). Reads <c>msg_type</c>; setting writes it.</summary>
    public HandshakeType Type
    {
        get => TryGet("msg_type", out TlsNode? n) && n is UIntNode u ? (HandshakeType)(byte)u.Value : default;
        set => this.Set("msg_type", (ulong)value);
    }

    /// <summary>The body vector (the header's uint24 length is its prefix).</summary>
    public VectorNode Body => Get("body") as VectorNode ?? throw new InvalidOperationException("the message has no body vector");

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public override HandshakeBuilder Clone() => new(Name, CloneChildren().ToArray()) { IsInline = IsInline };

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Type}): {Hex.Format(Encode(), 64)}";
}

/// <summary>
/// An extension as an encoding tree: <c>extension_type</c> (uint16) and <c>extension_data</c>, a vector with a
/// 2-byte length prefix. extension_data is inline, so its fields are addressed directly (<c>server_name_list</c>).
/// The node's name is the extension's RFC name (<c>server_name</c>, <c>key_share</c>), which is how a message's
/// <c>extensions.server_name</c> finds it. Made by <see cref="TlsExtensions"/>.
/// </summary>
public sealed class ExtensionBuilder : StructNode
{
    /// <summary>Creates an extension.</summary>
    /// <param name="name">Its RFC name.</param>
    /// <param name="type">extension_type.</param>
    /// <param name="fields">extension_data's fields in order.</param>
    public ExtensionBuilder(string name, ExtensionType type, params TlsNode[] fields)
        : this(name, [new UIntNode("extension_type", 2, (ushort)type), new VectorNode("extension_data", 2, fields) { IsInline = true }])
    {
    }

    private ExtensionBuilder(string name, params TlsNode[] children)
        : base(name, children)
    {
    }

    /// <summary>extension_type as the enum.</summary>
    public ExtensionType Type
    {
        get => TryGet("extension_type", out TlsNode? n) && n is UIntNode u ? (ExtensionType)(ushort)u.Value : default;
        set => this.Set("extension_type", (ulong)value);
    }

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public override ExtensionBuilder Clone() => new(Name, CloneChildren().ToArray()) { IsInline = IsInline };

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Type}): {Hex.Format(Encode(), 64)}";
}

/// <summary>
/// A record as an encoding tree (RFC 8446 section 5.1): <c>type</c> (uint8), <c>legacy_record_version</c> (uint16)
/// and <c>fragment</c>, a vector with a 2-byte length prefix (the record's <c>length</c>; break it with
/// <c>SetLength("fragment", n)</c>). The fragment is inline: an alert's <c>level</c> and <c>description</c>, the
/// handshake messages of a handshake record, are addressed directly. Made by <see cref="TlsRecords"/>.
/// </summary>
public sealed class RecordBuilder : StructNode
{
    /// <summary>Creates a record.</summary>
    /// <param name="type">The content type.</param>
    /// <param name="legacyVersion">legacy_record_version.</param>
    /// <param name="content">The fragment's content nodes.</param>
    public RecordBuilder(ContentType type, ushort legacyVersion, params TlsNode[] content)
        : this("record", [new UIntNode("type", 1, (byte)type), new UIntNode("legacy_record_version", 2, legacyVersion), new VectorNode("fragment", 2, content) { IsInline = true }])
    {
    }

    private RecordBuilder(string name, params TlsNode[] children)
        : base(name, children)
    {
    }

    /// <summary>The content type.</summary>
    public ContentType ContentType
    {
        get => TryGet("type", out TlsNode? n) && n is UIntNode u ? (ContentType)(byte)u.Value : default;
        set => this.Set("type", (ulong)value);
    }

    /// <summary>The fragment vector.</summary>
    public VectorNode Fragment => Get("fragment") as VectorNode ?? throw new InvalidOperationException("the record has no fragment vector");

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public override RecordBuilder Clone() => new(Name, CloneChildren().ToArray()) { IsInline = IsInline };

    /// <inheritdoc/>
    public override string ToString() => $"record ({ContentType}): {Hex.Format(Encode(), 64)}";
}
