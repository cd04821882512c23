namespace ManagedTls.X509.Store;

/// <summary>
/// Where the operating system keeps trusted CA certificates, and the environment variables that override
/// them (OpenSSL's <c>SSL_CERT_FILE</c> and <c>SSL_CERT_DIR</c>: when set, used instead of the defaults, even
/// when they name nothing that exists).
/// </summary>
public static class SystemTrustLocations
{
    /// <summary>Environment variable naming the CA bundle file (OpenSSL's <c>X509_get_default_cert_file_env()</c>).</summary>
    public const string CertFileEnvironmentVariable = "SSL_CERT_FILE";

    /// <summary>Environment variable naming the hashed directory or directories (OpenSSL's <c>X509_get_default_cert_dir_env()</c>).</summary>
    public const string CertDirEnvironmentVariable = "SSL_CERT_DIR";

    /// <summary>The default hashed directory (Debian, Ubuntu, Alpine, Red Hat's compatibility link, OpenSUSE).</summary>
    public const string DefaultCertDirectory = "/etc/ssl/certs";

    /// <summary>
    /// Bundle files tried in order when <c>SSL_CERT_FILE</c> is not set: Debian/Ubuntu, Red Hat (two layouts),
    /// Alpine/OpenBSD/macOS, OpenSUSE, FreeBSD.
    /// </summary>
    public static IReadOnlyList<string> CandidateBundleFiles { get; } = new[]
    {
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "/etc/ssl/cert.pem",
        "/etc/ssl/ca-bundle.pem",
        "/usr/local/share/certs/ca-root-nss.crt",
    };

    /// <summary>
    /// The built-in default bundle (what OpenSSL calls <c>X509_get_default_cert_file()</c>): the first
    /// candidate that exists on this machine, or the first candidate when none does.
    /// </summary>
    public static string DefaultBundleFile => CandidateBundleFiles.FirstOrDefault(File.Exists) ?? CandidateBundleFiles[0];

    /// <summary>The bundle file in force: <c>SSL_CERT_FILE</c> when set, else <see cref="DefaultBundleFile"/>.</summary>
    public static string EffectiveBundleFile => Environment.GetEnvironmentVariable(CertFileEnvironmentVariable) ?? DefaultBundleFile;

    /// <summary>The directory (list) in force: <c>SSL_CERT_DIR</c> when set, else <see cref="DefaultCertDirectory"/>.</summary>
    public static string EffectiveCertDirectory => Environment.GetEnvironmentVariable(CertDirEnvironmentVariable) ?? DefaultCertDirectory;
}

/// <summary>What loading the default verify paths did.</summary>
/// <param name="FileFromEnvironment">True when the file came from <c>SSL_CERT_FILE</c>.</param>
/// <param name="FilesTried">Bundle files considered, in order (only the variable's value when it is set).</param>
/// <param name="FileLoaded">The bundle that was loaded, or null.</param>
/// <param name="CertificatesLoaded">Certificates and CRLs read from it.</param>
/// <param name="FileError">Why the chosen bundle did not load (OpenSSL ignores this), or null.</param>
/// <param name="DirectoryFromEnvironment">True when the directories came from <c>SSL_CERT_DIR</c>.</param>
/// <param name="DirectoriesAdded">Hashed directories registered for lazy lookup.</param>
/// <param name="DirectoriesMissing">Listed directories that do not exist (still registered, as OpenSSL does).</param>
public sealed record DefaultVerifyPathsResult(
    bool FileFromEnvironment,
    IReadOnlyList<string> FilesTried,
    string? FileLoaded,
    int CertificatesLoaded,
    string? FileError,
    bool DirectoryFromEnvironment,
    IReadOnlyList<string> DirectoriesAdded,
    IReadOnlyList<string> DirectoriesMissing);

/// <content>Default verify paths.</content>
public sealed partial class CertificateStore
{
    /// <summary>
    /// OpenSSL's <c>X509_STORE_set_default_paths</c> (Python's <c>set_default_verify_paths()</c>): loads the
    /// bundle file now (silently skipping it when missing or broken, as OpenSSL does, but saying so in the
    /// result) and registers the hashed directories for lazy lookup.
    /// </summary>
    /// <returns>What was tried, loaded and registered.</returns>
    public DefaultVerifyPathsResult LoadDefaultVerifyPaths()
    {
        string? envFile = Environment.GetEnvironmentVariable(SystemTrustLocations.CertFileEnvironmentVariable);
        IReadOnlyList<string> tried = envFile is not null
            ? new[] { envFile }
            : SystemTrustLocations.CandidateBundleFiles;
        string? chosen = envFile ?? SystemTrustLocations.CandidateBundleFiles.FirstOrDefault(File.Exists);
        string? loaded = null;
        string? error = null;
        int count = 0;
        if (chosen is null)
        {
            error = "no bundle file found";
        }
        else
        {
            try
            {
                count = LoadPemFile(chosen);
                loaded = chosen;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateStoreException)
            {
                error = e.Message;
            }
        }

        string? envDir = Environment.GetEnvironmentVariable(SystemTrustLocations.CertDirEnvironmentVariable);
        string dirList = envDir ?? SystemTrustLocations.DefaultCertDirectory;
        var added = new List<string>();
        var missing = new List<string>();
        foreach (string dir in dirList.Split(Path.PathSeparator))
        {
            if (dir.Length == 0)
            {
                continue;
            }

            AddHashedDirectory(dir);
            added.Add(dir);
            if (!Directory.Exists(dir))
            {
                missing.Add(dir);
            }
        }

        return new DefaultVerifyPathsResult(envFile is not null, tried, loaded, count, error, envDir is not null, added, missing);
    }
}
