using System.Reflection;
using System.Text.RegularExpressions;
using ManagedTls.Ssl;
using SslModule = ManagedTls.Ssl.Ssl;

namespace ManagedTls.Tests.SslFacade;

/// <summary>
/// docs/python-mapping.md names every public name of Python's <c>ssl</c> module: the names are those
/// <c>vectors/python/ssl-names.py</c> prints (recorded from Python 3.11 in <c>ssl-names-3.11.txt</c>, and asked of the
/// live python3 when it is installed) and the later changes in <c>ssl-names-later.txt</c>. Each row's ManagedTls
/// member must exist, public, in the ManagedTls assembly, and each status must be <c>same</c>, <c>differs: ...</c> or
/// <c>not offered: ...</c>.
/// </summary>
public class PythonNameMapTests
{
    private const string TableHeader = "| Python | ManagedTls | Status |";

    private static readonly Regex PythonName = new(@"^(ssl\.[A-Za-z_][A-Za-z0-9_]*|_?[A-Z][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)$");
    private static readonly Regex ManagedName = new(@"^[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)?$");
    private static readonly Regex Status = new(@"^(same(: \S.*)?|differs: \S.*|not offered: \S.*)$");
    private static readonly Regex Backticked = new("`([^`]*)`");

    private static string Root => Path.GetFullPath(Path.Combine(Oracles.CertsDir, "..", ".."));

    private static string VectorsPython => Path.Combine(Root, "vectors", "python");

    private sealed record Row(int Line, string Text, IReadOnlyList<string> Python, IReadOnlyList<string> Managed, string Status);

    private static readonly Lazy<(List<Row> Rows, List<string> Malformed)> Map = new(ParseDocument);

    private static (List<Row> Rows, List<string> Malformed) ParseDocument()
    {
        var rows = new List<Row>();
        var malformed = new List<string>();
        string[] lines = File.ReadAllLines(Path.Combine(Root, "docs", "python-mapping.md"));
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != TableHeader)
            {
                continue;
            }

            if (i + 1 >= lines.Length || lines[i + 1].Trim() != "|---|---|---|")
            {
                malformed.Add($"line {i + 2}: a name table's header must be followed by |---|---|---|");
                continue;
            }

            for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++)
            {
                string line = lines[i];
                string[] cells = SplitCells(line);
                if (cells.Length != 3)
                {
                    malformed.Add($"line {i + 1}: {cells.Length} cells, not 3: {line}");
                    continue;
                }

                var python = Backticked.Matches(cells[0]).Select(m => m.Groups[1].Value).ToList();
                string pythonRest = Backticked.Replace(cells[0], string.Empty).Replace(",", string.Empty).Trim();
                if (python.Count == 0 || pythonRest.Length != 0 || python.Any(n => !PythonName.IsMatch(n)))
                {
                    malformed.Add($"line {i + 1}: the Python column must hold only `ssl.NAME` or `Class.name` names, comma-separated: {cells[0]}");
                }

                var managed = new List<string>();
                if (cells[1] != "—")
                {
                    managed = Backticked.Matches(cells[1]).Select(m => m.Groups[1].Value).ToList();
                    string managedRest = Backticked.Replace(cells[1], string.Empty).Replace(",", string.Empty).Trim();
                    if (managed.Count == 0 || managedRest.Length != 0 || managed.Any(n => !ManagedName.IsMatch(n)))
                    {
                        malformed.Add($"line {i + 1}: the ManagedTls column must be — or `Type` / `Type.Member` names, comma-separated: {cells[1]}");
                    }
                }

                rows.Add(new Row(i + 1, line, python, managed, cells[2]));
            }
        }

        return (rows, malformed);
    }

    /// <summary>Splits a Markdown table row on the pipes that are not escaped (<c>\|</c>).</summary>
    private static string[] SplitCells(string line)
    {
        var cells = new List<string>();
        var current = new System.Text.StringBuilder();
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '|')
            {
                current.Append('|');
                i++;
            }
            else if (line[i] == '|')
            {
                cells.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(line[i]);
            }
        }

        cells.Add(current.ToString().Trim());

        // A row starts and ends with a pipe: drop the empty text before the first and after the last.
        return cells.Skip(1).Take(cells.Count - 2).ToArray();
    }

    private static List<string> RecordedNames311()
    {
        var names = File.ReadAllLines(Path.Combine(VectorsPython, "ssl-names-3.11.txt"))
            .Where(l => l.Length > 0).ToList();
        Assert.True(names.Count > 300, $"vectors/python/ssl-names-3.11.txt holds {names.Count} names");
        return names;
    }

    /// <summary>The names of ssl-names-later.txt, by change: '+' added, '-' removed, '=' listed for a note.</summary>
    private static List<(char Change, string Name)> LaterNames()
    {
        var names = new List<(char, string)>();
        foreach (string line in File.ReadAllLines(Path.Combine(VectorsPython, "ssl-names-later.txt")))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            Assert.True(line.Length > 2 && "+-=".Contains(line[0]) && line[1] == ' ', "ssl-names-later.txt: bad line: " + line);
            names.Add((line[0], line[2..].Trim()));
        }

        Assert.NotEmpty(names);
        return names;
    }

    /// <summary>What the live python3 prints for vectors/python/ssl-names.py; null when python3 is not installed.</summary>
    private static List<string>? LiveNames()
    {
        string? output = Oracles.Python(File.ReadAllText(Path.Combine(VectorsPython, "ssl-names.py")));
        return output?.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
    }

    private static HashSet<string> AllPythonNames()
    {
        var all = new HashSet<string>(RecordedNames311(), StringComparer.Ordinal);
        all.UnionWith(LaterNames().Select(n => n.Name));
        all.UnionWith(LiveNames() ?? []);
        return all;
    }

    [Fact]
    public void TheDocumentsNameTablesAreWellFormed()
    {
        var (rows, malformed) = Map.Value;
        Assert.True(rows.Count > 250, $"only {rows.Count} name rows found under the header {TableHeader}");
        Assert.True(malformed.Count == 0, "Malformed rows in docs/python-mapping.md:\n" + string.Join("\n", malformed));
    }

    [Fact]
    public void EveryPythonNameHasARow()
    {
        var mapped = new HashSet<string>(Map.Value.Rows.SelectMany(r => r.Python), StringComparer.Ordinal);
        var missing = AllPythonNames().Where(n => !mapped.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            $"{missing.Count} Python ssl names have no row in docs/python-mapping.md:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void EveryRowNamesAPythonName()
    {
        var known = AllPythonNames();
        var unknown = Map.Value.Rows
            .SelectMany(r => r.Python.Where(n => !known.Contains(n)).Select(n => $"line {r.Line}: {n}"))
            .ToList();
        Assert.True(unknown.Count == 0,
            "Rows name Python names that neither vectors/python list nor python3 has:\n" + string.Join("\n", unknown));
    }

    [Fact]
    public void NoPythonNameHasTwoRows()
    {
        var duplicates = Map.Value.Rows
            .SelectMany(r => r.Python.Select(n => (Name: n, r.Line)))
            .GroupBy(x => x.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: lines {string.Join(", ", g.Select(x => x.Line))}")
            .ToList();
        Assert.True(duplicates.Count == 0, "Python names with more than one row:\n" + string.Join("\n", duplicates));
    }

    [Fact]
    public void EveryStatusIsSameDiffersOrNotOffered()
    {
        var bad = new List<string>();
        foreach (var row in Map.Value.Rows)
        {
            if (!Status.IsMatch(row.Status))
            {
                bad.Add($"line {row.Line}: status is not `same`, `same: note`, `differs: how` or `not offered: why`: {row.Status}");
            }
            else if (row.Managed.Count == 0 && !row.Status.StartsWith("not offered: ", StringComparison.Ordinal))
            {
                bad.Add($"line {row.Line}: no ManagedTls member, so the status must be `not offered: why`: {row.Status}");
            }
        }

        Assert.True(bad.Count == 0, "Bad statuses in docs/python-mapping.md:\n" + string.Join("\n", bad));
    }

    [Fact]
    public void EveryManagedTlsNameIsAPublicMember()
    {
        var missing = Map.Value.Rows
            .SelectMany(r => r.Managed.Select(m => (Member: m, r.Line)))
            .Where(x => !Exists(x.Member))
            .Select(x => $"line {x.Line}: {x.Member}")
            .ToList();
        Assert.True(missing.Count == 0,
            "ManagedTls names in docs/python-mapping.md that are no public type or member of the ManagedTls assembly:\n" +
            string.Join("\n", missing));
    }

    [Fact]
    public void ExistsFindsTypesMembersAndNothingElse()
    {
        Assert.True(Exists("SslContext"));
        Assert.True(Exists("SslContext.SetCiphers"));
        Assert.True(Exists("SslOptions.NoTicket"));
        Assert.True(Exists("Ssl.RandBytes"));
        Assert.True(Exists("SslException.Message"));
        Assert.True(Exists("VerifyFlags.VerifyX509Strict"));
        Assert.False(Exists("SslContext.NoSuchMember"));
        Assert.False(Exists("NoSuchType"));
        Assert.False(Exists("SslContext.Freeze")); // internal
        Assert.False(Exists("TlsConfig.VerifyFlags")); // an internal type
    }

    [Fact]
    public void RecordedListIsWhatTheScriptPrintsOnPython311()
    {
        var recorded = RecordedNames311();
        Assert.Equal(recorded.OrderBy(n => n, StringComparer.Ordinal), recorded);
        Assert.Equal(recorded.Count, recorded.Distinct(StringComparer.Ordinal).Count());
        Assert.All(recorded, n => Assert.Matches(PythonName, n));

        string? version = Oracles.Python("import sys; print('%d.%d' % sys.version_info[:2])")?.Trim();
        if (version == "3.11")
        {
            Assert.Equal(recorded, LiveNames());
        }
    }

    [Fact]
    public void LaterListAddsOnlyNewNamesAndRemovesOnly311Names()
    {
        var recorded = new HashSet<string>(RecordedNames311(), StringComparer.Ordinal);
        var wrong = LaterNames()
            .Where(n => n.Change == '+' ? recorded.Contains(n.Name) : !recorded.Contains(n.Name))
            .Select(n => $"{n.Change} {n.Name}")
            .ToList();
        Assert.True(wrong.Count == 0, "ssl-names-later.txt: added names Python 3.11 has, or removed names it lacks:\n" + string.Join("\n", wrong));
        foreach (string removed in new[] { "ssl.wrap_socket", "ssl.match_hostname", "ssl.RAND_pseudo_bytes" })
        {
            Assert.Contains(('-', removed), LaterNames());
        }
    }

    private const string PurposeScript =
        "import ssl\nfor p in ssl.Purpose:\n    print(p.name, p.nid, p.shortname, p.longname, p.oid, sep='|')";

    // Recorded from python3 (3.11.7, OpenSSL 3.0.19) with PurposeScript.
    private const string RecordedPurpose =
        "SERVER_AUTH|129|serverAuth|TLS Web Server Authentication|1.3.6.1.5.5.7.3.1\n" +
        "CLIENT_AUTH|130|clientAuth|TLS Web Client Authentication|1.3.6.1.5.5.7.3.2\n";

    [Fact]
    public void PurposeFieldsArePythons()
    {
        string ours = string.Concat(new[] { Purpose.ServerAuth, Purpose.ClientAuth }.Select(p =>
            $"{(p == Purpose.ServerAuth ? "SERVER_AUTH" : "CLIENT_AUTH")}|{p.Nid()}|{p.ShortName()}|{p.LongName()}|{p.Oid()}\n"));
        Assert.Equal(RecordedPurpose, ours);
        string? live = Oracles.Python(PurposeScript);
        if (live is not null)
        {
            Assert.Equal(RecordedPurpose, live.Replace("\r\n", "\n"));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => ((Purpose)7).Oid());
        Assert.Throws<ArgumentOutOfRangeException>(() => SslModule.Nid((Purpose)(-1)));
    }

    private static readonly Lazy<ILookup<string, Type>> PublicTypes = new(() =>
        typeof(SslContext).Assembly.GetExportedTypes().ToLookup(t => t.Name, StringComparer.Ordinal));

    /// <summary>Whether <c>Type</c> or <c>Type.Member</c> is a public type (by simple name) or public member of the ManagedTls assembly.</summary>
    private static bool Exists(string name)
    {
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        string typeName = dot < 0 ? name : name[..dot];
        var types = PublicTypes.Value[typeName].ToList();
        if (dot < 0)
        {
            return types.Count > 0;
        }

        string member = name[(dot + 1)..];
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy;
        return types.Any(t => t.GetMember(member, Flags).Length > 0);
    }
}
