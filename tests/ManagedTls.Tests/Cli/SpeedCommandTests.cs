using System.Globalization;
using System.Text.RegularExpressions;
using ManagedTls.Cli;
using ManagedTls.Crypto;

namespace ManagedTls.Tests.Cli;

/// <summary>Runs <c>managedtls speed</c> in process with a tiny duration and checks the shape of what it prints.</summary>
public class SpeedCommandTests
{
    private static string Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        Assert.Equal(0, SpeedCommand.Run(args, output));
        return output.ToString();
    }

    private static double[] Row(string output, string name)
    {
        Match m = Regex.Match(output, $@"^{Regex.Escape(name)} +((?:\d+\.\d\dk *)+)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"no row '{name}' in:\n{output}");
        return m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.Parse(v.TrimEnd('k'), CultureInfo.InvariantCulture)).ToArray();
    }

    [Fact]
    public void PrintsEveryAlgorithmAtEverySizeWithTheHardwarePathWhereThereIsOne()
    {
        string output = Run("-seconds", "0.01");
        Assert.Contains("The 'numbers' are in 1000s of bytes per second processed.\n", output);
        Assert.Matches(@"(?m)^type +16 bytes +256 bytes +1024 bytes +8192 bytes +16384 bytes$", output);
        Assert.Matches(@"(?m)^Doing aes-128-gcm seal \(BouncyCastle\) for 0\.01s on 16 size blocks: \d+ ops in \d+\.\d\ds$", output);
        foreach (AeadAlgorithm algorithm in Enum.GetValues<AeadAlgorithm>())
        {
            string name = SpeedCommand.Name(algorithm);
            var labels = new List<string> { "BouncyCastle" };
            if (Aeads.HasHardware(algorithm))
            {
                labels.Add("hardware");
            }
            else
            {
                Assert.DoesNotContain($"{name} seal (hardware)", output);
            }

            foreach (string label in labels)
            {
                foreach (string op in new[] { "seal", "open" })
                {
                    double[] rates = Row(output, $"{name} {op} ({label})");
                    Assert.Equal(SpeedCommand.Sizes.Length, rates.Length);
                    Assert.All(rates, r => Assert.True(r > 0, $"{name} {op} ({label}) has a zero rate"));
                }
            }

            Assert.Contains($"\nhardware acceleration: {name}: {(Aeads.HasHardware(algorithm) ? "yes" : "no")}\n", output);
        }

        Assert.Matches(@"(?m)^cpu instructions: [a-z0-9. -]+$", output);
        if (MontgomeryKeyExchange.FastX25519)
        {
            Assert.Matches(@"(?m)^x25519: [1-9]\d*\.\d agreements/s \(managed radix 2\^51, the engine's; [1-9]\d* in \d+\.\d\ds\)$", output);
            Assert.Matches(@"(?m)^x25519: [1-9]\d*\.\d agreements/s \(BouncyCastle; [1-9]\d* in \d+\.\d\ds\)$", output);
        }
        else
        {
            Assert.Matches(@"(?m)^x25519: [1-9]\d*\.\d agreements/s \(BouncyCastle, the engine's; [1-9]\d* in \d+\.\d\ds\)$", output);
        }

        Assert.Matches(@"(?m)^handshakes: \d+\.\d TLS 1\.3 client\+server pairs/s in memory \(x25519, Ed25519 certificate, [1-9]\d* in \d+\.\d\ds\)$", output);
    }

    [Fact]
    public void NamedAlgorithmsOnlyAndHandshakesLeftOut()
    {
        string output = Run("-seconds", "0.01", "-no_handshake", "aes-256-gcm");
        Row(output, "aes-256-gcm seal (BouncyCastle)");
        Assert.DoesNotContain("aes-128-gcm", output);
        Assert.DoesNotContain("chacha20", output);
        Assert.DoesNotContain("handshakes:", output);
        Assert.DoesNotContain("x25519:", output);
        Assert.Equal(Aeads.HasHardware(AeadAlgorithm.Aes256Gcm), output.Contains("aes-256-gcm seal (hardware)", StringComparison.Ordinal));
    }

    [Fact]
    public void BadArgumentsAreUsageErrors()
    {
        Assert.Throws<UsageException>(() => SpeedCommand.Run(["-seconds"], TextWriter.Null));
        Assert.Throws<UsageException>(() => SpeedCommand.Run(["-seconds", "soon"], TextWriter.Null));
        Assert.Throws<UsageException>(() => SpeedCommand.Run(["-seconds", "0"], TextWriter.Null));
        Assert.Contains("unknown algorithm 'des'", Assert.Throws<UsageException>(() => SpeedCommand.Run(["des"], TextWriter.Null)).Message);
        Assert.Equal(0, Program.Main(["speed", "-help"]));
    }
}
