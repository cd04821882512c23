using System.Globalization;
using System.Text;

namespace ManagedTls.Testing;

/// <summary>
/// One node of an encoding tree: an unsigned integer (<see cref="UIntNode"/>), raw bytes (<see cref="BytesNode"/>),
/// a length-prefixed vector (<see cref="VectorNode"/>) or a plain sequence of fields (<see cref="StructNode"/>).
/// Every node carries the field name the RFC gives it (<c>legacy_version</c>, <c>cipher_suites</c>,
/// <c>extension_data</c>...). A tree encodes to exactly the bytes its nodes say, with vector length prefixes computed
/// from their content unless overridden, so any malformed encoding is one edit of a valid tree away.
/// </summary>
/// <remarks>
/// <para>Nodes are addressed by path. Segments are separated by dots; a segment is a child's name, optionally followed
/// by indexes in brackets, or indexes alone. A name selects the first child with that name and is also looked for
/// inside inline children (<see cref="ContainerNode.IsInline"/>: a message's <c>body</c>, an extension's
/// <c>extension_data</c>, a record's <c>fragment</c>); <c>[i]</c> selects the i-th child, counting from 0, or from the
/// end when negative. The empty path is the node itself. Examples: <c>legacy_version</c>, <c>cipher_suites[0]</c>,
/// <c>extensions.server_name.extension_data</c>, <c>extensions[2].extension_type</c>,
/// <c>extensions.key_share.client_shares[-1].key_exchange</c>.</para>
/// <para>The edits (<c>Set</c>, <c>SetLength</c>, <c>Remove</c>, <c>Duplicate</c>...) are extension methods in
/// <see cref="NodeEdits"/> that return the node they were called on, so edits chain. Nodes are mutable;
/// <see cref="Clone"/> makes an independent deep copy.</para>
/// </remarks>
public abstract class TlsNode
{
    private string _name;

    /// <summary>Creates a node named <paramref name="name"/>.</summary>
    /// <param name="name">The field name (an RFC name such as <c>legacy_version</c>).</param>
    protected TlsNode(string name)
    {
        _name = CheckName(name);
    }

    /// <summary>The field name (an RFC name such as <c>legacy_version</c>); paths select children by it.</summary>
    public string Name
    {
        get => _name;
        set => _name = CheckName(value);
    }

    /// <summary>The number of bytes <see cref="Encode"/> produces.</summary>
    public int EncodedLength
    {
        get
        {
            var w = new NodeWriter();
            Write(w);
            return w.Length;
        }
    }

    /// <summary>The bytes this node stands for, length prefixes included.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode()
    {
        var w = new NodeWriter();
        Write(w);
        return w.ToArray();
    }

    /// <summary>A deep copy: editing the copy never changes this node.</summary>
    /// <returns>The copy.</returns>
    public abstract TlsNode Clone();

    /// <summary>The node at <paramref name="path"/> below this one (the empty path is this node; syntax in the class remarks).</summary>
    /// <param name="path">A path such as <c>extensions.key_share.client_shares[0].key_exchange</c>.</param>
    /// <returns>The node.</returns>
    /// <exception cref="ArgumentException">No node is at <paramref name="path"/>, or the path is malformed.</exception>
    public TlsNode Get(string path) => NodePath.Resolve(this, path).Node;

    /// <summary>Looks up the node at <paramref name="path"/> without throwing when it is absent.</summary>
    /// <param name="path">A path.</param>
    /// <param name="node">The node, or null.</param>
    /// <returns>True when a node is at <paramref name="path"/>.</returns>
    public bool TryGet(string path, out TlsNode? node)
    {
        if (NodePath.TryResolve(this, path, out NodeLocation location, out _))
        {
            node = location.Node;
            return true;
        }

        node = null;
        return false;
    }

    /// <summary>True when a node is at <paramref name="path"/>.</summary>
    /// <param name="path">A path.</param>
    /// <returns>Whether it exists.</returns>
    public bool Has(string path) => TryGet(path, out _);

    /// <summary>The value of the integer node at <paramref name="path"/>.</summary>
    /// <param name="path">A path to a <see cref="UIntNode"/>.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">No integer node is at <paramref name="path"/>.</exception>
    public ulong GetInt(string path) => Get(path) is UIntNode u
        ? u.Value
        : throw new ArgumentException($"'{path}' is not an integer field", nameof(path));

    /// <summary>
    /// The content of the node at <paramref name="path"/>: a vector's content without its length prefix, any other
    /// node's whole encoding.
    /// </summary>
    /// <param name="path">A path.</param>
    /// <returns>A new array.</returns>
    public byte[] GetBytes(string path)
    {
        TlsNode node = Get(path);
        return node is VectorNode v ? v.EncodeContent() : node.Encode();
    }

    /// <summary>Where, in this node's encoding, the node at <paramref name="path"/> starts and how long it is.</summary>
    /// <param name="path">A path.</param>
    /// <returns>The offset and length in bytes.</returns>
    public (int Offset, int Length) Locate(string path)
    {
        TlsNode target = Get(path);
        var w = new NodeWriter(target);
        Write(w);
        return (w.TargetStart, w.TargetEnd - w.TargetStart);
    }

    /// <summary>An indented listing of the tree: names, sizes, values and length overrides.</summary>
    /// <returns>The listing.</returns>
    public string Dump()
    {
        var sb = new StringBuilder();
        Dump(sb, 0);
        return sb.ToString();
    }

    /// <summary>The name and the encoding in hex (first 64 bytes).</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() => $"{Name}: {Hex.Format(Encode(), 64)}";

    internal abstract void Write(NodeWriter writer);

    internal abstract void Dump(StringBuilder sb, int depth);

    private static string CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.IndexOfAny(['.', '[', ']']) >= 0)
        {
            throw new ArgumentException($"a node name is not empty and has no '.', '[' or ']': '{name}'", nameof(name));
        }

        return name;
    }
}

/// <summary>An unsigned big-endian integer of 1, 2, 3, 4 or 8 bytes (<c>uint8</c> ... <c>uint64</c>).</summary>
public sealed class UIntNode : TlsNode
{
    private ulong _value;

    /// <summary>Creates an integer field.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="size">Its size in bytes: 1, 2, 3, 4 or 8.</param>
    /// <param name="value">Its value; must fit <paramref name="size"/> bytes.</param>
    public UIntNode(string name, int size, ulong value)
        : base(name)
    {
        if (size is not (1 or 2 or 3 or 4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "an integer is 1, 2, 3, 4 or 8 bytes");
        }

        Size = size;
        Value = value;
    }

    /// <summary>Size in bytes.</summary>
    public int Size { get; }

    /// <summary>The largest value that fits.</summary>
    public ulong MaxValue => Size == 8 ? ulong.MaxValue : (1UL << (8 * Size)) - 1;

    /// <summary>The value; setting one that does not fit <see cref="Size"/> bytes throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public ulong Value
    {
        get => _value;
        set => _value = value <= MaxValue
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"{Name} is a {Size}-byte integer (at most {MaxValue})");
    }

    /// <inheritdoc/>
    public override UIntNode Clone() => new(Name, Size, Value);

    internal override void Write(NodeWriter writer)
    {
        writer.Enter(this);
        writer.WriteUInt(Value, Size);
        writer.Leave(this);
    }

    internal override void Dump(StringBuilder sb, int depth) =>
        sb.Append(' ', 2 * depth).Append(Name).Append(" uint").Append(8 * Size).Append(" = 0x")
            .Append(Value.ToString("x" + (2 * Size).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).Append('\n');
}

/// <summary>Raw bytes written as they are (<c>opaque random[32]</c>, a vector's content, a broken field).</summary>
public sealed class BytesNode : TlsNode
{
    private byte[] _value;

    /// <summary>Creates a raw field.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The bytes (copied).</param>
    public BytesNode(string name, ReadOnlySpan<byte> value)
        : base(name)
    {
        _value = value.ToArray();
    }

    /// <summary>The bytes (a copy; set replaces them with a copy).</summary>
    public byte[] Value
    {
        get => (byte[])_value.Clone();
        set => _value = (value ?? throw new ArgumentNullException(nameof(value))).ToArray();
    }

    /// <summary>How many bytes.</summary>
    public int Length => _value.Length;

    /// <inheritdoc/>
    public override BytesNode Clone() => new(Name, _value);

    internal override void Write(NodeWriter writer)
    {
        writer.Enter(this);
        writer.WriteBytes(_value);
        writer.Leave(this);
    }

    internal override void Dump(StringBuilder sb, int depth) =>
        sb.Append(' ', 2 * depth).Append(Name).Append(" opaque[").Append(_value.Length.ToString(CultureInfo.InvariantCulture))
            .Append("] = ").Append(Hex.Format(_value, 32)).Append('\n');
}

/// <summary>Hex formatting for descriptions and failure messages.</summary>
internal static class Hex
{
    /// <summary>Lower-case hex of at most <paramref name="max"/> bytes, with the total length when truncated.</summary>
    public static string Format(ReadOnlySpan<byte> data, int max = 48)
    {
        var sb = new StringBuilder();
        int n = Math.Min(data.Length, max);
        for (int i = 0; i < n; i++)
        {
            sb.Append(data[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        if (data.Length > max)
        {
            sb.Append("... (").Append(data.Length.ToString(CultureInfo.InvariantCulture)).Append(" bytes)");
        }

        return sb.Length == 0 ? "(empty)" : sb.ToString();
    }
}
