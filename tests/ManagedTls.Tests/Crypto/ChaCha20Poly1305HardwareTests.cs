using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using ManagedTls.Crypto;
using ManagedTls.Crypto.Fast;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Crypto;

/// <summary>
/// The vector-instruction ChaCha20-Poly1305 (<see cref="ChaCha20Poly1305Intrinsics"/>): RFC 8439 vectors (sections
/// 2.4.2, 2.5.2, 2.8.2 and appendix A.1 to A.5) on both vector widths, and a differential run against BouncyCastle
/// (<see cref="AeadImplementation.Portable"/>) over more than a million random cases, tag failures included.
/// </summary>
public class ChaCha20Poly1305HardwareTests
{
    private const int Seed = 0x8439;
    private readonly ITestOutputHelper _output;

    public ChaCha20Poly1305HardwareTests(ITestOutputHelper output) => _output = output;

    /// <summary>The vector widths this CPU can run: AVX2 (eight blocks) and SSSE3 (four blocks).</summary>
    public static TheoryData<bool> Widths()
    {
        var data = new TheoryData<bool>();
        if (Avx2.IsSupported)
        {
            data.Add(true);
        }

        if (Ssse3.IsSupported)
        {
            data.Add(false);
        }

        return data;
    }

    private static bool[] WidthList() =>
        new[] { true, false }.Where(avx2 => avx2 ? Avx2.IsSupported : Ssse3.IsSupported).ToArray();

    private static byte[] Hex(string hex) => CryptoUtil.FromHex(hex);

    private static readonly string Sunscreen =
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";

    // RFC 8439 A.2 test vector #2 plaintext (375 bytes), also A.3 test vectors #2 and #3.
    private const string IetfText =
        "416e79207375626d697373696f6e20746f20746865204945544620696e74656e6465642062792074686520436f6e7472696275746f7220666f72207075626c69" +
        "636174696f6e20617320616c6c206f722070617274206f6620616e204945544620496e7465726e65742d4472616674206f722052464320616e6420616e792073" +
        "746174656d656e74206d6164652077697468696e2074686520636f6e74657874206f6620616e204945544620616374697669747920697320636f6e7369646572" +
        "656420616e20224945544620436f6e747269627574696f6e222e20537563682073746174656d656e747320696e636c756465206f72616c2073746174656d656e" +
        "747320696e20494554462073657373696f6e732c2061732077656c6c206173207772697474656e20616e6420656c656374726f6e696320636f6d6d756e696361" +
        "74696f6e73206d61646520617420616e792074696d65206f7220706c6163652c207768696368206172652061646472657373656420746f";

    // RFC 8439 A.2 test vector #3 plaintext (the Jabberwocky lines), also A.3 test vector #4.
    private const string Jabberwocky =
        "2754776173206272696c6c69672c20616e642074686520736c6974687920746f7665730a446964206779726520616e642067696d626c6520696e207468652077" +
        "6162653a0a416c6c206d696d737920776572652074686520626f726f676f7665732c0a416e6420746865206d6f6d65207261746873206f757467726162652e";

    private const string ZeroKey = "0000000000000000000000000000000000000000000000000000000000000000";
    private const string OneKey = "0000000000000000000000000000000000000000000000000000000000000001";
    private const string JabberKey = "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";

    /// <summary>ChaCha20 vectors: key, nonce, counter, plaintext (empty: keystream), expected output.</summary>
    public static TheoryData<string, string, string, uint, string, string> ChaCha20Vectors()
    {
        var data = new TheoryData<string, string, string, uint, string, string>
        {
            { "2.4.2", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "000000000000004a00000000", 1,
              Convert.ToHexString(Encoding.ASCII.GetBytes(Sunscreen)),
              "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8" +
              "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d" },
            { "A.1 #1", ZeroKey, "000000000000000000000000", 0, "",
              "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586" },
            { "A.1 #2", ZeroKey, "000000000000000000000000", 1, "",
              "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f" },
            { "A.1 #3", OneKey, "000000000000000000000000", 1, "",
              "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0" },
            { "A.1 #4", "00ff000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", 2, "",
              "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096" },
            { "A.1 #5", ZeroKey, "000000000000000000000002", 0, "",
              "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c78a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d" },
            { "A.2 #1", ZeroKey, "000000000000000000000000", 0, new string('0', 128),
              "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586" },
            { "A.2 #2", OneKey, "000000000000000000000002", 1, IetfText,
              "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec2a97948bd3722915c8f3d337f7d370050e9e96d647b7c39f56e031ca5eb6250d" +
              "4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7c6132f420e52795042bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85a" +
              "d00f8449ed8f72d0d662ab052691ca66424bc86d2df80ea41f43abf937d3259dc4b2d0dfb48a6c9139ddd7f76966e928e635553ba76c5c879d7b35d49eb2e62b" +
              "0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf3daa8b6ccc3aaf9f3979c92b3720fc88dc95ed84a1be059c6499b9fda236e7e818b04b0b" +
              "c39c1e876b193bfe5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f5869ca52c5b83fa36ff216b9c1d30062bebcfd2dc5bce0911934fda79a86f6e6" +
              "98ced759c3ff9b6477338f3da4f9cd8514ea9982ccafb341b2384dd902f3d1ab7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221" },
            { "A.2 #3", JabberKey, "000000000000000000000002", 42, Jabberwocky,
              "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf166d3df2d721caf9b21e5fb14c616871fd84c54f9d65b283196c7fe4f60553eb" +
              "f39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f7704c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1" },

            // A.4: Poly1305 key generation is the first 32 bytes of block 0.
            { "A.4 #1", ZeroKey, "000000000000000000000000", 0, "", "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7" },
            { "A.4 #2", OneKey, "000000000000000000000002", 0, "", "ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739" },
            { "A.4 #3", JabberKey, "000000000000000000000002", 0, "", "965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(ChaCha20Vectors))]
    public void ChaCha20MatchesRfc8439OnEveryVectorWidth(string name, string key, string nonce, uint counter, string plaintext, string expected)
    {
        byte[] want = Hex(expected);
        byte[] input = plaintext.Length == 0 ? new byte[want.Length] : Hex(plaintext);
        Assert.Equal(want.Length, input.Length);
        foreach (bool avx2 in new[] { true, false })
        {
            if (avx2 ? !Avx2.IsSupported : !Ssse3.IsSupported)
            {
                continue;
            }

            byte[] output = new byte[input.Length];
            ChaCha20Poly1305Intrinsics.ChaCha20Xor(Hex(key), Hex(nonce), counter, input, output, avx2);
            Assert.True(want.AsSpan().SequenceEqual(output), $"{name} avx2={avx2}: {Convert.ToHexString(output)}");

            byte[] inPlace = (byte[])input.Clone();
            ChaCha20Poly1305Intrinsics.ChaCha20Xor(Hex(key), Hex(nonce), counter, inPlace, inPlace, avx2);
            Assert.Equal(want, inPlace);
        }
    }

    /// <summary>Poly1305 vectors: key, message, tag (RFC 8439 section 2.5.2 and appendix A.3).</summary>
    public static TheoryData<string, string, string, string> Poly1305Vectors() => new()
    {
        { "2.5.2", "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b",
          Convert.ToHexString(Encoding.ASCII.GetBytes("Cryptographic Forum Research Group")), "a8061dc1305136c6c22b8baf0c0127a9" },
        { "A.3 #1", ZeroKey, new string('0', 128), "00000000000000000000000000000000" },
        { "A.3 #2", "0000000000000000000000000000000036e5f6b5c5e06070f0efca96227a863e", IetfText, "36e5f6b5c5e06070f0efca96227a863e" },
        { "A.3 #3", "36e5f6b5c5e06070f0efca96227a863e00000000000000000000000000000000", IetfText, "f3477e7cd95417af89a6b8794c310cf0" },
        { "A.3 #4", JabberKey, Jabberwocky, "4541669a7eaaee61e708dc7cbcc5eb62" },
        { "A.3 #5", "0200000000000000000000000000000000000000000000000000000000000000", "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000" },
        { "A.3 #6", "02000000000000000000000000000000ffffffffffffffffffffffffffffffff", "02000000000000000000000000000000", "03000000000000000000000000000000" },
        { "A.3 #7", "0100000000000000000000000000000000000000000000000000000000000000",
          "fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff11000000000000000000000000000000", "05000000000000000000000000000000" },
        { "A.3 #8", "0100000000000000000000000000000000000000000000000000000000000000",
          "fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe01010101010101010101010101010101", "00000000000000000000000000000000" },
        { "A.3 #9", "0200000000000000000000000000000000000000000000000000000000000000", "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff" },
        { "A.3 #10", "0100000000000000040000000000000000000000000000000000000000000000",
          "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000",
          "14000000000000005500000000000000" },
        { "A.3 #11", "0100000000000000040000000000000000000000000000000000000000000000",
          "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000", "13000000000000000000000000000000" },
    };

    [Theory]
    [MemberData(nameof(Poly1305Vectors))]
    public void Poly1305MatchesRfc8439AndBouncyCastle(string name, string key, string message, string tag)
    {
        byte[] k = Hex(key);
        byte[] m = Hex(message);
        byte[] ours = new byte[16];
        foreach (bool avx2 in new[] { true, false })
        {
            ChaCha20Poly1305Intrinsics.Poly1305Mac(k, m, ours, avx2);
            Assert.True(Hex(tag).AsSpan().SequenceEqual(ours), $"{name} avx2={avx2}: {Convert.ToHexString(ours)}");
        }

        var bc = new Poly1305();
        bc.Init(new KeyParameter(k));
        bc.BlockUpdate(m, 0, m.Length);
        byte[] theirs = new byte[16];
        bc.DoFinal(theirs, 0);
        Assert.Equal(theirs, ours);
    }

    [Fact]
    public void Poly1305MatchesBouncyCastleOnEveryLengthUpTo2048WithBothPaths()
    {
        var random = new Random(Seed + 2);
        byte[] key = new byte[32];
        byte[] message = new byte[2048];
        byte[] narrow = new byte[16];
        byte[] wide = new byte[16];
        byte[] theirs = new byte[16];
        for (int length = 0; length <= message.Length; length++)
        {
            random.NextBytes(key);
            random.NextBytes(message);
            if (length % 7 == 0)
            {
                // Extreme values: all-ones message and key bytes push every limb to its largest.
                message.AsSpan().Fill(0xff);
                key.AsSpan().Fill(0xff);
            }

            ChaCha20Poly1305Intrinsics.Poly1305Mac(key, message.AsSpan(0, length), narrow, useAvx2: false);
            ChaCha20Poly1305Intrinsics.Poly1305Mac(key, message.AsSpan(0, length), wide, useAvx2: true);
            var bc = new Poly1305();
            bc.Init(new KeyParameter(key));
            bc.BlockUpdate(message, 0, length);
            bc.DoFinal(theirs, 0);
            Assert.True(theirs.AsSpan().SequenceEqual(narrow), $"scalar, length {length}");
            Assert.True(theirs.AsSpan().SequenceEqual(wide), $"four lanes, length {length}");
        }
    }

    /// <summary>AEAD vectors: key, nonce, AAD, plaintext, ciphertext, tag (section 2.8.2 and appendix A.5).</summary>
    public static TheoryData<string, string, string, string, string, string, string> AeadVectors() => new()
    {
        { "2.8.2", "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
          Convert.ToHexString(Encoding.ASCII.GetBytes(Sunscreen)),
          "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36" +
          "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116",
          "1ae10b594f09e26a7e902ecbd0600691" },
        { "A.5", JabberKey, "000000000102030405060708", "f33388860000000000004e91",
          "496e7465726e65742d4472616674732061726520647261667420646f63756d656e74732076616c696420666f722061206d6178696d756d206f6620736978206d" +
          "6f6e74687320616e64206d617920626520757064617465642c207265706c616365642c206f72206f62736f6c65746564206279206f7468657220646f63756d65" +
          "6e747320617420616e792074696d652e20497420697320696e617070726f70726961746520746f2075736520496e7465726e65742d4472616674732061732072" +
          "65666572656e6365206d6174657269616c206f7220746f2063697465207468656d206f74686572207468616e206173202fe2809c776f726b20696e2070726f67" +
          "726573732e2fe2809d",
          "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf" +
          "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4" +
          "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a" +
          "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29" +
          "a6ad5cb4022b02709b",
          "eead9d67890cbb22392336fea1851f38" },
    };

    [Theory]
    [MemberData(nameof(AeadVectors))]
    public void AeadMatchesRfc8439OnEveryVectorWidth(string name, string key, string nonce, string aad, string plaintext, string ciphertext, string tag)
    {
        byte[] expected = Hex(ciphertext + tag);
        byte[] plain = Hex(plaintext);
        foreach (bool avx2 in new[] { true, false })
        {
            if (avx2 ? !Avx2.IsSupported : !Ssse3.IsSupported)
            {
                continue;
            }

            using var aead = new ChaCha20Poly1305Intrinsics(Hex(key), avx2);
            byte[] sealedText = new byte[plain.Length + 16];
            aead.Seal(Hex(nonce), Hex(aad), plain, sealedText);
            Assert.True(expected.AsSpan().SequenceEqual(sealedText), $"{name} avx2={avx2}: {Convert.ToHexString(sealedText)}");

            byte[] opened = new byte[plain.Length];
            Assert.True(aead.TryOpen(Hex(nonce), Hex(aad), expected, opened));
            Assert.Equal(plain, opened);
        }
    }

    [Fact]
    public void TheHardwarePathIsWhatAutoCreatesWhenTheCpuHasTheInstructions()
    {
        bool expected = Avx2.IsSupported || Ssse3.IsSupported;
        _output.WriteLine($"Avx2={Avx2.IsSupported} Ssse3={Ssse3.IsSupported}");
        Assert.Equal(expected, Aeads.HasHardware(AeadAlgorithm.ChaCha20Poly1305));
        using IAead auto = Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32]);
        using IAead portable = Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32], AeadImplementation.Portable);
        Assert.IsNotType<ChaCha20Poly1305Intrinsics>(portable);
        if (expected)
        {
            var hardware = Assert.IsType<ChaCha20Poly1305Intrinsics>(auto);
            Assert.Equal(Avx2.IsSupported, hardware.UsesAvx2);
            using IAead asked = Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32], AeadImplementation.Hardware);
            Assert.IsType<ChaCha20Poly1305Intrinsics>(asked);
        }
        else
        {
            Assert.IsNotType<ChaCha20Poly1305Intrinsics>(auto);
            Assert.Throws<NotSupportedException>(() => Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32], AeadImplementation.Hardware));
        }
    }

    [Fact]
    public void ThisMachineHasAvx2SoTheEightBlockPathIsTheOneInUse()
    {
        // The CPU flags of /proc/cpuinfo decide what the test expects, independently of the runtime's answer.
        string flags = File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : string.Empty;
        bool cpuHasAvx2 = flags.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Contains("avx2");
        bool disabled = Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0" || Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0";
        _output.WriteLine($"cpuinfo avx2={cpuHasAvx2}, runtime Avx2.IsSupported={Avx2.IsSupported}");
        if (cpuHasAvx2 && !disabled)
        {
            Assert.True(Avx2.IsSupported);
            using IAead aead = Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32]);
            Assert.True(Assert.IsType<ChaCha20Poly1305Intrinsics>(aead).UsesAvx2);
        }
        else
        {
            Assert.False(cpuHasAvx2 && !disabled && !Avx2.IsSupported);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SealingTwiceWithTheSameNonceThrowsLikeBouncyCastle(bool avx2)
    {
        using var aead = new ChaCha20Poly1305Intrinsics(new byte[32], avx2);
        using IAead portable = Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, new byte[32], AeadImplementation.Portable);
        byte[] nonce = new byte[12];
        byte[] other = new byte[12];
        other[11] = 1;
        byte[] output = new byte[32];
        foreach (IAead a in new[] { aead, portable })
        {
            a.Seal(nonce, [], new byte[16], output);
            Assert.Throws<ArgumentException>(() => a.Seal(nonce, [], new byte[16], output));
            a.Seal(other, [], new byte[16], output);
            a.Seal(nonce, [], new byte[16], output);

            // Opening is not limited: the same record may be opened again.
            Assert.True(a.TryOpen(nonce, [], output, new byte[16]));
            Assert.True(a.TryOpen(nonce, [], output, new byte[16]));
        }

        Assert.Throws<ArgumentException>(() => aead.Seal(new byte[11], [], [], output));
        Assert.Throws<ArgumentException>(() => aead.Seal(other, [], new byte[17], output));
        Assert.Throws<ArgumentException>(() => aead.TryOpen(other, [], new byte[40], new byte[23]));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void DisposeWipesTheKeyAndRefusesFurtherUse(bool avx2)
    {
        byte[] key = new byte[32];
        new Random(Seed).NextBytes(key);
        var aead = new ChaCha20Poly1305Intrinsics(key, avx2);
        aead.Seal(new byte[12], [], new byte[5], new byte[21]);
        Assert.False(KeyBytes(aead).All(b => b == 0));
        aead.Dispose();
        Assert.True(KeyBytes(aead).All(b => b == 0));
        Assert.Throws<ObjectDisposedException>(() => aead.Seal(new byte[12], [], [], new byte[16]));
        Assert.Throws<ObjectDisposedException>(() => aead.TryOpen(new byte[12], [], new byte[16], []));
        aead.Dispose();
    }

    private static byte[] KeyBytes(ChaCha20Poly1305Intrinsics aead)
    {
        object boxed = typeof(ChaCha20Poly1305Intrinsics).GetField("_key", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(aead)!;
        GCHandle handle = GCHandle.Alloc(boxed, GCHandleType.Pinned);
        try
        {
            byte[] bytes = new byte[32];
            Marshal.Copy(handle.AddrOfPinnedObject(), bytes, 0, 32);
            return bytes;
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>
    /// Seal with the hardware path and with BouncyCastle, compare, open with the hardware path; in place and out of
    /// place, on both vector widths. Every plaintext length 0..300 with every AAD length 0..64, a random run up to a
    /// million cases in all (lengths weighted towards the batch boundaries), and long messages.
    /// </summary>
    [Fact]
    public void MatchesBouncyCastleOverAMillionRandomCases()
    {
        var random = new Random(Seed);
        _output.WriteLine($"seed 0x{Seed:x}");
        bool[] widths = WidthList();
        Assert.NotEmpty(widths);
        var stopwatch = Stopwatch.StartNew();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long cases = 0;
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] aad = new byte[64];
        byte[] plain = new byte[70000];
        byte[] expected = new byte[70016];
        byte[] actual = new byte[70016];
        byte[] opened = new byte[70016];
        random.NextBytes(plain);

        IAead? oracle = null;
        var fastByWidth = new Dictionary<bool, ChaCha20Poly1305Intrinsics>();

        void Case(int length, int aadLength, bool avx2, bool inPlace)
        {
            // A fresh random key every fourth case (keying BouncyCastle dominates the cost of a short case).
            if (cases % 4 == 0)
            {
                random.NextBytes(key);
                oracle?.Dispose();
                oracle = Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, key, AeadImplementation.Portable);
                foreach (ChaCha20Poly1305Intrinsics old in fastByWidth.Values)
                {
                    old.Dispose();
                }

                fastByWidth.Clear();
                foreach (bool width in widths)
                {
                    fastByWidth[width] = new ChaCha20Poly1305Intrinsics(key, width);
                }
            }

            ChaCha20Poly1305Intrinsics fast = fastByWidth[avx2];
            random.NextBytes(nonce);
            random.NextBytes(aad.AsSpan(0, aadLength));
            random.NextBytes(plain.AsSpan(0, Math.Min(length, 64)));
            ReadOnlySpan<byte> a = aad.AsSpan(0, aadLength);
            oracle!.Seal(nonce, a, plain.AsSpan(0, length), expected);
            Span<byte> sealedText = actual.AsSpan(0, length + 16);
            if (inPlace)
            {
                plain.AsSpan(0, length).CopyTo(actual);
                fast.Seal(nonce, a, actual.AsSpan(0, length), actual);
            }
            else
            {
                fast.Seal(nonce, a, plain.AsSpan(0, length), actual);
            }

            if (!sealedText.SequenceEqual(expected.AsSpan(0, length + 16)))
            {
                Assert.Fail($"seal differs: length {length} aad {aadLength} avx2={avx2} inPlace={inPlace} key {Convert.ToHexString(key)} nonce {Convert.ToHexString(nonce)}");
            }

            bool ok;
            if (inPlace)
            {
                ok = fast.TryOpen(nonce, a, sealedText, sealedText);
                if (!ok || !actual.AsSpan(0, length).SequenceEqual(plain.AsSpan(0, length)))
                {
                    Assert.Fail($"in-place open failed: length {length} aad {aadLength} avx2={avx2}");
                }
            }
            else
            {
                ok = fast.TryOpen(nonce, a, sealedText, opened);
                if (!ok || !opened.AsSpan(0, length).SequenceEqual(plain.AsSpan(0, length)))
                {
                    Assert.Fail($"open failed: length {length} aad {aadLength} avx2={avx2}");
                }
            }

            cases++;
        }

        // Every plaintext length 0..300 with every AAD length 0..64.
        int n = 0;
        for (int length = 0; length <= 300; length++)
        {
            for (int aadLength = 0; aadLength <= 64; aadLength++)
            {
                foreach (bool avx2 in widths)
                {
                    Case(length, aadLength, avx2, inPlace: (n++ & 1) == 0);
                }
            }
        }

        // Long messages around 16 KiB and beyond, odd lengths included.
        foreach (int length in new[] { 511, 512, 513, 1023, 1024, 1025, 4095, 16383, 16384, 16385, 16384 + 256, 16401, 33333, 65535, 65536, 69999 })
        {
            foreach (bool avx2 in widths)
            {
                Case(length, random.Next(0, 65), avx2, inPlace: false);
                Case(length, random.Next(0, 65), avx2, inPlace: true);
            }
        }

        // Random cases up to a million in all.
        while (cases < 1_000_000)
        {
            int pick = random.Next(256);
            int length = pick switch
            {
                < 224 => random.Next(0, 301),
                < 255 => random.Next(301, 2049),
                _ => random.Next(2049, 20000),
            };
            Case(length, random.Next(0, 65), widths[random.Next(widths.Length)], random.Next(2) == 0);
        }

        oracle?.Dispose();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        _output.WriteLine($"{cases} cases in {stopwatch.Elapsed.TotalSeconds:F1} s ({cpu:F1} s of CPU in the process, load average {File.ReadAllText("/proc/loadavg").Trim()})");
    }

    /// <summary>
    /// Every tag bit flipped, ciphertext and AAD bits flipped, truncated input: open fails, leaves the destination
    /// zeroed and BouncyCastle rejects the same input.
    /// </summary>
    [Fact]
    public void EveryForgeryIsRejectedAndLeavesTheDestinationZeroed()
    {
        var random = new Random(Seed + 1);
        _output.WriteLine($"seed 0x{Seed + 1:x}");
        bool[] widths = WidthList();
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        long rejections = 0;
        foreach (int length in new[] { 0, 1, 15, 16, 17, 63, 64, 65, 191, 192, 255, 256, 447, 448, 449, 511, 512, 1000, 16384, 16385 })
        {
            foreach (bool avx2 in widths)
            {
                random.NextBytes(key);
                random.NextBytes(nonce);
                byte[] aad = new byte[random.Next(0, 65)];
                random.NextBytes(aad);
                byte[] plain = new byte[length];
                random.NextBytes(plain);
                using var fast = new ChaCha20Poly1305Intrinsics(key, avx2);
                using IAead oracle = Aeads.Create(AeadAlgorithm.ChaCha20Poly1305, key, AeadImplementation.Portable);
                byte[] sealedText = new byte[length + 16];
                fast.Seal(nonce, aad, plain, sealedText);

                void Reject(byte[] input, byte[] associated, bool checkOracle)
                {
                    byte[] destination = new byte[Math.Max(0, input.Length - 16)];
                    destination.AsSpan().Fill(0xa5);
                    Assert.False(fast.TryOpen(nonce, associated, input, destination));
                    Assert.True(destination.All(b => b == 0));

                    // In place as well: the ciphertext is wiped, no plaintext is left behind.
                    byte[] copy = (byte[])input.Clone();
                    Assert.False(fast.TryOpen(nonce, associated, copy, copy));
                    Assert.True(copy.AsSpan(0, destination.Length).ToArray().All(b => b == 0));
                    if (checkOracle)
                    {
                        Assert.False(oracle.TryOpen(nonce, associated, input, new byte[destination.Length]));
                    }

                    rejections++;
                }

                for (int bit = 0; bit < 128; bit++)
                {
                    byte[] forged = (byte[])sealedText.Clone();
                    forged[length + (bit / 8)] ^= (byte)(1 << (bit % 8));
                    Reject(forged, aad, checkOracle: bit % 16 == 0);
                }

                for (int i = 0; i < Math.Min(64, length * 8); i++)
                {
                    int bit = random.Next(length * 8);
                    byte[] forged = (byte[])sealedText.Clone();
                    forged[bit / 8] ^= (byte)(1 << (bit % 8));
                    Reject(forged, aad, checkOracle: i % 16 == 0);
                }

                for (int i = 0; i < Math.Min(16, aad.Length * 8); i++)
                {
                    byte[] forgedAad = (byte[])aad.Clone();
                    int bit = random.Next(aad.Length * 8);
                    forgedAad[bit / 8] ^= (byte)(1 << (bit % 8));
                    Reject(sealedText, forgedAad, checkOracle: i == 0);
                }

                // An extra AAD byte, a wrong nonce, truncated input (shorter than a tag, one byte short).
                Reject(sealedText, [.. aad, 0], checkOracle: true);
                byte[] goodNonce = (byte[])nonce.Clone();
                nonce[0] ^= 1;
                Reject(sealedText, aad, checkOracle: true);
                nonce = goodNonce;
                Reject(sealedText.AsSpan(0, sealedText.Length - 1).ToArray(), aad, checkOracle: true);
                for (int shorter = 0; shorter < 16 && shorter < sealedText.Length; shorter++)
                {
                    Assert.False(fast.TryOpen(nonce, aad, sealedText.AsSpan(0, shorter), new byte[16]));
                    rejections++;
                }

                // And the untouched record still opens.
                byte[] opened = new byte[length];
                Assert.True(fast.TryOpen(nonce, aad, sealedText, opened));
                Assert.Equal(plain, opened);
            }
        }

        _output.WriteLine($"{rejections} rejections");
        Assert.True(rejections > 5000);
    }
}
