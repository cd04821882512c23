using System.Text;
using ManagedTls.Ssl;
using ManagedTls.X509;
using ManagedTls.X509.Builder;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslContext.SetCiphersuites"/>, <see cref="SslContext.SetGroups"/>, <see cref="SslObject.ClientSignatureScheme"/>
/// and <see cref="SslObject.GetUnverifiedChain"/>, and the internal steps openssl's s_client and s_server need (deferred
/// peer verification, a KeyUpdate on demand, close_notify without waiting), over in-memory BIO pairs.
/// </summary>
public sealed class ContextSuitesGroupsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("managedtls-suites-groups-");
    private readonly GeneratedCertificate _ca;
    private readonly GeneratedCertificate _server;
    private readonly GeneratedCertificate _client;

    public ContextSuitesGroupsTests()
    {
        var builder = new CertificateBuilder();
        _ca = builder.CreateCertificateAuthority("Suites CA");
        _server = builder.CreateLeaf(_ca, "localhost", ["localhost"]);
        _client = new CertificateBuilder { KeyAlgorithm = CertificateKeyAlgorithm.EcdsaP384 }.CreateLeaf(_ca, "client", usages: CertificateUsages.ClientAuth);
        Write("server", _server);
        Write("client", _client);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void SetCiphersuitesChoosesTheSuiteAndGetCiphersListsIt()
    {
        SslContext client = ClientContext();
        client.SetCiphersuites("TLS_NO_SUCH_SUITE:TLS_CHACHA20_POLY1305_SHA256");
        Assert.Equal(["TLS_CHACHA20_POLY1305_SHA256"], client.GetCiphers().Where(c => c.Protocol == "TLSv1.3").Select(c => c.Name));
        Assert.Equal("TLS_CHACHA20_POLY1305_SHA256", client.GetCiphers()[0].Name);

        var (c, s) = Connect(client, ServerContext());
        Assert.Equal(("TLS_CHACHA20_POLY1305_SHA256", "TLSv1.3", 256), c.Cipher());
        Assert.Equal(c.Cipher(), s.Cipher());
    }

    [Fact]
    public void SetCiphersuitesRefusesAListWithoutAKnownSuiteAndKeepsTheOldOne()
    {
        SslContext context = ClientContext();
        context.SetCiphersuites("TLS_AES_128_GCM_SHA256");
        var e = Assert.Throws<SslException>(() => context.SetCiphersuites("TLS_NOPE:AES128-SHA"));
        Assert.Equal("No cipher suite can be selected.", e.Message);
        Assert.Equal(["TLS_AES_128_GCM_SHA256"], context.GetCiphers().Where(c => c.Protocol == "TLSv1.3").Select(c => c.Name));
        Assert.Throws<ArgumentNullException>(() => context.SetCiphersuites(null!));
    }

    [Fact]
    public void AnEmptySuiteListLeavesOnlyTls12()
    {
        // As OpenSSL: without TLS 1.3 ciphersuites TLS 1.3 is not offered; TLS 1.2 is; with TLS 1.2 disabled too, nothing is.
        SslContext context = ClientContext();
        context.SetCiphersuites(string.Empty);
        Assert.DoesNotContain(context.GetCiphers(), c => c.Protocol == "TLSv1.3");
        Assert.NotEmpty(context.GetCiphers());
        Assert.Equal(ManagedTls.Wire.ProtocolVersion.Tls12, context.Freeze(serverSide: false).MaximumVersion);
        context.WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost").Dispose();
        context.Options |= SslOptions.NoTlsV1_2;
        var e = Assert.Throws<SslException>(() => context.WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost"));
        Assert.Equal("NO_CIPHERS_AVAILABLE", e.Reason);
    }

    [Theory]
    [InlineData("P-384", null, "secp384r1")]
    [InlineData("x448:X25519", null, "x448")]
    [InlineData(null, "ffdhe2048", "ffdhe2048")]
    [InlineData("secp256r1:P-521", "P-521", "secp521r1")]
    [InlineData("secp256r1:P-521", "P-521:prime256v1", "secp256r1")]
    public void SetGroupsDecidesTheGroup(string? clientGroups, string? serverGroups, string expected)
    {
        SslContext client = ClientContext();
        SslContext server = ServerContext();
        if (clientGroups is not null)
        {
            client.SetGroups(clientGroups);
        }

        if (serverGroups is not null)
        {
            server.SetGroups(serverGroups);
        }

        var (c, s) = Connect(client, server);
        Assert.Equal(expected, c.Group());
        Assert.Equal(expected, s.Group());
    }

    [Fact]
    public void SetGroupsRefusesUnknownNamesAndKeepsTheOldList()
    {
        SslContext client = ClientContext();
        client.SetGroups("P-256");
        Assert.Equal("unrecognized group", Assert.Throws<SslException>(() => client.SetGroups("P-256:brainpool")).Message);
        Assert.Throws<SslException>(() => client.SetGroups(":"));
        Assert.Throws<ArgumentNullException>(() => client.SetGroups(null!));
        var (c, _) = Connect(client, ServerContext());
        Assert.Equal("secp256r1", c.Group());
    }

    [Fact]
    public void ClientSignatureSchemeAndChainsOnBothSides()
    {
        SslContext client = ClientContext();
        client.LoadCertChain(Path.Combine(_dir.FullName, "client.pem"), Path.Combine(_dir.FullName, "client.key"));
        SslContext server = ServerContext();
        server.VerifyMode = VerifyMode.CertRequired;
        server.LoadVerifyLocations(cadata: _ca.CertificatePem);

        MemoryBio ci = new(), co = new(), si = new(), so = new();
        SslObject c = client.WrapBio(ci, co, serverHostname: "localhost");
        SslObject s = server.WrapBio(si, so, serverSide: true);
        Assert.Empty(c.GetUnverifiedChain());
        Assert.Null(c.ClientSignatureScheme());
        Handshake(c, s, ci, co, si, so);

        Assert.Equal("ecdsa_secp384r1_sha384", c.ClientSignatureScheme());
        Assert.Equal("ecdsa_secp384r1_sha384", s.ClientSignatureScheme());
        Assert.Equal("ecdsa_secp256r1_sha256", s.SignatureScheme());
        Assert.Equal([_server.CertificateDer], c.GetUnverifiedChain());
        Assert.Equal([_client.CertificateDer], s.GetUnverifiedChain());

        // Copies: changing one changes nothing.
        c.GetUnverifiedChain()[0][0] ^= 1;
        Assert.Equal(_server.CertificateDer, c.GetUnverifiedChain()[0]);
    }

    [Fact]
    public void NoClientSchemeWithoutAClientCertificate()
    {
        var (c, s) = Connect(ClientContext(), ServerContext());
        Assert.Null(c.ClientSignatureScheme());
        Assert.Null(s.ClientSignatureScheme());
        Assert.Empty(s.GetUnverifiedChain());
        Assert.Equal([_server.CertificateDer], c.GetUnverifiedChain());
    }

    [Fact]
    public void DeferredVerificationRequiresTheCertificateButLeavesTheChainToTheCaller()
    {
        // The server trusts nothing: without deferral the client's certificate fails the handshake.
        SslContext client = ClientContext();
        client.LoadCertChain(Path.Combine(_dir.FullName, "client.pem"), Path.Combine(_dir.FullName, "client.key"));
        SslContext strict = ServerContext();
        strict.VerifyMode = VerifyMode.CertRequired;
        Assert.Throws<SslCertVerificationException>(() => Connect(client, strict));

        SslContext server = ServerContext();
        server.VerifyMode = VerifyMode.CertRequired;
        server.DangerousDeferPeerVerification = true;
        var (_, s) = Connect(client, server);
        IReadOnlyList<byte[]> chain = s.GetUnverifiedChain();
        Assert.Equal([_client.CertificateDer], chain);
        Assert.Equal(VerifyError.UnableToGetIssuerCertLocally, server.VerifyPeerChain(chain, serverSide: true).Error);

        // Once the CA is loaded the same chain verifies for a client, not for a server (its extendedKeyUsage).
        server.LoadVerifyLocations(cadata: _ca.CertificatePem);
        Assert.True(server.VerifyPeerChain(chain, serverSide: true).IsValid);
        Assert.Equal(VerifyError.InvalidPurpose, server.VerifyPeerChain(chain, serverSide: false).Error);

        // A certificate is still required.
        Assert.Throws<SslException>(() => Connect(ClientContext(), server));
    }

    [Fact]
    public void KeyUpdateAndCloseNotifyWithoutWaiting()
    {
        MemoryBio ci = new(), co = new(), si = new(), so = new();
        SslObject c = ClientContext().WrapBio(ci, co, serverHostname: "localhost");
        SslObject s = ServerContext().WrapBio(si, so, serverSide: true);
        Assert.Throws<InvalidOperationException>(() => c.UpdateKeys(requestPeerUpdate: false));
        Assert.Throws<SslException>(c.SendCloseNotify);
        Handshake(c, s, ci, co, si, so);

        c.UpdateKeys(requestPeerUpdate: true);
        c.Write(Encoding.ASCII.GetBytes("after update"));
        si.Write(co.Read());
        Assert.Equal("after update", Encoding.ASCII.GetString(s.Read(64)));
        s.Write(Encoding.ASCII.GetBytes("answer"));
        ci.Write(so.Read());
        Assert.Equal("answer", Encoding.ASCII.GetString(c.Read(64)));

        // close_notify goes out; the server's data still arrives; its close_notify then ends the reads.
        c.SendCloseNotify();
        c.SendCloseNotify();
        Assert.Throws<SslException>(() => c.UpdateKeys(requestPeerUpdate: false));
        si.Write(co.Read());
        Assert.Empty(s.Read(64));
        s.Write(Encoding.ASCII.GetBytes("last words"));
        s.Unwrap();
        ci.Write(so.Read());
        Assert.Equal("last words", Encoding.ASCII.GetString(c.Read(64)));
        Assert.Throws<SslZeroReturnException>(() => c.Read(64));
    }

    private SslContext ClientContext()
    {
        var context = new SslContext(SslProtocol.TlsClient);
        context.LoadVerifyLocations(cadata: _ca.CertificatePem);
        return context;
    }

    private SslContext ServerContext()
    {
        var context = new SslContext(SslProtocol.TlsServer);
        context.LoadCertChain(Path.Combine(_dir.FullName, "server.pem"), Path.Combine(_dir.FullName, "server.key"));
        return context;
    }

    private (SslObject Client, SslObject Server) Connect(SslContext client, SslContext server)
    {
        MemoryBio ci = new(), co = new(), si = new(), so = new();
        SslObject c = client.WrapBio(ci, co, serverHostname: "localhost");
        SslObject s = server.WrapBio(si, so, serverSide: true);
        Handshake(c, s, ci, co, si, so);
        return (c, s);
    }

    // Moves the flights until both sides are done (a HelloRetryRequest takes one more round trip).
    private static void Handshake(SslObject c, SslObject s, MemoryBio ci, MemoryBio co, MemoryBio si, MemoryBio so)
    {
        for (int round = 0; round < 4 && !(c.IsHandshakeComplete && s.IsHandshakeComplete); round++)
        {
            Step(c);
            si.Write(co.Read());
            Step(s);
            ci.Write(so.Read());
        }

        Step(c);
        si.Write(co.Read());
        Step(s);
        Assert.True(c.IsHandshakeComplete && s.IsHandshakeComplete, "the handshake did not complete");
    }

    private static void Step(SslObject ssl)
    {
        try
        {
            ssl.DoHandshake();
        }
        catch (SslWantReadException)
        {
            // The peer's next flight is needed.
        }
    }

    private void Write(string name, GeneratedCertificate certificate)
    {
        File.WriteAllText(Path.Combine(_dir.FullName, name + ".pem"), certificate.CertificatePem);
        File.WriteAllText(Path.Combine(_dir.FullName, name + ".key"), certificate.Key.ExportPkcs8Pem());
    }
}
