using ManagedTls.Crypto;

namespace ManagedTls.Ssl;

/// <summary>Known answers for the Python module helpers, recorded from CPython 3.11.</summary>
internal static class SslKnownAnswers
{
    /// <summary>The list.</summary>
    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new KnownAnswerTest("ssl/cert_time_to_seconds", () =>
        {
            KnownAnswerTest.Check(Ssl.CertTimeToSeconds("Jan  5 09:34:43 2018 GMT") == 1515144883, "Jan 5 2018");
            KnownAnswerTest.Check(Ssl.CertTimeToSeconds("Feb 31 00:00:00 2020 GMT") == 1583107200, "Feb 31 2020");
            KnownAnswerTest.Check(Ssl.CertTimeToSeconds("Jan  1 00:00:00 1969 GMT") == -31536000, "1969");
        });
        yield return new KnownAnswerTest("ssl/pem-der-round-trip", () =>
        {
            byte[] der = new byte[49];
            der.AsSpan().Fill(0xff);
            string pem = Ssl.DerCertToPemCert(der);
            KnownAnswerTest.Check(pem == "-----BEGIN CERTIFICATE-----\n" + new string('/', 64) + "\n/w==\n-----END CERTIFICATE-----\n", "pem");
            KnownAnswerTest.Expect("der", CryptoUtil.ToHex(der), Ssl.PemCertToDerCert(pem));
        });
    }
}
