using System.Net;
using System.Net.Sockets;
using ManagedTls.Crypto;
using ManagedTls.X509.Validation;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ManagedTls.X509.Builder;

/// <summary>
/// Makes X.509 v3 certificates for tests, demos and private deployments: a self-signed CA
/// (<see cref="CreateCertificateAuthority"/>) and leaf certificates it signs (<see cref="CreateLeaf"/>) with DNS and IP
/// subject alternative names. The profile is RFC 5280's and passes <see cref="CertificateVerifier"/> (also with
/// <see cref="VerifyFlags.VerifyX509Strict"/>) and <c>openssl verify</c>:
/// <list type="bullet">
/// <item>CA: basicConstraints critical cA TRUE (with a path length), keyUsage critical keyCertSign | cRLSign,
/// subjectKeyIdentifier.</item>
/// <item>Leaf: basicConstraints critical cA FALSE, keyUsage critical digitalSignature, extendedKeyUsage serverAuth
/// and/or clientAuth, subjectAltName, authorityKeyIdentifier (the CA's key identifier), subjectKeyIdentifier.</item>
/// <item>Serial numbers are 16 random bytes (positive, never zero); validity runs from <see cref="Backdate"/> before
/// the clock's time to <see cref="Validity"/> after it (a leaf never outlives its CA).</item>
/// </list>
/// Signatures are made by the library's own signing code (ECDSA with RFC 6979 nonces, Ed25519), and randomness comes
/// from the given <see cref="IEntropySource"/>, so building certificates never loads native OpenSSL.
/// </summary>
public sealed class CertificateBuilder
{
    private const int SerialLength = 16;
    private const int MaxCommonNameLength = 64; // ub-common-name, RFC 5280 appendix A.1

    /// <summary>Creates a builder.</summary>
    /// <param name="entropy">Source of key material and serial numbers; null for <see cref="OsEntropy.Instance"/>.</param>
    /// <param name="clock">The current time, read once per certificate; null for <see cref="DateTimeOffset.UtcNow"/>.</param>
    public CertificateBuilder(IEntropySource? entropy = null, Func<DateTimeOffset>? clock = null)
    {
        Entropy = entropy ?? OsEntropy.Instance;
        Clock = clock ?? (static () => DateTimeOffset.UtcNow);
    }

    /// <summary>Where key material and serial numbers come from.</summary>
    public IEntropySource Entropy { get; }

    /// <summary>The clock that validity periods start from.</summary>
    public Func<DateTimeOffset> Clock { get; }

    /// <summary>The kind of key generated when a method is not given one. Default <see cref="CertificateKeyAlgorithm.EcdsaP256"/>.</summary>
    public CertificateKeyAlgorithm KeyAlgorithm { get; set; } = CertificateKeyAlgorithm.EcdsaP256;

    /// <summary>How long certificates stay valid after the clock's time. Default 30 days; must be positive.</summary>
    public TimeSpan Validity { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long before the clock's time validity starts, to absorb clock skew between peers. Default 5 minutes; not negative.</summary>
    public TimeSpan Backdate { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An organizationName (O) put before the common name in every subject, or null for none.</summary>
    public string? Organization { get; set; }

    /// <summary>
    /// A self-signed CA certificate (the issuer and subject are the same name, and the certificate is signed by its own key).
    /// </summary>
    /// <param name="commonName">The CA's common name (1 to 64 characters).</param>
    /// <param name="pathLength">The basicConstraints pathLenConstraint: 0 (the default) lets the CA sign leaves only;
    /// null leaves the path length unlimited.</param>
    /// <param name="key">The CA's key; null to generate one of <see cref="KeyAlgorithm"/>.</param>
    /// <returns>The CA certificate and its key.</returns>
    /// <exception cref="ArgumentException">A bad name, a negative path length, a disposed key, or a bad validity setting.</exception>
    public GeneratedCertificate CreateCertificateAuthority(string commonName, int? pathLength = 0, CertificateKeyPair? key = null)
    {
        X509Name subject = Name(commonName);
        if (pathLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pathLength), pathLength, "the path length cannot be negative");
        }

        key = UsableKey(key, nameof(key));
        (DateTimeOffset notBefore, DateTimeOffset notAfter) = ValidityPeriod(null);
        byte[] keyId = key.KeyIdentifier();

        var extensions = new X509ExtensionsGenerator();
        extensions.AddExtension(X509Extensions.BasicConstraints, true, pathLength is int p ? new BasicConstraints(p) : new BasicConstraints(true));
        extensions.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        extensions.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId));

        return Sign(subject, commonName, key, subject, key, notBefore, notAfter, extensions.Generate(), isCa: true, [], []);
    }

    /// <summary>A leaf (end-entity) certificate signed by <paramref name="issuer"/>.</summary>
    /// <param name="issuer">The CA that signs it (made by <see cref="CreateCertificateAuthority"/>).</param>
    /// <param name="commonName">The subject's common name (1 to 64 characters). Verifiers that find subject
    /// alternative names ignore it, so put every host name in <paramref name="dnsNames"/>.</param>
    /// <param name="dnsNames">dNSName subject alternative names: host names in A-label form, a <c>*</c> first label allowed.</param>
    /// <param name="ipAddresses">iPAddress subject alternative names (IPv4 or IPv6).</param>
    /// <param name="usages">The extended key usages; <see cref="CertificateUsages.None"/> writes no extendedKeyUsage extension.</param>
    /// <param name="key">The subject's key; null to generate one of <see cref="KeyAlgorithm"/>.</param>
    /// <returns>The leaf certificate and its key.</returns>
    /// <exception cref="ArgumentException">A bad name, an issuer that is not a CA or whose key was disposed, a disposed key,
    /// or a bad validity setting.</exception>
    /// <exception cref="InvalidOperationException">The issuer's validity has ended before the new certificate's would start.</exception>
    public GeneratedCertificate CreateLeaf(
        GeneratedCertificate issuer,
        string commonName,
        IEnumerable<string>? dnsNames = null,
        IEnumerable<IPAddress>? ipAddresses = null,
        CertificateUsages usages = CertificateUsages.ServerAuth | CertificateUsages.ClientAuth,
        CertificateKeyPair? key = null)
    {
        if (issuer is null)
        {
            throw new ArgumentNullException(nameof(issuer));
        }

        if (!issuer.IsCertificateAuthority)
        {
            throw new ArgumentException("the issuer is not a CA certificate", nameof(issuer));
        }

        if (issuer.Key.IsDisposed)
        {
            throw new ArgumentException("the issuer's key was disposed", nameof(issuer));
        }

        X509Name subject = Name(commonName);
        string[] dns = dnsNames?.ToArray() ?? [];
        IPAddress[] ips = ipAddresses?.ToArray() ?? [];
        var altNames = new List<GeneralName>();
        foreach (string name in dns)
        {
            if (name is null || !NameSyntax.IsDnsName(name, allowWildcard: true))
            {
                throw new ArgumentException($"'{name}' is not a DNS name in preferred syntax (letters, digits, hyphens; A-labels)", nameof(dnsNames));
            }

            altNames.Add(new GeneralName(GeneralName.DnsName, name));
        }

        foreach (IPAddress address in ips)
        {
            if (address is null || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                throw new ArgumentException("IP addresses must be IPv4 or IPv6 addresses", nameof(ipAddresses));
            }

            altNames.Add(new GeneralName(GeneralName.IPAddress, new DerOctetString(address.GetAddressBytes())));
        }

        key = UsableKey(key, nameof(key));
        (DateTimeOffset notBefore, DateTimeOffset notAfter) = ValidityPeriod(issuer);

        var extensions = new X509ExtensionsGenerator();
        extensions.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        extensions.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        var purposes = new List<KeyPurposeID>();
        if ((usages & CertificateUsages.ServerAuth) != 0)
        {
            purposes.Add(KeyPurposeID.id_kp_serverAuth);
        }

        if ((usages & CertificateUsages.ClientAuth) != 0)
        {
            purposes.Add(KeyPurposeID.id_kp_clientAuth);
        }

        if (purposes.Count > 0)
        {
            extensions.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(purposes.ToArray()));
        }

        if (altNames.Count > 0)
        {
            // Non-critical: the subject name is not empty (RFC 5280 section 4.2.1.6).
            extensions.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(altNames.ToArray()));
        }

        extensions.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuer.Key.KeyIdentifier()));
        extensions.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(key.KeyIdentifier()));

        return Sign(subject, commonName, key, issuer.SubjectName, issuer.Key, notBefore, notAfter, extensions.Generate(), isCa: false, dns, ips);
    }

    // Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
    // TBSCertificate ::= SEQUENCE { version [0] EXPLICIT Version (v3 = 2), serialNumber INTEGER, signature AlgorithmIdentifier,
    //     issuer Name, validity SEQUENCE { notBefore Time, notAfter Time }, subject Name, subjectPublicKeyInfo,
    //     extensions [3] EXPLICIT Extensions }                                                        (RFC 5280 section 4.1)
    private GeneratedCertificate Sign(
        X509Name subject,
        string commonName,
        CertificateKeyPair subjectKey,
        X509Name issuer,
        CertificateKeyPair issuerKey,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        X509Extensions extensions,
        bool isCa,
        IReadOnlyList<string> dnsNames,
        IReadOnlyList<IPAddress> ipAddresses)
    {
        byte[] serial = new byte[SerialLength];
        Entropy.GetBytes(serial);
        serial[0] = (byte)((serial[0] & 0x7f) | 0x40); // positive, non-zero, and exactly 16 octets in DER

        AlgorithmIdentifier signatureAlgorithm = issuerKey.SignatureAlgorithmIdentifier;
        var tbs = new DerSequence(
            new DerTaggedObject(true, 0, DerInteger.ValueOf(2)),
            new DerInteger(new BcBigInteger(1, serial)),
            signatureAlgorithm,
            issuer,
            new DerSequence(new Time(notBefore.UtcDateTime), new Time(notAfter.UtcDateTime)),
            subject,
            SubjectPublicKeyInfo.GetInstance(Asn1Object.FromByteArray(subjectKey.SubjectPublicKeyInfo)),
            new DerTaggedObject(true, 3, extensions));
        byte[] tbsDer = tbs.GetDerEncoded();
        byte[] signature = issuerKey.PrivateKey.Sign(issuerKey.SignatureAlgorithm, tbsDer, Entropy);
        byte[] der = new DerSequence(tbs, signatureAlgorithm, new DerBitString(signature)).GetDerEncoded();
        return new GeneratedCertificate(der, subjectKey, subject, commonName, serial, notBefore, notAfter, isCa, dnsNames, ipAddresses);
    }

    private X509Name Name(string commonName)
    {
        if (commonName is null)
        {
            throw new ArgumentNullException(nameof(commonName));
        }

        if (commonName.Length is 0 or > MaxCommonNameLength)
        {
            throw new ArgumentException($"the common name must be 1 to {MaxCommonNameLength} characters", nameof(commonName));
        }

        var oids = new List<DerObjectIdentifier>();
        var values = new List<string>();
        if (Organization is { } organization)
        {
            if (organization.Length is 0 or > MaxCommonNameLength)
            {
                throw new ArgumentException($"the organization must be 1 to {MaxCommonNameLength} characters", nameof(Organization));
            }

            oids.Add(X509Name.O);
            values.Add(organization);
        }

        oids.Add(X509Name.CN);
        values.Add(commonName);
        return new X509Name(oids, values);
    }

    private CertificateKeyPair UsableKey(CertificateKeyPair? key, string parameter)
    {
        if (key is null)
        {
            return CertificateKeyPair.Generate(KeyAlgorithm, Entropy);
        }

        return key.IsDisposed ? throw new ArgumentException("the key was disposed", parameter) : key;
    }

    private (DateTimeOffset NotBefore, DateTimeOffset NotAfter) ValidityPeriod(GeneratedCertificate? issuer)
    {
        if (Validity <= TimeSpan.Zero)
        {
            throw new ArgumentException("the validity must be positive", nameof(Validity));
        }

        if (Backdate < TimeSpan.Zero)
        {
            throw new ArgumentException("the backdate cannot be negative", nameof(Backdate));
        }

        DateTimeOffset now = Clock().ToUniversalTime();
        DateTimeOffset notBefore = WholeSeconds(now - Backdate);
        DateTimeOffset notAfter = WholeSeconds(now + Validity);
        if (issuer is not null)
        {
            if (notAfter > issuer.NotAfter)
            {
                notAfter = issuer.NotAfter;
            }

            if (notAfter <= notBefore)
            {
                throw new InvalidOperationException($"the issuer's validity ended at {issuer.NotAfter:u}");
            }
        }

        return (notBefore, notAfter);
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset t) =>
        new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
