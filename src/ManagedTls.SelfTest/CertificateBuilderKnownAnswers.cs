using System.Net;
using ManagedTls.Crypto;
using ManagedTls.X509;
using ManagedTls.X509.Builder;

namespace ManagedTls.SelfTest;

/// <summary>
/// Known-answer tests of the certificate builder: with a fixed entropy stream and clock it must produce the same
/// certificates byte for byte (ECDSA nonces are deterministic, RFC 6979; Ed25519 signatures are deterministic), and
/// what it produces must verify under our own verifier with the host name and IP checks. Recorded values were checked
/// with <c>openssl verify -x509_strict</c> and <c>openssl x509 -text</c>.
/// </summary>
internal static class CertificateBuilderKnownAnswers
{
    private static readonly DateTimeOffset Clock = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new("X509 builder ECDSA P-256 CA and leaf", () =>
        {
            (GeneratedCertificate ca, GeneratedCertificate leaf) = Build(CertificateKeyAlgorithm.EcdsaP256);
            KnownAnswerTest.Expect("CA certificate SHA-256", "c497c4029e05ea49d43cb314ed8f18b3fa2c0c7877a48e455fef60acae3da0de", Hashes.Compute(HashAlgorithm.Sha256, ca.CertificateDer));
            KnownAnswerTest.Expect("leaf certificate SHA-256", "d2a31b4f3233a1ef402c06daae565b594113b6d4e625c039d81779af2edebaad", Hashes.Compute(HashAlgorithm.Sha256, leaf.CertificateDer));
            CheckVerifies(ca, leaf);
        });
        yield return new("X509 builder Ed25519 CA and leaf", () =>
        {
            (GeneratedCertificate ca, GeneratedCertificate leaf) = Build(CertificateKeyAlgorithm.Ed25519);
            KnownAnswerTest.Expect("CA certificate SHA-256", "a4faf22da30013d482fa43158ebb3605c395e4912ab4290c14f67c0f16aeb2bd", Hashes.Compute(HashAlgorithm.Sha256, ca.CertificateDer));
            KnownAnswerTest.Expect("leaf certificate SHA-256", "3b54ddacea4f407cd5d47cb41cc68a0ac7d75e84a11af77f97b88be8422523fe", Hashes.Compute(HashAlgorithm.Sha256, leaf.CertificateDer));
            CheckVerifies(ca, leaf);
        });
    }

    private static (GeneratedCertificate Ca, GeneratedCertificate Leaf) Build(CertificateKeyAlgorithm algorithm)
    {
        // The entropy stream is SHA-256(counter) for counters 0, 1, 2... (4-byte little-endian).
        byte[] stream = new byte[4096];
        byte[] counter = new byte[4];
        for (int i = 0; i < stream.Length / 32; i++)
        {
            counter[0] = (byte)i;
            counter[1] = (byte)(i >> 8);
            Hashes.Compute(HashAlgorithm.Sha256, counter, stream.AsSpan(i * 32, 32));
        }

        var builder = new CertificateBuilder(new ReplayEntropy(stream), () => Clock) { KeyAlgorithm = algorithm, Organization = "ManagedTls" };
        GeneratedCertificate ca = builder.CreateCertificateAuthority("Known Answer CA");
        GeneratedCertificate leaf = builder.CreateLeaf(ca, "localhost", ["localhost"], [IPAddress.Loopback]);
        return (ca, leaf);
    }

    private static void CheckVerifies(GeneratedCertificate ca, GeneratedCertificate leaf)
    {
        foreach (PeerName name in new[] { PeerName.Dns("localhost"), PeerName.Ip("127.0.0.1") })
        {
            VerifyResult result = CertificateVerifier.Verify(new VerifyRequest
            {
                PeerChain = [leaf.CertificateDer],
                Trust = new TrustStore([ca.CertificateDer]),
                Time = Clock,
                ExpectedName = name,
                Flags = VerifyFlags.VerifyX509Strict,
            });
            KnownAnswerTest.Check(result.IsValid, $"the builder's chain should verify for {name.Value}: {result.Message}");
        }
    }
}
