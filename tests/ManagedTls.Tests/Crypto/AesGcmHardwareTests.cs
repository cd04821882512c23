using System.Runtime.Intrinsics.X86;
using ManagedTls.Crypto;
using ManagedTls.Crypto.Fast;
using ManagedTls.Tests.Record;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Crypto;

/// <summary>
/// The AES-NI/PCLMULQDQ AES-GCM against BouncyCastle (the portable implementation), the McGrew–Viega test
/// cases with 96-bit IVs, and the dispatch that picks it.
/// </summary>
public class AesGcmHardwareTests
{
    private readonly ITestOutputHelper _output;

    public AesGcmHardwareTests(ITestOutputHelper output) => _output = output;

    private static bool CpuHasFlags()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo"))
        {
            return Aes.IsSupported && Pclmulqdq.IsSupported && Sse41.IsSupported;
        }

        string? flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        if (flags is null)
        {
            // Not an x86 /proc/cpuinfo (arm64 says "Features"): no AES-NI.
            return false;
        }

        string[] words = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Contains("aes") && words.Contains("pclmulqdq") && words.Contains("sse4_1") && words.Contains("ssse3");
    }

    [Fact]
    public void HardwarePathIsChosenWhenTheCpuHasTheFlags()
    {
        bool flags = CpuHasFlags();
        _output.WriteLine($"cpu flags aes+pclmulqdq+sse4_1+ssse3: {flags}");
        Assert.Equal(flags, Aeads.HasHardware(AeadAlgorithm.Aes128Gcm));
        Assert.Equal(flags, Aeads.HasHardware(AeadAlgorithm.Aes256Gcm));
        foreach (AeadAlgorithm alg in new[] { AeadAlgorithm.Aes128Gcm, AeadAlgorithm.Aes256Gcm })
        {
            using IAead auto = Aeads.Create(alg, new byte[Aeads.KeySize(alg)]);
            using IAead portable = Aeads.Create(alg, new byte[Aeads.KeySize(alg)], AeadImplementation.Portable);
            Assert.Equal(flags ? typeof(AesGcmIntrinsics) : typeof(BcAead), auto.GetType());
            Assert.IsType<BcAead>(portable);
            if (flags)
            {
                Assert.IsType<AesGcmIntrinsics>(Aeads.Create(alg, new byte[Aeads.KeySize(alg)], AeadImplementation.Hardware));
            }
            else
            {
                Assert.Throws<NotSupportedException>(() => Aeads.Create(alg, new byte[Aeads.KeySize(alg)], AeadImplementation.Hardware));
            }
        }

        // Record protection builds its AEAD through Aeads.Create: the hardware path is what TLS records use.
        Assert.Equal(flags, AesGcmIntrinsics.IsSupported);
    }

    // McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test cases with 96-bit IVs
    // (1–4 AES-128, 13–16 AES-256; 5–6 and 17–18 use other IV lengths, 7–12 AES-192).
    public static TheoryData<int, string, string, string, string, string, string> McGrewViega()
    {
        const string k = "feffe9928665731c6d6a8f9467308308";
        const string iv = "cafebabefacedbaddecaf888";
        const string p = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
        const string a = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
        const string c3 = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985";
        const string c15 = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";
        string zero16 = new('0', 32);
        string zero32 = new('0', 64);
        string zeroIv = new('0', 24);
        return new TheoryData<int, string, string, string, string, string, string>
        {
            { 1, zero16, zeroIv, "", "", "", "58e2fccefa7e3061367f1d57a4e7455a" },
            { 2, zero16, zeroIv, "", zero16, "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf" },
            { 3, k, iv, "", p, c3, "4d5c2af327cd64a62cf35abd2ba6fab4" },
            { 4, k, iv, a, p[..120], c3[..120], "5bc94fbc3221a5db94fae95ae7121a47" },
            { 13, zero32, zeroIv, "", "", "", "530f8afbc74536b9a963b4f1c4cb738b" },
            { 14, zero32, zeroIv, "", zero16, "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
            { 15, k + k, iv, "", p, c15, "b094dac5d93471bdec1a502270e3cc6c" },
            { 16, k + k, iv, a, p[..120], c15[..120], "76fc6ece0f4e1768cddf8853bb2d551b" },
        };
    }

    [Theory]
    [MemberData(nameof(McGrewViega))]
    public void McGrewViegaTestCases(int number, string key, string iv, string aad, string plaintext, string ciphertext, string tag)
    {
        byte[] k = CryptoUtil.FromHex(key);
        AeadAlgorithm alg = k.Length == 16 ? AeadAlgorithm.Aes128Gcm : AeadAlgorithm.Aes256Gcm;
        if (!AesGcmIntrinsics.IsSupported)
        {
            // Without the instructions the type refuses to exist (and Aeads never picks it).
            Assert.Throws<PlatformNotSupportedException>(() => new AesGcmIntrinsics(alg, k));
            return;
        }

        using var aead = new AesGcmIntrinsics(alg, k);
        byte[] pt = CryptoUtil.FromHex(plaintext);
        byte[] sealedRecord = new byte[pt.Length + 16];
        aead.Seal(CryptoUtil.FromHex(iv), CryptoUtil.FromHex(aad), pt, sealedRecord);
        Assert.True(ciphertext + tag == CryptoUtil.ToHex(sealedRecord), $"test case {number}");
        byte[] opened = new byte[pt.Length];
        Assert.True(aead.TryOpen(CryptoUtil.FromHex(iv), CryptoUtil.FromHex(aad), sealedRecord, opened));
        Assert.Equal(pt, opened);
    }

    // RFC 8448 section 3 records (TLS_AES_128_GCM_SHA256): opened and sealed again by the implementation
    // Aeads.Create picks here. Inner plaintext = payload ‖ content type; AAD = the record header;
    // nonce = iv XOR the sequence number.
    [Theory]
    [InlineData(Rfc8448Records.ServerHsKey, Rfc8448Records.ServerHsIv, 0, 0x16, Rfc8448Records.ServerHsPayload, Rfc8448Records.ServerHsRecord)]
    [InlineData(Rfc8448Records.ClientHsKey, Rfc8448Records.ClientHsIv, 0, 0x16, Rfc8448Records.ClientFinishedPayload, Rfc8448Records.ClientFinishedRecord)]
    [InlineData(Rfc8448Records.ServerApKey, Rfc8448Records.ServerApIv, 0, 0x16, Rfc8448Records.TicketPayload, Rfc8448Records.TicketRecord)]
    [InlineData(Rfc8448Records.ClientApKey, Rfc8448Records.ClientApIv, 0, 0x17, Rfc8448Records.ClientAppPayload, Rfc8448Records.ClientAppRecord)]
    [InlineData(Rfc8448Records.ServerApKey, Rfc8448Records.ServerApIv, 1, 0x17, Rfc8448Records.ServerAppPayload, Rfc8448Records.ServerAppRecord)]
    public void Rfc8448RecordsOpenAndSealByteForByte(string key, string iv, long sequence, int type, string payload, string record)
    {
        byte[] nonce = CryptoUtil.FromHex(iv);
        for (int i = 0; i < 8; i++)
        {
            nonce[11 - i] ^= (byte)(sequence >> (8 * i));
        }

        byte[] wire = CryptoUtil.FromHex(record);
        byte[] header = wire[..5];
        byte[] inner = [.. CryptoUtil.FromHex(payload), (byte)type];
        using IAead aead = Aeads.Create(AeadAlgorithm.Aes128Gcm, CryptoUtil.FromHex(key));
        Assert.Equal(AesGcmIntrinsics.IsSupported, aead is AesGcmIntrinsics);
        byte[] opened = new byte[wire.Length - 5 - 16];
        Assert.True(aead.TryOpen(nonce, header, wire.AsSpan(5), opened));
        Assert.Equal(inner, opened);
        byte[] resealed = new byte[inner.Length + 16];
        aead.Seal(nonce, header, inner, resealed);
        Assert.Equal(wire[5..], resealed);
    }
}
