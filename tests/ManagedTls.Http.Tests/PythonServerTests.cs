using System.Diagnostics;
using System.Net;
using System.Text;

namespace ManagedTls.Http.Tests;

/// <summary>HttpClient over ManagedTls against Python's <c>http.server</c> over <c>ssl</c> (HTTP/1.1 keep-alive, ALPN http/1.1).</summary>
public sealed class PythonServerTests
{
    [Fact]
    public async Task A_second_pooled_connection_resumes_the_session_of_the_first()
    {
        int port = OpenSslWwwServer.FreePort();
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "python_https_server.py"), TestPkis.Localhost.CertificateFile, TestPkis.Localhost.KeyFile, port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        using Process server = Process.Start(psi)!;
        try
        {
            string? ready = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("READY", ready);

            ManagedTlsHttpHandler handler = ManagedTlsHttp.CreateHandler(TestPkis.ClientContext());
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20), DefaultRequestVersion = HttpVersion.Version20 };
            var uri = new Uri($"https://localhost:{port}/");

            using (HttpResponseMessage first = await client.GetAsync(uri))
            {
                Assert.Equal(HttpVersion.Version11, first.Version);
                Assert.Equal("python version=TLSv1.3 reused=False alpn=http/1.1", await first.Content.ReadAsStringAsync());
            }

            // Two at once: one takes the idle pooled connection, the other opens a second one that resumes.
            string[] bodies = await Task.WhenAll(client.GetStringAsync(new Uri(uri, "/slow")), client.GetStringAsync(new Uri(uri, "/slow")));

            Array.Sort(bodies, StringComparer.Ordinal);
            Assert.Equal(["python version=TLSv1.3 reused=False alpn=http/1.1", "python version=TLSv1.3 reused=True alpn=http/1.1"], bodies);
            Assert.Equal(2, handler.Connector.HandshakeCount);
            Assert.Equal(1, handler.Connector.ResumedCount);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit(5000);
        }
    }
}
