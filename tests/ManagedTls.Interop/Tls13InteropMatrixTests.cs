using System.Net.Sockets;
using System.Net;
using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;

namespace ManagedTls.Interop;

/// <summary>The TLS 1.3 suites and the groups openssl 3.0 offers, with openssl's names for them.</summary>
internal static class InteropMatrix
{
    public static readonly string[] Suites =
    [
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256",
    ];

    public static readonly string[] Groups =
    [
        "X25519", "X448", "P-256", "P-384", "P-521", "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192",
    ];

    /// <summary>CCM and CCM_8 are off by default in openssl, so its side lists every suite explicitly.</summary>
    public static string AllSuites => string.Join(':', Suites);

    /// <summary>Every suite with every group.</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string suite in Suites)
        {
            foreach (string group in Groups)
            {
                data.Add(suite, group);
            }
        }

        return data;
    }

    public static CipherSuiteInfo Suite(string name) => CipherSuiteRegistry.FindByIanaName(name)!;

    public static KeyExchangeGroup Group(string name) => KeyExchangeGroups.FindByName(name)!;

    /// <summary>What openssl s_client prints for the server's key share of <paramref name="group"/>.</summary>
    public static string ServerTempKey(string group) => group switch
    {
        "X25519" => "Server Temp Key: X25519, 253 bits",
        "X448" => "Server Temp Key: X448, 448 bits",
        "P-256" => "Server Temp Key: ECDH, prime256v1, 256 bits",
        "P-384" => "Server Temp Key: ECDH, secp384r1, 384 bits",
        "P-521" => "Server Temp Key: ECDH, secp521r1, 521 bits",
        _ => "Server Temp Key: DH, " + group["ffdhe".Length..] + " bits",
    };
}

/// <summary>
/// Our client (the engine over a socket) against <c>openssl s_server</c>, for every TLS 1.3 suite with every group
/// openssl 3.0 offers. Openssl's <c>-trace</c> of its ServerHello, its <c>-www</c> page, our own view and
/// both key logs must agree.
/// </summary>
public sealed class OurClientMatrixTests(EngineInteropCertificates certs) : IClassFixture<EngineInteropCertificates>
{
    public static TheoryData<string, string> Cases() => InteropMatrix.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void OurClientAgainstOpenSslServer(string suite, string group)
    {
        string keyLog = certs.NewFile("server.keys");
        using OpenSslSession server = OpenSslSession.StartServer(out int port,
            "-tls1_3", "-cert", certs.Cert, "-key", certs.Key, "-www", "-naccept", "1", "-trace",
            "-ciphersuites", InteropMatrix.AllSuites, "-keylogfile", keyLog);
        KeyExchangeGroup g = InteropMatrix.Group(group);
        TlsConfig settings = certs.Client() with { CipherSuites = [InteropMatrix.Suite(suite)], Groups = [g] };
        using (EngineSocket client = EngineSocket.Connect(port, settings))
        {
            client.Handshake();
            Assert.True(client.Tls.VerifyResult!.IsValid);
            Assert.Equal(suite, client.Tls.CipherSuite!.IanaName);
            Assert.Equal(g.Group, client.Tls.NamedGroup);
            Assert.False(client.Tls.HelloRetried);
            client.Send("GET / HTTP/1.0\r\n\r\n");
            string page = client.ReceiveToEnd();
            Assert.Contains("New, TLSv1.3, Cipher is " + suite, page);
            Assert.Contains("Supported groups: ", page); // openssl lists what we offered: exactly one group
            Assert.Single(page.Split('\n').Single(l => l.StartsWith("Supported groups: ", StringComparison.Ordinal))["Supported groups: ".Length..].Trim().Split(':'));
            OpenSslTrace.AssertSameKeyLog(client.KeyLog, WaitKeyLog(server, keyLog));
        }

        string trace = server.WaitExit();
        var hello = Assert.Single(OpenSslTrace.ServerHellos(trace));
        Assert.Equal(suite, hello.Suite);
        Assert.Equal((int)g.Group, hello.Group);
    }

    // openssl writes its key log as the secrets come; once our side has the whole handshake so has the file,
    // but the write may still be on its way to the disk when we look.
    private static string WaitKeyLog(OpenSslSession server, string path)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((!File.Exists(path) || OpenSslTrace.KeyLog(path).Count < 5) && clock.ElapsedMilliseconds < EngineSocket.TimeoutMs && !server.HasExited)
        {
            Thread.Sleep(10);
        }

        return path;
    }
}

/// <summary>
/// <c>openssl s_client</c> against our server (the engine over a socket) for every TLS 1.3 suite with every group
/// openssl 3.0 offers; openssl's <c>-trace</c>, its output, our view and both key logs must agree.
/// </summary>
public sealed class OurServerMatrixTests(EngineInteropCertificates certs) : IClassFixture<EngineInteropCertificates>
{
    public static TheoryData<string, string> Cases() => InteropMatrix.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void OpenSslClientAgainstOurServer(string suite, string group)
    {
        string keyLog = certs.NewFile("client.keys");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using OpenSslSession client = OpenSslSession.Start(
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-ciphersuites", suite, "-groups", group,
            "-servername", "localhost", "-CAfile", certs.Cert, "-verify_return_error", "-ign_eof", "-trace", "-keylogfile", keyLog);
        client.WriteLine("ping");
        client.CloseInput();
        KeyExchangeGroup g = InteropMatrix.Group(group);
        using (EngineSocket server = EngineSocket.Accept(listener, certs.Server(), client))
        {
            server.Handshake();
            Assert.Equal(suite, server.Tls.CipherSuite!.IanaName);
            Assert.Equal(g.Group, server.Tls.NamedGroup);
            Assert.False(server.Tls.HelloRetried);
            server.ReceiveUntil("ping\n");
            server.Send("pong\n");
            server.Close();
            string output = client.WaitExit();
            Assert.Equal(0, client.ExitCode);
            Assert.Contains("pong", output);
            Assert.Contains("Verify return code: 0 (ok)", output);
            Assert.Contains("New, TLSv1.3, Cipher is " + suite, output);
            Assert.Contains(InteropMatrix.ServerTempKey(group), output);
            var hello = Assert.Single(OpenSslTrace.ServerHellos(output));
            Assert.Equal(suite, hello.Suite);
            Assert.Equal((int)g.Group, hello.Group);
            OpenSslTrace.AssertSameKeyLog(server.KeyLog, keyLog);
        }
    }
}
