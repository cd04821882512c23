using System.Text.Json;
using ManagedTls.Cli;

namespace ManagedTls.Tests.CipherSuites;

public class CiphersCommandTests
{
    private static (int Exit, string Stdout, string Stderr) RunOurs(string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exit = CiphersCommand.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string? Compare(string[] args, OracleRun openssl)
    {
        var ours = RunOurs(args);
        string shown = string.Join(" ", args.Select(a => $"[{a}]"));
        if (openssl.Exit != 0 || ours.Exit != 0)
        {
            return (openssl.Exit != 0) == (ours.Exit != 0) ? null : $"{shown}: openssl exit {openssl.Exit}, ours {ours.Exit}";
        }

        string want = args.Contains("-convert")
            ? openssl.Stdout
            : args.Contains("-v") || args.Contains("-V") || args.Contains("-stdname")
                ? CipherOracles.FilterLines(openssl.Stdout)
                : CipherOracles.FilterNames(openssl.Stdout) + "\n";
        return want == ours.Stdout ? null : $"{shown}:\nopenssl:\n{want}ours:\n{ours.Stdout}";
    }

    private static IEnumerable<(string[] Args, OracleRun Run)> Recorded() =>
        CipherOracles.OpenSslRecord.GetProperty("cli").EnumerateArray()
            .Select(e => (e.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray(), CipherOracles.FromJson(e)));

    [Fact]
    public void OutputMatchesRecordedOpenSsl()
    {
        var cases = Recorded().ToArray();
        Assert.True(cases.Length >= 20);
        var mismatches = cases.Select(c => Compare(c.Args, c.Run)).OfType<string>().ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void OutputMatchesLiveOpenSsl()
    {
        var argLists = Recorded().Select(c => c.Args).ToArray();
        IReadOnlyList<OracleRun> runs = CipherOracles.RunOpenSslCiphers(argLists) ?? Recorded().Select(c => c.Run).ToArray();
        var mismatches = argLists.Select((a, i) => Compare(a, runs[i])).OfType<string>().ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void VerboseLinesHaveOpenSslColumns()
    {
        var (exit, stdout, _) = RunOurs(new[] { "-V", "-stdname", "ECDHE-ECDSA-AES256-GCM-SHA384" });
        Assert.Equal(0, exit);
        Assert.Equal(
            "          0x13,0x02 - TLS_AES_256_GCM_SHA384                        - TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)            Mac=AEAD\n",
            stdout.Split('\n')[0] + "\n");
        Assert.EndsWith(
            "          0xC0,0x2C - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       - ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            Mac=AEAD\n",
            stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-bogus")]
    [InlineData("ALL", "HIGH")]
    [InlineData("-ciphersuites")]
    [InlineData("-convert")]
    public void BadArgumentsPrintUsageAndExitOne(params string[] args)
    {
        Assert.Throws<UsageException>(() => RunOurs(args));
        var saved = Console.Error;
        var err = new StringWriter();
        Console.SetError(err);
        try
        {
            Assert.Equal(1, Program.Main(new[] { "ciphers" }.Concat(args).ToArray()));
        }
        finally
        {
            Console.SetError(saved);
        }

        Assert.Contains("usage: managedtls ciphers", err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RefusedStringsExitOne()
    {
        var (exit, stdout, stderr) = RunOurs(new[] { "NOPE" });
        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("Error in cipher list\n", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = RunOurs(new[] { "-ciphersuites", "bogus", "ALL" });
        Assert.Equal(1, exit);
        Assert.StartsWith("Error setting TLSv1.3 ciphersuites\n", stderr, StringComparison.Ordinal);
    }
}
