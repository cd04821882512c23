using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <c>verify_client_post_handshake()</c> with Python's semantics and OpenSSL's error reasons (checked against Python
/// 3.11 / OpenSSL 3.0): <c>NOT_SERVER</c>, <c>WRONG_SSL_VERSION</c> before the version is known,
/// <c>EXTENSION_NOT_RECEIVED</c>, <c>INVALID_CONFIG</c> with <c>CERT_NONE</c>, <c>STILL_IN_INIT</c> for a second call
/// while the first is pending. A server context with <c>post_handshake_auth</c> asks for the certificate only after
/// the handshake; the request goes out with the next I/O.
/// </summary>
public sealed class PostHandshakeAuthFacadeTests : IDisposable
{
    private readonly string _server = WrapKeys.WriteFiles();
    private readonly string _client = FacadeKeys.WriteFiles();

    public void Dispose()
    {
        Directory.Delete(_server, recursive: true);
        Directory.Delete(_client, recursive: true);
    }

    private SslContext ServerContext(VerifyMode mode = VerifyMode.CertRequired, bool pha = true)
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(Path.Combine(_server, "cert.pem"), Path.Combine(_server, "key.pem"));
        ctx.LoadVerifyLocations(cafile: Path.Combine(_client, "cert.pem"));
        ctx.VerifyMode = mode;
        ctx.PostHandshakeAuth = pha;
        return ctx;
    }

    private SslContext ClientContext(bool pha = true, bool certificate = true)
    {
        var ctx = new SslContext(SslProtocol.TlsClient) { CheckHostname = false, VerifyMode = VerifyMode.CertNone, PostHandshakeAuth = pha };
        if (certificate)
        {
            ctx.LoadCertChain(Path.Combine(_client, "cert.pem"), Path.Combine(_client, "key.pem"));
        }

        return ctx;
    }

    private static (SslObject Client, SslObject Server, MemoryBio[] Bios) Connect(SslContext client, SslContext server)
    {
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = client.WrapBio(bios[0], bios[1], serverHostname: "localhost");
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c, s, bios));
        Assert.True(c.IsHandshakeComplete && s.IsHandshakeComplete);
        return (c, s, bios);
    }

    private static byte[] ReadOrEmpty(SslObject o)
    {
        try
        {
            return o.Read();
        }
        catch (SslWantReadException)
        {
            return [];
        }
    }

    [Fact]
    public void ServerGetsTheClientCertificateAfterTheHandshake()
    {
        var (c, s, bios) = Connect(ClientContext(), ServerContext());
        Assert.Null(s.GetPeerCert());
        bios[3].Read();

        s.VerifyClientPostHandshake();
        Assert.Equal(0, bios[3].Pending);
        // Python: until the request is written the old answer stands; once written, OpenSSL is in init again.
        Assert.Null(s.GetPeerCert());
        s.Write(Encoding.ASCII.GetBytes("ping"));
        Assert.True(bios[3].Pending > 0);
        Assert.Equal("handshake not done yet", Assert.Throws<InvalidOperationException>(() => s.GetPeerCert()).Message);
        bios[0].Write(bios[3].Read());
        Assert.Equal("ping", Encoding.ASCII.GetString(c.Read()));
        Assert.True(bios[1].Pending > 0);
        c.Write(Encoding.ASCII.GetBytes("pong"));
        bios[2].Write(bios[1].Read());
        Assert.Equal("pong", Encoding.ASCII.GetString(s.Read()));
        Assert.Equal(ServerNameCallbackFacadeTests.Der(FacadeKeys.Certificate), s.GetPeerCert(binaryForm: true));
        var dict = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(s.GetPeerCert());
        Assert.True(dict.ContainsKey("subject"));
    }

    [Fact]
    public void DoHandshakeSendsThePendingRequest()
    {
        var (c, s, bios) = Connect(ClientContext(), ServerContext());
        bios[3].Read();
        s.VerifyClientPostHandshake();
        Assert.Equal(0, bios[3].Pending);
        s.DoHandshake();
        Assert.True(bios[3].Pending > 0);
        bios[0].Write(bios[3].Read());
        Assert.Empty(ReadOrEmpty(c));
        bios[2].Write(bios[1].Read());
        Assert.Empty(ReadOrEmpty(s));
        Assert.NotNull(s.GetPeerCert(binaryForm: true));
    }

    [Fact]
    public void EmptyAnswerWhenRequiredFailsTheServer()
    {
        var (c, s, bios) = Connect(ClientContext(certificate: false), ServerContext());
        s.VerifyClientPostHandshake();
        s.DoHandshake();
        bios[0].Write(bios[3].Read());
        Assert.Empty(ReadOrEmpty(c));
        bios[2].Write(bios[1].Read());
        var e = Assert.Throws<SslException>(() => s.Read());
        Assert.Equal("PEER_DID_NOT_RETURN_A_CERTIFICATE", e.Reason);
    }

    [Fact]
    public void EmptyAnswerWhenOptionalLeavesNoCertificate()
    {
        var (c, s, bios) = Connect(ClientContext(certificate: false), ServerContext(VerifyMode.CertOptional));
        s.VerifyClientPostHandshake();
        s.Write(Encoding.ASCII.GetBytes("x"));
        bios[0].Write(bios[3].Read());
        Assert.Equal("x", Encoding.ASCII.GetString(c.Read()));
        bios[2].Write(bios[1].Read());
        Assert.Empty(ReadOrEmpty(s));
        Assert.Null(s.GetPeerCert());
    }

    [Fact]
    public void WithPostHandshakeAuthTheHandshakeAsksForNoCertificate()
    {
        var (_, s, _) = Connect(ClientContext(), ServerContext());
        Assert.Null(s.GetPeerCert());
        var (_, s2, _) = Connect(ClientContext(), ServerContext(pha: false));
        Assert.NotNull(s2.GetPeerCert());
    }

    [Fact]
    public void ErrorsFollowOpenSsl()
    {
        var (c, s, _) = Connect(ClientContext(), ServerContext());
        Assert.Equal("NOT_SERVER", Assert.Throws<SslException>(() => c.VerifyClientPostHandshake()).Reason);
        Assert.Equal("[SSL: NOT_SERVER] not server", Assert.Throws<SslException>(() => c.VerifyClientPostHandshake()).Message);
        s.VerifyClientPostHandshake();
        Assert.Equal("STILL_IN_INIT", Assert.Throws<SslException>(() => s.VerifyClientPostHandshake()).Reason);

        var (_, noExtension, _) = Connect(ClientContext(pha: false), ServerContext());
        Assert.Equal("EXTENSION_NOT_RECEIVED", Assert.Throws<SslException>(() => noExtension.VerifyClientPostHandshake()).Reason);

        var (_, noVerify, _) = Connect(ClientContext(), ServerContext(VerifyMode.CertNone));
        Assert.Equal("INVALID_CONFIG", Assert.Throws<SslException>(() => noVerify.VerifyClientPostHandshake()).Reason);

        SslObject fresh = ServerContext().WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true);
        Assert.Equal("WRONG_SSL_VERSION", Assert.Throws<SslException>(() => fresh.VerifyClientPostHandshake()).Reason);
    }
}
