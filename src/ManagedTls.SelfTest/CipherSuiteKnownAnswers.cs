using ManagedTls.CipherSuites;
using ManagedTls.Crypto;

namespace ManagedTls.SelfTest;

/// <summary>Known answers of the cipher-suite layer, taken from OpenSSL 3.0 (<c>openssl ciphers</c>) and Python's <c>get_ciphers()</c>.</summary>
internal static class CipherSuiteKnownAnswers
{
    /// <summary>Every known-answer test of this layer.</summary>
    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new KnownAnswerTest("ciphers: ECDHE+AESGCM:!aNULL", () => ExpectList(
            "ECDHE+AESGCM:!aNULL",
            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"));
        yield return new KnownAnswerTest("ciphers: ALL:-AES128:+RSA", () => ExpectList(
            "ALL:-AES128:+RSA",
            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
            + "ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-CCM8:ECDHE-ECDSA-AES256-CCM:"
            + "DHE-RSA-AES256-CCM8:DHE-RSA-AES256-CCM:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
            + "DHE-RSA-AES256-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES256-SHA:AES256-GCM-SHA384:"
            + "AES256-CCM8:AES256-CCM:AES256-SHA256:AES256-SHA"));
        yield return new KnownAnswerTest("ciphers: kRSA:!SHA1 @STRENGTH", () => ExpectList(
            "AES128-SHA256:kRSA:!SHA1:@STRENGTH",
            "AES256-GCM-SHA384:AES256-CCM8:AES256-CCM:AES256-SHA256:AES128-SHA256:AES128-GCM-SHA256:AES128-CCM8:AES128-CCM"));
        yield return new KnownAnswerTest("ciphers: DEFAULT is every suite but AES-CCM, in preference order", () =>
            KnownAnswerTest.Check(
                CipherString.Parse("DEFAULT").Suites.SequenceEqual(CipherSuiteRegistry.Tls12Suites.Where(s => (s.Strength & OsslStrength.NotDefault) == 0)),
                "DEFAULT differs from the registry order"));
        yield return new KnownAnswerTest("ciphers: AESCCM:AESCCM8", () => ExpectList(
            "AESCCM:AESCCM8",
            "ECDHE-ECDSA-AES256-CCM8:ECDHE-ECDSA-AES256-CCM:DHE-RSA-AES256-CCM8:DHE-RSA-AES256-CCM:ECDHE-ECDSA-AES128-CCM8:"
            + "ECDHE-ECDSA-AES128-CCM:DHE-RSA-AES128-CCM8:DHE-RSA-AES128-CCM:AES256-CCM8:AES256-CCM:AES128-CCM8:AES128-CCM"));
        yield return new KnownAnswerTest("ciphers: nothing selected is an error", () =>
            KnownAnswerTest.Check(!CipherString.TryParse("CAMELLIA:!ALL", out _), "an empty selection was accepted"));
        yield return new KnownAnswerTest("ciphers: description of ECDHE-RSA-AES128-SHA", () =>
            KnownAnswerTest.Check(
                CipherSuiteRegistry.FindByOpenSslName("ECDHE-RSA-AES128-SHA")?.Description
                    == "ECDHE-RSA-AES128-SHA           TLSv1   Kx=ECDH     Au=RSA   Enc=AES(128)               Mac=SHA1",
                "description differs from OpenSSL's"));
    }

    private static void ExpectList(string cipherString, string expected)
    {
        string got = string.Join(":", CipherString.Parse(cipherString).Suites.Select(s => s.OpenSslName));
        KnownAnswerTest.Check(got == expected, $"\"{cipherString}\": expected {expected}, got {got}");
    }
}
