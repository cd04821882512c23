using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.SslFacade;

/// <summary>
/// <c>GetVerifiedChain</c> (Python 3.13's <c>get_verified_chain()</c>, in Python 3.11 the private
/// <c>_sslobj.get_verified_chain()</c>, both over OpenSSL's <c>SSL_get0_verified_chain</c>) on SslObject, SslSocket and
/// TlsStream, compared with Python 3.11 on OpenSSL 3.0 (live, or its answers recorded in
/// vectors/certs/recorded/verified-chains.txt) for verified and unverified clients, client certificates, a server
/// without one, and a resumption. Certificates are made by the openssl CLI: a root, an intermediate, a leaf under it, a
/// client certificate under the root and an unrelated root.
/// </summary>
public sealed class VerifiedChainTests : IDisposable
{
    // Scenario, server chain file, client CA file ("" for none), client verifies, client certificate, server CA file ("" for no request).
    private static readonly (string Name, string ServerChain, string ClientCa, bool Verify, bool ClientCert)[] Scenarios =
    [
        ("required", "leaf-chain", "root", true, false),
        ("none-with-ca", "leaf-chain", "root", false, false),
        ("none-without-ca", "leaf-chain", "", false, false),
        ("none-leaf-only", "leaf", "", false, false),
        ("none-other-root", "leaf-chain", "other", false, false),
        ("client-certificate", "leaf-chain", "root", true, true),
        ("server-asks-none-sent", "leaf-chain", "root", true, false),
    ];

    private const string Script = """
import ssl, sys, json
d = sys.stdin.read().strip()
names = {}
for n in ["root", "inter", "leaf", "client", "other"]:
    names[ssl.PEM_cert_to_DER_cert(open(f"{d}/{n}.pem").read())] = n
def f(chain):
    return [] if chain is None else [names.get(x.public_bytes(ssl._ssl.ENCODING_DER), "?") for x in chain]
def run(name, server_chain, client_ca, verify, client_cert):
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(f"{d}/{server_chain}.pem", f"{d}/leaf.key")
    if name in ("client-certificate", "server-asks-none-sent"):
        s.verify_mode = ssl.CERT_OPTIONAL; s.load_verify_locations(f"{d}/root.pem")
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if not verify:
        c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
    if client_ca: c.load_verify_locations(f"{d}/{client_ca}.pem")
    if client_cert: c.load_cert_chain(f"{d}/client.pem", f"{d}/client.key")
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    cl = c.wrap_bio(ci, co, server_hostname="a.example"); sv = s.wrap_bio(si, so, server_side=True)
    for _ in range(10):
        try: cl.do_handshake()
        except ssl.SSLWantReadError: pass
        si.write(co.read())
        try: sv.do_handshake()
        except ssl.SSLWantReadError: pass
        ci.write(so.read())
    return [f(cl._sslobj.get_verified_chain()), f(sv._sslobj.get_verified_chain())]
for case in json.loads(r'''CASES'''):
    print(json.dumps(run(*case)))
s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(f"{d}/leaf-chain.pem", f"{d}/leaf.key")
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(f"{d}/root.pem")
def hs(session=None):
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    cl = c.wrap_bio(ci, co, server_hostname="a.example", session=session); sv = s.wrap_bio(si, so, server_side=True)
    for _ in range(10):
        try: cl.do_handshake()
        except ssl.SSLWantReadError: pass
        si.write(co.read())
        try: sv.do_handshake()
        except ssl.SSLWantReadError: pass
        ci.write(so.read())
    sv.write(b"x"); ci.write(so.read()); cl.read(1)
    return cl
first = hs(); second = hs(first.session)
print(json.dumps([second.session_reused, f(first._sslobj.get_verified_chain()), f(second._sslobj.get_verified_chain())]))
""";

    private readonly string _dir = Directory.CreateTempSubdirectory("vchain").FullName;

    // The BIOs of the last handshake: the server's output and the client's input.
    private (MemoryBio ServerOut, MemoryBio ClientIn) _lastBios;

    public VerifiedChainTests() => MakeCertificates(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void VerifiedChainsReadAsPythons()
    {
        string casesJson = JsonSerializer.Serialize(Scenarios.Select(s => new object[] { s.Name, s.ServerChain, s.ClientCa, s.Verify, s.ClientCert }));
        string[] python = Oracles.PythonOrRecorded("verified-chains", Script.Replace("CASES", casesJson, StringComparison.Ordinal), _dir)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Scenarios.Length + 1, python.Length);

        // What Python 3.11 on OpenSSL 3.0 answers, written out: leaf to anchor when verified; under CERT_NONE what the
        // verifier built all the same; nothing on a server that got no client certificate.
        Assert.Equal("[[\"leaf\", \"inter\", \"root\"], []]", python[0]);
        Assert.Equal("[[\"leaf\", \"inter\", \"root\"], []]", python[1]);
        Assert.Equal("[[\"leaf\", \"inter\"], []]", python[2]);
        Assert.Equal("[[\"leaf\"], []]", python[3]);
        Assert.Equal("[[\"leaf\", \"inter\", \"root\"], [\"client\", \"root\"]]", python[5]);
        Assert.Equal("[true, [\"leaf\", \"inter\", \"root\"], []]", python[^1]);

        for (int i = 0; i < Scenarios.Length; i++)
        {
            var (name, serverChain, clientCa, verify, clientCert) = Scenarios[i];
            var server = new SslContext(SslProtocol.TlsServer);
            server.LoadCertChain(P(serverChain + ".pem"), P("leaf.key"));
            if (name is "client-certificate" or "server-asks-none-sent")
            {
                server.VerifyMode = VerifyMode.CertOptional;
                server.LoadVerifyLocations(P("root.pem"));
            }

            var client = new SslContext(SslProtocol.TlsClient);
            if (!verify)
            {
                client.CheckHostname = false;
                client.VerifyMode = VerifyMode.CertNone;
            }

            if (clientCa.Length > 0)
            {
                client.LoadVerifyLocations(P(clientCa + ".pem"));
            }

            if (clientCert)
            {
                client.LoadCertChain(P("client.pem"), P("client.key"));
            }

            var (cl, sv) = Handshake(client, server);
            string ours = $"[{Names(cl.GetVerifiedChain())}, {Names(sv.GetVerifiedChain())}]";
            Assert.True(python[i] == ours, $"{name}: python {python[i]}, ours {ours}");

            // The unverified chain is what the peer sent, whatever was verified.
            Assert.Equal(serverChain == "leaf" ? "[\"leaf\"]" : "[\"leaf\", \"inter\"]", Names(cl.GetUnverifiedChain()));
        }

        {
            var server = new SslContext(SslProtocol.TlsServer);
            server.LoadCertChain(P("leaf-chain.pem"), P("leaf.key"));
            var client = new SslContext(SslProtocol.TlsClient);
            client.LoadVerifyLocations(P("root.pem"));
            var (first, firstServer) = Handshake(client, server);

            // As the Python script: the server writes a byte, the client reads it along with the session tickets.
            firstServer.Write("x"u8.ToArray());
            _lastBios.ClientIn.Write(_lastBios.ServerOut.Read());
            Assert.Single(first.Read(1));
            var (second, _) = Handshake(client, server, first.Session);
            string ours = $"[{(second.SessionReused ? "true" : "false")}, {Names(first.GetVerifiedChain())}, {Names(second.GetVerifiedChain())}]";
            Assert.Equal(python[^1], ours);
        }
    }

    [Fact]
    public async Task SocketsAndStreamsGiveTheVerifiedChain()
    {
        var server = new SslContext(SslProtocol.TlsServer);
        server.LoadCertChain(P("leaf-chain.pem"), P("leaf.key"));
        var client = new SslContext(SslProtocol.TlsClient);
        client.LoadVerifyLocations(P("root.pem"));

        var (c, s) = ManagedTls.Tests.Facade.WrapKeys.LoopbackSockets(10_000);
        using (c)
        using (s)
        {
            Task<SslSocket> serverSide = Task.Run(() => server.WrapSocket(s, serverSide: true));
            using SslSocket tls = client.WrapSocket(c, serverHostname: "a.example");
            using SslSocket accepted = await serverSide.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("[\"leaf\", \"inter\", \"root\"]", Names(tls.GetVerifiedChain()));
            Assert.Empty(accepted.GetVerifiedChain());
        }

        var (c2, s2) = ManagedTls.Tests.Facade.WrapKeys.LoopbackSockets(10_000);
        using (c2)
        using (s2)
        {
            using var clientStream = new TlsStream(new NetworkStream(c2), client);
            using var serverStream = new TlsStream(new NetworkStream(s2), server);
            Assert.Empty(clientStream.GetVerifiedChain());
            Assert.Empty(clientStream.GetUnverifiedChain());
            Task serverAuth = serverStream.AuthenticateAsServerAsync();
            await clientStream.AuthenticateAsClientAsync("a.example").WaitAsync(TimeSpan.FromSeconds(20));
            await serverAuth.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("[\"leaf\", \"inter\", \"root\"]", Names(clientStream.GetVerifiedChain()));
            Assert.Equal("[\"leaf\", \"inter\"]", Names(clientStream.GetUnverifiedChain()));
            Assert.Empty(serverStream.GetVerifiedChain());
            Assert.Empty(serverStream.GetUnverifiedChain());
        }
    }

    private (SslObject Client, SslObject Server) Handshake(SslContext client, SslContext server, SslSession? session = null)
    {
        MemoryBio ci = new(), co = new(), si = new(), so = new();
        SslObject cl = client.WrapBio(ci, co, serverHostname: "a.example", session: session);
        SslObject sv = server.WrapBio(si, so, serverSide: true);
        _lastBios = (so, ci);
        for (int round = 0; round < 10 && !(cl.IsHandshakeComplete && sv.IsHandshakeComplete); round++)
        {
            try
            {
                cl.DoHandshake();
            }
            catch (SslWantReadException)
            {
            }

            si.Write(co.Read());
            try
            {
                sv.DoHandshake();
            }
            catch (SslWantReadException)
            {
            }

            ci.Write(so.Read());
        }

        Assert.True(cl.IsHandshakeComplete && sv.IsHandshakeComplete, "the handshake did not complete");
        return (cl, sv);
    }

    private string Names(IReadOnlyList<byte[]> chain)
    {
        var byDer = new[] { "root", "inter", "leaf", "client", "other" }.ToDictionary(n => Convert.ToBase64String(Der(n)), n => n);
        return "[" + string.Join(", ", chain.Select(c => "\"" + (byDer.TryGetValue(Convert.ToBase64String(c), out string? n) ? n : "?") + "\"")) + "]";
    }

    private string P(string name) => Path.Combine(_dir, name);

    private byte[] Der(string name) => ManagedTls.X509.Store.PemReader.Read(File.ReadAllText(P(name + ".pem"))).First().Data;

    private static void MakeCertificates(string d)
    {
        string P(string name) => Path.Combine(d, name);
        void Openssl(params string[] args) => Oracles.Run("openssl", args);
        string[] caExt = ["-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
        File.WriteAllText(P("ee.ext"), "basicConstraints=CA:false\nsubjectAltName=DNS:a.example\n");
        File.WriteAllText(P("ca.ext"), "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n");
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        void Issue(string name, string issuer, string ext)
        {
            Openssl(["req", "-new", .. ec, "-keyout", P(name + ".key"), "-out", P(name + ".csr"), "-subj", "/CN=" + name]);
            Openssl("x509", "-req", "-in", P(name + ".csr"), "-CA", P(issuer + ".pem"), "-CAkey", P(issuer + ".key"), "-CAcreateserial",
                "-out", P(name + ".pem"), "-days", "365", "-sha256", "-extfile", P(ext));
        }

        Openssl(["req", "-x509", .. ec, "-keyout", P("root.key"), "-out", P("root.pem"), "-days", "3650", "-subj", "/CN=root", .. caExt]);
        Openssl(["req", "-x509", .. ec, "-keyout", P("other.key"), "-out", P("other.pem"), "-days", "3650", "-subj", "/CN=other", .. caExt]);
        Issue("inter", "root", "ca.ext");
        Issue("leaf", "inter", "ee.ext");
        Issue("client", "root", "ee.ext");
        File.WriteAllText(P("leaf-chain.pem"), File.ReadAllText(P("leaf.pem")) + File.ReadAllText(P("inter.pem")));
    }
}
