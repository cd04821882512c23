using ManagedTls.Crypto;
using ManagedTls.X509.Store;

namespace ManagedTls.X509.Validation;

/// <summary>A reason a candidate path failed, ranked so the most informative failure is reported.</summary>
internal sealed record PathFailure(int Rank, VerifyError Code, int Depth, string? Detail, IReadOnlyList<Cert> Path)
{
    /// <summary>Every failure of the path when some were continued past; null otherwise.</summary>
    public IReadOnlyList<PathFailure>? All { get; init; }
}

/// <summary>
/// Builds certification paths from the leaf towards a trust anchor by depth-first search over every issuer
/// candidate (same subject, compatible key identifiers, good signature), validating each complete path and
/// returning the first that passes. Work is bounded by a count of signature checks and of search steps.
/// </summary>
internal sealed class PathSearch
{
    /// <summary>
    /// The signature verifications one verification may spend on building, in units of one RSA-2048 check
    /// (<see cref="Cert.VerifyCost"/>): 200 ordinary checks, or three with 16384-bit keys. Counting checks alone let a
    /// chain of look-alike CAs with the largest keys allowed cost 200 checks of 20 ms each.
    /// </summary>
    public const int MaxSignatureChecks = 200;

    /// <summary>Most search steps (issuer candidates considered) before giving up.</summary>
    public const int MaxSteps = 5000;

    private const int RankIncomplete = 1;
    private const int RankTooLong = 2;
    private const int RankSignature = 3;
    private const int RankComplete = 4;

    private readonly VerifyRequest _req;
    private readonly DateTime _time;
    private readonly bool _strict;
    private readonly bool _partial;
    private readonly HashSet<string> _trusted = new(StringComparer.Ordinal);
    private ParsedAnchors _parsed = ParsedAnchors.Empty;
    private readonly List<Cert> _untrusted = [];
    private readonly Dictionary<string, List<Cert>> _bySubject = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sourcesQueried = new(StringComparer.Ordinal);
    private readonly Dictionary<(Cert, Cert), (VerifyError Code, string? Why)> _sigCache = [];
    private readonly ChainValidator _validator;
    private PathFailure? _best;
    private int _sigChecks;
    private int _steps;

    public PathSearch(VerifyRequest req)
    {
        _req = req;
        DateTime utc = req.Time.UtcDateTime;
        _time = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        _strict = (req.Flags & VerifyFlags.VerifyX509Strict) != 0;
        _partial = (req.Flags & VerifyFlags.VerifyX509PartialChain) != 0;
        _validator = new ChainValidator(req, _time, this);
    }

    public int SignatureChecks => _sigChecks;

    /// <summary>The name-by-subtree comparisons all the paths of this verification may spend together.</summary>
    public WorkBudget NameConstraintWork { get; } = new(NameConstraintSet.MaxComparisons);

    /// <summary>The policy-processing steps all the paths of this verification may spend together.</summary>
    public WorkBudget PolicyWork { get; } = new(PolicyProcessing.MaxWork);

    public VerifyResult Run()
    {
        if (_req.PeerChain.Count == 0)
        {
            return new VerifyResult([], VerifyError.InvalidCall, 0, "no peer certificate");
        }

        Cert leaf = ParsedCertCache.Parse(_req.PeerChain[0]);
        if (leaf.Fatal is { } f)
        {
            return new VerifyResult([leaf.Der], f.Code, 0, f.Reason);
        }

        // OpenSSL judges the leaf's key against the security level before it builds any path (X509_verify_cert), so a
        // weak leaf is EE_KEY_TOO_SMALL whatever its issuers are.
        if (SignatureCheck.CheckKey(leaf, _req.SecurityLevel, out VerifyError leafKeyCode) is { } weakLeaf
            && leafKeyCode == VerifyError.EeKeyTooSmall && !_req.ContinueAfter.Contains(leafKeyCode))
        {
            return new VerifyResult([leaf.Der], leafKeyCode, 0, weakLeaf) { AllErrors = [(leafKeyCode, 0)] };
        }

        // The trust anchors are parsed once per trust store (ParsedAnchors), not once per verification.
        _parsed = _req.Trust.Parsed;

        var seen = new HashSet<string>(StringComparer.Ordinal) { leaf.DerKey };
        foreach (byte[] der in _req.PeerChain.Skip(1).Concat(_req.Untrusted))
        {
            string k = Key(der);
            if (IsTrustedKey(k) || !seen.Add(k))
            {
                continue;
            }

            Cert c = ParsedCertCache.Parse(der);
            if (c.Fatal is null)
            {
                _untrusted.Add(c);
                Index(c);
            }
        }

        var path = new List<Cert> { leaf };
        PathFailure? ok = Search(path);
        VerifyResult result;
        if (ok is { Code: VerifyError.Ok })
        {
            result = new VerifyResult(ok.Path.Select(c => c.Der).ToArray(), VerifyError.Ok, 0, null);
        }
        else
        {
            PathFailure fail = _best ?? new PathFailure(0, VerifyError.UnableToGetIssuerCertLocally, 0, "no path", [leaf]);
            result = new VerifyResult(fail.Path.Select(c => c.Der).ToArray(), fail.Code, fail.Depth, fail.Detail);
            result.AllErrors = fail.All?.Select(a => (a.Code, a.Depth)).ToArray() ?? [(fail.Code, fail.Depth)];
        }

        result.Work = new VerifyWork(_sigChecks, _steps, NameConstraintWork.Spent, PolicyWork.Spent, _sigCache.Count);
        return result;
    }

    internal static string Key(byte[] der) => CryptoUtil.ToHex(der);

    private void AddAnchor(byte[] der)
    {
        string k = Key(der);
        if (_parsed.Keys.Contains(k) || !_trusted.Add(k))
        {
            return;
        }

        Cert c = Cert.Parse(der);
        if (c.Fatal is null)
        {
            Index(c);
        }
    }

    private void Index(Cert c)
    {
        if (!_bySubject.TryGetValue(c.SubjectKey, out var list))
        {
            _bySubject[c.SubjectKey] = list = [];
        }

        list.Add(c);
    }

    public bool IsTrusted(Cert c) => IsTrustedKey(c.DerKey);

    private bool IsTrustedKey(string key) => _parsed.Keys.Contains(key) || _trusted.Contains(key);

    /// <summary>
    /// Self-signed as OpenSSL decides it without checking the signature: subject equals issuer and the key
    /// identifiers, when present, agree. A trust anchor's own signature is not verified (it is trusted as given).
    /// </summary>
    public static bool IsSelfSigned(Cert c) => c.SelfIssued && KeyIdsCompatible(c, c);

    private static bool KeyIdsCompatible(Cert child, Cert issuer) =>
        child.Ext.AuthorityKeyId is null || issuer.Ext.SubjectKeyId is null
        || child.Ext.AuthorityKeyId.AsSpan().SequenceEqual(issuer.Ext.SubjectKeyId);

    /// <summary>
    /// The cached signature result of <paramref name="issuer"/> over <paramref name="child"/>; an issuer whose key the
    /// key policy refuses fails here without any arithmetic (see <see cref="SignatureCheck.Verify"/>).
    /// </summary>
    public (VerifyError Code, string? Why) Signature(Cert child, Cert issuer)
    {
        if (!_sigCache.TryGetValue((child, issuer), out var r))
        {
            _sigChecks += issuer.VerifyCost;
            string? why = SignatureCheck.Verify(child.SignatureAlgorithm, child.TbsDer, child.Signature, issuer, _req.SecurityLevel, out VerifyError code);
            r = why is null ? (VerifyError.Ok, null) : (code, why);
            _sigCache[(child, issuer)] = r;
        }

        return r;
    }

    private static bool IsIssuerKeyFailure(VerifyError code) =>
        code is VerifyError.CaKeyTooSmall or VerifyError.EcKeyExplicitParams or VerifyError.UnableToDecodeIssuerPublicKey;

    private bool IsAnchor(Cert c) => IsTrusted(c) && (_partial || IsSelfSigned(c));

    private void Record(PathFailure f)
    {
        if (_best is null || f.Rank > _best.Rank)
        {
            _best = f;
        }
    }

    private IEnumerable<Cert> Candidates(Cert child)
    {
        if (_req.Trust.Sources.Count > 0 && _sourcesQueried.Add(child.IssuerKey))
        {
            byte[]? issuerDer = null;
            foreach (ICertificateSource src in _req.Trust.Sources)
            {
                if (src is CertificateStore store && ReferenceEquals(store, _req.Trust.Identity)
                    && _req.Trust.IdentityGeneration is long generation && store.UnchangedWithoutSources(generation))
                {
                    // Everything this store holds is among the anchors already parsed.
                    continue;
                }

                issuerDer ??= child.Issuer.GetEncoded(Org.BouncyCastle.Asn1.Asn1Encodable.Der);
                foreach (byte[] der in src.FindBySubject(issuerDer))
                {
                    AddAnchor(der);
                }
            }
        }

        bool shared = _parsed.BySubject.TryGetValue(child.IssuerKey, out Cert[]? anchors);
        bool own = _bySubject.TryGetValue(child.IssuerKey, out List<Cert>? found);
        if (!shared && !own)
        {
            return [];
        }

        IEnumerable<Cert> list = !own ? anchors! : !shared ? found! : anchors!.Concat(found!);

        bool trustedFirst = (_req.Flags & VerifyFlags.VerifyX509TrustedFirst) != 0;
        return list
            .Where(c => KeyIdsCompatible(child, c))
            .OrderBy(c => IsTrusted(c) == trustedFirst ? 0 : 1)
            .ThenBy(c => c.NotBefore <= _time && _time <= c.NotAfter ? 0 : 1)
            .ThenByDescending(c => c.NotBefore)
            .ToList();
    }

    private static int CountIntermediates(List<Cert> path, int upTo)
    {
        int n = 0;
        for (int i = 1; i < upTo; i++)
        {
            if (!path[i].SelfIssued)
            {
                n++;
            }
        }

        return n;
    }

    private PathFailure? Search(List<Cert> path)
    {
        Cert top = path[path.Count - 1];
        if (IsAnchor(top))
        {
            PathFailure? f = _validator.Validate(path);
            if (f is null)
            {
                return new PathFailure(0, VerifyError.Ok, 0, null, path.ToArray());
            }

            Record(f with { Rank = RankComplete });
            return null;
        }

        bool extended = false;
        foreach (Cert cand in Candidates(top))
        {
            if (++_steps > MaxSteps || _sigChecks >= MaxSignatureChecks)
            {
                Record(new PathFailure(RankIncomplete, VerifyError.UnableToGetIssuerCertLocally, path.Count - 1, "path building gave up: work limit reached", path.ToArray()));
                return null;
            }

            if (path.Contains(cand))
            {
                continue;
            }

            int intermediates = CountIntermediates(path, path.Count) + (IsAnchor(cand) || cand.SelfIssued ? 0 : 1);
            if (intermediates > _req.MaxDepth || path.Count > 100)
            {
                Record(new PathFailure(RankTooLong, VerifyError.CertChainTooLong, path.Count, "more intermediates than the maximum depth", path.Append(cand).ToArray()));
                continue;
            }

            var sig = Signature(top, cand);
            if (sig.Code != VerifyError.Ok && sig.Code != VerifyError.CaMdTooWeak)
            {
                // A refused issuer key is the issuer's failure (reported at its depth); a bad signature is the child's.
                int depth = IsIssuerKeyFailure(sig.Code) ? path.Count : path.Count - 1;
                Record(new PathFailure(RankSignature, sig.Code, depth, sig.Why, path.Append(cand).ToArray()));
                continue;
            }

            extended = true;
            path.Add(cand);
            PathFailure? r = Search(path);
            path.RemoveAt(path.Count - 1);
            if (r is not null)
            {
                return r;
            }
        }

        if (!extended)
        {
            int depth = path.Count - 1;
            if (IsSelfSigned(top))
            {
                Record(new PathFailure(RankIncomplete, depth == 0 ? VerifyError.DepthZeroSelfSignedCert : VerifyError.SelfSignedCertInChain, depth, null, path.ToArray()));
            }
            else
            {
                Record(new PathFailure(RankIncomplete, IsTrusted(top) ? VerifyError.UnableToGetIssuerCert : VerifyError.UnableToGetIssuerCertLocally, depth, null, path.ToArray()));
            }
        }

        return null;
    }
}
