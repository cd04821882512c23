using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Wire;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.Tests.Connection;

/// <summary>Which versions each side enables in a TLS 1.2 matrix case; every setup settles on TLS 1.2.</summary>
public enum Tls12Versions
{
    /// <summary>Both sides TLS 1.2 only.</summary>
    BothOnly12,

    /// <summary>The client offers TLS 1.3 too; the server speaks TLS 1.2 only (no downgrade sentinel: its highest is 1.2).</summary>
    Client13Server12,

    /// <summary>The client offers TLS 1.2 only; the server enables TLS 1.3 too and writes the downgrade sentinel, which this client ignores.</summary>
    Client12Server13,
}

/// <summary>
/// One point of the TLS 1.2 handshake matrix: the suite, the ECDHE curve (for ECDHE suites), the server key (a variant
/// of the suite's authentication: RSA-2048, or ECDSA P-256, P-384 or Ed25519), the client's signature_algorithms
/// list, the version setup, client authentication and ALPN.
/// </summary>
internal sealed record Tls12MatrixCase(
    CipherSuiteInfo Suite,
    KeyExchangeGroup Curve,
    int KeyVariant,
    int Schemes,
    Tls12Versions Versions,
    bool ClientAuth,
    bool Alpn)
{
    public static Tls12MatrixCase FromValues(int[] row) => new(
        Tls12HandshakeMatrix.Suites[row[0]],
        Tls12HandshakeMatrix.Curves[row[1]],
        row[2],
        row[3],
        (Tls12Versions)row[4],
        row[5] == 1,
        row[6] == 1);

    /// <summary>The server's key: RSA for RSA-authenticated suites, else the variant's ECDSA or EdDSA key.</summary>
    public ServerKeyType Key => Suite.Authentication.Algorithm == AuthenticationAlgorithm.Rsa
        ? ServerKeyType.Rsa2048
        : new[] { ServerKeyType.EcdsaP256, ServerKeyType.EcdsaP384, ServerKeyType.Ed25519 }[KeyVariant];

    /// <summary>The dimension values as indexes into <see cref="Tls12HandshakeMatrix.Sizes"/>.</summary>
    public int[] Values =>
    [
        Tls12HandshakeMatrix.Suites.ToList().IndexOf(Suite),
        Tls12HandshakeMatrix.Curves.ToList().IndexOf(Curve),
        KeyVariant,
        Schemes,
        (int)Versions,
        ClientAuth ? 1 : 0,
        Alpn ? 1 : 0,
    ];

    public override string ToString() =>
        $"{Suite.IanaName} {Curve.Name} {Key} schemes#{Schemes} {Versions}{(ClientAuth ? " clientauth" : "")}{(Alpn ? " alpn" : "")}";
}

/// <summary>The dimensions of the TLS 1.2 handshake matrix and the runner that checks one case end to end, in memory.</summary>
internal static class Tls12HandshakeMatrix
{
    /// <summary>The TLS 1.2 suites this engine implements.</summary>
    public static IReadOnlyList<CipherSuiteInfo> Suites => CipherSuiteRegistry.Tls12Suites;

    /// <summary>The curves ECDHE may use in TLS 1.2.</summary>
    public static readonly IReadOnlyList<KeyExchangeGroup> Curves = KeyExchangeGroups.All.Where(g => g.SupportsTls12 && !g.IsFiniteField).ToArray();

    /// <summary>The client's signature_algorithms in each variant: OpenSSL's default, the same reversed, and a short list led by SHA-384.</summary>
    public static readonly IReadOnlyList<SignatureScheme>[] SchemeLists =
    [
        SignatureSchemes.Default,
        SignatureSchemes.Default.Reverse().ToArray(),
        [SignatureScheme.RsaPkcs1Sha384, SignatureScheme.EcdsaSecp384r1Sha384, SignatureScheme.Ed25519, SignatureScheme.RsaPssRsaeSha256, SignatureScheme.EcdsaSecp256r1Sha256],
    ];

    /// <summary>How many values each of the seven dimensions has.</summary>
    public static int[] Sizes => [Suites.Count, Curves.Count, 3, SchemeLists.Length, 3, 2, 2];

    private static readonly byte[] H2 = Encoding.ASCII.GetBytes("h2");
    private static readonly byte[] Http11 = Encoding.ASCII.GetBytes("http/1.1");
    private static readonly byte[] Spdy = Encoding.ASCII.GetBytes("spdy/3");

    /// <summary>An RSA-2048 leaf with keyEncipherment and digitalSignature, for RSA key transport and signatures.</summary>
    public static readonly Lazy<(byte[] Der, PrivateKey Key)> RsaLeaf =
        new(() => ConnectionTestKit.CustomLeaf(ServerKeyType.Rsa2048, s => s.KeyUsage = KeyUsage.KeyEncipherment | KeyUsage.DigitalSignature));

    /// <summary>The RFC 8446 section 4.1.3 sentinel a TLS 1.3-capable server puts at the end of a TLS 1.2 ServerHello.random.</summary>
    private static readonly byte[] Sentinel = [0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01];

    /// <summary>The client certificate's key in a case: another type than the server's.</summary>
    public static ServerKeyType ClientKey(ServerKeyType server) => server switch
    {
        ServerKeyType.Rsa2048 => ServerKeyType.EcdsaP256,
        ServerKeyType.EcdsaP256 => ServerKeyType.EcdsaP384,
        ServerKeyType.EcdsaP384 => ServerKeyType.Ed25519,
        _ => ServerKeyType.Rsa2048,
    };

    /// <summary>Whether a key of this type can sign with the scheme under TLS 1.2's rules (ECDSA with any curve, PKCS#1 allowed).</summary>
    public static bool CanSign(ServerKeyType key, SignatureScheme scheme) => key switch
    {
        ServerKeyType.Rsa2048 => scheme is SignatureScheme.RsaPkcs1Sha256 or SignatureScheme.RsaPkcs1Sha384 or SignatureScheme.RsaPkcs1Sha512
            or SignatureScheme.RsaPssRsaeSha256 or SignatureScheme.RsaPssRsaeSha384 or SignatureScheme.RsaPssRsaeSha512,
        ServerKeyType.Ed25519 => scheme == SignatureScheme.Ed25519,
        _ => scheme is SignatureScheme.EcdsaSecp256r1Sha256 or SignatureScheme.EcdsaSecp384r1Sha384 or SignatureScheme.EcdsaSecp521r1Sha512,
    };

    /// <summary>The server's ServerKeyExchange scheme: the client's first scheme (of those the server enables, the default list) its key can make.</summary>
    public static SignatureScheme ExpectedScheme(ServerKeyType key, IReadOnlyList<SignatureScheme> clientList) =>
        clientList.First(s => SignatureSchemes.Default.Contains(s) && CanSign(key, s));

    /// <summary>
    /// The client's CertificateVerify scheme: its first scheme the server accepts (the default list) that its key can make,
    /// and for an ECDSA key one of its own curve when there is one (as OpenSSL).
    /// </summary>
    public static SignatureScheme ExpectedClientScheme(ServerKeyType key, IReadOnlyList<SignatureScheme> clientList)
    {
        SignatureScheme[] usable = clientList.Where(s => SignatureSchemes.Default.Contains(s) && CanSign(key, s)).ToArray();
        SignatureScheme? own = key switch
        {
            ServerKeyType.EcdsaP256 => SignatureScheme.EcdsaSecp256r1Sha256,
            ServerKeyType.EcdsaP384 => SignatureScheme.EcdsaSecp384r1Sha384,
            _ => null,
        };
        return own is { } o && usable.Contains(o) ? o : usable[0];
    }

    public static (TlsConfig Client, TlsConfig Server) Settings(Tls12MatrixCase c, int seed)
    {
        bool client13 = c.Versions == Tls12Versions.Client13Server12;
        bool server13 = c.Versions == Tls12Versions.Client12Server13;

        // The curve of an ECDSA certificate must be in the client's supported_groups (RFC 8422 section 5.1); the server
        // enables only the case's curve, so ECDHE uses it.
        KeyExchangeGroup[] clientGroups = [c.Curve, .. new[] { KeyExchangeGroups.Secp256r1, KeyExchangeGroups.Secp384r1 }.Where(g => g != c.Curve)];
        TlsConfig client = ConnectionTestKit.Client(new SeededEntropy(seed)) with
        {
            MinimumVersion = ProtocolVersion.Tls12,
            MaximumVersion = client13 ? ProtocolVersion.Tls13 : ProtocolVersion.Tls12,
            CipherSuites = client13 ? CipherSuiteRegistry.Tls13Suites : [],
            Tls12CipherSuites = [c.Suite],
            Groups = client13 ? [.. clientGroups, .. KeyExchangeGroups.Default.Where(g => !clientGroups.Contains(g))] : clientGroups,
            SignatureSchemes = SchemeLists[c.Schemes],
            AlpnProtocols = c.Alpn ? [Spdy, H2, Http11] : [],
        };
        TlsConfig server = ConnectionTestKit.Server(c.Key) with
        {
            MinimumVersion = ProtocolVersion.Tls12,
            MaximumVersion = server13 ? ProtocolVersion.Tls13 : ProtocolVersion.Tls12,
            CipherSuites = server13 ? CipherSuiteRegistry.Tls13Suites : [],
            Tls12CipherSuites = Suites,
            Groups = [c.Curve],
            DhParameters = KeyExchanges.Ffdhe2048,
            AlpnProtocols = c.Alpn ? [Http11, H2] : [],
            Entropy = new SeededEntropy(seed + 1),
        };
        if (c.Key == ServerKeyType.Rsa2048)
        {
            // RSA key transport needs keyEncipherment in a leaf that has keyUsage (RFC 5246 section 7.4.2).
            server = server with { CertificateChain = [RsaLeaf.Value.Der], PrivateKey = RsaLeaf.Value.Key };
        }

        if (c.ClientAuth)
        {
            var (der, key) = ConnectionTestKit.Leaf(ClientKey(c.Key));
            client = client with { CertificateChain = [der], PrivateKey = key };
            server = server with { RequestClientCertificate = true, RequireClientCertificate = true };
        }

        return (client, server);
    }

    /// <summary>
    /// Runs one case: a full handshake, both sides agree on every negotiated value and it is the one the configuration
    /// implies (suite, curve, signature schemes, ALPN, encrypt_then_mac exactly for CBC, extended_master_secret, the
    /// sentinel exactly when the server enables TLS 1.3), tls-unique and exported keys are equal, data moves both ways
    /// across several records, and both sides close.
    /// </summary>
    public static void Run(Tls12MatrixCase c, int seed = 1)
    {
        var (client, server) = Settings(c, seed);
        using var pair = new ConnectionPair(client, server);
        pair.Handshake();
        foreach (TlsConnection side in new[] { pair.Client, pair.Server })
        {
            Assert.Equal(ProtocolVersion.Tls12, side.Version);
            Assert.Equal(c.Suite, side.CipherSuite);
            // ECDHE on the case's curve; DHE on the server's parameters, which are the RFC 7919 ffdhe2048 group.
            Assert.Equal(
                c.Suite.KeyExchange.Algorithm switch { SuiteKeyExchange.Ecdhe => c.Curve.Group, SuiteKeyExchange.Dhe => NamedGroup.Ffdhe2048, _ => (NamedGroup?)null },
                side.NamedGroup);
            Assert.Equal(c.Alpn ? Http11 : null, side.AlpnProtocol);
            Assert.Equal(c.Suite.KeyExchange.Algorithm == SuiteKeyExchange.Rsa ? null : ExpectedScheme(c.Key, SchemeLists[c.Schemes]), side.SignatureScheme);
            Assert.Equal(c.ClientAuth ? ExpectedClientScheme(ClientKey(c.Key), SchemeLists[c.Schemes]) : null, side.ClientSignatureScheme);
        }

        Assert.Equal(c.Key == ServerKeyType.Rsa2048 ? RsaLeaf.Value.Der : ConnectionTestKit.Leaf(c.Key).Der, pair.Client.PeerCertificateChain[0]);
        Assert.True(pair.Client.VerifyResult!.IsValid);
        if (c.ClientAuth)
        {
            Assert.Equal(ConnectionTestKit.Leaf(ClientKey(c.Key)).Der, pair.Server.PeerCertificateChain[0]);
            Assert.True(pair.Server.VerifyResult!.IsValid);
        }
        else
        {
            Assert.Empty(pair.Server.PeerCertificateChain);
        }

        // The ServerHello: encrypt_then_mac exactly for a CBC suite, extended_master_secret always, the sentinel exactly
        // when the server enables TLS 1.3; the client's hello carries supported_versions exactly when it offers TLS 1.3.
        (byte[] random, HashSet<int> extensions) = ServerHello(Records.Split(pair.ServerWire)[0]);
        Assert.Equal(c.Suite.Cbc is not null, extensions.Contains(22));
        Assert.Contains(23, extensions);
        Assert.DoesNotContain(43, extensions);
        Assert.Equal(c.Versions == Tls12Versions.Client12Server13, random.AsSpan(24).SequenceEqual(Sentinel));

        byte[] unique = pair.Client.GetChannelBinding("tls-unique")!;
        Assert.Equal(12, unique.Length);
        Assert.Equal(unique, pair.Server.GetChannelBinding("tls-unique"));
        Assert.Equal(pair.Client.ExportKeyingMaterial("EXPORTER-matrix", [1, 2, 3], 32), pair.Server.ExportKeyingMaterial("EXPORTER-matrix", [1, 2, 3], 32));

        byte[] toServer = new byte[20_000 + seed];
        byte[] toClient = new byte[300 + seed];
        new Random(seed).NextBytes(toServer);
        new Random(seed + 1).NextBytes(toClient);
        pair.Client.WriteApplicationData(toServer);
        pair.Server.WriteApplicationData(toClient);
        pair.Pump();
        Assert.Equal(toServer, ConnectionPair.ReadAll(pair.Server));
        Assert.Equal(toClient, ConnectionPair.ReadAll(pair.Client));

        pair.Client.Close();
        pair.Server.Close();
        pair.Pump();
        Assert.True(pair.Client.PeerClosed && pair.Server.PeerClosed, "close_notify not received");
        Assert.Null(pair.ClientError);
        Assert.Null(pair.ServerError);
    }

    /// <summary>The random and the extension types of the ServerHello that opens a record.</summary>
    private static (byte[] Random, HashSet<int> Extensions) ServerHello(byte[] record)
    {
        Assert.Equal(22, record[0]);
        Assert.Equal(2, record[5]);
        int at = 5 + 4 + 2;
        byte[] random = record[at..(at + 32)];
        at += 32;
        at += 1 + record[at]; // session id
        at += 2 + 1; // cipher suite, compression
        int end = at + 2 + ((record[at] << 8) | record[at + 1]);
        at += 2;
        var types = new HashSet<int>();
        while (at < end)
        {
            types.Add((record[at] << 8) | record[at + 1]);
            at += 4 + ((record[at + 2] << 8) | record[at + 3]);
        }

        return (random, types);
    }
}
