namespace ManagedTls.Fuzz;

/// <summary>
/// Random byte-level mutations of corpus inputs (no coverage feedback): bit flips, byte sets to
/// interesting values, inserts, deletes, duplicated or spliced ranges, and length-field nudges.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x10, 0x1f, 0x20, 0x7f, 0x80, 0xfe, 0xff];
    private readonly Random _random = new(seed);

    /// <summary>True for a small share of decodable mutants, which join the pool.</summary>
    public bool Keep() => _random.Next(64) == 0;

    /// <summary>Index in [0, count).</summary>
    public int Next(int count) => _random.Next(count);

    /// <summary>
    /// A mutant (1 to 8 stacked mutations) of a seed, or half of the time of a kept mutant, so the seeds
    /// stay the main starting points and the pool cannot drift to degenerate inputs.
    /// </summary>
    public byte[] Mutate(List<byte[]> seeds, List<byte[]> kept)
    {
        List<byte[]> pool = kept.Count > 0 && _random.Next(2) == 0 ? kept : seeds;
        var data = new List<byte>(pool[_random.Next(pool.Count)]);
        int n = 1 + _random.Next(8);
        for (int i = 0; i < n; i++)
        {
            MutateOnce(data, pool);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> d, List<byte[]> pool)
    {
        int pos = d.Count == 0 ? 0 : _random.Next(d.Count);
        switch (_random.Next(9))
        {
            case 0 when d.Count > 0:
                d[pos] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when d.Count > 0:
                d[pos] = Interesting[_random.Next(Interesting.Length)];
                break;
            case 2:
                d.Insert(pos, (byte)_random.Next(256));
                break;
            case 3 when d.Count > 1:
                d.RemoveRange(pos, Math.Min(d.Count - pos, 1 + _random.Next(16)));
                break;
            case 4 when d.Count > 1:
            {
                int len = Math.Min(d.Count - pos, 1 + _random.Next(32));
                d.InsertRange(_random.Next(d.Count), d.GetRange(pos, len));
                break;
            }

            case 5 when d.Count > 2:
            {
                // Nudge a big-endian 16-bit value (likely a length) by a small amount.
                int p = Math.Min(pos, d.Count - 2);
                int v = (d[p] << 8 | d[p + 1]) + _random.Next(-4, 5);
                d[p] = (byte)(v >> 8);
                d[p + 1] = (byte)v;
                break;
            }

            case 6:
            {
                byte[] other = pool[_random.Next(pool.Count)];
                if (other.Length > 0)
                {
                    int from = _random.Next(other.Length);
                    int len = Math.Min(other.Length - from, 1 + _random.Next(64));
                    d.InsertRange(pos, other.AsSpan(from, len).ToArray());
                }

                break;
            }

            case 7 when d.Count > 1:
                d.RemoveRange(pos, d.Count - pos);
                break;
            default:
                if (d.Count > 0)
                {
                    d[0] = (byte)_random.Next(8);
                }

                break;
        }
    }
}
