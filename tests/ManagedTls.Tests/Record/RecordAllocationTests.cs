using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Record;

/// <summary>
/// Allocation budget of the data path: after warm-up, sealing and opening a 16 KiB record allocates no more
/// than the underlying <see cref="IAead"/> call itself does (the record layer adds nothing of its own; the
/// BouncyCastle-backed AEAD allocates its parameter objects per call), CBC and the deframer allocate nothing.
/// </summary>
public class RecordAllocationTests
{
    private const int Rounds = 64;
    private readonly ITestOutputHelper _output;

    public RecordAllocationTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<int> Aeads() => [0, 1, 2, 3, 4];

    /// <summary>
    /// Bytes allocated per call: the smallest of three measured windows after a warm-up long enough for tiered
    /// compilation to promote the code. One-off allocations by the runtime (call counting, tier-up) land in one
    /// window at most; an allocation made by every call shows in all three.
    /// </summary>
    private static long PerCall(Action action)
    {
        for (int i = 0; i < 64; i++)
        {
            action();
        }

        long least = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Rounds; i++)
            {
                action();
            }

            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds);
        }

        return least;
    }

    private static (RecordProtection Sealer, RecordProtection Opener) Pair(int kind, AeadAlgorithm alg)
    {
        byte[] key = new byte[ManagedTls.Crypto.Aeads.KeySize(alg)];
        return kind switch
        {
            13 => (new Tls13RecordProtection(alg, key, new byte[12], SequenceLimits.For(AeadAlgorithm.ChaCha20Poly1305)),
                   new Tls13RecordProtection(alg, key, new byte[12], SequenceLimits.For(AeadAlgorithm.ChaCha20Poly1305))),
            _ => (new Tls12AeadRecordProtection(alg, key, new byte[Tls12AeadRecordProtection.FixedIvSize(alg)]),
                  new Tls12AeadRecordProtection(alg, key, new byte[Tls12AeadRecordProtection.FixedIvSize(alg)])),
        };
    }

    [Theory]
    [MemberData(nameof(Aeads))]
    public void Aead_record_layer_adds_no_allocation(int algorithm)
    {
        var alg = (AeadAlgorithm)algorithm;
        byte[] content = new byte[16384];
        byte[] record = new byte[16384 + 512];
        byte[] nonce = new byte[12];
        byte[] aad = new byte[13];
        using IAead raw = ManagedTls.Crypto.Aeads.Create(alg, new byte[ManagedTls.Crypto.Aeads.KeySize(alg)]);
        long rawSeal = PerCall(() =>
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(nonce.AsSpan(4)) + 1);
            raw.Seal(nonce, aad, content, record);
        });
        byte[] sealedRaw = record.AsSpan(0, content.Length + raw.TagSize).ToArray();
        long rawOpen = PerCall(() => raw.TryOpen(nonce, aad, sealedRaw, record));

        foreach (int kind in new[] { 13, 12 })
        {
            var (sealer, opener) = Pair(kind, alg);
            using (sealer)
            using (opener)
            {
                long seal = PerCall(() => sealer.Seal(ContentType.ApplicationData, content, record));
                byte[] one = new byte[record.Length];
                sealer.SequenceNumber = opener.SequenceNumber;
                long open = PerCall(() =>
                {
                    int n = sealer.Seal(ContentType.ApplicationData, content, one);
                    opener.Open(ContentType.ApplicationData, 0x0303, one.AsSpan(5, n - 5), out _);
                });
                _output.WriteLine($"{alg} TLS 1.{kind % 10}: raw seal {rawSeal} B, raw open {rawOpen} B; record seal {seal} B, seal+open {open} B");
                Assert.True(seal <= rawSeal, $"record seal allocates {seal} bytes, the AEAD alone {rawSeal}");
                // CCM buffers its input in a growing stream whose size varies by a few bytes between runs.
                Assert.True(open <= rawSeal + rawOpen + 64, $"record seal+open allocates {open} bytes, the AEAD alone {rawSeal + rawOpen}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cbc_seal_and_open_allocate_nothing(bool encryptThenMac)
    {
        var entropy = new FixedEntropy([1, 2, 3]);
        using var sealer = new Tls12CbcRecordProtection(new byte[16], HashAlgorithm.Sha256, new byte[32], encryptThenMac, entropy);
        using var opener = new Tls12CbcRecordProtection(new byte[16], HashAlgorithm.Sha256, new byte[32], encryptThenMac, entropy);
        byte[] content = new byte[16384];
        byte[] record = new byte[16384 + 512];
        long bytes = PerCall(() =>
        {
            int n = sealer.Seal(ContentType.ApplicationData, content, record);
            opener.Open(ContentType.ApplicationData, 0x0303, record.AsSpan(5, n - 5), out _);
        });
        _output.WriteLine($"CBC-SHA256 etm={encryptThenMac}: {bytes} B per seal+open");
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Deframer_allocates_nothing_per_record()
    {
        using var deframer = new RecordDeframer(new RecordReadRules(RecordReadState.Tls13Protected, RecordVersionCheck.Exact));
        byte[] record = RecordDeframerTests.Record(ContentType.ApplicationData, 16384 + 256);
        long bytes = PerCall(() =>
        {
            deframer.Write(record);
            Assert.True(deframer.TryRead(out _));
        });
        Assert.Equal(0, bytes);
    }
}
