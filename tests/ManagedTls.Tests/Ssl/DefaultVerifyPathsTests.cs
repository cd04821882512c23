using System.Text.Json;
using ManagedTls.Ssl;
using ManagedTls.X509.Store;
using SslModule = ManagedTls.Ssl.Ssl;

namespace ManagedTls.Tests.SslFacade;

/// <summary>Tests that read or change SSL_CERT_FILE / SSL_CERT_DIR; one collection so they never overlap.</summary>
[CollectionDefinition("ProcessEnvironment", DisableParallelization = true)]
public class ProcessEnvironmentCollection
{
}

[Collection("ProcessEnvironment")]
public class DefaultVerifyPathsTests
{
    private const string PythonScript = @"
import json, os, ssl
p = ssl.get_default_verify_paths()
real = lambda x: os.path.realpath(x) if x else None
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c.set_default_verify_paths()
print(json.dumps({'cafile': real(p.cafile), 'capath': real(p.capath), 'openssl_cafile_env': p.openssl_cafile_env,
  'openssl_capath_env': p.openssl_capath_env, 'openssl_cafile': real(p.openssl_cafile), 'openssl_capath': real(p.openssl_capath),
  'stats': c.cert_store_stats()}))
";

    private static string? Real(string? path)
    {
        if (path is null)
        {
            return null;
        }

        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
    }

    public static TheoryData<string?, string?> Environments() => new()
    {
        { "(inherit)", "(inherit)" },
        { null, null },
        { "/nonexistent/bundle.pem", "/nonexistent/dir" },
        { "pem/ca.pem", "hashdir" },
        { "pem/ca.der", "hashdir:/nonexistent" },
    };

    [Theory]
    [MemberData(nameof(Environments))]
    public void GetDefaultVerifyPathsAndSetDefaultVerifyPaths_MatchPython(string? certFile, string? certDir)
    {
        string? oldFile = Environment.GetEnvironmentVariable("SSL_CERT_FILE");
        string? oldDir = Environment.GetEnvironmentVariable("SSL_CERT_DIR");
        string? file = certFile == "(inherit)" ? oldFile : certFile is null ? null : Absolute(certFile);
        string? dir = certDir == "(inherit)" ? oldDir : certDir is null ? null : string.Join(":", certDir.Split(':').Select(Absolute));
        try
        {
            Environment.SetEnvironmentVariable("SSL_CERT_FILE", file);
            Environment.SetEnvironmentVariable("SSL_CERT_DIR", dir);
            DefaultVerifyPaths paths = SslModule.GetDefaultVerifyPaths();
            var context = new SslContext(SslProtocol.TlsClient);
            DefaultVerifyPathsResult loaded = context.SetDefaultVerifyPaths();

            Assert.Equal(file is not null, loaded.FileFromEnvironment);
            Assert.Equal(dir is not null, loaded.DirectoryFromEnvironment);
            Assert.Equal(context.CertStoreStats().X509 > 0, loaded.FileLoaded is not null);
            Assert.Equal(loaded.FileLoaded is null, loaded.FileError is not null);
            Assert.NotEmpty(loaded.FilesTried);
            Assert.NotEmpty(loaded.DirectoriesAdded);

            // The system locations differ per machine: without python3 only the invariants above are checked.
            string? output = Oracles.Python(PythonScript, env: new Dictionary<string, string?> { ["SSL_CERT_FILE"] = file, ["SSL_CERT_DIR"] = dir });
            if (output is null)
            {
                return;
            }

            var py = JsonSerializer.Deserialize<JsonElement>(output);
            Assert.Equal(py.GetProperty("cafile").GetString(), Real(paths.Cafile));
            Assert.Equal(py.GetProperty("capath").GetString(), Real(paths.Capath));
            Assert.Equal(py.GetProperty("openssl_cafile_env").GetString(), paths.OpensslCafileEnv);
            Assert.Equal(py.GetProperty("openssl_capath_env").GetString(), paths.OpensslCapathEnv);
            Assert.Equal(py.GetProperty("openssl_cafile").GetString(), Real(paths.OpensslCafile));
            Assert.Equal(py.GetProperty("openssl_capath").GetString(), Real(paths.OpensslCapath));
            Assert.Equal(
                JsonSerializer.Deserialize<Dictionary<string, int>>(py.GetProperty("stats").GetRawText()),
                context.CertStoreStats().ToDictionary());
        }
        finally
        {
            Environment.SetEnvironmentVariable("SSL_CERT_FILE", oldFile);
            Environment.SetEnvironmentVariable("SSL_CERT_DIR", oldDir);
        }
    }

    [Fact]
    public void DefaultsWithoutEnvironment_TryTheDistributionBundlesInOrder()
    {
        string? oldFile = Environment.GetEnvironmentVariable("SSL_CERT_FILE");
        string? oldDir = Environment.GetEnvironmentVariable("SSL_CERT_DIR");
        try
        {
            Environment.SetEnvironmentVariable("SSL_CERT_FILE", null);
            Environment.SetEnvironmentVariable("SSL_CERT_DIR", null);
            var result = new CertificateStore().LoadDefaultVerifyPaths();
            Assert.Equal(SystemTrustLocations.CandidateBundleFiles, result.FilesTried);
            Assert.Equal(SystemTrustLocations.CandidateBundleFiles.FirstOrDefault(File.Exists), result.FileLoaded);
            Assert.Equal(new[] { "/etc/ssl/certs" }, result.DirectoriesAdded);
            Assert.Equal(SystemTrustLocations.DefaultCertDirectory, SystemTrustLocations.EffectiveCertDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SSL_CERT_FILE", oldFile);
            Environment.SetEnvironmentVariable("SSL_CERT_DIR", oldDir);
        }
    }

    private static string Absolute(string relative) => relative.StartsWith('/') ? relative : Oracles.Cert(relative);
}
