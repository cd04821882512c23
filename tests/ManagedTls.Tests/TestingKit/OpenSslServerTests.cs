using System.Diagnostics;
using System.Globalization;
using ManagedTls.Testing;
using ManagedTls.Wire;

namespace ManagedTls.Tests.TestingKit;

/// <summary>The kit's TCP target against <c>openssl s_server</c> (one connection per server, killed afterwards).</summary>
public class OpenSslServerTests
{
    [Fact]
    public void HandshakeAndEchoAgainstOpenSsl()
    {
        using var server = OpenSslServer.Start("-rev");
        using var target = new TcpTarget("127.0.0.1", server.Port);
        ScriptResult result = TlsScript.AsClient(EngineTargets.Options(seed: 30))
            .Handshake()
            .SendApplicationData("hello\n"u8.ToArray())
            .ExpectApplicationData("olleh\n"u8.ToArray())
            .SendCloseNotify()
            .Run(target);

        Assert.True(result.HandshakeComplete);
        Assert.Equal(EngineTargets.Pki.Leaf.CertificateDer, result.Messages.Single(m => m.Type == HandshakeType.Certificate).Certificates[0]);
        Assert.NotEmpty(result.Tickets);
    }

    [Fact]
    public void OpenSslRefusesCompressionWithIllegalParameter()
    {
        using var server = OpenSslServer.Start();
        using var target = new TcpTarget("127.0.0.1", server.Port);
        TlsScript.AsClient(EngineTargets.Options(seed: 31))
            .Send(TlsMessages.ClientHello().SetBytes("legacy_compression_methods", [1, 0]))
            .ExpectAlert(AlertDescription.IllegalParameter, AlertLevel.Fatal)
            .ExpectClose()
            .Run(target);
    }

    /// <summary><c>openssl s_server</c> on an ephemeral loopback port for one connection, with the kit's certificate.</summary>
    private sealed class OpenSslServer : IDisposable
    {
        private readonly Process _process;
        private readonly string _dir;

        private OpenSslServer(Process process, string dir, int port)
        {
            _process = process;
            _dir = dir;
            Port = port;
        }

        public int Port { get; }

        public static OpenSslServer Start(params string[] extra)
        {
            string dir = Path.Combine(Path.GetTempPath(), "mtls-kit-openssl-" + Guid.NewGuid().ToString("N"));
            PemFiles files = EngineTargets.Pki.WritePemFiles(dir);
            var psi = new ProcessStartInfo("openssl")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { "s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-cert", files.CertificateFile, "-key", files.KeyFile, "-tls1_3" }.Concat(extra))
            {
                psi.ArgumentList.Add(a);
            }

            var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Process process = Process.Start(psi) ?? throw new InvalidOperationException("openssl did not start");
            try
            {
                process.OutputDataReceived += (_, e) =>
                {
                    if (e.Data is null)
                    {
                        port.TrySetException(new InvalidOperationException("openssl s_server ended without printing its port"));
                    }
                    else if (e.Data.StartsWith("ACCEPT ", StringComparison.Ordinal))
                    {
                        port.TrySetResult(int.Parse(e.Data.AsSpan(e.Data.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture));
                    }
                };
                process.ErrorDataReceived += (_, _) => { };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                if (!port.Task.Wait(TimeSpan.FromSeconds(10)))
                {
                    throw new TimeoutException("openssl s_server did not report its port within 10 s");
                }

                return new OpenSslServer(process, dir, port.Task.Result);
            }
            catch
            {
                Stop(process);
                Directory.Delete(dir, recursive: true);
                throw;
            }
        }

        public void Dispose()
        {
            Stop(_process);
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }

        private static void Stop(Process process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
    }
}
