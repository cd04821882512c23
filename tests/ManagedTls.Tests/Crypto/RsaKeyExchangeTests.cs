using ManagedTls.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace ManagedTls.Tests.Crypto;

public class RsaKeyExchangeTests
{
    private static readonly PrivateKey Key = KeyTestFiles.Load("rsa2048.pem");
    private static readonly RsaPrivateCrtKeyParameters Parameters = (RsaPrivateCrtKeyParameters)Key.Parameters;

    /// <summary>
    /// Substitutes computed by <c>Vectors/rsa_implicit_rejection.py</c> (an independent Python implementation of
    /// draft-irtf-cfrg-rsa-guidance's KDK and IRPRF) for the ciphertexts <see cref="Ciphertext"/> makes.
    /// </summary>
    private static readonly Dictionary<string, string> PythonSubstitutes = new()
    {
        ["wrong version"] = "74d75e4e7c36ea1d019b2e8f2a106252ee7401024a70cd617475348d1bfeefe5f8cf8dfee318914676c0ce2ffb1f73b3",
        ["first byte 01"] = "ba2c9aa3ca8d579563f1fa3c696b0a4e7a56dd8935b39bd97163289095434e852eeae302787cdb639f4abb1af0273b8b",
        ["second byte 01"] = "ba67fef0258f2609b5d8095e24a347e4873b8cd8950e3042145e82b69123923144348bbda6266c8a246e818d735fd4ef",
        ["zero in padding"] = "1fa44ee93c20813b5f288dc795494939011cc0c55b96158fe32c2c3657ea76729a9d5d62ae4aca73e5eb6c921a0a9117",
        ["no separator"] = "973a0b69c971853c1760c80c748a34469454a0eb2b468d6200c826fd0d254e8dcaa30fa10b715b8a674dd9268798cf8f",
        ["message 47 bytes"] = "dbc8eff29c51debafea34df43176e1042ffd24582f886e76973ed6b88e71021e3302f97d10b9027eb02b99f74e685aeb",
        ["message 49 bytes"] = "d26594c27d6640b890666cf69752a82244d4c85bb261daa5e3cf486e5ee2ae6fe796098eae759cf5ae01f6d5d97b1784",
        ["padding 7 bytes"] = "ee18e38abff72940c109dc11638cc5268a1dd114a7081b2f159ee03c51771e6f5b4fcb789b0f655ffa246a30a24f5602",
        ["ciphertext 255 bytes"] = "430ed0cbf9f8dc8d0bdc18716c9140a72d35d05a75b70097efc8342b675016e5588e0d2c1e8039e9166deb0155d5b51d",
        ["ciphertext 257 bytes"] = "0e068d144c9528f08a1ccd52c4d4f892f58f05cce2f74d31f08c9c4c5cb852ddfcb8e5f7855f6e114e9612dc19fb2912",
        ["ciphertext empty"] = "67b5e48fc045c720b054c7f85353751cb9eaa7d06fb41d173fac9f48e9206d86c6e72827769e5bc5e74429d0feaf3ed8",
        ["ciphertext = modulus"] = "f787f31a7d73ca8ddcb63bf02e5215e70ea15adc8d30c8dc0db2023a5b0aa477bfe8f8b2cd3cf944f3b2fd9519db0ef5",
        ["ciphertext all ff"] = "935e326a17c8082b45ac2043c82c3fca5f5a000bffec0f0e76e09e4b97e526a629732edbe4ce81b12c63a8bce2e533d0",
    };

    public static TheoryData<string> Rejections() => new(PythonSubstitutes.Keys);

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
    public void The_valid_block_decrypts_to_its_message()
    {
        byte[] expected = ValidBlock().AsSpan(256 - 48).ToArray();
        Assert.Equal(expected, RsaKeyExchange.DecryptPremaster(Key, RawEncrypt(ValidBlock()), 0x0303, OsEntropy.Instance));
        Assert.Equal(expected, RsaKeyExchange.DecryptPremaster(Key, RawEncrypt(ValidBlock()), 0x0303, new CountingEntropy(1)));
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Each_rejection_is_the_python_substitute_every_time(string what)
    {
        (byte[] ciphertext, ushort version) = Ciphertext(what);
        byte[] first = RsaKeyExchange.DecryptPremaster(Key, ciphertext, version, OsEntropy.Instance);
        Assert.Equal(PythonSubstitutes[what], CryptoUtil.ToHex(first));

        // The same again, with different blinding entropy: the result does not depend on it.
        Assert.Equal(first, RsaKeyExchange.DecryptPremaster(Key, ciphertext, version, new CountingEntropy(7)));
        Assert.Equal(first, RsaKeyExchange.DecryptPremaster(Key, ciphertext, version, OsEntropy.Instance));
        Assert.Equal(RsaImplicitRejectionTests.ReferenceSubstitute(Parameters, ciphertext), first);
    }

    [Fact]
    public void Every_rejection_differs_from_the_others_and_from_the_real_premaster()
    {
        byte[] real = ValidBlock().AsSpan(256 - 48).ToArray();
        var seen = new HashSet<string> { CryptoUtil.ToHex(real) };
        foreach (string what in PythonSubstitutes.Keys)
        {
            (byte[] ciphertext, ushort version) = Ciphertext(what);
            byte[] result = RsaKeyExchange.DecryptPremaster(Key, ciphertext, version, OsEntropy.Instance);
            Assert.Equal(48, result.Length);
            Assert.True(seen.Add(CryptoUtil.ToHex(result)), what);
        }
    }

    [Fact]
    public void Any_corruption_yields_a_deterministic_substitute_and_no_exception()
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
            Assert.Equal(RsaImplicitRejectionTests.ReferenceSubstitute(Parameters, corrupted), result);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(257)]
    [InlineData(512)]
    public void Wrong_length_ciphertext_yields_its_substitute(int length)
    {
        byte[] ciphertext = new byte[length];
        new Random(length).NextBytes(ciphertext);
        byte[] result = RsaKeyExchange.DecryptPremaster(Key, ciphertext, 0x0303, OsEntropy.Instance);
        Assert.Equal(RsaImplicitRejectionTests.ReferenceSubstitute(Parameters, ciphertext), result);
    }

    [Theory]
    [InlineData(0x0302)]
    [InlineData(0x0301)]
    [InlineData(0x0304)]
    [InlineData(0x0203)]
    public void Wrong_client_version_is_rejected(int version)
    {
        byte[] ciphertext = KeyTestFiles.Read("sigs/premaster.enc");
        byte[] result = RsaKeyExchange.DecryptPremaster(Key, ciphertext, (ushort)version, OsEntropy.Instance);
        Assert.NotEqual(KeyTestFiles.Read("sigs/premaster.bin"), result);
        Assert.Equal(RsaImplicitRejectionTests.ReferenceSubstitute(Parameters, ciphertext), result);
    }

    /// <summary>Plaintexts with 0 to 256 leading zero bytes (made by raw encryption), none a valid block.</summary>
    [Fact]
    public void Small_plaintexts_decrypt_without_exception_to_their_substitutes()
    {
        var random = new Random(11);
        for (int zeros = 0; zeros <= 256; zeros += zeros < 8 ? 1 : 17)
        {
            byte[] block = new byte[256];
            random.NextBytes(block);
            block.AsSpan(0, zeros).Clear();
            if (zeros == 0)
            {
                block[0] = 0x01;
            }
            else if (zeros < 256)
            {
                block[zeros] |= 0x80;
            }

            byte[] ciphertext = RawEncrypt(block);
            byte[] result = RsaKeyExchange.DecryptPremaster(Key, ciphertext, 0x0303, OsEntropy.Instance);
            Assert.Equal(RsaImplicitRejectionTests.ReferenceSubstitute(Parameters, ciphertext), result);
        }
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

    /// <summary>
    /// 00 02, PS = 1 + (i mod 250), 00, 03 03, then bytes i: a valid block for a 256-byte modulus. The Python
    /// script builds the same block.
    /// </summary>
    internal static byte[] ValidBlock()
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

    /// <summary>Raw RSA (block^e mod n), so every byte of the decrypted block is chosen.</summary>
    internal static byte[] RawEncrypt(byte[] block)
    {
        BigInteger c = new BigInteger(1, block).ModPow(Parameters.PublicExponent, Parameters.Modulus);
        return Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(256, c);
    }

    /// <summary>The ciphertext and client version of each rejection case (the Python script makes the same).</summary>
    private static (byte[] Ciphertext, ushort Version) Ciphertext(string what)
    {
        byte[] block = ValidBlock();
        switch (what)
        {
            case "wrong version": return (RawEncrypt(block), 0x0302);
            case "first byte 01": block[0] = 1; break;
            case "second byte 01": block[1] = 1; break;
            case "zero in padding": block[50] = 0; break;
            case "no separator": block[256 - 49] = 0x55; break;
            case "message 47 bytes": block[256 - 49] = 0x55; block[256 - 48] = 0; break;
            case "message 49 bytes": block[256 - 49] = 0x55; block[256 - 50] = 0; break;
            case "padding 7 bytes":
                // 00 02, 7 non-zero bytes, 00, then a 246-byte message: a long message, wrong in length.
                block[9] = 0;
                break;
            case "ciphertext 255 bytes": return (RawEncrypt(block)[1..], 0x0303);
            case "ciphertext 257 bytes": return ([.. RawEncrypt(block), 0], 0x0303);
            case "ciphertext empty": return ([], 0x0303);
            case "ciphertext = modulus": return (Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(256, Parameters.Modulus), 0x0303);
            case "ciphertext all ff": return (Enumerable.Repeat((byte)0xff, 256).ToArray(), 0x0303);
            default: throw new ArgumentException(what);
        }

        return (RawEncrypt(block), 0x0303);
    }

    /// <summary>Deterministic, non-random "entropy" (a byte counter): blinding still works with any r.</summary>
    private sealed class CountingEntropy(byte start) : IEntropySource
    {
        private byte _next = start;

        public void GetBytes(Span<byte> destination)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = _next++;
            }
        }
    }
}
