using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Record;

/// <summary>
/// TLS 1.2 records checked against an independent construction (pyca/cryptography, see tls12_vectors.py
/// beside this file): AEAD suites with explicit and XORed nonces, CBC with HMAC-SHA1/256/384 both
/// MAC-then-encrypt and encrypt_then_mac, including records with longer-than-minimal padding.
/// </summary>
public class Tls12RecordVectorTests
{
    public static TheoryData<string, string, string, string, ulong, int, string, string> Vectors() => new()
    {
            { "aead", "Aes128Gcm", "3e454c535a61686f767d848b9299a0a7", "5d646b72", 0xa0b0cUL, 23, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "170303003d00000000000a0b0ca7e43037d4d341d25e210e531cb6c7351ca9b4b744514b788e9d5fae972c726155705cf58dbe9e757757c28dff7a2620545ec0f5d3" },
            { "aead", "Aes256Gcm", "3e454c535a61686f767d848b9299a0a7aeb5bcc3cad1d8dfe6edf4fb02091017", "5d646b72", 0xa0b0cUL, 23, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "170303003d00000000000a0b0c9d3ed075e5f20154660d4816ba5f396f402dcf8bd4a7354f2f4097b11b3a74cbd2702f053b8abf0fb1d578659ed8eef5b3ddca97ec" },
            { "aead", "ChaCha20Poly1305", "3e454c535a61686f767d848b9299a0a7aeb5bcc3cad1d8dfe6edf4fb02091017", "5d646b727980878e959ca3aa", 0xa0b0cUL, 23, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "1703030035e98f1178e3a9ebc0a79e3ab3aa634a49842fb8aaa1a1fd063f80596ae48297b0855dd2fd0ea4b2741ca98ad90734cae9a0df93a650" },
            { "aead", "Aes128Ccm", "3e454c535a61686f767d848b9299a0a7", "5d646b72", 0xa0b0cUL, 23, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "170303003d00000000000a0b0ceadf181943b5347abb443c9c271d4e5958dbf4eaca93d85ebdfe66f17cac5010f42b1b0a8265caa97456e44cb9f106a68259c992d7" },
            { "aead", "Aes128Ccm8", "3e454c535a61686f767d848b9299a0a7", "5d646b72", 0xa0b0cUL, 23, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "170303003500000000000a0b0ceadf181943b5347abb443c9c271d4e5958dbf4eaca93d85ebdfe66f17cac5010f42b1b0a824ccf6f231e45f29b" },
            { "aead", "Aes256Ccm", "3e454c535a61686f767d848b9299a0a7aeb5bcc3cad1d8dfe6edf4fb02091017", "5d646b72", 0xa0b0cUL, 23, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "170303003d00000000000a0b0cf2228521333ef097851135878996151f1ee1331756e188507457e84b935a50dc026dacc21ca4cde39f9fb52ff459c20e7bae95fa8b" },
            { "aead", "Aes256Ccm8", "3e454c535a61686f767d848b9299a0a7aeb5bcc3cad1d8dfe6edf4fb02091017", "5d646b72", 0xa0b0cUL, 23, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "170303003500000000000a0b0cf2228521333ef097851135878996151f1ee1331756e188507457e84b935a50dc026dacc21c6df4d2b2d92ab177" },
            { "cbc", "Sha1", "7c838a91989fa6adb4bbc2c9d0d7dee5", "9ba2a9b0b7bec5ccd3dae1e8eff6fd040b121920:bac1c8cfd6dde4ebf2f900070e151c23", 0x9UL, 22, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "1603030050bac1c8cfd6dde4ebf2f900070e151c236ea848b4b81728a83d065ff00040ef9ba8482e9856454369a1b8e5c5c4dcf0f2e414696bfffdb342b4811c6a47534516a0207bf7de863760b9d8559ad6d571b3" },
            { "cbc", "Sha256", "7c838a91989fa6adb4bbc2c9d0d7dee5", "9ba2a9b0b7bec5ccd3dae1e8eff6fd040b121920272e353c434a51585f666d74:bac1c8cfd6dde4ebf2f900070e151c23", 0x9UL, 22, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "1603030060bac1c8cfd6dde4ebf2f900070e151c236ea848b4b81728a83d065ff00040ef9ba8482e9856454369a1b8e5c5c4dcf0f2175ed53ecc7804e452635b4c45d5c4c42995f8afd26eaba1ff77251d53b699e2e9047fef325fed24ffcf50aa938c3f01" },
            { "cbc", "Sha384", "7c838a91989fa6adb4bbc2c9d0d7dee5ecf3fa01080f161d242b323940474e55", "9ba2a9b0b7bec5ccd3dae1e8eff6fd040b121920272e353c434a51585f666d747b828990979ea5acb3bac1c8cfd6dde4:bac1c8cfd6dde4ebf2f900070e151c23", 0x9UL, 22, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "1603030070bac1c8cfd6dde4ebf2f900070e151c23b8f5d968b0f4f8f77aa9f11cddc9906dae0e0686ac3b8822d2fd2b734d424c1448730dd32ecc94ef49da99ce6df9936c993db7cc3b73b6d08a291f30f505bdb791ef191b6b473b6d36b818433eb51e53ce61c00bf0842520721fbd2df0772056" },
            { "cbc", "Sha256-etm", "7c838a91989fa6adb4bbc2c9d0d7dee5", "9ba2a9b0b7bec5ccd3dae1e8eff6fd040b121920272e353c434a51585f666d74:bac1c8cfd6dde4ebf2f900070e151c23", 0x9UL, 22, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "1603030060bac1c8cfd6dde4ebf2f900070e151c236ea848b4b81728a83d065ff00040ef9ba8482e9856454369a1b8e5c5c4dcf0f25919efe4394b9e3a8ae39b6875243f4757b24dab8dd93692c526a433ca5cee55744bb1d3eb15f96b8aecb2378e443f91" },
            { "cbc", "Sha256-pad32", "7c838a91989fa6adb4bbc2c9d0d7dee5", "9ba2a9b0b7bec5ccd3dae1e8eff6fd040b121920272e353c434a51585f666d74:bac1c8cfd6dde4ebf2f900070e151c23", 0x9UL, 22, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "1603030080bac1c8cfd6dde4ebf2f900070e151c236ea848b4b81728a83d065ff00040ef9ba8482e9856454369a1b8e5c5c4dcf0f2175ed53ecc7804e452635b4c45d5c4c42995f8afd26eaba1ff77251d53b699e26b7807d06e64ceec4f75d4e543b5867afea2c0f5c945c6a6ccda70a7efd37cb5bc0af2ac89f6d3012e1b8e5756f84b99" },
            { "cbc", "Sha1-etm-pad48", "7c838a91989fa6adb4bbc2c9d0d7dee5ecf3fa01080f161d242b323940474e55", "9ba2a9b0b7bec5ccd3dae1e8eff6fd040b121920:bac1c8cfd6dde4ebf2f900070e151c23", 0x9UL, 22, "1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b", "1603030084bac1c8cfd6dde4ebf2f900070e151c23b8f5d968b0f4f8f77aa9f11cddc9906dae0e0686ac3b8822d2fd2b734d424c148ca885b217d3034f3b5c163021f614d69b09ffbef597d77f060fa9d6bcd1d5949772838dee594e280ac69adf0656b1ce2c4e36b17524de4be2ceaced029678a5170ad106db17ff0d0b629eaed5e467be8c86ad8d" },
    };

    internal static RecordProtection Create(string kind, string name, string key, string ivs, byte[]? cbcIv = null)
    {
        if (kind == "aead")
        {
            return new Tls12AeadRecordProtection(Enum.Parse<AeadAlgorithm>(name), CryptoUtil.FromHex(key), CryptoUtil.FromHex(ivs));
        }

        string[] parts = ivs.Split(':');
        var hash = Enum.Parse<HashAlgorithm>(name.Split('-')[0]);
        return new Tls12CbcRecordProtection(
            CryptoUtil.FromHex(key), hash, CryptoUtil.FromHex(parts[0]), name.Contains("-etm"), new FixedEntropy(cbcIv ?? CryptoUtil.FromHex(parts[1])));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Open_recovers_independently_sealed_record(string kind, string name, string key, string ivs, ulong seq, int type, string content, string record)
    {
        using RecordProtection p = Create(kind, name, key, ivs);
        p.SequenceNumber = seq;
        byte[] wire = CryptoUtil.FromHex(record);
        Assert.True(RecordHeader.TryRead(wire, out RecordHeader header));
        ContentType got = p.Open(header.Type, header.LegacyVersion, wire.AsSpan(5, header.Length), out Span<byte> plain);
        Assert.Equal((ContentType)type, got);
        Assert.Equal(content, CryptoUtil.ToHex(plain));
        Assert.Equal(seq + 1, p.SequenceNumber);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Seal_matches_independent_construction(string kind, string name, string key, string ivs, ulong seq, int type, string content, string record)
    {
        if (name.Contains("-pad"))
        {
            // Those records carry longer-than-minimal padding, which the sealer never produces; they test Open only.
            Assert.Contains("-pad", name);
            return;
        }

        using RecordProtection p = Create(kind, name, key, ivs);
        p.SequenceNumber = seq;
        byte[] plain = CryptoUtil.FromHex(content);
        byte[] buffer = new byte[p.MaxRecordLength(plain.Length)];
        int n = p.Seal((ContentType)type, plain, buffer);
        Assert.Equal(record, CryptoUtil.ToHex(buffer.AsSpan(0, n)));
    }
}

/// <summary>An entropy source that repeats fixed bytes (for deterministic CBC IVs).</summary>
internal sealed class FixedEntropy : IEntropySource
{
    private readonly byte[] _bytes;

    public FixedEntropy(byte[] bytes) => _bytes = bytes;

    public void GetBytes(Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = _bytes[i % _bytes.Length];
        }
    }
}
