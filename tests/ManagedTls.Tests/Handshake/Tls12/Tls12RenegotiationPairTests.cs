using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Tests.Connection;
using ManagedTls.Tests.X509;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// TLS 1.2 renegotiation (RFC 5746, decision 0024) between our client and our server, in memory: both directions, new
/// keys and a new tls-unique, application data interleaved with the renegotiation, the options that refuse it, the rate
/// limit, and a client certificate asked for after the handshake.
/// </summary>
public class Tls12RenegotiationPairTests
{
    private static TlsConfig Tls12(TlsConfig s) => s with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites.Where(c => c.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe).ToArray(),
    };

    private static ConnectionPair Pair(Func<TlsConfig, TlsConfig>? client = null, Func<TlsConfig, TlsConfig>? server = null)
    {
        TlsConfig c = Tls12(ConnectionTestKit.Client());
        TlsConfig s = Tls12(ConnectionTestKit.Server());
        var pair = new ConnectionPair(client?.Invoke(c) ?? c, server?.Invoke(s) ?? s);
        pair.Handshake();
        return pair;
    }

    private static void AssertDataFlows(ConnectionPair pair)
    {
        pair.Client.WriteApplicationData("ping"u8);
        pair.Server.WriteApplicationData("pong"u8);
        pair.Pump();
        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
        Assert.Equal("ping"u8.ToArray(), ConnectionPair.ReadAll(pair.Server));
        Assert.Equal("pong"u8.ToArray(), ConnectionPair.ReadAll(pair.Client));
    }

    [Fact]
    public void ClientInitiatedRenegotiationMakesNewKeysAndANewTlsUnique()
    {
        using ConnectionPair pair = Pair(server: s => s with { AllowClientRenegotiation = true });
        byte[] uniqueBefore = pair.Client.GetChannelBinding()!;
        byte[] exportBefore = pair.Client.ExportKeyingMaterial("EXPORTER-test", [], 32);

        pair.Client.Renegotiate();
        Assert.True(pair.Client.IsRenegotiating);
        Assert.True(pair.Client.IsHandshakeComplete);

        // Until the new handshake completes, tls-unique and the exporter are the last completed handshake's (RFC 5929).
        Assert.Equal(uniqueBefore, pair.Client.GetChannelBinding());
        Assert.Equal(exportBefore, pair.Client.ExportKeyingMaterial("EXPORTER-test", [], 32));
        pair.Pump();

        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
        Assert.False(pair.Client.RenegotiationPending);
        Assert.Equal(1, pair.Client.RenegotiationCount);
        Assert.Equal(1, pair.Server.RenegotiationCount);
        byte[] uniqueAfter = pair.Client.GetChannelBinding()!;
        Assert.NotEqual(uniqueBefore, uniqueAfter);
        Assert.Equal(uniqueAfter, pair.Server.GetChannelBinding());
        byte[] exportAfter = pair.Client.ExportKeyingMaterial("EXPORTER-test", [], 32);
        Assert.NotEqual(exportBefore, exportAfter);
        Assert.Equal(exportAfter, pair.Server.ExportKeyingMaterial("EXPORTER-test", [], 32));
        AssertDataFlows(pair);

        // A second one binds to the first renegotiation's Finished messages.
        pair.Client.Renegotiate();
        pair.Pump();
        Assert.Equal(2, pair.Server.RenegotiationCount);
        AssertDataFlows(pair);
    }

    [Fact]
    public void ServerInitiatedRenegotiationCompletesWithoutAllowClientRenegotiation()
    {
        using ConnectionPair pair = Pair();
        byte[] uniqueBefore = pair.Server.GetChannelBinding()!;

        pair.Server.Renegotiate();
        Assert.True(pair.Server.RenegotiationPending);
        pair.Pump();

        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
        Assert.False(pair.Server.RenegotiationPending);
        Assert.Equal(1, pair.Server.RenegotiationCount);
        Assert.Equal(1, pair.Client.RenegotiationCount);
        Assert.NotEqual(uniqueBefore, pair.Server.GetChannelBinding());
        AssertDataFlows(pair);
    }

    [Fact]
    public void ApplicationDataInterleavedWithARenegotiationIsDeliveredInOrder()
    {
        using ConnectionPair pair = Pair(server: s => s with { AllowClientRenegotiation = true });

        // The client's hello, then data under the old keys; the server sends data before it has seen the hello.
        pair.Client.Renegotiate();
        pair.Client.WriteApplicationData("c1"u8);
        pair.Server.WriteApplicationData("s1"u8);
        pair.Client.ReceiveBytes(ConnectionPair.Drain(pair.Server));
        Assert.Equal("s1"u8.ToArray(), ConnectionPair.ReadAll(pair.Client));
        Assert.True(pair.Client.IsRenegotiating);

        // The server takes the hello and c1, answers with its flight, and writes more data behind it.
        pair.Server.ReceiveBytes(ConnectionPair.Drain(pair.Client));
        Assert.Equal("c1"u8.ToArray(), ConnectionPair.ReadAll(pair.Server));
        Assert.True(pair.Server.IsRenegotiating);
        pair.Server.WriteApplicationData("s2"u8);

        // The client reads the flight and s2 (before the server's change_cipher_spec), sends its flight and more data.
        pair.Client.ReceiveBytes(ConnectionPair.Drain(pair.Server));
        Assert.Equal("s2"u8.ToArray(), ConnectionPair.ReadAll(pair.Client));
        pair.Client.WriteApplicationData("c2"u8);
        pair.Server.ReceiveBytes(ConnectionPair.Drain(pair.Client));
        Assert.Equal("c2"u8.ToArray(), ConnectionPair.ReadAll(pair.Server));
        Assert.False(pair.Server.IsRenegotiating);
        pair.Client.ReceiveBytes(ConnectionPair.Drain(pair.Server));
        Assert.False(pair.Client.IsRenegotiating);
        Assert.Equal(1, pair.Client.RenegotiationCount);
        AssertDataFlows(pair);
    }

    [Fact]
    public void AServerWithoutAllowClientRenegotiationRefusesWithAWarningAndTheConnectionGoesOn()
    {
        using ConnectionPair pair = Pair();
        pair.Client.Renegotiate();
        pair.Pump();

        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
        Assert.Equal(1, pair.Client.RenegotiationsRefused);
        Assert.False(pair.Client.RenegotiationPending);
        Assert.Equal(0, pair.Server.RenegotiationCount);
        AssertRecordedWarning(pair.ServerWire);
        AssertDataFlows(pair);
    }

    [Fact]
    public void NoRenegotiationOnTheServerRefusesEvenAClientItAllows()
    {
        using ConnectionPair pair = Pair(server: s => s with { AllowClientRenegotiation = true, RefuseRenegotiation = true });
        Assert.Throws<InvalidOperationException>(() => pair.Server.Renegotiate());
        pair.Client.Renegotiate();
        pair.Pump();

        Assert.Equal(1, pair.Client.RenegotiationsRefused);
        Assert.Equal(0, pair.Server.RenegotiationCount);
        AssertDataFlows(pair);
    }

    [Fact]
    public void NoRenegotiationOnTheClientAnswersHelloRequestWithAWarning()
    {
        using ConnectionPair pair = Pair(client: c => c with { RefuseRenegotiation = true });
        Assert.Throws<InvalidOperationException>(() => pair.Client.Renegotiate());
        pair.Server.Renegotiate();
        pair.Pump();

        Assert.Null(pair.ServerError);
        Assert.Equal(1, pair.Server.RenegotiationsRefused);
        Assert.False(pair.Server.RenegotiationPending);
        Assert.Equal(0, pair.Client.RenegotiationCount);
        AssertRecordedWarning(pair.ClientWire);
        AssertDataFlows(pair);
    }

    [Fact]
    public void APeerStartingTooManyRenegotiationsIsRefusedUntilTheWindowPasses()
    {
        DateTimeOffset now = TestPki.Now;
        using ConnectionPair pair = Pair(server: s => s with { AllowClientRenegotiation = true, Clock = () => now });
        int limit = RenegotiationLimitsDefault.PerWindow;
        for (int i = 0; i < limit; i++)
        {
            pair.Client.Renegotiate();
            pair.Pump();
        }

        Assert.Equal(limit, pair.Server.RenegotiationCount);
        pair.Client.Renegotiate();
        pair.Pump();
        Assert.Equal(1, pair.Client.RenegotiationsRefused);
        Assert.Equal(limit, pair.Server.RenegotiationCount);
        AssertDataFlows(pair);

        now += RenegotiationLimitsDefault.Window;
        pair.Client.Renegotiate();
        pair.Pump();
        Assert.Equal(limit + 1, pair.Server.RenegotiationCount);
    }

    [Fact]
    public void AServerAsksForAClientCertificateByRenegotiating()
    {
        var (clientDer, clientKey) = ConnectionTestKit.Leaf(ServerKeyType.EcdsaP256);
        using ConnectionPair pair = Pair(
            client: c => c with { CertificateChain = [clientDer], PrivateKey = clientKey },
            server: s => s with { VerifyPeer = true });
        Assert.Empty(pair.Server.PeerCertificateChain);

        pair.Server.RequestClientCertificatePostHandshake();
        Assert.True(pair.Server.PostHandshakeAuthPending);
        pair.Pump();

        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
        Assert.False(pair.Server.PostHandshakeAuthPending);
        Assert.Equal(1, pair.Server.PostHandshakeAuthCount);
        Assert.Equal(clientDer, pair.Server.PeerCertificateChain[0]);
        Assert.True(pair.Server.VerifyResult!.IsValid);
        Assert.NotNull(pair.Server.ClientSignatureScheme);
        AssertDataFlows(pair);
    }

    [Fact]
    public void TheRenegotiationRecordsAreAllProtected()
    {
        using ConnectionPair pair = Pair(server: s => s with { AllowClientRenegotiation = true });
        int before = pair.ClientWire.Count;
        pair.Client.Renegotiate();
        pair.Pump();

        // Every record of the renegotiation, change_cipher_spec included, is protected: no plaintext handshake
        // message (its content would start with a ClientHello or Finished type byte and a plausible length) and a
        // change_cipher_spec longer than its one byte.
        List<byte[]> records = Records.Split(pair.ClientWire.Skip(before));
        byte[] ccs = Assert.Single(records, r => r[0] == (byte)ContentType.ChangeCipherSpec);
        Assert.True(ccs.Length > 6, "change_cipher_spec was sent in the clear");
        Assert.All(records.Where(r => r[0] == (byte)ContentType.Handshake), r => Assert.True(r.Length - 5 > 16));
    }

    private static readonly ManagedTls.Handshake.Tls12.RenegotiationLimits RenegotiationLimitsDefault = ManagedTls.Handshake.Tls12.RenegotiationLimits.Default;

    private static void AssertRecordedWarning(IEnumerable<byte[]> wire)
    {
        // The refusal is one protected alert record after the handshake (its content is encrypted, so count the type).
        Assert.Contains(Records.Split(wire), r => r[0] == (byte)ContentType.Alert);
    }
}
