using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace ManagedTls.Testing;

/// <summary>A node with ordered children: a <see cref="StructNode"/> or a <see cref="VectorNode"/>.</summary>
public abstract class ContainerNode : TlsNode
{
    private readonly ChildList _children;

    /// <summary>Creates a container.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="children">The children, in encoding order.</param>
    protected ContainerNode(string name, IEnumerable<TlsNode> children)
        : base(name)
    {
        _children = new ChildList(children ?? throw new ArgumentNullException(nameof(children)));
    }

    /// <summary>The children in encoding order; add, remove and reorder freely (null entries are refused).</summary>
    public IList<TlsNode> Children => _children;

    /// <summary>
    /// True when paths may skip this node's name: a name that matches no child of the parent is also looked for among
    /// this node's children. Set on a handshake message's <c>body</c> and an extension's <c>extension_data</c>, so
    /// <c>legacy_version</c> reaches <c>body.legacy_version</c>.
    /// </summary>
    public bool IsInline { get; set; }

    /// <summary>The encoding of the children alone (a vector's content, without its length prefix).</summary>
    /// <returns>A new array.</returns>
    public byte[] EncodeContent()
    {
        var w = new NodeWriter();
        WriteChildren(w);
        return w.ToArray();
    }

    internal void WriteChildren(NodeWriter writer)
    {
        foreach (TlsNode child in _children)
        {
            child.Write(writer);
        }
    }

    internal void DumpChildren(StringBuilder sb, int depth)
    {
        foreach (TlsNode child in _children)
        {
            child.Dump(sb, depth);
        }
    }

    internal IEnumerable<TlsNode> CloneChildren() => _children.Select(c => c.Clone());

    private sealed class ChildList(IEnumerable<TlsNode> items) : Collection<TlsNode>(items.ToList())
    {
        protected override void InsertItem(int index, TlsNode item) =>
            base.InsertItem(index, item ?? throw new ArgumentNullException(nameof(item)));

        protected override void SetItem(int index, TlsNode item) =>
            base.SetItem(index, item ?? throw new ArgumentNullException(nameof(item)));
    }
}

/// <summary>A plain sequence of fields (a <c>struct</c> in the RFC's presentation language): no length of its own.</summary>
public class StructNode : ContainerNode
{
    /// <summary>Creates a struct.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="children">Its fields, in order.</param>
    public StructNode(string name, params TlsNode[] children)
        : base(name, children)
    {
    }

    /// <summary>Creates a struct.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="children">Its fields, in order.</param>
    public StructNode(string name, IEnumerable<TlsNode> children)
        : base(name, children)
    {
    }

    /// <inheritdoc/>
    public override StructNode Clone() => new(Name, CloneChildren()) { IsInline = IsInline };

    internal override void Write(NodeWriter writer)
    {
        writer.Enter(this);
        WriteChildren(writer);
        writer.Leave(this);
    }

    internal override void Dump(StringBuilder sb, int depth)
    {
        sb.Append(' ', 2 * depth).Append(Name).Append(" {\n");
        DumpChildren(sb, depth + 1);
        sb.Append(' ', 2 * depth).Append("}\n");
    }
}

/// <summary>
/// A vector: a length prefix of 1, 2 or 3 bytes followed by its children's encoding (<c>opaque x&lt;0..2^16-1&gt;</c>,
/// <c>CipherSuite cipher_suites&lt;2..2^16-2&gt;</c>, <c>Extension extensions&lt;8..2^16-1&gt;</c>...). The prefix is
/// the content length unless <see cref="LengthOverride"/> is set.
/// </summary>
public sealed class VectorNode : ContainerNode
{
    private long? _lengthOverride;

    /// <summary>Creates a vector.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="prefixSize">Size of the length prefix in bytes: 1, 2 or 3.</param>
    /// <param name="children">Its content, in order.</param>
    public VectorNode(string name, int prefixSize, params TlsNode[] children)
        : this(name, prefixSize, (IEnumerable<TlsNode>)children)
    {
    }

    /// <summary>Creates a vector.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="prefixSize">Size of the length prefix in bytes: 1, 2 or 3.</param>
    /// <param name="children">Its content, in order.</param>
    public VectorNode(string name, int prefixSize, IEnumerable<TlsNode> children)
        : base(name, children)
    {
        if (prefixSize is not (1 or 2 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(prefixSize), prefixSize, "a length prefix is 1, 2 or 3 bytes");
        }

        PrefixSize = prefixSize;
    }

    /// <summary>An opaque vector holding <paramref name="data"/> as one <see cref="BytesNode"/> named <c>data</c>.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="prefixSize">Size of the length prefix: 1, 2 or 3.</param>
    /// <param name="data">The content.</param>
    /// <returns>The vector.</returns>
    public static VectorNode Opaque(string name, int prefixSize, ReadOnlySpan<byte> data) =>
        new(name, prefixSize, new BytesNode("data", data));

    /// <summary>Size of the length prefix in bytes.</summary>
    public int PrefixSize { get; }

    /// <summary>The largest length the prefix can carry.</summary>
    public long MaxLength => (1L << (8 * PrefixSize)) - 1;

    /// <summary>
    /// The length written in the prefix instead of the content's real length, or null to compute it. Must fit the
    /// prefix (0 .. <see cref="MaxLength"/>).
    /// </summary>
    public long? LengthOverride
    {
        get => _lengthOverride;
        set => _lengthOverride = value is null || (value >= 0 && value <= MaxLength)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"{Name} has a {PrefixSize}-byte length prefix (0..{MaxLength})");
    }

    /// <summary>The real length of the content in bytes.</summary>
    public int ContentLength
    {
        get
        {
            var w = new NodeWriter();
            WriteChildren(w);
            return w.Length;
        }
    }

    /// <inheritdoc/>
    public override VectorNode Clone() =>
        new(Name, PrefixSize, CloneChildren()) { IsInline = IsInline, LengthOverride = LengthOverride };

    internal override void Write(NodeWriter writer)
    {
        writer.Enter(this);
        int prefixAt = writer.Length;
        writer.WriteUInt(0, PrefixSize);
        WriteChildren(writer);
        long length = _lengthOverride ?? (writer.Length - prefixAt - PrefixSize);
        if (_lengthOverride is null && length > MaxLength)
        {
            throw new InvalidOperationException($"{Name}: content of {length} bytes does not fit a {PrefixSize}-byte length prefix; set LengthOverride to write one anyway");
        }

        writer.PatchUInt(prefixAt, (ulong)length, PrefixSize);
        writer.Leave(this);
    }

    internal override void Dump(StringBuilder sb, int depth)
    {
        sb.Append(' ', 2 * depth).Append(Name).Append(" <").Append(PrefixSize.ToString(CultureInfo.InvariantCulture)).Append("-byte length");
        if (_lengthOverride is long o)
        {
            sb.Append(" = ").Append(o.ToString(CultureInfo.InvariantCulture)).Append(" (overridden)");
        }

        sb.Append("> {\n");
        DumpChildren(sb, depth + 1);
        sb.Append(' ', 2 * depth).Append("}\n");
    }
}

/// <summary>A growable output buffer that can note where one target node starts and ends.</summary>
internal sealed class NodeWriter(TlsNode? target = null)
{
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    public int TargetStart { get; private set; } = -1;

    public int TargetEnd { get; private set; } = -1;

    public void Enter(TlsNode node)
    {
        if (ReferenceEquals(node, target) && TargetStart < 0)
        {
            TargetStart = Length;
        }
    }

    public void Leave(TlsNode node)
    {
        if (ReferenceEquals(node, target) && TargetEnd < 0)
        {
            TargetEnd = Length;
        }
    }

    public void WriteUInt(ulong value, int size)
    {
        Ensure(size);
        PatchUInt(Length, value, size);
        Length += size;
    }

    public void PatchUInt(int offset, ulong value, int size)
    {
        for (int i = size - 1; i >= 0; i--)
        {
            _buffer[offset + i] = (byte)value;
            value >>= 8;
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> data)
    {
        Ensure(data.Length);
        data.CopyTo(_buffer.AsSpan(Length));
        Length += data.Length;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    private void Ensure(int extra)
    {
        if (Length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + extra));
        }
    }
}
