using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary><see cref="SslContext.RecordSizeLimit"/>, an extension beyond Python's ssl module (RFC 8449).</summary>
public sealed class RecordSizeLimitFacadeTests : IDisposable
{
    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DefaultIsOffAndTheRangeIsChecked()
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        Assert.Null(ctx.RecordSizeLimit);
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.RecordSizeLimit = 63);
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.RecordSizeLimit = 16386);
        ctx.RecordSizeLimit = 64;
        ctx.RecordSizeLimit = 16385;
        ctx.RecordSizeLimit = null;
        Assert.Null(ctx.RecordSizeLimit);
    }

    [Theory]
    [InlineData(512, 512, 512)]
    [InlineData(null, 512, 16385)]
    [InlineData(512, null, 16385)]
    public void RecordsStayWithinTheNegotiatedLimit(int? clientLimit, int? serverLimit, int expectedLimit)
    {
        var server = new SslContext(SslProtocol.TlsServer) { RecordSizeLimit = serverLimit };
        server.LoadCertChain(Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        var client = new SslContext(SslProtocol.TlsClient) { CheckHostname = false, VerifyMode = VerifyMode.CertNone, RecordSizeLimit = clientLimit };
        MemoryBio[] bios = [new(), new(), new(), new()];
        SslObject c = client.WrapBio(bios[0], bios[1]);
        SslObject s = server.WrapBio(bios[2], bios[3], serverSide: true);
        Assert.Equal((null, null), ServerNameCallbackFacadeTests.Handshake(c, s, bios));
        bios[1].Read();
        byte[] data = new byte[5000];
        c.Write(data);
        byte[] wire = bios[1].Read();
        var lengths = new List<int>();
        for (int i = 0; i + 5 <= wire.Length; i += 5 + lengths[^1])
        {
            lengths.Add((wire[i + 3] << 8) | wire[i + 4]);
        }

        // Each record: the inner plaintext (content and type byte) plus a 16-byte tag.
        Assert.All(lengths, n => Assert.True(n - 16 <= expectedLimit));
        Assert.Equal(expectedLimit == 512 ? 10 : 1, lengths.Count);
        bios[2].Write(wire);
        Assert.Equal(5000, s.Read(6000).Length);
    }
}
