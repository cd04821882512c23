using System.Net;
using ManagedTls.Crypto;
using ManagedTls.X509.Store;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.X509.Builder;

/// <summary>
/// A certificate made by <see cref="CertificateBuilder"/> together with its key pair: the DER and PEM forms to hand to
/// a TLS server (<c>SslContext.LoadCertChain</c>, <c>openssl s_server -cert/-key</c>) or to trust as a CA
/// (<c>SslContext.LoadVerifyLocations(cadata: ...)</c>, <c>openssl verify -CAfile</c>).
/// </summary>
public sealed class GeneratedCertificate
{
    private readonly byte[] _der;

    internal GeneratedCertificate(
        byte[] der,
        CertificateKeyPair key,
        X509Name subjectName,
        string commonName,
        byte[] serialNumber,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        bool isCertificateAuthority,
        IReadOnlyList<string> dnsNames,
        IReadOnlyList<IPAddress> ipAddresses)
    {
        _der = der;
        Key = key;
        SubjectName = subjectName;
        CommonName = commonName;
        SerialNumber = CryptoUtil.ToHex(serialNumber).ToUpperInvariant();
        NotBefore = notBefore;
        NotAfter = notAfter;
        IsCertificateAuthority = isCertificateAuthority;
        DnsNames = dnsNames;
        IpAddresses = ipAddresses;
    }

    /// <summary>The certificate (DER).</summary>
    public byte[] CertificateDer => (byte[])_der.Clone();

    /// <summary>The certificate as PEM <c>-----BEGIN CERTIFICATE-----</c>.</summary>
    public string CertificatePem => PemWriter.Encode("CERTIFICATE", _der);

    /// <summary>The certified key pair (its private half signs TLS handshakes, or, for a CA, further certificates).</summary>
    public CertificateKeyPair Key { get; }

    /// <summary>The subject's common name.</summary>
    public string CommonName { get; }

    /// <summary>The subject, in encoding order, as <c>O=...,CN=...</c>.</summary>
    public string Subject => SubjectName.ToString();

    /// <summary>The serial number in upper-case hexadecimal (as <c>openssl x509 -serial</c> prints it).</summary>
    public string SerialNumber { get; }

    /// <summary>Start of validity (whole seconds, UTC).</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>End of validity (whole seconds, UTC).</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>True for a CA certificate (basicConstraints cA TRUE).</summary>
    public bool IsCertificateAuthority { get; }

    /// <summary>The dNSName subject alternative names.</summary>
    public IReadOnlyList<string> DnsNames { get; }

    /// <summary>The iPAddress subject alternative names.</summary>
    public IReadOnlyList<IPAddress> IpAddresses { get; }

    /// <summary>The subject name as encoded (the issuer name of certificates this one signs).</summary>
    internal X509Name SubjectName { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Subject} (serial {SerialNumber}, {Key.Algorithm})";
}
