using ManagedTls.Crypto;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Crypto;

public class AeadTests
{
    private readonly ITestOutputHelper _output;

    public AeadTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Algorithms() => new(Enum.GetNames<AeadAlgorithm>());

    private static AeadAlgorithm Parse(string name) => Enum.Parse<AeadAlgorithm>(name);

    private static byte[] Key(AeadAlgorithm alg)
    {
        byte[] key = new byte[Aeads.KeySize(alg)];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = (byte)(0x40 + i);
        }

        return key;
    }

    private static byte[] Nonce(long sequence)
    {
        byte[] nonce = CryptoUtil.FromHex("a0a1a2a3a4a5a6a7a8a9aaab");
        for (int i = 0; i < 8; i++)
        {
            nonce[11 - i] ^= (byte)(sequence >> (8 * i));
        }

        return nonce;
    }

    private static byte[] Pattern(int length, int seed)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)((i * 31) + seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void InPlaceSealAndOpenMatchSeparateBuffers(string name)
    {
        AeadAlgorithm alg = Parse(name);
        using IAead sealer = Aeads.Create(alg, Key(alg));
        using IAead opener = Aeads.Create(alg, Key(alg));
        using IAead reference = Aeads.Create(alg, Key(alg));
        byte[] aad = Pattern(13, 7);
        foreach (int length in new[] { 0, 1, 15, 16, 17, 63, 64, 65, 1000, 16384 })
        {
            byte[] nonce = Nonce(length);
            byte[] plain = Pattern(length, length);

            byte[] separate = new byte[length + sealer.TagSize];
            reference.Seal(nonce, aad, plain, separate);

            byte[] buffer = new byte[length + sealer.TagSize];
            plain.CopyTo(buffer, 0);
            sealer.Seal(nonce, aad, buffer.AsSpan(0, length), buffer);
            Assert.Equal(separate, buffer);

            Assert.True(opener.TryOpen(nonce, aad, buffer, buffer));
            Assert.Equal(plain, buffer.AsSpan(0, length).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void KeyScheduleReuseGivesSameResultAsFreshInstance(string name)
    {
        AeadAlgorithm alg = Parse(name);
        using IAead longLived = Aeads.Create(alg, Key(alg));
        byte[] aad = Pattern(5, 1);
        for (long seq = 0; seq < 5; seq++)
        {
            byte[] plain = Pattern(100 + (int)seq, (int)seq);
            byte[] a = new byte[plain.Length + longLived.TagSize];
            byte[] b = new byte[a.Length];
            longLived.Seal(Nonce(seq), aad, plain, a);
            using (IAead fresh = Aeads.Create(alg, Key(alg)))
            {
                fresh.Seal(Nonce(seq), aad, plain, b);
            }

            Assert.Equal(b, a);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void WrongTagFailsAndZeroesDestination(string name)
    {
        AeadAlgorithm alg = Parse(name);
        using IAead aead = Aeads.Create(alg, Key(alg));
        byte[] plain = Pattern(300, 3);
        byte[] sealedData = new byte[plain.Length + aead.TagSize];
        aead.Seal(Nonce(1), [], plain, sealedData);

        foreach (int flip in new[] { 0, 150, sealedData.Length - 1 })
        {
            byte[] tampered = (byte[])sealedData.Clone();
            tampered[flip] ^= 0x01;
            byte[] dest = Enumerable.Repeat((byte)0xee, plain.Length).ToArray();
            Assert.False(aead.TryOpen(Nonce(1), [], tampered, dest));
            Assert.All(dest, b => Assert.Equal(0, b));

            // In place: the buffer's plaintext part is zeroed too.
            Assert.False(aead.TryOpen(Nonce(1), [], tampered, tampered));
            Assert.All(tampered.Take(plain.Length), b => Assert.Equal(0, b));
        }

        // Wrong associated data and wrong nonce fail as well; the opener still works afterwards.
        byte[] output = new byte[plain.Length];
        Assert.False(aead.TryOpen(Nonce(1), [1], sealedData, output));
        Assert.False(aead.TryOpen(Nonce(2), [], sealedData, output));
        Assert.True(aead.TryOpen(Nonce(1), [], sealedData, output));
        Assert.Equal(plain, output);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void ShortInputFailsWithoutThrowing(string name)
    {
        AeadAlgorithm alg = Parse(name);
        using IAead aead = Aeads.Create(alg, Key(alg));
        Assert.False(aead.TryOpen(Nonce(0), [], new byte[aead.TagSize - 1], new byte[16]));
        Assert.False(aead.TryOpen(Nonce(0), [], new byte[aead.TagSize], new byte[16]));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void SealingTwiceWithOneNonceIsRefused(string name)
    {
        AeadAlgorithm alg = Parse(name);
        using IAead aead = Aeads.Create(alg, Key(alg));
        byte[] output = new byte[10 + aead.TagSize];
        aead.Seal(Nonce(7), [], new byte[10], output);
        Assert.Throws<ArgumentException>(() => aead.Seal(Nonce(7), [], new byte[10], output));
        aead.Seal(Nonce(8), [], new byte[10], output);

        // Opening is not affected by the guard.
        byte[] plain = new byte[10];
        Assert.True(aead.TryOpen(Nonce(8), [], output, plain));
        Assert.True(aead.TryOpen(Nonce(8), [], output, plain));
    }

    [Fact]
    public void WrongKeyOrNonceSizeIsRejected()
    {
        Assert.Throws<ArgumentException>(() => Aeads.Create(AeadAlgorithm.Aes128Gcm, new byte[32]));
        using IAead aead = Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32]);
        Assert.Throws<ArgumentException>(() => aead.Seal(new byte[8], [], [], new byte[16]));
    }

    [Fact]
    public void DisposedAeadRefusesWork()
    {
        IAead aead = Aeads.Create(AeadAlgorithm.Aes128Gcm, new byte[16]);
        aead.Dispose();
        Assert.Throws<ObjectDisposedException>(() => aead.Seal(Nonce(0), [], [], new byte[16]));
    }

    /// <summary>
    /// Bytes allocated by one 16 KiB seal and one 16 KiB open after warm-up. The bounds are the measured
    /// values on net10.0 rounded up a little. GCM and ChaCha20-Poly1305 allocate small per-message state
    /// arrays inside BouncyCastle's Init/DoFinal (GCM: counter, hash and buffer blocks and the nonce copy;
    /// ChaCha20-Poly1305: the IV copies and the one-time Poly1305 key), which cannot be avoided through its
    /// API; CCM is our own mode over BouncyCastle's AES and allocates nothing. A change that makes the data path allocate per byte fails here.
    /// </summary>
    [Theory]
    [InlineData("Aes128Gcm", 576, 640)] // measured 560 / 576
    [InlineData("Aes256Gcm", 576, 640)] // measured 560 / 576
    [InlineData("ChaCha20Poly1305", 256, 320)] // measured 232 / 312
    [InlineData("Aes128Ccm", 0, 0)] // measured 0 / 0 (AesCcm)
    [InlineData("Aes128Ccm8", 0, 0)] // measured 0 / 0 (AesCcm)
    [InlineData("Aes256Ccm", 0, 0)] // AesCcm, as above
    [InlineData("Aes256Ccm8", 0, 0)] // AesCcm, as above
    public void AllocationPerRecordIsBounded(string name, long maxSealBytes, long maxOpenBytes)
    {
        AeadAlgorithm alg = Parse(name);
        using IAead aead = Aeads.Create(alg, Key(alg));
        byte[] record = new byte[16384 + aead.TagSize];
        byte[] aad = new byte[13];
        const int rounds = 16;
        const int warmUp = 64;
        const int windows = 3;
        long sequence = 0;
        byte[][] nonces = Enumerable.Range(0, warmUp + (windows * rounds)).Select(i => Nonce(i)).ToArray();

        // Warm up both directions past tiered compilation (first Init keys the cipher, buffers grow to size).
        for (int i = 0; i < warmUp; i++)
        {
            byte[] n = nonces[sequence++];
            aead.Seal(n, aad, record.AsSpan(0, 16384), record);
            Assert.True(aead.TryOpen(n, aad, record, record));
        }

        // The least of three windows: a one-off runtime allocation lands in one window at most, while an
        // allocation every record makes shows in all of them.
        long sealBytes = long.MaxValue;
        long openBytes = long.MaxValue;
        for (int w = 0; w < windows; w++)
        {
            long seal = 0;
            long open = 0;
            for (int i = 0; i < rounds; i++)
            {
                byte[] n = nonces[sequence++];
                long before = GC.GetAllocatedBytesForCurrentThread();
                aead.Seal(n, aad, record.AsSpan(0, 16384), record);
                long middle = GC.GetAllocatedBytesForCurrentThread();
                bool ok = aead.TryOpen(n, aad, record, record);
                long after = GC.GetAllocatedBytesForCurrentThread();
                Assert.True(ok);
                seal += middle - before;
                open += after - middle;
            }

            sealBytes = Math.Min(sealBytes, seal / rounds);
            openBytes = Math.Min(openBytes, open / rounds);
        }

        _output.WriteLine($"{alg}: seal {sealBytes} B, open {openBytes} B per 16 KiB record");
        Assert.InRange(sealBytes, 0, maxSealBytes);
        Assert.InRange(openBytes, 0, maxOpenBytes);
    }
}
