namespace ManagedTls.Crypto;

/// <summary>
/// A deterministic <see cref="IEntropySource"/> for tests and known-answer runs: it hands out the bytes it
/// was given, in order, and fails loudly when they run out (a replayed handshake that asks for more
/// randomness than was recorded has diverged). With <c>repeat</c> set it cycles instead.
/// </summary>
internal sealed class ReplayEntropy : IEntropySource
{
    private readonly byte[] _data;
    private readonly bool _repeat;
    private int _position;

    /// <summary>Creates a source that returns <paramref name="data"/> (copied).</summary>
    /// <param name="data">The bytes to hand out.</param>
    /// <param name="repeat">Cycle through the bytes forever instead of failing at the end.</param>
    public ReplayEntropy(ReadOnlySpan<byte> data, bool repeat = false)
    {
        if (data.IsEmpty && repeat)
        {
            throw new ArgumentException("a repeating source needs at least one byte", nameof(data));
        }

        _data = data.ToArray();
        _repeat = repeat;
    }

    /// <summary>Creates a source from hex.</summary>
    public static ReplayEntropy FromHex(string hex, bool repeat = false) => new(CryptoUtil.FromHex(hex), repeat);

    /// <summary>Bytes not yet handed out (for a non-repeating source).</summary>
    public int Remaining => _data.Length - _position;

    /// <inheritdoc />
    public void GetBytes(Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            if (_position == _data.Length)
            {
                if (!_repeat)
                {
                    throw new InvalidOperationException($"replayed entropy exhausted after {_data.Length} bytes");
                }

                _position = 0;
            }

            int n = Math.Min(destination.Length - done, _data.Length - _position);
            _data.AsSpan(_position, n).CopyTo(destination.Slice(done));
            _position += n;
            done += n;
        }
    }
}
