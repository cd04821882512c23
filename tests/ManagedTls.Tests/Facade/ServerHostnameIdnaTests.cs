using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// <c>server_hostname</c> is IDNA-encoded as Python's <c>idna</c> codec does; expected values recorded from Python 3.11
/// (<c>ctx.wrap_bio(MemoryBIO(), MemoryBIO(), server_hostname=n).server_hostname</c>).
/// </summary>
public sealed class ServerHostnameIdnaTests : IDisposable
{
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SslContext Client() => new(SslProtocol.TlsClient);

    [Theory]
    [InlineData("localhost", "localhost")]
    [InlineData("example.com.", "example.com.")]
    [InlineData("ex ample", "ex ample")]
    [InlineData("EXAMPLE.com", "EXAMPLE.com")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("Ünï.EXAMPLE", "xn--n-nga1b.EXAMPLE")]
    [InlineData("ＡＢＣ.example", "abc.example")]
    [InlineData("faß.de", "fass.de")]
    [InlineData("Straße.example", "strasse.example")]
    [InlineData("a\u200db.example", "ab.example")]
    [InlineData("bücher\u3002example", "xn--bcher-kva.example")]
    [InlineData("::1", "::1")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    public void EncodesLikePython(string name, string expected)
    {
        using SslObject ssl = Client().WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: name);
        Assert.Equal(expected, ssl.ServerHostname);
    }

    [Fact]
    public void EmptyNameIsRefusedWithPythonsText()
    {
        var e = Assert.Throws<ArgumentException>(() => Client().WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: ""));
        Assert.StartsWith("server_hostname cannot be an empty string or start with a leading dot.", e.Message);
    }

    [Theory]
    [InlineData(".x")]
    [InlineData("a..b")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com")]
    [InlineData("b\u00fccherxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.example")]
    public void BadLabelsFailAsPythonsCodec(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => Client().WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: name));
        Assert.StartsWith("encoding with 'idna' codec failed (UnicodeError: label empty or too long)", e.Message);
    }

    [Fact]
    public void TheServerSeesTheEncodedName()
    {
        var server = new SslContext(SslProtocol.TlsServer);
        server.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        string? seen = "(not called)";
        server.SniCallback = (_, name, _) =>
        {
            seen = name;
            return null;
        };
        SslContext client = Client();
        client.CheckHostname = false;
        client.VerifyMode = VerifyMode.CertNone;
        MemoryBio cIn = new(), cOut = new(), sIn = new(), sOut = new();
        using SslObject c = client.WrapBio(cIn, cOut, serverHostname: "bücher.example");
        using SslObject s = server.WrapBio(sIn, sOut, serverSide: true);
        Assert.Throws<SslWantReadException>(c.DoHandshake);
        sIn.Write(cOut.Read());
        Assert.Throws<SslWantReadException>(s.DoHandshake);
        Assert.Equal("xn--bcher-kva.example", seen);
    }
}
