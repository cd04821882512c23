using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Hostile;

/// <summary>The kit's scripted TLS 1.2 peers against our TLS 1.2 server and client: the handshake completes, and a broken step gets its alert.</summary>
public class Tls12KitTests
{
    private static TlsConfig Tls12(TlsConfig s) => s with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites.Where(c => c.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe).ToArray(),
    };

    [Fact]
    public void TheKitClientCompletesWithOurServer() =>
        Assert.Null(EngineTargets.AgainstServer(s => s.Handshake12(), configure: Tls12));

    [Fact]
    public void AWrongClientFinishedGetsDecryptError()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            s => s.ClientHello12().ExpectServerFlight12().ClientKeyExchange().SendChangeCipherSpec()
                .ClientFinished(m => m.SetBytes("verify_data", new byte[12]))
                .ExpectAlert(AlertDescription.DecryptError),
            configure: Tls12);
        Assert.Equal(AlertDescription.DecryptError, failure?.Description);
    }

    [Fact]
    public void AFinishedBeforeChangeCipherSpecIsUnexpected()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            s => s.ClientHello12().ExpectServerFlight12().ClientKeyExchange()
                .ClientFinished()
                .ExpectAlert(AlertDescription.UnexpectedMessage),
            configure: Tls12);
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    [Fact]
    public void TheKitServerCompletesWithOurClient() =>
        Assert.Null(EngineTargets.AgainstClient(s => s.Handshake12(), configure: c => Tls12(c) with { VerifyPeer = false, CheckHostname = false }));
}
