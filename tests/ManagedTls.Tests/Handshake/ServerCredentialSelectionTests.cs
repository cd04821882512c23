using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake;

/// <summary>
/// A server with one chain per key type serves the one the client can verify, as OpenSSL 3.0 chooses (checked with
/// <c>openssl s_server -cert rsa -dcert ec</c> and Python's <c>load_cert_chain</c> twice, see
/// <c>Facade/CertificateChainsTests</c>): TLS 1.3 by the first shared signature scheme a credential can make (client order,
/// ours with server preference); TLS 1.2 by the suite's authentication, then the scheme.
/// </summary>
public sealed class ServerCredentialSelectionTests
{
    private static Credential Cred(ServerKeyType type)
    {
        var (der, key) = ConnectionTestKit.Leaf(type);
        return new Credential([der], key);
    }

    private static TlsConfig Server(bool serverPreference = false, params ServerKeyType[] types)
    {
        IReadOnlyList<Credential> creds = [];
        foreach (ServerKeyType t in types)
        {
            creds = Credential.Put(creds, Cred(t));
        }

        return ConnectionTestKit.Server() with
        {
            CertificateChain = [],
            PrivateKey = null,
            Credentials = creds,
            MinimumVersion = ProtocolVersion.Tls12,
            Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites.ToArray(),
            PreferServerCipherSuites = serverPreference,
        };
    }

    private static TlsConfig Client(bool tls12, SignatureScheme[]? schemes = null, string[]? suites = null, NamedGroup[]? groups = null)
    {
        TlsConfig c = ConnectionTestKit.Client() with
        {
            MinimumVersion = ProtocolVersion.Tls12,
            MaximumVersion = tls12 ? ProtocolVersion.Tls12 : ProtocolVersion.Tls13,
            Tls12CipherSuites = suites is null ? CipherSuiteRegistry.Tls12Suites.ToArray() : suites.Select(n => CipherSuiteRegistry.FindByOpenSslName(n)!).ToArray(),
        };
        if (schemes is not null)
        {
            c = c with { SignatureSchemes = schemes };
        }

        if (groups is not null)
        {
            c = c with { Groups = KeyExchangeGroups.Default.Where(g => groups.Contains(g.Group)).ToArray() };
        }

        return c;
    }

    private static (byte[] Leaf, ConnectionPair Pair) Run(TlsConfig client, TlsConfig server)
    {
        var pair = new ConnectionPair(client, server);
        pair.Handshake();
        return (pair.Client.PeerCertificateChain[0], pair);
    }

    private static byte[] LeafOf(ServerKeyType type) => ConnectionTestKit.Leaf(type).Der;

    [Fact]
    public void PutKeepsOneChainPerKeyTypeInOpenSslSlotOrder()
    {
        IReadOnlyList<Credential> creds = [];
        creds = Credential.Put(creds, Cred(ServerKeyType.Ed25519));
        creds = Credential.Put(creds, Cred(ServerKeyType.EcdsaP256));
        creds = Credential.Put(creds, Cred(ServerKeyType.Rsa2048));
        Assert.Equal([CredentialSlot.Rsa, CredentialSlot.Ecdsa, CredentialSlot.Ed25519], creds.Select(c => c.Slot));

        // All ECDSA curves share one slot, as in OpenSSL: P-384 replaces P-256.
        creds = Credential.Put(creds, Cred(ServerKeyType.EcdsaP384));
        Assert.Equal(3, creds.Count);
        Assert.Same(LeafOf(ServerKeyType.EcdsaP384), creds[1].Chain[0]);
    }

    [Fact]
    public void Tls13FollowsTheClientsSignatureSchemes()
    {
        TlsConfig server = Server(false, ServerKeyType.Rsa2048, ServerKeyType.EcdsaP256, ServerKeyType.Ed25519);

        // OpenSSL's default list puts ECDSA first.
        Assert.Equal(LeafOf(ServerKeyType.EcdsaP256), Run(Client(tls12: false), server).Leaf);
        Assert.Equal(LeafOf(ServerKeyType.Rsa2048), Run(Client(false, [SignatureScheme.RsaPssRsaeSha256]), server).Leaf);
        Assert.Equal(LeafOf(ServerKeyType.Ed25519), Run(Client(false, [SignatureScheme.Ed25519, SignatureScheme.RsaPssRsaeSha256]), server).Leaf);

        // A P-256 key cannot make ecdsa_secp384r1_sha384 in TLS 1.3, so the RSA chain answers.
        var (leaf, pair) = Run(Client(false, [SignatureScheme.EcdsaSecp384r1Sha384, SignatureScheme.RsaPssRsaeSha256]), server);
        Assert.Equal(LeafOf(ServerKeyType.Rsa2048), leaf);
        Assert.Equal(SignatureScheme.RsaPssRsaeSha256, pair.Client.SignatureScheme);
    }

    [Fact]
    public void Tls13ServerPreferenceTakesOurSchemeOrder()
    {
        SignatureScheme[] rsaFirst = [SignatureScheme.RsaPssRsaeSha256, SignatureScheme.EcdsaSecp256r1Sha256];
        Assert.Equal(LeafOf(ServerKeyType.Rsa2048), Run(Client(false, rsaFirst), Server(false, ServerKeyType.Rsa2048, ServerKeyType.EcdsaP256)).Leaf);
        Assert.Equal(LeafOf(ServerKeyType.EcdsaP256), Run(Client(false, rsaFirst), Server(true, ServerKeyType.Rsa2048, ServerKeyType.EcdsaP256)).Leaf);
    }

    [Fact]
    public void Tls13WithoutAUsableChainIsNoSuitableSignatureAlgorithm()
    {
        var pair = new ConnectionPair(Client(false, [SignatureScheme.Ed448]), Server(false, ServerKeyType.Rsa2048, ServerKeyType.EcdsaP256));
        pair.Pump();
        Assert.Equal(AlertDescription.HandshakeFailure, pair.ServerError!.Description);
        Assert.Equal("NO_SUITABLE_SIGNATURE_ALGORITHM", pair.ServerError.Reason);
        Assert.Equal(AlertDescription.HandshakeFailure, pair.ClientError!.Description);
    }

    [Fact]
    public void Tls12ChoosesTheChainOfTheSuitesAuthentication()
    {
        TlsConfig server = Server(false, ServerKeyType.Rsa2048, ServerKeyType.EcdsaP256);
        var (leaf, pair) = Run(Client(true, suites: ["ECDHE-RSA-AES128-GCM-SHA256"]), server);
        Assert.Equal(LeafOf(ServerKeyType.Rsa2048), leaf);
        Assert.Equal("ECDHE-RSA-AES128-GCM-SHA256", pair.Client.CipherSuite!.OpenSslName);

        (leaf, pair) = Run(Client(true, suites: ["ECDHE-ECDSA-AES128-GCM-SHA256"]), server);
        Assert.Equal(LeafOf(ServerKeyType.EcdsaP256), leaf);

        // RSA key transport decrypts with the RSA chain's key even when an ECDSA chain was loaded after it (the leaf
        // allows keyEncipherment, which the client checks).
        var (rsaDer, rsaKey) = ConnectionTestKit.CustomLeaf(ServerKeyType.Rsa2048, s => s.KeyUsage = Org.BouncyCastle.Asn1.X509.KeyUsage.DigitalSignature | Org.BouncyCastle.Asn1.X509.KeyUsage.KeyEncipherment);
        TlsConfig transport = server with { Credentials = Credential.Put(server.Credentials, new Credential([rsaDer], rsaKey)) };
        (leaf, pair) = Run(Client(true, suites: ["AES128-GCM-SHA256"]), transport);
        Assert.Equal(rsaDer, leaf);
        Assert.Equal("AES128-GCM-SHA256", pair.Server.CipherSuite!.OpenSslName);
        Assert.Equal("ECDHE-ECDSA-AES128-GCM-SHA256", Run(Client(true, suites: ["ECDHE-ECDSA-AES128-GCM-SHA256", "AES128-GCM-SHA256"]), transport).Pair.Server.CipherSuite!.OpenSslName);

        // Client order between the two, unless the server prefers its own (ECDSA first in the registry, as OpenSSL's list).
        string[] rsaFirst = ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"];
        Assert.Equal(LeafOf(ServerKeyType.Rsa2048), Run(Client(true, suites: rsaFirst), server).Leaf);
        Assert.Equal(LeafOf(ServerKeyType.EcdsaP256), Run(Client(true, suites: rsaFirst), server with { PreferServerCipherSuites = true, Tls12CipherSuites = rsaFirst.Reverse().Select(n => CipherSuiteRegistry.FindByOpenSslName(n)!).ToArray() }).Leaf);
    }

    [Fact]
    public void Tls12EcdsaChainOnACurveTheClientLacksFallsBackToRsa()
    {
        TlsConfig server = Server(false, ServerKeyType.Rsa2048, ServerKeyType.EcdsaP384);
        TlsConfig client = Client(true, groups: [NamedGroup.X25519, NamedGroup.Secp256r1]);
        Assert.Equal(LeafOf(ServerKeyType.Rsa2048), Run(client, server).Leaf);
        Assert.Equal(LeafOf(ServerKeyType.EcdsaP384), Run(Client(true), server).Leaf);
    }

    [Fact]
    public void Tls12SignatureSchemesChooseAmongChainsOfOneAuthentication()
    {
        // Ed25519 and ECDSA both serve ECDHE-ECDSA suites: the client's first scheme decides.
        TlsConfig server = Server(false, ServerKeyType.EcdsaP256, ServerKeyType.Ed25519);
        Assert.Equal(LeafOf(ServerKeyType.Ed25519), Run(Client(true, [SignatureScheme.Ed25519, SignatureScheme.EcdsaSecp256r1Sha256]), server).Leaf);
        Assert.Equal(LeafOf(ServerKeyType.EcdsaP256), Run(Client(true, [SignatureScheme.EcdsaSecp256r1Sha256, SignatureScheme.Ed25519]), server).Leaf);
    }

    [Fact]
    public void ResumptionAndRenegotiationKeepWorkingWithSeveralChains()
    {
        TlsConfig server = Server(false, ServerKeyType.Rsa2048, ServerKeyType.EcdsaP256);
        var (_, first) = Run(Client(false, [SignatureScheme.RsaPssRsaeSha256]), server);
        ManagedTls.Handshake.Tls13.Tls13Session? session = first.Client.LatestSession;
        Assert.NotNull(session);

        // A resumed TLS 1.3 handshake still needs a chain the client could verify (OpenSSL's tls_choose_sigalg runs for it).
        var (_, resumed) = Run(Client(false, [SignatureScheme.EcdsaSecp256r1Sha256]) with { ResumptionSession = session }, server);
        Assert.True(resumed.Server.SessionReused);
        var failing = new ConnectionPair(Client(false, [SignatureScheme.Ed448]) with { ResumptionSession = session }, server);
        failing.Pump();
        Assert.Equal("NO_SUITABLE_SIGNATURE_ALGORITHM", failing.ServerError?.Reason);
    }

    [Fact]
    public void WithoutAnyCertificateTheServerFailsAtTheHello()
    {
        TlsConfig server = Server(false) with { Credentials = [] };
        foreach (bool tls12 in new[] { false, true })
        {
            var pair = new ConnectionPair(Client(tls12), server);
            pair.Pump();
            Assert.Equal(AlertDescription.HandshakeFailure, pair.ServerError!.Description);
            Assert.Equal("NO_SHARED_CIPHER", pair.ServerError.Reason);
            Assert.Equal(AlertDescription.HandshakeFailure, pair.ClientError!.Description);
        }

        // With a server-name callback that provides none, TLS 1.3 reports the signature algorithm (as Python/OpenSSL).
        var withCallback = new ConnectionPair(Client(false), server with { ServerNameCallback = _ => null });
        withCallback.Pump();
        Assert.Equal("NO_SUITABLE_SIGNATURE_ALGORITHM", withCallback.ServerError!.Reason);
    }

    [Fact]
    public void ACallbackMaySwitchACertificatelessServerToSettingsWithChains()
    {
        TlsConfig withChains = Server(false, ServerKeyType.Rsa2048, ServerKeyType.EcdsaP256);
        TlsConfig server = Server(false) with { Credentials = [], ServerNameCallback = _ => withChains };
        foreach (bool tls12 in new[] { false, true })
        {
            var (leaf, _) = Run(Client(tls12, [SignatureScheme.RsaPssRsaeSha256]), server);
            Assert.Equal(LeafOf(ServerKeyType.Rsa2048), leaf);
        }
    }
}
