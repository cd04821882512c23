using System.Runtime.CompilerServices;

namespace ManagedTls.Crypto;

/// <summary>Constant-time comparison, wiping and hex helpers shared by every layer.</summary>
internal static class CryptoUtil
{
    /// <summary>Compares two spans in time that depends only on their lengths.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static bool FixedTimeEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        int diff = 0;
        for (int i = 0; i < left.Length; i++)
        {
            diff |= left[i] ^ right[i];
        }

        return diff == 0;
    }

    /// <summary>Overwrites a secret with zeros in a way the JIT does not elide.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static void Wipe(Span<byte> secret) => secret.Clear();

    /// <summary>Overwrites a secret array with zeros; null is ignored.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static void Wipe(byte[]? secret)
    {
        if (secret is not null)
        {
            Array.Clear(secret, 0, secret.Length);
        }
    }

    /// <summary>Lower-case hex of the bytes.</summary>
    public static string ToHex(ReadOnlySpan<byte> data)
    {
        const string digits = "0123456789abcdef";
        char[] chars = new char[data.Length * 2];
        for (int i = 0; i < data.Length; i++)
        {
            chars[2 * i] = digits[data[i] >> 4];
            chars[(2 * i) + 1] = digits[data[i] & 0xf];
        }

        return new string(chars);
    }

    /// <summary>Parses hex, ignoring white space; throws <see cref="FormatException"/> on anything else.</summary>
    public static byte[] FromHex(string hex)
    {
        var clean = new System.Text.StringBuilder(hex.Length);
        foreach (char c in hex)
        {
            if (!char.IsWhiteSpace(c))
            {
                clean.Append(c);
            }
        }

        if (clean.Length % 2 != 0)
        {
            throw new FormatException("hex string has an odd number of digits");
        }

        byte[] result = new byte[clean.Length / 2];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (byte)((Nibble(clean[2 * i]) << 4) | Nibble(clean[(2 * i) + 1]));
        }

        return result;
    }

    private static int Nibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => throw new FormatException($"'{c}' is not a hex digit"),
    };
}
