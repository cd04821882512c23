using System.Collections.Concurrent;
using System.Net.Sockets;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Ssl;
using ManagedTls.X509;
using ManagedTls.X509.Store;

namespace ManagedTls.Cli;

/// <summary>Walks an argument list flag by flag, as openssl's option parser does.</summary>
internal sealed class CliArgs
{
    private readonly string[] _args;
    private int _next;

    public CliArgs(string[] args) => _args = args;

    /// <summary>The flag being handled.</summary>
    public string Current { get; private set; } = "";

    /// <summary>Moves to the next flag; false at the end.</summary>
    public bool Next()
    {
        if (_next >= _args.Length)
        {
            return false;
        }

        Current = _args[_next++];
        return true;
    }

    /// <summary>The value after the current flag.</summary>
    public string Value()
    {
        if (_next >= _args.Length)
        {
            throw new UsageException($"option {Current} needs a value");
        }

        return _args[_next++];
    }

    /// <summary>The value after the current flag as a non-negative integer.</summary>
    public int IntValue()
    {
        string v = Value();
        if (!int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
        {
            throw new UsageException($"option {Current} needs a number, not '{v}'");
        }

        return n;
    }
}

/// <summary>
/// What s_client and s_server share: an <see cref="SslContext"/> made from openssl's flags, the connection summary
/// and the data pump over the facade's <see cref="SslSocket"/>.
/// </summary>
internal static class TlsCliCommon
{
    /// <summary>OpenSSL's default TLS 1.2 cipher list, which openssl's s_client and s_server use without <c>-cipher</c>.</summary>
    public const string DefaultCiphers = "DEFAULT";

    /// <summary>Flags for what this tool does not offer: refused rather than ignored.</summary>
    public static void RejectUnsupported(string flag)
    {
        if (flag is "-tls1_1" or "-tls1")
        {
            throw new UsageException($"option {flag} is not supported: TLS 1.1 and earlier are never spoken");
        }

        if (flag is "-dtls")
        {
            throw new UsageException($"option {flag} is not supported");
        }
    }

    /// <summary>
    /// The version and renegotiation flags s_client and s_server share, as openssl's: <c>-tls1_2</c>, <c>-tls1_3</c>
    /// (that version only), <c>-no_tls1_2</c>, <c>-no_tls1_3</c>, <c>-legacy_renegotiation</c>
    /// (<see cref="SslOptions.AllowUnsafeLegacyRenegotiation"/>), <c>-legacy_server_connect</c> and
    /// <c>-no_legacy_server_connect</c>, <c>-no_renegotiation</c>, <c>-client_renegotiation</c>
    /// (<see cref="SslOptions.AllowClientRenegotiation"/>, meaningful on a server), <c>-serverpref</c> and, on a server,
    /// <c>-dhparam FILE</c>. Returns false for any other flag.
    /// </summary>
    public static bool ProtocolFlag(SslContext context, CliArgs a, bool serverSide)
    {
        switch (a.Current)
        {
            case "-tls1_2":
                context.MinimumVersion = TlsVersion.TlsV1_2;
                context.MaximumVersion = TlsVersion.TlsV1_2;
                return true;
            case "-tls1_3":
                context.MaximumVersion = TlsVersion.TlsV1_3;
                context.MinimumVersion = TlsVersion.TlsV1_3;
                return true;
            case "-no_tls1_2": context.Options |= SslOptions.NoTlsV1_2; return true;
            case "-no_tls1_3": context.Options |= SslOptions.NoTlsV1_3; return true;
            case "-legacy_renegotiation": context.Options |= SslOptions.AllowUnsafeLegacyRenegotiation; return true;
            case "-legacy_server_connect": context.Options |= SslOptions.LegacyServerConnect; return true;
            case "-no_legacy_server_connect": context.Options &= ~SslOptions.LegacyServerConnect; return true;
            case "-no_renegotiation": context.Options |= SslOptions.NoRenegotiation; return true;
            case "-client_renegotiation": context.Options |= SslOptions.AllowClientRenegotiation; return true;
            case "-serverpref": context.Options |= SslOptions.CipherServerPreference; return true;
            case "-dhparam" when serverSide:
                string file = a.Value();
                try
                {
                    context.LoadDhParams(file);
                }
                catch (Exception e) when (e is SslException or IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"cannot load DH parameters from {file}: {e.Message}");
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A context as openssl's s_client and s_server start from, unlike Python's defaults: OpenSSL's <c>DEFAULT</c> cipher
    /// list, the client's suite order honoured (no <c>OP_CIPHER_SERVER_PREFERENCE</c>), and on a client neither the
    /// certificate nor the host name checked during the handshake (the chain is verified and reported afterwards).
    /// </summary>
    public static SslContext NewContext(bool serverSide)
    {
        var context = new SslContext(serverSide ? SslProtocol.TlsServer : SslProtocol.TlsClient);
        if (!serverSide)
        {
            context.CheckHostname = false;
            context.VerifyMode = VerifyMode.CertNone;
        }

        context.Options &= ~SslOptions.CipherServerPreference;
        context.SetCiphers(DefaultCiphers);
        return context;
    }

    /// <summary><c>-cipher</c>: the TLS 1.2 suites, an OpenSSL cipher string.</summary>
    public static void SetCiphers(SslContext context, string list)
    {
        try
        {
            context.SetCiphers(list);
        }
        catch (SslException e)
        {
            throw new UsageException($"bad cipher list '{list}': {e.Message}");
        }
    }

    /// <summary><c>-ciphersuites</c>: the TLS 1.3 suites, colon-separated IANA names.</summary>
    public static void SetCiphersuites(SslContext context, string list)
    {
        if (list.Length == 0)
        {
            throw new UsageException($"no TLS 1.3 cipher suite in '{list}'");
        }

        try
        {
            context.SetCiphersuites(list);
        }
        catch (SslException e)
        {
            throw new UsageException($"bad cipher suite list '{list}': {e.Message}");
        }
    }

    /// <summary><c>-groups</c>: an openssl group list (<c>X25519:P-256</c>); the client sends a key share for the first.</summary>
    public static void SetGroups(SslContext context, string list)
    {
        try
        {
            context.SetGroups(list);
        }
        catch (SslException e)
        {
            throw new UsageException($"bad group list '{list}': {e.InnerException?.Message ?? e.Message}");
        }
    }

    /// <summary><c>-alpn</c>: comma-separated protocol names.</summary>
    public static void SetAlpn(SslContext context, string list)
    {
        string[] names = list.Split(',');
        try
        {
            context.SetAlpnProtocols(names);
        }
        catch (Exception e) when (e is SslException or ArgumentException)
        {
            throw new UsageException($"bad ALPN list '{list}'");
        }
    }

    /// <summary>
    /// <c>-cert</c>, <c>-key</c> and <c>-pass</c>: the certificate chain (PEM) and its private key, which without
    /// <paramref name="keyFile"/> is read from the certificate file; the pass phrase is an openssl pass phrase
    /// argument (<c>pass:X</c>, <c>env:VAR</c>, <c>file:PATH</c>).
    /// </summary>
    public static void LoadCertChain(SslContext context, string certFile, string? keyFile, string? pass)
    {
        string? password = PassPhrase(pass);
        try
        {
            context.LoadCertChain(certFile, keyFile, password);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SslException or ArgumentException)
        {
            throw new UsageException($"cannot load the certificate and key from {certFile}{(keyFile is null ? "" : " and " + keyFile)}: {e.Message}");
        }
    }

    /// <summary><c>-CAfile</c>: trust anchors for verifying the peer; without it nothing is trusted.</summary>
    public static void LoadVerifyLocations(SslContext context, string caFile)
    {
        try
        {
            context.LoadVerifyLocations(cafile: caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SslException or ArgumentException)
        {
            throw new UsageException($"cannot load certificates from {caFile}: {e.Message}");
        }
    }

    /// <summary>
    /// <c>-keylogfile</c>: appends NSS key log lines to a file, through the context's <see cref="SslContext.KeylogFilename"/>
    /// (the library's one writer: a new file is private, 0600, and starts with a comment line, as openssl's does).
    /// </summary>
    public static void KeyLog(SslContext context, string path)
    {
        try
        {
            context.KeylogFilename = path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot open the key log file {path}: {e.Message}");
        }
    }

    private static string? PassPhrase(string? arg)
    {
        if (arg is null)
        {
            return null;
        }

        if (arg.StartsWith("pass:", StringComparison.Ordinal))
        {
            return arg.Substring(5);
        }

        if (arg.StartsWith("env:", StringComparison.Ordinal))
        {
            return Environment.GetEnvironmentVariable(arg.Substring(4)) ?? throw new UsageException($"environment variable {arg.Substring(4)} is not set");
        }

        if (arg.StartsWith("file:", StringComparison.Ordinal))
        {
            try
            {
                return File.ReadLines(arg.Substring(5)).FirstOrDefault() ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read the pass phrase from {arg.Substring(5)}: {e.Message}");
            }
        }

        throw new UsageException($"pass phrase argument must be pass:, env: or file:, not '{arg}'");
    }

    /// <summary>
    /// Reads a session file (<c>-sess_in</c>, OpenSSL's SSL_SESSION PEM) for a client connection of <paramref name="context"/>.
    /// A session without a host name (OpenSSL records one only when the server acknowledged server_name) is offered
    /// to the server connected to, as openssl offers it. Null after printing the reason when the file cannot be used.
    /// </summary>
    public static SslSession? LoadSession(string path, SslContext context, TextWriter err)
    {
        try
        {
            return SslSession.FromPem(File.ReadAllText(path), context);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SslException)
        {
            err.WriteLine($"Can't open session file {path}: {e.Message}");
            return null;
        }
    }

    /// <summary>Writes a session file (<c>-sess_out</c>) in OpenSSL's SSL_SESSION PEM, readable by <c>openssl s_client -sess_in</c>.</summary>
    public static void SaveSession(string path, SslSession session) => File.WriteAllText(path, session.ToPem());

    /// <summary>The peer's chain verified as the handshake would, with this side's trust; null when the peer sent no certificate.</summary>
    public static VerifyResult? VerifyPeer(SslContext context, SslSocket tls, int maxDepth = 100)
    {
        IReadOnlyList<byte[]> chain = tls.GetUnverifiedChain();
        return chain.Count == 0 ? null : context.VerifyPeerChain(chain, tls.ServerSide, maxDepth);
    }

    /// <summary>Writes openssl's <c>-brief</c> connection summary (print_ssl_summary) to <paramref name="w"/>.</summary>
    public static void PrintSummary(SslSocket tls, VerifyResult? verify, TextWriter w)
    {
        w.WriteLine("CONNECTION ESTABLISHED");
        w.WriteLine($"Protocol version: {tls.Version()}");
        w.WriteLine($"Ciphersuite: {tls.Cipher()?.Name}");
        IReadOnlyList<byte[]> chain = tls.GetUnverifiedChain();
        if (chain.Count == 0)
        {
            w.WriteLine("No peer certificate");
        }
        else
        {
            w.WriteLine($"Peer certificate: {OneLineSubject(chain[0])}");
            if ((tls.ServerSide ? tls.ClientSignatureScheme() : tls.SignatureScheme()) is { } scheme)
            {
                (string hash, string type) = SignatureNames(scheme);
                w.WriteLine($"Hash used: {hash}");
                w.WriteLine($"Signature type: {type}");
            }

            w.WriteLine(verify is null || verify.IsValid ? "Verification: OK" : $"Verification error: {verify.Message}");
        }

        if (!tls.ServerSide && tls.Group() is { } group)
        {
            w.WriteLine($"Server Temp Key: {TempKey(group)}");
        }

        w.Flush();
    }

    /// <summary>openssl's one-line subject (<c>C = US, O = Org, CN = host</c>).</summary>
    public static string OneLineSubject(byte[] certificate)
    {
        RawCertificate cert = RawCertificate.Parse(certificate);
        var parts = new List<string>();
        foreach (var rdn in RawCertificate.NameRdns(cert.Subject))
        {
            parts.Add(string.Join(" + ", rdn.Select(av =>
                $"{ShortName(av.Type.Oid())} = {Asn1Text.ToText(av.Value.TagNumber, av.Value.ContentBytes()) ?? CryptoUtil.ToHex(av.Value.Encoded())}")));
        }

        return string.Join(", ", parts);
    }

    /// <summary>A group's name as openssl prints it (<c>X25519</c>, <c>prime256v1</c>), from the facade's IANA name.</summary>
    public static string GroupName(string ianaName) => KeyExchangeGroups.FindByName(ianaName)?.OpenSslName ?? ianaName;

    /// <summary>
    /// Describes a facade failure in one line: the alert and the engine's reason when an alert was sent or received
    /// (<c>CertificateRequired: ...</c>), otherwise the exception's text.
    /// </summary>
    public static string Describe(SslException e) =>
        e.InnerException is TlsAlertException alert ? $"{alert.Description}: {alert.Message}" : e.Message;

    private static string ShortName(string oid) => oid switch
    {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "serialNumber",
        "2.5.4.4" => "SN",
        "2.5.4.42" => "GN",
        "2.5.4.12" => "title",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => ManagedTls.X509.PeerCert.OpenSslObjectNames.Name(oid),
    };

    // openssl's "Hash used" and "Signature type" for a signature scheme's IANA name.
    private static (string Hash, string Type) SignatureNames(string scheme) => scheme switch
    {
        "ecdsa_secp256r1_sha256" => ("SHA256", "ECDSA"),
        "ecdsa_secp384r1_sha384" => ("SHA384", "ECDSA"),
        "ecdsa_secp521r1_sha512" => ("SHA512", "ECDSA"),
        "rsa_pss_rsae_sha256" or "rsa_pss_pss_sha256" => ("SHA256", "RSA-PSS"),
        "rsa_pss_rsae_sha384" or "rsa_pss_pss_sha384" => ("SHA384", "RSA-PSS"),
        "rsa_pss_rsae_sha512" or "rsa_pss_pss_sha512" => ("SHA512", "RSA-PSS"),
        "rsa_pkcs1_sha256" => ("SHA256", "RSA"),
        "rsa_pkcs1_sha384" => ("SHA384", "RSA"),
        "rsa_pkcs1_sha512" => ("SHA512", "RSA"),
        "ed25519" => ("UNDEF", "ed25519"),
        "ed448" => ("UNDEF", "ed448"),
        _ => ("UNDEF", scheme),
    };

    // openssl's "Server Temp Key" for a group's IANA name.
    private static string TempKey(string group) => group switch
    {
        "x25519" => "X25519, 253 bits",
        "x448" => "X448, 448 bits",
        "secp256r1" => "ECDH, prime256v1, 256 bits",
        "secp384r1" => "ECDH, secp384r1, 384 bits",
        "secp521r1" => "ECDH, secp521r1, 521 bits",
        "ffdhe2048" => "DH, 2048 bits",
        "ffdhe3072" => "DH, 3072 bits",
        "ffdhe4096" => "DH, 4096 bits",
        "ffdhe6144" => "DH, 6144 bits",
        "ffdhe8192" => "DH, 8192 bits",
        _ => group,
    };

    /// <summary>
    /// Runs the handshake within <paramref name="timeoutMs"/>; false when the peer closed or failed it (the alert, if
    /// any, is sent and the reason written to <paramref name="err"/>).
    /// </summary>
    public static bool Handshake(SslSocket tls, int timeoutMs, TextWriter err)
    {
        try
        {
            tls.SetTimeout(Math.Max(timeoutMs, 1) / 1000.0);
            tls.DoHandshake();
            return true;
        }
        catch (TimeoutException)
        {
            err.WriteLine("handshake timed out");
        }
        catch (SslEofException)
        {
            err.WriteLine("the peer closed the connection during the handshake");
        }
        catch (SslException e)
        {
            err.WriteLine($"handshake failed: {Describe(e)}");
        }
        catch (SocketException e)
        {
            err.WriteLine($"handshake failed: {e.Message}");
        }

        return false;
    }

    /// <summary>Sends close_notify without waiting for the peer's, when the peer has gone already: a failure is not one.</summary>
    public static void CloseQuietly(SslSocket tls)
    {
        try
        {
            Blocking(tls, tls.SendCloseNotify);
        }
        catch (Exception e) when (e is SslException or SocketException or ObjectDisposedException)
        {
            // The peer is gone; close_notify cannot be delivered.
        }
    }

    /// <summary>Runs a write on the (otherwise non-blocking) socket blocking, as openssl's blocking writes do.</summary>
    private static void Blocking(SslSocket tls, Action write)
    {
        tls.SetBlocking(true);
        try
        {
            write();
        }
        finally
        {
            tls.SetBlocking(false);
        }
    }

    /// <summary>
    /// Writes the application data already readable without waiting to <paramref name="output"/>; true when the peer
    /// has closed (its close_notify, or the end of the TCP stream).
    /// </summary>
    private static bool Deliver(SslSocket tls, byte[] plain, Stream output)
    {
        try
        {
            while (true)
            {
                int n = tls.Read(plain, 0, plain.Length);
                if (n == 0)
                {
                    return true;
                }

                output.Write(plain, 0, n);
            }
        }
        catch (SslWantReadException)
        {
            return false;
        }
        catch (Exception e) when (e is SslZeroReturnException or SslEofException)
        {
            return true;
        }
        finally
        {
            output.Flush();
        }
    }

    /// <summary>Reads standard input on its own thread so the pump can poll the socket meanwhile; null marks EOF.</summary>
    public sealed class InputReader
    {
        private readonly BlockingCollection<byte[]?> _chunks = new();

        public InputReader(Stream input)
        {
            var thread = new Thread(() =>
            {
                byte[] buffer = new byte[16384];
                try
                {
                    int n;
                    while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        _chunks.Add(buffer.AsSpan(0, n).ToArray());
                    }
                }
                catch (IOException)
                {
                    // Treated as end of input.
                }

                _chunks.Add(null);
            })
            { IsBackground = true, Name = "stdin" };
            thread.Start();
        }

        /// <summary>True once EOF was handed out.</summary>
        public bool AtEof { get; private set; }

        /// <summary>The next chunk if one is ready; <paramref name="eof"/> is set when input ended.</summary>
        public bool TryTake(out byte[]? chunk)
        {
            chunk = null;
            if (AtEof || !_chunks.TryTake(out byte[]? c))
            {
                return false;
            }

            chunk = c;
            AtEof = c is null;
            return true;
        }
    }

    // openssl's renegotiation commands: a line that is only "R" (s_client and s_server) or "r" (s_server).
    private static bool IsRenegotiationCommand(SslSocket tls, byte[] chunk) =>
        chunk.Length <= 3 && (chunk[0] == (byte)'R' || (chunk[0] == (byte)'r' && tls.ServerSide))
        && chunk.AsSpan(1).Trim("\r\n"u8).IsEmpty;

    /// <summary>How the pump treats standard input.</summary>
    /// <param name="Commands">'Q' at the start of a read quits, 'k'/'K' sends a KeyUpdate, 'R' renegotiates (a server's 'R'
    /// also asks for the client's certificate, 'r' does not), as openssl's command letters.</param>
    /// <param name="IgnoreEof">Input EOF does not end the connection; wait for the peer instead (openssl's -quiet / -ign_eof).</param>
    /// <param name="PeerCloseWaitMs">After our close_notify, how long to wait for the peer's.</param>
    public sealed record PumpOptions(bool Commands, bool IgnoreEof, int PeerCloseWaitMs = 5000);


    /// <summary>
    /// Copies input to the connection and the connection's data to <paramref name="output"/> until either side ends,
    /// reading without blocking (so input is never held up by a peer that sends nothing) and writing blocking. Returns
    /// 0 on an orderly end, 1 when the connection failed.
    /// </summary>
    public static int Pump(SslSocket tls, InputReader input, Stream output, TextWriter err, PumpOptions options)
    {
        byte[] plain = new byte[16384];
        Socket socket = tls.Socket ?? throw new ObjectDisposedException(nameof(SslSocket));
        DateTime? closeDeadline = null;
        try
        {
            tls.SetBlocking(false);
            if (Deliver(tls, plain, output))
            {
                err.WriteLine("DONE");
                CloseQuietly(tls);
                return 0;
            }

            while (true)
            {
                while (closeDeadline is null && input.TryTake(out byte[]? chunk))
                {
                    if (chunk is null || (options.Commands && chunk[0] == (byte)'Q'))
                    {
                        if (chunk is null && options.IgnoreEof)
                        {
                            break;
                        }

                        // As openssl: close_notify now; what the peer still sends is shown until its close_notify.
                        err.WriteLine("DONE");
                        Blocking(tls, tls.SendCloseNotify);
                        closeDeadline = DateTime.UtcNow.AddMilliseconds(options.PeerCloseWaitMs);
                        break;
                    }

                    if (options.Commands && IsRenegotiationCommand(tls, chunk))
                    {
                        // As openssl: the request goes out now and the new handshake completes as data is read.
                        err.WriteLine("RENEGOTIATING");
                        try
                        {
                            Blocking(tls, () => tls.StartRenegotiation(requestClientCertificate: tls.ServerSide && chunk[0] == (byte)'R'));
                        }
                        catch (SslException e) when (e.Reason is "NO_RENEGOTIATION" or "WRONG_SSL_VERSION" or "STILL_IN_INIT")
                        {
                            err.WriteLine($"renegotiation refused: {Describe(e)}");
                        }
                    }
                    else if (options.Commands && chunk[0] is (byte)'k' or (byte)'K')
                    {
                        err.WriteLine("KEYUPDATE");
                        bool request = chunk[0] == (byte)'K';
                        Blocking(tls, () => tls.UpdateKeys(requestPeerUpdate: request));
                    }
                    else
                    {
                        Blocking(tls, () => tls.Write(chunk));
                    }
                }

                if (closeDeadline is { } d && DateTime.UtcNow >= d)
                {
                    return 0;
                }

                if (!socket.Poll(50_000, SelectMode.SelectRead))
                {
                    continue;
                }

                if (Deliver(tls, plain, output))
                {
                    if (closeDeadline is null)
                    {
                        err.WriteLine("DONE");
                        CloseQuietly(tls);
                    }

                    return 0;
                }
            }
        }
        catch (SslException e)
        {
            err.WriteLine($"connection failed: {Describe(e)}");
            return 1;
        }
        catch (SocketException e)
        {
            err.WriteLine($"connection failed: {e.Message}");
            return 1;
        }
    }
}
