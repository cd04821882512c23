using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Record;

/// <summary>
/// TLS 1.2 record compression (RFC 3749 DEFLATE, RFC 5246 section 6.2.2 limits): streams continued across
/// records, a sync flush per record, interoperability with Python's zlib both ways (recorded vectors from
/// deflate_vectors.py beside this file, plus one live check), the peer-input limits, and the reset and wiping of
/// the history at a key change.
/// </summary>
public class RecordCompressionTests
{
    private readonly ITestOutputHelper _output;

    /// <summary>Creates the tests with xunit's output.</summary>
    public RecordCompressionTests(ITestOutputHelper output) => _output = output;

    private static readonly byte[] Http = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nCookie: secret=0123456789abcdef\r\n\r\n"u8.ToArray();

    /// <summary>
    /// Python's records for <see cref="Plaintexts"/>: one <c>zlib.compressobj()</c>, each record
    /// <c>compress(x) + flush(zlib.Z_SYNC_FLUSH)</c> (deflate_vectors.py, Python 3.11, zlib 1.2.13).
    /// </summary>
    private static readonly string[] PythonRecords =
    [
        "789c72770d51d0cfcc4b49add0cb28c9cd51f0080909d037d433e4e5f2c82f2eb15248ad48cc2dc849d54bcecfe5e572cecfcfce4cb552284e4d2e4a2db13530343236313533b7b04c4c4a4e494de3e5e2e502000000ffff",
        "72a7b27900000000ffff",
        "000000ffff",
        "9cd23712c2501004d1abec119859fc6d3042f80f02e14eaf822223a2279deaec69da7b2faeeb2aceed66b18b7953eec75895476cdbc3e912e556359f7b3f7b3d6359ea6f23d01834099a3e6806a0198266049a316826ff37020e041c0838107020e040c08180030107020e041c1838307060e0c0c08181030307060e0c1c1838307090c0410207091c247090c0410207091c247090bf0e3a000000ffff",
        "00e80317fc6c4e74921325222e31a1cd13be12ed426966ce24fc23d7da8d2097616a06956ec28ad403136828d4571e3c5dee6e5ec04a91115f5d3b513ec253a416ad6ee5389411d0289aa34cf5c0347c59caf08495f3611b0b5068d59804f92eb7299955577999be78c01066870299e57f6cd235bcfb8f449deee23be1eccc8cbff5bfbec20bdbf86b9ce54f85b607cf46e94a4b2afbd4e58f4fe15c11128218a32b18f772df8fd57a475bdee4743493265c919dd98be654598a9d0f1f0ed42adde0dcd85e906ead1cd9abea9ed3da8898dbe003c1427eeb72b84d2c03777b18e52f43397fb42ed9ca6a0b4dab6caf06137f6d55d9b9540152f12b8bb6e52d3c322e85f3cce488b0fb11b4df02d66c65105f716c198820ef724c6e042ff2a3ec3cf6d9dc3eb8348927e7de769babc9fd0695241f7a479a0b49e24d6f673495827c9f79ceccc7e9bec703c1ec6f817e276e37be45f38d7aaf50cb02a55544bc556a409ba06eaa61a7537e951776f14439bf5d77b97df37731fe1fc37df1bacebe7cf2792a1df9539a427092d1a692d18d712087500f104bebccf5cacf342d84132dcc4945d04c77f00cf1f0f1f9fddd7afd9826e3a17ead3431664d73153695aef2e844c7803a84022a18e75067ca2259dbdd8c4b2cd35465a58a85428d6cbbe6455ca38a245b342713feafc4e79057808106f05fa8a7fad4a178aa129369ad139e409c65b5493db73fba7f2772e834496a2c8cf70b9355db9c49f5bd20c3238d74ae68302a9a590b27669150fe6a710b0b6797eb502f1fd10f149c1a2b12d4ad3fbc3fc37be73e7943181c1786aec51edecf48136c130e0e71f3d801adf07ac9788359f7a1c7a55b0ae85754004beada5b7bd94859d7dbea3bfce14b9df3cb3b961aeea294d44708f4f07ce064da9697f98480610f123fbee448efcef3b3815a129a369e4ba4dad87a46c191aaf283ae30017636855cf0e0e5ee3964a8ca527e631b69c2becf172313035f41cc2d6776790bf49fb44fa7aab507f9e4b4cef80002b4bfe6e5eeb641383e8ec7bf21fb474bba307492811c73ccab66260d582936667f6fe3ba996f8b601087fb7d66f8791f26638d1a8b0794a3f1b802adff9e7a0792b38f3268fa58039180b6fd9614646c66c5c342042063b1f226518c5c0f235e05c1c447f20f009ad8b2ce38470861ab938eed02851f3a6fc6eaeaa1073489e2f1d359f1d066db9dff551d26118cc753c4f6e352a6bb6f54853aa4e598c5040c6e1f26269ab741831ca17abd8e58eedc13357d2bffae5cd84650594fa67aed5394df04e1e8b98bc447cebdf854242ebf9683948527af58742262e1d7ca0b9b307a49c917512610d99913bfccfca8df746518fe57b775bca030a912769c30661a39964fc36db428392aaa5633000000ffff",
        "9cd8410ddd500003414cde97e427fc891541557500f8b6076b82df1efcf6e0b707bf3df8edc16f0f7e7bf0db83df1efcf6e0b707bf3df8edc16f0f7e7bf0db83df1efcf6e0b707bf3df8edc16f0f7e7bf0db83df1efcf6e0b707bf3df8edc16f0f7e7bf0db83df1efcf6e0b707bf3df8edc16fef2fbffddf1be8e0820e2ee8e0820e2ee8e0820e2ee8e0820e2ee8e0820e2ee8e0860e6ee8e0860e6ee8e0860e6ee8e0860e6ee8e0860e6ee8e0810e1ee8e0810e1ee8e0810e1ee8e0810e1ee8e0810e1ee8e0071dfca0831f74f0830e7ed0c10f3af841073fe8e0071dfca083173a78a183173a78a183173a78a183173a78a183173a78a1830f3af8a0830f3af8a0830f3af8a0830f3af8a0830f3af8febf8381270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f3ce089073cf180271ef0c4039e78c0130f78e2014f3ce089073cf180271ef0c4039e78c0130f78e21f000000ffff",
        "a2f6396000000000ffff",
    ];

    /// <summary>
    /// Our records for <see cref="Plaintexts"/> (BouncyCastle's zlib at level 6); Python's zlib decompressed each
    /// whole on arrival when they were recorded, and <see cref="OurRecordsDecompressWithLivePythonZlib"/> checks it again.
    /// </summary>
    private static readonly string[] OurRecords =
    [
        "789c72770d51d0cfcc4b49add0cb28c9cd51f0080909d037d433e4e5f2c82f2eb15248ad48cc2dc849d54bcecfe5e572cecfcfce4cb552284e4d2e4a2db13530343236313533b7b04c4c4a4e494de3e5e2e502000000ffff",
        "72a7b27900000000ffff",
        "02000000ffff",
        "9cd2391601611444e1dc2ade12543df36e686de6a769d3ea1d8422b7d23a37fb34e9be1797551da7765d6d63d694db2116e51e9b767f3c47b9d6cde7de4d9f8f989765e7db0834064d82a6079a3e6806a0198266049af1ff8d80030107020e041c0838107020e040c08180030107060e0c1c1838307060e0c0c08181030307060e0c1c247090c0410207091c247090c0410207091ce4af8317000000ffff",
        "00e80317fc6c4e74921325222e31a1cd13be12ed426966ce24fc23d7da8d2097616a06956ec28ad403136828d4571e3c5dee6e5ec04a91115f5d3b513ec253a416ad6ee5389411d0289aa34cf5c0347c59caf08495f3611b0b5068d59804f92eb7299955577999be78c01066870299e57f6cd235bcfb8f449deee23be1eccc8cbff5bfbec20bdbf86b9ce54f85b607cf46e94a4b2afbd4e58f4fe15c11128218a32b18f772df8fd57a475bdee4743493265c919dd98be654598a9d0f1f0ed42adde0dcd85e906ead1cd9abea9ed3da8898dbe003c1427eeb72b84d2c03777b18e52f43397fb42ed9ca6a0b4dab6caf06137f6d55d9b9540152f12b8bb6e52d3c322e85f3cce488b0fb11b4df02d66c65105f716c198820ef724c6e042ff2a3ec3cf6d9dc3eb8348927e7de769babc9fd0695241f7a479a0b49e24d6f673495827c9f79ceccc7e9bec703c1ec6f817e276e37be45f38d7aaf50cb02a55544bc556a409ba06eaa61a7537e951776f14439bf5d77b97df37731fe1fc37df1bacebe7cf2792a1df9539a427092d1a692d18d712087500f104bebccf5cacf342d84132dcc4945d04c77f00cf1f0f1f9fddd7afd9826e3a17ead3431664d73153695aef2e844c7803a84022a18e75067ca2259dbdd8c4b2cd35465a58a85428d6cbbe6455ca38a245b342713feafc4e79057808106f05fa8a7fad4a178aa129369ad139e409c65b5493db73fba7f2772e834496a2c8cf70b9355db9c49f5bd20c3238d74ae68302a9a590b27669150fe6a710b0b6797eb502f1fd10f149c1a2b12d4ad3fbc3fc37be73e7943181c1786aec51edecf48136c130e0e71f3d801adf07ac9788359f7a1c7a55b0ae85754004beada5b7bd94859d7dbea3bfce14b9df3cb3b961aeea294d44708f4f07ce064da9697f98480610f123fbee448efcef3b3815a129a369e4ba4dad87a46c191aaf283ae30017636855cf0e0e5ee3964a8ca527e631b69c2becf172313035f41cc2d6776790bf49fb44fa7aab507f9e4b4cef80002b4bfe6e5eeb641383e8ec7bf21fb474bba307492811c73ccab66260d582936667f6fe3ba996f8b601087fb7d66f8791f26638d1a8b0794a3f1b802adff9e7a0792b38f3268fa58039180b6fd9614646c66c5c342042063b1f226518c5c0f235e05c1c447f20f009ad8b2ce38470861ab938eed02851f3a6fc6eaeaa1073489e2f1d359f1d066db9dff551d26118cc753c4f6e352a6bb6f54853aa4e598c5040c6e1f26269ab741831ca17abd8e58eedc13357d2bffae5cd84650594fa67aed5394df04e1e8b98bc447cebdf854242ebf9683948527af58742262e1d7ca0b9b307a49c917512610d99913bfccfca8df746518fe57b775bca030a912769c30661a39964fc36db428392aaa5633000000ffff",
        "9cd8410ddd500003414cde97e427fc891541557500f8b6076b82df1efcf6e0b707bf3df8edc16f0f7e7bf0db83df1efcf6e0b707bf3df8edc16f0f7e7bf0db83df1efcf6e0b707bf3df8edc16f0f7e7bf0db83df1efcf6e0b707bf3df8edc16f0f7e7bf0db83df1efcf6e0b707bf3df8edc16fef2fbffddf1be8e0820e2ee8e0820e2ee8e0820e2ee8e0820e2ee8e0820e2ee8e0860e6ee8e0860e6ee8e0860e6ee8e0860e6ee8e0860e6ee8e0810e1ee8e0810e1ee8e0810e1ee8e0810e1ee8e0810e1ee8e0071dfca0831f74f0830e7ed0c10f3af841073fe8e0071dfca083173a78a183173a78a183173a78a183173a78a183173a78a1830f3af8a0830f3af8a0830f3af8a0830f3af8a0830f3af8febf8381270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f1c78e2c013079e38f0c481270e3c71e089034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f0c3c31f0c4c013034f3ce089073cf180271ef0c4039e78c0130f78e2014f3ce089073cf180271ef0c4039e78c0130f78e21f000000ffff",
        "a2f6396000000000ffff",
    ];

    /// <summary>The sequence deflate_vectors.py compresses: repeats across records, an empty record, noise, 2^14 bytes.</summary>
    internal static byte[][] Plaintexts() => [Http, Http, [], Text(2000, 1), Noise(1000, 7), Text(RecordLimits.MaxPlaintext, 2), Http];

    /// <summary>Lines of text, <paramref name="n"/> bytes, as deflate_vectors.py's <c>text</c>.</summary>
    internal static byte[] Text(int n, int seed)
    {
        var sb = new StringBuilder();
        for (int k = 0; sb.Length < n; k++)
        {
            sb.Append(seed).Append(':').Append(k.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)).Append(" the quick brown fox jumps over the lazy dog\n");
        }

        return Encoding.ASCII.GetBytes(sb.ToString(0, n));
    }

    /// <summary>Incompressible bytes from a linear congruential generator, as deflate_vectors.py's <c>noise</c>.</summary>
    internal static byte[] Noise(int n, int seed)
    {
        byte[] b = new byte[n];
        long x = seed;
        for (int i = 0; i < n; i++)
        {
            x = ((x * 1103515245) + 12345) & 0x7FFFFFFF;
            b[i] = (byte)((x >> 16) & 0xFF);
        }

        return b;
    }

    private static byte[] Compress(RecordCompression c, byte[] plaintext)
    {
        byte[] buffer = new byte[c.MaxCompressedLength(plaintext.Length)];
        int n = c.Compress(plaintext, buffer);
        return buffer.AsSpan(0, n).ToArray();
    }

    private static byte[] Decompress(RecordCompression c, byte[] compressed)
    {
        byte[] buffer = new byte[RecordLimits.MaxPlaintext];
        int n = c.Decompress(compressed, buffer);
        return buffer.AsSpan(0, n).ToArray();
    }

    private static AlertDescription DecompressAlert(RecordCompression c, byte[] compressed) =>
        Assert.Throws<TlsAlertException>(() => Decompress(c, compressed)).Description;

    /// <summary>A zlib stream of <paramref name="length"/> zeros, finished (Z_FINISH), from .NET's zlib.</summary>
    private static byte[] ZerosCompressed(int length)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(new byte[length]);
        }

        return ms.ToArray();
    }

    [Fact]
    public void Many_records_round_trip_through_one_stream_and_later_ones_use_the_history()
    {
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        var random = new Random(5);
        int firstHttp = 0;
        for (int i = 0; i < 300; i++)
        {
            byte[] plaintext = (i % 5) switch
            {
                0 => Http,
                1 => Text(random.Next(RecordLimits.MaxPlaintext + 1), i),
                2 => Noise(random.Next(3000), i),
                3 => [],
                _ => Text(random.Next(200), i % 7),
            };
            byte[] record = Compress(sender, plaintext);
            Assert.True(record.Length <= RecordLimits.MaxCompressed);
            Assert.Equal(plaintext, Decompress(receiver, record));
            if (i == 0)
            {
                firstHttp = record.Length;
            }
            else if (plaintext == Http)
            {
                // The same request again is a back-reference into the previous records, a fraction of the first.
                Assert.True(record.Length < firstHttp / 3, $"record {i}: {record.Length} bytes against {firstHttp}");
            }
        }
    }

    [Fact]
    public void Every_record_ends_with_a_sync_flush_and_decompresses_whole_on_its_own_arrival()
    {
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        foreach (byte[] plaintext in Plaintexts())
        {
            byte[] record = Compress(sender, plaintext);
            Assert.True(record.AsSpan().EndsWith(DeflateRecordCompression.SyncFlushMarker), Convert.ToHexString(record));

            // Nothing is held back for a later record: this record alone yields all of its plaintext now.
            Assert.Equal(plaintext, Decompress(receiver, record));
        }
    }

    [Fact]
    public void The_first_record_carries_the_zlib_header_and_an_empty_record_is_only_a_flush()
    {
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] first = Compress(sender, Http);
        Assert.Equal(0x78, first[0]);
        Assert.Equal(0, ((first[0] << 8) | first[1]) % 31);
        Assert.Equal(Http, Decompress(receiver, first));
        for (int i = 0; i < 3; i++)
        {
            // An empty block and the flush marker: a few bytes, never nothing, so any zlib peer can inflate it.
            byte[] empty = Compress(sender, []);
            Assert.InRange(empty.Length, 5, 6);
            Assert.True(empty.AsSpan().EndsWith(DeflateRecordCompression.SyncFlushMarker));
            Assert.Empty(Decompress(receiver, empty));
        }
    }

    [Fact]
    public void Incompressible_records_of_2_pow_14_stay_within_2_pow_14_plus_1024()
    {
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        for (int i = 0; i < 4; i++)
        {
            byte[] noise = Noise(RecordLimits.MaxPlaintext, 100 + i);
            byte[] record = Compress(sender, noise);
            Assert.InRange(record.Length, RecordLimits.MaxPlaintext, RecordLimits.MaxPlaintext + 64);
            Assert.Equal(noise, Decompress(receiver, record));
        }
    }

    [Fact]
    public void Records_from_Pythons_zlib_decompress_with_ours()
    {
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[][] plaintexts = Plaintexts();
        Assert.Equal(plaintexts.Length, PythonRecords.Length);
        for (int i = 0; i < plaintexts.Length; i++)
        {
            Assert.Equal(plaintexts[i], Decompress(receiver, CryptoUtil.FromHex(PythonRecords[i])));
        }
    }

    [Fact]
    public void Our_records_are_the_recorded_ones()
    {
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        Assert.Equal(OurRecords, Plaintexts().Select(p => CryptoUtil.ToHex(Compress(sender, p))).ToArray());
    }

    [Fact]
    public void Our_records_decompress_with_live_Pythons_zlib()
    {
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        string fresh = string.Join(",", Plaintexts().Select(p => $"'{CryptoUtil.ToHex(Compress(sender, p))}'"));
        string recorded = string.Join(",", OurRecords.Select(r => $"'{r}'"));

        // Python rebuilds the plaintexts with deflate_vectors.py's functions and decompresses record by record,
        // each whole on arrival (nothing left over, nothing missing).
        string script = File.ReadAllText(Path.Combine(VectorsDirectory(), "deflate_vectors.py")).Split("c = zlib.compressobj()")[0] +
            "def check(records):\n" +
            "    d = zlib.decompressobj()\n" +
            "    return all(d.decompress(bytes.fromhex(r)) == p and not d.unconsumed_tail for p, r in zip(PLAINTEXTS, records)) and len(records) == len(PLAINTEXTS)\n" +
            $"print(check([{fresh}]), check([{recorded}]))\n";
        Assert.Equal("True True", PythonOracle.Run(script));
    }

    /// <summary>This folder in the source tree, found above the test binaries as other oracles find vectors/.</summary>
    private static string VectorsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "ManagedTls.Tests", "Record");
            if (File.Exists(Path.Combine(candidate, "deflate_vectors.py")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/ManagedTls.Tests/Record/deflate_vectors.py not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void A_zip_bomb_is_decompression_failure_quickly_and_with_bounded_output()
    {
        byte[] bomb = ZerosCompressed(1 << 20);
        Assert.True(bomb.Length < 2048, $"{bomb.Length}");
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] destination = new byte[RecordLimits.MaxPlaintext];
        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<TlsAlertException>(() => receiver.Decompress(bomb, destination));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        clock.Stop();
        Assert.Equal(AlertDescription.DecompressionFailure, e.Description);

        // Everything the stream allocates on first use (the 32 KiB window, Huffman tables, pooled buffers of a
        // record's size) stays far below the megabyte the bomb expands to.
        _output.WriteLine($"1 MiB of zeros in {bomb.Length} bytes: refused after {clock.Elapsed.TotalMilliseconds:F1} ms, {allocated} bytes allocated");
        Assert.True(allocated < 200_000, $"{allocated} bytes allocated");
        Assert.True(clock.ElapsedMilliseconds < 2000, $"{clock.ElapsedMilliseconds} ms");

        // The direction is dead afterwards.
        Assert.Equal(AlertDescription.DecompressionFailure, DecompressAlert(receiver, ZerosCompressed(1)));
    }

    [Fact]
    public void A_zip_bomb_in_the_middle_of_a_stream_allocates_nothing_for_its_output()
    {
        // .NET's zlib writes one stream: a request, sync-flushed (Flush), then 1 MiB of zeros, sync-flushed.
        using var ms = new MemoryStream();
        using var z = new ZLibStream(ms, CompressionLevel.SmallestSize);
        z.Write(Http);
        z.Flush();
        byte[] first = ms.ToArray();
        z.Write(new byte[1 << 20]);
        z.Flush();
        byte[] bomb = ms.ToArray().AsSpan(first.Length).ToArray();

        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] destination = new byte[RecordLimits.MaxPlaintext];
        Assert.Equal(Http, Decompress(receiver, first));
        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<TlsAlertException>(() => receiver.Decompress(bomb, destination));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        clock.Stop();
        Assert.Equal(AlertDescription.DecompressionFailure, e.Description);

        // The output goes to the stream's own 2^14 + 1-byte buffer; what is allocated is the exception and the
        // zlib port's small per-block arrays, not output.
        _output.WriteLine($"1 MiB of zeros mid-stream in {bomb.Length} bytes: refused after {clock.Elapsed.TotalMilliseconds:F1} ms, {allocated} bytes allocated");
        Assert.True(allocated < 8192, $"{allocated} bytes allocated");
        Assert.True(clock.ElapsedMilliseconds < 2000, $"{clock.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData(RecordLimits.MaxPlaintext, true)]
    [InlineData(RecordLimits.MaxPlaintext + 1, false)]
    public void Decompressing_to_2_pow_14_is_allowed_and_one_byte_more_is_decompression_failure(int length, bool allowed)
    {
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] record = ZerosCompressed(length);
        if (allowed)
        {
            Assert.Equal(new byte[length], Decompress(receiver, record));
        }
        else
        {
            Assert.Equal(AlertDescription.DecompressionFailure, DecompressAlert(receiver, record));
        }
    }

    [Fact]
    public void A_compressed_fragment_over_2_pow_14_plus_1024_is_record_overflow()
    {
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        Assert.Equal(AlertDescription.RecordOverflow, DecompressAlert(receiver, new byte[RecordLimits.MaxCompressed + 1]));

        // At the limit the length is allowed, and zeros are not zlib data.
        using var other = RecordCompression.Create(CompressionMethod.Deflate);
        Assert.Equal(AlertDescription.DecompressionFailure, DecompressAlert(other, new byte[RecordLimits.MaxCompressed]));
    }

    [Fact]
    public void A_stored_record_of_2_pow_14_plus_1024_bytes_is_accepted()
    {
        // A stored block of 2^14 bytes padded to the limit with empty stored blocks after it: legal, if wasteful.
        byte[] plaintext = Noise(RecordLimits.MaxPlaintext, 3);
        var record = new List<byte> { 0x78, 0x01, 0x00, 0x00, 0x40, 0xFF, 0xBF };
        record.AddRange(plaintext);
        while (record.Count + 5 <= RecordLimits.MaxCompressed)
        {
            record.AddRange(new byte[] { 0x00, 0x00, 0x00, 0xFF, 0xFF });
        }

        record.AddRange(new byte[RecordLimits.MaxCompressed - record.Count]);
        Assert.Equal(RecordLimits.MaxCompressed, record.Count);
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        // The trailing zero bytes (fewer than a block) begin another stored block that never completes: accepted
        // as data still to come, so the plaintext is what the complete blocks hold.
        Assert.Equal(plaintext, Decompress(receiver, [.. record]));
    }

    public static TheoryData<string, string> Garbage() => new()
    {
        { "random bytes", CryptoUtil.ToHex(Noise(300, 11)) },
        { "wrong method in the header", "7a10" + "4b4c4a0600" },
        { "header check fails", "789d" + "4b4c4a0600" },
        { "preset dictionary asked for", "78bb" + "00000001" + "4b4c4a0600" },
        { "reserved block type 3", "789c" + "07" + "000000" },
        { "stored block with a bad length check", "789c" + "00" + "0500" + "0000" + "6162636465" },
        { "data after the end of the stream", CryptoUtil.ToHex(ZerosCompressed(10)) + "00" },
        { "a second zlib stream after the first ends", CryptoUtil.ToHex(ZerosCompressed(10)) + CryptoUtil.ToHex(ZerosCompressed(10)) },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Malformed_zlib_data_is_decompression_failure_and_the_direction_stays_dead(string what, string hex)
    {
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        Assert.True(AlertDescription.DecompressionFailure == DecompressAlert(receiver, CryptoUtil.FromHex(hex)), what);
        Assert.Equal(AlertDescription.DecompressionFailure, DecompressAlert(receiver, Compress(RecordCompression.Create(CompressionMethod.Deflate), Http)));
    }

    [Fact]
    public void A_back_reference_before_the_start_of_the_stream_reads_only_zeros()
    {
        // zlib 1.2 refuses this ("invalid distance too far back"); BouncyCastle's port of zlib 1.1.3 does not
        // check it and copies from its window, which a new stream allocates zeroed and fills only with its own
        // output: nothing from another stream or connection state can come out.
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        Compress(sender, Http);
        byte[] continuation = Compress(sender, Http);
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] plaintext = Decompress(receiver, [0x78, 0x9C, .. continuation]);

        // The continuation is the literal 'G' and a copy of the rest from 84 bytes back: here, zeros.
        Assert.Equal(Http.Length, plaintext.Length);
        Assert.Equal((byte)'G', plaintext[0]);
        Assert.All(plaintext.Skip(1), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Records_of_one_stream_do_not_decompress_out_of_order()
    {
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] first = Compress(sender, Http);
        byte[] second = Compress(sender, Http);
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        Assert.Equal(AlertDescription.DecompressionFailure, DecompressAlert(receiver, second));
        _ = first;
    }

    [Fact]
    public void A_key_change_resets_the_dictionary()
    {
        // Connection state 1: the second request refers back to the first.
        var oldSender = RecordCompression.Create(CompressionMethod.Deflate);
        var oldReceiver = RecordCompression.Create(CompressionMethod.Deflate);
        Assert.Equal(Http, Decompress(oldReceiver, Compress(oldSender, Http)));
        byte[] continued = Compress(oldSender, Http);
        Assert.Equal(Http, Decompress(oldReceiver, continued));

        // New keys: each side disposes its state and makes a new one for the direction.
        oldSender.Dispose();
        using var newSender = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] afterKeyChange = Compress(newSender, Http);

        // The new stream starts from nothing: its first record is what a brand-new stream makes (zlib header
        // included) and is longer than the continued one, which leaned on the old history.
        using (var fresh = RecordCompression.Create(CompressionMethod.Deflate))
        {
            Assert.Equal(Compress(fresh, Http), afterKeyChange);
        }

        Assert.True(afterKeyChange.Length > continued.Length * 3);

        // A receiver that kept the old stream cannot read it (a zlib header is not a continuation) ...
        Assert.Equal(AlertDescription.DecompressionFailure, DecompressAlert(oldReceiver, afterKeyChange));
        oldReceiver.Dispose();

        // ... one that reset reads it, and does not read a record that still refers to the old history.
        using var newReceiver = RecordCompression.Create(CompressionMethod.Deflate);
        Assert.Equal(Http, Decompress(newReceiver, afterKeyChange));
        using var anotherReceiver = RecordCompression.Create(CompressionMethod.Deflate);
        Assert.Equal(AlertDescription.DecompressionFailure, DecompressAlert(anotherReceiver, continued));
    }

    [Fact]
    public void Dispose_wipes_the_plaintext_history_held_by_zlib()
    {
        var sender = new DeflateRecordCompression();
        var receiver = new DeflateRecordCompression();
        byte[] secret = Text(5000, 9);
        Assert.Equal(secret, Decompress(receiver, Compress(sender, secret)));

        // The deflate window, pending buffer and hash chains, and the inflate window: found (a BouncyCastle release
        // that renames them fails here) and holding the plaintext before disposal.
        IReadOnlyList<Array> deflate = sender.HistoryBuffers();
        IReadOnlyList<Array> inflate = receiver.HistoryBuffers();
        Assert.Equal(4, deflate.Count);
        Assert.Single(inflate);
        byte[] marker = Encoding.ASCII.GetBytes("9:00042 the quick brown fox");
        Assert.True(((byte[])deflate[0]).AsSpan().IndexOf(marker) >= 0);
        Assert.True(((byte[])inflate[0]).AsSpan().IndexOf(marker) >= 0);

        sender.Dispose();
        receiver.Dispose();
        foreach (Array buffer in deflate.Concat(inflate))
        {
            Assert.True(IsZero(buffer), buffer.GetType().Name);
        }

        Assert.Throws<ObjectDisposedException>(() => Compress(sender, Http));
        Assert.Throws<ObjectDisposedException>(() => Decompress(receiver, Http));
    }

    private static bool IsZero(Array buffer)
    {
        foreach (object? value in buffer)
        {
            if (Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) != 0)
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void A_record_in_the_steady_state_allocates_only_what_BouncyCastles_zlib_does()
    {
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] record = new byte[sender.MaxCompressedLength(RecordLimits.MaxPlaintext)];
        byte[] plaintext = new byte[RecordLimits.MaxPlaintext];
        byte[][] inputs = [Text(RecordLimits.MaxPlaintext, 4), Noise(RecordLimits.MaxPlaintext, 4), Http];
        void RoundTrip(byte[] input)
        {
            int n = sender.Compress(input, record);
            receiver.Decompress(record.AsSpan(0, n), plaintext);
        }

        for (int i = 0; i < 64; i++)
        {
            RoundTrip(inputs[i % 3]);
        }

        // Our side allocates nothing per record; the zlib port allocates small arrays for each dynamic Huffman
        // block (code tables while compressing, code lengths and tables while decompressing): a few hundred bytes.
        foreach (byte[] input in inputs)
        {
            long least = long.MaxValue;
            for (int window = 0; window < 3; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 16; i++)
                {
                    RoundTrip(input);
                }

                least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / 16);
            }

            _output.WriteLine($"{input.Length} bytes: {least} bytes allocated per compressed and decompressed record");
            Assert.True(least < 2048, $"{least} bytes per record");
        }
    }

    [Fact]
    public void Null_compression_is_the_identity_and_bounds_fragments_at_2_pow_14()
    {
        using var none = RecordCompression.Create(CompressionMethod.Null);
        Assert.Equal(CompressionMethod.Null, none.Method);
        Assert.Equal(Http, Compress(none, Http));
        Assert.Equal(Http, Decompress(none, Http));
        Assert.Equal(Http.Length, none.MaxCompressedLength(Http.Length));

        // In place: nothing to copy.
        byte[] buffer = Http.ToArray();
        Assert.Equal(Http.Length, none.Decompress(buffer, buffer));
        Assert.Equal(Http, buffer);

        Assert.Equal(AlertDescription.RecordOverflow, DecompressAlert(none, new byte[RecordLimits.MaxPlaintext + 1]));
        Assert.Equal(AlertDescription.InternalError, Assert.Throws<TlsAlertException>(() => Compress(none, new byte[RecordLimits.MaxPlaintext + 1])).Description);
    }

    [Fact]
    public void Caller_errors_are_internal_error()
    {
        using var deflate = RecordCompression.Create(CompressionMethod.Deflate);
        Assert.Equal(CompressionMethod.Deflate, deflate.Method);
        Assert.Equal(AlertDescription.InternalError, Assert.Throws<TlsAlertException>(() => Compress(deflate, new byte[RecordLimits.MaxPlaintext + 1])).Description);
        Assert.Equal(AlertDescription.InternalError, Assert.Throws<TlsAlertException>(() => deflate.Compress(Http, new byte[Http.Length])).Description);
        Assert.Equal(AlertDescription.InternalError, Assert.Throws<TlsAlertException>(() => RecordCompression.Create((CompressionMethod)64)).Description);

        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] record = Compress(RecordCompression.Create(CompressionMethod.Deflate), Http);
        Assert.Equal(AlertDescription.InternalError, Assert.Throws<TlsAlertException>(() => receiver.Decompress(record, new byte[10])).Description);
    }

    [Fact]
    public void The_wire_values_are_ianas()
    {
        Assert.Equal(0, (byte)CompressionMethod.Null);
        Assert.Equal(1, (byte)CompressionMethod.Deflate);
    }
}
