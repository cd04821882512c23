using ManagedTls.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Tests.Crypto;

/// <summary>
/// The key-derivation key and PRF of implicit rejection against published and independently computed values:
/// draft-irtf-cfrg-rsa-guidance appendix B.1, and <c>Vectors/rsa_implicit_rejection.py</c> (Python hashlib/hmac,
/// which checks itself against the same appendix before printing the values used here and in
/// <see cref="RsaKeyExchangeTests"/>).
/// </summary>
public class RsaImplicitRejectionTests
{
    private static readonly RsaPrivateCrtKeyParameters DraftKey = (RsaPrivateCrtKeyParameters)KeyTestFiles.Load("cfrg-rsa-guidance-2048.pem").Parameters;
    private static readonly RsaPrivateCrtKeyParameters Key = (RsaPrivateCrtKeyParameters)KeyTestFiles.Load("rsa2048.pem").Parameters;

    /// <summary>draft-irtf-cfrg-rsa-guidance appendix B.1: invalid ciphertexts and the substitute messages the draft gives.</summary>
    public static TheoryData<string, string, string> DraftVectors() => new()
    {
        {
            "Invalid with second to last length",
            "1439e08c3f84c1a7fec74ce07614b20e01f6fa4e8c2a6cffdc3520d8889e5d9a950c6425798f85d4be38d300ea5695f13ecd4cb389d1ff5b"
            + "82484b494d6280ab7fa78e645933981cb934cce8bfcd114cc0e6811eefa47aae20af638a1cd163d2d3366186d0a07df0c81f6c9f3171cf35"
            + "61472e98a6006bf75ddb457bed036dcce199369de7d94ef2c68e8467ee0604eea2b3009479162a7891ba5c40cab17f49e1c438cb6eaea4f7"
            + "6ce23cce0e483ff0e96fa790ea15be67671814342d0a23f4a20262b6182e72f3a67cd289711503c85516a9ed225422f98b116f1ab080a80a"
            + "bd6f0216df88d8cfd67c139243be8dd78502a7aaf6bc99d7da71bcdf627e7354",
            "0f9b"
        },
        {
            "Invalid first byte of padding",
            "9b2ec9c0c917c98f1ad3d0119aec6be51ae3106e9af1914d48600ab6a2c0c0c8ae02a2dc3039906ff3aac904af32ec798fd65f3ad1afa2e6"
            + "9400e7c1de81f5728f3b3291f38263bc7a90a0563e43ce7a0d4ee9c0d8a716621ca5d3d081188769ce1b131af7d35b13dea99153579c86db"
            + "31fe07d5a2c14d621b77854e48a8df41b5798563af489a291e417b6a334c63222627376118c02c53b6e86310f728734ffc86ef9d7c8bf56c"
            + "0c841b24b82b59f51aee4526ba1c4268506d301e4ebc498c6aebb6fd5258c876bf900bac8ca4d309dd522f6a6343599a8bc3760f422c10c7"
            + "2d0ad527ce4af1874124ace3d99bb74db8d69d2528db22c3a37644640f95c05f",
            "a1f8c9255c35cfba403ccc"
        },
        {
            "Invalid with null padded ciphertext",
            "006f89db685c0a132700c6a17f88a37a6635d0ab89de4c45dc09736c891ca5bf3401ce34c6e5d51e94ed2f518857ddc12d9f9f9e68e01cdc"
            + "30d86ae5dd83988c0c46a8e39daa1b328a23def551d67fa1964fb15242c83ddd7dd5b1aec720a391d0b86cb16cf4d3c466850c3df88a3ed8"
            + "5993900d1287a0c90c4b04d34ba29e59967661f3f10e0c998f64e14e777e8e81371eca5318b4e0b53414292130c821477c51e2bff844836a"
            + "b10dff293d82e4f40d345968ef268c92ed0bc238f31d50f4d3f759c23964923e135d15527556410fbd2c451d6a2aa852dc88b01139c6fdd8"
            + "26736d8cd3780601b2977b09c080bd8c0fa471606ad59f053ad33d9eeb905f20",
            "2b5dd72df3cae37f1aef"
        },
        {
            "Invalid with padding separator missing",
            "3d1b97e7aa34eaf1f4fc171ceb11dcfffd9a46a5b6961205b10b302818c1fcc9f4ec78bf18ea0cee7e9fa5b16fb4c611463b368b3312ac11"
            + "cf9c06b7cf72b54e284848a508d3f02328c62c2999d0fb60929f81783c7a256891bc2ff4d91df2af96a24fc5701a1823af939ce6dbdc5106"
            + "08e3d41eec172ad2d51b9fc61b4217c923cadcf5bac321355ef8be5e5f090cdc2bd0c697d9058247db3ad613fdce87d2955a6d1c948a5160"
            + "f93da21f731d74137f5d1f53a1923adb513d2e6e1589d44cc079f4c6ddd471d38ac82d20d8b1d21f8d65f3b6907086809f4123e08d86fb38"
            + "729585de026a485d8f0e703fd4772f6668febf67df947b82195fa3867e3a3065",
            "6f09a0b62699337c497b0b"
        },
    };

    [Theory]
    [MemberData(nameof(DraftVectors))]
    public void Kdk_and_prf_reproduce_the_draft_vectors(string title, string ciphertextHex, string expectedHex)
    {
        _ = title;
        byte[] ciphertext = CryptoUtil.FromHex(ciphertextHex);
        int k = 256;
        byte[] kdk = new byte[RsaImplicitRejection.KdkLength];
        RsaImplicitRejection.DeriveKdk(DraftKey, ciphertext, kdk);

        // The draft's general decryption: a k-byte message stream and a length picked from 128 two-byte candidates.
        byte[] message = new byte[k];
        RsaImplicitRejection.Prf(kdk, "message"u8, message);
        byte[] candidates = new byte[256];
        RsaImplicitRejection.Prf(kdk, "length"u8, candidates);
        int maxLength = k - 2 - 8;
        int mask = maxLength;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        int length = 0;
        for (int i = 0; i < candidates.Length; i += 2)
        {
            int candidate = ((candidates[i] << 8) | candidates[i + 1]) & mask;
            length = candidate < maxLength ? candidate : length;
        }

        Assert.Equal(expectedHex, CryptoUtil.ToHex(message.AsSpan(k - length)));
    }

    [Fact]
    public void Kdk_and_prf_match_the_python_values()
    {
        byte[] ciphertext = RsaKeyExchangeTests.RawEncrypt(RsaKeyExchangeTests.ValidBlock());
        byte[] kdk = new byte[32];
        RsaImplicitRejection.DeriveKdk(Key, ciphertext, kdk);
        Assert.Equal("5c6ea277ffad47d81bd7ee91d7b36993a804f91a6fd9afe892a100624dadfc3b", CryptoUtil.ToHex(kdk));

        byte[] lengths = new byte[32];
        RsaImplicitRejection.Prf(kdk, "length"u8, lengths);
        Assert.Equal("f70c3d5acbb30ca33fe471525a810b6a8e3db14670e0d8197dc150651740b0ae", CryptoUtil.ToHex(lengths));

        byte[] substitute = new byte[48];
        RsaImplicitRejection.TlsSubstitute(Key, ciphertext, substitute);
        Assert.Equal("74d75e4e7c36ea1d019b2e8f2a106252ee7401024a70cd617475348d1bfeefe5f8cf8dfee318914676c0ce2ffb1f73b3", CryptoUtil.ToHex(substitute));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(48)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(1000)]
    public void Tls_substitute_matches_a_direct_bouncycastle_computation(int length)
    {
        byte[] ciphertext = new byte[length];
        new Random(length).NextBytes(ciphertext);
        byte[] substitute = new byte[48];
        RsaImplicitRejection.TlsSubstitute(Key, ciphertext, substitute);
        Assert.Equal(ReferenceSubstitute(Key, ciphertext), substitute);
    }

    [Fact]
    public void Prf_refuses_lengths_whose_bit_count_does_not_fit_two_bytes()
    {
        byte[] kdk = new byte[32];
        RsaImplicitRejection.Prf(kdk, "message"u8, new byte[8191]);
        Assert.Throws<ArgumentException>(() => RsaImplicitRejection.Prf(kdk, "message"u8, new byte[8192]));
    }

    /// <summary>
    /// The substitute computed with BouncyCastle's SHA-256 and HMAC classes directly, none of the library's
    /// own hashing: KDK = HMAC(SHA256(I2OSP(d, k)), C); IRPRF(KDK, "message", 384).
    /// </summary>
    internal static byte[] ReferenceSubstitute(RsaPrivateCrtKeyParameters key, byte[] ciphertext)
    {
        int k = (key.Modulus.BitLength + 7) / 8;
        byte[] d = Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(k, key.Exponent);
        var sha = new Sha256Digest();
        sha.BlockUpdate(d, 0, d.Length);
        byte[] dHash = new byte[32];
        sha.DoFinal(dHash, 0);

        var hmac = new HMac(new Sha256Digest());
        hmac.Init(new KeyParameter(dHash));
        hmac.BlockUpdate(ciphertext, 0, ciphertext.Length);
        byte[] kdk = new byte[32];
        hmac.DoFinal(kdk, 0);

        hmac.Init(new KeyParameter(kdk));
        byte[] stream = new byte[64];
        for (int i = 0; i < 2; i++)
        {
            byte[] input = [0, (byte)i, .. "message"u8.ToArray(), 0x01, 0x80];
            hmac.BlockUpdate(input, 0, input.Length);
            hmac.DoFinal(stream, 32 * i);
        }

        return stream[..48];
    }
}
