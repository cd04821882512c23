using ManagedTls.Crypto;
using ManagedTls.Tests.Connection;
using ManagedTls.Tests.X509;
using ManagedTls.X509;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkcs;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// A root and one leaf for localhost per <see cref="ServerKeyType"/>, valid around the real current time (the facade
/// verifies against the system clock), as DER and keys for engine peers and as PEM files for <c>SslContext</c>.
/// </summary>
public sealed class FacadeMatrixPki : IDisposable
{
    public const string HostName = "localhost";

    private readonly Dictionary<ServerKeyType, Credential> _leaves = [];

    public FacadeMatrixPki()
    {
        Directory = Path.Combine(Path.GetTempPath(), "mtls-matrix-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        DateTime notBefore = DateTime.UtcNow.AddDays(-1);
        DateTime notAfter = DateTime.UtcNow.AddDays(30);
        TestPki.Node root = TestPki.Root("Facade Matrix Root", s =>
        {
            s.NotBefore = notBefore;
            s.NotAfter = notAfter;
        });
        RootDer = root.Der;
        RootFile = Path.Combine(Directory, "root.pem");
        File.WriteAllText(RootFile, Pem("CERTIFICATE", root.Der));
        foreach (ServerKeyType type in Enum.GetValues<ServerKeyType>())
        {
            AsymmetricCipherKeyPair pair = type switch
            {
                ServerKeyType.Rsa2048 => TestPki.SharedRsa2048,
                ServerKeyType.EcdsaP256 => TestPki.EcKey(SecObjectIdentifiers.SecP256r1),
                ServerKeyType.EcdsaP384 => TestPki.EcKey(SecObjectIdentifiers.SecP384r1),
                _ => TestPki.Ed25519Key(),
            };
            TestPki.Node leaf = TestPki.Leaf(root, HostName, s =>
            {
                s.Key = pair;
                s.NotBefore = notBefore;
                s.NotAfter = notAfter;
            }, HostName);
            byte[] pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded();
            string certFile = Path.Combine(Directory, $"{type}.crt.pem");
            string keyFile = Path.Combine(Directory, $"{type}.key.pem");
            File.WriteAllText(certFile, Pem("CERTIFICATE", leaf.Der));
            File.WriteAllText(keyFile, Pem("PRIVATE KEY", pkcs8));
            _leaves[type] = new Credential(leaf.Der, PrivateKey.FromDer(pkcs8), certFile, keyFile);
        }
    }

    public string Directory { get; }

    public string RootFile { get; }

    public byte[] RootDer { get; }

    internal TrustStore Trust => new([RootDer]);

    internal Credential Leaf(ServerKeyType type) => _leaves[type];

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static string Pem(string label, byte[] der)
    {
        string base64 = Convert.ToBase64String(der);
        var lines = Enumerable.Range(0, (base64.Length + 63) / 64).Select(i => base64.Substring(i * 64, Math.Min(64, base64.Length - (i * 64))));
        return $"-----BEGIN {label}-----\n{string.Join("\n", lines)}\n-----END {label}-----\n";
    }

    /// <summary>A leaf certificate, its key, and the PEM files holding them.</summary>
    internal sealed record Credential(byte[] Der, PrivateKey Key, string CertFile, string KeyFile);
}
