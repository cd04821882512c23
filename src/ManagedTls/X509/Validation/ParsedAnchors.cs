namespace ManagedTls.X509.Validation;

/// <summary>
/// The trust anchors of one <see cref="TrustStore"/>, parsed once and shared by every verification against that store
/// (decision 0032): the certificates that parsed, indexed by subject, and the identity of every anchor (well formed or
/// not, as a path search counts an anchor trusted by its bytes). Immutable once made; the <see cref="Cert"/>s in it are
/// read-only after parsing (their public key is decoded on first use and published whole).
/// </summary>
internal sealed class ParsedAnchors
{
    private ParsedAnchors(HashSet<string> keys, Dictionary<string, Cert[]> bySubject)
    {
        Keys = keys;
        BySubject = bySubject;
    }

    /// <summary>No anchors.</summary>
    public static ParsedAnchors Empty { get; } = new(new HashSet<string>(StringComparer.Ordinal), new Dictionary<string, Cert[]>(StringComparer.Ordinal));

    /// <summary>The identity (DER in hex) of every anchor.</summary>
    public HashSet<string> Keys { get; }

    /// <summary>The anchors that parsed, by subject name key, in the order given.</summary>
    public Dictionary<string, Cert[]> BySubject { get; }

    /// <summary>Parses <paramref name="anchors"/> (duplicates once, malformed ones only as identities).</summary>
    public static ParsedAnchors Parse(IReadOnlyList<byte[]> anchors)
    {
        if (anchors.Count == 0)
        {
            return Empty;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        var bySubject = new Dictionary<string, List<Cert>>(StringComparer.Ordinal);
        foreach (byte[] der in anchors)
        {
            if (!keys.Add(PathSearch.Key(der)))
            {
                continue;
            }

            Cert c = Cert.Parse(der);
            if (c.Fatal is null)
            {
                if (!bySubject.TryGetValue(c.SubjectKey, out List<Cert>? list))
                {
                    bySubject[c.SubjectKey] = list = [];
                }

                list.Add(c);
            }
        }

        return new ParsedAnchors(keys, bySubject.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal));
    }
}
