using System.Globalization;

namespace ManagedTls.Testing;

/// <summary>Where a path led: the node and, unless it is the root, its parent and index there.</summary>
internal readonly record struct NodeLocation(TlsNode Node, ContainerNode? Parent, int Index);

/// <summary>
/// Path syntax: segments separated by dots; a segment is a child's name, optionally followed by indexes in brackets,
/// or indexes alone. <c>name</c> selects the first child with that name, also looking inside inline children
/// (<see cref="ContainerNode.IsInline"/>: a message's <c>body</c>, an extension's <c>extension_data</c>);
/// <c>[i]</c> selects the i-th child (0-based; negative counts from the end). The empty path is the node itself.
/// Examples: <c>legacy_version</c>, <c>cipher_suites[0]</c>, <c>extensions.server_name.extension_data</c>,
/// <c>extensions[2].extension_type</c>, <c>extensions.key_share.client_shares[-1].key_exchange</c>.
/// </summary>
internal static class NodePath
{
    public static NodeLocation Resolve(TlsNode root, string path)
    {
        if (!TryResolve(root, path, out NodeLocation location, out string? error))
        {
            throw new ArgumentException(error, nameof(path));
        }

        return location;
    }

    public static bool TryResolve(TlsNode root, string path, out NodeLocation location, out string? error)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        location = new NodeLocation(root, null, -1);
        error = null;
        if (path.Length == 0)
        {
            return true;
        }

        foreach (string segment in path.Split('.'))
        {
            if (!ParseSegment(segment, out string name, out List<int> indexes))
            {
                error = $"malformed path '{path}' at '{segment}'";
                return false;
            }

            if (name.Length > 0)
            {
                if (location.Node is not ContainerNode container)
                {
                    error = $"'{path}': {location.Node.Name} has no children (looking for '{name}')";
                    return false;
                }

                if (!FindByName(container, name, out location))
                {
                    error = $"'{path}': no '{name}' in {container.Name} (children: {string.Join(", ", container.Children.Select(c => c.Name))})";
                    return false;
                }
            }

            foreach (int index in indexes)
            {
                if (location.Node is not ContainerNode container)
                {
                    error = $"'{path}': {location.Node.Name} has no children (index [{index}])";
                    return false;
                }

                int i = index < 0 ? container.Children.Count + index : index;
                if (i < 0 || i >= container.Children.Count)
                {
                    error = $"'{path}': index [{index}] outside {container.Name}'s {container.Children.Count} children";
                    return false;
                }

                location = new NodeLocation(container.Children[i], container, i);
            }
        }

        return true;
    }

    private static bool FindByName(ContainerNode container, string name, out NodeLocation location)
    {
        for (int i = 0; i < container.Children.Count; i++)
        {
            if (container.Children[i].Name == name)
            {
                location = new NodeLocation(container.Children[i], container, i);
                return true;
            }
        }

        foreach (TlsNode child in container.Children)
        {
            if (child is ContainerNode { IsInline: true } inline && FindByName(inline, name, out location))
            {
                return true;
            }
        }

        location = default;
        return false;
    }

    private static bool ParseSegment(string segment, out string name, out List<int> indexes)
    {
        indexes = [];
        int bracket = segment.IndexOf('[');
        name = bracket < 0 ? segment : segment.Substring(0, bracket);
        if (bracket < 0)
        {
            return name.Length > 0;
        }

        string rest = segment.Substring(bracket);
        while (rest.Length > 0)
        {
            int close = rest.IndexOf(']');
            if (rest[0] != '[' || close < 2
                || !int.TryParse(rest.AsSpan(1, close - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index))
            {
                return false;
            }

            indexes.Add(index);
            rest = rest.Substring(close + 1);
        }

        return true;
    }
}
