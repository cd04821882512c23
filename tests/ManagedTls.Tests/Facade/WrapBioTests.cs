using System.Text;
using ManagedTls.Ssl;
using ManagedTls.X509;
using ManagedTls.X509.PeerCert;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// Client and server <see cref="SslObject"/>s over two <see cref="MemoryBio"/> pairs. Expected values were recorded
/// from Python 3.11 (OpenSSL 3.0) driving the same steps with the same certificate (WrapKeys).
/// </summary>
public sealed class WrapBioTests : IDisposable
{
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CertFile => Path.Combine(_dir, "cert.pem");

    private SslContext ServerContext()
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(CertFile, Path.Combine(_dir, "key.pem"));
        return ctx;
    }

    private SslContext ClientContext(bool trust = true)
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        if (trust)
        {
            ctx.LoadVerifyLocations(cafile: CertFile);
        }

        return ctx;
    }

    private sealed class Pair
    {
        public MemoryBio ClientIn { get; } = new();
        public MemoryBio ClientOut { get; } = new();
        public MemoryBio ServerIn { get; } = new();
        public MemoryBio ServerOut { get; } = new();
        public SslObject Client { get; set; } = null!;
        public SslObject Server { get; set; } = null!;

        public void ToServer() => ServerIn.Write(ClientOut.Read());

        public void ToClient() => ClientIn.Write(ServerOut.Read());
    }

    private Pair Wrap(SslContext? client = null, SslContext? server = null, string? hostname = "localhost")
    {
        var p = new Pair();
        p.Client = (client ?? ClientContext()).WrapBio(p.ClientIn, p.ClientOut, serverHostname: hostname);
        p.Server = (server ?? ServerContext()).WrapBio(p.ServerIn, p.ServerOut, serverSide: true);
        return p;
    }

    private static bool Step(SslObject o)
    {
        try
        {
            o.DoHandshake();
            return true;
        }
        catch (SslWantReadException)
        {
            return false;
        }
    }

    private Pair Connected(SslContext? client = null, SslContext? server = null, string? hostname = "localhost")
    {
        Pair p = Wrap(client, server, hostname);
        Assert.False(Step(p.Client));
        p.ToServer();
        Assert.False(Step(p.Server));
        p.ToClient();
        Assert.True(Step(p.Client));
        p.ToServer();
        Assert.True(Step(p.Server));
        p.ToClient();
        return p;
    }

    [Fact]
    public void HandshakeWantsReadAtPythonsSteps()
    {
        Pair p = Wrap();
        // Python: S wantread, C wantread, S wantread, C done, S done.
        Assert.False(Step(p.Server));
        Assert.False(Step(p.Client));
        Assert.True(p.ClientOut.Pending > 0);
        p.ToServer();
        Assert.False(Step(p.Server));
        p.ToClient();
        Assert.True(Step(p.Client));
        p.ToServer();
        Assert.True(Step(p.Server));
        Assert.True(p.Client.IsHandshakeComplete && p.Server.IsHandshakeComplete);
    }

    [Fact]
    public void CipherAndVersionAsPythonReports()
    {
        Pair p = Wrap();
        Assert.Null(p.Client.Version());
        Assert.Null(p.Client.Cipher());
        p = Connected();
        // Python: ('TLS_AES_256_GCM_SHA384', 'TLSv1.3', 256) on both sides, version() 'TLSv1.3'.
        Assert.Equal(("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256), p.Client.Cipher());
        Assert.Equal(("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256), p.Server.Cipher());
        Assert.Equal("TLSv1.3", p.Client.Version());
        Assert.Equal("TLSv1.3", p.Server.Version());
        Assert.Null(p.Client.Compression());
        Assert.Null(p.Client.SelectedAlpnProtocol());
        Assert.True(p.Server.ServerSide);
        Assert.False(p.Client.ServerSide);
        Assert.Equal("localhost", p.Client.ServerHostname);
        Assert.Null(p.Server.ServerHostname);
    }

    [Fact]
    public void DataBothWaysWithPending()
    {
        Pair p = Connected();
        Assert.Throws<SslWantReadException>(() => p.Client.Read());
        Assert.Equal(5, p.Server.Write(Encoding.ASCII.GetBytes("hello")));
        p.ToClient();
        Assert.Equal(0, p.Client.Pending());
        Assert.Equal("he", Encoding.ASCII.GetString(p.Client.Read(2)));
        Assert.Equal(3, p.Client.Pending());
        Assert.Equal("llo", Encoding.ASCII.GetString(p.Client.Read()));
        Assert.Equal(0, p.Client.Pending());

        byte[] big = new byte[100_000];
        new Random(7).NextBytes(big);
        Assert.Equal(big.Length, p.Client.Write(big));
        p.ToServer();
        var received = new MemoryStream();
        byte[] buffer = new byte[30_000];
        while (received.Length < big.Length)
        {
            int n = p.Server.Read(buffer);
            received.Write(buffer, 0, n);
        }

        Assert.Equal(big, received.ToArray());
        Assert.Throws<SslWantReadException>(() => p.Server.Read());
    }

    [Fact]
    public void UnwrapBothSidesAsPython()
    {
        Pair p = Connected();
        Assert.Throws<SslWantReadException>(() => p.Client.Unwrap());
        p.ToServer();
        // Python: the server's read after close_notify gives b''; its unwrap completes at once.
        Assert.Empty(p.Server.Read());
        p.Server.Unwrap();
        p.ToClient();
        p.Client.Unwrap();
        Assert.Throws<SslZeroReturnException>(() => p.Client.Read());
        var e = Assert.Throws<SslException>(() => p.Client.Write([1]));
        Assert.Equal("PROTOCOL_IS_SHUTDOWN", e.Reason);
    }

    [Fact]
    public void UnwrapBeforeHandshakeFails()
    {
        Pair p = Wrap();
        var e = Assert.Throws<SslException>(() => p.Client.Unwrap());
        Assert.Equal("SHUTDOWN_WHILE_IN_INIT", e.Reason);
    }

    [Fact]
    public void EofWithoutCloseNotifyIsSslEofError()
    {
        Pair p = Connected();
        p.ClientIn.WriteEof();
        var e = Assert.Throws<SslEofException>(() => p.Client.Read());
        Assert.Contains("EOF occurred in violation of protocol", e.Message);
        Assert.Throws<SslEofException>(() => p.Client.Read());
    }

    [Fact]
    public void EofDuringHandshakeIsSslEofError()
    {
        Pair p = Wrap();
        Assert.False(Step(p.Client));
        p.ClientIn.WriteEof();
        Assert.Throws<SslEofException>(() => p.Client.DoHandshake());
    }

    [Fact]
    public void IgnoreUnexpectedEofReadsEmpty()
    {
        SslContext client = ClientContext();
        client.Options |= SslOptions.IgnoreUnexpectedEof;
        Pair p = Connected(client);
        p.ClientIn.WriteEof();
        Assert.Empty(p.Client.Read());
    }

    [Fact]
    public void UntrustedSelfSignedCertificateFailsAsPython()
    {
        // Python: SSLCertVerificationError, verify_code 18, 'certificate verify failed: self-signed certificate'.
        Pair p = Wrap(ClientContext(trust: false));
        Assert.False(Step(p.Client));
        p.ToServer();
        Assert.False(Step(p.Server));
        p.ToClient();
        var e = Assert.Throws<SslCertVerificationException>(() => p.Client.DoHandshake());
        Assert.Equal(VerifyError.DepthZeroSelfSignedCert, e.VerifyCode);
        Assert.Equal(18, (int)e.VerifyCode);
        Assert.Equal("self-signed certificate", e.VerifyMessage);
        Assert.Equal("CERTIFICATE_VERIFY_FAILED", e.Reason);
        Assert.Contains("certificate verify failed: self-signed certificate", e.Message);

        // The same error again, and the alert reaches the server.
        Assert.Throws<SslCertVerificationException>(() => p.Client.DoHandshake());
        p.ToServer();
        var s = Assert.Throws<SslException>(() => p.Server.DoHandshake());
        Assert.Equal("TLSV1_ALERT_UNKNOWN_CA", s.Reason);
    }

    [Fact]
    public void HostnameMismatchIsCode62()
    {
        Pair p = Wrap(hostname: "example.com");
        Assert.False(Step(p.Client));
        p.ToServer();
        Assert.False(Step(p.Server));
        p.ToClient();
        var e = Assert.Throws<SslCertVerificationException>(() => p.Client.DoHandshake());
        Assert.Equal(62, (int)e.VerifyCode);
        Assert.Contains("Hostname mismatch", e.VerifyMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void GetPeerCertFollowsPythonsRules()
    {
        Pair p = Wrap();
        Assert.Throws<InvalidOperationException>(() => p.Client.GetPeerCert());
        p = Connected();
        byte[] der = Assert.IsType<byte[]>(p.Client.GetPeerCert(binaryForm: true));
        var dict = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(p.Client.GetPeerCert());
        Assert.Equal(PeerCertificate.Decode(der), dict);
        // Python's values for this certificate.
        Assert.Equal("1DF93F7A037CB6C1171D74A99C7E72B007649796", dict["serialNumber"]);
        Assert.Equal("Oct 30 16:17:12 2126 GMT", dict["notAfter"]);
        Assert.Null(p.Server.GetPeerCert());
        Assert.Null(p.Server.GetPeerCert(binaryForm: true));
    }

    [Fact]
    public void CertNoneClientGetsEmptyDict()
    {
        SslContext client = ClientContext(trust: false);
        client.CheckHostname = false;
        client.VerifyMode = VerifyMode.CertNone;
        Pair p = Connected(client, hostname: null);
        Assert.Empty(Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(p.Client.GetPeerCert()));
        Assert.NotNull(p.Client.GetPeerCert(binaryForm: true));
    }

    [Fact]
    public void ClientCertificateRequiredAndSent()
    {
        SslContext server = ServerContext();
        server.VerifyMode = VerifyMode.CertRequired;
        server.LoadVerifyLocations(cafile: CertFile);
        SslContext client = ClientContext();
        client.LoadCertChain(CertFile, Path.Combine(_dir, "key.pem"));
        Pair p = Connected(client, server);
        byte[] der = Assert.IsType<byte[]>(p.Server.GetPeerCert(binaryForm: true));
        Assert.Equal(PeerCertificate.Decode(der), p.Server.GetPeerCert());
    }

    [Fact]
    public void ClientWithoutCertificateFailsWhenRequired()
    {
        SslContext server = ServerContext();
        server.VerifyMode = VerifyMode.CertRequired;
        server.LoadVerifyLocations(cafile: CertFile);
        Pair p = Wrap(server: server);
        Assert.False(Step(p.Client));
        p.ToServer();
        Assert.False(Step(p.Server));
        p.ToClient();
        Assert.True(Step(p.Client));
        p.ToServer();
        Assert.ThrowsAny<SslException>(() => p.Server.DoHandshake());
        p.ToClient();
        var e = Assert.ThrowsAny<SslException>(() => p.Client.Read());
        Assert.Equal("TLSV13_ALERT_CERTIFICATE_REQUIRED", e.Reason);
    }

    [Fact]
    public void AlpnIsSelected()
    {
        SslContext client = ClientContext();
        client.SetAlpnProtocols(["h2", "http/1.1"]);
        SslContext server = ServerContext();
        server.SetAlpnProtocols(["http/1.1"]);
        Pair p = Connected(client, server);
        Assert.Equal("http/1.1", p.Client.SelectedAlpnProtocol());
        Assert.Equal("http/1.1", p.Server.SelectedAlpnProtocol());
    }

    [Fact]
    public void KeylogFileGetsLines()
    {
        string keylog = Path.Combine(_dir, "keys.log");
        SslContext client = ClientContext();
        client.KeylogFilename = keylog;
        Connected(client);
        string text = File.ReadAllText(keylog);
        Assert.Contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET ", text);
        Assert.Contains("CLIENT_TRAFFIC_SECRET_0 ", text);
    }

    [Fact]
    public void WrapChecksArgumentsAsPython()
    {
        var e = Assert.Throws<ArgumentException>(() => ClientContext().WrapBio(new MemoryBio(), new MemoryBio()));
        Assert.StartsWith("check_hostname requires server_hostname", e.Message);
        var s = Assert.Throws<SslException>(() => ClientContext().WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true));
        Assert.Equal("Cannot create a server socket with a PROTOCOL_TLS_CLIENT context", s.Message);
        Assert.Throws<ArgumentException>(() => ServerContext().WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true, serverHostname: "x"));
    }
}
