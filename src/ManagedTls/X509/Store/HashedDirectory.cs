namespace ManagedTls.X509.Store;

/// <summary>
/// An OpenSSL hashed certificate directory (<c>capath</c>, as made by <c>c_rehash</c> or
/// <c>openssl rehash</c>): certificates live in files named <c>HHHHHHHH.N</c> and CRLs in <c>HHHHHHHH.rN</c>,
/// where <c>HHHHHHHH</c> is the subject (or CRL issuer) hash and <c>N</c> counts 0, 1, 2… up to the first
/// missing file. Nothing is read until a lookup asks for a name, as OpenSSL does; files already read are
/// remembered and only newer suffixes are tried on the next lookup.
/// </summary>
public sealed class HashedDirectory : ICertificateSource
{
    private readonly object _gate = new();
    private readonly Dictionary<uint, int> _nextCert = new();
    private readonly Dictionary<uint, int> _nextCrl = new();
    private readonly Dictionary<uint, List<(byte[] Canon, byte[] Der)>> _certs = new();
    private readonly Dictionary<uint, List<(byte[] Canon, byte[] Der)>> _crls = new();

    /// <summary>Creates a source over <paramref name="path"/>; the directory need not exist (lookups then find nothing).</summary>
    /// <param name="path">The directory.</param>
    public HashedDirectory(string path)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>How many files have been read so far (certificates and CRLs).</summary>
    public int FilesRead { get; private set; }

    /// <inheritdoc />
    public IEnumerable<byte[]> FindBySubject(byte[] subjectNameDer)
    {
        byte[] canon = X509NameHash.Canonical(subjectNameDer);
        uint hash = X509NameHash.HashCanonical(canon);
        lock (_gate)
        {
            Load(hash, crl: false);
            return Matches(_certs, hash, canon);
        }
    }

    /// <summary>CRLs (DER) whose issuer equals <paramref name="issuerNameDer"/>, from the <c>HHHHHHHH.rN</c> files.</summary>
    /// <param name="issuerNameDer">DER of the CRL issuer Name.</param>
    /// <returns>Zero or more DER CRLs.</returns>
    public IEnumerable<byte[]> FindCrlsByIssuer(byte[] issuerNameDer)
    {
        byte[] canon = X509NameHash.Canonical(issuerNameDer);
        uint hash = X509NameHash.HashCanonical(canon);
        lock (_gate)
        {
            Load(hash, crl: true);
            return Matches(_crls, hash, canon);
        }
    }

    private static List<byte[]> Matches(Dictionary<uint, List<(byte[] Canon, byte[] Der)>> map, uint hash, byte[] canon)
    {
        var result = new List<byte[]>();
        if (map.TryGetValue(hash, out var list))
        {
            foreach (var (c, der) in list)
            {
                if (c.AsSpan().SequenceEqual(canon))
                {
                    result.Add(der);
                }
            }
        }

        return result;
    }

    private void Load(uint hash, bool crl)
    {
        var next = crl ? _nextCrl : _nextCert;
        var map = crl ? _crls : _certs;
        next.TryGetValue(hash, out int n);
        if (!map.TryGetValue(hash, out var list))
        {
            list = new List<(byte[] Canon, byte[] Der)>();
            map[hash] = list;
        }

        string prefix = System.IO.Path.Combine(Path, X509NameHash.HashHex(hash) + (crl ? ".r" : "."));
        while (true)
        {
            string file = prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!File.Exists(file))
            {
                break;
            }

            n++;
            FilesRead++;
            foreach (var item in ReadFile(file, crl))
            {
                list.Add(item);
            }
        }

        next[hash] = n;
    }

    private static List<(byte[] Canon, byte[] Der)> ReadFile(string file, bool crl)
    {
        var result = new List<(byte[] Canon, byte[] Der)>();
        try
        {
            string text = PemReader.Latin1(File.ReadAllBytes(file));
            foreach (PemBlock block in PemReader.Read(text))
            {
                if (crl && block.Label == "X509 CRL")
                {
                    var info = CrlInfo.Parse(block.Data);
                    result.Add((info.IssuerCanonical, block.Data));
                }
                else if (!crl && CertificateStore.IsCertificateLabel(block.Label, trusted: true))
                {
                    byte[] der = CertificateStore.CertificateFromBlock(block);
                    var cert = RawCertificate.Parse(der);
                    result.Add((X509NameHash.Canonical(cert.Subject), der));
                }
            }
        }
        catch (Exception e) when (e is CertificateStoreException or TlsAlertException or IOException or UnauthorizedAccessException)
        {
            // OpenSSL's directory lookup treats an unreadable or broken file as holding nothing and goes on.
        }

        return result;
    }
}
