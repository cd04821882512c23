using ManagedTls.Crypto;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace ManagedTls.Tests.Crypto;

public class RsaKeyExchangeTests
{
    private static readonly PrivateKey Key = KeyTestFiles.Load("rsa2048.pem");

    [Fact]
    public void Decrypts_an_openssl_encrypted_premaster()
    {
        byte[] premaster = RsaKeyExchange.DecryptPremaster(Key, KeyTestFiles.Read("sigs/premaster.enc"), 0x0303, OsEntropy.Instance);
        Assert.Equal(KeyTestFiles.Read("sigs/premaster.bin"), premaster);
    }

    [Fact]
    public void Encrypt_then_decrypt()
    {
        byte[] premaster = new byte[48];
        OsEntropy.Instance.GetBytes(premaster);
        premaster[0] = 3;
        premaster[1] = 3;
        byte[] ciphertext = RsaKeyExchange.EncryptPremaster(Key.PublicKey, premaster, OsEntropy.Instance);
        Assert.Equal(256, ciphertext.Length);
        Assert.Equal(premaster, RsaKeyExchange.DecryptPremaster(Key, ciphertext, 0x0303, OsEntropy.Instance));
        Assert.NotEqual(ciphertext, RsaKeyExchange.EncryptPremaster(Key.PublicKey, premaster, OsEntropy.Instance));
    }

    [Fact]
    public void Any_corruption_yields_a_random_premaster_and_no_exception()
    {
        byte[] ciphertext = KeyTestFiles.Read("sigs/premaster.enc");
        byte[] real = KeyTestFiles.Read("sigs/premaster.bin");
        var random = new Random(7);
        for (int i = 0; i < 60; i++)
        {
            byte[] corrupted = (byte[])ciphertext.Clone();
            corrupted[random.Next(corrupted.Length)] ^= (byte)(1 + random.Next(255));
            byte[] result = RsaKeyExchange.DecryptPremaster(Key, corrupted, 0x0303, OsEntropy.Instance);
            Assert.Equal(48, result.Length);
            Assert.NotEqual(real, result);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(257)]
    [InlineData(512)]
    public void Wrong_length_ciphertext_yields_a_random_premaster(int length)
    {
        Assert.Equal(48, RsaKeyExchange.DecryptPremaster(Key, new byte[length], 0x0303, OsEntropy.Instance).Length);
    }

    [Fact]
    public void Ciphertext_not_below_the_modulus_yields_a_random_premaster()
    {
        byte[] modulus = ((RsaKeyParameters)Key.PublicKey.Parameters).Modulus.ToByteArrayUnsigned();
        Assert.Equal(48, RsaKeyExchange.DecryptPremaster(Key, modulus, 0x0303, OsEntropy.Instance).Length);
        byte[] ones = Enumerable.Repeat((byte)0xff, 256).ToArray();
        Assert.Equal(48, RsaKeyExchange.DecryptPremaster(Key, ones, 0x0303, OsEntropy.Instance).Length);
    }

    [Theory]
    [InlineData(0x0302)]
    [InlineData(0x0301)]
    [InlineData(0x0304)]
    [InlineData(0x0203)]
    public void Wrong_client_version_is_rejected(int version)
    {
        byte[] real = KeyTestFiles.Read("sigs/premaster.bin");
        byte[] result = RsaKeyExchange.DecryptPremaster(Key, KeyTestFiles.Read("sigs/premaster.enc"), (ushort)version, OsEntropy.Instance);
        Assert.Equal(48, result.Length);
        Assert.NotEqual(real, result);
    }

    /// <summary>Each wrong padding, encrypted with raw RSA so every byte of the block is chosen.</summary>
    public static TheoryData<string> BadBlocks() => ["first byte 01", "second byte 01", "zero in padding", "no separator", "message 47 bytes", "message 49 bytes", "padding 7 bytes"];

    [Theory]
    [MemberData(nameof(BadBlocks))]
    public void Bad_padding_returns_exactly_the_substitute(string what)
    {
        byte[] block = ValidBlock();
        switch (what)
        {
            case "first byte 01": block[0] = 1; break;
            case "second byte 01": block[1] = 1; break;
            case "zero in padding": block[50] = 0; break;
            case "no separator": block[256 - 49] = 0x55; break;
            case "message 47 bytes": block[256 - 49] = 0x55; block[256 - 48] = 0; break;
            case "message 49 bytes": block[256 - 49] = 0x55; block[256 - 50] = 0; break;
            default:
                // 00 02, 7 non-zero bytes, 00, then a 246-byte message: a long message, wrong in length.
                block[9] = 0;
                break;
        }

        byte[] substitute = new byte[48];
        for (int i = 0; i < 48; i++)
        {
            substitute[i] = (byte)(0xa0 + i);
        }

        byte[] result = RsaKeyExchange.DecryptPremaster(Key, RawEncrypt(block), 0x0303, new FixedThenOs(substitute));
        Assert.Equal(substitute, result);

        // The valid block with the same fixed entropy gives the real message, not the substitute.
        byte[] good = RsaKeyExchange.DecryptPremaster(Key, RawEncrypt(ValidBlock()), 0x0303, new FixedThenOs(substitute));
        Assert.Equal(ValidBlock().AsSpan(256 - 48).ToArray(), good);
    }

    [Fact]
    public void Non_rsa_keys_are_an_internal_error()
    {
        var e = Assert.Throws<TlsAlertException>(() => RsaKeyExchange.DecryptPremaster(KeyTestFiles.Load("rsapss2048.pem"), new byte[256], 0x0303, OsEntropy.Instance));
        Assert.Equal(AlertDescription.InternalError, e.Description);
        Assert.Throws<TlsAlertException>(() => RsaKeyExchange.DecryptPremaster(KeyTestFiles.Load("p256.pem"), new byte[32], 0x0303, OsEntropy.Instance));
        Assert.Throws<TlsAlertException>(() => RsaKeyExchange.EncryptPremaster(KeyTestFiles.Spki("p256.spki.der"), new byte[48], OsEntropy.Instance));
        Assert.Throws<TlsAlertException>(() => RsaKeyExchange.EncryptPremaster(Key.PublicKey, new byte[47], OsEntropy.Instance));
    }

    private static byte[] ValidBlock()
    {
        byte[] block = new byte[256];
        block[1] = 2;
        for (int i = 2; i < 256 - 49; i++)
        {
            block[i] = (byte)(1 + (i % 250));
        }

        block[256 - 48] = 3;
        block[256 - 47] = 3;
        for (int i = 256 - 46; i < 256; i++)
        {
            block[i] = (byte)i;
        }

        return block;
    }

    private static byte[] RawEncrypt(byte[] block)
    {
        var rsa = (RsaKeyParameters)Key.PublicKey.Parameters;
        BigInteger c = new BigInteger(1, block).ModPow(rsa.Exponent, rsa.Modulus);
        return Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(256, c);
    }

    /// <summary>Returns a fixed first draw (the substitute premaster), then real entropy (for the blinding).</summary>
    private sealed class FixedThenOs(byte[] first) : IEntropySource
    {
        private bool _used;

        public void GetBytes(Span<byte> destination)
        {
            if (!_used && destination.Length == first.Length)
            {
                _used = true;
                first.CopyTo(destination);
                return;
            }

            OsEntropy.Instance.GetBytes(destination);
        }
    }
}
