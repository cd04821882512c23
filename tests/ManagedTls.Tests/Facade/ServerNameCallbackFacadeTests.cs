using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslContext.SniCallback"/> with Python's semantics (checked against Python 3.11 / OpenSSL 3.0): the
/// callback gets the SSLObject (wrap_bio) or SSLSocket (wrap_socket), the server name as sent (an IDNA name
/// stays an A-label, <c>xn--bcher-kva.example</c>), or None without SNI; it may switch <c>obj.context</c>; an
/// alert or an exception fails the server with <c>[SSL: CALLBACK_FAILED] callback failed</c> and the client with
/// the alert sent (<c>TLSV1_UNRECOGNIZED_NAME</c>, <c>SSLV3_ALERT_HANDSHAKE_FAILURE</c> for an exception).
/// </summary>
public sealed class ServerNameCallbackFacadeTests : IDisposable
{
    private const int TimeoutMs = 10000;
    private readonly string _first = WrapKeys.WriteFiles();
    private readonly string _second = FacadeKeys.WriteFiles();

    public void Dispose()
    {
        Directory.Delete(_first, recursive: true);
        Directory.Delete(_second, recursive: true);
    }

    private static SslContext ServerContext(string dir)
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
        return ctx;
    }

    private static SslContext ClientContext() => new(SslProtocol.TlsClient) { CheckHostname = false, VerifyMode = VerifyMode.CertNone };

    internal static byte[] Der(string pem) =>
        Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.Contains("-----", StringComparison.Ordinal)).Select(l => l.Trim())));

    /// <summary>Runs the handshake over memory queues; returns the client's and the server's failure, if any.</summary>
    internal static (Exception? Client, Exception? Server) Handshake(SslObject client, SslObject server, MemoryBio[] bios)
    {
        Exception? clientError = null, serverError = null;
        for (int i = 0; i < 8 && !(client.IsHandshakeComplete && server.IsHandshakeComplete); i++)
        {
            foreach ((SslObject o, bool isClient) in new[] { (client, true), (server, false) })
            {
                if ((isClient ? clientError : serverError) is not null)
                {
                    continue;
                }

                try
                {
                    o.DoHandshake();
                }
                catch (SslWantReadException)
                {
                }
                catch (SslException e)
                {
                    if (isClient)
                    {
                        clientError = e;
                    }
                    else
                    {
                        serverError = e;
                    }
                }
            }

            bios[2].Write(bios[1].Read());
            bios[0].Write(bios[3].Read());
        }

        return (clientError, serverError);
    }

    private (SslObject Client, SslObject Server, MemoryBio[] Bios) Wrap(SslContext server, string? hostname = "localhost")
    {
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = ClientContext().WrapBio(bios[0], bios[1], serverHostname: hostname);
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        return (c, s, bios);
    }

    [Fact]
    public void CallbackGetsTheSslObjectTheNameAndTheContext()
    {
        SslContext server = ServerContext(_first);
        var calls = new List<(object Connection, string? Name, SslContext Context)>();
        server.SniCallback = (conn, name, ctx) =>
        {
            calls.Add((conn, name, ctx));
            return null;
        };
        var (c, s, bios) = Wrap(server);
        Assert.Equal((null, null), Handshake(c, s, bios));
        var call = Assert.Single(calls);
        Assert.Same(s, call.Connection);
        Assert.Equal("localhost", call.Name);
        Assert.Same(server, call.Context);
    }

    [Fact]
    public void WithoutServerNameTheCallbackGetsNull()
    {
        SslContext server = ServerContext(_first);
        var names = new List<string?>();
        server.SniCallback = (_, name, _) =>
        {
            names.Add(name);
            return null;
        };
        var (c, s, bios) = Wrap(server, hostname: null);
        Assert.Equal((null, null), Handshake(c, s, bios));
        Assert.Equal([(string?)null], names);
    }

    [Fact]
    public void AnIdnaNameArrivesAsItsALabel()
    {
        SslContext server = ServerContext(_first);
        var names = new List<string?>();
        server.SniCallback = (_, name, _) =>
        {
            names.Add(name);
            return null;
        };
        var (c, s, bios) = Wrap(server, hostname: "xn--bcher-kva.example");
        Assert.Equal((null, null), Handshake(c, s, bios));
        Assert.Equal(["xn--bcher-kva.example"], names);
    }

    [Fact]
    public void SwitchingTheContextServesItsCertificate()
    {
        SslContext first = ServerContext(_first);
        SslContext second = ServerContext(_second);
        first.SniCallback = (conn, name, _) =>
        {
            if (name == "second.example")
            {
                ((SslObject)conn).Context = second;
            }

            return null;
        };

        var (c, s, bios) = Wrap(first, hostname: "second.example");
        Assert.Equal((null, null), Handshake(c, s, bios));
        Assert.Equal(Der(FacadeKeys.Certificate), c.GetPeerCert(binaryForm: true));
        Assert.Same(second, s.Context);

        var (c2, s2, bios2) = Wrap(first, hostname: "first.example");
        Assert.Equal((null, null), Handshake(c2, s2, bios2));
        Assert.Equal(Der(WrapKeys.Certificate), c2.GetPeerCert(binaryForm: true));
        Assert.Same(first, s2.Context);
    }

    [Fact]
    public void SwitchingBeforeTheHandshakeAlsoCounts()
    {
        var (c, s, bios) = Wrap(ServerContext(_first));
        s.Context = ServerContext(_second);
        Assert.Equal((null, null), Handshake(c, s, bios));
        Assert.Equal(Der(FacadeKeys.Certificate), c.GetPeerCert(binaryForm: true));
    }

    [Fact]
    public void SwitchingToAStricterVerifyModeAlsoTakesItAndTheTrust()
    {
        // A deliberate difference from OpenSSL, which keeps the connection's verify mode alone: client authentication is
        // at least as strict as either context's (docs/decisions/0012, revised).
        SslContext first = ServerContext(_first);
        SslContext strict = ServerContext(_second);
        strict.VerifyMode = VerifyMode.CertRequired;
        strict.LoadVerifyLocations(cafile: Path.Combine(_second, "cert.pem"));
        first.SniCallback = (conn, _, _) =>
        {
            ((SslObject)conn).Context = strict;
            return null;
        };

        var (c, s, bios) = Wrap(first);
        var (_, serverError) = Handshake(c, s, bios);
        Assert.Equal("PEER_DID_NOT_RETURN_A_CERTIFICATE", Assert.IsType<SslException>(serverError).Reason);

        SslContext client = ClientContext();
        client.LoadCertChain(Path.Combine(_second, "cert.pem"), Path.Combine(_second, "key.pem"));
        MemoryBio[] bios2 = [new(), new(), new(), new()];
        SslObject c2 = client.WrapBio(bios2[0], bios2[1], serverHostname: "localhost");
        SslObject s2 = first.WrapBio(bios2[2], bios2[3], serverSide: true);
        Assert.Equal((null, null), Handshake(c2, s2, bios2));
        Assert.Equal(Der(FacadeKeys.Certificate), s2.GetPeerCert(binaryForm: true));
        Assert.NotEmpty(Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(s2.GetPeerCert()));
    }

    [Fact]
    public void ReturningAnAlertFailsBothSides()
    {
        SslContext server = ServerContext(_first);
        server.SniCallback = (_, _, _) => AlertDescription.UnrecognizedName;
        var (c, s, bios) = Wrap(server);
        var (clientError, serverError) = Handshake(c, s, bios);
        var se = Assert.IsType<SslException>(serverError);
        Assert.Equal("CALLBACK_FAILED", se.Reason);
        Assert.Equal("[SSL: CALLBACK_FAILED] callback failed", se.Message);
        Assert.Equal("TLSV1_UNRECOGNIZED_NAME", Assert.IsType<SslException>(clientError).Reason);
    }

    [Fact]
    public void AnExceptionInTheCallbackIsHandshakeFailure()
    {
        SslContext server = ServerContext(_first);
        server.SniCallback = (_, _, _) => throw new InvalidOperationException("boom");
        var (c, s, bios) = Wrap(server);
        var (clientError, serverError) = Handshake(c, s, bios);
        Assert.Equal("CALLBACK_FAILED", Assert.IsType<SslException>(serverError).Reason);
        Assert.Equal("SSLV3_ALERT_HANDSHAKE_FAILURE", Assert.IsType<SslException>(clientError).Reason);
    }

    [Fact]
    public void ContextCanBeSwitchedOnEitherSideToAnyContext()
    {
        // Python allows both (SSLObject.context's setter takes any SSLContext); see ContextSwitchTests for what changes.
        var (c, s, _) = Wrap(ServerContext(_first));
        SslContext second = ServerContext(_second);
        c.Context = second;
        Assert.Same(second, c.Context);
        Assert.Throws<ArgumentNullException>(() => s.Context = null!);
        SslContext client = new(SslProtocol.TlsClient);
        s.Context = client;
        Assert.Same(client, s.Context);
    }

    private static T Bounded<T>(Task<T> task) =>
        task.Wait(TimeoutMs) ? task.Result : throw new TimeoutException("server thread did not finish");

    [Fact]
    public void WrapSocketHandsTheSslSocketToTheCallback()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var clientSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = TimeoutMs, SendTimeout = TimeoutMs };
        clientSocket.Connect(listener.LocalEndPoint!);
        Socket serverSocket = listener.Accept();
        serverSocket.ReceiveTimeout = TimeoutMs;
        serverSocket.SendTimeout = TimeoutMs;

        SslContext first = ServerContext(_first);
        SslContext second = ServerContext(_second);
        object? seen = null;
        first.SniCallback = (conn, _, _) =>
        {
            seen = conn;
            ((SslSocket)conn).Context = second;
            return null;
        };
        Task<SslSocket> server = Task.Factory.StartNew(() => first.WrapSocket(serverSocket, serverSide: true), TaskCreationOptions.LongRunning);
        using SslSocket client = ClientContext().WrapSocket(clientSocket, serverHostname: "localhost");
        using SslSocket serverSsl = Bounded(server);
        Assert.Same(serverSsl, seen);
        Assert.Same(second, serverSsl.Context);
        Assert.Equal(Der(FacadeKeys.Certificate), client.GetPeerCert(binaryForm: true));
    }
}
