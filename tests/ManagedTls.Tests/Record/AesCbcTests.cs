using ManagedTls.Crypto;

namespace ManagedTls.Tests.Record;

public class AesCbcTests
{
    // NIST SP 800-38A, F.2.1 CBC-AES128.Encrypt and F.2.5 CBC-AES256.Encrypt (first two blocks).
    [Theory]
    [InlineData("2b7e151628aed2a6abf7158809cf4f3c", "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2")]
    [InlineData("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d")]
    public void Nist_sp800_38a_vectors_in_place_and_repeated(string key, string expected)
    {
        byte[] iv = CryptoUtil.FromHex("000102030405060708090a0b0c0d0e0f");
        byte[] plain = CryptoUtil.FromHex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
        using var cbc = new AesCbc(CryptoUtil.FromHex(key));
        for (int round = 0; round < 3; round++)
        {
            byte[] buffer = (byte[])plain.Clone();
            cbc.Encrypt(iv, buffer, buffer);
            Assert.Equal(expected, CryptoUtil.ToHex(buffer));
            byte[] back = new byte[buffer.Length];
            cbc.Decrypt(iv, buffer, back);
            Assert.Equal(CryptoUtil.ToHex(plain), CryptoUtil.ToHex(back));
            cbc.Decrypt(iv, buffer, buffer);
            Assert.Equal(CryptoUtil.ToHex(plain), CryptoUtil.ToHex(buffer));
        }
    }

    [Fact]
    public void Rejects_partial_blocks_and_bad_keys()
    {
        using var cbc = new AesCbc(new byte[16]);
        Assert.Throws<ArgumentException>(() => cbc.Encrypt(new byte[16], new byte[15], new byte[16]));
        Assert.Throws<ArgumentException>(() => cbc.Encrypt(new byte[8], new byte[16], new byte[16]));
        Assert.Throws<ArgumentException>(() => new AesCbc(new byte[20]));
        cbc.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cbc.Encrypt(new byte[16], new byte[16], new byte[16]));
    }
}
