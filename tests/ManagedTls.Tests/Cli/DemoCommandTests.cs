using System.Diagnostics;
using System.Text.RegularExpressions;
using ManagedTls.Cli;

namespace ManagedTls.Tests.Cli;

/// <summary>Runs <c>managedtls demo</c> in process and checks every field it prints.</summary>
public class DemoCommandTests
{
    private static (int Exit, string Output, TimeSpan Elapsed) RunDemo()
    {
        var output = new StringWriter { NewLine = "\n" };
        var clock = Stopwatch.StartNew();
        int exit = DemoCommand.Run([], output);
        return (exit, output.ToString(), clock.Elapsed);
    }

    private static string Field(string output, string name)
    {
        Match m = Regex.Match(output, $@"^  {Regex.Escape(name)}:\s+(.*)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"no '{name}' line in:\n{output}");
        return m.Groups[1].Value;
    }

    [Fact]
    public void PrintsEveryNegotiatedValue()
    {
        var (exit, output, elapsed) = RunDemo();
        Assert.True(exit == 0, output);

        Assert.Matches(@"(?m)^throwaway CA:\s+O=ManagedTls demo,CN=ManagedTls demo CA \(ECDSA P-256, serial [0-9A-F]{32}\)$", output);
        Assert.Matches(@"(?m)^server certificate:\s+O=ManagedTls demo,CN=localhost \(ECDSA P-256\), DNS:localhost, IP:127\.0\.0\.1, valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", output);
        Assert.Matches(@"(?m)^server listening on 127\.0\.0\.1:\d+$", output);
        int second = output.IndexOf("\nconnection 2: resumed handshake (offers the session from connection 1)\n", StringComparison.Ordinal);
        int first = output.IndexOf("\nconnection 1: full handshake\n", StringComparison.Ordinal);
        Assert.True(first >= 0 && second > first, output);
        string full = output.Substring(first, second - first);
        string resumed = output.Substring(second);

        foreach (string section in new[] { full, resumed })
        {
            Assert.Equal("TLSv1.3", Field(section, "version"));
            Assert.Matches(@"^TLS_(AES_256_GCM_SHA384 \(256|AES_128_GCM_SHA256 \(128|CHACHA20_POLY1305_SHA256 \(256)-bit key\)$", Field(section, "cipher suite"));
            Assert.Equal("x25519", Field(section, "group"));
            Assert.Equal("demo/1", Field(section, "ALPN"));
            Assert.Equal("organizationName=ManagedTls demo, commonName=localhost (chain to the throwaway CA and host name localhost checked)", Field(section, "verified peer"));
            Assert.Equal("\"hello from the client over TLSv1.3\"", Field(section, "client -> server"));
            Assert.Equal("\"hello from the server, which read 35 bytes\"", Field(section, "server -> client"));
            Assert.Contains("\n  client and server agree on version, suite, group, signature scheme, ALPN and reuse\n", section);
        }

        // The full handshake is signed by the server certificate; the resumed one is authenticated by the PSK, so no scheme.
        Assert.Equal("ecdsa_secp256r1_sha256", Field(full, "signature scheme"));
        Assert.Equal("no", Field(full, "session reused"));
        Assert.Equal("none (resumed: the session's key authenticates the server)", Field(resumed, "signature scheme"));
        Assert.Matches(@"^\d+\.\d ms \(a first connection includes compiling the code it runs\)$", Field(full, "handshake time"));
        Assert.Matches(@"^\d+\.\d ms$", Field(resumed, "handshake time"));
        Assert.Equal("yes", Field(resumed, "session reused"));
        Assert.Equal(Field(full, "cipher suite"), Field(resumed, "cipher suite"));
        Assert.EndsWith("\ndemo: ok\n", output);
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"the demo took {elapsed}");
    }

    [Fact]
    public void EachRunMakesAFreshCa()
    {
        static string Serial(string output) => Regex.Match(output, @"serial ([0-9A-F]{32})").Groups[1].Value;
        string first = RunDemo().Output;
        string second = RunDemo().Output;
        Assert.NotEqual(Serial(first), Serial(second));
    }

    [Fact]
    public void RefusesArguments() =>
        Assert.Throws<UsageException>(() => DemoCommand.Run(["extra"], TextWriter.Null));
}
