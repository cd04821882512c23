namespace ManagedTls.X509.Validation;

/// <summary>
/// The certificates parsed most recently, process-wide (decision 0032): a server presents the same chain to every
/// client, and a client reconnecting to a server is shown the same certificates again, so the verifier and the
/// handshake's leaf-key lookup take the parsed <see cref="Cert"/> from here instead of parsing the DER again (a P-256
/// leaf costs about 25 KB and tens of microseconds to parse). Only the parse is shared: every verification still
/// checks every signature, validity period, name and extension itself.
/// <para>
/// A fixed ring of <see cref="Capacity"/> entries, matched by the whole DER (length first), without locks: entries are
/// immutable pairs published with a volatile write, so a reader sees a whole entry or the one it replaced. A
/// <see cref="Cert"/> is read-only once parsed (its key is decoded on first use and published whole), so one can serve
/// many connections on many threads. Certificates that do not parse are not kept.
/// </para>
/// </summary>
internal static class ParsedCertCache
{
    /// <summary>How many parsed certificates are kept.</summary>
    public const int Capacity = 32;

    private static readonly Entry?[] Entries = new Entry?[Capacity];
    private static int s_next;

    /// <summary>The parsed certificate for <paramref name="der"/>: the kept one when the same bytes were parsed recently.</summary>
    public static Cert Parse(byte[] der)
    {
        if (Find(der) is { } cached)
        {
            return cached;
        }

        Cert parsed = Cert.Parse(der);
        if (parsed.Fatal is null)
        {
            int slot = (Interlocked.Increment(ref s_next) & int.MaxValue) % Capacity;
            Volatile.Write(ref Entries[slot], new Entry(der, parsed));
        }

        return parsed;
    }

    /// <summary>The kept parse of <paramref name="der"/>, or null (nothing is parsed or added).</summary>
    public static Cert? Find(byte[] der)
    {
        for (int i = 0; i < Capacity; i++)
        {
            Entry? e = Volatile.Read(ref Entries[i]);
            if (e is not null && e.Der.Length == der.Length && (ReferenceEquals(e.Der, der) || e.Der.AsSpan().SequenceEqual(der)))
            {
                return e.Cert;
            }
        }

        return null;
    }

    private sealed class Entry(byte[] der, Cert cert)
    {
        public byte[] Der { get; } = der;

        public Cert Cert { get; } = cert;
    }
}
