using System.Net.Sockets;
using System.Net;
using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Interop;

/// <summary>
/// The engine against openssl for what goes beyond one plain handshake: resumption with openssl's
/// <c>-sess_out</c>/<c>-sess_in</c> and s_server's cache and tickets (also through a HelloRetryRequest, with
/// client certificates, and refused tickets), suite preference and multiple key shares, KeyUpdate from
/// openssl's <c>k</c>/<c>K</c> commands and from our side, middlebox compatibility mode on and off (seen on
/// the wire from both sides) with and without HelloRetryRequest.
/// </summary>
public sealed class Tls13InteropFeatureTests(EngineInteropCertificates certs) : IClassFixture<EngineInteropCertificates>
{
    private const byte ChangeCipherSpec = 20;

    /// <summary>
    /// s_client's <c>-sess_out</c> then <c>-sess_in</c> against one ticket key ring or session cache shared by our
    /// server's connections; with <paramref name="retry"/> both handshakes go through a HelloRetryRequest, so the
    /// resumed one recomputes its binder over the retried transcript.
    /// </summary>
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void OpenSslClientResumesWithOurServer(bool statelessTickets, bool retry)
    {
        using var ring = new TicketKeyRing();
        using var cache = new ServerSessionCache();
        TlsConfig settings = certs.Server() with
        {
            StatelessTickets = statelessTickets,
            TicketKeys = ring,
            SessionCache = cache,
            AlpnProtocols = ["h2"u8.ToArray()],
            Groups = retry ? [KeyExchangeGroups.Secp384r1] : KeyExchangeGroups.Default,
        };
        string session = certs.NewFile("session.pem");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        for (int i = 0; i < 2; i++)
        {
            string keyLog = certs.NewFile("client.keys");
            using OpenSslSession client = OpenSslSession.Start(
                "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-servername", "localhost", "-CAfile", certs.Cert,
                "-verify_return_error", "-ign_eof", "-alpn", "h2", "-groups", "X25519:P-384",
                i == 0 ? "-sess_out" : "-sess_in", session, "-keylogfile", keyLog);
            client.WriteLine("ping");
            client.CloseInput();
            using EngineSocket server = EngineSocket.Accept(listener, settings, client);
            server.Handshake();
            Assert.Equal(i == 1, server.Tls.SessionReused);
            Assert.Equal(retry, server.Tls.HelloRetried);
            Assert.Equal("h2", Encoding.ASCII.GetString(server.Tls.AlpnProtocol!));
            server.ReceiveUntil("ping\n");
            server.Send("pong\n");
            server.Close();
            string output = client.WaitExit();
            Assert.Contains("pong", output);
            Assert.Contains(i == 0 ? "New, TLSv1.3, Cipher is " : "Reused, TLSv1.3, Cipher is ", output);
            Assert.Contains("ALPN protocol: h2", output);
            OpenSslTrace.AssertSameKeyLog(server.KeyLog, keyLog);
            if (i == 0)
            {
                // Stateless tickets carry the session; the stateful mode keeps one cache entry per ticket sent.
                Assert.Equal(statelessTickets ? 0 : settings.NumTickets, cache.Count);
                Assert.Contains("-----BEGIN SSL SESSION PARAMETERS-----", File.ReadAllText(session));
            }
        }
    }

    /// <summary>
    /// Our client offers the latest session of its first connection to the same s_server: stateless tickets by
    /// default, openssl's session cache with <c>-no_ticket</c>; with <paramref name="retry"/> through a HelloRetryRequest.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void OurClientResumesWithOpenSslServer(bool noTicket, bool retry)
    {
        string keyLog = certs.NewFile("server.keys");
        var args = new List<string> { "-tls1_3", "-cert", certs.Cert, "-key", certs.Key, "-www", "-naccept", "2", "-alpn", "h2", "-keylogfile", keyLog };
        if (noTicket)
        {
            args.Add("-no_ticket");
        }

        if (retry)
        {
            args.AddRange(["-groups", "P-384"]);
        }

        using OpenSslSession server = OpenSslSession.StartServer(out int port, [.. args]);
        TlsConfig settings = certs.Client() with
        {
            AlpnProtocols = ["h2"u8.ToArray()],
            Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Secp384r1],
            KeyShareGroups = [NamedGroup.X25519],
        };
        var ourKeys = new HashSet<string>();
        Tls13Session? session = null;
        for (int i = 0; i < 2; i++)
        {
            using EngineSocket client = EngineSocket.Connect(port, settings with { ResumptionSession = session });
            client.Handshake();
            Assert.Equal(i == 1, client.Tls.SessionReused);
            Assert.Equal(retry, client.Tls.HelloRetried);
            Assert.Equal("h2", Encoding.ASCII.GetString(client.Tls.AlpnProtocol!));
            client.Send("GET / HTTP/1.0\r\n\r\n");
            string page = client.ReceiveToEnd();
            Assert.Contains(i == 0 ? "New, TLSv1.3, Cipher is " : "Reused, TLSv1.3, Cipher is ", page);
            session = client.Tls.LatestSession;
            Assert.NotNull(session);
            ourKeys.UnionWith(client.KeyLog);
        }

        server.WaitExit();
        OpenSslTrace.AssertSameKeyLog(ourKeys, keyLog, connections: 2);
    }

    /// <summary>
    /// A stateless ticket resumes as often as it is offered; a stateful one once (it leaves the cache); a server
    /// with other ticket keys and an empty cache ignores the ticket and completes a full handshake.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OpenSslClientTicketReuseAndRefusalByOurServer(bool statelessTickets)
    {
        using var ring = new TicketKeyRing();
        using var cache = new ServerSessionCache();
        TlsConfig settings = certs.Server() with { StatelessTickets = statelessTickets, TicketKeys = ring, SessionCache = cache };
        string session = certs.NewFile("session.pem");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.False(OpenSslClientOnce(listener, port, settings, "-sess_out", session));
        Assert.True(OpenSslClientOnce(listener, port, settings, "-sess_in", session));
        Assert.Equal(statelessTickets, OpenSslClientOnce(listener, port, settings, "-sess_in", session));

        using var otherRing = new TicketKeyRing();
        using var otherCache = new ServerSessionCache();
        TlsConfig other = settings with { TicketKeys = otherRing, SessionCache = otherCache };
        Assert.False(OpenSslClientOnce(listener, port, other, "-sess_in", session));
    }

    [Fact]
    public void OurClientSessionFromAnotherOpenSslServerFallsBackToFullHandshake()
    {
        Tls13Session session;
        using (OpenSslSession first = OpenSslSession.StartServer(out int firstPort, "-tls1_3", "-cert", certs.Cert, "-key", certs.Key, "-www", "-naccept", "1"))
        using (EngineSocket client = EngineSocket.Connect(firstPort, certs.Client()))
        {
            client.Handshake();
            client.Send("GET / HTTP/1.0\r\n\r\n");
            client.ReceiveToEnd();
            session = client.Tls.LatestSession!;
        }

        using OpenSslSession second = OpenSslSession.StartServer(out int port, "-tls1_3", "-cert", certs.Cert, "-key", certs.Key, "-www", "-naccept", "1");
        using EngineSocket again = EngineSocket.Connect(port, certs.Client() with { ResumptionSession = session });
        again.Handshake();
        Assert.False(again.Tls.SessionReused);
        Assert.True(again.Tls.VerifyResult!.IsValid);
        again.Send("GET / HTTP/1.0\r\n\r\n");
        Assert.Contains("New, TLSv1.3, Cipher is ", again.ReceiveToEnd());
    }

    // One s_client connection (ping, pong, close) to our server; returns whether our server resumed, after
    // checking openssl says the same.
    private bool OpenSslClientOnce(TcpListener listener, int port, TlsConfig settings, params string[] args)
    {
        using OpenSslSession client = OpenSslSession.Start([
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-servername", "localhost", "-CAfile", certs.Cert,
            "-verify_return_error", "-ign_eof", .. args,
        ]);
        client.WriteLine("ping");
        client.CloseInput();
        using EngineSocket server = EngineSocket.Accept(listener, settings, client);
        server.Handshake();
        server.ReceiveUntil("ping\n");
        server.Send("pong\n");
        server.Close();
        string output = client.WaitExit();
        Assert.Contains("pong", output);
        Assert.Contains(server.Tls.SessionReused ? "Reused, TLSv1.3" : "New, TLSv1.3", output);
        return server.Tls.SessionReused;
    }

    /// <summary>Whose suite order wins: openssl's client order unless our server prefers its own.</summary>
    [Theory]
    [InlineData(false, "TLS_CHACHA20_POLY1305_SHA256")]
    [InlineData(true, "TLS_AES_128_CCM_8_SHA256")]
    public void OurServerSuitePreferenceWithOpenSslClient(bool preferServer, string expected)
    {
        TlsConfig settings = certs.Server() with
        {
            PreferServerCipherSuites = preferServer,
            CipherSuites = new[] { "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256" }.Select(InteropMatrix.Suite).ToArray(),
        };
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using OpenSslSession client = OpenSslSession.Start(
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-servername", "localhost", "-CAfile", certs.Cert, "-verify_return_error", "-ign_eof",
            "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_8_SHA256");
        client.WriteLine("ping");
        client.CloseInput();
        using EngineSocket server = EngineSocket.Accept(listener, settings, client);
        server.Handshake();
        Assert.Equal(expected, server.Tls.CipherSuite!.IanaName);
        server.ReceiveUntil("ping\n");
        server.Send("pong\n");
        server.Close();
        Assert.Contains("New, TLSv1.3, Cipher is " + expected, client.WaitExit());
    }

    /// <summary>Whose suite order wins: ours unless s_server has <c>-serverpref</c>.</summary>
    [Theory]
    [InlineData(false, "TLS_AES_128_GCM_SHA256")]
    [InlineData(true, "TLS_AES_128_CCM_SHA256")]
    public void OurClientSuitePreferenceWithOpenSslServer(bool serverPref, string expected)
    {
        var args = new List<string> { "-tls1_3", "-cert", certs.Cert, "-key", certs.Key, "-www", "-naccept", "1",
            "-ciphersuites", "TLS_AES_128_CCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256" };
        if (serverPref)
        {
            args.Add("-serverpref");
        }

        using OpenSslSession server = OpenSslSession.StartServer(out int port, [.. args]);
        TlsConfig settings = certs.Client() with
        {
            CipherSuites = new[] { "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_256_GCM_SHA384" }.Select(InteropMatrix.Suite).ToArray(),
        };
        using EngineSocket client = EngineSocket.Connect(port, settings);
        client.Handshake();
        Assert.Equal(expected, client.Tls.CipherSuite!.IanaName);
        client.Send("GET / HTTP/1.0\r\n\r\n");
        Assert.Contains("New, TLSv1.3, Cipher is " + expected, client.ReceiveToEnd());
    }

    /// <summary>
    /// Our client sending two key shares (openssl's client sends one): s_server takes one of them, or asks for
    /// another group with a HelloRetryRequest when it accepts neither; both sides name the same group.
    /// </summary>
    [Theory]
    [InlineData("X25519:X448", false)]
    [InlineData("X448:X25519", false)]
    [InlineData("X448", false)]
    [InlineData("P-256", true)]
    public void OurClientWithTwoKeySharesAgainstOpenSslServer(string serverGroups, bool retry)
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port,
            "-tls1_3", "-cert", certs.Cert, "-key", certs.Key, "-www", "-naccept", "1", "-trace", "-groups", serverGroups);
        TlsConfig settings = certs.Client() with
        {
            Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.X448, KeyExchangeGroups.Secp256r1],
            KeyShareGroups = [NamedGroup.X25519, NamedGroup.X448],
        };
        NamedGroup? group;
        using (EngineSocket client = EngineSocket.Connect(port, settings))
        {
            client.Handshake();
            Assert.Equal(retry, client.Tls.HelloRetried);
            group = client.Tls.NamedGroup;
            client.Send("GET / HTTP/1.0\r\n\r\n");
            Assert.Contains("New, TLSv1.3, Cipher is ", client.ReceiveToEnd());
        }

        string trace = server.WaitExit();
        Assert.Equal([(int)NamedGroup.X25519, (int)NamedGroup.X448], OpenSslTrace.ClientHellos(trace)[0].KeyShares);
        List<(string Suite, int Group)> hellos = OpenSslTrace.ServerHellos(trace);
        Assert.Equal(retry ? 2 : 1, hellos.Count);
        Assert.Equal((int)group!, hellos[^1].Group);
        // openssl 3.0 takes the first of the client's shares that it supports (client order), else retries
        // with its own first group the client supports.
        NamedGroup[] supported = serverGroups.Split(':').Select(n => KeyExchangeGroups.FindByName(n)!.Group).ToArray();
        NamedGroup expected = retry ? supported[0] : settings.KeyShareGroups.First(supported.Contains);
        Assert.Equal(expected, group);
    }

    [Fact]
    public void OpenSslClientCertificateCarriesIntoResumption()
    {
        TlsConfig settings = certs.Server() with
        {
            RequestClientCertificate = true,
            RequireClientCertificate = true,
            Trust = new TrustStore([certs.ClientCertDer]),
        };
        string session = certs.NewFile("session.pem");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        for (int i = 0; i < 2; i++)
        {
            using OpenSslSession client = OpenSslSession.Start(
                "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-servername", "localhost", "-CAfile", certs.Cert,
                "-verify_return_error", "-ign_eof", "-cert", certs.ClientCert, "-key", certs.ClientKey, "-trace",
                i == 0 ? "-sess_out" : "-sess_in", session);
            client.WriteLine("ping");
            client.CloseInput();
            using EngineSocket server = EngineSocket.Accept(listener, settings, client);
            server.Handshake();
            Assert.Equal(i == 1, server.Tls.SessionReused);
            Assert.Equal(certs.ClientCertDer, server.Tls.PeerCertificateChain[0]); // from the ticket when resumed
            if (i == 0)
            {
                Assert.True(server.Tls.VerifyResult!.IsValid);
            }

            Assert.Equal(i == 0 ? SignatureScheme.EcdsaSecp384r1Sha384 : null, server.Tls.ClientSignatureScheme);
            server.ReceiveUntil("ping\n");
            server.Send("pong\n");
            server.Close();
            string output = client.WaitExit();
            Assert.Contains("pong", output);
            Assert.Contains(i == 0 ? "New, TLSv1.3" : "Reused, TLSv1.3", output);
            Assert.Equal(i == 0 ? 1 : 0, OpenSslSession.Occurrences(output, "CertificateRequest, Length="));
        }
    }

    [Fact]
    public void OurClientCertificateCarriesIntoResumption()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port,
            "-tls1_3", "-cert", certs.Cert, "-key", certs.Key, "-www", "-naccept", "2", "-Verify", "1", "-CAfile", certs.ClientCert, "-verify_return_error");
        TlsConfig settings = certs.Client() with
        {
            CertificateChain = [certs.ClientCertDer],
            PrivateKey = PrivateKey.LoadFile(certs.ClientKey),
        };
        Tls13Session? session = null;
        for (int i = 0; i < 2; i++)
        {
            using EngineSocket client = EngineSocket.Connect(port, settings with { ResumptionSession = session });
            client.Handshake();
            Assert.Equal(i == 1, client.Tls.SessionReused);
            Assert.Equal(i == 0 ? SignatureScheme.EcdsaSecp384r1Sha384 : null, client.Tls.ClientSignatureScheme);
            client.Send("GET / HTTP/1.0\r\n\n");
            string page = client.ReceiveToEnd();
            Assert.Contains(i == 0 ? "New, TLSv1.3" : "Reused, TLSv1.3", page);
            Assert.Contains("Client certificate", page); // openssl keeps our certificate in its session
            Assert.Contains("CN=interop-client", page.Replace(" ", "", StringComparison.Ordinal));
            session = client.Tls.LatestSession;
        }

        server.WaitExit();
    }

    [Fact]
    public void OpenSslServerKeyUpdateCommandsAndOurUpdates()
    {
        using OpenSslSession server = OpenSslSession.StartServer(out int port, "-tls1_3", "-cert", certs.Cert, "-key", certs.Key, "-naccept", "1", "-trace");
        using (EngineSocket client = EngineSocket.Connect(port, certs.Client()))
        {
            client.Handshake();
            client.Send("handshake done\n");
            server.WaitFor("handshake done"); // openssl takes commands only once its side of the handshake is over

            server.WriteLine("k");
            client.Pump(() => client.Tls.ReadKeyGeneration == 1, "openssl's KeyUpdate");
            Assert.Equal(0, client.Tls.WriteKeyGeneration);
            server.WriteLine("K");
            client.Pump(() => client.Tls.ReadKeyGeneration == 2, "openssl's requesting KeyUpdate");
            Assert.Equal(1, client.Tls.WriteKeyGeneration); // answered at once
            server.WriteLine("from openssl");
            client.ReceiveUntil("from openssl\n");
            client.Send("from us after their updates\n");
            server.WaitFor("from us after their updates");

            client.Tls.UpdateKeys(requestPeerUpdate: false);
            client.Send("after our update\n");
            server.WaitFor("after our update");
            client.Tls.UpdateKeys(requestPeerUpdate: true);
            client.Send("after our requesting update\n");
            server.WaitFor("after our requesting update");
            server.WriteLine("openssl answers"); // openssl sends its answering KeyUpdate before its next data
            client.ReceiveUntil("openssl answers\n");
            Assert.Equal(3, client.Tls.ReadKeyGeneration);
            Assert.Equal(3, client.Tls.WriteKeyGeneration);
            client.Close();
        }

        List<(bool Sent, bool Requested)> updates = OpenSslTrace.KeyUpdates(server.WaitExit());
        Assert.Equal([(true, false), (true, true), (false, false), (false, false), (false, true), (true, false)], updates);
    }

    [Fact]
    public void OpenSslClientKeyUpdateCommandsAndOurUpdates()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using OpenSslSession client = OpenSslSession.Start(
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-servername", "localhost", "-CAfile", certs.Cert, "-verify_return_error", "-trace");
        using (EngineSocket server = EngineSocket.Accept(listener, certs.Server(), client))
        {
            server.Handshake();
            client.WriteLine("k");
            server.Pump(() => server.Tls.ReadKeyGeneration == 1, "openssl's KeyUpdate");
            Assert.Equal(0, server.Tls.WriteKeyGeneration);
            client.WriteLine("K");
            server.Pump(() => server.Tls.ReadKeyGeneration == 2, "openssl's requesting KeyUpdate");
            Assert.Equal(1, server.Tls.WriteKeyGeneration);
            client.WriteLine("from openssl");
            server.ReceiveUntil("from openssl\n");
            server.Send("from us after their updates\n");
            client.WaitFor("from us after their updates");

            server.Tls.UpdateKeys(requestPeerUpdate: false);
            server.Send("after our update\n");
            client.WaitFor("after our update");
            server.Tls.UpdateKeys(requestPeerUpdate: true);
            server.Send("after our requesting update\n");
            client.WaitFor("after our requesting update");
            client.WriteLine("openssl answers");
            server.ReceiveUntil("openssl answers\n");
            Assert.Equal(3, server.Tls.ReadKeyGeneration);
            Assert.Equal(3, server.Tls.WriteKeyGeneration);
            server.Close();
            client.WaitExit();
        }

        Assert.Equal(2, OpenSslSession.Occurrences(client.Stderr, "KEYUPDATE"));
        List<(bool Sent, bool Requested)> updates = OpenSslTrace.KeyUpdates(client.Stdout.Text);
        Assert.Equal([(true, false), (true, true), (false, false), (false, false), (false, true), (true, false)], updates);
    }

    /// <summary>
    /// Our client with compatibility mode on or off, against s_server with and without <c>-no_middlebox</c>, with
    /// and without a HelloRetryRequest: a 32-byte legacy_session_id and one change_cipher_spec record exactly
    /// when the mode is on, in our bytes and in what openssl received.
    /// </summary>
    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, false, false)]
    [InlineData(true, true, false)]
    [InlineData(false, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    [InlineData(false, true, true)]
    public void OurClientCompatibilityModeOnTheWire(bool compat, bool opensslNoMiddlebox, bool retry)
    {
        string keyLog = certs.NewFile("server.keys");
        var args = new List<string> { "-tls1_3", "-cert", certs.Cert, "-key", certs.Key, "-www", "-naccept", "1", "-trace", "-keylogfile", keyLog };
        if (opensslNoMiddlebox)
        {
            args.Add("-no_middlebox");
        }

        if (retry)
        {
            args.AddRange(["-groups", "ffdhe2048"]);
        }

        using OpenSslSession server = OpenSslSession.StartServer(out int port, [.. args]);
        TlsConfig settings = certs.Client() with
        {
            MiddleboxCompatibility = compat,
            Groups = [KeyExchangeGroups.X25519, KeyExchangeGroups.Ffdhe2048],
            KeyShareGroups = [NamedGroup.X25519],
        };
        byte[] sent;
        HashSet<string> ourKeys;
        using (EngineSocket client = EngineSocket.Connect(port, settings))
        {
            client.Handshake();
            Assert.Equal(retry, client.Tls.HelloRetried);
            Assert.Equal(retry ? NamedGroup.Ffdhe2048 : NamedGroup.X25519, client.Tls.NamedGroup);
            client.Send("GET / HTTP/1.0\r\n\r\n");
            Assert.Contains("New, TLSv1.3, Cipher is ", client.ReceiveToEnd());
            sent = client.Sent;
            ourKeys = client.KeyLog;
        }

        Assert.Equal(compat ? 32 : 0, EngineSocket.HelloSessionIdLength(sent));
        Assert.Equal(compat ? 1 : 0, EngineSocket.RecordTypes(sent).Count(t => t == ChangeCipherSpec));
        string trace = server.WaitExit();
        OpenSslTrace.AssertSameKeyLog(ourKeys, keyLog);
        List<(int SessionIdLength, List<int> KeyShares)> hellos = OpenSslTrace.ClientHellos(trace);
        Assert.Equal(retry ? 2 : 1, hellos.Count);
        Assert.All(hellos, h => Assert.Equal(compat ? 32 : 0, h.SessionIdLength));
        Assert.Equal([(int)NamedGroup.X25519], hellos[0].KeyShares);
        Assert.Equal(retry ? 2 : 1, OpenSslTrace.ServerHellos(trace).Count);
        Assert.Equal(compat ? 1 : 0, OpenSslTrace.Records(trace, sent: false).Count(t => t == ChangeCipherSpec));
    }

    /// <summary>
    /// openssl s_client with and without <c>-no_middlebox</c> against our server with compatibility mode on or off,
    /// with and without a HelloRetryRequest (openssl 3.0 sends one key share, for the first of its <c>-groups</c>,
    /// so <c>-groups X25519:P-384</c> against a P-384-only server forces the retry).
    /// </summary>
    [Theory]
    [InlineData(true, true, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, false)]
    [InlineData(true, true, true)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(false, false, true)]
    public void OpenSslClientCompatibilityModeOnTheWire(bool opensslCompat, bool ourCompat, bool retry)
    {
        string keyLog = certs.NewFile("client.keys");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var args = new List<string>
        {
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-groups", "X25519:P-384", "-servername", "localhost",
            "-CAfile", certs.Cert, "-verify_return_error", "-ign_eof", "-trace", "-keylogfile", keyLog,
        };
        if (!opensslCompat)
        {
            args.Add("-no_middlebox");
        }

        using OpenSslSession client = OpenSslSession.Start([.. args]);
        client.WriteLine("ping");
        client.CloseInput();
        TlsConfig settings = certs.Server() with
        {
            MiddleboxCompatibility = ourCompat,
            Groups = retry ? [KeyExchangeGroups.Secp384r1] : KeyExchangeGroups.Default,
        };
        byte[] sent;
        using (EngineSocket server = EngineSocket.Accept(listener, settings, client))
        {
            server.Handshake();
            Assert.Equal(retry, server.Tls.HelloRetried);
            Assert.Equal(retry ? NamedGroup.Secp384r1 : NamedGroup.X25519, server.Tls.NamedGroup);
            server.ReceiveUntil("ping\n");
            server.Send("pong\n");
            server.Close();
            client.WaitExit();
            sent = server.Sent;
            OpenSslTrace.AssertSameKeyLog(server.KeyLog, keyLog);
        }

        string trace = client.Stdout.Text;
        Assert.Contains("pong", trace);
        List<(int SessionIdLength, List<int> KeyShares)> hellos = OpenSslTrace.ClientHellos(trace);
        Assert.Equal(retry ? 2 : 1, hellos.Count);
        Assert.All(hellos, h => Assert.Equal(opensslCompat ? 32 : 0, h.SessionIdLength));
        Assert.Equal([(int)NamedGroup.X25519], hellos[0].KeyShares);
        if (retry)
        {
            Assert.Equal([(int)NamedGroup.Secp384r1], hellos[1].KeyShares);
        }

        // We echo openssl's legacy_session_id (in the HelloRetryRequest and the ServerHello alike). As a server we
        // send change_cipher_spec once when our mode is on and the client's session id shows it is in the mode too
        // (as openssl's server does); a client without the mode gets none.
        int ourCcs = ourCompat && opensslCompat ? 1 : 0;
        Assert.Equal(opensslCompat ? 32 : 0, EngineSocket.HelloSessionIdLength(sent));
        Assert.Equal(ourCcs, EngineSocket.RecordTypes(sent).Count(t => t == ChangeCipherSpec));
        Assert.Equal(ourCcs, OpenSslTrace.Records(trace, sent: false).Count(t => t == ChangeCipherSpec));
        Assert.Equal(opensslCompat ? 1 : 0, OpenSslTrace.Records(trace, sent: true).Count(t => t == ChangeCipherSpec));
        List<(string Suite, int Group)> serverHellos = OpenSslTrace.ServerHellos(trace);
        Assert.Equal(retry ? 2 : 1, serverHellos.Count);
        Assert.All(serverHellos, h => Assert.Equal(retry ? (int)NamedGroup.Secp384r1 : (int)NamedGroup.X25519, h.Group));
    }
}
