using ManagedTls.Ssl;
using ManagedTls.Testing;

namespace ManagedTls.Http.Tests;

/// <summary>Throwaway certificates written once per test run, and client contexts that trust them.</summary>
internal static class TestPkis
{
    private static readonly Lazy<(ThrowawayPki Pki, PemFiles Files)> LocalhostPki = new(() => Make("localhost"));
    private static readonly Lazy<(ThrowawayPki Pki, PemFiles Files)> WrongHostPki = new(() => Make("wrong.example"));

    /// <summary>A CA and a leaf for localhost, 127.0.0.1 and ::1.</summary>
    public static PemFiles Localhost => LocalhostPki.Value.Files;

    /// <summary>A CA and a leaf for wrong.example only.</summary>
    public static PemFiles WrongHost => WrongHostPki.Value.Files;

    /// <summary>A client context trusting <paramref name="files"/>' CA (the localhost one by default).</summary>
    public static SslContext ClientContext(PemFiles? files = null)
    {
        var context = new SslContext(SslProtocol.TlsClient);
        context.LoadVerifyLocations(cafile: (files ?? Localhost).AuthorityFile);
        return context;
    }

    private static readonly string Root = Path.Combine(Path.GetTempPath(), "managedtls-http-tests-" + Environment.ProcessId);

    static TestPkis()
    {
        // The keys are throwaway, but they are still private keys: remove them when the test run ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
    }

    private static (ThrowawayPki, PemFiles) Make(string host)
    {
        ThrowawayPki pki = ThrowawayPki.Create(host);
        string dir = Path.Combine(Root, host);
        return (pki, pki.WritePemFiles(dir));
    }
}
