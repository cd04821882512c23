using ManagedTls.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;

namespace ManagedTls.Tests.Crypto;

public class RsaFixedWidthTests
{
    private static readonly RsaPrivateCrtKeyParameters Key = (RsaPrivateCrtKeyParameters)KeyTestFiles.Load("rsa2048.pem").Parameters;

    /// <summary>k = 256 for the test key; every count of leading zero bytes from none to all.</summary>
    public static TheoryData<int> LeadingZeroCounts()
    {
        var data = new TheoryData<int>();
        for (int zeros = 0; zeros <= 256; zeros++)
        {
            data.Add(zeros);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LeadingZeroCounts))]
    public void Unblinding_writes_k_bytes_whatever_the_leading_zeros(int zeros)
    {
        BigInteger n = Key.Modulus;
        byte[] expected = WithLeadingZeros(zeros, n, seed: zeros);
        var m = new BigInteger(1, expected);

        var random = new Random(1000 + zeros);
        for (int round = 0; round < 3; round++)
        {
            BigInteger r = RandomBelow(n, random);
            BigInteger blinded = m.Multiply(r).Mod(n);
            byte[] output = new byte[256];
            output.AsSpan().Fill(0xee);
            RsaFixedWidth.Unblind(n, blinded, BigIntegers.ModOddInverse(n, r), output);
            Assert.Equal(expected, output);
        }
    }

    [Theory]
    [MemberData(nameof(LeadingZeroCounts))]
    public void Private_operation_writes_k_bytes_whatever_the_leading_zeros(int zeros)
    {
        // c = x^e mod n for a chosen x, so c^d mod n = x has exactly `zeros` leading zero bytes.
        byte[] expected = WithLeadingZeros(zeros, Key.Modulus, seed: 7 * zeros);
        BigInteger c = new BigInteger(1, expected).ModPow(Key.PublicExponent, Key.Modulus);
        byte[] output = new byte[256];
        RsaKeyExchange.DecryptToFixedLength(Key, c, OsEntropy.Instance, output);
        Assert.Equal(expected, output);
    }

    [Theory]
    [InlineData(59 * 8)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(1023)]
    [InlineData(2048)]
    [InlineData(2049)]
    [InlineData(3072)]
    [InlineData(4100)]
    public void Montgomery_multiplication_matches_biginteger_arithmetic(int bits)
    {
        var random = new Random(bits);
        int k = (bits + 7) / 8;
        byte[] modulusBytes = new byte[k];
        random.NextBytes(modulusBytes);
        BigInteger n = new BigInteger(1, modulusBytes).ShiftRight((8 * k) - bits).SetBit(bits - 1).SetBit(0);
        int words = (k + 3) / 4;
        uint[] modulus = RsaFixedWidth.ToWords(n, words);
        uint inverse = RsaFixedWidth.NegativeInverse(modulus[0]);
        Assert.Equal(uint.MaxValue, unchecked(modulus[0] * inverse));
        BigInteger rInverse = BigInteger.One.ShiftLeft(32 * words).ModInverse(n);

        BigInteger nMinus1 = n.Subtract(BigInteger.One);
        BigInteger[] edges = [BigInteger.Zero, BigInteger.One, BigInteger.Two, nMinus1, n.ShiftRight(1), BigInteger.One.ShiftLeft(bits - 9)];
        var cases = new List<(BigInteger A, BigInteger B)>();
        foreach (BigInteger a in edges)
        {
            foreach (BigInteger b in edges)
            {
                cases.Add((a, b));
            }
        }

        for (int i = 0; i < 40; i++)
        {
            cases.Add((RandomBelow(n, random), RandomBelow(n, random)));
        }

        foreach (var (a, b) in cases)
        {
            uint[] product = new uint[words];
            RsaFixedWidth.MontgomeryMultiply(RsaFixedWidth.ToWords(a, words), RsaFixedWidth.ToWords(b, words), modulus, inverse, product);
            BigInteger expected = a.Multiply(b).Multiply(rInverse).Mod(n);
            byte[] bytes = new byte[k];
            RsaFixedWidth.WordsToBigEndian(product, bytes);
            Assert.Equal(BigIntegers.AsUnsignedByteArray(k, expected), bytes);
        }
    }

    [Fact]
    public void Words_to_big_endian_keeps_leading_zero_bytes()
    {
        uint[] words = [0x04030201, 0x08070605, 0x00000009];
        byte[] nine = new byte[9];
        RsaFixedWidth.WordsToBigEndian(words, nine);
        Assert.Equal(CryptoUtil.FromHex("090807060504030201"), nine);

        byte[] eleven = new byte[11];
        eleven.AsSpan().Fill(0xff);
        RsaFixedWidth.WordsToBigEndian(words, eleven);
        Assert.Equal(CryptoUtil.FromHex("0000090807060504030201"), eleven);

        byte[] twelve = new byte[12];
        RsaFixedWidth.WordsToBigEndian(words, twelve);
        Assert.Equal(CryptoUtil.FromHex("000000090807060504030201"), twelve);

        byte[] zero = new byte[12];
        zero.AsSpan().Fill(0xff);
        RsaFixedWidth.WordsToBigEndian(new uint[3], zero);
        Assert.Equal(new byte[12], zero);
        Assert.Throws<ArgumentException>(() => RsaFixedWidth.WordsToBigEndian(words, new byte[13]));
    }

    [Fact]
    public void Unblind_refuses_inputs_it_cannot_handle()
    {
        BigInteger n = Key.Modulus;
        Assert.Throws<ArgumentException>(() => RsaFixedWidth.Unblind(n, BigInteger.One, BigInteger.One, new byte[255]));
        Assert.Throws<ArgumentException>(() => RsaFixedWidth.Unblind(n, n, BigInteger.One, new byte[256]));
        Assert.Throws<ArgumentException>(() => RsaFixedWidth.Unblind(n, BigInteger.One, BigInteger.Zero, new byte[256]));
        Assert.Throws<ArgumentException>(() => RsaFixedWidth.Unblind(n.Add(BigInteger.One), BigInteger.One, BigInteger.One, new byte[256]));
    }

    /// <summary>k = 256 bytes of which the first <paramref name="zeros"/> are zero and the next is not; below n.</summary>
    private static byte[] WithLeadingZeros(int zeros, BigInteger n, int seed)
    {
        byte[] value = new byte[256];
        new Random(seed).NextBytes(value);
        value.AsSpan(0, zeros).Clear();
        if (zeros == 0)
        {
            // Below n: n minus a random 64-bit number.
            return BigIntegers.AsUnsignedByteArray(256, n.Subtract(new BigInteger(1, value.AsSpan(0, 8).ToArray())).Subtract(BigInteger.One));
        }

        if (zeros < 256)
        {
            value[zeros] |= 0x80;
        }

        return value;
    }

    private static BigInteger RandomBelow(BigInteger n, Random random)
    {
        byte[] bytes = new byte[(n.BitLength + 7) / 8 + 8];
        random.NextBytes(bytes);
        return new BigInteger(1, bytes).Mod(n);
    }
}
