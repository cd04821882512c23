using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.CipherSuites;

/// <summary>
/// One supported group: its TLS code point, its names and the key exchange that implements it.
/// </summary>
/// <param name="Group">The IANA code point (supported_groups, key_share, ServerECDHParams).</param>
/// <param name="Name">The IANA name (<c>x25519</c>, <c>secp256r1</c>, <c>ffdhe2048</c>, <c>X25519MLKEM768</c>).</param>
/// <param name="OpenSslNames">The names OpenSSL's <c>-groups</c>/<c>-curves</c> accept for it; the first
/// is the one OpenSSL prints.</param>
/// <param name="Algorithm">The implementation.</param>
internal sealed record KeyExchangeGroup(NamedGroup Group, string Name, IReadOnlyList<string> OpenSslNames, KeyExchangeAlgorithm Algorithm)
{
    /// <summary>The name OpenSSL prints for this group (for example <c>X25519</c>, <c>prime256v1</c>).</summary>
    public string OpenSslName => OpenSslNames[0];

    /// <summary>Usable in TLS 1.2 (ECDHE for curves, DHE for RFC 7919 groups); KEMs are TLS 1.3 only.</summary>
    public bool SupportsTls12 => Algorithm.Family != KeyExchangeFamily.Kem;

    /// <summary>Finite-field group (TLS 1.2 DHE suites, not ECDHE).</summary>
    public bool IsFiniteField => Algorithm.Family == KeyExchangeFamily.FiniteField;

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// The group registry: every group the library implements, in preference order, and the default list.
/// </summary>
internal static class KeyExchangeGroups
{
    /// <summary>X25519 (RFC 7748, RFC 8446).</summary>
    public static KeyExchangeGroup X25519 { get; } = new(NamedGroup.X25519, "x25519", new[] { "X25519" }, KeyExchanges.X25519);

    /// <summary>secp256r1 (NIST P-256).</summary>
    public static KeyExchangeGroup Secp256r1 { get; } = new(NamedGroup.Secp256r1, "secp256r1", new[] { "prime256v1", "secp256r1", "P-256" }, KeyExchanges.Secp256r1);

    /// <summary>X448 (RFC 7748, RFC 8446).</summary>
    public static KeyExchangeGroup X448 { get; } = new(NamedGroup.X448, "x448", new[] { "X448" }, KeyExchanges.X448);

    /// <summary>secp521r1 (NIST P-521).</summary>
    public static KeyExchangeGroup Secp521r1 { get; } = new(NamedGroup.Secp521r1, "secp521r1", new[] { "secp521r1", "P-521" }, KeyExchanges.Secp521r1);

    /// <summary>secp384r1 (NIST P-384).</summary>
    public static KeyExchangeGroup Secp384r1 { get; } = new(NamedGroup.Secp384r1, "secp384r1", new[] { "secp384r1", "P-384" }, KeyExchanges.Secp384r1);

    /// <summary>ffdhe2048 (RFC 7919).</summary>
    public static KeyExchangeGroup Ffdhe2048 { get; } = new(NamedGroup.Ffdhe2048, "ffdhe2048", new[] { "ffdhe2048" }, KeyExchanges.Ffdhe2048);

    /// <summary>ffdhe3072 (RFC 7919).</summary>
    public static KeyExchangeGroup Ffdhe3072 { get; } = new(NamedGroup.Ffdhe3072, "ffdhe3072", new[] { "ffdhe3072" }, KeyExchanges.Ffdhe3072);

    /// <summary>ffdhe4096 (RFC 7919).</summary>
    public static KeyExchangeGroup Ffdhe4096 { get; } = new(NamedGroup.Ffdhe4096, "ffdhe4096", new[] { "ffdhe4096" }, KeyExchanges.Ffdhe4096);

    /// <summary>ffdhe6144 (RFC 7919).</summary>
    public static KeyExchangeGroup Ffdhe6144 { get; } = new(NamedGroup.Ffdhe6144, "ffdhe6144", new[] { "ffdhe6144" }, KeyExchanges.Ffdhe6144);

    /// <summary>ffdhe8192 (RFC 7919).</summary>
    public static KeyExchangeGroup Ffdhe8192 { get; } = new(NamedGroup.Ffdhe8192, "ffdhe8192", new[] { "ffdhe8192" }, KeyExchanges.Ffdhe8192);

    /// <summary>X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem), TLS 1.3 only.</summary>
    public static KeyExchangeGroup X25519MlKem768 { get; } = new(NamedGroup.X25519MLKEM768, "X25519MLKEM768", new[] { "X25519MLKEM768" }, KeyExchanges.X25519MlKem768);

    /// <summary>
    /// The default groups, in OpenSSL 3.0's default order for TLS 1.3 (and Python's, which uses it):
    /// x25519, secp256r1, x448, secp521r1, secp384r1, ffdhe2048..ffdhe8192.
    /// </summary>
    /// <remarks>
    /// X25519MLKEM768 is implemented but not in this list. Defaults follow OpenSSL 3.0, the version
    /// Python's <c>ssl</c> and the interop peers on our reference systems ship, so a default handshake
    /// offers the same groups they do; a hybrid share also adds 1216 bytes to every ClientHello and an
    /// ML-KEM key generation to every handshake. Enable it with <c>-groups X25519MLKEM768:X25519:...</c>
    /// (<see cref="ParseList"/>), as OpenSSL 3.5 does by default.
    /// </remarks>
    public static IReadOnlyList<KeyExchangeGroup> Default { get; } = new[]
    {
        X25519, Secp256r1, X448, Secp521r1, Secp384r1, Ffdhe2048, Ffdhe3072, Ffdhe4096, Ffdhe6144, Ffdhe8192,
    };

    /// <summary>Every group implemented, in preference order (the hybrid first, then <see cref="Default"/>).</summary>
    public static IReadOnlyList<KeyExchangeGroup> All { get; } = new[]
    {
        X25519MlKem768, X25519, Secp256r1, X448, Secp521r1, Secp384r1, Ffdhe2048, Ffdhe3072, Ffdhe4096, Ffdhe6144, Ffdhe8192,
    };

    /// <summary>The group with this code point, or null when it is not implemented.</summary>
    public static KeyExchangeGroup? Find(NamedGroup group)
    {
        foreach (KeyExchangeGroup g in All)
        {
            if (g.Group == group)
            {
                return g;
            }
        }

        return null;
    }

    /// <summary>
    /// The group with this name (IANA or any OpenSSL spelling, case-insensitive as in OpenSSL), or null.
    /// </summary>
    public static KeyExchangeGroup? FindByName(string name)
    {
        foreach (KeyExchangeGroup g in All)
        {
            if (string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return g;
            }

            foreach (string alias in g.OpenSslNames)
            {
                if (string.Equals(alias, name, StringComparison.OrdinalIgnoreCase))
                {
                    return g;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Parses an OpenSSL group list (<c>X25519:P-256:ffdhe2048</c>, colon or comma separated) into groups
    /// in the given order, dropping duplicates.
    /// </summary>
    /// <exception cref="ArgumentException">A name is unknown or the list is empty.</exception>
    public static IReadOnlyList<KeyExchangeGroup> ParseList(string list)
    {
        var result = new List<KeyExchangeGroup>();
        foreach (string raw in list.Split(':', ','))
        {
            string name = raw.Trim();
            if (name.Length == 0)
            {
                continue;
            }

            KeyExchangeGroup group = FindByName(name) ?? throw new ArgumentException($"unknown group '{name}'", nameof(list));
            if (!result.Contains(group))
            {
                result.Add(group);
            }
        }

        if (result.Count == 0)
        {
            throw new ArgumentException("empty group list", nameof(list));
        }

        return result;
    }
}
