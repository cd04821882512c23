using ManagedTls.CipherSuites;
using ManagedTls.Ssl;
using ManagedTls.Tests.SslFacade;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <see cref="SslContext.SetEcdhCurve"/> against Python 3.11's <c>set_ecdh_curve</c> on OpenSSL 3.0: which names it takes
/// and how it refuses the others, and that the one group is then the only one a connection uses (TLS 1.2 ECDHE and TLS 1.3
/// key shares), on either side. Python's answers are recorded here and compared with the live python3 when there is one.
/// </summary>
public sealed class EcdhCurveTests : IDisposable
{
    // Python 3.11.7, OpenSSL 3.0.19: "name|ok", or the exception's type and str() without the source location.
    private const string RecordedNames = """
        prime256v1|ok
        secp384r1|ok
        secp521r1|ok
        X25519|ok
        X448|ok
        ffdhe2048|ok
        ffdhe3072|ok
        ffdhe4096|ok
        ffdhe6144|ok
        ffdhe8192|ok
        x25519|ValueError|unknown elliptic curve name 'x25519'
        P-256|ValueError|unknown elliptic curve name 'P-256'
        secp256r1|ValueError|unknown elliptic curve name 'secp256r1'
        X25519MLKEM768|ValueError|unknown elliptic curve name 'X25519MLKEM768'
        x|ValueError|unknown elliptic curve name 'x'
        |ValueError|unknown elliptic curve name ''
        sha256|ValueError|unknown elliptic curve name 'sha256'
        brainpoolP256r1|ok
        secp256k1|ok
        prime192v1|ok
        sect163k1|ok
        RSA|SSLError|unknown error
        rsaEncryption|SSLError|unknown error
        ED25519|SSLError|unknown error
        dhKeyAgreement|SSLError|unknown error
        CN|SSLError|unknown error
        """;

    private const string NamesScript = """
        import ssl
        for n in NAMES:
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            try:
                c.set_ecdh_curve(n); print(n + '|ok')
            except ssl.SSLError as e: print(n + '|SSLError|' + str(e).split(' (_ssl')[0])
            except ValueError as e: print(n + '|ValueError|' + str(e))
        """;

    // Python's pairs over memory BIOs, the P-256 certificate of WrapKeys on the server: for each curve and the client's
    // highest version, the outcome (client/server: version or reason) with the curve set on the client only, on the server
    // only, on both, and with another curve on the server. The handshake between two Python contexts uses the curve: the
    // openssl s_client shows "Server Temp Key: ECDH, secp384r1, 384 bits" against a Python server with set_ecdh_curve('secp384r1'),
    // for TLS 1.2 and TLS 1.3 alike, and X25519, X448 and "DH, 2048 bits" for the others.
    private const string RecordedPairs = """
        prime256v1 1.2 TLSv1.2/TLSv1.2 TLSv1.2/TLSv1.2 TLSv1.2/TLSv1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER
        prime256v1 1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SUITABLE_KEY_SHARE
        secp384r1 1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER TLSv1.2/TLSv1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER
        secp384r1 1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SUITABLE_KEY_SHARE
        secp521r1 1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER TLSv1.2/TLSv1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER
        secp521r1 1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SUITABLE_KEY_SHARE
        X25519 1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER TLSv1.2/TLSv1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER
        X25519 1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SUITABLE_KEY_SHARE
        X448 1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER TLSv1.2/TLSv1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER
        X448 1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SUITABLE_KEY_SHARE
        ffdhe2048 1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER
        ffdhe2048 1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SUITABLE_KEY_SHARE
        ffdhe8192 1.2 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SHARED_CIPHER
        ffdhe8192 1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 TLSv1.3/TLSv1.3 SSLV3_ALERT_HANDSHAKE_FAILURE/NO_SUITABLE_KEY_SHARE
        """;

    private const string PairsScript = """
        import ssl
        def pair(ccurve, scurve, ver):
            sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
            cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); cctx.load_verify_locations(d + '/cert.pem')
            if ver == '1.2': cctx.maximum_version = ssl.TLSVersion.TLSv1_2
            if ccurve: cctx.set_ecdh_curve(ccurve)
            if scurve: sctx.set_ecdh_curve(scurve)
            ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
            c = cctx.wrap_bio(ci, co, server_hostname='localhost'); s = sctx.wrap_bio(si, so, server_side=True)
            out = {}
            for _ in range(4):
                for n, a, ob, peer in (('c', c, co, si), ('s', s, so, ci)):
                    if n in out: continue
                    try: a.do_handshake(); out[n] = a.version()
                    except ssl.SSLWantReadError: pass
                    except ssl.SSLError as e: out[n] = e.reason
                    peer.write(ob.read())
            return out.get('c', '-') + '/' + out.get('s', '-')
        for curve in ('prime256v1', 'secp384r1', 'secp521r1', 'X25519', 'X448', 'ffdhe2048', 'ffdhe8192'):
            for ver in ('1.2', '1.3'):
                print(curve, ver, pair(curve, None, ver), pair(None, curve, ver), pair(curve, curve, ver), pair(curve, 'secp384r1' if curve != 'secp384r1' else 'X25519', ver))
        """;

    // Groups OpenSSL 3.0 takes and this library does not implement: Python accepts them, SetEcdhCurve refuses them.
    private static readonly string[] NotImplemented = ["brainpoolP256r1", "secp256k1", "prime192v1", "sect163k1"];

    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void NamesAreTakenAndRefusedAsPythonDoes()
    {
        string[] names = RecordedNames.Split('\n').Select(l => l.Split('|')[0]).ToArray();
        var ours = new List<string>();
        foreach (string name in names)
        {
            var context = new SslContext(SslProtocol.TlsClient);
            context.SetGroups("P-384:X448");
            try
            {
                context.SetEcdhCurve(name);
                ours.Add(name + "|ok");
                Assert.Equal([KeyExchangeGroups.FindByName(name)!], context.Freeze(serverSide: false).Groups);
            }
            catch (ArgumentException e)
            {
                ours.Add(name + "|ValueError|" + e.Message.Split(" (Parameter")[0]);
            }
            catch (SslException e) when (NotImplemented.Contains(name))
            {
                // The one departure: Python accepts the group; a handshake that needs it then fails.
                Assert.StartsWith($"unsupported group '{name}'", e.Message, StringComparison.Ordinal);
                ours.Add(name + "|ok");
            }
            catch (SslException e)
            {
                ours.Add(name + "|SSLError|" + e.Message);
            }

            if (!ours[^1].EndsWith("|ok", StringComparison.Ordinal) || NotImplemented.Contains(name))
            {
                // A refused name leaves the groups set before.
                Assert.Equal(["secp384r1", "x448"], context.Freeze(serverSide: false).Groups.Select(g => g.Name));
            }
        }

        Assert.Equal(RecordedNames, string.Join("\n", ours));
        Assert.Throws<ArgumentNullException>(() => new SslContext(SslProtocol.TlsClient).SetEcdhCurve(null!));
        string pyNames = "NAMES = [" + string.Join(", ", names.Select(ContextConfigTests.Py)) + "]\n";
        if (Oracles.Python(pyNames + NamesScript) is { } live)
        {
            Assert.Equal(RecordedNames, live.Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd());
        }
    }

    [Fact]
    public void TheCurveIsTheOnlyGroupAConnectionUsesOnEitherSide()
    {
        var lines = new List<string>();
        foreach (string curve in new[] { "prime256v1", "secp384r1", "secp521r1", "X25519", "X448", "ffdhe2048", "ffdhe8192" })
        {
            string iana = KeyExchangeGroups.FindByName(curve)!.Name;
            foreach (string version in new[] { "1.2", "1.3" })
            {
                string other = curve != "secp384r1" ? "secp384r1" : "X25519";
                var cells = new List<string>();
                foreach ((string? c, string? s) in new[] { (curve, (string?)null), (null, curve), (curve, curve), (curve, other) })
                {
                    BioPair pair = BioPair.Connect(Client(c, version), Server(s));
                    cells.Add(pair.Outcome);
                    if (pair.Client.IsHandshakeComplete && pair.Server.IsHandshakeComplete)
                    {
                        Assert.Equal(iana, pair.Client.Group());
                        Assert.Equal(iana, pair.Server.Group());
                    }
                }

                lines.Add($"{curve} {version} {string.Join(" ", cells)}");
            }
        }

        Assert.Equal(RecordedPairs.Split('\n'), lines);
        if (Oracles.Python("d = " + ContextConfigTests.Py(_dir) + "\n" + PairsScript) is { } live)
        {
            Assert.Equal(RecordedPairs, live.Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd());
        }
    }

    [Fact]
    public void SetEcdhCurveAndSetGroupsShareOneList()
    {
        var context = new SslContext(SslProtocol.TlsServer);
        context.SetEcdhCurve("X448");
        Assert.Equal(["x448"], Groups(context));
        context.SetGroups("P-256:P-521");
        Assert.Equal(["secp256r1", "secp521r1"], Groups(context));
        context.SetEcdhCurve("secp521r1");
        Assert.Equal(["secp521r1"], Groups(context));
        Assert.Equal(
            ["ValueError", "SSLError"],
            new[] { "P-521", "RSA" }.Select(n => Xunit.Record.Exception(() => context.SetEcdhCurve(n)) is ArgumentException ? "ValueError" : "SSLError"));
        Assert.Equal(["secp521r1"], Groups(context));
    }

    private static string[] Groups(SslContext context) =>
        context.Freeze(serverSide: context.Protocol == SslProtocol.TlsServer).Groups.Select(g => g.Name).ToArray();

    private SslContext Client(string? curve, string version)
    {
        SslContext context = WrapKeys.ClientContext(_dir);
        if (version == "1.2")
        {
            context.MaximumVersion = TlsVersion.TlsV1_2;
        }

        if (curve is not null)
        {
            context.SetEcdhCurve(curve);
        }

        return context;
    }

    private SslContext Server(string? curve)
    {
        SslContext context = WrapKeys.ServerContext(_dir);
        if (curve is not null)
        {
            context.SetEcdhCurve(curve);
        }

        return context;
    }
}
