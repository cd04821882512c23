using ManagedTls.Crypto;
using ManagedTls.X509;
using ManagedTls.X509.PeerCert;
using ManagedTls.X509.Store;

namespace ManagedTls.SelfTest;

/// <summary>Known answers for the trust store layer, taken from <c>openssl x509 -hash</c> and Python's ssl module.</summary>
internal static class X509StoreKnownAnswers
{
    // Subject "C=us, O=  MiXeD   Case  Org , CN=Host  With   Spaces" (PrintableString, UTF8String, UTF8String).
    private const string MixedCaseName =
        "304a310b3009060355040613027573311d301b060355040a0c1420204d695865442020204361736520204f726720311c301a06035504030c13486f7374202057697468202020537061636573";

    /// <summary>The list.</summary>
    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new KnownAnswerTest("x509store/name-hash/openssl-mixed-case", () =>
        {
            uint hash = X509NameHash.Hash(CryptoUtil.FromHex(MixedCaseName));
            KnownAnswerTest.Check(X509NameHash.HashHex(hash) == "a3c171be", "subject hash " + X509NameHash.HashHex(hash));
        });
        yield return new KnownAnswerTest("x509store/name-canonical/fold", () =>
            KnownAnswerTest.Check(X509NameHash.Fold(" \t MiXeD \n\n Case\u00c4  ") == "mixed case\u00c4", "fold"));
        yield return new KnownAnswerTest("x509store/peercert/serial-and-ip", () =>
        {
            KnownAnswerTest.Check(PeerCertificate.FormatSerial(new byte[] { 0x00, 0x80, 0x01 }) == "8001", "serial");
            KnownAnswerTest.Check(PeerCertificate.FormatSerial(new byte[] { 0xFB }) == "-05", "negative serial");
            KnownAnswerTest.Check(
                PeerCertificate.FormatIp(CryptoUtil.FromHex("20010db8000000000000000000000001")) == "2001:DB8:0:0:0:0:0:1", "ipv6");
        });
    }
}
