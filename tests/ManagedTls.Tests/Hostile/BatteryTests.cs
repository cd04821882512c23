using System.Text;
using ManagedTls.Connection;
using ManagedTls.Ssl;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// The hostile battery against each way the engine is served. Each case must end in its alert, with the failure
/// reported as the engine's alert (sans-IO), as an exception of the SSL family (facade), and without stopping
/// <c>managedtls s_server</c> from serving the next client.
/// </summary>
public class BatteryTests
{
    [Theory]
    [MemberData(nameof(HostileBattery.Names), MemberType = typeof(HostileBattery))]
    public void TheEngineAnswersEachCaseWithItsAlert(string name)
    {
        using TlsConnection server = EngineTargets.Server();
        using DelegateTarget target = EngineTargets.For(server);
        HostileBattery.Script(name)(TlsScript.AsClient(EngineTargets.Options(seed: 1101))).Run(target);
        Assert.NotNull(server.Failure);
        Assert.False(server.Failure.Received);
    }

    [Theory]
    [MemberData(nameof(HostileBattery.Names), MemberType = typeof(HostileBattery))]
    public void TheFacadeRaisesOnlySslExceptions(string name)
    {
        var (serverContext, _) = EngineTargets.Contexts();
        using var target = new SslObjectTarget(serverContext, serverSide: true);
        ScriptResult result = HostileBattery.Script(name)(TlsScript.AsClient(EngineTargets.Options(seed: 1102))).Run(target);
        Assert.IsAssignableFrom<SslException>(result.TargetFailure ?? target.Failure);

        // The connection stays failed: every later call raises, none waits for more input.
        Assert.ThrowsAny<SslException>(() => target.Ssl.DoHandshake());
        target.Incoming.WriteEof();
        Assert.ThrowsAny<SslException>(() => target.Ssl.Read(16));
    }

    [Fact]
    public async Task SServerSurvivesTheBatteryAndServesTheNextClient()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mtls-battery-" + Guid.NewGuid().ToString("N"));
        try
        {
            PemFiles files = EngineTargets.Pki.WritePemFiles(dir);
            int port = FreePort();
            int connections = HostileBattery.Cases.Count + 1;
            var stdout = new MemoryStream();
            var stderr = new StringWriter();
            Task<int> server = Task.Run(() => ManagedTls.Cli.SServerCommand.Run(
                ["-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-cert", files.CertificateFile, "-key", files.KeyFile,
                 "-www", "-quiet", "-naccept", connections.ToString(System.Globalization.CultureInfo.InvariantCulture), "-timeout", "3000"],
                new MemoryStream(), new LockedStream(stdout), TextWriter.Synchronized(stderr)));
            try
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                while (!Encoding.ASCII.GetString(Snapshot(stdout)).Contains("ACCEPT", StringComparison.Ordinal))
                {
                    Assert.True(started.Elapsed < TimeSpan.FromSeconds(20) && !server.IsCompleted, "s_server did not start: " + stderr);
                    await Task.Delay(10);
                }

                foreach ((string name, Func<TlsScript, TlsScript> script) in HostileBattery.Cases)
                {
                    using var target = new TcpTarget("127.0.0.1", port);
                    try
                    {
                        script(TlsScript.AsClient(EngineTargets.Options(seed: 1103))).ExpectClose().Run(target);
                    }
                    catch (ScriptMismatchException e)
                    {
                        throw new Xunit.Sdk.XunitException($"{name}: {e.Message}\ns_server said: {stderr}");
                    }
                }

                using (var target = new TcpTarget("127.0.0.1", port))
                {
                    TlsScript.AsClient(EngineTargets.Options(seed: 1104))
                        .Handshake()
                        .SendApplicationData("GET / HTTP/1.0\r\n\r\n"u8.ToArray())
                        .ExpectApplicationData(data => Encoding.ASCII.GetString(data).Contains("SSL-Session:", StringComparison.Ordinal))
                        .Run(target);
                }

                Assert.Equal(1, await server.WaitAsync(TimeSpan.FromSeconds(30)));
                string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(HostileBattery.Cases.Count, lines.Length);
                Assert.All(lines, l => Assert.Matches("^(handshake|connection) failed: ", l));
            }
            finally
            {
                // Release a server still waiting (a failed assertion) with connections that end at once.
                for (int i = 0; i < connections && !server.IsCompleted; i++)
                {
                    try
                    {
                        using var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                        s.Connect(System.Net.IPAddress.Loopback, port);
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static byte[] Snapshot(MemoryStream stream)
    {
        lock (stream)
        {
            return stream.ToArray();
        }
    }
}

/// <summary>Writes into a memory stream under the stream's lock, so a test can read what was written so far.</summary>
internal sealed class LockedStream(MemoryStream inner) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (inner)
        {
            inner.Write(buffer, offset, count);
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
