using ManagedTls.Ssl;
using ManagedTls.Tests.Facade;

namespace ManagedTls.Tests.SslFacade;

/// <summary>How Python's exception names map onto the facade's exception types (docs/python-mapping.md, Exceptions).</summary>
public sealed class PythonExceptionNamesTests
{
    [Fact]
    public void CertificateErrorIsTheVerificationErrorItself()
    {
        // Python: ssl.CertificateError is ssl.SSLCertVerificationError (one class, two names).
        string? live = Oracles.Python("import ssl; print(ssl.CertificateError is ssl.SSLCertVerificationError)");
        if (live is not null)
        {
            Assert.Equal("True", live.Trim());
        }

        // .NET has no type aliases across assemblies: CertificateError is the abstract base of
        // SslCertVerificationException and of no other type, and nothing outside the library can derive from it, so
        // both names catch exactly the same errors, as Python's do.
        Type[] types = typeof(SslException).Assembly.GetTypes();
        Assert.True(typeof(CertificateError).IsAbstract);
        Assert.Equal(typeof(SslException), typeof(CertificateError).BaseType);
        Assert.Equal(typeof(CertificateError), typeof(SslCertVerificationException).BaseType);
        Assert.Equal([typeof(SslCertVerificationException)], types.Where(t => t.BaseType == typeof(CertificateError)).ToArray());
        var constructors = typeof(CertificateError).GetConstructors(
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        Assert.NotEmpty(constructors);
        Assert.All(constructors, c => Assert.True(c.IsFamilyAndAssembly, $"{c} must be private protected"));
        Assert.DoesNotContain(types, t => t.IsPublic && t.Name is "CertificateException" or "SslCertificateException");

        // What the facade throws is caught under Python's older name.
        var cert = new Dictionary<string, object>
        {
            ["subjectAltName"] = new[] { new KeyValuePair<string, object>("DNS", "a.example") },
        };
        var caught = Assert.ThrowsAny<CertificateError>(() => ManagedTls.Ssl.Ssl.MatchHostname(cert, "b.example"));
        Assert.IsType<SslCertVerificationException>(caught);
    }

    private const string ErrnoScript = """
import ssl
d = input().strip()
def show(name, f):
    try:
        f()
        print(name, "none")
    except ssl.SSLError as e:
        print(name, type(e).__name__, e.errno, getattr(e, "library", None), getattr(e, "reason", None))
def ctxs(trust=True):
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); s.load_cert_chain(f"{d}/cert.pem", f"{d}/key.pem")
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if trust:
        c.load_verify_locations(f"{d}/cert.pem")
    return s, c
def pair(trust=True):
    s, c = ctxs(trust)
    b = [ssl.MemoryBIO() for _ in range(4)]
    return c.wrap_bio(b[0], b[1], server_hostname="localhost"), s.wrap_bio(b[2], b[3], server_side=True), b
def step(o):
    try:
        o.do_handshake()
    except ssl.SSLError:
        pass
cl, sv, b = pair()
show("want-read", cl.do_handshake)
cl, sv, b = pair(); b[0].write_eof()
show("eof", cl.do_handshake)
cl, sv, b = pair()
show("shutdown-in-init", cl.unwrap)
cl, sv, b = pair()
for _ in range(4):
    step(cl); b[2].write(b[1].read()); step(sv); b[0].write(b[3].read())
try:
    sv.unwrap()
except ssl.SSLWantReadError:
    pass
b[0].write(b[3].read()); cl.read(10); cl.unwrap()
show("protocol-shutdown", lambda: cl.write(b"x"))
cl, sv, b = pair(trust=False)
step(cl); b[2].write(b[1].read()); step(sv); b[0].write(b[3].read())
show("verify", cl.do_handshake)
b[2].write(b[1].read())
show("alert", sv.do_handshake)
show("set-ciphers", lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers("nonsense"))
print("numbers", " ".join(f"{m.name}={m.value}" for m in ssl.SSLErrorNumber))
""";

    [Fact]
    public void ErrnoIsPythons()
    {
        string dir = WrapKeys.WriteFiles();
        try
        {
            string[] python = Oracles.PythonOrRecorded("ssl-errno", ErrnoScript, dir + "\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            string[] ours = Ours(dir);
            Assert.Equal(python.Length - 1, ours.Length);
            for (int i = 0; i < ours.Length; i++)
            {
                Assert.Equal(python[i].Trim(), ours[i]);
            }

            // The values every error type reports, against Python's SSLErrorNumber.
            string numbers = string.Join(' ', Enum.GetValues<SslErrorNumber>().Select(n => PythonName(n) + "=" + (int)n));
            Assert.Equal(python[^1].Trim(), "numbers " + numbers);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void EachErrorTypeCarriesItsNumber()
    {
        Assert.Equal(SslErrorNumber.WantRead, new SslWantReadException().Errno);
        Assert.Equal(SslErrorNumber.WantWrite, new SslWantWriteException().Errno);
        Assert.Equal(SslErrorNumber.Syscall, new SslSyscallException().Errno);
        Assert.Equal(SslErrorNumber.Syscall, new SslSyscallException("Some I/O error occurred", new IOException()).Errno);
        Assert.Equal(SslErrorNumber.ZeroReturn, new SslZeroReturnException().Errno);
        Assert.Equal(SslErrorNumber.Eof, new SslEofException().Errno);
        Assert.Equal(SslErrorNumber.Ssl, new SslCertVerificationException(ManagedTls.X509.VerifyError.CertHasExpired).Errno);
        Assert.Equal(SslErrorNumber.Ssl, SslErrors.FromAlert(new TlsAlertException(AlertDescription.DecodeError, "bad")).Errno);
        Assert.Null(new SslException("No cipher can be selected.").Errno);
        Assert.Null(new SslException("X509", "KEY_VALUES_MISMATCH", "key values mismatch").Errno);
        var e = new SslException(SslErrorNumber.Ssl, "SSL", "NO_SHARED_CIPHER", "no shared cipher");
        Assert.Equal(("SSL", "NO_SHARED_CIPHER", "[SSL: NO_SHARED_CIPHER] no shared cipher"), (e.Library, e.Reason, e.Message));
    }

    private static string PythonName(SslErrorNumber n) => n switch
    {
        SslErrorNumber.Ssl => "SSL_ERROR_SSL",
        SslErrorNumber.WantRead => "SSL_ERROR_WANT_READ",
        SslErrorNumber.WantWrite => "SSL_ERROR_WANT_WRITE",
        SslErrorNumber.WantX509Lookup => "SSL_ERROR_WANT_X509_LOOKUP",
        SslErrorNumber.Syscall => "SSL_ERROR_SYSCALL",
        SslErrorNumber.ZeroReturn => "SSL_ERROR_ZERO_RETURN",
        SslErrorNumber.WantConnect => "SSL_ERROR_WANT_CONNECT",
        SslErrorNumber.Eof => "SSL_ERROR_EOF",
        SslErrorNumber.InvalidErrorCode => "SSL_ERROR_INVALID_ERROR_CODE",
        _ => n.ToString(),
    };

    private static string[] Ours(string dir)
    {
        var lines = new List<string>();
        void Show(string name, Action f)
        {
            try
            {
                f();
                lines.Add(name + " none");
            }
            catch (SslException e)
            {
                lines.Add($"{name} {PythonType(e)} {(e.Errno is { } n ? ((int)n).ToString(System.Globalization.CultureInfo.InvariantCulture) : "None")} {e.Library ?? "None"} {e.Reason ?? "None"}");
            }
        }

        (SslObject Client, SslObject Server, MemoryBio[] Bios) Pair(bool trust = true)
        {
            var client = trust ? WrapKeys.ClientContext(dir) : new SslContext(SslProtocol.TlsClient);
            var b = new[] { new MemoryBio(), new MemoryBio(), new MemoryBio(), new MemoryBio() };
            return (client.WrapBio(b[0], b[1], serverHostname: "localhost"), WrapKeys.ServerContext(dir).WrapBio(b[2], b[3], serverSide: true), b);
        }

        static void Step(SslObject o)
        {
            try
            {
                o.DoHandshake();
            }
            catch (SslException)
            {
            }
        }

        var p = Pair();
        Show("want-read", p.Client.DoHandshake);
        p = Pair();
        p.Bios[0].WriteEof();
        Show("eof", p.Client.DoHandshake);
        p = Pair();
        Show("shutdown-in-init", p.Client.Unwrap);
        p = Pair();
        for (int i = 0; i < 4; i++)
        {
            Step(p.Client);
            p.Bios[2].Write(p.Bios[1].Read());
            Step(p.Server);
            p.Bios[0].Write(p.Bios[3].Read());
        }

        Assert.Throws<SslWantReadException>(p.Server.Unwrap);
        p.Bios[0].Write(p.Bios[3].Read());
        Assert.Empty(p.Client.Read(10));
        p.Client.Unwrap();
        Show("protocol-shutdown", () => p.Client.Write("x"u8.ToArray()));
        p = Pair(trust: false);
        Step(p.Client);
        p.Bios[2].Write(p.Bios[1].Read());
        Step(p.Server);
        p.Bios[0].Write(p.Bios[3].Read());
        Show("verify", p.Client.DoHandshake);
        p.Bios[2].Write(p.Bios[1].Read());
        Show("alert", p.Server.DoHandshake);
        Show("set-ciphers", () => new SslContext(SslProtocol.TlsClient).SetCiphers("nonsense"));
        return lines.ToArray();
    }

    private static string PythonType(SslException e) => e switch
    {
        SslWantReadException => "SSLWantReadError",
        SslWantWriteException => "SSLWantWriteError",
        SslEofException => "SSLEOFError",
        SslZeroReturnException => "SSLZeroReturnError",
        SslSyscallException => "SSLSyscallError",
        SslCertVerificationException => "SSLCertVerificationError",
        _ => "SSLError",
    };
}
