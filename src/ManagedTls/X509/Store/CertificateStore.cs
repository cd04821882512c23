namespace ManagedTls.X509.Store;

/// <summary>Counts of what a <see cref="CertificateStore"/> holds, as Python's <c>cert_store_stats()</c> reports them.</summary>
/// <param name="X509">Certificates in memory (those from hashed directories only once a lookup has loaded them).</param>
/// <param name="Crl">CRLs in memory.</param>
/// <param name="X509Ca">Certificates among <paramref name="X509"/> that OpenSSL's <c>X509_check_ca</c> accepts as CA.</param>
public sealed record CertificateStoreStats(int X509, int Crl, int X509Ca)
{
    /// <summary>Python's dict form: <c>{'x509': n, 'crl': n, 'x509_ca': n}</c>.</summary>
    /// <returns>The three counts under Python's keys, in Python's order.</returns>
    public IReadOnlyDictionary<string, int> ToDictionary() => new Dictionary<string, int>
    {
        ["x509"] = X509,
        ["crl"] = Crl,
        ["x509_ca"] = X509Ca,
    };
}

/// <summary>
/// A trust store with OpenSSL's semantics: certificates and CRLs held in memory (from PEM bundles, DER files
/// or in-memory data), duplicates ignored, plus hashed directories consulted lazily by subject. Thread-safe.
/// </summary>
/// <remarks>
/// Errors: a missing file is <see cref="FileNotFoundException"/> (Python <c>FileNotFoundError</c>), a directory
/// given as a file is <see cref="IOException"/> (Python <c>IsADirectoryError</c>), content without any
/// certificate or CRL and malformed content are <see cref="CertificateStoreException"/> (Python <c>SSLError</c>),
/// empty or non-ASCII in-memory data is <see cref="ArgumentException"/> (Python <c>ValueError</c>/<c>TypeError</c>).
/// </remarks>
public sealed partial class CertificateStore : ICertificateSource
{
    private readonly object _gate = new();
    private readonly List<StoredCertificate> _certs = new();
    private readonly HashSet<string> _certKeys = new(StringComparer.Ordinal);
    private readonly List<CrlInfo> _crls = new();
    private readonly HashSet<string> _crlKeys = new(StringComparer.Ordinal);
    private readonly List<ICertificateSource> _sources = new();
    private long _sequence;
    private long _generation;
    private int _sourceCount;

    // OpenSSL keeps its objects in a stack that is sorted by subject before every insertion or lookup and then
    // appended to, so the most recently added certificate sits unsorted at the end until the next operation.
    private StoredCertificate? _unsortedLast;

    /// <summary>
    /// Loads a PEM file the way OpenSSL's <c>X509_load_cert_crl_file</c> does (Python's <c>cafile</c>):
    /// every <c>CERTIFICATE</c>, <c>X509 CERTIFICATE</c>, <c>TRUSTED CERTIFICATE</c> and <c>X509 CRL</c> block,
    /// ignoring text between blocks and blocks of other kinds. All or nothing: a broken block loads nothing.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>How many certificates and CRLs the file held (duplicates of what the store has included).</returns>
    public int LoadPemFile(string path)
    {
        string text = PemReader.Latin1(ReadFile(path));
        var certs = new List<byte[]>();
        var crls = new List<CrlInfo>();
        try
        {
            foreach (PemBlock block in PemReader.Read(text))
            {
                if (IsCertificateLabel(block.Label, trusted: true))
                {
                    byte[] der = CertificateFromBlock(block);
                    RawCertificate.Parse(der);
                    certs.Add(der);
                }
                else if (block.Label == "X509 CRL")
                {
                    crls.Add(CrlInfo.Parse(block.Data));
                }
            }
        }
        catch (Exception e) when (e is CertificateStoreException or TlsAlertException)
        {
            throw new CertificateStoreException("X509", null, "PEM lib", e);
        }

        if (certs.Count + crls.Count == 0)
        {
            throw NoCertificateOrCrl();
        }

        foreach (byte[] der in certs)
        {
            AddCertificate(der);
        }

        foreach (CrlInfo crl in crls)
        {
            AddCrlInfo(crl);
        }

        return certs.Count + crls.Count;
    }

    /// <summary>Loads one DER certificate from a file (OpenSSL's <c>X509_FILETYPE_ASN1</c>).</summary>
    /// <param name="path">The file.</param>
    /// <returns>1.</returns>
    public int LoadDerFile(string path)
    {
        byte[] der = ReadFile(path);
        if (der.Length == 0)
        {
            throw NoCertificateOrCrl();
        }

        try
        {
            RawCertificate.Parse(der);
        }
        catch (TlsAlertException e)
        {
            throw new CertificateStoreException("ASN1", "NESTED_ASN1_ERROR", "nested asn1 error", e);
        }

        AddCertificate(der);
        return 1;
    }

    /// <summary>
    /// Python's <c>cadata</c> as text: every <c>CERTIFICATE</c> / <c>X509 CERTIFICATE</c> PEM block (other
    /// blocks, including <c>TRUSTED CERTIFICATE</c> and CRLs, are skipped as Python skips them).
    /// Certificates before a broken block stay loaded and the break is then an error, as in Python.
    /// </summary>
    /// <param name="pem">ASCII PEM text.</param>
    /// <returns>How many certificates were read (duplicates included).</returns>
    public int AddCaData(string pem)
    {
        if (pem is null)
        {
            throw new ArgumentNullException(nameof(pem));
        }

        if (pem.Length == 0)
        {
            throw new ArgumentException("Empty certificate data");
        }

        foreach (char c in pem)
        {
            if (c > 0x7f)
            {
                throw new ArgumentException("cadata should be an ASCII string or a bytes-like object");
            }
        }

        int loaded = 0;
        try
        {
            foreach (PemBlock block in PemReader.Read(pem))
            {
                if (!IsCertificateLabel(block.Label, trusted: false))
                {
                    continue;
                }

                try
                {
                    RawCertificate.Parse(block.Data);
                }
                catch (TlsAlertException e)
                {
                    throw new CertificateStoreException("ASN1", "NESTED_ASN1_ERROR", "nested asn1 error", e);
                }

                AddCertificate(block.Data);
                loaded++;
            }
        }
        catch (CertificateStoreException) when (loaded == 0)
        {
            throw new CertificateStoreException(null, null, "no start line: cadata does not contain a certificate");
        }

        if (loaded == 0)
        {
            throw new CertificateStoreException(null, null, "no start line: cadata does not contain a certificate");
        }

        return loaded;
    }

    /// <summary>
    /// Python's <c>cadata</c> as bytes: one or more concatenated DER certificates. Bytes left at the end that
    /// are too few to hold an ASN.1 header are ignored (as OpenSSL's end-of-data); a truncated or malformed
    /// certificate after good ones is an error with the good ones kept.
    /// </summary>
    /// <param name="der">Concatenated DER certificates.</param>
    /// <returns>How many certificates were read (duplicates included).</returns>
    public int AddCaData(byte[] der)
    {
        if (der is null)
        {
            throw new ArgumentNullException(nameof(der));
        }

        if (der.Length == 0)
        {
            throw new ArgumentException("Empty certificate data");
        }

        int loaded = 0;
        int offset = 0;
        while (offset < der.Length)
        {
            int total = ElementLength(der, offset);
            if (total == 0)
            {
                break;
            }

            if (total < 0 || total > der.Length - offset)
            {
                if (loaded == 0)
                {
                    break;
                }

                throw new CertificateStoreException("ASN1", "NOT_ENOUGH_DATA", "not enough data");
            }

            byte[] one = der.AsSpan(offset, total).ToArray();
            try
            {
                RawCertificate.Parse(one);
            }
            catch (TlsAlertException e)
            {
                if (loaded == 0)
                {
                    break;
                }

                throw new CertificateStoreException("ASN1", "NESTED_ASN1_ERROR", "nested asn1 error", e);
            }

            AddCertificate(one);
            loaded++;
            offset += total;
        }

        if (loaded == 0)
        {
            throw new CertificateStoreException(null, null, "not enough data: cadata does not contain a certificate");
        }

        return loaded;
    }

    /// <summary>Adds a DER certificate; false when the identical certificate is already held.</summary>
    /// <param name="der">The certificate.</param>
    /// <returns>True when added.</returns>
    /// <exception cref="TlsAlertException">bad_certificate when <paramref name="der"/> is not a well-formed certificate.</exception>
    public bool AddCertificate(byte[] der)
    {
        var stored = StoredCertificate.Create(der);
        string key = Convert.ToBase64String(der);
        lock (_gate)
        {
            if (!_certKeys.Add(key))
            {
                _unsortedLast = null;
                return false;
            }

            stored.Sequence = _sequence++;
            _certs.Add(stored);
            Volatile.Write(ref _generation, _generation + 1);
            _unsortedLast = stored;
            return true;
        }
    }

    /// <summary>Adds a DER CRL; false when the identical CRL is already held.</summary>
    /// <param name="der">The CRL.</param>
    /// <returns>True when added.</returns>
    public bool AddCrl(byte[] der) => AddCrlInfo(CrlInfo.Parse(der));

    /// <summary>
    /// Adds hashed directories (Python's <c>capath</c>); as OpenSSL, <paramref name="path"/> may list several
    /// separated by the platform's path-list separator (<c>:</c> on Unix). Nothing is read now.
    /// </summary>
    /// <param name="path">One directory or a list.</param>
    public void AddHashedDirectory(string path)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        foreach (string dir in path.Split(Path.PathSeparator))
        {
            if (dir.Length == 0)
            {
                continue;
            }

            lock (_gate)
            {
                if (!_sources.OfType<HashedDirectory>().Any(d => d.Path == dir))
                {
                    _sources.Add(new HashedDirectory(dir));
                    Volatile.Write(ref _sourceCount, _sources.Count);
                    Volatile.Write(ref _generation, _generation + 1);
                }
            }
        }
    }

    /// <summary>Adds another lazily consulted source; certificates it returns are then kept in the store.</summary>
    /// <param name="source">The source.</param>
    public void AddSource(ICertificateSource source)
    {
        if (source is null)
        {
            throw new ArgumentNullException(nameof(source));
        }

        lock (_gate)
        {
            _sources.Add(source);
            Volatile.Write(ref _sourceCount, _sources.Count);
            Volatile.Write(ref _generation, _generation + 1);
        }
    }

    /// <summary>
    /// Counts the changes to what the store holds (a certificate, CRL or source added), so that a snapshot made from
    /// it (a context's frozen configuration) can tell whether it is still current without copying the store.
    /// </summary>
    internal long Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// True when the store consults no other source and has not changed since <paramref name="generation"/>: looking a
    /// subject up then finds only certificates a snapshot taken at that generation already holds.
    /// </summary>
    internal bool UnchangedWithoutSources(long generation) => Volatile.Read(ref _sourceCount) == 0 && Generation == generation;

    /// <summary>The lazily consulted sources (hashed directories first in the order added).</summary>
    public IReadOnlyList<ICertificateSource> Sources
    {
        get
        {
            lock (_gate)
            {
                return _sources.ToArray();
            }
        }
    }

    /// <summary>Python's <c>cert_store_stats()</c>.</summary>
    /// <returns>The counts.</returns>
    public CertificateStoreStats GetStats()
    {
        lock (_gate)
        {
            return new CertificateStoreStats(_certs.Count, _crls.Count, _certs.Count(c => c.IsCa));
        }
    }

    /// <summary>
    /// Every certificate in memory (DER), in OpenSSL's store order: by canonical subject (shorter first, then
    /// bytewise), except that the certificate added last stays at the end until the next insertion or lookup.
    /// </summary>
    /// <returns>DER certificates.</returns>
    public IReadOnlyList<byte[]> GetCertificates() => Ordered(caOnly: false);

    /// <summary>The certificates in memory that are CAs (Python's <c>get_ca_certs()</c> list), in store order.</summary>
    /// <returns>DER certificates.</returns>
    public IReadOnlyList<byte[]> GetCaCertificates() => Ordered(caOnly: true);

    /// <summary>Every CRL in memory (DER), in the order added.</summary>
    /// <returns>DER CRLs.</returns>
    public IReadOnlyList<byte[]> GetCrls()
    {
        lock (_gate)
        {
            return _crls.Select(c => c.Der).ToArray();
        }
    }

    /// <summary>
    /// Certificates whose subject equals <paramref name="subjectNameDer"/> (OpenSSL name comparison): those in
    /// memory and, looked up now, those in the sources; certificates found in sources are added to the store.
    /// </summary>
    /// <param name="subjectNameDer">DER of the subject Name.</param>
    /// <returns>DER certificates.</returns>
    public IEnumerable<byte[]> FindBySubject(byte[] subjectNameDer)
    {
        byte[] canon = X509NameHash.Canonical(subjectNameDer);
        foreach (ICertificateSource source in Sources)
        {
            foreach (byte[] der in source.FindBySubject(subjectNameDer))
            {
                try
                {
                    AddCertificate(der);
                }
                catch (TlsAlertException)
                {
                    // A source that returns something unparsable contributes nothing, as a broken file in a directory.
                }
            }
        }

        lock (_gate)
        {
            _unsortedLast = null;
            return _certs.Where(c => c.SubjectCanonical.AsSpan().SequenceEqual(canon)).Select(c => c.Der).ToArray();
        }
    }

    /// <summary>CRLs issued by <paramref name="issuerNameDer"/>: in memory and from hashed directories (then kept).</summary>
    /// <param name="issuerNameDer">DER of the issuer Name.</param>
    /// <returns>DER CRLs.</returns>
    public IEnumerable<byte[]> FindCrlsByIssuer(byte[] issuerNameDer)
    {
        byte[] canon = X509NameHash.Canonical(issuerNameDer);
        foreach (HashedDirectory dir in Sources.OfType<HashedDirectory>())
        {
            foreach (byte[] der in dir.FindCrlsByIssuer(issuerNameDer))
            {
                AddCrl(der);
            }
        }

        lock (_gate)
        {
            return _crls.Where(c => c.IssuerCanonical.AsSpan().SequenceEqual(canon)).Select(c => c.Der).ToArray();
        }
    }

    internal static bool IsCertificateLabel(string label, bool trusted) =>
        label == "CERTIFICATE" || label == "X509 CERTIFICATE" || (trusted && label == "TRUSTED CERTIFICATE");

    /// <summary>The certificate inside a block; a TRUSTED CERTIFICATE block carries OpenSSL trust settings after it.</summary>
    internal static byte[] CertificateFromBlock(PemBlock block)
    {
        if (block.Label != "TRUSTED CERTIFICATE")
        {
            return block.Data;
        }

        int len = ElementLength(block.Data, 0);
        if (len <= 0 || len > block.Data.Length)
        {
            throw new CertificateStoreException("ASN1", "NOT_ENOUGH_DATA", "not enough data");
        }

        return block.Data.AsSpan(0, len).ToArray();
    }

    /// <summary>
    /// Total length (header and content) of the DER element at <paramref name="offset"/>: 0 when too few bytes
    /// remain for a header, -1 for an indefinite or oversized length.
    /// </summary>
    internal static int ElementLength(byte[] data, int offset)
    {
        int p = offset;
        if (p >= data.Length)
        {
            return 0;
        }

        if ((data[p++] & 0x1f) == 0x1f)
        {
            while (p < data.Length && (data[p] & 0x80) != 0)
            {
                p++;
            }

            p++;
        }

        if (p >= data.Length)
        {
            return 0;
        }

        int first = data[p++];
        long length;
        if (first < 0x80)
        {
            length = first;
        }
        else
        {
            int n = first & 0x7f;
            if (n == 0 || n > 4)
            {
                return -1;
            }

            if (p + n > data.Length)
            {
                return 0;
            }

            length = 0;
            for (int i = 0; i < n; i++)
            {
                length = (length << 8) | data[p++];
            }
        }

        long total = (p - offset) + length;
        return total > int.MaxValue ? -1 : (int)total;
    }

    private static CertificateStoreException NoCertificateOrCrl() =>
        new("X509", "NO_CERTIFICATE_OR_CRL_FOUND", "no certificate or crl found");

    private static byte[] ReadFile(string path)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        if (Directory.Exists(path))
        {
            throw new IOException("Is a directory: " + path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException("No such file or directory", path);
        }

        return File.ReadAllBytes(path);
    }

    private bool AddCrlInfo(CrlInfo crl)
    {
        string key = Convert.ToBase64String(crl.Der);
        lock (_gate)
        {
            _unsortedLast = null;
            if (!_crlKeys.Add(key))
            {
                return false;
            }

            _crls.Add(crl);
            Volatile.Write(ref _generation, _generation + 1);
            return true;
        }
    }

    private byte[][] Ordered(bool caOnly)
    {
        lock (_gate)
        {
            var last = _unsortedLast;
            var ordered = _certs.Where(c => c != last)
                .OrderBy(c => c.SubjectCanonical.Length)
                .ThenBy(c => c.SubjectCanonical, ByteArrayComparer.Instance)
                .ThenBy(c => c.Sequence)
                .ToList();
            if (last is not null)
            {
                ordered.Add(last);
            }

            return ordered.Where(c => !caOnly || c.IsCa).Select(c => c.Der).ToArray();
        }
    }

    private sealed class ByteArrayComparer : IComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y.AsSpan());
    }
}
