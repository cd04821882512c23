using ManagedTls.Crypto;
using ManagedTls.X509;
using ManagedTls.X509.Validation;

namespace ManagedTls.SelfTest;

/// <summary>
/// Known-answer tests of certificate verification: a fixed ECDSA P-256 root and leaf (from x509-limbo,
/// webpki::san::exact-dns-san) verified with and without the right name and time, and host name matching.
/// </summary>
internal static class X509KnownAnswers
{
    private const string Root =
        "MIIBjzCCATWgAwIBAgIUaRD7RF2ATdGyg6MugicHe/1w+qEwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPeDUwOS1saW1iby1yb290MCAXDTcwMDEwMTAwMDAwMVoYDzI5" +
        "NjkwNTAzMDAwMDAxWjAaMRgwFgYDVQQDDA94NTA5LWxpbWJvLXJvb3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ5wPSDeWrU7bMX1h9nrR3EhUAjsI8A93gjNfVt" +
        "Vo3l226yNViadoAVI/CS5V4XYe0Rarw2YGnmvpBsZ0iWF/Pvo1cwVTAPBgNVHRMBAf8EBTADAQH/MAsGA1UdDwQEAwIBBjAWBgNVHREEDzANggtleGFtcGxlLmNvbTAd" +
        "BgNVHQ4EFgQUPkX7z1Qe9BTH9sZvpAvoY/daKjEwCgYIKoZIzj0EAwIDSAAwRQIgIqmymUI2a7AcEN5cVHox2N+t190BcJmupgix/DFiODMCIQDt0kuNzJurClD3I9hY" +
        "uYZ9Sgp48lnNUHCLZRfq1NtJWQ==";

    private const string Leaf =
        "MIIBrzCCAVagAwIBAgIUU+3onYPd+9ihJhOmCv/M9+8kyWYwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPeDUwOS1saW1iby1yb290MCAXDTcwMDEwMTAwMDAwMVoYDzI5" +
        "NjkwNTAzMDAwMDAxWjAWMRQwEgYDVQQDDAtleGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABE9MO2S17yPjfEhi0xoXwJ0kirFsXG17ZtokPzAeVlCM" +
        "LFJRWy78ApRoESglP4R06V8zqKNEw5vbqhafAE+PrCijfDB6MB0GA1UdDgQWBBT6JsCMg1tSB1hBoxk4wtnr5i/RSjAfBgNVHSMEGDAWgBQ+RfvPVB70FMf2xm+kC+hj" +
        "91oqMTALBgNVHQ8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwFgYDVR0RBA8wDYILZXhhbXBsZS5jb20wCgYIKoZIzj0EAwIDRwAwRAIgQE3TMhzTeLAGnJTmFLT8" +
        "H9ioVrUKy9inu6OJvy7YgzICIFOGz2xD2WgXj7Bw1ftNbEM+Q7I9h4GoL1Wznk/lDu/i";

    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new("X509 verify ECDSA P-256 chain", () =>
        {
            VerifyResult r = Run("example.com", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
            KnownAnswerTest.Check(r.IsValid && r.Chain.Count == 2, "chain should verify: " + r.Message);
        });
        yield return new("X509 verify hostname mismatch is 62", () =>
        {
            VerifyResult r = Run("example2.com", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
            KnownAnswerTest.Check(r.Error == VerifyError.HostnameMismatch && r.Message == "hostname mismatch", "expected 62, got " + (int)r.Error);
        });
        yield return new("X509 verify not yet valid is 9", () =>
        {
            VerifyResult r = Run("example.com", new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero));
            KnownAnswerTest.Check(r.Error == VerifyError.CertNotYetValid, "expected 9, got " + (int)r.Error);
        });
        yield return new("X509 verify tampered signature is 7", () =>
        {
            byte[] leaf = Convert.FromBase64String(Leaf);
            leaf[leaf.Length - 3] ^= 1;
            VerifyResult r = CertificateVerifier.Verify(new VerifyRequest
            {
                PeerChain = [leaf],
                Trust = new TrustStore([Convert.FromBase64String(Root)]),
                Time = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
            });
            KnownAnswerTest.Check(r.Error == VerifyError.CertSignatureFailure, "expected 7, got " + (int)r.Error);
        });
        yield return new("X509 host name wildcard rules", () =>
        {
            KnownAnswerTest.Check(HostMatcher.MatchDns("*.example.com", "www.example.com"), "*.example.com matches www");
            KnownAnswerTest.Check(!HostMatcher.MatchDns("*.example.com", "a.b.example.com"), "wildcard spans one label");
            KnownAnswerTest.Check(!HostMatcher.MatchDns("*.com", "example.com"), "no wildcard over a TLD");
            KnownAnswerTest.Check(NameSyntax.ParseIp("192.0.2.01") is null, "leading zeros refused");
        });
    }

    private static VerifyResult Run(string host, DateTimeOffset time) => CertificateVerifier.Verify(new VerifyRequest
    {
        PeerChain = [Convert.FromBase64String(Leaf)],
        Trust = new TrustStore([Convert.FromBase64String(Root)]),
        Time = time,
        ExpectedName = PeerName.Dns(host),
        Flags = VerifyFlags.VerifyX509Strict,
    });
}
