namespace ManagedTls.X509.Validation;

/// <summary>
/// Certificate policy processing, RFC 5280 section 6.1 steps 6.1.3 (d)-(f), 6.1.4 (a), (b), (h)-(j) and 6.1.5 (a), (b),
/// with the inputs a TLS verification has: user-initial-policy-set = {anyPolicy}, and initial-explicit-policy,
/// initial-policy-mapping-inhibit and initial-any-policy-inhibit all false. With those inputs a path fails only when
/// a CA demands an explicit policy (requireExplicitPolicy) and the valid_policy_tree is empty where the demand
/// applies (43, <see cref="VerifyError.NoExplicitPolicy"/>), or when policyMappings maps anyPolicy (42).
/// </summary>
/// <remarks>
/// The tree is kept as RFC 9618's policy graph (one node per policy at each depth, not one per parent), and only its
/// deepest level: every step reads nothing but the level above it, and with user-initial-policy-set = anyPolicy the
/// outcome depends only on whether the tree is empty (6.1.5 (g)(ii) keeps it whole); the graph's edges matter only for
/// reporting the authorities-constrained policy set, which nothing here asks for. A node is then a policy and its
/// expected_policy_set. A level has at most as many nodes as its certificate has policies plus the policies the level
/// above expects, so the work is linear in the size of the certificates: the exponential growth of the tree that made
/// CVE-2023-0464 (every node copied under every parent) cannot happen. The work is still counted against a budget
/// shared by all the paths of one verification, and processing past <see cref="MaxWork"/> steps fails with 42.
/// </remarks>
internal static class PolicyProcessing
{
    /// <summary>Most policy-processing steps (nodes made, expected policies visited, mappings applied) per verification.</summary>
    public const int MaxWork = 1 << 14;

    private const string AnyPolicy = CertExtensions.OidAnyPolicy;

    /// <summary>
    /// Processes the policies of <paramref name="path"/> (leaf first, trust anchor last; the anchor is an input, not
    /// part of the path, as RFC 5280 6.1 has it). Null when the path is acceptable, else the failure.
    /// </summary>
    public static (VerifyError Code, int Depth, string Why)? Check(Cert[] path, WorkBudget budget)
    {
        int n = path.Length - 1;
        if (n <= 0)
        {
            return null;
        }

        int explicitPolicy = n + 1;
        int inhibitAnyPolicy = n + 1;
        int policyMapping = n + 1;

        // The deepest level of the graph: valid_policy -> expected_policy_set; null once the tree is NULL.
        Dictionary<string, HashSet<string>>? level = new(StringComparer.Ordinal) { [AnyPolicy] = [AnyPolicy] };
        for (int i = 1; i <= n; i++)
        {
            int depth = n - i;
            Cert cert = path[depth];
            CertExtensions x = cert.Ext;

            // 6.1.3 (d), (e)
            level = level is not null && x.Policies is { } policies
                ? NextLevel(level, policies, anyPolicyAllowed: inhibitAnyPolicy > 0 || (i < n && cert.SelfIssued), budget)
                : null;
            if (budget.Exhausted)
            {
                return GaveUp(depth);
            }

            // 6.1.3 (f)
            if (explicitPolicy == 0 && level is null)
            {
                return (VerifyError.NoExplicitPolicy, depth, "an explicit policy is required and the certificate policies leave none");
            }

            if (i == n)
            {
                break;
            }

            // 6.1.4 (a), (b)
            if (x.PolicyMappings is { } mappings)
            {
                if (mappings.Exists(m => m.IssuerDomain == AnyPolicy || m.SubjectDomain == AnyPolicy))
                {
                    return (VerifyError.InvalidPolicyExtension, depth, "policyMappings maps anyPolicy");
                }

                if (level is not null)
                {
                    level = ApplyMappings(level, mappings, policyMapping > 0, budget);
                    if (budget.Exhausted)
                    {
                        return GaveUp(depth);
                    }
                }
            }

            // 6.1.4 (h), (i), (j)
            if (!cert.SelfIssued)
            {
                explicitPolicy = Math.Max(0, explicitPolicy - 1);
                policyMapping = Math.Max(0, policyMapping - 1);
                inhibitAnyPolicy = Math.Max(0, inhibitAnyPolicy - 1);
            }

            if (x.RequireExplicitPolicy >= 0)
            {
                explicitPolicy = Math.Min(explicitPolicy, x.RequireExplicitPolicy);
            }

            if (x.InhibitPolicyMapping >= 0)
            {
                policyMapping = Math.Min(policyMapping, x.InhibitPolicyMapping);
            }

            if (x.InhibitAnyPolicy >= 0)
            {
                inhibitAnyPolicy = Math.Min(inhibitAnyPolicy, x.InhibitAnyPolicy);
            }
        }

        // 6.1.5 (a), (b), then (g) with user-initial-policy-set = anyPolicy: the path is valid unless an explicit policy
        // is required and the tree is NULL.
        explicitPolicy = Math.Max(0, explicitPolicy - 1);
        if (path[0].Ext.RequireExplicitPolicy == 0)
        {
            explicitPolicy = 0;
        }

        return explicitPolicy == 0 && level is null
            ? (VerifyError.NoExplicitPolicy, 0, "an explicit policy is required and the certificate policies leave none")
            : null;
    }

    private static (VerifyError Code, int Depth, string Why) GaveUp(int depth) =>
        (VerifyError.InvalidPolicyExtension, depth, $"policy processing gave up: more than {MaxWork} steps");

    /// <summary>
    /// 6.1.3 (d): the level below <paramref name="above"/> for a certificate asserting <paramref name="policies"/>;
    /// null when it is empty (every node above would be pruned, 6.1.3 (d)(3)).
    /// </summary>
    private static Dictionary<string, HashSet<string>>? NextLevel(Dictionary<string, HashSet<string>> above, List<string> policies, bool anyPolicyAllowed, WorkBudget budget)
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (HashSet<string> set in above.Values)
        {
            if (!budget.Spend(set.Count))
            {
                return null;
            }

            expected.UnionWith(set);
        }

        bool anyAbove = above.ContainsKey(AnyPolicy);
        var level = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

        // (d)(1): a policy some node above expects becomes its child; failing that, a child of the anyPolicy node.
        foreach (string policy in policies)
        {
            if (!budget.Spend(1))
            {
                return null;
            }

            if (policy != AnyPolicy && (expected.Contains(policy) || anyAbove))
            {
                level[policy] = new HashSet<string>(StringComparer.Ordinal) { policy };
            }
        }

        // (d)(2): anyPolicy in the certificate stands for every expected policy that has no node yet (anyPolicy included).
        if (anyPolicyAllowed && policies.Contains(AnyPolicy))
        {
            foreach (string policy in expected)
            {
                if (!budget.Spend(1))
                {
                    return null;
                }

                if (!level.ContainsKey(policy))
                {
                    level[policy] = new HashSet<string>(StringComparer.Ordinal) { policy };
                }
            }
        }

        return level.Count == 0 ? null : level;
    }

    /// <summary>
    /// 6.1.4 (b): with mapping allowed a mapped policy's node expects the policies it maps to (a node is made for it
    /// under anyPolicy when it has none); with mapping inhibited the mapped policies' nodes are deleted. Null when
    /// that leaves the level empty.
    /// </summary>
    private static Dictionary<string, HashSet<string>>? ApplyMappings(Dictionary<string, HashSet<string>> level, List<(string IssuerDomain, string SubjectDomain)> mappings, bool mappingAllowed, WorkBudget budget)
    {
        if (!budget.Spend(mappings.Count))
        {
            return null;
        }

        var mapped = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (issuerDomain, subjectDomain) in mappings)
        {
            if (!mapped.TryGetValue(issuerDomain, out var to))
            {
                mapped[issuerDomain] = to = new HashSet<string>(StringComparer.Ordinal);
            }

            to.Add(subjectDomain);
        }

        foreach (KeyValuePair<string, HashSet<string>> mapping in mapped)
        {
            if (!mappingAllowed)
            {
                level.Remove(mapping.Key);
            }
            else if (level.ContainsKey(mapping.Key) || level.ContainsKey(AnyPolicy))
            {
                level[mapping.Key] = mapping.Value;
            }
        }

        return level.Count == 0 ? null : level;
    }
}

/// <summary>A count of work steps that one verification may spend on a task; once spent, every further request fails.</summary>
internal sealed class WorkBudget
{
    private readonly int _size;
    private int _left;

    /// <summary>Creates a budget of <paramref name="steps"/> steps.</summary>
    public WorkBudget(int steps)
    {
        _size = steps;
        _left = steps;
    }

    /// <summary>The steps taken so far.</summary>
    public int Spent => _size - _left;

    /// <summary>True once a request was refused.</summary>
    public bool Exhausted { get; private set; }

    /// <summary>Takes <paramref name="steps"/> steps; false (and exhausted from then on) when fewer are left.</summary>
    public bool Spend(int steps)
    {
        if (Exhausted || steps > _left)
        {
            Exhausted = true;
            return false;
        }

        _left -= steps;
        return true;
    }
}
