using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// tls-exporter (RFC 9266) against OpenSSL: <c>openssl s_client -keymatexport EXPORTER-Channel-Binding -keymatexportlen 32</c>
/// prints the same 32 bytes our TLS 1.3 server reports from <see cref="SslSocket.GetChannelBinding"/>. Every wait is bounded.
/// </summary>
public sealed partial class ChannelBindingInteropTests : IDisposable
{
    private const int TimeoutMs = 15000;
    private readonly string _dir = Directory.CreateTempSubdirectory("mtls-cb-interop-").FullName;
    private readonly string _cert;
    private readonly string _key;

    public ChannelBindingInteropTests()
    {
        _cert = Path.Combine(_dir, "cert.pem");
        _key = Path.Combine(_dir, "key.pem");
        OpenSslProcess.Run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-keyout", _key, "-out", _cert,
        ]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TlsExporterEqualsWhatOpenSslExportsWithTheRfc9266Label()
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(_cert, _key);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<byte[]?> serve = Task.Run(() =>
        {
            using Socket accepted = listener.AcceptSocket();
            accepted.ReceiveTimeout = TimeoutMs;
            accepted.SendTimeout = TimeoutMs;
            using SslSocket ssl = ctx.WrapSocket(accepted, serverSide: true);
            return ssl.GetChannelBinding("tls-exporter");
        });

        string output = Encoding.UTF8.GetString(OpenSslProcess.Run(
            ["s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-keymatexport", "EXPORTER-Channel-Binding", "-keymatexportlen", "32"],
            stdin: [],
            timeoutMs: TimeoutMs));
        Task finished = await Task.WhenAny(serve, Task.Delay(TimeoutMs));
        Assert.Same(serve, finished);
        byte[] ours = (await serve)!;

        Match m = KeyingMaterial().Match(output);
        Assert.True(m.Success, output);
        Assert.Equal(Convert.ToHexString(ours), m.Groups[1].Value, ignoreCase: true);
    }

    [GeneratedRegex(@"Keying material: ([0-9A-Fa-f]{64})")]
    private static partial Regex KeyingMaterial();
}
