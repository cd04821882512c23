using ManagedTls.Crypto;
using ManagedTls.Ssl;

namespace ManagedTls.SelfTest;

/// <summary>Known answers for the Python module helpers and the context configuration, recorded from CPython 3.11 with OpenSSL 3.0.</summary>
internal static class SslKnownAnswers
{
    /// <summary>The list.</summary>
    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new KnownAnswerTest("ssl/cert_time_to_seconds", () =>
        {
            KnownAnswerTest.Check(ManagedTls.Ssl.Ssl.CertTimeToSeconds("Jan  5 09:34:43 2018 GMT") == 1515144883, "Jan 5 2018");
            KnownAnswerTest.Check(ManagedTls.Ssl.Ssl.CertTimeToSeconds("Feb 31 00:00:00 2020 GMT") == 1583107200, "Feb 31 2020");
            KnownAnswerTest.Check(ManagedTls.Ssl.Ssl.CertTimeToSeconds("Jan  1 00:00:00 1969 GMT") == -31536000, "1969");
        });
        yield return new KnownAnswerTest("ssl/pem-der-round-trip", () =>
        {
            byte[] der = new byte[49];
            der.AsSpan().Fill(0xff);
            string pem = ManagedTls.Ssl.Ssl.DerCertToPemCert(der);
            KnownAnswerTest.Check(pem == "-----BEGIN CERTIFICATE-----\n" + new string('/', 64) + "\n/w==\n-----END CERTIFICATE-----\n", "pem");
            KnownAnswerTest.Expect("der", CryptoUtil.ToHex(der), ManagedTls.Ssl.Ssl.PemCertToDerCert(pem));
        });
        yield return new KnownAnswerTest("ssl/context-defaults", () =>
        {
            var client = new SslContext(SslProtocol.TlsClient);
            KnownAnswerTest.Check((long)client.Options == 0x82520050, "options");
            KnownAnswerTest.Check(client.VerifyMode == VerifyMode.CertRequired && client.CheckHostname, "client verification");
            KnownAnswerTest.Check(client.SecurityLevel == 2 && client.GetCiphers().Count == 17, "ciphers");
            KnownAnswerTest.Check(client.GetCiphers()[0].Id == 50336514 && client.GetCiphers()[3].Name == "ECDHE-ECDSA-AES256-GCM-SHA384", "cipher order");
            var config = client.Freeze(false);
            KnownAnswerTest.Check(config.MinimumVersion == Wire.ProtocolVersion.Tls12 && config.MaximumVersion == Wire.ProtocolVersion.Tls13, "version range");
        });
        yield return new KnownAnswerTest("ssl/alert-reasons", () =>
        {
            KnownAnswerTest.Check(SslErrors.ReceivedAlertText(AlertDescription.ProtocolVersion) == "tlsv1 alert protocol version", "protocol_version");
            KnownAnswerTest.Check(SslErrors.ReceivedAlertText(AlertDescription.CertificateRequired) == "tlsv13 alert certificate required", "certificate_required");
            KnownAnswerTest.Check(SslErrors.ReceivedAlertText(AlertDescription.UnrecognizedName) == "tlsv1 unrecognized name", "unrecognized_name");
        });
        yield return new KnownAnswerTest("ssl/memory-bio", () =>
        {
            var bio = new MemoryBio();
            bio.Write(new byte[] { 1, 2, 3 });
            bio.WriteEof();
            KnownAnswerTest.Expect("read", "01", bio.Read(1));
            KnownAnswerTest.Check(!bio.Eof && bio.Pending == 2, "pending");
            KnownAnswerTest.Expect("rest", "0203", bio.Read());
            KnownAnswerTest.Check(bio.Eof, "eof");
        });
    }
}
