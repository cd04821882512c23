using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ManagedTls.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Tests.Crypto;

/// <summary>AesCcm against BouncyCastle's own CcmBlockCipher, which serves as the reference here.</summary>
public class AesCcmTests
{
    private static byte[] ReferenceSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plain, int tagSize)
    {
        var ccm = new CcmBlockCipher(new AesEngine());
        ccm.Init(true, new AeadParameters(new KeyParameter(key), tagSize * 8, nonce, aad));
        return ccm.ProcessPacket(plain, 0, plain.Length);
    }

    [Property(MaxTest = 200)]
    public Property SealMatchesBouncyCastleAndOpens(byte[] plain, byte[] aad, bool ccm8, bool aes256, int nonceSeed)
    {
        if (aad.Length > 600)
        {
            aad = aad.AsSpan(0, 600).ToArray();
        }

        int tagSize = ccm8 ? 8 : 16;
        byte[] key = Hashes.Compute(HashAlgorithm.Sha256, BitConverter.GetBytes(nonceSeed)).AsSpan(0, aes256 ? 32 : 16).ToArray();
        byte[] nonce = Hashes.Compute(HashAlgorithm.Sha1, BitConverter.GetBytes(nonceSeed)).AsSpan(0, 12).ToArray();
        AeadAlgorithm algorithm = (aes256, ccm8) switch
        {
            (false, false) => AeadAlgorithm.Aes128Ccm,
            (false, true) => AeadAlgorithm.Aes128Ccm8,
            (true, false) => AeadAlgorithm.Aes256Ccm,
            (true, true) => AeadAlgorithm.Aes256Ccm8,
        };
        using IAead ccm = Aeads.Create(algorithm, key);
        byte[] output = new byte[plain.Length + tagSize];
        ccm.Seal(nonce, aad, plain, output);
        byte[] expected = ReferenceSeal(key, nonce, aad, plain, tagSize);
        byte[] opened = new byte[plain.Length];
        bool ok = ccm.TryOpen(nonce, aad, output, opened);
        return Prop.ToProperty(output.AsSpan().SequenceEqual(expected) && ok && opened.AsSpan().SequenceEqual(plain));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(13)]
    public void OtherNonceSizesMatchBouncyCastle(int nonceSize)
    {
        byte[] key = new byte[16];
        byte[] nonce = Enumerable.Range(1, nonceSize).Select(i => (byte)i).ToArray();
        byte[] plain = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        using var ccm = new AesCcm(AeadAlgorithm.Aes128Ccm, key, 16, nonceSize);
        byte[] output = new byte[plain.Length + 16];
        ccm.Seal(nonce, [9, 9], plain, output);
        Assert.Equal(ReferenceSeal(key, nonce, [9, 9], plain, 16), output);
    }

    [Fact]
    public void FullRecordMatchesBouncyCastle()
    {
        byte[] key = Enumerable.Range(0, 16).Select(i => (byte)(i * 3)).ToArray();
        byte[] nonce = new byte[12];
        byte[] aad = new byte[13];
        byte[] plain = Enumerable.Range(0, 16384).Select(i => (byte)(i * 7)).ToArray();
        using IAead ccm = Aeads.Create(AeadAlgorithm.Aes128Ccm, key);
        byte[] output = new byte[plain.Length + 16];
        ccm.Seal(nonce, aad, plain, output);
        Assert.Equal(ReferenceSeal(key, nonce, aad, plain, 16), output);
    }

    [Fact]
    public void ParametersAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AesCcm(AeadAlgorithm.Aes128Ccm, new byte[16], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AesCcm(AeadAlgorithm.Aes128Ccm, new byte[16], 16, 6));
        using var ccm = new AesCcm(AeadAlgorithm.Aes128Ccm, new byte[16], 16);
        Assert.Throws<ArgumentException>(() => ccm.Seal(new byte[13], [], [], new byte[16]));
        Assert.Throws<ArgumentException>(() => ccm.Seal(new byte[12], [], [1], new byte[16]));
    }
}
