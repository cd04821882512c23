namespace ManagedTls.CipherSuites;

/// <summary>The outcome of a cipher string: the TLS 1.2 suites in preference order and any <c>@SECLEVEL</c>.</summary>
/// <param name="Suites">Selected TLS 1.2 suites, most preferred first (never empty).</param>
/// <param name="SecurityLevel">The level set by <c>@SECLEVEL=n</c>, or null when the string sets none.</param>
internal sealed record CipherStringResult(IReadOnlyList<CipherSuiteInfo> Suites, int? SecurityLevel);

/// <summary>
/// OpenSSL's cipher-list language (<c>SSL_CTX_set_cipher_list</c>, Python's <c>SSLContext.set_ciphers</c>),
/// with OpenSSL 3.0's semantics, over the TLS 1.2 suites the engine implements. TLS 1.3 suites are not
/// affected by it; see <see cref="Tls13CipherSuiteList"/>.
/// </summary>
/// <remarks>
/// <para>The string is a list of words separated by <c>:</c>, <c>,</c>, <c>;</c> or spaces. A word is a
/// suite's OpenSSL name or an alias, or several joined by <c>+</c> (the suites matching all of them), with
/// an optional prefix: none adds the matching suites at the end of the list (those already in it stay
/// where they are), <c>-</c> removes them (a later word may add them again), <c>!</c> removes them for
/// good, <c>+</c> moves those already in the list to its end. <c>@STRENGTH</c> sorts the list by key
/// length, keeping the order of equals; <c>@SECLEVEL=n</c> (0..5) records a security level. A string
/// starting with <c>DEFAULT</c> first applies <c>ALL:!COMPLEMENTOFDEFAULT:!eNULL</c>. Unknown words are
/// ignored; any other malformed input, or a result with no suite, is a <see cref="CipherStringException"/>.</para>
/// <para>Every suite starts out disabled in OpenSSL's default order, which decides where added suites land:
/// ECDHE before other key exchanges, then AES-GCM, ChaCha20, other AES; stronger before weaker; then
/// (EC)DHE with AEAD, other (EC)DHE, other AEAD, the rest. Each step below moves suites as a block, keeping
/// their relative order, so running it over our subset gives OpenSSL's answer restricted to our subset.</para>
/// </remarks>
internal static class CipherString
{
    /// <summary>What <c>DEFAULT</c> expands to in OpenSSL 3.0.</summary>
    public const string DefaultRules = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

    /// <summary>
    /// The cipher string Python's <c>SSLContext</c> starts with (CPython 3.10 and later,
    /// <c>PY_SSL_DEFAULT_CIPHER_STRING</c>); it also sets security level 2.
    /// </summary>
    public const string PythonDefault =
        "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM";

    /// <summary>The TLS 1.2 suites in OpenSSL's default order (what <c>ALL</c> selects).</summary>
    public static readonly IReadOnlyList<CipherSuiteInfo> DefaultOrder = BuildDefaultOrder().Select(n => n.Suite).ToArray();

    private enum Op
    {
        Add,
        Kill,
        Delete,
        Order,
        Bump,
        Special,
    }

    /// <summary>Parses <paramref name="cipherString"/>; throws <see cref="CipherStringException"/> when it is invalid or selects nothing.</summary>
    public static CipherStringResult Parse(string cipherString)
    {
        if (cipherString is null)
        {
            throw new CipherStringException(CipherStringError.NoCipherMatch, string.Empty, "No cipher can be selected.");
        }

        // C strings end at the first NUL; so does the rule string.
        int nul = cipherString.IndexOf('\0');
        string rules = nul >= 0 ? cipherString.Substring(0, nul) : cipherString;
        rules = ApplySuiteB(rules);

        // Every suite starts disabled, in the default order.
        List<Node> list = DefaultOrder.Select(suite => new Node(suite)).ToList();
        int? level = null;
        bool ok = true;
        string rest = rules;
        if (rest.StartsWith("DEFAULT", StringComparison.Ordinal))
        {
            ok = Process(DefaultRules, list, ref level);
            rest = rest.Substring(7);
            if (rest.StartsWith(":", StringComparison.Ordinal))
            {
                rest = rest.Substring(1);
            }
        }

        if (ok && rest.Length > 0)
        {
            ok = Process(rest, list, ref level);
        }

        if (!ok)
        {
            throw new CipherStringException(
                CipherStringError.InvalidCommand, cipherString, $"Invalid command in cipher string \"{cipherString}\".");
        }

        CipherSuiteInfo[] selected = list.Where(n => n.Active).Select(n => n.Suite).ToArray();
        if (selected.Length == 0)
        {
            throw new CipherStringException(
                CipherStringError.NoCipherMatch, cipherString, $"No cipher can be selected by \"{cipherString}\".");
        }

        return new CipherStringResult(selected, level);
    }

    /// <summary>Like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string cipherString, out CipherStringResult? result)
    {
        try
        {
            result = Parse(cipherString);
            return true;
        }
        catch (CipherStringException)
        {
            result = null;
            return false;
        }
    }

    // The Suite B profiles (RFC 6460) replace the whole string when it starts with their name.
    private static string ApplySuiteB(string rules)
    {
        if (rules.StartsWith("SUITEB128ONLY", StringComparison.Ordinal))
        {
            return "ECDHE-ECDSA-AES128-GCM-SHA256";
        }

        if (rules.StartsWith("SUITEB128C2", StringComparison.Ordinal) || rules.StartsWith("SUITEB192", StringComparison.Ordinal))
        {
            return "ECDHE-ECDSA-AES256-GCM-SHA384";
        }

        if (rules.StartsWith("SUITEB128", StringComparison.Ordinal))
        {
            return "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
        }

        return rules;
    }

    private static List<Node> BuildDefaultOrder()
    {
        // OpenSSL starts from its table read backwards, i.e. by descending code.
        var list = CipherSuiteRegistry.Tls12Suites.OrderByDescending(s => s.Code).Select(s => new Node(s)).ToList();

        Apply(list, new CipherSelector(Kx: OsslKx.Ecdhe, Auth: OsslAuth.Ecdsa), Op.Add);
        Apply(list, new CipherSelector(Kx: OsslKx.Ecdhe), Op.Add);
        Apply(list, new CipherSelector(Kx: OsslKx.Ecdhe), Op.Delete);
        Apply(list, new CipherSelector(Enc: OsslEnc.AesGcm), Op.Add);
        Apply(list, new CipherSelector(Enc: OsslEnc.ChaCha20Poly1305), Op.Add);
        Apply(list, new CipherSelector(Enc: OsslEnc.Aes & ~OsslEnc.AesGcm), Op.Add);
        Apply(list, default, Op.Add);
        Apply(list, new CipherSelector(Mac: OsslMac.Md5), Op.Order);
        Apply(list, new CipherSelector(Auth: OsslAuth.Null), Op.Order);
        Apply(list, new CipherSelector(Kx: OsslKx.Rsa), Op.Order);
        Apply(list, new CipherSelector(Kx: OsslKx.Psk), Op.Order);
        Apply(list, new CipherSelector(Enc: OsslEnc.Rc4), Op.Order);
        StrengthSort(list);
        Apply(list, new CipherSelector(MinTls: OsslVersion.Tls12), Op.Bump);
        Apply(list, new CipherSelector(Mac: OsslMac.Aead), Op.Bump);
        Apply(list, new CipherSelector(Kx: OsslKx.Dhe | OsslKx.Ecdhe), Op.Bump);
        Apply(list, new CipherSelector(Kx: OsslKx.Dhe | OsslKx.Ecdhe, Mac: OsslMac.Aead), Op.Bump);
        Apply(list, default, Op.Delete);
        return list;
    }

    // Stable sort of the enabled suites by descending strength: move each strength class to the end in turn.
    private static void StrengthSort(List<Node> list)
    {
        foreach (int bits in list.Where(n => n.Active).Select(n => n.Suite.StrengthBits).Distinct().OrderByDescending(b => b).ToArray())
        {
            Move(list, n => n.Active && n.Suite.StrengthBits == bits, toEnd: true);
        }
    }

    private static void Apply(List<Node> list, CipherSelector selector, Op op)
    {
        switch (op)
        {
            case Op.Add:
                foreach (Node n in list.Where(n => !n.Active && selector.Matches(n.Suite)).ToArray())
                {
                    list.Remove(n);
                    list.Add(n);
                    n.Active = true;
                }

                break;
            case Op.Order:
                Move(list, n => n.Active && selector.Matches(n.Suite), toEnd: true);
                break;
            case Op.Delete:
                foreach (Node n in Move(list, n => n.Active && selector.Matches(n.Suite), toEnd: false))
                {
                    n.Active = false;
                }

                break;
            case Op.Bump:
                Move(list, n => n.Active && selector.Matches(n.Suite), toEnd: false);
                break;
            case Op.Kill:
                list.RemoveAll(n => selector.Matches(n.Suite));
                break;
        }
    }

    // Moves the matching nodes, in their current relative order, to the end or to the front of the list.
    private static Node[] Move(List<Node> list, Func<Node, bool> match, bool toEnd)
    {
        Node[] moved = list.Where(match).ToArray();
        if (moved.Length > 0)
        {
            list.RemoveAll(n => Array.IndexOf(moved, n) >= 0);
            if (toEnd)
            {
                list.AddRange(moved);
            }
            else
            {
                list.InsertRange(0, moved);
            }
        }

        return moved;
    }

    private static bool IsSeparator(char c) => c is ':' or ' ' or ';' or ',';

    private static bool IsWordChar(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '=';

    // Runs one rule string over the list; false when it holds an invalid command (the rest still runs, as in OpenSSL).
    private static bool Process(string s, List<Node> list, ref int? level)
    {
        bool ok = true;
        int i = 0;
        while (i < s.Length)
        {
            char ch = s[i];
            Op op;
            switch (ch)
            {
                case '-':
                    op = Op.Delete;
                    i++;
                    break;
                case '+':
                    op = Op.Order;
                    i++;
                    break;
                case '!':
                    op = Op.Kill;
                    i++;
                    break;
                case '@':
                    op = Op.Special;
                    i++;
                    break;
                default:
                    op = Op.Add;
                    break;
            }

            if (IsSeparator(ch))
            {
                i++;
                continue;
            }

            var pattern = default(CipherSelector);
            bool found = false;
            string word = string.Empty;
            while (true)
            {
                int start = i;
                while (i < s.Length && IsWordChar(s[i]))
                {
                    i++;
                }

                if (i == start)
                {
                    // Neither a separator nor a word: an invalid command.
                    ok = false;
                    found = false;
                    i++;
                    break;
                }

                word = s.Substring(start, i - start);
                if (op == Op.Special)
                {
                    break;
                }

                bool multi = i < s.Length && s[i] == '+';
                if (multi)
                {
                    i++;
                }

                found = Combine(ref pattern, word);
                if (!found || !multi)
                {
                    break;
                }
            }

            if (op == Op.Special)
            {
                if (!RunSpecial(word, list, ref level))
                {
                    ok = false;
                }

                i = SkipToSeparator(s, i);
            }
            else if (found)
            {
                Apply(list, pattern, op);
            }
            else
            {
                i = SkipToSeparator(s, i);
            }
        }

        return ok;
    }

    private static int SkipToSeparator(string s, int i)
    {
        while (i < s.Length && !IsSeparator(s[i]))
        {
            i++;
        }

        return i;
    }

    private static bool RunSpecial(string word, List<Node> list, ref int? level)
    {
        if (word == "STRENGTH")
        {
            StrengthSort(list);
            return true;
        }

        if (word.Length == 10 && word.StartsWith("SECLEVEL=", StringComparison.Ordinal) && word[9] is >= '0' and <= '5')
        {
            level = word[9] - '0';
            return true;
        }

        return false;
    }

    // Intersects the pattern with one word (a suite name or an alias); false when the word is unknown
    // or the intersection is empty in some class.
    private static bool Combine(ref CipherSelector pattern, string word)
    {
        CipherSuiteInfo? suite = CipherSuiteRegistry.FindByOpenSslName(word);
        CipherSelector part;
        if (suite is { IsTls13: false })
        {
            part = CipherSelector.ForSuite(suite);
        }
        else if (!CipherAliases.TryGet(word, out part))
        {
            return false;
        }

        var p = pattern;
        if (!Intersect(ref p, part))
        {
            return false;
        }

        if (suite is not null)
        {
            // A named suite pins its code; its protocol version does not become part of the pattern.
            p = p with { Code = suite.Code };
        }
        else if (part.MinTls != OsslVersion.None)
        {
            if (p.MinTls != OsslVersion.None && p.MinTls != part.MinTls)
            {
                return false;
            }

            p = p with { MinTls = part.MinTls };
        }

        pattern = p;
        return true;
    }

    private static bool Intersect(ref CipherSelector p, CipherSelector part)
    {
        if (part.Kx != 0)
        {
            p = p with { Kx = p.Kx != 0 ? p.Kx & part.Kx : part.Kx };
            if (p.Kx == 0)
            {
                return false;
            }
        }

        if (part.Auth != 0)
        {
            p = p with { Auth = p.Auth != 0 ? p.Auth & part.Auth : part.Auth };
            if (p.Auth == 0)
            {
                return false;
            }
        }

        if (part.Enc != 0)
        {
            p = p with { Enc = p.Enc != 0 ? p.Enc & part.Enc : part.Enc };
            if (p.Enc == 0)
            {
                return false;
            }
        }

        if (part.Mac != 0)
        {
            p = p with { Mac = p.Mac != 0 ? p.Mac & part.Mac : part.Mac };
            if (p.Mac == 0)
            {
                return false;
            }
        }

        const OsslStrength strongMask = OsslStrength.StrongMask;
        const OsslStrength defaultMask = OsslStrength.DefaultMask;
        if ((part.Strength & strongMask) != 0)
        {
            if ((p.Strength & strongMask) != 0)
            {
                p = p with { Strength = p.Strength & ((part.Strength & strongMask) | ~strongMask) };
                if ((p.Strength & strongMask) == 0)
                {
                    return false;
                }
            }
            else
            {
                // As in OpenSSL, the first strength word replaces the whole field (a preceding
                // COMPLEMENTOFDEFAULT is forgotten).
                p = p with { Strength = part.Strength & strongMask };
            }
        }

        if ((part.Strength & defaultMask) != 0)
        {
            if ((p.Strength & defaultMask) != 0)
            {
                p = p with { Strength = p.Strength & ((part.Strength & defaultMask) | ~defaultMask) };
                if ((p.Strength & defaultMask) == 0)
                {
                    return false;
                }
            }
            else
            {
                p = p with { Strength = p.Strength | (part.Strength & defaultMask) };
            }
        }

        return true;
    }

    private sealed class Node
    {
        public Node(CipherSuiteInfo suite) => Suite = suite;

        public CipherSuiteInfo Suite { get; }

        public bool Active { get; set; }
    }
}
