using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;

namespace ManagedTls.Interop;

/// <summary>
/// A server context with an RSA and an ECDSA chain (two <c>LoadCertChain</c> calls) against <c>openssl s_client</c>
/// offering one kind only (<c>-sigalgs</c> for TLS 1.3, <c>-cipher</c> for TLS 1.2): the chain served and the suite are
/// those <c>openssl s_server -cert rsa -dcert ec</c> gives the same client. Every wait is bounded.
/// </summary>
public sealed class CertificateChainsInteropTests : IDisposable
{
    private const int TimeoutMs = 15000;
    private readonly string _dir = Directory.CreateTempSubdirectory("mtls-chains-interop-").FullName;

    public CertificateChainsInteropTests()
    {
        OpenSslProcess.Run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=rsa.example",
            "-keyout", File("rsa.key"), "-out", File("rsa.pem")]);
        OpenSslProcess.Run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=ec.example", "-keyout", File("ec.key"), "-out", File("ec.pem")]);
    }

    public static TheoryData<string, string, string> Clients() => new()
    {
        { "-tls1_3 -sigalgs rsa_pss_rsae_sha256", "rsa.example", "TLSv1.3" },
        { "-tls1_3 -sigalgs ecdsa_secp256r1_sha256", "ec.example", "TLSv1.3" },
        { "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256", "rsa.example", "ECDHE-RSA-AES128-GCM-SHA256" },
        { "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256", "ec.example", "ECDHE-ECDSA-AES128-GCM-SHA256" },
    };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [MemberData(nameof(Clients))]
    public void OurServerServesTheChainOpenSslServes(string clientArgs, string subject, string cipherOrVersion)
    {
        string oracle = AgainstOpenSsl(clientArgs);
        string ours = AgainstFacade(clientArgs);
        Assert.Contains($"subject=CN = {subject}", oracle, StringComparison.Ordinal);
        Assert.Contains(cipherOrVersion, oracle, StringComparison.Ordinal);
        Assert.Equal(oracle, ours);
    }

    private string File(string name) => Path.Combine(_dir, name);

    private static string Summary(string sClientOutput) => string.Join("\n", sClientOutput.Split('\n')
        .Where(l => l.StartsWith("subject=", StringComparison.Ordinal) || l.Contains("Cipher is", StringComparison.Ordinal) || l.StartsWith("Peer signature type", StringComparison.Ordinal))
        .Select(l => l.Trim()));

    private static string SClient(int port, string clientArgs) =>
        Summary(Encoding.UTF8.GetString(OpenSslProcess.Run(["s_client", "-connect", $"127.0.0.1:{port}", .. clientArgs.Split(' ')], [], TimeoutMs)));

    private string AgainstOpenSsl(string clientArgs)
    {
        int port = OpenSslProcess.FreePort();
        using Process server = OpenSslProcess.Start("openssl", [
            "s_server", "-accept", $"127.0.0.1:{port}", "-cert", File("rsa.pem"), "-key", File("rsa.key"),
            "-dcert", File("ec.pem"), "-dkey", File("ec.key"), "-naccept", "2",
        ]);
        try
        {
            OpenSslProcess.ConnectWithRetry(port, TimeoutMs).Dispose();
            return SClient(port, clientArgs);
        }
        finally
        {
            OpenSslProcess.Kill(server, TimeoutMs);
        }
    }

    private string AgainstFacade(string clientArgs)
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(File("rsa.pem"), File("rsa.key"));
        ctx.LoadCertChain(File("ec.pem"), File("ec.key"));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Exception? failure = null;
        var serve = new Thread(() =>
        {
            try
            {
                using Socket accepted = listener.AcceptSocket();
                accepted.ReceiveTimeout = TimeoutMs;
                accepted.SendTimeout = TimeoutMs;
                using SslSocket ssl = ctx.WrapSocket(accepted, serverSide: true);
                ssl.Read(1);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true };
        serve.Start();
        string summary = SClient(port, clientArgs);
        Assert.True(serve.Join(TimeoutMs), "the server did not finish");
        Assert.Null(failure);
        return summary;
    }
}
