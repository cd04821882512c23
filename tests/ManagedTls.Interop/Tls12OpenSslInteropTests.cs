using System.Net.Sockets;
using System.Text;
using ManagedTls.Connection;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Interop;

/// <summary>
/// Server certificates of the three key kinds a TLS 1.2 server signs with (P-256, RSA 2048, Ed25519; CN and SAN
/// localhost), client certificates (P-384, RSA 2048, Ed25519), DH parameters and an OpenSSL configuration turning off
/// extended_master_secret, all made once with openssl.
/// </summary>
public sealed class Tls12InteropCertificates : IDisposable
{
    public Tls12InteropCertificates()
    {
        Ec = Make("ec", "/CN=localhost", "ec", "ec_paramgen_curve:P-256", san: true);
        Rsa = Make("rsa", "/CN=localhost", "rsa", "rsa_keygen_bits:2048", san: true);
        Ed25519 = Make("ed25519", "/CN=localhost", "ed25519", null, san: true);
        ClientEc = Make("client-ec", "/O=Clients/CN=ec-client", "ec", "ec_paramgen_curve:P-384", san: false);
        ClientRsa = Make("client-rsa", "/O=Clients/CN=rsa-client", "rsa", "rsa_keygen_bits:2048", san: false);
        ClientEd25519 = Make("client-ed25519", "/O=Clients/CN=ed25519-client", "ed25519", null, san: false);
        Modp1536 = Path.Combine(Dir, "modp1536.pem");
        OpenSslProcess.Run(["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:modp_1536", "-out", Modp1536]);
        Ffdhe3072 = Path.Combine(Dir, "ffdhe3072.pem");
        OpenSslProcess.Run(["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe3072", "-out", Ffdhe3072]);
        NoEmsConfig = Path.Combine(Dir, "no-ems.cnf");
        File.WriteAllText(NoEmsConfig, string.Join('\n',
            "openssl_conf = default_conf",
            "[default_conf]",
            "ssl_conf = ssl_sect",
            "[ssl_sect]",
            "system_default = system_default_sect",
            "[system_default_sect]",
            "Options = -ExtendedMasterSecret",
            ""));
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("mtls-tls12-").FullName;

    internal Pair Ec { get; }

    internal Pair Rsa { get; }

    internal Pair Ed25519 { get; }

    internal Pair ClientEc { get; }

    internal Pair ClientRsa { get; }

    internal Pair ClientEd25519 { get; }

    /// <summary>RFC 3526's 1536-bit MODP group: below the 2048 bits security level 2 asks of a DHE prime.</summary>
    public string Modp1536 { get; }

    /// <summary>RFC 7919's ffdhe3072.</summary>
    public string Ffdhe3072 { get; }

    /// <summary>An OPENSSL_CONF whose system default turns extended_master_secret off (s_server 3.0 has no -no_ems).</summary>
    public string NoEmsConfig { get; }

    /// <summary>A path in the temporary directory that no other test uses.</summary>
    public string NewFile(string name) => Path.Combine(Dir, Guid.NewGuid().ToString("N") + "-" + name);

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    private Pair Make(string name, string subject, string algorithm, string? option, bool san)
    {
        string cert = Path.Combine(Dir, name + "-cert.pem");
        string key = Path.Combine(Dir, name + "-key.pem");
        var args = new List<string> { "req", "-x509", "-newkey", algorithm };
        if (option is not null)
        {
            args.AddRange(["-pkeyopt", option]);
        }

        args.AddRange(["-nodes", "-days", "2", "-subj", subject, "-keyout", key, "-out", cert]);
        if (san)
        {
            args.AddRange(["-addext", "subjectAltName=DNS:localhost"]);
        }

        OpenSslProcess.Run(args);
        return new Pair(cert, key, PemToDer(File.ReadAllText(cert)));
    }

    private static byte[] PemToDer(string pem)
    {
        string body = pem.Split("-----BEGIN CERTIFICATE-----")[1].Split("-----END CERTIFICATE-----")[0];
        return Convert.FromBase64String(body.Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal));
    }

    /// <summary>A certificate and key file and the certificate's DER.</summary>
    internal sealed record Pair(string Cert, string Key, byte[] Der)
    {
        public PrivateKey PrivateKey => Crypto.PrivateKey.LoadFile(Key);
    }
}

/// <summary>
/// Our TLS 1.2 client against <c>openssl s_server -tls1_2</c> on loopback: every suite both sides share, with and
/// without encrypt_then_mac and extended_master_secret, every ECDHE curve and DHE group sizes, the three server key
/// kinds, client certificates, ALPN, tickets, record_size_limit, and a TLS 1.3 + 1.2 client settling on TLS 1.2.
/// Every handshake is checked from both ends: the status page <c>-www</c> serves names the version, suite and master
/// key openssl agreed, and our CLIENT_RANDOM key log line must equal openssl's.
/// </summary>
public sealed class Tls12OpenSslInteropTests(Tls12InteropCertificates certs) : IClassFixture<Tls12InteropCertificates>
{
    /// <summary>Every TLS 1.2 suite of ours; openssl 3.0 implements each of them.</summary>
    public static TheoryData<string> AllSuites()
    {
        var data = new TheoryData<string>();
        foreach (CipherSuiteInfo suite in CipherSuiteRegistry.Tls12Suites)
        {
            data.Add(suite.IanaName);
        }

        return data;
    }

    /// <summary>The TLS 1.2 CBC suites, whose records encrypt_then_mac changes.</summary>
    public static TheoryData<string> CbcSuites()
    {
        var data = new TheoryData<string>();
        foreach (CipherSuiteInfo suite in CipherSuiteRegistry.Tls12Suites.Where(s => s.Cipher.Aead is null))
        {
            data.Add(suite.IanaName);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllSuites))]
    public void EverySharedSuite(string suiteName)
    {
        CipherSuiteInfo suite = CipherSuiteRegistry.FindByIanaName(suiteName)!;
        Result r = Run(ServerFor(suite), Client(suite), "-cipher", suite.OpenSslName);
        Assert.Equal(suite.Suite, r.Suite);
        Assert.Contains("Extended master secret: yes", r.Page);
        Assert.Equal(suite.Cipher.Aead is null, r.Trace.ServerHelloHas("encrypt_then_mac"));
        if (suite.KeyExchange.Algorithm == SuiteKeyExchange.Rsa)
        {
            Assert.Null(r.Group);
            Assert.Null(r.SignatureScheme);
        }
        else
        {
            // s_server's automatic DHE group is an RFC 3526 MODP group, which has no TLS name.
            Assert.Equal(suite.KeyExchange.Algorithm == SuiteKeyExchange.Dhe, r.Group is null);
            Assert.NotNull(r.SignatureScheme);
        }
    }

    [Theory]
    [MemberData(nameof(CbcSuites))]
    public void CbcSuitesWithoutEncryptThenMac(string suiteName)
    {
        CipherSuiteInfo suite = CipherSuiteRegistry.FindByIanaName(suiteName)!;
        Result r = Run(ServerFor(suite), Client(suite), "-cipher", suite.OpenSslName, "-no_etm");
        Assert.Equal(suite.Suite, r.Suite);
        Assert.False(r.Trace.ServerHelloHas("encrypt_then_mac"));
        Assert.True(r.Trace.ClientHelloHas("encrypt_then_mac"));
    }

    [Theory]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")]
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384")]
    [InlineData("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256")]
    [InlineData("TLS_RSA_WITH_AES_128_CBC_SHA")]
    [InlineData("TLS_RSA_WITH_AES_256_GCM_SHA384")]
    public void WithoutExtendedMasterSecret(string suiteName)
    {
        CipherSuiteInfo suite = CipherSuiteRegistry.FindByIanaName(suiteName)!;
        Result r = Run(ServerFor(suite), Client(suite), new Dictionary<string, string> { ["OPENSSL_CONF"] = certs.NoEmsConfig }, "-cipher", suite.OpenSslName);
        Assert.Contains("Extended master secret: no", r.Page);
        Assert.False(r.Trace.ServerHelloHas("extended_master_secret"));
    }

    [Theory]
    [InlineData("X25519", NamedGroup.X25519)]
    [InlineData("X448", NamedGroup.X448)]
    [InlineData("P-256", NamedGroup.Secp256r1)]
    [InlineData("P-384", NamedGroup.Secp384r1)]
    [InlineData("P-521", NamedGroup.Secp521r1)]
    public void EveryEcdheCurve(string openSslGroup, NamedGroup group)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        TlsConfig client = Client(suite) with { Groups = KeyExchangeGroups.All.Where(g => g.Group != NamedGroup.X25519MLKEM768).ToArray() };
        Result r = Run(certs.Ec, client, "-cipher", suite.OpenSslName, "-groups", openSslGroup);
        Assert.Equal(group, r.Group);
    }

    [Fact]
    public void DheWithAnFfdhe3072Group()
    {
        CipherSuiteInfo suite = Suite("TLS_DHE_RSA_WITH_AES_128_CBC_SHA256");
        Result r = Run(certs.Rsa, Client(suite), "-cipher", suite.OpenSslName, "-dhparam", certs.Ffdhe3072);
        Assert.Equal(NamedGroup.Ffdhe3072, r.Group);
    }

    /// <summary>A 1536-bit DH prime is refused at Python's security level 2 (OpenSSL's "dh key too small") and accepted at OpenSSL's level 1.</summary>
    [Fact]
    public void DheWithASmallPrimeDependsOnTheSecurityLevel()
    {
        CipherSuiteInfo suite = Suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
        string cipher = suite.OpenSslName + ":@SECLEVEL=1";
        TlsAlertException e = Refused(certs.Rsa, Client(suite), "-cipher", cipher, "-dhparam", certs.Modp1536);
        Assert.Equal(AlertDescription.HandshakeFailure, e.Description);
        Assert.Contains("dh key too small", e.Message, StringComparison.Ordinal);

        Result r = Run(certs.Rsa, Client(suite) with { SecurityLevel = SecurityLevel.OpenSslDefault }, "-cipher", cipher, "-dhparam", certs.Modp1536);
        Assert.Null(r.Group);
    }

    [Theory]
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")]
    [InlineData("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")]
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA")]
    public void Ed25519ServerCertificate(string suiteName)
    {
        CipherSuiteInfo suite = Suite(suiteName);
        Result r = Run(certs.Ed25519, Client(suite), "-cipher", suite.OpenSslName);
        Assert.Equal(SignatureScheme.Ed25519, r.SignatureScheme);
    }

    /// <summary>openssl signs with the scheme we prefer among those its key can make; an RSA key's PKCS#1 schemes are TLS 1.2 only.</summary>
    [Theory]
    [InlineData("rsa_pkcs1_sha256", SignatureScheme.RsaPkcs1Sha256)]
    [InlineData("rsa_pkcs1_sha512", SignatureScheme.RsaPkcs1Sha512)]
    [InlineData("rsa_pss_rsae_sha384", SignatureScheme.RsaPssRsaeSha384)]
    public void ServerSignatureSchemes(string openSslScheme, SignatureScheme scheme)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        Result r = Run(certs.Rsa, Client(suite), "-cipher", suite.OpenSslName, "-sigalgs", openSslScheme);
        Assert.Equal(scheme, r.SignatureScheme);
    }

    [Theory]
    [InlineData("ec", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", SignatureScheme.EcdsaSecp384r1Sha384, "ECDSA")]
    [InlineData("rsa", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", SignatureScheme.RsaPssRsaeSha256, "RSA-PSS")]
    [InlineData("ed25519", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", SignatureScheme.Ed25519, "ed25519")]
    [InlineData("rsa", "TLS_RSA_WITH_AES_128_CBC_SHA256", SignatureScheme.RsaPssRsaeSha256, "RSA-PSS")]
    public void ClientCertificate(string kind, string suiteName, SignatureScheme scheme, string openSslType)
    {
        Tls12InteropCertificates.Pair pair = kind switch { "ec" => certs.ClientEc, "rsa" => certs.ClientRsa, _ => certs.ClientEd25519 };
        CipherSuiteInfo suite = Suite(suiteName);
        TlsConfig client = Client(suite) with { CertificateChain = [pair.Der], PrivateKey = pair.PrivateKey };
        Result r = Run(ServerFor(suite), client, "-cipher", suite.OpenSslName, "-Verify", "1", "-CAfile", pair.Cert, "-verify_return_error");
        Assert.Equal(scheme, r.ClientSignatureScheme);
        Assert.Contains("Peer signature type: " + openSslType, r.Page);
        Assert.Contains("Verify return code: 0 (ok)", r.Page);
    }

    /// <summary>Asked for a certificate (optionally) without one to give, the client sends an empty Certificate and no CertificateVerify.</summary>
    [Fact]
    public void ClientWithoutCertificateAnswersARequestWithAnEmptyOne()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        Result r = Run(certs.Ec, Client(suite), "-cipher", suite.OpenSslName, "-verify", "1", "-CAfile", certs.ClientEc.Cert);
        Assert.Null(r.ClientSignatureScheme);
        Assert.DoesNotContain("Peer signature type", r.Page);
    }

    /// <summary>A server that requires a certificate refuses a client without one; the alert reaches our client.</summary>
    [Fact]
    public void ServerRequiringACertificateRefusesAClientWithoutOne()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        TlsAlertException e = Refused(certs.Ec, Client(suite), "-cipher", suite.OpenSslName, "-Verify", "1", "-CAfile", certs.ClientEc.Cert);
        Assert.True(e.Received);
        Assert.Equal(AlertDescription.HandshakeFailure, e.Description);
    }

    [Fact]
    public void Alpn()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
        TlsConfig client = Client(suite) with { AlpnProtocols = ["h2"u8.ToArray(), "http/1.1"u8.ToArray()] };
        Result r = Run(certs.Ec, client, "-cipher", suite.OpenSslName, "-alpn", "http/1.1");
        Assert.Equal("http/1.1", r.Alpn);
        Assert.True(r.Trace.ServerHelloHas("application_layer_protocol_negotiation"));
    }

    /// <summary>s_server sends a NewSessionTicket when the client offers session_ticket; with -no_ticket it does not echo the extension.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SessionTicket(bool noTicket)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        string[] args = noTicket ? ["-cipher", suite.OpenSslName, "-no_ticket"] : ["-cipher", suite.OpenSslName];
        Result r = Run(certs.Rsa, Client(suite), args);
        Assert.Equal(!noTicket, r.Trace.ServerHelloHas("session_ticket"));
        Assert.Equal(!noTicket, r.TicketLength > 0);
    }

    /// <summary>
    /// openssl 3.0 does not implement record_size_limit: it ignores ours, so nothing is limited; its max_fragment_length
    /// setting on its own records (-max_send_frag) is simply records we accept.
    /// </summary>
    [Fact]
    public void RecordSizeLimitIsIgnoredByOpenSsl()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
        Result r = Run(certs.Rsa, Client(suite) with { RecordSizeLimit = 512 }, "-cipher", suite.OpenSslName, "-max_send_frag", "512");
        Assert.True(r.Trace.ClientHelloHas(28));
        Assert.False(r.Trace.ServerHelloHas("record_size_limit"));
        Assert.Null(r.PeerRecordSizeLimit);
    }

    /// <summary>A client offering TLS 1.3 and TLS 1.2 settles on TLS 1.2 with a server that speaks only TLS 1.2 (no downgrade sentinel: its highest version is 1.2).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Tls13And12ClientAgainstTls12OnlyServer(bool middleboxCompatibility)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        TlsConfig client = Client(suite) with { MaximumVersion = ProtocolVersion.Tls13, MiddleboxCompatibility = middleboxCompatibility };
        Result r = Run(certs.Ec, client, "-cipher", suite.OpenSslName);
        Assert.Equal(ProtocolVersion.Tls12, r.Version);
        Assert.True(r.Trace.ClientHelloHas("supported_versions"));
    }

    /// <summary>The same client against an openssl that speaks both gets TLS 1.3.</summary>
    [Fact]
    public void Tls13And12ClientAgainstADualServerGetsTls13()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        TlsConfig client = Client(suite) with { MaximumVersion = ProtocolVersion.Tls13 };
        using OpenSslSession server = OpenSslSession.StartServer(out int port, "-cert", certs.Ec.Cert, "-key", certs.Ec.Key, "-www", "-naccept", "1");
        using EngineSocket socket = EngineSocket.Connect(port, client);
        socket.Handshake();
        Assert.Equal(ProtocolVersion.Tls13, socket.Tls.Version);
        socket.Send("GET / HTTP/1.0\r\n\r\n");
        Assert.Contains("TLSv1.3", socket.ReceiveToEnd());
    }

    /// <summary>openssl's -legacy_renegotiation and -no_renegotiation change nothing in an initial handshake: it still sends renegotiation_info.</summary>
    [Theory]
    [InlineData("-legacy_renegotiation")]
    [InlineData("-no_renegotiation")]
    public void ServerRenegotiationOptions(string option)
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
        Result r = Run(certs.Ec, Client(suite), "-cipher", suite.OpenSslName, option);
        Assert.True(r.Trace.ServerHelloHas("renegotiate"));
        Assert.Contains("Secure Renegotiation IS supported", r.Page);
    }

    /// <summary>A server name that the certificate does not carry fails verification with the alert openssl would send.</summary>
    [Fact]
    public void HostNameMismatchIsBadCertificate()
    {
        CipherSuiteInfo suite = Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        TlsAlertException e = Refused(certs.Ec, Client(suite) with { ServerName = "other.example" }, "-cipher", suite.OpenSslName);
        Assert.Equal(AlertDescription.BadCertificate, e.Description);
        Assert.False(e.Received);
    }

    private CipherSuiteInfo Suite(string name) => CipherSuiteRegistry.FindByIanaName(name)!;

    private Tls12InteropCertificates.Pair ServerFor(CipherSuiteInfo suite) =>
        suite.Authentication.Algorithm == AuthenticationAlgorithm.Ecdsa ? certs.Ec : certs.Rsa;

    private TlsConfig Client(CipherSuiteInfo suite) => new()
    {
        Role = TlsRole.Client,
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = [suite],
        Trust = new TrustStore([certs.Ec.Der, certs.Rsa.Der, certs.Ed25519.Der]),
        ServerName = "localhost",
        CheckHostname = true,
    };

    private Result Run(Tls12InteropCertificates.Pair server, TlsConfig client, params string[] args) => Run(server, client, null, args);

    // Runs s_server -tls1_2 -www with the pair, our client fetches the status page; both ends must agree.
    private Result Run(Tls12InteropCertificates.Pair server, TlsConfig client, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        string keyLog = certs.NewFile("server.keys");
        using OpenSslSession openssl = OpenSslSession.StartServer(out int port, environment,
            ["-tls1_2", "-cert", server.Cert, "-key", server.Key, "-www", "-naccept", "1", "-trace", "-keylogfile", keyLog, .. args]);
        using EngineSocket socket = EngineSocket.Connect(port, client);
        socket.Handshake();
        Assert.True(socket.Tls.VerifyResult!.IsValid);
        Assert.Equal(ProtocolVersion.Tls12, socket.Tls.Version);

        // tls-unique is our Finished: 12 bytes, known once the handshake is complete.
        Assert.Equal(12, socket.Tls.GetChannelBinding()!.Length);
        socket.Send("GET / HTTP/1.0\r\n\r\n");
        string page = socket.ReceiveToEnd();
        TlsConnection tls = socket.Tls;
        CipherSuiteInfo suite = tls.CipherSuite!;
        var result = new Result(
            tls.Version, suite.Suite, tls.NamedGroup, tls.SignatureScheme, tls.ClientSignatureScheme,
            tls.AlpnProtocol is { } alpn ? Encoding.ASCII.GetString(alpn) : null, tls.Tls12Ticket?.Ticket.Length ?? 0,
            tls.PeerRecordSizeLimit, page, new ServerTrace(""));
        string ours = Assert.Single(socket.KeyLog);
        try
        {
            socket.Close();
        }
        catch (SocketException)
        {
            // openssl may have closed the connection already.
        }

        socket.Dispose();
        string trace = openssl.WaitExit();
        Assert.Contains("Protocol  : TLSv1.2\n", page);
        Assert.Contains("Cipher    : " + suite.OpenSslName + "\n", page);

        // Both ends derived the same master secret.
        Assert.StartsWith("CLIENT_RANDOM ", ours, StringComparison.Ordinal);
        Assert.Contains(ours, OpenSslTrace.KeyLog(keyLog));
        Assert.Contains("Master-Key: " + ours.Split(' ')[2].ToUpperInvariant(), page);
        return result with { Trace = new ServerTrace(trace) };
    }

    // Runs s_server as Run does; our client must fail the handshake. Returns its failure.
    private TlsAlertException Refused(Tls12InteropCertificates.Pair server, TlsConfig client, params string[] args)
    {
        using OpenSslSession openssl = OpenSslSession.StartServer(out int port, ["-tls1_2", "-cert", server.Cert, "-key", server.Key, "-www", "-naccept", "1", .. args]);
        using EngineSocket socket = EngineSocket.Connect(port, client);
        TlsAlertException e = Assert.Throws<TlsAlertException>(socket.Handshake);
        socket.Flush();
        Assert.Same(e, socket.Tls.Failure);
        return e;
    }

    private sealed record Result(
        ProtocolVersion? Version, TlsCipherSuite Suite, NamedGroup? Group, SignatureScheme? SignatureScheme, SignatureScheme? ClientSignatureScheme,
        string? Alpn, int TicketLength, int? PeerRecordSizeLimit, string Page, ServerTrace Trace);

    /// <summary>What openssl's -trace printed: the extensions of the first ClientHello and ServerHello it saw.</summary>
    private sealed class ServerTrace(string trace)
    {
        public bool ClientHelloHas(string extension) => Block("ClientHello, Length=").Contains("extension_type=" + extension, StringComparison.Ordinal);

        /// <summary>True when the ClientHello has an extension of type <paramref name="code"/>, whatever name openssl knows it by.</summary>
        public bool ClientHelloHas(int code) => Block("ClientHello, Length=").Contains($"({code}), length=", StringComparison.Ordinal);

        public bool ServerHelloHas(string extension) => Block("ServerHello, Length=").Contains("extension_type=" + extension, StringComparison.Ordinal);

        private string Block(string start)
        {
            int at = trace.IndexOf(start, StringComparison.Ordinal);
            Assert.True(at >= 0, "no " + start + " in the trace");
            int end = trace.IndexOf(" Record", at, StringComparison.Ordinal);
            return end < 0 ? trace[at..] : trace[at..end];
        }
    }
}
