using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
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

/// <summary>What s_client and s_server share: credential loading, option values, the summary and the data pump.</summary>
internal static class TlsCliCommon
{
    /// <summary>Flags for features the engine does not have yet: refused rather than ignored.</summary>
    public static void RejectUnsupported(string flag)
    {
        if (flag is "-sess_out" or "-sess_in" or "-tls1_2" or "-tls1_1" or "-tls1" or "-no_tls1_3" or "-reconnect" or "-dtls")
        {
            throw new UsageException($"option {flag} is not supported yet (TLS 1.3 without resumption only)");
        }
    }

    /// <summary>The certificates in a PEM file, in file order.</summary>
    public static List<byte[]> LoadCertificates(string path)
    {
        try
        {
            var certs = PemReader.Read(PemReader.Latin1(File.ReadAllBytes(path)))
                .Where(b => CertificateStore.IsCertificateLabel(b.Label, trusted: true))
                .Select(CertificateStore.CertificateFromBlock)
                .ToList();
            if (certs.Count == 0)
            {
                throw new UsageException($"no certificate in {path}");
            }

            return certs;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateStoreException)
        {
            throw new UsageException($"cannot load certificates from {path}: {e.Message}");
        }
    }

    /// <summary>The private key in a PEM or DER file, decrypted with an openssl pass phrase argument (<c>pass:X</c>, <c>env:VAR</c>, <c>file:PATH</c>).</summary>
    public static PrivateKey LoadKey(string path, string? pass)
    {
        try
        {
            return PrivateKey.LoadFile(path, PassPhrase(pass));
        }
        catch (Exception e) when (e is not UsageException)
        {
            throw new UsageException($"cannot load the private key from {path}: {e.Message}");
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
            return File.ReadLines(arg.Substring(5)).FirstOrDefault() ?? "";
        }

        throw new UsageException($"pass phrase argument must be pass:, env: or file:, not '{arg}'");
    }

    /// <summary>Trust anchors from a CA file; none when no file is given.</summary>
    public static TrustStore LoadTrust(string? caFile) => new(caFile is null ? [] : LoadCertificates(caFile));

    /// <summary>An openssl group list (<c>X25519:P-256</c>).</summary>
    public static IReadOnlyList<KeyExchangeGroup> Groups(string list)
    {
        try
        {
            return KeyExchangeGroups.ParseList(list);
        }
        catch (Exception e) when (e is ArgumentException or CipherStringException or TlsAlertException)
        {
            throw new UsageException($"bad group list '{list}': {e.Message}");
        }
    }

    /// <summary>An openssl TLS 1.3 suite list.</summary>
    public static IReadOnlyList<CipherSuiteInfo> Suites(string list)
    {
        try
        {
            var suites = Tls13CipherSuiteList.Parse(list);
            return suites.Count > 0 ? suites : throw new UsageException($"no TLS 1.3 cipher suite in '{list}'");
        }
        catch (Exception e) when (e is ArgumentException or CipherStringException or TlsAlertException)
        {
            throw new UsageException($"bad cipher suite list '{list}': {e.Message}");
        }
    }

    /// <summary>An openssl ALPN list: comma-separated protocol names.</summary>
    public static IReadOnlyList<byte[]> Alpn(string list)
    {
        var names = list.Split(',');
        if (names.Any(n => n.Length == 0 || n.Length > 255))
        {
            throw new UsageException($"bad ALPN list '{list}'");
        }

        return names.Select(Encoding.ASCII.GetBytes).ToList();
    }

    /// <summary>Appends NSS key log lines to a file, as openssl's <c>-keylogfile</c> does (the library's one writer: a new file is private, 0600).</summary>
    public static Action<string>? KeyLog(string? path) => path is null ? null : KeyLogFile.Writer(path);

    /// <summary>
    /// Reads a session file (<c>-sess_in</c>, OpenSSL's SSL_SESSION PEM). A session without a host name (OpenSSL records
    /// one only when the server acknowledged server_name) is bound to <paramref name="serverName"/>, as openssl offers it
    /// regardless. Null after printing the reason when the file cannot be used.
    /// </summary>
    public static Tls13Session? LoadSession(string path, string? serverName, TextWriter err)
    {
        Tls13Session session;
        try
        {
            session = global::ManagedTls.Ssl.SslSessionPem.FromPem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or global::ManagedTls.Ssl.SslException)
        {
            err.WriteLine($"Can't open session file {path}: {e.Message}");
            return null;
        }

        if (session.ServerName is not null || serverName is null)
        {
            return session;
        }

        using (session)
        {
            return new Tls13Session(session.Ticket, session.Psk.ToArray(), session.Suite, session.LifetimeSeconds, session.AgeAdd, session.CreatedAt)
            {
                Alpn = session.Alpn,
                ServerName = serverName,
                PeerChain = session.PeerChain,
                VerifyResult = session.VerifyResult,
            };
        }
    }

    /// <summary>Writes a session file (<c>-sess_out</c>) in OpenSSL's SSL_SESSION PEM, readable by <c>openssl s_client -sess_in</c>.</summary>
    public static void SaveSession(string path, Tls13Session session) => File.WriteAllText(path, global::ManagedTls.Ssl.SslSessionPem.ToPem(session));

    /// <summary>Writes openssl's <c>-brief</c> connection summary (print_ssl_summary) to <paramref name="w"/>.</summary>
    public static void PrintSummary(TlsConnection tls, VerifyResult? verify, TextWriter w)
    {
        w.WriteLine("CONNECTION ESTABLISHED");
        w.WriteLine("Protocol version: TLSv1.3");
        w.WriteLine($"Ciphersuite: {tls.CipherSuite?.IanaName}");
        if (tls.PeerCertificateChain.Count == 0)
        {
            w.WriteLine("No peer certificate");
        }
        else
        {
            w.WriteLine($"Peer certificate: {OneLineSubject(tls.PeerCertificateChain[0])}");
            SignatureScheme? scheme = tls.IsClient ? tls.SignatureScheme : tls.ClientSignatureScheme;
            if (scheme is { } s)
            {
                (string hash, string type) = SignatureNames(s);
                w.WriteLine($"Hash used: {hash}");
                w.WriteLine($"Signature type: {type}");
            }

            w.WriteLine(verify is null || verify.IsValid ? "Verification: OK" : $"Verification error: {verify.Message}");
        }

        if (tls.IsClient && tls.NamedGroup is { } g)
        {
            w.WriteLine($"Server Temp Key: {TempKey(g)}");
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

    private static (string Hash, string Type) SignatureNames(SignatureScheme s) => s switch
    {
        SignatureScheme.EcdsaSecp256r1Sha256 => ("SHA256", "ECDSA"),
        SignatureScheme.EcdsaSecp384r1Sha384 => ("SHA384", "ECDSA"),
        SignatureScheme.EcdsaSecp521r1Sha512 => ("SHA512", "ECDSA"),
        SignatureScheme.RsaPssRsaeSha256 or SignatureScheme.RsaPssPssSha256 => ("SHA256", "RSA-PSS"),
        SignatureScheme.RsaPssRsaeSha384 or SignatureScheme.RsaPssPssSha384 => ("SHA384", "RSA-PSS"),
        SignatureScheme.RsaPssRsaeSha512 or SignatureScheme.RsaPssPssSha512 => ("SHA512", "RSA-PSS"),
        SignatureScheme.RsaPkcs1Sha256 => ("SHA256", "RSA"),
        SignatureScheme.RsaPkcs1Sha384 => ("SHA384", "RSA"),
        SignatureScheme.RsaPkcs1Sha512 => ("SHA512", "RSA"),
        SignatureScheme.Ed25519 => ("UNDEF", "ed25519"),
        SignatureScheme.Ed448 => ("UNDEF", "ed448"),
        _ => ("UNDEF", s.ToString()),
    };

    private static string TempKey(NamedGroup g) => g switch
    {
        NamedGroup.X25519 => "X25519, 253 bits",
        NamedGroup.X448 => "X448, 448 bits",
        NamedGroup.Secp256r1 => "ECDH, prime256v1, 256 bits",
        NamedGroup.Secp384r1 => "ECDH, secp384r1, 384 bits",
        NamedGroup.Secp521r1 => "ECDH, secp521r1, 521 bits",
        NamedGroup.Ffdhe2048 => "DH, 2048 bits",
        NamedGroup.Ffdhe3072 => "DH, 3072 bits",
        NamedGroup.Ffdhe4096 => "DH, 4096 bits",
        NamedGroup.Ffdhe6144 => "DH, 6144 bits",
        NamedGroup.Ffdhe8192 => "DH, 8192 bits",
        _ => g.ToString(),
    };

    /// <summary>Checks the settings before any network activity; settings that do not fit together are a usage error.</summary>
    public static void Validate(TlsConfig settings)
    {
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Sends every pending TLS byte.</summary>
    public static void Flush(TlsConnection tls, Socket socket)
    {
        while (tls.HasOutgoing)
        {
            byte[] bytes = new byte[tls.OutgoingLength];
            int n = tls.TakeOutgoing(bytes);
            int sent = 0;
            while (sent < n)
            {
                sent += socket.Send(bytes, sent, n - sent, SocketFlags.None);
            }
        }
    }

    /// <summary>
    /// Runs the handshake within <paramref name="timeoutMs"/>; false when the peer closed or failed it
    /// (the alert, if any, is sent and the reason written to <paramref name="err"/>).
    /// </summary>
    public static bool Handshake(TlsConnection tls, Socket socket, int timeoutMs, TextWriter err)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        byte[] buffer = new byte[16384];
        try
        {
            Flush(tls, socket);
            while (!tls.IsHandshakeComplete)
            {
                int left = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
                if (left <= 0 || !socket.Poll(Math.Min(left, int.MaxValue / 1000) * 1000, SelectMode.SelectRead))
                {
                    err.WriteLine("handshake timed out");
                    return false;
                }

                int n = socket.Receive(buffer);
                if (n == 0)
                {
                    err.WriteLine("the peer closed the connection during the handshake");
                    return false;
                }

                tls.ReceiveBytes(buffer.AsSpan(0, n));
                Flush(tls, socket);
            }

            return true;
        }
        catch (TlsAlertException e)
        {
            TrySendAlert(tls, socket);
            err.WriteLine($"handshake failed: {e.Description}: {e.Message}");
            return false;
        }
        catch (SocketException e)
        {
            err.WriteLine($"handshake failed: {e.Message}");
            return false;
        }
    }

    private static void TrySendAlert(TlsConnection tls, Socket socket)
    {
        try
        {
            Flush(tls, socket);
        }
        catch (SocketException)
        {
            // The peer is gone; the alert cannot be delivered.
        }
    }

    /// <summary>Writes buffered application data to <paramref name="output"/>; true when the peer has closed.</summary>
    private static bool Deliver(TlsConnection tls, byte[] plain, Stream output)
    {
        int m;
        while ((m = tls.ReadApplicationData(plain)) > 0)
        {
            output.Write(plain, 0, m);
        }

        output.Flush();
        return tls.PeerClosed;
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

    /// <summary>How the pump treats standard input.</summary>
    /// <param name="Commands">'Q' at the start of a read quits, 'k'/'K' sends a KeyUpdate (openssl's command letters).</param>
    /// <param name="IgnoreEof">Input EOF does not end the connection; wait for the peer instead (openssl's -quiet / -ign_eof).</param>
    /// <param name="PeerCloseWaitMs">After our close_notify, how long to wait for the peer's.</param>
    public sealed record PumpOptions(bool Commands, bool IgnoreEof, int PeerCloseWaitMs = 5000);

    /// <summary>
    /// Copies input to the connection and the connection's data to <paramref name="output"/> until either side
    /// ends. Returns 0 on an orderly end, 1 when the connection failed.
    /// </summary>
    public static int Pump(TlsConnection tls, Socket socket, InputReader input, Stream output, TextWriter err, PumpOptions options)
    {
        byte[] buffer = new byte[16384];
        byte[] plain = new byte[16384];
        DateTime? closeDeadline = null;
        try
        {
            if (Deliver(tls, plain, output))
            {
                err.WriteLine("DONE");
                tls.Close();
                Flush(tls, socket);
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

                        err.WriteLine("DONE");
                        tls.Close();
                        Flush(tls, socket);
                        closeDeadline = DateTime.UtcNow.AddMilliseconds(options.PeerCloseWaitMs);
                        break;
                    }

                    if (options.Commands && chunk[0] is (byte)'k' or (byte)'K')
                    {
                        err.WriteLine("KEYUPDATE");
                        tls.UpdateKeys(requestPeerUpdate: chunk[0] == (byte)'K');
                    }
                    else
                    {
                        tls.WriteApplicationData(chunk);
                    }

                    Flush(tls, socket);
                }

                if (closeDeadline is { } d && DateTime.UtcNow >= d)
                {
                    return 0;
                }

                if (!socket.Poll(50_000, SelectMode.SelectRead))
                {
                    continue;
                }

                int n = socket.Receive(buffer);
                if (n == 0)
                {
                    if (closeDeadline is null)
                    {
                        err.WriteLine("DONE");
                    }

                    return 0;
                }

                tls.ReceiveBytes(buffer.AsSpan(0, n));
                Flush(tls, socket);
                if (Deliver(tls, plain, output))
                {
                    if (closeDeadline is null)
                    {
                        err.WriteLine("DONE");
                        tls.Close();
                        Flush(tls, socket);
                    }

                    return 0;
                }
            }
        }
        catch (TlsAlertException e)
        {
            TrySendAlert(tls, socket);
            err.WriteLine($"connection failed: {e.Description}: {e.Message}");
            return 1;
        }
        catch (SocketException e)
        {
            err.WriteLine($"connection failed: {e.Message}");
            return 1;
        }
    }
}
