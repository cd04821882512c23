using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using BcAlert = Org.BouncyCastle.Tls.AlertDescription;
using BcX509 = Org.BouncyCastle.X509;

namespace ManagedTls.Interop.Peers;

/// <summary>A certificate chain and its private key, read from PEM files (certificate chain first, leaf first; an unencrypted key).</summary>
internal sealed class BcTlsCredentials
{
    public BcTlsCredentials(string certFile, string keyFile)
    {
        var chain = new List<TlsCertificate>();
        using (var reader = new StreamReader(certFile))
        {
            var pem = new PemReader(reader);
            while (pem.ReadObject() is object o)
            {
                if (o is BcX509.X509Certificate c)
                {
                    chain.Add(BcTlsPeer.SharedCrypto.CreateCertificate(c.GetEncoded()));
                }
            }
        }

        using (var reader = new StreamReader(keyFile))
        {
            object key = new PemReader(reader).ReadObject() ?? throw new InvalidDataException("no key in " + keyFile);
            PrivateKey = key switch
            {
                AsymmetricCipherKeyPair pair => pair.Private,
                AsymmetricKeyParameter k when k.IsPrivate => k,
                _ => throw new InvalidDataException($"{keyFile} holds a {key.GetType().Name}, not a private key"),
            };
        }

        Assert.NotEmpty(chain);
        Chain = new Certificate([.. chain]);
    }

    public Certificate Chain { get; }

    public AsymmetricKeyParameter PrivateKey { get; }

    public bool IsEcdsa => PrivateKey is ECPrivateKeyParameters;

    public bool IsRsa => PrivateKey is RsaKeyParameters;

    /// <summary>
    /// A signer for this key with the first scheme of <paramref name="offered"/> that fits it (TLS 1.2: the peer's
    /// signature_algorithms; without that extension, SHA-1 as RFC 5246 says).
    /// </summary>
    public TlsCredentialedSigner Signer(TlsContext context, IList<SignatureAndHashAlgorithm>? offered)
    {
        SignatureAndHashAlgorithm chosen = offered is null
            ? SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha1, IsEcdsa ? SignatureAlgorithm.ecdsa : SignatureAlgorithm.rsa)
            : offered.FirstOrDefault(Fits) ?? throw new TlsFatalAlert(BcAlert.handshake_failure, "no signature scheme fits the key");
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), BcTlsPeer.SharedCrypto, PrivateKey, Chain, chosen);
    }

    private bool Fits(SignatureAndHashAlgorithm a)
    {
        bool strongHash = a.Hash is HashAlgorithm.sha256 or HashAlgorithm.sha384 or HashAlgorithm.sha512;
        return IsEcdsa
            ? a.Signature == SignatureAlgorithm.ecdsa && strongHash
            : a.Signature is SignatureAlgorithm.rsa_pss_rsae_sha256 or SignatureAlgorithm.rsa_pss_rsae_sha384 or SignatureAlgorithm.rsa_pss_rsae_sha512
                || (a.Signature == SignatureAlgorithm.rsa && strongHash);
    }
}

/// <summary>How a BouncyCastle peer behaves. Defaults: TLS 1.2 only, BouncyCastle's default suites, SNI localhost, no checks on the peer.</summary>
internal sealed record BcTlsOptions
{
    /// <summary>Suites to offer (client) or accept (server), by IANA code; see <see cref="BcTlsPeer.Suite"/>. Null: BouncyCastle's defaults (a server keeps those its key can serve).</summary>
    public int[]? CipherSuites { get; init; }

    /// <summary>The server's certificate and key (required for a server); a client presents them when asked.</summary>
    public BcTlsCredentials? Credentials { get; init; }

    /// <summary>A PEM certificate the peer's leaf must equal or be signed by; null accepts any certificate.</summary>
    public string? TrustedCertFile { get; init; }

    /// <summary>A server sends CertificateRequest.</summary>
    public bool RequestClientCertificate { get; init; }

    /// <summary>A server fails the handshake when the client sends no certificate.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>The client's SNI host name; null sends none.</summary>
    public string? ServerName { get; init; } = "localhost";

    /// <summary>The versions offered or accepted; TLS 1.2 alone by default.</summary>
    public ProtocolVersion[] Versions { get; init; } = ProtocolVersion.TLSv12.Only();

    /// <summary>extended_master_secret (RFC 7627) offered (client) or accepted (server).</summary>
    public bool ExtendedMasterSecret { get; init; } = true;

    /// <summary>encrypt_then_mac (RFC 7366) offered (client) or accepted (server).</summary>
    public bool EncryptThenMac { get; init; } = true;

    /// <summary>Socket reads and writes and the handshake are bounded by this.</summary>
    public int TimeoutMs { get; init; } = PeerProcess.TimeoutMs;
}

/// <summary>
/// One BouncyCastle TLS connection (Org.BouncyCastle.Tls, blocking mode) over a TCP socket or any
/// <see cref="Stream"/>: a TLS 1.2 client (a <see cref="DefaultTlsClient"/>) or server (a <see cref="DefaultTlsServer"/>)
/// whose handshake has completed. Reports the negotiated version, suite, tls-unique, the peer's certificate and
/// the alerts either side raised. Test code only: <c>src/</c> never uses BouncyCastle's TLS.
/// </summary>
internal sealed class BcTlsPeer : IDisposable
{
    /// <summary>One crypto provider for every BouncyCastle peer (SecureRandom may draw on .NET's RNG: fine in tests).</summary>
    public static readonly BcTlsCrypto SharedCrypto = new(new SecureRandom());

    private static readonly Dictionary<int, string> SuiteNames = typeof(CipherSuite)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(int) && f.Name.StartsWith("TLS_", StringComparison.Ordinal))
        .GroupBy(f => (int)f.GetRawConstantValue()!)
        .ToDictionary(g => g.Key, g => g.First().Name);

    private readonly TlsProtocol _protocol;
    private readonly IPeerEvents _events;
    private readonly Socket? _socket;

    private BcTlsPeer(TlsProtocol protocol, TlsContext context, IPeerEvents events, Socket? socket)
    {
        _protocol = protocol;
        _events = events;
        _socket = socket;
        SecurityParameters sp = context.SecurityParameters;
        NegotiatedVersion = context.ServerVersion;
        CipherSuite = sp.CipherSuite;
        TlsUnique = context.ExportChannelBinding(ChannelBinding.tls_unique);
        ExtendedMasterSecret = sp.IsExtendedMasterSecret;
        EncryptThenMac = sp.IsEncryptThenMac;
        ServerNames = events.ServerNames;
        Certificate? peer = sp.PeerCertificate;
        PeerCertificate = peer is null || peer.IsEmpty ? null : peer.GetCertificateAt(0).GetEncoded();
    }

    /// <summary>The negotiated version as BouncyCastle has it.</summary>
    public ProtocolVersion NegotiatedVersion { get; }

    /// <summary>The negotiated version in OpenSSL's and Python's spelling (TLSv1.2).</summary>
    public string Version =>
        NegotiatedVersion.Equals(ProtocolVersion.TLSv12) ? "TLSv1.2" : NegotiatedVersion.Equals(ProtocolVersion.TLSv13) ? "TLSv1.3" : NegotiatedVersion.ToString();

    /// <summary>The negotiated suite's IANA code.</summary>
    public int CipherSuite { get; }

    /// <summary>The negotiated suite's IANA name (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).</summary>
    public string CipherSuiteName => SuiteName(CipherSuite);

    /// <summary>RFC 5929 tls-unique: the first Finished message's verify_data (12 bytes in TLS 1.2).</summary>
    public byte[] TlsUnique { get; }

    /// <summary>Whether the extended master secret (RFC 7627) was negotiated.</summary>
    public bool ExtendedMasterSecret { get; }

    /// <summary>Whether the connection uses encrypt_then_mac (RFC 7366: a CBC suite, the extension in both hellos).</summary>
    public bool EncryptThenMac { get; }

    /// <summary>The SNI host names the client sent (as the server saw them, or as the client sent them).</summary>
    public IReadOnlyList<string> ServerNames { get; }

    /// <summary>The DER of the peer's leaf certificate, if it sent one.</summary>
    public byte[]? PeerCertificate { get; }

    /// <summary>Alerts this side sent so far, as (level, description).</summary>
    public IReadOnlyList<(short Level, short Description)> AlertsSent => _events.Sent;

    /// <summary>Alerts received so far, as (level, description).</summary>
    public IReadOnlyList<(short Level, short Description)> AlertsReceived => _events.Received;

    /// <summary>The application-data stream.</summary>
    public Stream Stream => _protocol.Stream;

    /// <summary>The IANA code of a suite named as in RFCs and BouncyCastle (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).</summary>
    public static int Suite(string ianaName) =>
        SuiteNames.Single(kv => kv.Value == ianaName).Key;

    /// <summary>The IANA name of a suite code, or its hex code when BouncyCastle does not know it.</summary>
    public static string SuiteName(int suite) => SuiteNames.TryGetValue(suite, out string? name) ? name : "0x" + suite.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Connects a client to 127.0.0.1:<paramref name="port"/> (retrying while the server starts) and completes the handshake.</summary>
    public static BcTlsPeer Connect(int port, BcTlsOptions options)
    {
        Socket socket = OpenSslProcess.ConnectWithRetry(port, options.TimeoutMs);
        try
        {
            return Client(new NetworkStream(socket, ownsSocket: false), options, socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Runs the client handshake over <paramref name="transport"/> (the caller bounds its reads).</summary>
    public static BcTlsPeer Client(Stream transport, BcTlsOptions options) => Client(transport, options, null);

    /// <summary>Runs the server handshake over <paramref name="transport"/> (the caller bounds its reads).</summary>
    public static BcTlsPeer Server(Stream transport, BcTlsOptions options) => Server(transport, options, null);

    internal static BcTlsPeer Server(Stream transport, BcTlsOptions options, Socket? socket)
    {
        var protocol = new TlsServerProtocol(transport);
        var server = new PeerServer(options);
        protocol.Accept(server);
        return new BcTlsPeer(protocol, server.Context, server, socket);
    }

    private static BcTlsPeer Client(Stream transport, BcTlsOptions options, Socket? socket)
    {
        var protocol = new TlsClientProtocol(transport);
        var client = new PeerClient(options);
        protocol.Connect(client);
        return new BcTlsPeer(protocol, client.Context, client, socket);
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) as application data.</summary>
    public void Send(string text)
    {
        Stream.Write(Encoding.UTF8.GetBytes(text));
        Stream.Flush();
    }

    /// <summary>Reads application data until the text holds <paramref name="expected"/> or the peer closes; returns all of it.</summary>
    public string ReceiveUntil(string expected)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[16 * 1024];
        while (!text.ToString().Contains(expected, StringComparison.Ordinal))
        {
            int n = ReadSome(buffer);
            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    /// <summary>Reads application data until the peer closes (close_notify, or the connection ends); returns all of it.</summary>
    public string ReceiveToEnd() => ReceiveUntil("\0never\0");

    /// <summary>Sends close_notify and closes the transport.</summary>
    public void Close() => _protocol.Close();

    public void Dispose()
    {
        try
        {
            _protocol.Close();
        }
        catch (IOException)
        {
            // The peer went first.
        }

        _socket?.Dispose();
    }

    private int ReadSome(byte[] buffer)
    {
        try
        {
            return Stream.Read(buffer, 0, buffer.Length);
        }
        catch (TlsNoCloseNotifyException)
        {
            return 0;
        }
    }

    private interface IPeerEvents
    {
        List<string> ServerNames { get; }

        List<(short Level, short Description)> Sent { get; }

        List<(short Level, short Description)> Received { get; }
    }

    /// <summary>Checks a peer's leaf against <see cref="BcTlsOptions.TrustedCertFile"/>: equal to it or signed by it, and in its validity period.</summary>
    private static void CheckTrusted(Certificate chain, BcTlsOptions options)
    {
        if (options.TrustedCertFile is null || chain.IsEmpty)
        {
            return;
        }

        var leaf = new BcX509.X509Certificate(chain.GetCertificateAt(0).GetEncoded());
        using var reader = new StreamReader(options.TrustedCertFile);
        var trusted = (BcX509.X509Certificate)new PemReader(reader).ReadObject();
        try
        {
            leaf.CheckValidity();
            if (!leaf.Equals(trusted))
            {
                leaf.Verify(trusted.GetPublicKey());
            }
        }
        catch (Exception e) when (e is not TlsFatalAlert)
        {
            throw new TlsFatalAlert(BcAlert.bad_certificate, "the peer's certificate is not trusted: " + e.Message);
        }
    }

    private sealed class PeerClient(BcTlsOptions options) : DefaultTlsClient(SharedCrypto), IPeerEvents
    {
        public List<string> ServerNames { get; } = options.ServerName is null ? [] : [options.ServerName];

        public List<(short Level, short Description)> Sent { get; } = [];

        public List<(short Level, short Description)> Received { get; } = [];

        public TlsContext Context => m_context;

        public override TlsAuthentication GetAuthentication() => new Authentication(this, options);

        public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause) => Sent.Add((alertLevel, alertDescription));

        public override void NotifyAlertReceived(short alertLevel, short alertDescription) => Received.Add((alertLevel, alertDescription));

        protected override ProtocolVersion[] GetSupportedVersions() => options.Versions;

        protected override int[] GetSupportedCipherSuites() => options.CipherSuites ?? base.GetSupportedCipherSuites();

        public override bool ShouldUseExtendedMasterSecret() => options.ExtendedMasterSecret;

        public override IDictionary<int, byte[]> GetClientExtensions()
        {
            IDictionary<int, byte[]> extensions = base.GetClientExtensions();
            if (options.EncryptThenMac)
            {
                TlsExtensionsUtilities.AddEncryptThenMacExtension(extensions);
            }
            else
            {
                extensions.Remove(ExtensionType.encrypt_then_mac);
            }

            return extensions;
        }

        protected override IList<ServerName>? GetSniServerNames() =>
            options.ServerName is null ? null : [new ServerName(NameType.host_name, Encoding.ASCII.GetBytes(options.ServerName))];
    }

    private sealed class Authentication(PeerClient client, BcTlsOptions options) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) => CheckTrusted(serverCertificate.Certificate, options);

        public TlsCredentials? GetClientCredentials(CertificateRequest certificateRequest) =>
            options.Credentials?.Signer(client.Context, certificateRequest.SupportedSignatureAlgorithms);
    }

    private sealed class PeerServer : DefaultTlsServer, IPeerEvents
    {
        // DefaultTlsServer offers no ECDSA suites; these are offered for an EC key unless the options name suites.
        private static readonly int[] EcdsaSuites =
        [
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
            Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        ];

        private readonly BcTlsOptions _options;
        private readonly BcTlsCredentials _credentials;

        public PeerServer(BcTlsOptions options)
            : base(SharedCrypto)
        {
            _options = options;
            _credentials = options.Credentials ?? throw new ArgumentException("a BouncyCastle server needs credentials");
        }

        public List<string> ServerNames { get; } = [];

        public List<(short Level, short Description)> Sent { get; } = [];

        public List<(short Level, short Description)> Received { get; } = [];

        public TlsContext Context => m_context;

        public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause) => Sent.Add((alertLevel, alertDescription));

        public override void NotifyAlertReceived(short alertLevel, short alertDescription) => Received.Add((alertLevel, alertDescription));

        public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
        {
            base.ProcessClientExtensions(clientExtensions);
            IList<ServerName>? names = TlsExtensionsUtilities.GetServerNameExtensionClient(clientExtensions);
            ServerNames.AddRange(names?.Select(n => Encoding.ASCII.GetString(n.NameData)) ?? []);
        }

        public override CertificateRequest? GetCertificateRequest()
        {
            if (!_options.RequestClientCertificate && !_options.RequireClientCertificate)
            {
                return null;
            }

            short[] types = [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign];
            IList<SignatureAndHashAlgorithm> algorithms = [
                SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
                SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa),
                SignatureAndHashAlgorithm.rsa_pss_rsae_sha256,
                SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa),
            ];
            return new CertificateRequest(types, algorithms, null);
        }

        public override void NotifyClientCertificate(Certificate clientCertificate)
        {
            if (clientCertificate.IsEmpty && _options.RequireClientCertificate)
            {
                throw new TlsFatalAlert(BcAlert.handshake_failure, "a client certificate is required");
            }

            CheckTrusted(clientCertificate, _options);
        }

        protected override ProtocolVersion[] GetSupportedVersions() => _options.Versions;

        public override bool ShouldUseExtendedMasterSecret() => _options.ExtendedMasterSecret;

        protected override bool AllowEncryptThenMac() => _options.EncryptThenMac;

        protected override int[] GetSupportedCipherSuites() =>
            _options.CipherSuites ?? (_credentials.IsEcdsa
                ? TlsUtilities.GetSupportedCipherSuites(Crypto, EcdsaSuites)
                : base.GetSupportedCipherSuites().Where(s => SuiteName(s).Contains("RSA_", StringComparison.Ordinal)).ToArray());

        protected override TlsCredentialedSigner GetECDsaSignerCredentials() =>
            _credentials.IsEcdsa ? _credentials.Signer(m_context, m_context.SecurityParameters.ClientSigAlgs) : throw new TlsFatalAlert(BcAlert.internal_error, "not an ECDSA key");

        protected override TlsCredentialedSigner GetRsaSignerCredentials() =>
            _credentials.IsRsa ? _credentials.Signer(m_context, m_context.SecurityParameters.ClientSigAlgs) : throw new TlsFatalAlert(BcAlert.internal_error, "not an RSA key");

        protected override TlsCredentialedDecryptor GetRsaEncryptionCredentials() =>
            _credentials.IsRsa ? new BcDefaultTlsCredentialedDecryptor(SharedCrypto, _credentials.Chain, _credentials.PrivateKey) : throw new TlsFatalAlert(BcAlert.internal_error, "not an RSA key");
    }
}

/// <summary>A BouncyCastle TLS server on a loopback port: each <see cref="Accept"/> takes one connection and completes its handshake.</summary>
internal sealed class BcTlsListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly BcTlsOptions _options;
    private readonly List<Socket> _sockets = [];

    private BcTlsListener(BcTlsOptions options)
    {
        _options = options;
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Listens on 127.0.0.1 on a port of the system's choosing.</summary>
    public static BcTlsListener Start(BcTlsOptions options) => new(options);

    /// <summary>Waits (bounded) for a connection and runs the server handshake on it.</summary>
    public BcTlsPeer Accept()
    {
        var clock = Stopwatch.StartNew();
        while (!_listener.Pending())
        {
            if (clock.ElapsedMilliseconds > _options.TimeoutMs)
            {
                throw new TimeoutException("no client connected to the BouncyCastle server");
            }

            Thread.Sleep(10);
        }

        Socket socket = _listener.AcceptSocket();
        socket.ReceiveTimeout = _options.TimeoutMs;
        socket.SendTimeout = _options.TimeoutMs;
        lock (_sockets)
        {
            _sockets.Add(socket);
        }

        return BcTlsPeer.Server(new NetworkStream(socket, ownsSocket: false), _options, socket);
    }

    /// <summary><see cref="Accept"/> on a worker thread, so the test can start the client.</summary>
    public Task<BcTlsPeer> AcceptAsync() => Task.Run(Accept);

    public void Dispose()
    {
        _listener.Stop();
        lock (_sockets)
        {
            _sockets.ForEach(s => s.Dispose());
        }
    }
}
