using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.SelfTest;

/// <summary>
/// Known answers for record protection: RFC 8448 section 3 records and a TLS 1.2 AES-GCM record computed
/// independently (pyca/cryptography; see tests/ManagedTls.Tests/Record/tls12_vectors.py).
/// </summary>
internal static class RecordKnownAnswers
{
    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new("TLS 1.3 record seal, RFC 8448 client Finished", () =>
        {
            using var p = new Tls13RecordProtection(
                AeadAlgorithm.Aes128Gcm, CryptoUtil.FromHex("dbfaa693d1762c5b666af5d950258d01"), CryptoUtil.FromHex("5bd3c71b836e0b76bb73265f"));
            byte[] content = CryptoUtil.FromHex("14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61");
            byte[] record = new byte[p.MaxRecordLength(content.Length)];
            int n = p.Seal(ContentType.Handshake, content, record);
            KnownAnswerTest.Expect(
                "record",
                "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546",
                record.AsSpan(0, n));
        });
        yield return new("TLS 1.3 record open, RFC 8448 server application data (seq 1)", () =>
        {
            using var p = new Tls13RecordProtection(
                AeadAlgorithm.Aes128Gcm, CryptoUtil.FromHex("9f02283b6c9c07efc26bb9f2ac92e356"), CryptoUtil.FromHex("cf782b88dd83549aadf1e984"));
            p.SequenceNumber = 1;
            byte[] record = CryptoUtil.FromHex(
                "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d");
            ContentType type = p.Open(ContentType.ApplicationData, 0x0303, record.AsSpan(RecordLimits.HeaderSize), out Span<byte> content);
            KnownAnswerTest.Check(type == ContentType.ApplicationData, "content type");
            KnownAnswerTest.Expect("content", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031", content);
        });
        yield return new("TLS 1.2 AES-128-GCM record seal (RFC 5288 layout)", () =>
        {
            using var p = new Tls12AeadRecordProtection(
                AeadAlgorithm.Aes128Gcm, CryptoUtil.FromHex("3e454c535a61686f767d848b9299a0a7"), CryptoUtil.FromHex("5d646b72"));
            p.SequenceNumber = 0x0a0b0c;
            byte[] content = CryptoUtil.FromHex("1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b");
            byte[] record = new byte[p.MaxRecordLength(content.Length)];
            int n = p.Seal(ContentType.ApplicationData, content, record);
            KnownAnswerTest.Expect("record", Tls12GcmRecord, record.AsSpan(0, n));
        });
        yield return new("TLS 1.2 AES-256-CCM-8 record seal and open (RFC 6655 layout)", () =>
        {
            byte[] key = CryptoUtil.FromHex("3e454c535a61686f767d848b9299a0a7aeb5bcc3cad1d8dfe6edf4fb02091017");
            byte[] salt = CryptoUtil.FromHex("5d646b72");
            byte[] content = CryptoUtil.FromHex("1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b");
            using var sealer = new Tls12AeadRecordProtection(AeadAlgorithm.Aes256Ccm8, key, salt);
            sealer.SequenceNumber = 0x0a0b0c;
            byte[] record = new byte[sealer.MaxRecordLength(content.Length)];
            int n = sealer.Seal(ContentType.ApplicationData, content, record);
            KnownAnswerTest.Expect("record", Tls12Ccm8Record, record.AsSpan(0, n));
            using var opener = new Tls12AeadRecordProtection(AeadAlgorithm.Aes256Ccm8, key, salt);
            opener.SequenceNumber = 0x0a0b0c;
            ContentType type = opener.Open(ContentType.ApplicationData, 0x0303, record.AsSpan(RecordLimits.HeaderSize, n - RecordLimits.HeaderSize), out Span<byte> opened);
            KnownAnswerTest.Check(type == ContentType.ApplicationData, "content type");
            KnownAnswerTest.Expect("content", CryptoUtil.ToHex(content), opened);
        });
    }

    // Built independently with pyca/cryptography's AESCCM (tests/ManagedTls.Tests/Record/tls12_vectors.py).
    private const string Tls12Ccm8Record =
        "170303003500000000000a0b0cf2228521333ef097851135878996151f1ee1331756e188507457e84b935a50dc026dacc21c6df4d2b2d92ab177";

    private const string Tls12GcmRecord =
        "170303003d00000000000a0b0ca7e43037d4d341d25e210e531cb6c7351ca9b4b744514b788e9d5fae972c726155705cf58dbe9e757757c28dff7a2620545ec0f5d3";
}
