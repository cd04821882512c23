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
        Assert.Contains("\nconnection 1: full handshake\n", output);
        Assert.Equal("TLSv1.3", Field(output, "version"));
        Assert.Matches(@"^TLS_(AES_256_GCM_SHA384 \(256|AES_128_GCM_SHA256 \(128|CHACHA20_POLY1305_SHA256 \(256)-bit key\)$", Field(output, "cipher suite"));
        Assert.Equal("x25519", Field(output, "group"));
        Assert.Equal("ecdsa_secp256r1_sha256", Field(output, "signature scheme"));
        Assert.Equal("demo/1", Field(output, "ALPN"));
        Assert.Equal("organizationName=ManagedTls demo, commonName=localhost (chain to the throwaway CA and host name localhost checked)", Field(output, "verified peer"));
        Assert.Equal("no", Field(output, "session reused"));
        Assert.Equal("\"hello from the client over TLSv1.3\"", Field(output, "client -> server"));
        Assert.Equal("\"hello from the server, which read 35 bytes\"", Field(output, "server -> client"));
        Assert.Matches(@"^\d+\.\d ms \(a first connection includes compiling the code it runs\)$", Field(output, "handshake time"));
        Assert.Contains("\n  client and server agree on version, suite, group, signature scheme and ALPN\n", output);
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
