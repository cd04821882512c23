using System.Diagnostics;
using ManagedTls.Crypto;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Crypto;

/// <summary>
/// The AES-GCM that <see cref="Aeads.Create(AeadAlgorithm, ReadOnlySpan{byte})"/> picks on this machine (the
/// AES-NI/PCLMULQDQ one where the CPU has them, see <see cref="AesGcmHardwareTests"/>) against BouncyCastle
/// (<see cref="AeadImplementation.Portable"/>): byte-identical seals, opens that round-trip, and every
/// tampering rejected with the destination zeroed. Seeds are fixed and printed.
/// </summary>
public class AesGcmDifferentialTests
{
    private const int Seed = 20261203;
    private static readonly AeadAlgorithm[] Algorithms = { AeadAlgorithm.Aes128Gcm, AeadAlgorithm.Aes256Gcm };

    private readonly ITestOutputHelper _output;

    public AesGcmDifferentialTests(ITestOutputHelper output) => _output = output;

    private sealed class Pair : IDisposable
    {
        public Pair(AeadAlgorithm alg, Random rng)
        {
            byte[] key = new byte[Aeads.KeySize(alg)];
            rng.NextBytes(key);
            Fast = Aeads.Create(alg, key, AeadImplementation.Auto);
            Reference = Aeads.Create(alg, key, AeadImplementation.Portable);
        }

        public IAead Fast { get; }

        public IAead Reference { get; }

        public void Dispose()
        {
            Fast.Dispose();
            Reference.Dispose();
        }
    }

    /// <summary>Buffers big enough for every case, reused so that the loop measures ciphers, not the GC.</summary>
    private sealed class Scratch
    {
        public byte[] Nonce { get; } = new byte[12];

        public byte[] Aad { get; } = new byte[4096];

        public byte[] Plain { get; } = new byte[20000];

        public byte[] Expected { get; } = new byte[20016];

        public byte[] Actual { get; } = new byte[20016];

        public byte[] Opened { get; } = new byte[20016];

        /// <summary>Random bytes that AAD and plaintext are cut from (cheaper than drawing every byte anew).</summary>
        public byte[] Pool { get; } = new byte[1 << 16];
    }

    /// <summary>Seals with both, compares, then opens the fast seal with the fast cipher (in place or not).</summary>
    private static void CheckCase(Pair pair, Scratch s, int aadLength, int length, bool inPlace)
    {
        ReadOnlySpan<byte> nonce = s.Nonce;
        ReadOnlySpan<byte> aad = s.Aad.AsSpan(0, aadLength);
        ReadOnlySpan<byte> plain = s.Plain.AsSpan(0, length);
        Span<byte> expected = s.Expected.AsSpan(0, length + 16);
        Span<byte> actual = s.Actual.AsSpan(0, length + 16);
        pair.Reference.Seal(nonce, aad, plain, expected);
        if (inPlace)
        {
            plain.CopyTo(actual);
            pair.Fast.Seal(nonce, aad, actual.Slice(0, length), actual);
        }
        else
        {
            pair.Fast.Seal(nonce, aad, plain, actual);
        }

        if (!expected.SequenceEqual(actual))
        {
            Assert.Fail($"{pair.Fast.Algorithm} seal differs: aad {aadLength}, length {length}, in place {inPlace}, nonce {CryptoUtil.ToHex(nonce)}");
        }

        bool ok;
        Span<byte> opened;
        if (inPlace)
        {
            ok = pair.Fast.TryOpen(nonce, aad, actual, actual);
            opened = actual.Slice(0, length);
        }
        else
        {
            opened = s.Opened.AsSpan(0, length);
            ok = pair.Fast.TryOpen(nonce, aad, expected, opened);
        }

        if (!ok || !opened.SequenceEqual(plain))
        {
            Assert.Fail($"{pair.Fast.Algorithm} open failed: aad {aadLength}, length {length}, in place {inPlace}");
        }
    }

    private static void NextCase(Random rng, Scratch s, int aadLength, int length)
    {
        rng.NextBytes(s.Nonce);
        s.Pool.AsSpan(rng.Next(s.Pool.Length - aadLength), aadLength).CopyTo(s.Aad);
        s.Pool.AsSpan(rng.Next(s.Pool.Length - length), length).CopyTo(s.Plain);
    }

    private static Scratch NewScratch(Random rng)
    {
        var s = new Scratch();
        rng.NextBytes(s.Pool);
        return s;
    }

    /// <summary>Stirs part of the pool between keys.</summary>
    private static void Stir(Random rng, Scratch s) => rng.NextBytes(s.Pool.AsSpan(rng.Next(s.Pool.Length - 512), 512));

    [Fact]
    public void EveryLengthUpTo300WithEveryAadLengthUpTo64MatchesBouncyCastle()
    {
        _output.WriteLine($"seed {Seed}");
        var rng = new Random(Seed);
        var s = NewScratch(rng);
        int cases = 0;
        foreach (AeadAlgorithm alg in Algorithms)
        {
            for (int length = 0; length <= 300; length++)
            {
                using var pair = new Pair(alg, rng);
                for (int aadLength = 0; aadLength <= 64; aadLength++)
                {
                    NextCase(rng, s, aadLength, length);
                    CheckCase(pair, s, aadLength, length, inPlace: (aadLength & 1) == 0);
                    cases++;
                }
            }
        }

        Assert.Equal(2 * 301 * 65, cases);
    }

    [Fact]
    public void AMillionRandomCasesMatchBouncyCastle()
    {
        const int total = 1_000_000;
        _output.WriteLine($"seed {Seed + 1}");
        var rng = new Random(Seed + 1);
        var s = NewScratch(rng);
        var clock = Stopwatch.StartNew();
        int longCases = 0;
        int cases = 0;
        while (cases < total)
        {
            // A fresh random key (and algorithm) every 100 cases.
            using var pair = new Pair(Algorithms[rng.Next(2)], rng);
            Stir(rng, s);
            for (int i = 0; i < 100; i++, cases++)
            {
                int pick = rng.Next(1000);
                int length = pick < 900 ? rng.Next(0, 301)
                    : pick < 990 ? rng.Next(301, 2049)
                    : pick < 999 ? rng.Next(2049, 8193)
                    : rng.Next(16384, 20000);
                if (length >= 16384)
                {
                    longCases++;
                }

                int aadPick = rng.Next(100);
                int aadLength = aadPick < 80 ? rng.Next(0, 65) : aadPick < 95 ? rng.Next(65, 301) : rng.Next(301, 4097);
                NextCase(rng, s, aadLength, length);
                CheckCase(pair, s, aadLength, length, inPlace: rng.Next(2) == 0);
            }
        }

        _output.WriteLine($"{cases} cases ({longCases} of 16 KiB or more) in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(total, cases);
        Assert.True(longCases > 500, $"only {longCases} long cases");
    }

    public static TheoryData<int, int> TamperShapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int length in new[] { 0, 1, 15, 16, 17, 127, 128, 129, 255, 256, 300, 1000, 16385 })
        {
            foreach (int aad in new[] { 0, 13, 64, 129 })
            {
                data.Add(length, aad);
            }
        }

        return data;
    }

    private static bool OpenLeavesZeros(IAead aead, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, byte[] record, bool inPlace, out bool zeroed)
    {
        int plainLen = Math.Max(0, record.Length - 16);
        byte[] buffer = inPlace ? (byte[])record.Clone() : Enumerable.Repeat((byte)0xAA, plainLen).ToArray();
        bool ok = inPlace ? aead.TryOpen(nonce, aad, buffer, buffer) : aead.TryOpen(nonce, aad, record, buffer);
        zeroed = buffer.AsSpan(0, plainLen).IndexOfAnyExcept((byte)0) < 0;
        return ok;
    }

    [Theory]
    [MemberData(nameof(TamperShapes))]
    public void EveryTagBitFlipAndEveryTamperingIsRejectedWithTheDestinationZeroed(int length, int aadLength)
    {
        var rng = new Random(Seed + length + (1000 * aadLength));
        foreach (AeadAlgorithm alg in Algorithms)
        {
            using var pair = new Pair(alg, rng);
            byte[] nonce = new byte[12];
            byte[] aad = new byte[aadLength];
            byte[] plain = new byte[length];
            rng.NextBytes(nonce);
            rng.NextBytes(aad);
            rng.NextBytes(plain);
            byte[] record = new byte[length + 16];
            pair.Fast.Seal(nonce, aad, plain, record);
            byte[] reference = new byte[length + 16];
            pair.Reference.Seal(nonce, aad, plain, reference);
            Assert.Equal(reference, record);

            int rejections = 0;
            void Reject(byte[] candidate, byte[] candidateNonce, byte[] candidateAad, string what)
            {
                foreach (bool inPlace in new[] { false, true })
                {
                    Assert.False(OpenLeavesZeros(pair.Fast, candidateNonce, candidateAad, candidate, inPlace, out bool zeroed), $"{alg} accepted {what}");
                    Assert.True(zeroed || candidate.Length < 16, $"{alg} left plaintext behind after {what}");
                }

                // BouncyCastle agrees that it is a forgery.
                Assert.False(pair.Reference.TryOpen(candidateNonce, candidateAad, candidate, new byte[Math.Max(0, candidate.Length - 16)]));
                rejections++;
            }

            for (int bit = 0; bit < 128; bit++)
            {
                byte[] t = (byte[])record.Clone();
                t[length + (bit / 8)] ^= (byte)(1 << (bit % 8));
                Reject(t, nonce, aad, $"tag bit {bit}");
            }

            for (int i = 0; i < Math.Min(length, 40); i++)
            {
                byte[] t = (byte[])record.Clone();
                int at = length <= 40 ? i : rng.Next(length);
                t[at] ^= (byte)(1 << rng.Next(8));
                Reject(t, nonce, aad, $"ciphertext byte {at}");
            }

            for (int i = 0; i < Math.Min(aadLength, 20); i++)
            {
                byte[] a = (byte[])aad.Clone();
                a[rng.Next(aadLength)] ^= (byte)(1 << rng.Next(8));
                Reject(record, nonce, a, "an AAD bit");
            }

            byte[] otherNonce = (byte[])nonce.Clone();
            otherNonce[11] ^= 1;
            Reject(record, otherNonce, aad, "another nonce");
            Reject(record[..^1], nonce, aad, "a record one byte short");
            Reject([.. record, 0], nonce, aad, "a record one byte long");
            byte[] longerAad = [.. aad, 0];
            Reject(record, nonce, longerAad, "one more AAD byte");
            Assert.False(pair.Fast.TryOpen(nonce, aad, record.AsSpan(0, Math.Min(15, record.Length)), new byte[16]), "shorter than a tag");

            // The cipher is unharmed by the failures.
            byte[] opened = new byte[length];
            Assert.True(pair.Fast.TryOpen(nonce, aad, record, opened));
            Assert.Equal(plain, opened);
            Assert.True(rejections >= 128 + 4);
        }
    }

    [Fact]
    public void SealingTwiceUnderOneNonceThrowsAsBouncyCastleDoes()
    {
        foreach (AeadAlgorithm alg in Algorithms)
        {
            foreach (AeadImplementation impl in new[] { AeadImplementation.Auto, AeadImplementation.Portable })
            {
                using IAead aead = Aeads.Create(alg, new byte[Aeads.KeySize(alg)], impl);
                byte[] nonce = new byte[12];
                byte[] output = new byte[21];
                aead.Seal(nonce, default, new byte[5], output);
                Assert.Throws<ArgumentException>(() => aead.Seal(nonce, default, new byte[5], output));
                nonce[0] = 1;
                aead.Seal(nonce, default, new byte[5], output);
                nonce[0] = 0;
                aead.Seal(nonce, default, new byte[5], output);
            }
        }
    }

    [Fact]
    public void ArgumentsAreCheckedAndDisposeEndsUse()
    {
        foreach (AeadAlgorithm alg in Algorithms)
        {
            IAead aead = Aeads.Create(alg, new byte[Aeads.KeySize(alg)]);
            Assert.Equal(16, aead.TagSize);
            Assert.Equal(12, aead.NonceSize);
            Assert.Equal(Aeads.KeySize(alg), aead.KeySize);
            Assert.Equal(alg, aead.Algorithm);
            Assert.Throws<ArgumentException>(() => aead.Seal(new byte[11], default, new byte[5], new byte[21]));
            Assert.Throws<ArgumentException>(() => aead.Seal(new byte[12], default, new byte[5], new byte[20]));
            Assert.Throws<ArgumentException>(() => aead.TryOpen(new byte[12], default, new byte[21], new byte[4]));
            Assert.Throws<ArgumentException>(() => Aeads.Create(alg, new byte[Aeads.KeySize(alg) - 1]));
            aead.Dispose();
            Assert.Throws<ObjectDisposedException>(() => aead.Seal(new byte[12], default, new byte[5], new byte[21]));
            Assert.Throws<ObjectDisposedException>(() => aead.TryOpen(new byte[12], default, new byte[21], new byte[5]));
        }
    }
}
