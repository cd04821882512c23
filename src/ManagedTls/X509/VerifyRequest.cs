namespace ManagedTls.X509;

/// <summary>What the verified certificate is for: a TLS server (the client checks it) or a TLS client.</summary>
public enum VerifyPurpose
{
    /// <summary>The peer is a TLS server (<c>id-kp-serverAuth</c>, OpenSSL's <c>sslserver</c>).</summary>
    ServerAuth = 0,

    /// <summary>The peer is a TLS client (<c>id-kp-clientAuth</c>, OpenSSL's <c>sslclient</c>).</summary>
    ClientAuth = 1,
}

/// <summary>The kind of name the peer certificate must carry.</summary>
public enum PeerNameKind
{
    /// <summary>A DNS host name, matched against dNSName subject alternative names.</summary>
    Dns = 0,

    /// <summary>An IPv4 or IPv6 address, matched against iPAddress subject alternative names.</summary>
    IpAddress = 1,

    /// <summary>An email address, matched against rfc822Name subject alternative names.</summary>
    Email = 2,
}

/// <summary>The identity expected of the peer.</summary>
/// <param name="Kind">Which kind of name.</param>
/// <param name="Value">The name as text: a host name (A-labels), an IP address, or an email address.</param>
public sealed record PeerName(PeerNameKind Kind, string Value)
{
    /// <summary>A DNS host name.</summary>
    /// <param name="host">The host name.</param>
    /// <returns>The peer name.</returns>
    public static PeerName Dns(string host) => new(PeerNameKind.Dns, host);

    /// <summary>An IP address in text form.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The peer name.</returns>
    public static PeerName Ip(string address) => new(PeerNameKind.IpAddress, address);

    /// <summary>An email address.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The peer name.</returns>
    public static PeerName Email(string address) => new(PeerNameKind.Email, address);
}

/// <summary>Trust anchors: certificates given directly, plus sources consulted by subject (hashed directories).</summary>
public sealed class TrustStore
{
    /// <summary>Creates a store.</summary>
    /// <param name="anchors">Trusted certificates (DER).</param>
    /// <param name="sources">Further trusted certificates looked up by subject; may be null.</param>
    public TrustStore(IEnumerable<byte[]> anchors, IEnumerable<ICertificateSource>? sources = null)
    {
        Anchors = anchors.ToArray();
        Sources = sources?.ToArray() ?? [];
        Identity = this;
    }

    /// <summary>Trusted certificates (DER).</summary>
    public IReadOnlyList<byte[]> Anchors { get; }

    /// <summary>Sources of further trusted certificates, searched by subject name.</summary>
    public IReadOnlyList<ICertificateSource> Sources { get; }

    /// <summary>
    /// What this store stands for when sessions compare trust settings: the store itself, or the long-lived store it
    /// wraps (a context's certificate store, wrapped anew for every connection).
    /// </summary>
    internal object Identity { get; init; }

    /// <summary>
    /// <see cref="Anchors"/> parsed, made on first use and kept (decision 0032): a store shared by many connections
    /// (a context's frozen configuration holds one) parses its anchors once, not once per handshake. Without a lock:
    /// two first uses at once may both parse, and one result is kept.
    /// </summary>
    internal Validation.ParsedAnchors Parsed
    {
        get
        {
            Validation.ParsedAnchors? parsed = Volatile.Read(ref _parsed);
            if (parsed is null)
            {
                parsed = Validation.ParsedAnchors.Parse(Anchors);
                parsed = Interlocked.CompareExchange(ref _parsed, parsed, null) ?? parsed;
            }

            return parsed;
        }
    }

    private Validation.ParsedAnchors? _parsed;

    /// <summary>
    /// For a store made from a <see cref="Store.CertificateStore"/> (its <see cref="Identity"/>, also among the
    /// <see cref="Sources"/>): that store's <see cref="Store.CertificateStore.Generation"/> read before its certificates were
    /// copied into <see cref="Anchors"/>, so a verification can skip asking the store for what the anchors already hold.
    /// </summary>
    internal long? IdentityGeneration { get; init; }
}

/// <summary>Everything one certificate verification needs.</summary>
public sealed class VerifyRequest
{
    /// <summary>The chain the peer sent, leaf first (DER). Must hold at least the leaf.</summary>
    public IReadOnlyList<byte[]> PeerChain { get; set; } = [];

    /// <summary>Extra untrusted intermediates (DER) that path building may use.</summary>
    public IReadOnlyList<byte[]> Untrusted { get; set; } = [];

    /// <summary>The trust anchors.</summary>
    public TrustStore Trust { get; set; } = new([]);

    /// <summary>The time at which the certificates must be valid (truncated to whole seconds).</summary>
    public DateTimeOffset Time { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>What the peer certificate is used for.</summary>
    public VerifyPurpose Purpose { get; set; } = VerifyPurpose.ServerAuth;

    /// <summary>The identity the leaf must carry, or null to skip the name check.</summary>
    public PeerName? ExpectedName { get; set; }

    /// <summary>
    /// Most intermediate CA certificates allowed between leaf and anchor (OpenSSL's <c>verify_depth</c>);
    /// self-issued intermediates are not counted. Default 100 as in OpenSSL.
    /// </summary>
    public int MaxDepth { get; set; } = 100;

    /// <summary>Verification flags (Python's values).</summary>
    public VerifyFlags Flags { get; set; }

    /// <summary>Certificate revocation lists (DER), used with the CRL check flags.</summary>
    public IReadOnlyList<byte[]> Crls { get; set; } = [];

    /// <summary>
    /// When true and the leaf has no subject alternative name, a DNS peer name may match the subject's
    /// common name (Python's <c>hostname_checks_common_name</c>). Default false.
    /// </summary>
    public bool HostnameChecksCommonName { get; set; }

    /// <summary>
    /// OpenSSL-style security level. 1 refuses MD5 signatures, RSA and DSA keys under 1024 bits and curves under
    /// 224 bits; 2 (the default) also refuses SHA-1 signatures, RSA keys under 2048 bits and DSA keys.
    /// </summary>
    public int SecurityLevel { get; set; } = 2;

    /// <summary>
    /// Failures that do not end validation but are remembered and reported together, as the callback of
    /// <c>openssl verify</c> does; the result still fails. Empty by default.
    /// </summary>
    internal HashSet<VerifyError> ContinueAfter { get; set; } = [];

    /// <summary>The keyUsage bit digitalSignature (RFC 5280 section 4.2.1.3), for <see cref="RequiredLeafKeyUsage"/>.</summary>
    public const int KeyUsageDigitalSignature = 0x80;

    /// <summary>The keyUsage bit keyEncipherment, for <see cref="RequiredLeafKeyUsage"/>.</summary>
    public const int KeyUsageKeyEncipherment = 0x20;

    /// <summary>The keyUsage bit keyAgreement, for <see cref="RequiredLeafKeyUsage"/>.</summary>
    public const int KeyUsageKeyAgreement = 0x08;

    /// <summary>
    /// Key usages the leaf must allow when it has a keyUsage extension, as keyUsage bits (the first octet in bits 7..0:
    /// <see cref="KeyUsageDigitalSignature"/> 0x80, <see cref="KeyUsageKeyEncipherment"/> 0x20,
    /// <see cref="KeyUsageKeyAgreement"/> 0x08), else <see cref="VerifyError.InvalidPurpose"/>. Set by whoever knows
    /// what the key will do: a TLS 1.3 handshake asks for digitalSignature (RFC 8446 section 4.4.2.2: the key signs
    /// CertificateVerify); TLS 1.2 with RSA key transport would ask for keyEncipherment. 0 (the default) adds nothing
    /// to the purpose's own rule (a keyUsage, when present, allowing one of those three).
    /// </summary>
    public int RequiredLeafKeyUsage { get; set; }
}

/// <summary>The outcome of a verification: a verified chain, or OpenSSL's error code and text.</summary>
public sealed class VerifyResult
{
    internal VerifyResult(IReadOnlyList<byte[]> chain, VerifyError error, int depth, string? detail)
    {
        Chain = chain;
        Error = error;
        ErrorDepth = depth;
        Detail = detail;
    }

    /// <summary>True when the chain verified.</summary>
    public bool IsValid => Error == VerifyError.Ok;

    /// <summary>The verified chain, leaf first and trust anchor last (DER); on failure the chain that was examined.</summary>
    public IReadOnlyList<byte[]> Chain { get; }

    /// <summary>OpenSSL's verify code (Python's <c>verify_code</c>).</summary>
    public VerifyError Error { get; }

    /// <summary>OpenSSL's text for the code (Python's <c>verify_message</c>).</summary>
    public string Message => VerifyErrors.Message(Error);

    /// <summary>The chain position of the certificate that failed (0 = leaf).</summary>
    public int ErrorDepth { get; }

    /// <summary>A more precise reason than the OpenSSL text, for logs; null when there is none.</summary>
    public string? Detail { get; }

    /// <summary>Every (code, depth) reported, in order, when the request continued past some failures.</summary>
    internal IReadOnlyList<(VerifyError Code, int Depth)> AllErrors { get; set; } = [];

    /// <summary>What the verification spent against its work limits (for tests and diagnostics).</summary>
    internal VerifyWork Work { get; set; }
}

/// <summary>The work one verification did, counted against the limits in <c>docs/security.md</c>.</summary>
/// <param name="SignatureChecks">Distinct signature checks, weighted by key size in RSA-2048 units (at most 200, and one more check past it).</param>
/// <param name="SearchSteps">Issuer candidates considered (at most 5,000).</param>
/// <param name="NameConstraintComparisons">Name-by-subtree comparisons (at most 2^20).</param>
/// <param name="PolicySteps">Policy-processing steps (at most 16,384).</param>
/// <param name="SignatureVerifications">Distinct signature checks, each counted once whatever its key.</param>
internal readonly record struct VerifyWork(int SignatureChecks, int SearchSteps, int NameConstraintComparisons, int PolicySteps, int SignatureVerifications = 0);
