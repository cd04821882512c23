using ManagedTls.Ssl;
using ManagedTls.X509.PeerCert;
using ManagedTls.X509.Store;

namespace ManagedTls.Cli;

/// <summary>
/// <c>managedtls certinfo FILE...</c>: every certificate in each file (PEM bundle or DER) as its OpenSSL subject
/// hash and Python's <c>getpeercert()</c> dictionary in JSON; <c>managedtls certinfo --default-paths</c>: what the
/// default verify paths are and what loading them finds.
/// </summary>
internal static class CertInfoCommand
{
    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("expected FILE... or --default-paths");
        }

        if (args[0] == "--default-paths")
        {
            DefaultVerifyPaths paths = ManagedTls.Ssl.Ssl.GetDefaultVerifyPaths();
            Console.WriteLine($"cafile={paths.Cafile ?? "None"} capath={paths.Capath ?? "None"}");
            Console.WriteLine($"{paths.OpensslCafileEnv} default={paths.OpensslCafile}; {paths.OpensslCapathEnv} default={paths.OpensslCapath}");
            var store = new CertificateStore();
            DefaultVerifyPathsResult r = store.LoadDefaultVerifyPaths();
            Console.WriteLine($"files tried: {string.Join(", ", r.FilesTried)}");
            Console.WriteLine($"file loaded: {r.FileLoaded ?? "none"} ({r.CertificatesLoaded} objects){(r.FileError is null ? string.Empty : " error: " + r.FileError)}");
            Console.WriteLine($"directories: {string.Join(", ", r.DirectoriesAdded)}{(r.DirectoriesMissing.Count == 0 ? string.Empty : " missing: " + string.Join(", ", r.DirectoriesMissing))}");
            CertificateStoreStats s = store.GetStats();
            Console.WriteLine($"stats: x509={s.X509} crl={s.Crl} x509_ca={s.X509Ca}");
            return 0;
        }

        int failures = 0;
        foreach (string file in args)
        {
            try
            {
                byte[] bytes = File.ReadAllBytes(file);
                var ders = PemReader.Read(PemReader.Latin1(bytes))
                    .Where(b => CertificateStore.IsCertificateLabel(b.Label, trusted: true))
                    .Select(CertificateStore.CertificateFromBlock)
                    .ToList();
                if (ders.Count == 0)
                {
                    ders.Add(bytes);
                }

                foreach (byte[] der in ders)
                {
                    var cert = RawCertificate.Parse(der);
                    Console.WriteLine($"{file}: hash={X509NameHash.HashHex(X509NameHash.Hash(cert.SubjectDer))}");
                    Console.WriteLine(PeerCertificate.ToJson(PeerCertificate.Decode(der)));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateStoreException or TlsAlertException)
            {
                Console.Error.WriteLine($"{file}: {e.Message}");
                failures++;
            }
        }

        return failures == 0 ? 0 : 2;
    }
}
