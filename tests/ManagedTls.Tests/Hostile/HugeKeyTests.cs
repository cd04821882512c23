using System.Diagnostics;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;
using ManagedTls.X509;
using Org.BouncyCastle.Math;
using static ManagedTls.Tests.X509.TestPki;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// A server that presents certificates with huge RSA keys costs the client no big-number arithmetic: a 32768-bit key
/// is refused when it is read, with verification on (an intermediate) or off (the leaf). The verifier alone refuses
/// such a chain within 100 ms (<c>RsaKeyLimitTests</c>); here the clock also runs over the scripted server's flight
/// (an ECDSA signature) on a shared machine, so the bound is 500 ms. Before the bounds each case took minutes.
/// </summary>
public class HugeKeyTests
{
    private static readonly Lazy<Node> Root = new(() => X509.TestPki.Root("huge-key root"));

    [Fact]
    public void AnIntermediateWithA32768BitKeyFailsTheHandshakeQuickly()
    {
        BigInteger n = FakeModulus(32768, seed: 7);
        Node ica = Ca(Root.Value, "huge ica", s => s.PublicKeyInfo = RsaSpki(n, n.Subtract(BigInteger.Two)));
        Node leaf = Leaf(ica, "localhost", s => s.FakeSignatureLength = 4096, "localhost");
        var (failure, elapsed) = PresentChain([leaf.Der, ica.Der], verify: true);
        Assert.Equal(AlertDescription.BadCertificate, failure?.Description);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), $"took {elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void ALeafWithA32768BitKeyFailsTheHandshakeQuicklyWithoutVerification()
    {
        BigInteger n = FakeModulus(32768, seed: 8);
        Node leaf = Leaf(Root.Value, "localhost", s => s.PublicKeyInfo = RsaSpki(n, n.Subtract(BigInteger.Two)), "localhost");
        var (failure, elapsed) = PresentChain([leaf.Der], verify: false);
        Assert.Equal(AlertDescription.BadCertificate, failure?.Description);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), $"took {elapsed.TotalMilliseconds} ms");
    }

    // The scripted server answers with its own flight but presents <paramref name="chain"/>; the time is the
    // client's, from the flight's delivery to its alert.
    private static (TlsAlertException? Failure, TimeSpan Elapsed) PresentChain(IReadOnlyList<byte[]> chain, bool verify)
    {
        // Once without the huge chain, so the timed run measures the refusal, not the first use of the code.
        EngineTargets.AgainstClient(script => script.Handshake(), seed: 1501);
        var watch = new Stopwatch();
        TlsAlertException? failure = EngineTargets.AgainstClient(
            script => script
                .Expect(HandshakeType.ClientHello)
                .Do(watch.Start, "start the clock")
                .ServerFlight(new ServerFlightOptions { Edit = m => m.Type == HandshakeType.Certificate ? TlsMessages.Certificate(chain, context: []) : m })
                .ExpectAlert(AlertDescription.BadCertificate)
                .Do(watch.Stop, "stop the clock"),
            seed: 1502,
            configure: s => s with { Trust = new TrustStore([Root.Value.Der]), VerifyPeer = verify, CheckHostname = verify, Clock = () => Now });
        return (failure, watch.Elapsed);
    }
}
