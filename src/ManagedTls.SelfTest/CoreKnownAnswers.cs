using ManagedTls.Crypto;
namespace ManagedTls.SelfTest;

/// <summary>Known answers for the hashes, HMAC and HKDF (FIPS 180-4, RFC 4231, RFC 5869).</summary>
internal static class CoreKnownAnswers
{
    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new("SHA-256 'abc' (FIPS 180-4)", () => KnownAnswerTest.Expect("SHA-256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hashes.Compute(HashAlgorithm.Sha256, "abc"u8)));
        yield return new("SHA-384 'abc' (FIPS 180-4)", () => KnownAnswerTest.Expect("SHA-384", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7", Hashes.Compute(HashAlgorithm.Sha384, "abc"u8)));
        yield return new("HMAC-SHA-256 RFC 4231 case 2", () =>
        {
            byte[] mac = new byte[32];
            Hmac.Compute(HashAlgorithm.Sha256, "Jefe"u8, "what do ya want for nothing?"u8, mac);
            KnownAnswerTest.Expect("HMAC-SHA-256", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", mac);
        });
        yield return new("HKDF-SHA-256 RFC 5869 case 1", () =>
        {
            byte[] ikm = CryptoUtil.FromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
            byte[] prk = Hkdf.Extract(HashAlgorithm.Sha256, CryptoUtil.FromHex("000102030405060708090a0b0c"), ikm);
            KnownAnswerTest.Expect("PRK", "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", prk);
            byte[] okm = new byte[42];
            Hkdf.Expand(HashAlgorithm.Sha256, prk, CryptoUtil.FromHex("f0f1f2f3f4f5f6f7f8f9"), okm);
            KnownAnswerTest.Expect("OKM", "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", okm);
        });
    }
}
