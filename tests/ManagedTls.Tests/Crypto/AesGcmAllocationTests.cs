using ManagedTls.Crypto;
using ManagedTls.Crypto.Fast;
using ManagedTls.Record;
using ManagedTls.Wire;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Crypto;

/// <summary>
/// With the hardware AES-GCM, sealing and opening a 16 KiB record allocates nothing at all: neither the AEAD
/// nor the TLS 1.3 and TLS 1.2 record layers over it.
/// </summary>
public class AesGcmAllocationTests
{
    private const int Rounds = 64;
    private readonly ITestOutputHelper _output;

    public AesGcmAllocationTests(ITestOutputHelper output) => _output = output;

    /// <summary>Least bytes per call over three windows after a warm-up (one-off runtime allocations land in one window at most).</summary>
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

    [Theory]
    [InlineData("Aes128Gcm")]
    [InlineData("Aes256Gcm")]
    public void HardwareAesGcmRecordsAllocateNothing(string name)
    {
        AeadAlgorithm alg = Enum.Parse<AeadAlgorithm>(name);
        Assert.Equal(AesGcmIntrinsics.IsSupported, Aeads.HasHardware(alg));
        if (!AesGcmIntrinsics.IsSupported)
        {
            // Nothing to measure without the instructions; the dispatch test proves this machine's answer.
            Assert.Throws<NotSupportedException>(() => Aeads.Create(alg, new byte[Aeads.KeySize(alg)], AeadImplementation.Hardware));
            return;
        }

        byte[] key = new byte[Aeads.KeySize(alg)];
        byte[] content = new byte[16384];
        byte[] record = new byte[16384 + 512];
        byte[] nonce = new byte[12];
        byte[] aad = new byte[13];
        using IAead raw = Aeads.Create(alg, key, AeadImplementation.Hardware);
        long sequence = 0;
        long rawSeal = PerCall(() =>
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), ++sequence);
            raw.Seal(nonce, aad, content, record);
        });
        byte[] sealedRaw = record.AsSpan(0, content.Length + 16).ToArray();
        long rawOpen = PerCall(() => Assert.True(raw.TryOpen(nonce, aad, sealedRaw, record)));
        _output.WriteLine($"{alg}: raw seal {rawSeal} B, raw open {rawOpen} B");
        Assert.Equal(0, rawSeal);
        Assert.Equal(0, rawOpen);

        RecordProtection[] sealers =
        [
            new Tls13RecordProtection(alg, key, new byte[12], SequenceLimits.For(alg)),
            new Tls12AeadRecordProtection(alg, key, new byte[Tls12AeadRecordProtection.FixedIvSize(alg)]),
        ];
        RecordProtection[] openers =
        [
            new Tls13RecordProtection(alg, key, new byte[12], SequenceLimits.For(alg)),
            new Tls12AeadRecordProtection(alg, key, new byte[Tls12AeadRecordProtection.FixedIvSize(alg)]),
        ];
        for (int i = 0; i < sealers.Length; i++)
        {
            using RecordProtection sealer = sealers[i];
            using RecordProtection opener = openers[i];
            byte[] one = new byte[record.Length];
            long bytes = PerCall(() =>
            {
                int n = sealer.Seal(ContentType.ApplicationData, content, one);
                opener.Open(ContentType.ApplicationData, 0x0303, one.AsSpan(5, n - 5), out _);
            });
            _output.WriteLine($"{alg} {sealer.GetType().Name}: {bytes} B per record sealed and opened");
            Assert.Equal(0, bytes);
        }
    }
}
