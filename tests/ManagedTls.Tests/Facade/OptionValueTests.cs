using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>The facade's enum values equal Python's ssl constants (OpenSSL 3 bit values).</summary>
public class OptionValueTests
{
    // Recorded from python3 -c "import ssl; print(hex(ssl.OP_...))" with OpenSSL 3.0 on the reference machine.
    [Theory]
    [InlineData(SslOptions.All, 0x80000050L)]
    [InlineData(SslOptions.CipherServerPreference, 0x400000L)]
    [InlineData(SslOptions.EnableMiddleboxCompat, 0x100000L)]
    [InlineData(SslOptions.IgnoreUnexpectedEof, 0x80L)]
    [InlineData(SslOptions.NoCompression, 0x20000L)]
    [InlineData(SslOptions.NoRenegotiation, 0x40000000L)]
    [InlineData(SslOptions.NoSslV3, 0x2000000L)]
    [InlineData(SslOptions.NoTicket, 0x4000L)]
    [InlineData(SslOptions.NoTlsV1, 0x4000000L)]
    [InlineData(SslOptions.NoTlsV1_1, 0x10000000L)]
    [InlineData(SslOptions.NoTlsV1_2, 0x8000000L)]
    [InlineData(SslOptions.NoTlsV1_3, 0x20000000L)]
    [InlineData(SslOptions.Default, 0x82520050L)]
    public void OptionBitsMatchPython(SslOptions option, long python) => Assert.Equal(python, (long)option);

    // Python 3.12 names it; the value is SSL_OP_BIT(2) of OpenSSL 3's ssl.h. Python's default context leaves it clear.
    [Fact]
    public void LegacyServerConnectIsOpenSslsBitAndOffByDefault()
    {
        Assert.Equal(0x4L, (long)SslOptions.LegacyServerConnect);
        Assert.Equal(SslOptions.None, SslOptions.Default & SslOptions.LegacyServerConnect);
    }

    [Fact]
    public void VersionAndVerifyModeValuesMatchPython()
    {
        Assert.Equal(-2, (int)TlsVersion.MinimumSupported);
        Assert.Equal(-1, (int)TlsVersion.MaximumSupported);
        Assert.Equal(771, (int)TlsVersion.TlsV1_2);
        Assert.Equal(772, (int)TlsVersion.TlsV1_3);
        Assert.Equal(0, (int)VerifyMode.CertNone);
        Assert.Equal(1, (int)VerifyMode.CertOptional);
        Assert.Equal(2, (int)VerifyMode.CertRequired);
    }

    [Fact]
    public void LivePythonAgreesWhenPresent()
    {
        string? output = PythonOracle.Run("import ssl; print(int(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).options), int(ssl.OP_NO_TLSv1_3), int(ssl.OP_NO_TICKET))");
        Assert.NotNull(output);
        string[] parts = output!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal((long)SslOptions.Default, long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((long)SslOptions.NoTlsV1_3, long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((long)SslOptions.NoTicket, long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
    }
}
