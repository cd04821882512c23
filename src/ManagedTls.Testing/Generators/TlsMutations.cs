using FsCheck;
using FsCheck.Fluent;

namespace ManagedTls.Testing;

/// <summary>The kinds of near-valid change <see cref="TlsMutations"/> makes.</summary>
public enum MutationKind
{
    /// <summary>A vector's length prefix one more than its content.</summary>
    LengthPlusOne,
    /// <summary>A vector's length prefix one less than its content.</summary>
    LengthMinusOne,
    /// <summary>A vector's length prefix zero.</summary>
    LengthZero,
    /// <summary>A vector's length prefix at its maximum.</summary>
    LengthMax,
    /// <summary>One integer field set to another value.</summary>
    IntegerChanged,
    /// <summary>One node removed.</summary>
    NodeDropped,
    /// <summary>One node duplicated in place.</summary>
    NodeDuplicated,
    /// <summary>One node moved among its siblings.</summary>
    NodeMoved,
    /// <summary>The encoding cut short.</summary>
    Truncated,
    /// <summary>Bytes appended to the encoding.</summary>
    TrailingBytes,
}

/// <summary>
/// Near-valid mutations of encoding trees, as FsCheck generators: a length prefix off by one, zero or at its maximum;
/// one integer changed; a node dropped, duplicated or moved; the encoding truncated or extended. Each result carries a
/// description of the change in the path syntax, so a failing case says exactly what was broken.
/// </summary>
public static class TlsMutations
{
    /// <summary>One mutation of <paramref name="valid"/> (left untouched: the mutation works on a copy).</summary>
    /// <param name="valid">A tree, usually valid.</param>
    /// <returns>The mutated encoding and what was done.</returns>
    public static Gen<(byte[] Bytes, string Mutation)> Mutate(TlsNode valid)
    {
        ArgumentNullException.ThrowIfNull(valid);
        return Gen.Elements(Enum.GetValues<MutationKind>()).SelectMany(kind => Mutate(valid, kind));
    }

    /// <summary>A mutation of <paramref name="valid"/> of the given kind (another kind when the tree has nothing it applies to).</summary>
    /// <param name="valid">A tree.</param>
    /// <param name="kind">The kind of change.</param>
    /// <returns>The mutated encoding and what was done.</returns>
    public static Gen<(byte[] Bytes, string Mutation)> Mutate(TlsNode valid, MutationKind kind)
    {
        ArgumentNullException.ThrowIfNull(valid);
        List<(TlsNode Node, ContainerNode? Parent, string Path)> nodes = Walk(valid);
        int[] vectors = Indexes(nodes, n => n.Node is VectorNode v && kind switch
        {
            MutationKind.LengthMinusOne or MutationKind.LengthZero => v.ContentLength > 0,
            _ => v.ContentLength < v.MaxLength,
        });
        int[] ints = Indexes(nodes, n => n.Node is UIntNode);
        int[] children = Indexes(nodes, n => n.Parent is not null && n.Node.EncodedLength > 0);
        int[] movable = Indexes(nodes, n => n.Parent is { Children.Count: > 1 });
        byte[] encoded = valid.Encode();
        switch (kind)
        {
            case MutationKind.LengthPlusOne or MutationKind.LengthMinusOne or MutationKind.LengthZero or MutationKind.LengthMax when vectors.Length > 0:
                return Gen.Elements(vectors).Select(i =>
                {
                    TlsNode copy = valid.Clone();
                    var v = (VectorNode)Walk(copy)[i].Node;
                    long length = kind switch
                    {
                        MutationKind.LengthPlusOne => Math.Min(v.ContentLength + 1, v.MaxLength),
                        MutationKind.LengthMinusOne => Math.Max(v.ContentLength - 1, 0),
                        MutationKind.LengthZero => 0,
                        _ => v.MaxLength,
                    };
                    v.LengthOverride = length;
                    return (copy.Encode(), $"SetLength(\"{nodes[i].Path}\", {length}) (content is {v.ContentLength})");
                });
            case MutationKind.IntegerChanged when ints.Length > 0:
                return Gen.Elements(ints).SelectMany(i => TlsGen.UInt32.SelectMany(a => TlsGen.UInt32, (a, b) => ((ulong)a << 32) | b).Select(raw =>
                {
                    TlsNode copy = valid.Clone();
                    var u = (UIntNode)Walk(copy)[i].Node;
                    ulong value = u.Size == 8 ? raw : raw % (u.MaxValue + 1);
                    if (value == u.Value)
                    {
                        value = (value + 1) & u.MaxValue;
                    }

                    u.Value = value;
                    return (copy.Encode(), $"Set(\"{nodes[i].Path}\", 0x{value:x})");
                }));
            case MutationKind.NodeDropped when children.Length > 0:
                return Gen.Elements(children).Select(i =>
                {
                    TlsNode copy = valid.Clone();
                    (TlsNode node, ContainerNode? parent, _) = Walk(copy)[i];
                    parent!.Children.Remove(node);
                    return (copy.Encode(), $"Remove(\"{nodes[i].Path}\")");
                });
            case MutationKind.NodeDuplicated when children.Length > 0:
                return Gen.Elements(children).Select(i =>
                {
                    TlsNode copy = valid.Clone();
                    (TlsNode node, ContainerNode? parent, _) = Walk(copy)[i];
                    parent!.Children.Insert(parent.Children.IndexOf(node) + 1, node.Clone());
                    return (copy.Encode(), $"Duplicate(\"{nodes[i].Path}\")");
                });
            case MutationKind.NodeMoved when movable.Length > 0:
                return Gen.Elements(movable).SelectMany(i => Gen.Choose(0, nodes[i].Parent!.Children.Count - 2).Select(pick =>
                {
                    TlsNode copy = valid.Clone();
                    (TlsNode node, ContainerNode? parent, _) = Walk(copy)[i];
                    int from = parent!.Children.IndexOf(node);
                    int to = pick >= from ? pick + 1 : pick;
                    parent.Children.RemoveAt(from);
                    parent.Children.Insert(to, node);
                    return (copy.Encode(), $"Move(\"{nodes[i].Path}\", {to})");
                }));
            case MutationKind.Truncated when encoded.Length > 0:
                return Gen.Choose(0, encoded.Length - 1).Select(n => (encoded[..n], $"truncated to {n} of {encoded.Length} bytes"));
            case MutationKind.TrailingBytes:
                return TlsGen.Bytes(1, 4).Select(extra => ((byte[])[.. encoded, .. extra], $"{extra.Length} trailing byte(s) {Hex.Format(extra)}"));
            default:
                return Mutate(valid, MutationKind.TrailingBytes);
        }
    }

    /// <summary>Every node below and including <paramref name="root"/>, depth first, with its parent and a path that finds it.</summary>
    internal static List<(TlsNode Node, ContainerNode? Parent, string Path)> Walk(TlsNode root)
    {
        var list = new List<(TlsNode, ContainerNode?, string)> { (root, null, "") };
        Visit(root, "", list);
        return list;
    }

    private static void Visit(TlsNode node, string path, List<(TlsNode, ContainerNode?, string)> list)
    {
        if (node is not ContainerNode container)
        {
            return;
        }

        for (int i = 0; i < container.Children.Count; i++)
        {
            TlsNode child = container.Children[i];
            bool first = container.Children.IndexOf(container.Children.First(c => c.Name == child.Name)) == i;
            string childPath = first
                ? (path.Length == 0 ? child.Name : $"{path}.{child.Name}")
                : $"{path}[{i}]";
            list.Add((child, container, childPath));
            Visit(child, childPath, list);
        }
    }

    private static int[] Indexes(List<(TlsNode Node, ContainerNode? Parent, string Path)> nodes, Func<(TlsNode Node, ContainerNode? Parent, string Path), bool> match) =>
        Enumerable.Range(0, nodes.Count).Where(i => match(nodes[i])).ToArray();
}
