using System.Text;
using ManagedTls.Crypto;
using ManagedTls.Ssl;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Tests.Facade;

/// <summary>load_dh_params against Python: the same files, the same outcomes; and what a server context freezes.</summary>
public sealed class LoadDhParamsTests : IDisposable
{
    // Each case: the file, the security level set first (null: Python's default, 2), and what Python 3 with OpenSSL 3.0
    // answered (python3: try: c.load_dh_params(f); print('ok') except Exception as e: print(type(e).__name__, ...)).
    private static readonly (string File, int? Level, string Recorded)[] Cases =
    {
        ("ffdhe2048.pem", null, "ok"),
        ("x942-2048.pem", null, "ok"),
        ("after-cert.pem", null, "ok"),
        ("modp1024.pem", null, "SSLError SSL DH_KEY_TOO_SMALL dh key too small"),
        ("modp1024.pem", 1, "ok"),
        ("x942-1024.pem", null, "SSLError SSL DH_KEY_TOO_SMALL dh key too small"),
        ("junk.pem", null, "SSLError PEM NO_START_LINE no start line"),
        ("empty.pem", null, "SSLError PEM NO_START_LINE no start line"),
        ("cert.pem", null, "SSLError PEM NO_START_LINE no start line"),
        ("bad-asn1.pem", null, "SSLError PEM None ASN1 lib"),
        ("missing.pem", null, "FileNotFoundError"),
        (".", null, "IsADirectoryError"),
    };

    private readonly string _dir = FacadeKeys.WriteFiles();

    public LoadDhParamsTests()
    {
        DHParameters ffdhe2048 = DHStandardGroups.rfc7919_ffdhe2048;
        DHParameters modp1024 = DHStandardGroups.rfc2409_1024;
        // X9.42 parameters over the RFC 3526 and RFC 2409 safe primes, q = (p - 1) / 2.
        DHParameters x942 = DHStandardGroups.rfc3526_2048;
        DHParameters x942Small = modp1024;
        Write("ffdhe2048.pem", "DH PARAMETERS", new DerSequence(new DerInteger(ffdhe2048.P), new DerInteger(ffdhe2048.G)));
        Write("modp1024.pem", "DH PARAMETERS", new DerSequence(new DerInteger(modp1024.P), new DerInteger(modp1024.G)));
        Write("x942-2048.pem", "X9.42 DH PARAMETERS", new DerSequence(new DerInteger(x942.P), new DerInteger(x942.G), new DerInteger(Half(x942))));
        Write("x942-1024.pem", "X9.42 DH PARAMETERS", new DerSequence(new DerInteger(x942Small.P), new DerInteger(x942Small.G), new DerInteger(Half(x942Small))));
        File.WriteAllText(Path.Combine(_dir, "after-cert.pem"), FacadeKeys.Certificate + "\n" + File.ReadAllText(Path.Combine(_dir, "ffdhe2048.pem")));
        File.WriteAllText(Path.Combine(_dir, "junk.pem"), "not a PEM file\n");
        File.WriteAllText(Path.Combine(_dir, "empty.pem"), string.Empty);
        File.WriteAllText(Path.Combine(_dir, "bad-asn1.pem"), "-----BEGIN DH PARAMETERS-----\nAAAA\n-----END DH PARAMETERS-----\n");
    }

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void OutcomesMatchRecordedAndLivePython()
    {
        Assert.Equal(Cases.Select(c => c.Recorded).ToArray(), Cases.Select(c => Ours(c.File, c.Level)).ToArray());

        string script = "import ssl, os\nos.chdir(" + ContextConfigTests.Py(_dir) + ")\n" +
            "def t(f, level):\n" +
            "    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n" +
            "    if level is not None: c.set_ciphers('DEFAULT:@SECLEVEL=%d' % level)\n" +
            "    try: c.load_dh_params(f); print('ok')\n" +
            "    except ssl.SSLError as e: print('SSLError', e.library, e.reason, e.args[1].split('] ')[1].split(' (_ssl')[0])\n" +
            "    except (FileNotFoundError, IsADirectoryError) as e: print(type(e).__name__)\n" +
            "    except Exception as e: print(type(e).__name__, e)\n" +
            string.Concat(Cases.Select(c => $"t({ContextConfigTests.Py(c.File)}, {(c.Level is { } l ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : "None")})\n"));
        string live = PythonOracle.Run(script)!.Replace("\r", string.Empty, StringComparison.Ordinal);
        Assert.Equal(string.Join("\n", Cases.Select(c => c.Recorded)), live);
    }

    [Fact]
    public void AServerContextFreezesTheGroupAndAClientContextIgnoresIt()
    {
        var server = new SslContext(SslProtocol.TlsServer);
        Assert.Null(server.Freeze(true).DhParameters);
        server.LoadDhParams(Path.Combine(_dir, "ffdhe2048.pem"));
        Assert.Same(KeyExchanges.Ffdhe2048, server.Freeze(true).DhParameters);

        var client = new SslContext(SslProtocol.TlsClient);
        client.LoadDhParams(Path.Combine(_dir, "x942-2048.pem"));
        Assert.Null(client.Freeze(false).DhParameters);
    }

    [Fact]
    public void X942ParametersKeepTheirGroupAndItsSubgroupStrength()
    {
        var server = new SslContext(SslProtocol.TlsServer);
        server.LoadDhParams(Path.Combine(_dir, "x942-2048.pem"));
        FiniteFieldKeyExchange group = server.Freeze(true).DhParameters!;
        Assert.Equal(2048, group.PrimeBits);
        Assert.Equal(DHStandardGroups.rfc3526_2048.P.ToByteArrayUnsigned(), group.Prime);
    }

    [Fact]
    public void AFailedLoadKeepsThePreviousGroup()
    {
        var server = new SslContext(SslProtocol.TlsServer);
        server.LoadDhParams(Path.Combine(_dir, "ffdhe2048.pem"));
        Assert.Throws<SslException>(() => server.LoadDhParams(Path.Combine(_dir, "modp1024.pem")));
        Assert.Same(KeyExchanges.Ffdhe2048, server.Freeze(true).DhParameters);
    }

    [Theory]
    [InlineData("even", "[DH: CHECK_P_NOT_PRIME] p not prime")]
    [InlineData("generator", "[DH: BAD_GENERATOR] bad generator")]
    public void ValuesThatMakeNoGroupAreRefusedAtOnce(string what, string message)
    {
        // OpenSSL takes these and fails at the first handshake; refusing them when loaded says which file is wrong.
        DHParameters ffdhe = DHStandardGroups.rfc7919_ffdhe2048;
        DerSequence sequence = what == "even"
            ? new DerSequence(new DerInteger(ffdhe.P.Add(Org.BouncyCastle.Math.BigInteger.One)), new DerInteger(ffdhe.G))
            : new DerSequence(new DerInteger(ffdhe.P), new DerInteger(ffdhe.P.Subtract(Org.BouncyCastle.Math.BigInteger.One)));
        Write("odd.pem", "DH PARAMETERS", sequence);
        var server = new SslContext(SslProtocol.TlsServer);
        SslException e = Assert.Throws<SslException>(() => server.LoadDhParams(Path.Combine(_dir, "odd.pem")));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData(1024, -1, 80)]
    [InlineData(2048, -1, 112)]
    [InlineData(3072, -1, 128)]
    [InlineData(2048, 224, 112)]
    [InlineData(2048, 160, 80)]
    [InlineData(1024, 150, 0)]
    [InlineData(8192, 256, 128)]
    [InlineData(512, -1, 0)]
    public void SecurityBitsFollowOpenSsl(int primeBits, int subgroupBits, int expected) =>
        Assert.Equal(expected, FiniteFieldKeyExchange.OpenSslSecurityBits(primeBits, subgroupBits));

    [Fact]
    public void ANullPathIsRefused() =>
        Assert.Throws<ArgumentNullException>(() => new SslContext(SslProtocol.TlsServer).LoadDhParams(null!));

    private string Ours(string file, int? level)
    {
        var c = new SslContext(SslProtocol.TlsServer);
        if (level is { } l)
        {
            c.SetCiphers($"DEFAULT:@SECLEVEL={l}");
        }

        try
        {
            c.LoadDhParams(Path.Combine(_dir, file));
            return "ok";
        }
        catch (SslException e)
        {
            return $"SSLError {e.Library ?? "None"} {e.Reason ?? "None"} {e.Message[(e.Message.IndexOf("] ", StringComparison.Ordinal) + 2)..]}";
        }
        catch (FileNotFoundException)
        {
            return "FileNotFoundError";
        }
        catch (IOException)
        {
            return "IsADirectoryError";
        }
    }

    private static Org.BouncyCastle.Math.BigInteger Half(DHParameters group) => group.P.ShiftRight(1);

    private void Write(string name, string label, Asn1Encodable value)
    {
        string base64 = Convert.ToBase64String(value.GetDerEncoded(), Base64FormattingOptions.InsertLineBreaks).Replace("\r", "", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, name), new StringBuilder().Append("-----BEGIN ").Append(label).Append("-----\n").Append(base64).Append("\n-----END ").Append(label).Append("-----\n").ToString());
    }
}
