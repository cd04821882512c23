using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Wire;
using ManagedTls.X509;
using ManagedTls.X509.Store;

namespace ManagedTls.Ssl;

/// <summary>
/// Python's <c>sni_callback</c>: called on a server when a client's hello names a server (or names none).
/// </summary>
/// <param name="connection">The connection being set up: the <c>SslObject</c> (WrapBio), <c>SslSocket</c> (WrapSocket)
/// or <c>TlsStream</c>; the callback may switch it to another context (<c>Context</c>, or <c>TlsStream.Ssl.Context</c>),
/// as in Python.</param>
/// <param name="serverName">The name the client asked for, or null when it sent none.</param>
/// <param name="context">The context the connection was made from.</param>
/// <returns>Null to go on (Python's <c>None</c>), or an alert to abort the handshake with (Python's
/// <c>ALERT_DESCRIPTION_*</c>). An exception thrown by the callback aborts with <c>handshake_failure</c>.</returns>
public delegate AlertDescription? SniCallback(object connection, string? serverName, SslContext context);

/// <summary>
/// One entry of <see cref="SslContext.GetCiphers"/>, with the keys of Python's dictionary as properties.
/// </summary>
/// <param name="Id">Python's <c>id</c>: OpenSSL's id, <c>0x03000000 | IANA code</c>.</param>
/// <param name="Name">Python's <c>name</c>: OpenSSL's name (the IANA name for TLS 1.3 suites).</param>
/// <param name="Protocol">Python's <c>protocol</c>: the oldest version the suite works with (<c>TLSv1.2</c>).</param>
/// <param name="Description">Python's <c>description</c>: OpenSSL's one-line description.</param>
/// <param name="StrengthBits">Python's <c>strength_bits</c>.</param>
/// <param name="AlgBits">Python's <c>alg_bits</c>.</param>
/// <param name="Aead">Python's <c>aead</c>.</param>
/// <param name="Symmetric">Python's <c>symmetric</c> (<c>aes-256-gcm</c>).</param>
/// <param name="Digest">Python's <c>digest</c>: the MAC hash, null for AEAD suites.</param>
/// <param name="Kea">Python's <c>kea</c> (<c>kx-ecdhe</c>).</param>
/// <param name="Auth">Python's <c>auth</c> (<c>auth-rsa</c>).</param>
public sealed record SslCipherInfo(
    long Id, string Name, string Protocol, string Description, int StrengthBits, int AlgBits, bool Aead, string Symmetric, string? Digest, string Kea, string Auth);

/// <content>Protocol settings: options, versions, verification, ciphers, ALPN, tickets, own certificate, freezing.</content>
public sealed partial class SslContext
{
    private const int MaxPasswordLength = 1024;

    private static readonly Lazy<CipherStringResult> PythonDefaultCiphers = new(() => CipherString.Parse(CipherString.PythonDefault));

    private SslOptions _options = SslOptions.Default;
    private TlsVersion _minimumVersion = TlsVersion.TlsV1_2;
    private TlsVersion _maximumVersion = TlsVersion.MaximumSupported;
    private VerifyMode _verifyMode;
    private bool _checkHostname;
    private VerifyFlags _verifyFlags = VerifyFlags.VerifyX509TrustedFirst;
    private IReadOnlyList<CipherSuiteInfo> _tls12Suites = PythonDefaultCiphers.Value.Suites;
    private IReadOnlyList<CipherSuiteInfo> _tls13Suites = Tls13CipherSuiteList.Default;
    private IReadOnlyList<KeyExchangeGroup> _groups = KeyExchangeGroups.Default;
    private bool _fixedTls12;

    // PROTOCOL_TLSv1 or PROTOCOL_TLSv1_1: a fixed version this engine never speaks.
    private int _securityLevel = PythonDefaultCiphers.Value.SecurityLevel ?? CipherSuites.SecurityLevel.PythonDefault;
    private byte[][] _alpn = Array.Empty<byte[]>();
    private int _numTickets = 2;
    private string? _keylogFilename;
    private SniCallback? _sniCallback;
    private int? _recordSizeLimit;
    private IReadOnlyList<Credential> _credentials = Array.Empty<Credential>();
    private Credential? _lastCredential;
    private FiniteFieldKeyExchange? _dhParameters;

    /// <summary>
    /// Python's <c>options</c>. Starts at <see cref="SslOptions.Default"/> (0x82520050) for every protocol, as Python with OpenSSL 3.
    /// Any bits can be set or cleared; they are interpreted when a connection is made (see <c>docs/python-mapping.md</c>).
    /// </summary>
    public SslOptions Options
    {
        get => _options;
        set => _options = value;
    }

    /// <summary>
    /// Python's <c>minimum_version</c> (default <see cref="TlsVersion.TlsV1_2"/>). SSL 3.0, TLS 1.0 and TLS 1.1 are
    /// accepted and read back as set (as Python), but this library never speaks them: the range a connection uses
    /// starts at TLS 1.2 whatever is lower. <see cref="TlsVersion.MaximumSupported"/> reads back as TLS 1.3, as in Python.
    /// </summary>
    /// <exception cref="ArgumentException">A value that is no <see cref="TlsVersion"/> (Python: <c>Unsupported TLS/SSL version 0x5</c>).</exception>
    public TlsVersion MinimumVersion
    {
        get => _minimumVersion;
        set => _minimumVersion = CheckVersion(RangeSettable(value)) == TlsVersion.MaximumSupported ? TlsVersion.TlsV1_3 : value;
    }

    /// <summary>
    /// Python's <c>maximum_version</c> (default <see cref="TlsVersion.MaximumSupported"/>). A version below TLS 1.2 leaves no
    /// version to speak: making a connection then fails with <c>no protocols available</c>, as OpenSSL's handshake does.
    /// <see cref="TlsVersion.MinimumSupported"/> reads back as TLS 1.2 (Python: TLS 1.0, OpenSSL's lowest).
    /// </summary>
    /// <exception cref="ArgumentException">A value that is no <see cref="TlsVersion"/>.</exception>
    public TlsVersion MaximumVersion
    {
        get => _maximumVersion;
        set => _maximumVersion = CheckVersion(RangeSettable(value)) == TlsVersion.MinimumSupported ? TlsVersion.TlsV1_2 : value;
    }

    /// <summary>
    /// Python's <c>verify_mode</c>: <see cref="VerifyMode.CertRequired"/> for <see cref="SslProtocol.TlsClient"/>,
    /// <see cref="VerifyMode.CertNone"/> otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">Setting <see cref="VerifyMode.CertNone"/> while <see cref="CheckHostname"/> is true
    /// (Python's <c>ValueError</c>: <c>Cannot set verify_mode to CERT_NONE when check_hostname is enabled.</c>), or an
    /// undefined value (<c>invalid value for verify_mode</c>).</exception>
    public VerifyMode VerifyMode
    {
        get => _verifyMode;
        set
        {
            if (value is not (VerifyMode.CertNone or VerifyMode.CertOptional or VerifyMode.CertRequired))
            {
                throw new ArgumentException("invalid value for verify_mode");
            }

            if (value == VerifyMode.CertNone && _checkHostname)
            {
                throw new ArgumentException("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
            }

            _verifyMode = value;
        }
    }

    /// <summary>
    /// Python's <c>check_hostname</c>: true for <see cref="SslProtocol.TlsClient"/>. Turning it on while
    /// <see cref="VerifyMode"/> is <see cref="VerifyMode.CertNone"/> switches that to <see cref="VerifyMode.CertRequired"/>, as Python does.
    /// </summary>
    public bool CheckHostname
    {
        get => _checkHostname;
        set
        {
            if (value && _verifyMode == VerifyMode.CertNone)
            {
                _verifyMode = VerifyMode.CertRequired;
            }

            _checkHostname = value;
        }
    }

    /// <summary>Python's <c>verify_flags</c>; starts at <see cref="VerifyFlags.VerifyX509TrustedFirst"/> (0x8000), as Python with OpenSSL 3.</summary>
    public VerifyFlags VerifyFlags
    {
        get => _verifyFlags;
        set => _verifyFlags = value;
    }

    /// <summary>
    /// Python's <c>hostname_checks_common_name</c> (true by default on OpenSSL 3.0): the subject common name is matched
    /// when the certificate has no DNS subjectAltName.
    /// </summary>
    public bool HostnameChecksCommonName { get; set; } = true;

    /// <summary>
    /// Python's <c>security_level</c>: 2 unless a cipher string set another with <c>@SECLEVEL=n</c> (the last one set stays).
    /// As in OpenSSL it judges the suites, signature schemes and groups offered, the peer's certificate keys and signature
    /// digests, a TLS 1.2 server's DHE prime, and our own chain in <see cref="LoadCertChain"/> (decision 0028).
    /// </summary>
    public int SecurityLevel => _securityLevel;

    /// <summary>Python's <c>post_handshake_auth</c> (TLS 1.3 post-handshake client authentication); false by default.</summary>
    public bool PostHandshakeAuth { get; set; }

    /// <summary>
    /// Python's <c>num_tickets</c>: TLS 1.3 session tickets a server sends after the handshake (default 2). As in Python it
    /// does not touch TLS 1.2, where a client that asks for a ticket gets one after a full handshake unless
    /// <see cref="SslOptions.NoTicket"/> (decision 0023).
    /// </summary>
    /// <exception cref="ArgumentException">Set on a context that is not <see cref="SslProtocol.TlsServer"/> (Python:
    /// <c>SSLContext is not a server context.</c>) or to a negative value (<c>value must be non-negative</c>).</exception>
    public int NumTickets
    {
        get => _numTickets;
        set
        {
            if (value < 0)
            {
                throw new ArgumentException("value must be non-negative");
            }

            if (Protocol != SslProtocol.TlsServer)
            {
                throw new ArgumentException("SSLContext is not a server context.");
            }

            _numTickets = value;
        }
    }

    /// <summary>
    /// Python's <c>keylog_filename</c>: where TLS secrets are appended in NSS key log format, or null. Setting a file
    /// opens it for appending at once (creating it, and writing OpenSSL's comment line when it is empty), as Python does.
    /// On Unix a file created here (or re-created by a handshake after it was removed) has mode 0600, owner only;
    /// Python leaves it at 0666 less the umask. An existing file keeps its mode.
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory does not exist or the name is empty (Python's <c>FileNotFoundError</c>).</exception>
    /// <exception cref="IOException">The name is a directory or the file cannot be opened for appending (Python's
    /// <c>IsADirectoryError</c>, <c>PermissionError</c>).</exception>
    public string? KeylogFilename
    {
        get => _keylogFilename;
        set
        {
            if (value is not null)
            {
                OpenKeylog(value);
            }

            _keylogFilename = value;
        }
    }

    /// <summary>
    /// The record_size_limit to announce (RFC 8449), an extension beyond Python's <c>ssl</c> module: the largest
    /// protected record, counted as TLS 1.3's inner plaintext (content, type byte and padding), this side accepts;
    /// 64 to 16385. Null (the default) announces nothing. A client announces it in its hello and a server answers
    /// only a client that did; once both did, each side keeps its records within the other's limit and a larger
    /// record is refused with <c>record_overflow</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value outside 64..16385.</exception>
    public int? RecordSizeLimit
    {
        get => _recordSizeLimit;
        set => _recordSizeLimit = value is null or (>= 64 and <= 16385)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), "record_size_limit must be between 64 and 16385");
    }

    /// <summary>Python's <c>sni_callback</c>: server-side handler of the client's server name, or null.</summary>
    /// <exception cref="ArgumentException">Set on a <see cref="SslProtocol.TlsClient"/> context (Python:
    /// <c>sni_callback cannot be set on TLS_CLIENT context</c>).</exception>
    public SniCallback? SniCallback
    {
        get => _sniCallback;
        set
        {
            if (Protocol == SslProtocol.TlsClient)
            {
                throw new ArgumentException("sni_callback cannot be set on TLS_CLIENT context");
            }

            _sniCallback = value;
        }
    }

    /// <summary>
    /// Python's <c>create_default_context(purpose, cafile, capath, cadata)</c>: for <see cref="Purpose.ServerAuth"/> a
    /// <see cref="SslProtocol.TlsClient"/> context (certificates required, host names checked), for
    /// <see cref="Purpose.ClientAuth"/> a <see cref="SslProtocol.TlsServer"/> one. The given CA material is loaded;
    /// with none, a client context loads the system's default certificates (a server context loads nothing, as
    /// Python does when its verify mode is <c>CERT_NONE</c>). A non-empty <c>SSLKEYLOGFILE</c> environment variable
    /// becomes <see cref="KeylogFilename"/>, as in Python; this is the only place the variable is read (a context made
    /// with the constructor ignores it), and unlike Python (<c>python -E</c>) nothing turns it off but unsetting it.
    /// </summary>
    /// <param name="purpose">What the context authenticates.</param>
    /// <param name="cafile">As <see cref="LoadVerifyLocations"/>.</param>
    /// <param name="capath">As <see cref="LoadVerifyLocations"/>.</param>
    /// <param name="cadata">As <see cref="LoadVerifyLocations"/>.</param>
    /// <returns>The context.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An undefined purpose.</exception>
    /// <exception cref="IOException"><c>SSLKEYLOGFILE</c> names a file that cannot be opened for appending (see
    /// <see cref="KeylogFilename"/>; a missing directory is its <see cref="FileNotFoundException"/>).</exception>
    public static SslContext CreateDefault(Purpose purpose = Purpose.ServerAuth, string? cafile = null, string? capath = null, object? cadata = null)
    {
        var context = purpose switch
        {
            Purpose.ServerAuth => new SslContext(SslProtocol.TlsClient),
            Purpose.ClientAuth => new SslContext(SslProtocol.TlsServer),
            _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "purpose must be ServerAuth or ClientAuth"),
        };

        if (cafile is not null || capath is not null || cadata is not null)
        {
            context.LoadVerifyLocations(cafile, capath, cadata);
        }
        else if (context.VerifyMode != VerifyMode.CertNone)
        {
            context.LoadDefaultCerts(purpose);
        }

        context.ApplyKeylogEnvironment();
        return context;
    }

    /// <summary>
    /// Python's <c>set_ciphers(ciphers)</c>: the TLS 1.2 suites, in OpenSSL's cipher-list language
    /// (<c>ECDHE+AESGCM:!aNULL</c>). TLS 1.3 suites are not affected. <c>@SECLEVEL=n</c> sets <see cref="SecurityLevel"/>.
    /// </summary>
    /// <param name="ciphers">The cipher string.</param>
    /// <exception cref="SslException">No suite is selected, or the string is malformed (Python: <c>No cipher can be selected.</c>).</exception>
    public void SetCiphers(string ciphers)
    {
        if (ciphers is null)
        {
            throw new ArgumentNullException(nameof(ciphers));
        }

        CipherStringResult result;
        try
        {
            result = CipherString.Parse(ciphers);
        }
        catch (CipherStringException e)
        {
            throw new SslException("No cipher can be selected.", e);
        }

        _tls12Suites = result.Suites;
        if (result.SecurityLevel is { } level)
        {
            _securityLevel = level;
        }
    }

    /// <summary>
    /// Python's <c>set_ciphersuites(ciphersuites)</c> (Python 3.15, OpenSSL's <c>SSL_CTX_set_ciphersuites</c>): the TLS 1.3
    /// suites, most preferred first, as a colon-separated list of IANA names (<c>TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256</c>).
    /// Names this library does not know are skipped, as OpenSSL skips them; an empty string leaves no TLS 1.3 suite,
    /// which OpenSSL allows: connections then leave TLS 1.3 out and speak TLS 1.2 (as OpenSSL leaves TLS 1.3 out of a hello
    /// without TLS 1.3 suites), and fail with <c>NO_CIPHERS_AVAILABLE</c> when the version range holds TLS 1.3 alone.
    /// The default is OpenSSL's: <c>TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256</c>.
    /// TLS 1.2 suites are not affected (see <see cref="SetCiphers"/>).
    /// </summary>
    /// <param name="ciphersuites">The suite list.</param>
    /// <exception cref="SslException">A non-empty list names no TLS 1.3 suite (<c>No cipher suite can be selected.</c>).</exception>
    public void SetCiphersuites(string ciphersuites)
    {
        if (ciphersuites is null)
        {
            throw new ArgumentNullException(nameof(ciphersuites));
        }

        try
        {
            _tls13Suites = Tls13CipherSuiteList.Parse(ciphersuites);
        }
        catch (CipherStringException e)
        {
            throw new SslException("No cipher suite can be selected.", e);
        }
    }

    /// <summary>
    /// Python's <c>set_groups(groups)</c> (Python 3.15, OpenSSL's <c>SSL_CTX_set1_groups_list</c>): the key-exchange groups,
    /// most preferred first, in OpenSSL's group-list format (<c>X25519:P-256:ffdhe2048</c>; IANA names and OpenSSL's
    /// spellings, case-insensitive, separated by colons). A client offers them in supported_groups and sends a key share
    /// for the first; a server chooses among them. The default is OpenSSL 3.0's list (x25519, secp256r1, x448, secp521r1,
    /// secp384r1, ffdhe2048 to ffdhe8192).
    /// </summary>
    /// <param name="groups">The group list.</param>
    /// <exception cref="SslException">A name is unknown or the list is empty (<c>unrecognized group</c>); the groups set before stay.</exception>
    public void SetGroups(string groups)
    {
        if (groups is null)
        {
            throw new ArgumentNullException(nameof(groups));
        }

        try
        {
            _groups = KeyExchangeGroups.ParseList(groups);
        }
        catch (ArgumentException e)
        {
            throw new SslException("unrecognized group", e);
        }
    }

    /// <summary>Python's <c>get_ciphers()</c>: the TLS 1.3 suites of <see cref="SetCiphersuites"/>, then the TLS 1.2 suites of the cipher string, in preference order.</summary>
    /// <returns>One entry per suite.</returns>
    public IReadOnlyList<SslCipherInfo> GetCiphers() =>
        _tls13Suites.Concat(_tls12Suites).Select(Describe).ToArray();

    /// <summary>
    /// Python's <c>set_alpn_protocols(protocols)</c>: the application protocols offered (client) or accepted (server),
    /// most preferred first. An empty list turns ALPN off.
    /// </summary>
    /// <param name="protocols">Protocol names (ASCII), each 1 to 255 bytes.</param>
    /// <exception cref="SslException">A name is empty or longer than 255 bytes (Python: <c>ALPN protocols must be 1 to 255 in length</c>).</exception>
    /// <exception cref="ArgumentException">A name is not ASCII (Python's <c>UnicodeEncodeError</c>).</exception>
    public void SetAlpnProtocols(IEnumerable<string> protocols) => _alpn = EncodeAlpnProtocols(protocols);

    /// <summary>Python's checks of an ALPN list, shared by <see cref="SetAlpnProtocols"/> and <see cref="SslObject.SetAlpnProtocols"/>; returns the names as ASCII.</summary>
    internal static byte[][] EncodeAlpnProtocols(IEnumerable<string> protocols)
    {
        if (protocols is null)
        {
            throw new ArgumentNullException(nameof(protocols));
        }

        var list = new List<byte[]>();
        foreach (string protocol in protocols)
        {
            if (protocol is null)
            {
                throw new ArgumentNullException(nameof(protocols), "encoding without a string argument");
            }

            for (int i = 0; i < protocol.Length; i++)
            {
                if (protocol[i] > 0x7F)
                {
                    throw new ArgumentException(
                        $"'ascii' codec can't encode character '\\x{(int)protocol[i]:x2}' in position {i}: ordinal not in range(128)");
                }
            }

            if (protocol.Length is 0 or > 255)
            {
                throw new SslException("ALPN protocols must be 1 to 255 in length");
            }

            list.Add(Encoding.ASCII.GetBytes(protocol));
        }

        return list.ToArray();
    }

    /// <summary>The ALPN protocols set by <see cref="SetAlpnProtocols"/>, as ASCII strings.</summary>
    public IReadOnlyList<string> AlpnProtocols => _alpn.Select(p => Encoding.ASCII.GetString(p)).ToArray();

    /// <summary>Python's <c>set_npn_protocols</c>: NPN is not supported (<see cref="Ssl.HasNpn"/> is false); always throws.</summary>
    /// <param name="protocols">Ignored.</param>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void SetNpnProtocols(IEnumerable<string> protocols) =>
        throw new NotSupportedException("NPN is not supported; use ALPN (SetAlpnProtocols)");

    /// <summary>
    /// Python's <c>load_cert_chain(certfile, keyfile, password)</c>: this side's certificate chain (PEM, leaf first) and
    /// its private key (PEM, as Python: PKCS#8, encrypted PKCS#8, PKCS#1, SEC 1, legacy encrypted PEM). Without
    /// <paramref name="keyfile"/> the key is read from <paramref name="certfile"/>. As in OpenSSL, the context keeps one
    /// chain per key type (RSA, RSA-PSS, ECDSA on any curve, Ed25519, Ed448): loading a chain of a type already loaded
    /// replaces that one, loading another type keeps both, and a server serves the one the client can verify
    /// (<see cref="CertificateChains"/>). A client presents the chain loaded last.
    /// </summary>
    /// <param name="certfile">PEM file with the certificate, then any intermediates.</param>
    /// <param name="keyfile">Key file, or null.</param>
    /// <param name="password">For an encrypted key: a <see cref="string"/>, a <see cref="byte"/>[] (UTF-8), or a
    /// <see cref="Func{TResult}"/> returning either (called only when the key is encrypted); at most 1024 bytes.</param>
    /// <exception cref="FileNotFoundException">A file does not exist (Python's <c>FileNotFoundError</c>).</exception>
    /// <exception cref="IOException">A file is a directory or cannot be read.</exception>
    /// <exception cref="ArgumentException"><paramref name="password"/> of another type, a callback returning another type
    /// (Python's <c>TypeError</c>), or longer than 1024 bytes (<c>ValueError</c>).</exception>
    /// <exception cref="SslException">No certificate or no key, malformed content, a wrong password (<c>[SSL] PEM lib</c>),
    /// a key that does not belong to the certificate (<c>[X509: KEY_VALUES_MISMATCH] key values mismatch</c>), or a chain
    /// the <see cref="SecurityLevel"/> forbids (<c>[SSL: EE_KEY_TOO_SMALL] ee key too small</c>, <c>CA_KEY_TOO_SMALL</c>,
    /// <c>CA_MD_TOO_WEAK</c>; decision 0028).</exception>
    public void LoadCertChain(string certfile, string? keyfile = null, object? password = null)
    {
        if (certfile is null)
        {
            throw new ArgumentNullException(nameof(certfile));
        }

        if (password is not (null or string or byte[] or Func<string> or Func<byte[]> or Func<object>))
        {
            throw new ArgumentException("password should be a string or callable");
        }

        if ((password is string s && Encoding.UTF8.GetByteCount(s) > MaxPasswordLength) || (password is byte[] b && b.Length > MaxPasswordLength))
        {
            throw new ArgumentException("password cannot be longer than 1024 bytes");
        }

        byte[] certBytes = ReadFile(certfile);
        byte[] keyBytes = keyfile is null ? certBytes : ReadFile(keyfile);

        var chain = new List<byte[]>();
        byte[] leafSpki;
        try
        {
            foreach (PemBlock block in PemReader.Read(PemReader.Latin1(certBytes)))
            {
                if (block.Label is "CERTIFICATE" or "X509 CERTIFICATE" or "TRUSTED CERTIFICATE")
                {
                    chain.Add(CertificateDer(block));
                }
            }

            if (chain.Count == 0)
            {
                throw PemLib();
            }

            leafSpki = SubjectPublicKeyInfo(chain[0]);
        }
        catch (CertificateStoreException e)
        {
            throw new SslException("SSL", null, "PEM lib", e);
        }
        catch (TlsAlertException e)
        {
            throw new SslException("SSL", null, "PEM lib", e);
        }

        CheckOwnChainStrength(chain);

        PrivateKey key;
        PublicKey certKey;
        try
        {
            certKey = PublicKey.FromSubjectPublicKeyInfo(leafSpki);
            string keyText = PemReader.Latin1(keyBytes);
            key = PrivateKey.FromPem(keyText, ResolvePassword(password, keyText));
        }
        catch (KeyFormatException e)
        {
            throw new SslException("SSL", null, "PEM lib", e);
        }

        if (!key.Matches(certKey))
        {
            throw new SslException("X509", "KEY_VALUES_MISMATCH", "key values mismatch");
        }

        // One chain per key type, as OpenSSL keeps one per certificate slot: a chain of a type already loaded replaces
        // it, another type is kept beside it (see CertificateChains).
        var credential = new Credential(chain.ToArray(), key);
        _credentials = Credential.Put(_credentials, credential);
        _lastCredential = credential;
    }

    /// <summary>
    /// Python's <c>load_dh_params(dhfile)</c>: the finite-field group a server uses for TLS 1.2 DHE suites when the
    /// client names no RFC 7919 group. The file is PEM, read as OpenSSL's <c>PEM_read_DHparams</c> reads it: the first
    /// <c>DH PARAMETERS</c> (PKCS#3) or <c>X9.42 DH PARAMETERS</c> block, other blocks skipped (<c>openssl dhparam</c>
    /// writes either). Without it a server chooses DHE only with an RFC 7919 group the client names, where OpenSSL 3.0
    /// chooses none (see <c>TlsConfig.DhParameters</c>). Parameters whose strength is below this context's security level
    /// at the time of the call are refused, as <c>SSL_CTX_set_tmp_dh</c> refuses them.
    /// </summary>
    /// <param name="dhfile">The PEM file.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dhfile"/> is null (Python's <c>TypeError</c>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist (<c>[Errno 2] No such file or directory</c>).</exception>
    /// <exception cref="IOException">The path is a directory or cannot be read.</exception>
    /// <exception cref="SslException">No DH parameters block (<c>[PEM: NO_START_LINE] no start line</c>), a malformed one
    /// (<c>[PEM] ASN1 lib</c>, or the PEM error of a broken block), values that make no group (<c>[DH: MODULUS_TOO_LARGE]
    /// modulus too large</c>, <c>[DH: CHECK_P_NOT_PRIME] p not prime</c>, <c>[DH: BAD_GENERATOR] bad generator</c>, where
    /// OpenSSL fails only at the handshake), or too weak (<c>[SSL: DH_KEY_TOO_SMALL] dh key too small</c>).</exception>
    public void LoadDhParams(string dhfile)
    {
        if (dhfile is null)
        {
            throw new ArgumentNullException(nameof(dhfile));
        }

        byte[] bytes = ReadFile(dhfile);
        PemBlock? block;
        try
        {
            block = PemReader.Read(PemReader.Latin1(bytes)).FirstOrDefault(b => b.Label is "DH PARAMETERS" or "X9.42 DH PARAMETERS");
        }
        catch (CertificateStoreException e)
        {
            throw new SslException(e.Library, e.Reason, e.Message, e);
        }

        if (block is null)
        {
            throw new SslException("PEM", "NO_START_LINE", "no start line");
        }

        FiniteFieldKeyExchange group;
        int bits;
        try
        {
            group = FiniteFieldKeyExchange.FromDhParameters(block.Data, x942: block.Label != "DH PARAMETERS", out bits);
        }
        catch (FormatException e)
        {
            throw new SslException("PEM", null, "ASN1 lib", e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw e.ParamName switch
            {
                "g" => new SslException("DH", "BAD_GENERATOR", "bad generator", e),
                "primeBits" => new SslException("DH", "MODULUS_TOO_LARGE", "modulus too large", e),
                _ => new SslException("DH", "CHECK_P_NOT_PRIME", "p not prime", e),
            };
        }

        if (bits < CipherSuites.SecurityLevel.MinimumBits(_securityLevel))
        {
            throw new SslException("SSL", "DH_KEY_TOO_SMALL", "dh key too small");
        }

        _dhParameters = group;
    }

    /// <summary>
    /// Makes the immutable configuration of one connection (decision 0018): option bits become typed settings here and
    /// only here. The version range is the requested minimum and maximum (unset: TLS 1.2 and TLS 1.3; below TLS 1.2
    /// counts as TLS 1.2, as this engine speaks nothing older) with <see cref="SslOptions.NoTlsV1_2"/> and
    /// <see cref="SslOptions.NoTlsV1_3"/> removing their version. Suites the security level forbids (OpenSSL's
    /// security callback: too few bits, from level 3 no static RSA key exchange, above 160 bits no HMAC-SHA1) are
    /// dropped, as OpenSSL never offers them. Verification follows OpenSSL: a client with <see cref="VerifyMode.CertNone"/>
    /// does not verify; a server requests a certificate for <see cref="VerifyMode.CertOptional"/> and also requires one
    /// for <see cref="VerifyMode.CertRequired"/>. The trust store is this context's store itself (as connections share
    /// their context's <c>X509_STORE</c> in OpenSSL, certificates loaded later are seen). Later changes to this context
    /// do not reach the result otherwise.
    /// </summary>
    /// <param name="serverSide">True for a server connection.</param>
    /// <param name="connection">The connection object handed to <see cref="SniCallback"/>, or null.</param>
    /// <param name="switchedTo">True when a connection made from another context is being switched to this one
    /// (<see cref="SslObject.Context"/>): only the parts a switch takes are read from the result
    /// (<c>TlsConfig.WithServerNameSettings</c>, <c>TlsConfig.WithClientContextSettings</c>), so this context's protocol,
    /// versions and suites are not checked, as OpenSSL's <c>SSL_set_SSL_CTX</c> does not check them.</param>
    /// <exception cref="SslException">A server from a <see cref="SslProtocol.TlsClient"/> context or the reverse
    /// (<c>Cannot create a server socket with a PROTOCOL_TLS_CLIENT context</c>, as Python), no version left (<c>[SSL: NO_PROTOCOLS_AVAILABLE] no protocols available</c>)
    /// or no suite left (<c>[SSL: NO_CIPHERS_AVAILABLE] no ciphers available</c>).</exception>
    internal TlsConfig Freeze(bool serverSide, object? connection = null, bool switchedTo = false)
    {
        if (switchedTo)
        {
            return FreezeAs(serverSide, connection, ProtocolVersion.Tls12, ProtocolVersion.Tls13, Allowed(_tls13Suites, _securityLevel), Allowed(_tls12Suites, _securityLevel), switchedTo: true);
        }

        if (serverSide && Protocol == SslProtocol.TlsClient)
        {
            throw new SslException("Cannot create a server socket with a PROTOCOL_TLS_CLIENT context");
        }

        if (!serverSide && Protocol == SslProtocol.TlsServer)
        {
            throw new SslException("Cannot create a client socket with a PROTOCOL_TLS_SERVER context");
        }

        // Without a server-name callback (whose hook names the connection) the snapshot does not depend on the
        // connection: every connection made while the context is unchanged shares one (decision 0032).
        FreezeInputs inputs = default;
        if (_sniCallback is null)
        {
            inputs = CurrentFreezeInputs(serverSide);
            if (Volatile.Read(ref serverSide ? ref _frozenServer : ref _frozenClient) is { } frozen && frozen.Inputs.Equals(inputs))
            {
                return frozen.Config;
            }
        }

        SslOptions o = _options;
        (ProtocolVersion min, ProtocolVersion max) = VersionRange(o);
        int level = _securityLevel;
        CipherSuiteInfo[] tls13 = max == ProtocolVersion.Tls13 ? Allowed(_tls13Suites, level) : [];
        CipherSuiteInfo[] tls12 = min == ProtocolVersion.Tls12 ? Allowed(_tls12Suites, level) : [];
        if (tls13.Length == 0 && tls12.Length == 0)
        {
            throw new SslException("SSL", "NO_CIPHERS_AVAILABLE", "no ciphers available");
        }

        // A version left without suites is not offered, as OpenSSL leaves TLS 1.3 out of a hello when no TLS 1.3
        // ciphersuite is configured.
        if (tls13.Length == 0)
        {
            max = ProtocolVersion.Tls12;
        }
        else if (tls12.Length == 0)
        {
            min = ProtocolVersion.Tls13;
        }

        TlsConfig config = FreezeAs(serverSide, connection, min, max, tls13, tls12);
        if (_sniCallback is null)
        {
            Volatile.Write(ref serverSide ? ref _frozenServer : ref _frozenClient, new FrozenConfig(inputs, config));
        }

        return config;
    }

    // The store's generation is read before its certificates, so a change between the two makes the snapshot look stale, never current.
    private static TrustStore TrustSnapshot(CertificateStore store)
    {
        long generation = store.Generation;
        return new TrustStore(store.GetCertificates(), [store]) { Identity = store, IdentityGeneration = generation };
    }

    // The last snapshot made for each side and what it was made from.
    private FrozenConfig? _frozenClient;
    private FrozenConfig? _frozenServer;

    private sealed record FrozenConfig(FreezeInputs Inputs, TlsConfig Config);

    /// <summary>
    /// Everything <see cref="FreezeAs"/> reads, compared field by field: the lists are replaced, never changed in
    /// place, when the context is changed, so comparing them by reference is enough; the trust store counts its changes.
    /// </summary>
    private readonly record struct FreezeInputs(
        bool ServerSide,
        SslOptions Options,
        TlsVersion Minimum,
        TlsVersion Maximum,
        bool FixedTls12,
        int SecurityLevel,
        object Tls13Suites,
        object Tls12Suites,
        object Groups,
        object Alpn,
        object Credentials,
        Credential? Last,
        VerifyMode VerifyMode,
        bool Defer,
        long TrustGeneration,
        VerifyFlags VerifyFlags,
        bool CheckHostname,
        bool CommonName,
        bool PostHandshakeAuth,
        int? RecordSizeLimit,
        int NumTickets,
        string? KeyLog,
        FiniteFieldKeyExchange? DhParameters);

    private FreezeInputs CurrentFreezeInputs(bool serverSide) => new(
        serverSide, _options, _minimumVersion, _maximumVersion, _fixedTls12, _securityLevel, _tls13Suites, _tls12Suites, _groups, _alpn,
        _credentials, _lastCredential, _verifyMode, DangerousDeferPeerVerification, CertStore.Generation, _verifyFlags, _checkHostname,
        HostnameChecksCommonName, PostHandshakeAuth, _recordSizeLimit, _numTickets, _keylogFilename, _dhParameters);

    private TlsConfig FreezeAs(bool serverSide, object? connection, ProtocolVersion min, ProtocolVersion max, CipherSuiteInfo[] tls13, CipherSuiteInfo[] tls12, bool switchedTo = false)
    {
        SslOptions o = _options;
        int level = _securityLevel;

        // A server switched to a PROTOCOL_TLS_CLIENT context takes no client-authentication policy from it: that
        // context's verify mode (CERT_REQUIRED by default) is about verifying servers.
        bool verify = _verifyMode != VerifyMode.CertNone && !(switchedTo && serverSide && Protocol == SslProtocol.TlsClient);
        SniCallback? sni = _sniCallback;
        object self = connection ?? this;
        string? keylog = _keylogFilename;
        bool noTicket = (o & SslOptions.NoTicket) != 0;
        return new TlsConfig
        {
            Role = serverSide ? TlsRole.Server : TlsRole.Client,
            MinimumVersion = min,
            MaximumVersion = max,
            CipherSuites = tls13,
            Tls12CipherSuites = tls12,
            CipherList = _tls13Suites.Concat(_tls12Suites).ToArray(),
            Groups = _groups.Where(g => CipherSuites.SecurityLevel.GroupBits(g.Group) >= CipherSuites.SecurityLevel.MinimumBits(level)).ToArray(),
            SignatureSchemes = SignatureSchemes.ForSecurityLevel(level),
            SecurityLevel = level,
            AlpnProtocols = _alpn.Select(p => (byte[])p.Clone()).ToArray(),
            // A client presents the chain loaded last (OpenSSL's current certificate); a server chooses among all of them.
            CertificateChain = _lastCredential is { } last ? last.Chain.Select(c => (byte[])c.Clone()).ToArray() : [],
            PrivateKey = _lastCredential?.Key,
            Credentials = _credentials,
            VerifyPeer = verify && !DangerousDeferPeerVerification,
            Trust = TrustSnapshot(CertStore),
            VerifyFlags = _verifyFlags,
            CheckHostname = !serverSide && _checkHostname && verify && !DangerousDeferPeerVerification,
            HostnameChecksCommonName = HostnameChecksCommonName,

            // As Python sets SSL_VERIFY_POST_HANDSHAKE on a server with post_handshake_auth: the certificate is then
            // asked for only after the handshake, with VerifyClientPostHandshake.
            RequestClientCertificate = serverSide && verify && !PostHandshakeAuth,
            RequireClientCertificate = serverSide && _verifyMode == VerifyMode.CertRequired,
            PreferServerCipherSuites = (o & SslOptions.CipherServerPreference) != 0,
            MiddleboxCompatibility = (o & SslOptions.EnableMiddleboxCompat) != 0,
            IgnoreUnexpectedEof = (o & SslOptions.IgnoreUnexpectedEof) != 0,
            RefuseRenegotiation = (o & SslOptions.NoRenegotiation) != 0,
            LegacyServerConnect = (o & SslOptions.LegacyServerConnect) != 0,
            AllowClientRenegotiation = (o & SslOptions.AllowClientRenegotiation) != 0,
            AllowUnsafeLegacyRenegotiation = (o & SslOptions.AllowUnsafeLegacyRenegotiation) != 0,
            KeyLog = keylog is null ? null : KeyLogFile.Writer(keylog),
            PostHandshakeAuth = PostHandshakeAuth,
            RecordSizeLimit = _recordSizeLimit,
            ServerNameCallback = serverSide && sni is not null ? name => RefuseOnAlert(CallSni(sni, self, name)) : null,
            NumTickets = Math.Min(_numTickets, 255),
            StatelessTickets = !noTicket,
            Compression = (o & SslOptions.NoCompression) == 0,
            // Only server connections use the ring and the cache; a client shares the context's (made once) rather than own one each.
            TicketKeys = SharedTicketKeys,
            // The cache holds TLS 1.3 stateful tickets (OP_NO_TICKET) and TLS 1.2 session ids (decision 0023).
            SessionCache = SharedSessionCache,
            SessionContext = SessionIdContext,
            DeferPeerVerification = DangerousDeferPeerVerification,
            DhParameters = serverSide ? _dhParameters : null,
        };
    }

    // The requested range, clamped to what this engine speaks (TLS 1.2 and TLS 1.3); empty is NO_PROTOCOLS_AVAILABLE.
    private (ProtocolVersion Min, ProtocolVersion Max) VersionRange(SslOptions o)
    {
        int min = WireVersion(_minimumVersion) is { } lo ? Math.Max((int)lo, (int)ProtocolVersion.Tls12) : (int)ProtocolVersion.Tls12;
        int max = WireVersion(_maximumVersion) is { } hi ? Math.Min((int)hi, (int)ProtocolVersion.Tls13) : (int)ProtocolVersion.Tls13;
        if (_fixedTls12)
        {
            // PROTOCOL_TLSv1_2 is OpenSSL's TLSv1_2_method: TLS 1.2 and nothing else.
            max = (int)ProtocolVersion.Tls12;
        }

        if ((o & SslOptions.NoTlsV1_2) != 0 && min == (int)ProtocolVersion.Tls12)
        {
            min = (int)ProtocolVersion.Tls13;
        }

        if ((o & SslOptions.NoTlsV1_3) != 0 && max == (int)ProtocolVersion.Tls13)
        {
            max = (int)ProtocolVersion.Tls12;
        }

        if (min > max)
        {
            throw new SslException("SSL", "NO_PROTOCOLS_AVAILABLE", "no protocols available");
        }

        return ((ProtocolVersion)min, (ProtocolVersion)max);
    }

    private static CipherSuiteInfo[] Allowed(IReadOnlyList<CipherSuiteInfo> suites, int level) =>
        suites.Where(x => CipherSuites.SecurityLevel.Allows(x, level)).ToArray();

    /// <summary>The server-name callback's answer as the engine takes it: an alert aborts, null goes on unchanged.</summary>
    /// <param name="alert">What the callback returned.</param>
    /// <returns>Null (no replacement configuration).</returns>
    internal static TlsConfig? RefuseOnAlert(AlertDescription? alert) =>
        alert is { } a ? throw new TlsAlertException(a, $"the server-name callback refused the name ({a})") : null;

    // Python reports an exception from the callback as unraisable and aborts the handshake with handshake_failure.
    private AlertDescription? CallSni(SniCallback callback, object connection, string? name)
    {
        try
        {
            // Python hands over the SSLSocket when the connection was made by wrap_socket, the SSLObject for wrap_bio.
            return callback(connection is SslObject ssl ? ssl.CallbackOwner : connection, name, this);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return AlertDescription.HandshakeFailure;
        }
    }

    // A PROTOCOL_TLSv1_2 context's range is fixed (Python's ValueError).
    private TlsVersion RangeSettable(TlsVersion value) => _fixedTls12
        ? throw new ArgumentException("The context's protocol doesn't support modification of highest and lowest version.")
        : value;

    private static TlsVersion CheckVersion(TlsVersion value) =>
        value is TlsVersion.MinimumSupported or TlsVersion.MaximumSupported or TlsVersion.SslV3 or TlsVersion.TlsV1
            or TlsVersion.TlsV1_1 or TlsVersion.TlsV1_2 or TlsVersion.TlsV1_3
            ? value
            : throw new ArgumentException($"Unsupported TLS/SSL version 0x{(int)value:x}");

    private static ProtocolVersion? WireVersion(TlsVersion v) =>
        v is TlsVersion.MinimumSupported or TlsVersion.MaximumSupported ? null : (ProtocolVersion)(int)v;

    private static SslCipherInfo Describe(CipherSuiteInfo s) => new(
        s.OpenSslId, s.OpenSslName, s.PythonProtocol, s.Description, s.StrengthBits, s.AlgBits, s.IsAead, s.PythonSymmetric, s.PythonDigest, s.PythonKea, s.PythonAuth);

    private static SslException PemLib() => new("SSL", null, "PEM lib");

    private static byte[] ReadFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"[Errno 21] Is a directory: '{path}'");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException("[Errno 2] No such file or directory", path);
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"[Errno 13] Permission denied: '{path}'", e);
        }
    }

    private static byte[] CertificateDer(PemBlock block)
    {
        if (block.Label != "TRUSTED CERTIFICATE")
        {
            return block.Data;
        }

        // A trusted certificate is the certificate followed by its trust settings: keep the first element.
        DerNode first = DerNode.Parse(block.Data);
        return first.Encoded();
    }

    /// <summary>The DER SubjectPublicKeyInfo of a certificate (RFC 5280 TBSCertificate, seventh field counting the optional version).</summary>
    private static byte[] SubjectPublicKeyInfo(byte[] certificateDer)
    {
        var outer = DerNode.Parse(certificateDer).Sequence();
        if (outer.Count != 3)
        {
            throw DerNode.Bad("certificate is not a 3-element SEQUENCE");
        }

        var tbs = outer[0].Sequence();
        int i = tbs.Count > 0 && tbs[0].IsContext && tbs[0].TagNumber == 0 ? 1 : 0;
        if (tbs.Count < i + 6)
        {
            throw DerNode.Bad("TBSCertificate too short");
        }

        return tbs[i + 5].Encoded();
    }

    private static string? ResolvePassword(object? password, string keyText)
    {
        if (password is null || !LooksEncrypted(keyText))
        {
            return null;
        }

        object? value = password switch
        {
            Func<string> f => f(),
            Func<byte[]> f => f(),
            Func<object> f => f(),
            _ => password,
        };

        byte[] bytes = value switch
        {
            string s => Encoding.UTF8.GetBytes(s),
            byte[] b => b,
            _ => throw new ArgumentException("password callback must return a string"),
        };

        if (bytes.Length > MaxPasswordLength)
        {
            throw new ArgumentException("password cannot be longer than 1024 bytes");
        }

        return Encoding.UTF8.GetString(bytes);
    }

    // PKCS#8 "ENCRYPTED PRIVATE KEY" blocks and legacy "Proc-Type: 4,ENCRYPTED" headers both carry the word.
    private static bool LooksEncrypted(string keyText) => keyText.IndexOf("ENCRYPTED", StringComparison.Ordinal) >= 0;

    private static void OpenKeylog(string path)
    {
        if (path.Length == 0)
        {
            throw new FileNotFoundException("[Errno 2] No such file or directory: ''", path);
        }

        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir))
        {
            throw new FileNotFoundException($"[Errno 2] No such file or directory: '{path}'", path);
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"[Errno 21] Is a directory: '{path}'");
        }

        try
        {
            KeyLogFile.Open(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"[Errno 13] Permission denied: '{path}'", e);
        }
    }
}
