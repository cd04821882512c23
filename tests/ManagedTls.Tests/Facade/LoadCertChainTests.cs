using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>load_cert_chain against Python: the same files, the same outcomes.</summary>
public sealed class LoadCertChainTests : IDisposable
{
    // Each case: certfile, keyfile, password expression (Python) and what Python 3.11 + OpenSSL 3.0 answered.
    // python3: try: c.load_cert_chain(...); print('ok') except Exception as e: print(type(e).__name__, e.library / e.reason or e)
    private static readonly (string Cert, string? Key, string? PyPassword, string Recorded)[] Cases =
    {
        ("cert.pem", "key.pem", null, "ok"),
        ("combined.pem", null, null, "ok"),
        ("cert.pem", null, null, "SSLError SSL None PEM lib"),
        ("cert.pem", "other.pem", null, "SSLError X509 KEY_VALUES_MISMATCH key values mismatch"),
        ("missing.pem", null, null, "FileNotFoundError"),
        ("cert.pem", "missing.pem", null, "FileNotFoundError"),
        ("key.pem", "key.pem", null, "SSLError SSL None PEM lib"),
        ("cert.pem", "enc.pem", "'secret'", "ok"),
        ("cert.pem", "enc.pem", "b'secret'", "ok"),
        ("cert.pem", "enc.pem", "lambda: 'secret'", "ok"),
        ("cert.pem", "enc.pem", "lambda: b'secret'", "ok"),
        ("cert.pem", "enc.pem", "'wrong'", "SSLError SSL None PEM lib"),
        ("cert.pem", "enc.pem", "lambda: 5", "TypeError password callback must return a string"),
        ("cert.pem", "enc.pem", "'x' * 1025", "ValueError password cannot be longer than 1024 bytes"),
        ("cert.pem", "enc.pem", "5", "TypeError password should be a string or callable"),
        ("cert.pem", "key.pem", "'unused'", "ok"),
        (".", null, null, "IsADirectoryError"),
        ("cert.pem", "key.der", null, "SSLError SSL None PEM lib"),
        ("cert.pem", "cert.pem", "'secret'", "SSLError SSL None PEM lib"),
    };

    private readonly string _dir = FacadeKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void OutcomesMatchRecordedAndLivePython()
    {
        var ours = Cases.Select(c => Ours(c.Cert, c.Key, c.PyPassword)).ToArray();
        Assert.Equal(Cases.Select(c => c.Recorded).ToArray(), ours);

        string script = "import ssl, os\nos.chdir(" + ContextConfigTests.Py(_dir) + ")\n" +
            "def t(cert, key, pw):\n" +
            "    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n" +
            "    try: c.load_cert_chain(cert, key, pw); print('ok')\n" +
            "    except ssl.SSLError as e: print('SSLError', e.library, e.reason, e.args[1].split('] ')[1].split(' (_ssl')[0])\n" +
            "    except (FileNotFoundError, IsADirectoryError) as e: print(type(e).__name__)\n" +
            "    except Exception as e: print(type(e).__name__, e)\n" +
            string.Concat(Cases.Select(c => $"t({ContextConfigTests.Py(c.Cert)}, {(c.Key is null ? "None" : ContextConfigTests.Py(c.Key))}, {c.PyPassword ?? "None"})\n"));
        string live = PythonOracle.Run(script)!.Replace("\r", string.Empty, StringComparison.Ordinal);
        Assert.Equal(string.Join("\n", Cases.Select(c => c.Recorded)), live);
    }

    [Fact]
    public void LoadedChainIsKeptAndFrozen()
    {
        var c = new SslContext(SslProtocol.TlsServer);
        Assert.Empty(c.CertificateChain);
        c.LoadCertChain(Path.Combine(_dir, "combined.pem"));
        Assert.Single(c.CertificateChain);
        Assert.Equal(Ssl.Ssl.PemCertToDerCert(FacadeKeys.Certificate), c.CertificateChain[0]);
        var config = c.Freeze(true);
        Assert.NotNull(config.PrivateKey);
        Assert.Equal(c.CertificateChain[0], config.CertificateChain[0]);
    }

    [Fact]
    public void IntermediatesFollowTheLeafInFileOrder()
    {
        string ca = File.ReadAllText(ManagedTls.Tests.SslFacade.Oracles.Cert("pem/ca.pem"));
        string inter = File.ReadAllText(ManagedTls.Tests.SslFacade.Oracles.Cert("pem/intermediate.pem"));
        string chainFile = Path.Combine(_dir, "chain.pem");
        File.WriteAllText(chainFile, FacadeKeys.Certificate + "\n" + inter + "some text between blocks\n" + ca + FacadeKeys.Key + "\n");
        var c = new SslContext(SslProtocol.TlsServer);
        c.LoadCertChain(chainFile);
        Assert.Equal(
            new[] { Ssl.Ssl.PemCertToDerCert(FacadeKeys.Certificate), Ssl.Ssl.PemCertToDerCert(inter), Ssl.Ssl.PemCertToDerCert(ca) },
            c.CertificateChain);
        Assert.Equal("ok", PythonOracle.Run($"import ssl\nssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain({ContextConfigTests.Py(chainFile)}); print('ok')"));
    }

    [Fact]
    public void PasswordCallbackIsNotCalledForAPlainKey()
    {
        var c = new SslContext(SslProtocol.TlsServer);
        int calls = 0;
        c.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"), new Func<string>(() => { calls++; return "x"; }));
        Assert.Equal(0, calls);
        c.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "enc.pem"), new Func<string>(() => { calls++; return "secret"; }));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void FailedLoadKeepsThePreviousChain()
    {
        var c = new SslContext(SslProtocol.TlsServer);
        c.LoadCertChain(Path.Combine(_dir, "combined.pem"));
        Assert.Throws<SslException>(() => c.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "other.pem")));
        Assert.Single(c.CertificateChain);
        Assert.NotNull(c.Freeze(true).PrivateKey);
    }

    private string Ours(string cert, string? key, string? pyPassword)
    {
        object? password = pyPassword switch
        {
            null => null,
            "'secret'" => "secret",
            "b'secret'" => "secret"u8.ToArray(),
            "lambda: 'secret'" => new Func<string>(() => "secret"),
            "lambda: b'secret'" => new Func<byte[]>(() => "secret"u8.ToArray()),
            "'wrong'" => "wrong",
            "lambda: 5" => new Func<object>(() => 5),
            "'x' * 1025" => new string('x', 1025),
            "5" => 5,
            "'unused'" => "unused",
            _ => throw new InvalidOperationException(pyPassword),
        };
        var c = new SslContext(SslProtocol.TlsServer);
        try
        {
            c.LoadCertChain(Path.Combine(_dir, cert), key is null ? null : Path.Combine(_dir, key), password);
            return "ok";
        }
        catch (SslException e)
        {
            string text = e.Message.Substring(e.Message.IndexOf("] ", StringComparison.Ordinal) + 2);
            return $"SSLError {e.Library} {e.Reason ?? "None"} {text}";
        }
        catch (FileNotFoundException)
        {
            return "FileNotFoundError";
        }
        catch (IOException)
        {
            return "IsADirectoryError";
        }
        catch (ArgumentException e)
        {
            return (e.Message.StartsWith("password cannot", StringComparison.Ordinal) ? "ValueError " : "TypeError ") + e.Message;
        }
    }
}
