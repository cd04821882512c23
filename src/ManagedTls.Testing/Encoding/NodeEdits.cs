namespace ManagedTls.Testing;

/// <summary>
/// Path-based edits of an encoding tree. Each edits the tree in place and returns the node it was called on, so a
/// broken message is one chained expression:
/// <code>
/// byte[] hello = TlsMessages.ClientHello().Set("legacy_version", 0x0300).SetLength("cipher_suites", 3).Encode();
/// </code>
/// Paths are described on <see cref="TlsNode.Get"/> and in the package README: dot-separated names, <c>[i]</c>
/// indexes, names found inside inline nodes (a message's <c>body</c>, an extension's <c>extension_data</c>).
/// Every edit throws <see cref="ArgumentException"/> when the path leads nowhere.
/// </summary>
public static class NodeEdits
{
    /// <summary>Sets the integer field at <paramref name="path"/>.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">Path to a <see cref="UIntNode"/>.</param>
    /// <param name="value">The value; must fit the field (use <see cref="Replace"/> to change its size).</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Set<T>(this T node, string path, ulong value)
        where T : TlsNode
    {
        Int(node, path).Value = value;
        return node;
    }

    /// <summary>Sets the integer field at <paramref name="path"/>.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">Path to a <see cref="UIntNode"/>.</param>
    /// <param name="value">The value: not negative, and fitting the field.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Set<T>(this T node, string path, long value)
        where T : TlsNode
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "integer fields are unsigned");
        }

        return node.Set(path, (ulong)value);
    }

    /// <summary>Sets the integer field at <paramref name="path"/> to an enum's value (<c>HandshakeType</c>, <c>NamedGroup</c>...).</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">Path to a <see cref="UIntNode"/>.</param>
    /// <param name="value">The enum value.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Set<T>(this T node, string path, Enum value)
        where T : TlsNode =>
        node.Set(path, Convert.ToUInt64(value ?? throw new ArgumentNullException(nameof(value)), System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Replaces the content at <paramref name="path"/> with raw bytes: a vector keeps its (recomputed) length prefix and
    /// holds the bytes as its content; a raw field takes the new bytes; any other node is replaced by a raw field of the
    /// same name (so an integer can become three bytes).
    /// </summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">A path.</param>
    /// <param name="bytes">The bytes.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T SetBytes<T>(this T node, string path, ReadOnlySpan<byte> bytes)
        where T : TlsNode
    {
        NodeLocation at = NodePath.Resolve(node, path);
        switch (at.Node)
        {
            case VectorNode v:
                v.Children.Clear();
                v.Children.Add(new BytesNode("data", bytes));
                break;
            case BytesNode b:
                b.Value = bytes.ToArray();
                break;
            default:
                Parent(at, path).Children[at.Index] = new BytesNode(at.Node.Name, bytes);
                break;
        }

        return node;
    }

    /// <summary>Overrides the length prefix of the vector at <paramref name="path"/> (the content is unchanged).</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">Path to a <see cref="VectorNode"/> (<c>body</c> for a handshake message's uint24 length).</param>
    /// <param name="length">The length to write: 0 up to the prefix's maximum.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T SetLength<T>(this T node, string path, long length)
        where T : TlsNode
    {
        Vector(node, path).LengthOverride = length;
        return node;
    }

    /// <summary>Moves the length prefix of the vector at <paramref name="path"/> by <paramref name="delta"/> from its content's real length.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">Path to a <see cref="VectorNode"/>.</param>
    /// <param name="delta">How much to add (may be negative).</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T AdjustLength<T>(this T node, string path, long delta)
        where T : TlsNode
    {
        VectorNode v = Vector(node, path);
        v.LengthOverride = v.ContentLength + delta;
        return node;
    }

    /// <summary>Drops a length override: the vector's prefix is computed from its content again.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">Path to a <see cref="VectorNode"/>.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T ResetLength<T>(this T node, string path)
        where T : TlsNode
    {
        Vector(node, path).LengthOverride = null;
        return node;
    }

    /// <summary>Removes the node at <paramref name="path"/>.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">A path (not empty).</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Remove<T>(this T node, string path)
        where T : TlsNode
    {
        NodeLocation at = NodePath.Resolve(node, path);
        Parent(at, path).Children.RemoveAt(at.Index);
        return node;
    }

    /// <summary>Replaces the node at <paramref name="path"/> by <paramref name="replacement"/>.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">A path (not empty).</param>
    /// <param name="replacement">The new node (inserted as is, not copied).</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Replace<T>(this T node, string path, TlsNode replacement)
        where T : TlsNode
    {
        NodeLocation at = NodePath.Resolve(node, path);
        Parent(at, path).Children[at.Index] = replacement ?? throw new ArgumentNullException(nameof(replacement));
        return node;
    }

    /// <summary>Inserts <paramref name="newNode"/> just before the node at <paramref name="path"/>.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">A path (not empty).</param>
    /// <param name="newNode">The node to insert.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T InsertBefore<T>(this T node, string path, TlsNode newNode)
        where T : TlsNode
    {
        NodeLocation at = NodePath.Resolve(node, path);
        Parent(at, path).Children.Insert(at.Index, newNode ?? throw new ArgumentNullException(nameof(newNode)));
        return node;
    }

    /// <summary>Inserts <paramref name="newNode"/> just after the node at <paramref name="path"/>.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">A path (not empty).</param>
    /// <param name="newNode">The node to insert.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T InsertAfter<T>(this T node, string path, TlsNode newNode)
        where T : TlsNode
    {
        NodeLocation at = NodePath.Resolve(node, path);
        Parent(at, path).Children.Insert(at.Index + 1, newNode ?? throw new ArgumentNullException(nameof(newNode)));
        return node;
    }

    /// <summary>Appends <paramref name="newNode"/> as the last child of the container at <paramref name="path"/>.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">Path to a container (<c>extensions</c>, <c>cipher_suites</c>...).</param>
    /// <param name="newNode">The node to append.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Append<T>(this T node, string path, TlsNode newNode)
        where T : TlsNode
    {
        Container(node, path).Children.Add(newNode ?? throw new ArgumentNullException(nameof(newNode)));
        return node;
    }

    /// <summary>Inserts <paramref name="newNode"/> as the first child of the container at <paramref name="path"/>.</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">Path to a container.</param>
    /// <param name="newNode">The node to insert.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Prepend<T>(this T node, string path, TlsNode newNode)
        where T : TlsNode
    {
        Container(node, path).Children.Insert(0, newNode ?? throw new ArgumentNullException(nameof(newNode)));
        return node;
    }

    /// <summary>Inserts a deep copy of the node at <paramref name="path"/> right after it (a duplicated extension, suite, entry...).</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">A path (not empty).</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Duplicate<T>(this T node, string path)
        where T : TlsNode
    {
        NodeLocation at = NodePath.Resolve(node, path);
        Parent(at, path).Children.Insert(at.Index + 1, at.Node.Clone());
        return node;
    }

    /// <summary>Moves the node at <paramref name="path"/> to position <paramref name="newIndex"/> among its siblings (reorders extensions).</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">A path (not empty).</param>
    /// <param name="newIndex">The new position, counted after removal; negative counts from the end (-1 = last).</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Move<T>(this T node, string path, int newIndex)
        where T : TlsNode
    {
        NodeLocation at = NodePath.Resolve(node, path);
        ContainerNode parent = Parent(at, path);
        parent.Children.RemoveAt(at.Index);
        int count = parent.Children.Count;
        int i = newIndex < 0 ? count + 1 + newIndex : newIndex;
        if (i < 0 || i > count)
        {
            parent.Children.Insert(at.Index, at.Node);
            throw new ArgumentOutOfRangeException(nameof(newIndex), newIndex, $"{parent.Name} has {count + 1} children");
        }

        parent.Children.Insert(i, at.Node);
        return node;
    }

    /// <summary>Runs <paramref name="edit"/> on the node at <paramref name="path"/> (an extension inside a message, say).</summary>
    /// <typeparam name="T">The node type, returned for chaining.</typeparam>
    /// <param name="node">The tree.</param>
    /// <param name="path">A path.</param>
    /// <param name="edit">What to do with the node found.</param>
    /// <returns><paramref name="node"/>.</returns>
    public static T Edit<T>(this T node, string path, Action<TlsNode> edit)
        where T : TlsNode
    {
        (edit ?? throw new ArgumentNullException(nameof(edit)))(node.Get(path));
        return node;
    }

    private static UIntNode Int(TlsNode node, string path) => node.Get(path) as UIntNode
        ?? throw new ArgumentException($"'{path}' is not an integer field", nameof(path));

    private static VectorNode Vector(TlsNode node, string path) => node.Get(path) as VectorNode
        ?? throw new ArgumentException($"'{path}' is not a length-prefixed vector", nameof(path));

    private static ContainerNode Container(TlsNode node, string path) => node.Get(path) as ContainerNode
        ?? throw new ArgumentException($"'{path}' is not a struct or vector", nameof(path));

    private static ContainerNode Parent(NodeLocation at, string path) => at.Parent
        ?? throw new ArgumentException($"'{path}' is the root: it has no parent to edit", nameof(path));
}
