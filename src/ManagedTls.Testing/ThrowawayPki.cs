using System.Net;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.X509.Builder;

namespace ManagedTls.Testing;

/// <summary>PEM files written by <see cref="ThrowawayPki.WritePemFiles"/>.</summary>
/// <param name="CertificateFile">The leaf certificate (PEM).</param>
/// <param name="KeyFile">The leaf's private key (PKCS#8 PEM).</param>
/// <param name="AuthorityFile">The CA certificate (PEM), to trust.</param>
public sealed record PemFiles(string CertificateFile, string KeyFile, string AuthorityFile);

/// <summary>
/// A throwaway certificate authority and one leaf it signed, made at run time with ManagedTls's
/// <see cref="CertificateBuilder"/>: nothing is shipped. The scripted server presents <see cref="Chain"/> and signs
/// CertificateVerify with the leaf's key; a system under test trusts <see cref="Authority"/>.
/// </summary>
public sealed class ThrowawayPki
{
    private static readonly Lazy<ThrowawayPki> SharedPki = new(() => Create());

    private ThrowawayPki(GeneratedCertificate authority, GeneratedCertificate leaf, string hostName)
    {
        Authority = authority;
        Leaf = leaf;
        HostName = hostName;
    }

    /// <summary>One instance per process (OS entropy, host name <c>localhost</c>), made on first use.</summary>
    public static ThrowawayPki Shared => SharedPki.Value;

    /// <summary>The self-signed CA.</summary>
    public GeneratedCertificate Authority { get; }

    /// <summary>The leaf (server and client usage), for <see cref="HostName"/> (and 127.0.0.1 and ::1 when it is localhost).</summary>
    public GeneratedCertificate Leaf { get; }

    /// <summary>The leaf's DNS name.</summary>
    public string HostName { get; }

    /// <summary>The chain a server presents, leaf first (DER; the CA is the trust anchor and is not included).</summary>
    public IReadOnlyList<byte[]> Chain => [Leaf.CertificateDer];

    /// <summary>The TLS 1.3 signature scheme the leaf's key signs CertificateVerify with.</summary>
    public SignatureScheme SignatureScheme => Leaf.Key.Algorithm switch
    {
        CertificateKeyAlgorithm.EcdsaP256 => SignatureScheme.EcdsaSecp256r1Sha256,
        CertificateKeyAlgorithm.EcdsaP384 => SignatureScheme.EcdsaSecp384r1Sha384,
        _ => SignatureScheme.Ed25519,
    };

    /// <summary>Makes a CA and a leaf.</summary>
    /// <param name="hostName">The leaf's DNS name.</param>
    /// <param name="entropy">Where keys and serial numbers come from; null for OS entropy. A deterministic source gives the same certificates for the same clock.</param>
    /// <param name="keyAlgorithm">The kind of key for both certificates.</param>
    /// <param name="clock">The validity start; null for now.</param>
    /// <returns>The PKI.</returns>
    public static ThrowawayPki Create(
        string hostName = "localhost",
        IEntropySource? entropy = null,
        CertificateKeyAlgorithm keyAlgorithm = CertificateKeyAlgorithm.EcdsaP256,
        Func<DateTimeOffset>? clock = null)
    {
        var builder = new CertificateBuilder(entropy, clock) { KeyAlgorithm = keyAlgorithm };
        GeneratedCertificate ca = builder.CreateCertificateAuthority("ManagedTls.Testing throwaway CA");
        IPAddress[] ips = hostName == "localhost" ? [IPAddress.Loopback, IPAddress.IPv6Loopback] : [];
        GeneratedCertificate leaf = builder.CreateLeaf(ca, hostName, [hostName], ips);
        return new ThrowawayPki(ca, leaf, hostName);
    }

    /// <summary>Writes <c>cert.pem</c>, <c>key.pem</c> and <c>ca.pem</c> into <paramref name="directory"/> (created if needed).</summary>
    /// <param name="directory">Where to write.</param>
    /// <returns>The three paths.</returns>
    public PemFiles WritePemFiles(string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new PemFiles(Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"), Path.Combine(directory, "ca.pem"));
        File.WriteAllText(files.CertificateFile, Leaf.CertificatePem);
        File.WriteAllText(files.KeyFile, Leaf.Key.ExportPkcs8Pem());
        File.WriteAllText(files.AuthorityFile, Authority.CertificatePem);
        return files;
    }

    /// <summary>Signs a TLS 1.3 CertificateVerify content with the leaf's key.</summary>
    internal byte[] Sign(SignatureScheme scheme, byte[] content, IEntropySource entropy)
    {
        SignatureSchemeInfo info = SignatureSchemes.Find(scheme)
            ?? throw new InvalidOperationException($"{scheme} is not a signature scheme the engine knows");
        return Leaf.Key.PrivateKey.Sign(info.Algorithm, content, entropy);
    }
}
