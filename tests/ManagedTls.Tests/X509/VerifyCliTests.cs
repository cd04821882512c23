using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ManagedTls.Tests.X509;

/// <summary>
/// Runs <c>managedtls verify</c> as a process: against x509-limbo, and beside <c>openssl verify</c> on the same
/// files (both with a timeout).
/// </summary>
public class VerifyCliTests
{
    /// <summary>The agreement recorded in docs/x509.md; the suite must not fall below it.</summary>
    private const int RecordedLimboAgreement = 201;

    private static string RepoRoot()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "ManagedTls.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        }

        return dir;
    }

    private static (int Code, string Out, string Err) Run(string file, string args, string workDir, int seconds)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDir,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        Task<string> o = p.StandardOutput.ReadToEndAsync();
        Task<string> e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(seconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {args} did not finish in {seconds}s");
        }

        return (p.ExitCode, o.Result, e.Result);
    }

    private static (int Code, string Out, string Err) Managed(string args, string workDir, int seconds = 60) =>
        Run("dotnet", Path.Combine(AppContext.BaseDirectory, "ManagedTls.Cli.dll") + " " + args, workDir, seconds);

    [Fact]
    public void Limbo_AgreementDoesNotDropBelowTheRecordedFigure()
    {
        string root = RepoRoot();
        string suite = Path.Combine(root, "vectors", "x509-limbo", "limbo.json");
        var (code, stdout, stderr) = Managed("verify --limbo " + suite, root, 180);
        Assert.True(code == 0, stderr);
        var expected = JsonNode.Parse(File.ReadAllText(suite))!["testcases"]!.AsArray()
            .ToDictionary(t => t!["id"]!.GetValue<string>(), t => t!["expected_result"]!.GetValue<string>());
        var doc = JsonNode.Parse(stdout)!;
        Assert.Equal(1, doc["version"]!.GetValue<int>());
        Assert.Equal("managedtls", doc["harness"]!.GetValue<string>());
        var results = doc["results"]!.AsArray();
        Assert.Equal(expected.Count, results.Count);
        int agree = results.Count(r => expected[r!["id"]!.GetValue<string>()] == r["actual_result"]!.GetValue<string>());
        Assert.True(agree >= RecordedLimboAgreement, $"limbo agreement {agree} < {RecordedLimboAgreement}");
    }

    [Fact]
    public void Output_MatchesOpensslVerify()
    {
        string dir = Path.Combine(Path.GetTempPath(), "managedtls-verify-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var (root, ica, leaf) = (TestPki.Root("root"), (TestPki.Node?)null, (TestPki.Node?)null);
            ica = TestPki.Ca(root, "ica");
            leaf = TestPki.Leaf(ica, "leaf", s => s.Subject = new Org.BouncyCastle.Asn1.X509.X509Name("C=US,O=Test Org,CN=leaf"), "www.example.com");
            TestPki.Node nonCa = TestPki.Leaf(root, "not-a-ca", s => s.KeyUsage = Org.BouncyCastle.Asn1.X509.KeyUsage.KeyCertSign, "x.example");
            TestPki.Node leaf2 = TestPki.Leaf(nonCa, "leaf2", null, "www.example.com");
            void Write(string name, params TestPki.Node[] nodes) => File.WriteAllText(Path.Combine(dir, name), string.Concat(nodes.Select(n =>
                "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(n.Der, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n")));
            Write("root.pem", root);
            Write("ica.pem", ica);
            Write("leaf.pem", leaf);
            Write("nonca.pem", nonCa);
            Write("leaf2.pem", leaf2);
            long now = new DateTimeOffset(TestPki.Now).ToUnixTimeSeconds();
            long later = new DateTimeOffset(TestPki.NotAfter.AddDays(30)).ToUnixTimeSeconds();
            string[] cases =
            [
                $"-attime {now} -CAfile root.pem -untrusted ica.pem leaf.pem",
                $"-attime {now} -CAfile root.pem leaf.pem",
                $"-attime {now} -CAfile root.pem -untrusted ica.pem -verify_hostname www.example.com leaf.pem",
                $"-attime {now} -CAfile root.pem -untrusted ica.pem -verify_hostname other.example.com leaf.pem",
                $"-attime {now} -CAfile root.pem -untrusted ica.pem -verify_ip 192.0.2.1 leaf.pem",
                $"-attime {later} -CAfile root.pem -untrusted ica.pem leaf.pem",
                $"-attime {now} -CAfile ica.pem leaf.pem",
                $"-attime {now} -CAfile ica.pem -partial_chain leaf.pem",
                $"-attime {now} root.pem",
                $"-attime {now} -CAfile root.pem -untrusted nonca.pem leaf2.pem",
                $"-attime {now} -CAfile root.pem -untrusted ica.pem -crl_check leaf.pem",
            ];
            foreach (string args in cases)
            {
                var expected = Run("openssl", "verify " + args, dir, 20);
                var actual = Managed("verify " + args, dir);
                Assert.True(expected.Code == actual.Code, $"{args}: exit {actual.Code}, openssl {expected.Code}");
                Assert.Equal(expected.Out, actual.Out);
                Assert.Equal(expected.Err, actual.Err);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
