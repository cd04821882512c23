namespace ManagedTls.Interop.Peers;

/// <summary>
/// Keys and self-signed certificates for the peers, made once per test collection with the openssl CLI into a
/// temporary directory (nothing private is kept in the repository): an ECDSA P-256 and an RSA-2048 server
/// certificate for CN=localhost (SAN DNS:localhost, IP:127.0.0.1), an ECDSA P-256 client certificate, and the
/// ffdhe2048 DH parameters.
/// Every file is PEM; keys are unencrypted PKCS#8.
/// </summary>
public sealed class PeerCertificates : IDisposable
{
    public PeerCertificates()
    {
        EcdsaCert = Path.Combine(Dir, "ecdsa-cert.pem");
        EcdsaKey = Path.Combine(Dir, "ecdsa-key.pem");
        RsaCert = Path.Combine(Dir, "rsa-cert.pem");
        RsaKey = Path.Combine(Dir, "rsa-key.pem");
        ClientCert = Path.Combine(Dir, "client-cert.pem");
        ClientKey = Path.Combine(Dir, "client-key.pem");
        DhParams = Path.Combine(Dir, "dh-ffdhe2048.pem");
        OpenSslProcess.Run(["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", DhParams]);
        string[] server = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"];
        OpenSslProcess.Run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", .. server, "-keyout", EcdsaKey, "-out", EcdsaCert]);
        OpenSslProcess.Run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", .. server, "-keyout", RsaKey, "-out", RsaCert]);
        OpenSslProcess.Run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/O=Peers/CN=peer-client", "-keyout", ClientKey, "-out", ClientCert,
        ]);
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("mtls-peers-").FullName;

    /// <summary>ECDSA P-256 server certificate (CN=localhost).</summary>
    public string EcdsaCert { get; }

    public string EcdsaKey { get; }

    /// <summary>RSA-2048 server certificate (CN=localhost).</summary>
    public string RsaCert { get; }

    public string RsaKey { get; }

    /// <summary>ECDSA P-256 client certificate (O=Peers, CN=peer-client).</summary>
    public string ClientCert { get; }

    public string ClientKey { get; }

    /// <summary>DH parameters (the RFC 7919 ffdhe2048 group, PEM "DH PARAMETERS") for a server offering DHE suites.</summary>
    public string DhParams { get; }

    /// <summary>The DER of the first certificate in a PEM file.</summary>
    public static byte[] Der(string pemFile)
    {
        string pem = File.ReadAllText(pemFile);
        string body = pem.Split("-----BEGIN CERTIFICATE-----")[1].Split("-----END CERTIFICATE-----")[0];
        return Convert.FromBase64String(body.Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>The peer tests share one set of certificates and run one after another (each starts processes).</summary>
[CollectionDefinition(Name)]
public sealed class PeersCollection : ICollectionFixture<PeerCertificates>
{
    public const string Name = "Peers";
}
