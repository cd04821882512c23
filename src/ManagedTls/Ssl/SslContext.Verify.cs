using ManagedTls.X509;
using ManagedTls.X509.PeerCert;
using ManagedTls.X509.Store;

namespace ManagedTls.Ssl;

/// <content>Trust material: CA files, hashed directories, in-memory CA data, system defaults.</content>
public sealed partial class SslContext
{
    private readonly CertificateStore _certStore = new();

    /// <summary>
    /// Python's <c>load_verify_locations(cafile, capath, cadata)</c>. <paramref name="cadata"/> is loaded first
    /// (a <see cref="string"/> of PEM text, or DER bytes as <see cref="byte"/>[], <see cref="ArraySegment{T}"/> or
    /// <see cref="ReadOnlyMemory{T}"/>: one or more concatenated certificates), then <paramref name="cafile"/> (a PEM
    /// bundle: certificates, <c>TRUSTED CERTIFICATE</c> blocks and CRLs, text between blocks ignored), then
    /// <paramref name="capath"/> (an OpenSSL hashed directory, read lazily during verification; not checked to exist,
    /// as in Python). Certificates already present are ignored.
    /// </summary>
    /// <param name="cafile">PEM bundle file, or null.</param>
    /// <param name="capath">Hashed directory (or a <c>:</c>-separated list), or null.</param>
    /// <param name="cadata">PEM text or DER bytes, or null.</param>
    /// <exception cref="ArgumentException">All three null, or <paramref name="cadata"/> of another type or not ASCII
    /// (Python's <c>TypeError</c>), or empty (Python's <c>ValueError</c>: <c>Empty certificate data</c>).</exception>
    /// <exception cref="FileNotFoundException"><paramref name="cafile"/> does not exist (Python's <c>FileNotFoundError</c>).</exception>
    /// <exception cref="IOException"><paramref name="cafile"/> is a directory (Python's <c>IsADirectoryError</c>).</exception>
    /// <exception cref="SslException">No certificate or CRL found, or malformed content (Python's <c>SSLError</c>).</exception>
    public void LoadVerifyLocations(string? cafile = null, string? capath = null, object? cadata = null)
    {
        if (cafile is null && capath is null && cadata is null)
        {
            throw new ArgumentException("cafile, capath and cadata cannot be all omitted");
        }

        try
        {
            switch (cadata)
            {
                case null:
                    break;
                case string pem:
                    _certStore.AddCaData(pem);
                    break;
                case byte[] der:
                    _certStore.AddCaData(der);
                    break;
                case ArraySegment<byte> segment:
                    _certStore.AddCaData(segment.AsSpan().ToArray());
                    break;
                case ReadOnlyMemory<byte> memory:
                    _certStore.AddCaData(memory.ToArray());
                    break;
                case Memory<byte> memory:
                    _certStore.AddCaData(memory.ToArray());
                    break;
                default:
                    throw new ArgumentException("cadata should be an ASCII string or a bytes-like object");
            }

            if (cafile is not null)
            {
                _certStore.LoadPemFile(cafile);
            }

            if (capath is not null)
            {
                _certStore.AddHashedDirectory(capath);
            }
        }
        catch (CertificateStoreException e)
        {
            throw new SslException(e.Library, e.Reason, e.Message, e);
        }
    }

    /// <summary>
    /// Python's <c>set_default_verify_paths()</c>: loads the system CA bundle now and registers the system hashed
    /// directory, honouring <c>SSL_CERT_FILE</c> and <c>SSL_CERT_DIR</c> (see <see cref="SystemTrustLocations"/>).
    /// Like OpenSSL it does not fail when nothing is found; unlike Python it returns what it tried and loaded.
    /// </summary>
    /// <returns>Files tried, the file loaded and how many certificates it held, directories registered.</returns>
    public DefaultVerifyPathsResult SetDefaultVerifyPaths() => _certStore.LoadDefaultVerifyPaths();

    /// <summary>
    /// Python's <c>load_default_certs(purpose)</c>. On every platform this loads the same system locations as
    /// <see cref="SetDefaultVerifyPaths"/> (Python does so everywhere but Windows, where it reads the system
    /// stores; this library does not read the Windows certificate store).
    /// </summary>
    /// <param name="purpose">What the certificates are for; only checked to be defined.</param>
    /// <returns>What was tried and loaded.</returns>
    public DefaultVerifyPathsResult LoadDefaultCerts(Purpose purpose = Purpose.ServerAuth)
    {
        if (purpose is not (Purpose.ServerAuth or Purpose.ClientAuth))
        {
            throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "purpose must be ServerAuth or ClientAuth");
        }

        return SetDefaultVerifyPaths();
    }

    /// <summary>
    /// Python's <c>cert_store_stats()</c>: certificates and CRLs held in memory and how many certificates are CAs.
    /// Certificates in hashed directories count only after verification has looked them up, as in Python.
    /// </summary>
    /// <returns>The counts; <see cref="CertificateStoreStats.ToDictionary"/> gives Python's dict.</returns>
    public CertificateStoreStats CertStoreStats() => _certStore.GetStats();

    /// <summary>
    /// Python's <c>get_ca_certs(binary_form)</c>: the CA certificates held in memory (from <c>cafile</c>,
    /// <c>cadata</c>, the default bundle, and directory certificates already used), in OpenSSL's store order.
    /// </summary>
    /// <param name="binaryForm">True for DER <see cref="byte"/>[] items, false for the dictionaries
    /// <see cref="PeerCertificate.Decode"/> returns (Python's <c>getpeercert()</c> form).</param>
    /// <returns>A list of <see cref="byte"/>[] or of <see cref="IReadOnlyDictionary{TKey,TValue}"/> items.</returns>
    public IReadOnlyList<object> GetCaCerts(bool binaryForm = false)
    {
        IReadOnlyList<byte[]> ders = _certStore.GetCaCertificates();
        return binaryForm
            ? ders.Select(d => (object)d.Clone()).ToArray()
            : ders.Select(d => (object)PeerCertificate.Decode(d)).ToArray();
    }

    /// <summary>
    /// openssl's s_client and s_server without <c>-verify_return_error</c> (a verify callback that accepts every
    /// certificate): the peer's certificate is still requested, and required, as <see cref="VerifyMode"/> says, but the
    /// handshake neither verifies its chain nor checks the host name, and never fails on them. The caller checks the
    /// chain after the handshake with <see cref="VerifyPeerChain"/> and decides what to do. Off by default, and not public:
    /// until the caller has checked, such a connection authenticates nobody.
    /// </summary>
    internal bool DangerousDeferPeerVerification { get; set; }

    /// <summary>
    /// Verifies a peer's chain (leaf first, DER) against this context's trust store and verify flags, as a handshake
    /// of this context does (the leaf's key must allow digitalSignature), without a host name: what openssl's s_client
    /// and s_server report after a handshake made with <see cref="DangerousDeferPeerVerification"/>.
    /// </summary>
    /// <param name="chain">The chain the peer sent (<see cref="SslObject.GetUnverifiedChain"/>); not empty.</param>
    /// <param name="serverSide">True when this side is the server, so the chain is a client's.</param>
    /// <param name="maxDepth">Most intermediate CA certificates allowed (OpenSSL's verify depth).</param>
    /// <returns>The verified path, or OpenSSL's error code and text.</returns>
    internal VerifyResult VerifyPeerChain(IReadOnlyList<byte[]> chain, bool serverSide, int maxDepth = 100) =>
        CertificateVerifier.Verify(new VerifyRequest
        {
            PeerChain = chain,
            Trust = new TrustStore(_certStore.GetCertificates(), [_certStore]) { Identity = _certStore },
            Purpose = serverSide ? VerifyPurpose.ClientAuth : VerifyPurpose.ServerAuth,
            Flags = _verifyFlags,
            HostnameChecksCommonName = HostnameChecksCommonName,
            MaxDepth = maxDepth,
            SecurityLevel = _securityLevel,
            RequiredLeafKeyUsage = VerifyRequest.KeyUsageDigitalSignature,
        });

    /// <summary>
    /// Refuses an own chain (leaf first) that this context's <see cref="SecurityLevel"/> forbids, as OpenSSL does while
    /// Python's <c>load_cert_chain</c> reads it: the leaf's key is <c>[SSL: EE_KEY_TOO_SMALL] ee key too small</c>, an
    /// intermediate's key <c>[SSL: CA_KEY_TOO_SMALL] ca key too small</c>, and the signature algorithm of any certificate
    /// that is not self-signed <c>[SSL: CA_MD_TOO_WEAK] ca md too weak</c> (decision 0028).
    /// </summary>
    /// <param name="chain">The chain as loaded.</param>
    /// <exception cref="SslException">The chain is too weak for the level.</exception>
    private void CheckOwnChainStrength(IReadOnlyList<byte[]> chain)
    {
        if (CertificateVerifier.CheckOwnChainStrength(chain, _securityLevel) is not { } failure)
        {
            return;
        }

        throw failure.Code == VerifyError.CaMdTooWeak ? new SslException("SSL", "CA_MD_TOO_WEAK", "ca md too weak")
            : failure.Index == 0 ? new SslException("SSL", "EE_KEY_TOO_SMALL", "ee key too small")
            : new SslException("SSL", "CA_KEY_TOO_SMALL", "ca key too small");
    }

    /// <summary>The store behind this context, for the certificate verifier.</summary>
    internal CertificateStore CertStore => _certStore;

    /// <summary>Trust anchors held in memory (DER), in store order: every certificate loaded, CA or not, as OpenSSL trusts them.</summary>
    internal IReadOnlyList<byte[]> TrustAnchorsDer => _certStore.GetCertificates();

    /// <summary>
    /// Where the verifier looks up issuers by subject during path building: the store itself, which answers from
    /// memory and from its hashed directories (recording what directories return, so statistics follow OpenSSL's).
    /// </summary>
    internal IReadOnlyList<ICertificateSource> CertificateSources => new ICertificateSource[] { _certStore };

    /// <summary>CRLs held in memory (DER); directory CRLs come from <see cref="CertificateStore.FindCrlsByIssuer"/>.</summary>
    internal IReadOnlyList<byte[]> CrlsDer => _certStore.GetCrls();
}
