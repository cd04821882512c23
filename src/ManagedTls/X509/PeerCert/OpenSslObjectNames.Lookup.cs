namespace ManagedTls.X509.PeerCert;

/// <content>Lookup over the generated table.</content>
internal static partial class OpenSslObjectNames
{
    private static readonly Lazy<Dictionary<string, string>> Map = new(Build);

    /// <summary>
    /// What OpenSSL's <c>OBJ_obj2txt(..., no_name=0)</c> prints for an OID: the long name of a known object,
    /// otherwise the dotted form.
    /// </summary>
    public static string Name(string oid) => Map.Value.TryGetValue(oid, out string? name) ? name : oid;

    private static Dictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(Count, StringComparer.Ordinal);
        foreach (string entry in Table.Replace("\r", string.Empty).Replace("\n", string.Empty).Split('|'))
        {
            int eq = entry.IndexOf('=');
            if (eq > 0 && !map.ContainsKey(entry.Substring(0, eq)))
            {
                map[entry.Substring(0, eq)] = entry.Substring(eq + 1);
            }
        }

        return map;
    }
}
