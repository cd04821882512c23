using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Record;
using ManagedTls.Ssl;
using ManagedTls.Wire;
using ManagedTls.X509.Store;

namespace ManagedTls.SelfTest;

/// <summary>
/// The one list of every layer's known-answer tests. <c>managedtls selftest</c> runs it without a test
/// runner (and so without OpenSSL); the test suite runs each entry as a theory case tagged NoOpenSsl.
/// A layer adds its tests by adding its <c>XxxKnownAnswers.All()</c> here.
/// </summary>
internal static class SelfTest
{
    public static IEnumerable<KnownAnswerTest> All() =>
        CoreKnownAnswers.All()
            .Concat(CryptoKnownAnswers.All())
            .Concat(SignatureKnownAnswers.All())
            .Concat(WireKnownAnswers.All())
            .Concat(CipherSuiteKnownAnswers.All())
            .Concat(X509StoreKnownAnswers.All())
            .Concat(X509KnownAnswers.All())
            .Concat(CertificateBuilderKnownAnswers.All())
            .Concat(RecordKnownAnswers.All())
            .Concat(KeyScheduleKnownAnswers.All())
            .Concat(SslKnownAnswers.All())
            .Concat(ConnectionKnownAnswers.All())
            .Concat(HandshakeMatrixKnownAnswers.All());
}
