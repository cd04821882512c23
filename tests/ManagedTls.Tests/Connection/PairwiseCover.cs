namespace ManagedTls.Tests.Connection;

/// <summary>
/// A deterministic all-pairs covering array: rows of dimension values such that every pair of values of every
/// two dimensions occurs in at least one row. Built greedily (each row starts from the first pair still
/// uncovered, then fills the other dimensions, largest first, with the value covering the most new pairs).
/// </summary>
internal static class PairwiseCover
{
    public static List<int[]> Generate(int[] sizes)
    {
        int n = sizes.Length;
        var uncovered = new SortedSet<(int I, int A, int J, int B)>(AllPairs(sizes));
        int[] fillOrder = Enumerable.Range(0, n).OrderByDescending(d => sizes[d]).ThenBy(d => d).ToArray();
        var rows = new List<int[]>();
        while (uncovered.Count > 0)
        {
            var (i, a, j, b) = uncovered.Min;
            int[] row = Enumerable.Repeat(-1, n).ToArray();
            row[i] = a;
            row[j] = b;
            foreach (int d in fillOrder)
            {
                if (row[d] >= 0)
                {
                    continue;
                }

                int best = 0;
                (int New, int Pending) bestScore = (-1, -1);
                for (int v = 0; v < sizes[d]; v++)
                {
                    int fresh = 0;
                    for (int e = 0; e < n; e++)
                    {
                        if (e != d && row[e] >= 0 && uncovered.Contains(Pair(d, v, e, row[e])))
                        {
                            fresh++;
                        }
                    }

                    // Ties go to the value with the most pairs still waiting anywhere, then the lowest value.
                    int pending = uncovered.Count(p => (p.I == d && p.A == v) || (p.J == d && p.B == v));
                    if (fresh > bestScore.New || (fresh == bestScore.New && pending > bestScore.Pending))
                    {
                        best = v;
                        bestScore = (fresh, pending);
                    }
                }

                row[d] = best;
            }

            foreach (var pair in PairsOf(row))
            {
                uncovered.Remove(pair);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Every pair of values of two different dimensions, as (i, a, j, b) with i &lt; j.</summary>
    public static IEnumerable<(int I, int A, int J, int B)> AllPairs(int[] sizes)
    {
        for (int i = 0; i < sizes.Length; i++)
        {
            for (int j = i + 1; j < sizes.Length; j++)
            {
                for (int a = 0; a < sizes[i]; a++)
                {
                    for (int b = 0; b < sizes[j]; b++)
                    {
                        yield return (i, a, j, b);
                    }
                }
            }
        }
    }

    /// <summary>The pairs one row covers.</summary>
    public static IEnumerable<(int I, int A, int J, int B)> PairsOf(int[] row)
    {
        for (int i = 0; i < row.Length; i++)
        {
            for (int j = i + 1; j < row.Length; j++)
            {
                yield return (i, row[i], j, row[j]);
            }
        }
    }

    private static (int I, int A, int J, int B) Pair(int d, int v, int e, int w) => d < e ? (d, v, e, w) : (e, w, d, v);
}
