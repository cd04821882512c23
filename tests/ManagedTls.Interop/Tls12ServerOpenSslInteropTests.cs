using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Interop;

/// <summary>Server certificates of the three key types and two client certificates, made once with openssl.</summary>
public sealed class Tls12ServerInteropCertificates : IDisposable
{
    public Tls12ServerInteropCertificates()
    {
        Rsa = Make("rsa", ["-newkey", "rsa:2048"], "/CN=localhost", server: true);
        Ecdsa = Make("ecdsa", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/CN=localhost", server: true);
        Ed25519 = Make("ed25519", ["-newkey", "ed25519"], "/CN=localhost", server: true);
        RsaClient = Make("rsa-client", ["-newkey", "rsa:2048"], "/O=Clients/CN=rsa-client", server: false);
        EcdsaClient = Make("ecdsa-client", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"], "/O=Clients/CN=ecdsa-client", server: false);
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("mtls-tls12-").FullName;

    internal Pair Rsa { get; }

    internal Pair Ecdsa { get; }

    internal Pair Ed25519 { get; }

    internal Pair RsaClient { get; }

    internal Pair EcdsaClient { get; }

    internal Pair Server(string type) => type switch
    {
        "rsa" => Rsa,
        "ecdsa" => Ecdsa,
        "ed25519" => Ed25519,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    private Pair Make(string name, string[] keyArgs, string subject, bool server)
    {
        string cert = Path.Combine(Dir, name + "-cert.pem");
        string key = Path.Combine(Dir, name + "-key.pem");
        string[] san = server ? ["-addext", "subjectAltName=DNS:localhost"] : [];
        OpenSslProcess.Run(["req", "-x509", .. keyArgs, "-nodes", "-days", "2", "-subj", subject, .. san, "-keyout", key, "-out", cert]);
        string pem = File.ReadAllText(cert);
        string body = pem.Split("-----BEGIN CERTIFICATE-----")[1].Split("-----END CERTIFICATE-----")[0];
        return new Pair(cert, key, Convert.FromBase64String(body.Replace("\n", "", StringComparison.Ordinal)), PrivateKey.LoadFile(key));
    }

    /// <summary>A certificate and key: the PEM files and what the engine loads.</summary>
    internal sealed record Pair(string CertFile, string KeyFile, byte[] Der, PrivateKey Key);
}

/// <summary>
/// Our TLS 1.2 server against <c>openssl s_client -tls1_2</c> on loopback: every suite both implement with RSA, ECDSA and
/// Ed25519 certificates, with encrypt-then-MAC and extended master secret on and off, DHE with configured and RFC 7919
/// groups, RSA key transport, client certificates, ALPN and the server name, and the downgrade sentinel as a TLS
/// 1.3-capable openssl sees it. Each run checks that both sides log the same master secret.
/// </summary>
public sealed class Tls12ServerOpenSslInteropTests(Tls12ServerInteropCertificates pki) : IClassFixture<Tls12ServerInteropCertificates>
{
    /// <summary>Each suite both sides implement, by certificate type: RSA (ECDHE, DHE, RSA key transport), ECDSA and Ed25519 (ECDHE).</summary>
    public static TheoryData<string, string> Suites()
    {
        var data = new TheoryData<string, string>();
        foreach (CipherSuiteInfo suite in CipherSuiteRegistry.Tls12Suites)
        {
            if (suite.Authentication.Algorithm == AuthenticationAlgorithm.Rsa)
            {
                data.Add("rsa", suite.OpenSslName);
            }
            else
            {
                data.Add("ecdsa", suite.OpenSslName);
                data.Add("ed25519", suite.OpenSslName);
            }
        }

        return data;
    }

    /// <summary>Each CBC suite, by certificate type, for the runs without encrypt-then-MAC.</summary>
    public static TheoryData<string, string> CbcSuites()
    {
        var data = new TheoryData<string, string>();
        foreach ((string type, string name) in Suites().Select(row => ((string)row[0], (string)row[1])))
        {
            if (CipherSuiteRegistry.FindByOpenSslName(name)!.Cbc is not null)
            {
                data.Add(type, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void OpenSslClientCompletesEverySuite(string certificate, string suite)
    {
        Result r = Run(Server(certificate), ["-cipher", suite + ":@SECLEVEL=0"]);
        CipherSuiteInfo info = CipherSuiteRegistry.FindByOpenSslName(suite)!;
        Assert.Equal(info, r.Suite);
        Assert.Contains("Extended master secret: yes", r.Output);

        // encrypt_then_mac: in openssl's ClientHello always, in our ServerHello for a CBC suite only.
        Assert.Equal(info.Cbc is null ? 1 : 2, OpenSslSession.Occurrences(r.Output, "encrypt_then_mac"));
        if (info.KeyExchange.Algorithm == SuiteKeyExchange.Rsa)
        {
            Assert.Null(r.Group);
            Assert.Null(r.Scheme);
        }
        else
        {
            Assert.NotNull(r.Scheme);
            Assert.Equal(info.KeyExchange.Algorithm == SuiteKeyExchange.Dhe ? NamedGroup.Ffdhe2048 : NamedGroup.X25519, r.Group);
        }
    }

    [Theory]
    [MemberData(nameof(CbcSuites))]
    public void OpenSslClientWithoutEncryptThenMac(string certificate, string suite)
    {
        Result r = Run(Server(certificate), ["-cipher", suite + ":@SECLEVEL=0", "-no_etm"]);
        Assert.Equal(suite, r.Suite.OpenSslName);
        Assert.Equal(0, OpenSslSession.Occurrences(r.Output, "encrypt_then_mac"));
    }

    [Theory]
    [InlineData("rsa", "ECDHE-RSA-AES128-GCM-SHA256")]
    [InlineData("rsa", "DHE-RSA-AES256-SHA256")]
    [InlineData("rsa", "AES128-SHA")]
    [InlineData("ecdsa", "ECDHE-ECDSA-CHACHA20-POLY1305")]
    [InlineData("ed25519", "ECDHE-ECDSA-AES256-SHA384")]
    public void OpenSslClientWithoutExtendedMasterSecret(string certificate, string suite)
    {
        // openssl 3.0's s_client has no -no_ems; its configuration file turns the option off.
        string config = Path.Combine(pki.Dir, "no-ems.cnf");
        File.WriteAllText(config, "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = system_default_sect\n[system_default_sect]\nOptions = -ExtendedMasterSecret\n");
        Result r = Run(Server(certificate), ["-cipher", suite + ":@SECLEVEL=0"], environment: new Dictionary<string, string> { ["OPENSSL_CONF"] = config });
        Assert.Equal(suite, r.Suite.OpenSslName);
        Assert.Contains("Extended master secret: no", r.Output);
        Assert.Equal(0, OpenSslSession.Occurrences(r.Output, "extended_master_secret"));
    }

    [Theory]
    [InlineData("X25519", NamedGroup.X25519)]
    [InlineData("P-256", NamedGroup.Secp256r1)]
    [InlineData("P-384", NamedGroup.Secp384r1)]
    [InlineData("P-521", NamedGroup.Secp521r1)]
    [InlineData("X448", NamedGroup.X448)]
    public void OpenSslClientWithEachCurve(string openSslGroup, NamedGroup group)
    {
        Result r = Run(Server("rsa"), ["-groups", openSslGroup]);
        Assert.Equal(group, r.Group);
    }

    [Fact]
    public void DheWithRfc7919GroupFromATls13CapableClient()
    {
        // openssl names ffdhe groups in supported_groups only when it offers TLS 1.3 too; the server limited to TLS 1.2 then
        // uses the client's group although it has no parameters of its own.
        Result r = Run(Server("rsa") with { DhParameters = null }, ["-cipher", "DHE-RSA-AES128-GCM-SHA256", "-groups", "ffdhe3072:ffdhe2048"], tls12Only: false);
        Assert.Equal("DHE-RSA-AES128-GCM-SHA256", r.Suite.OpenSslName);
        Assert.Equal(NamedGroup.Ffdhe3072, r.Group);
        Assert.Contains("Server Temp Key: DH, 3072 bits", r.Output);
    }

    [Fact]
    public void DheWithParametersFromAnOpenSslFile()
    {
        string file = Path.Combine(pki.Dir, "dh-x942.pem");
        OpenSslProcess.Run(["genpkey", "-genparam", "-algorithm", "DHX", "-pkeyopt", "dh_paramgen_prime_len:2048", "-pkeyopt", "dh_paramgen_subprime_len:224", "-out", file], timeoutMs: 120000);
        string pem = File.ReadAllText(file);
        Assert.Contains("X9.42 DH PARAMETERS", pem);
        string base64 = pem.Split("-----BEGIN X9.42 DH PARAMETERS-----")[1].Split("-----END X9.42 DH PARAMETERS-----")[0];
        FiniteFieldKeyExchange group = FiniteFieldKeyExchange.FromDhParameters(Convert.FromBase64String(base64.Replace("\n", "", StringComparison.Ordinal)), x942: true, out int bits);
        Assert.Equal(112, bits);
        Result r = Run(Server("rsa") with { DhParameters = group }, ["-cipher", "DHE-RSA-CHACHA20-POLY1305"]);
        Assert.Null(r.Group);
        Assert.Contains("Server Temp Key: DH, 2048 bits", r.Output);
    }

    [Fact]
    public void NoDheWithoutParametersOrRfc7919Group()
    {
        Failure f = RunFailing(Server("rsa") with { DhParameters = null }, ["-cipher", "DHE-RSA-AES128-GCM-SHA256"]);
        Assert.Equal(AlertDescription.HandshakeFailure, f.Server?.Description);
        Assert.Contains("alert handshake failure", f.Output);
    }

    [Theory]
    [InlineData("rsa-client", "rsa")]
    [InlineData("ecdsa-client", "rsa")]
    [InlineData("rsa-client", "ecdsa")]
    [InlineData("ecdsa-client", "ed25519")]
    public void OpenSslClientAuthenticates(string client, string certificate)
    {
        Tls12ServerInteropCertificates.Pair pair = client == "rsa-client" ? pki.RsaClient : pki.EcdsaClient;
        TlsConfig settings = Server(certificate) with
        {
            RequestClientCertificate = true,
            RequireClientCertificate = true,
            Trust = new TrustStore([pair.Der]),
        };
        Result r = Run(settings, ["-cert", pair.CertFile, "-key", pair.KeyFile]);
        Assert.True(r.Connection.VerifyResult!.IsValid);
        Assert.Equal(pair.Der, r.Connection.PeerCertificateChain[0]);
        Assert.NotNull(r.Connection.ClientSignatureScheme);
        Assert.True(SignatureSchemes.Find(r.Connection.ClientSignatureScheme!.Value)!.Algorithm.Key == pair.Key.Kind);
    }

    [Fact]
    public void OpenSslClientWithoutCertificateIsRefusedWhenOneIsRequired()
    {
        TlsConfig settings = Server("ecdsa") with
        {
            RequestClientCertificate = true,
            RequireClientCertificate = true,
            Trust = new TrustStore([pki.EcdsaClient.Der]),
        };
        Failure f = RunFailing(settings, []);
        Assert.Equal(AlertDescription.HandshakeFailure, f.Server?.Description);
        Assert.Contains("alert handshake failure", f.Output);
    }

    [Fact]
    public void OpenSslClientWithoutCertificateIsAcceptedWhenOneIsOptional()
    {
        TlsConfig settings = Server("rsa") with { RequestClientCertificate = true, Trust = new TrustStore([pki.RsaClient.Der]) };
        Result r = Run(settings, []);
        Assert.Empty(r.Connection.PeerCertificateChain);
        Assert.Null(r.Connection.ClientSignatureScheme);
    }

    [Fact]
    public void AlpnAndServerName()
    {
        TlsConfig settings = Server("ecdsa") with { AlpnProtocols = [Encoding.ASCII.GetBytes("h2"), Encoding.ASCII.GetBytes("http/1.1")] };
        Result r = Run(settings, ["-alpn", "http/1.1,h2"]);
        Assert.Equal("h2", Encoding.ASCII.GetString(r.Connection.AlpnProtocol!));
        Assert.Contains("ALPN protocol: h2", r.Output);
        Assert.Equal("localhost", r.Connection.ServerName);
    }

    [Fact]
    public void ATls13CapableClientAgainstATls12OnlyServerSeesNoError()
    {
        Result r = Run(Server("ecdsa"), [], tls12Only: false);
        Assert.False(HasDowngradeSentinel(r.Sent));
        Assert.Equal(ProtocolVersion.Tls12, r.Connection.Version);
    }

    [Fact]
    public void AServerEnablingBothVersionsForcedToTls12SetsTheSentinelAndOpenSslAccepts()
    {
        Result r = Run(Server("rsa") with { MaximumVersion = ProtocolVersion.Tls13 }, []);
        Assert.True(HasDowngradeSentinel(r.Sent));
        Assert.Equal(ProtocolVersion.Tls12, r.Connection.Version);
    }

    [Fact]
    public void ATls13CapableClientGetsTls13FromAServerEnablingBoth()
    {
        Result r = Run(Server("rsa") with { MaximumVersion = ProtocolVersion.Tls13 }, [], tls12Only: false, tls13: true);
        Assert.Equal(ProtocolVersion.Tls13, r.Connection.Version);
    }

    private TlsConfig Server(string certificate)
    {
        Tls12ServerInteropCertificates.Pair pair = pki.Server(certificate);
        return new TlsConfig
        {
            Role = TlsRole.Server,
            MinimumVersion = ProtocolVersion.Tls12,
            MaximumVersion = ProtocolVersion.Tls12,
            Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites,
            CertificateChain = [pair.Der],
            PrivateKey = pair.Key,
            DhParameters = KeyExchanges.Ffdhe2048,
        };
    }

    // The ServerHello's random ends with "DOWNGRD" 01 (RFC 8446 section 4.1.3).
    private static bool HasDowngradeSentinel(byte[] sent)
    {
        Assert.Equal(22, sent[0]);
        Assert.Equal(2, sent[5]);
        return sent.AsSpan(5 + 4 + 2 + 24, 8).SequenceEqual("DOWNGRD\x01"u8);
    }

    private Result Run(TlsConfig settings, string[] args, bool tls12Only = true, bool tls13 = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        string keyLog = Path.Combine(pki.Dir, Guid.NewGuid().ToString("N") + ".keys");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using OpenSslSession client = OpenSslSession.Start(environment ?? new Dictionary<string, string>(), [
            "s_client", "-connect", $"127.0.0.1:{port}", .. tls12Only ? new[] { "-tls1_2" } : [], "-servername", "localhost",
            "-CAfile", pki.Server(KeyName(settings)).CertFile, "-verify_return_error",
            "-verify_hostname", "localhost", "-keylogfile", keyLog, "-trace", .. args,
        ]);
        using EngineSocket server = EngineSocket.Accept(listener, settings, client);
        server.Handshake();
        client.WriteLine("hello from openssl");
        server.ReceiveUntil("hello from openssl");
        server.Send("hello from ManagedTls\n");
        client.WaitFor("hello from ManagedTls");
        server.Close();
        client.CloseInput();
        string output = client.WaitExit();
        Assert.Contains("Verify return code: 0 (ok)", output);
        Assert.Contains(tls13 ? "Protocol  : TLSv1.3" : "Protocol  : TLSv1.2", output);
        CipherSuiteInfo suite = server.Tls.CipherSuite!;
        Assert.Contains("Cipher    : " + (tls13 ? suite.IanaName : suite.OpenSslName), output);
        if (!tls13)
        {
            // openssl also logs an RSA line (ciphertext prefix and premaster secret) for RSA key transport.
            HashSet<string> theirs = OpenSslTrace.KeyLog(keyLog).Where(l => l.StartsWith("CLIENT_RANDOM ", StringComparison.Ordinal)).ToHashSet();
            Assert.Single(server.KeyLog);
            Assert.True(server.KeyLog.SetEquals(theirs), $"ours: {string.Join('\n', server.KeyLog)}\ntheirs: {string.Join('\n', theirs)}");
        }

        return new Result(server.Tls, suite, server.Tls.NamedGroup, server.Tls.SignatureScheme, output, server.Sent);
    }

    private Failure RunFailing(TlsConfig settings, string[] args)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using OpenSslSession client = OpenSslSession.Start([
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_2", "-servername", "localhost",
            "-CAfile", pki.Server(KeyName(settings)).CertFile, .. args,
        ]);
        using EngineSocket server = EngineSocket.Accept(listener, settings, client);
        TlsAlertException? failure = null;
        try
        {
            server.Handshake();
        }
        catch (TlsAlertException e)
        {
            failure = e;
        }

        server.Flush();
        client.CloseInput();
        string output = client.WaitExit() + client.Stderr;
        return new Failure(failure ?? server.Tls.Failure, output);
    }

    private string KeyName(TlsConfig settings) =>
        settings.PrivateKey!.Kind switch { KeyKind.Rsa => "rsa", KeyKind.Ec => "ecdsa", _ => "ed25519" };

    private sealed record Result(TlsConnection Connection, CipherSuiteInfo Suite, NamedGroup? Group, SignatureScheme? Scheme, string Output, byte[] Sent);

    private sealed record Failure(TlsAlertException? Server, string Output);
}
