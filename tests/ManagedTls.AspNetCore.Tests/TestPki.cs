using System.Net;
using System.Security.Cryptography;
using ManagedTls.Ssl;
using ManagedTls.X509.Builder;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>
/// One throwaway CA per test run and the certificates it signed (made with ManagedTls's CertificateBuilder), written
/// as PEM files for curl, Python and openssl: a server for localhost (and 127.0.0.1), two servers for the SNI names
/// alpha.test and beta.test, and a client. A second, unrelated CA signs a client nobody trusts.
/// </summary>
internal sealed class TestPki
{
    private static readonly Lazy<TestPki> SharedPki = new(() => new TestPki());

    private TestPki()
    {
        Directory = Path.Combine(Path.GetTempPath(), "managedtls-aspnetcore-tests-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(Directory);
        string directory = Directory;

        // The keys are throwaway, but they are still private keys: remove them when the test run ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        var builder = new CertificateBuilder();
        GeneratedCertificate ca = builder.CreateCertificateAuthority("ManagedTls.AspNetCore test CA");
        AuthorityFile = Write("ca.pem", ca.CertificatePem);
        Server = WriteLeaf("server", builder.CreateLeaf(ca, "localhost", ["localhost"], [IPAddress.Loopback]));
        Alpha = WriteLeaf("alpha", builder.CreateLeaf(ca, "alpha.test", ["alpha.test"]));
        Beta = WriteLeaf("beta", builder.CreateLeaf(ca, "beta.test", ["beta.test"]));
        Client = WriteLeaf("client", builder.CreateLeaf(ca, "test client", usages: CertificateUsages.ClientAuth));
        GeneratedCertificate otherCa = builder.CreateCertificateAuthority("Some other CA");
        StrangerClient = WriteLeaf("stranger", builder.CreateLeaf(otherCa, "stranger", usages: CertificateUsages.ClientAuth));
    }

    public static TestPki Shared => SharedPki.Value;

    public string Directory { get; }

    public string AuthorityFile { get; }

    public Leaf Server { get; }

    public Leaf Alpha { get; }

    public Leaf Beta { get; }

    public Leaf Client { get; }

    public Leaf StrangerClient { get; }

    /// <summary>A server context serving <paramref name="leaf"/> (default: the localhost server).</summary>
    public SslContext ServerContext(Leaf? leaf = null)
    {
        leaf ??= Server;
        var context = new SslContext(SslProtocol.TlsServer);
        context.LoadCertChain(leaf.CertificateFile, leaf.KeyFile);
        return context;
    }

    /// <summary>A server context that requires client certificates signed by the test CA.</summary>
    public SslContext ClientAuthContext()
    {
        SslContext context = ServerContext();
        context.VerifyMode = VerifyMode.CertRequired;
        context.LoadVerifyLocations(AuthorityFile);
        return context;
    }

    private Leaf WriteLeaf(string name, GeneratedCertificate certificate) => new(
        Write(name + ".pem", certificate.CertificatePem),
        Write(name + ".key", certificate.Key.ExportPkcs8Pem()),
        certificate.CertificateDer,
        certificate.CommonName);

    private string Write(string name, string text)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}

/// <summary>A certificate and key as files, and the certificate's DER.</summary>
internal sealed record Leaf(string CertificateFile, string KeyFile, byte[] Der, string CommonName)
{
    public string Sha256 => Convert.ToHexString(SHA256.HashData(Der));
}
