using System.Net.Sockets;
using ManagedTls.Ssl;
using ManagedTls.X509;

namespace ManagedTls.Cli;

/// <summary>
/// <c>managedtls s_client</c>: a TLS 1.3 and TLS 1.2 client with openssl s_client's flags. It connects, handshakes,
/// then copies standard input to the connection and the connection's data to standard output until either
/// side ends. As in openssl, a failed certificate verification is reported but does not stop the connection
/// unless <c>-verify_return_error</c> is given.
/// </summary>
internal static class SClientCommand
{
    private const string UsageText =
        "usage: s_client -connect host:port [-servername N | -noservername] [-CAfile F] [-verify_return_error] "
        + "[-cert F -key F [-pass pass:X]] [-alpn L] [-groups L] [-cipher L] [-ciphersuites L] [-tls1_2 | -tls1_3] [-no_tls1_2] [-no_tls1_3] [-no_ticket] [-comp|-no_comp] [-legacy_renegotiation] [-legacy_server_connect] [-no_legacy_server_connect] [-no_renegotiation] [-client_renegotiation] [-serverpref] [-keylogfile F] [-sess_out F] [-sess_in F] [-reconnect] [-brief] [-quiet] [-timeout MS]";

    public static int Run(string[] args) =>
        Run(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error);

    /// <summary>Runs the client over the given standard streams (tests pass their own).</summary>
    public static int Run(string[] args, Stream stdin, Stream stdout, TextWriter stderr)
    {
        string? connect = null, serverName = null, caFile = null, certFile = null, keyFile = null, pass = null, keyLogFile = null;
        string? sessOut = null, sessIn = null;
        bool noServerName = false, verifyReturnError = false, brief = false, quiet = false, reconnect = false;
        int timeoutMs = 10000;
        SslContext context = TlsCliCommon.NewContext(serverSide: false);
        var a = new CliArgs(args);
        while (a.Next())
        {
            switch (a.Current)
            {
                case "-connect": connect = a.Value(); break;
                case "-servername": serverName = a.Value(); break;
                case "-noservername": noServerName = true; break;
                case "-CAfile": caFile = a.Value(); break;
                case "-verify_return_error": verifyReturnError = true; break;
                case "-cert": certFile = a.Value(); break;
                case "-key": keyFile = a.Value(); break;
                case "-pass": pass = a.Value(); break;
                case "-alpn": TlsCliCommon.SetAlpn(context, a.Value()); break;
                case "-groups": TlsCliCommon.SetGroups(context, a.Value()); break;
                case "-cipher": TlsCliCommon.SetCiphers(context, a.Value()); break;
                case "-ciphersuites": TlsCliCommon.SetCiphersuites(context, a.Value()); break;
                case "-comp": context.Options &= ~SslOptions.NoCompression; break;
                case "-no_comp": context.Options |= SslOptions.NoCompression; break;
                case "-no_ticket": context.Options |= SslOptions.NoTicket; break;
                case "-reconnect": reconnect = true; break;
                case "-keylogfile": keyLogFile = a.Value(); break;
                case "-sess_out": sessOut = a.Value(); break;
                case "-sess_in": sessIn = a.Value(); break;
                case "-brief": brief = true; break;
                case "-quiet": quiet = true; break;
                case "-timeout": timeoutMs = a.IntValue(); break;
                default:
                    if (TlsCliCommon.ProtocolFlag(context, a, serverSide: false))
                    {
                        break;
                    }

                    TlsCliCommon.RejectUnsupported(a.Current);
                    throw new UsageException($"unknown option {a.Current}\n{UsageText}");
            }
        }

        if (connect is null)
        {
            throw new UsageException("-connect host:port is required\n" + UsageText);
        }

        (string host, int port) = HostPort(connect);
        if ((certFile is null) != (keyFile is null))
        {
            throw new UsageException("-cert and -key go together");
        }

        if (certFile is not null)
        {
            TlsCliCommon.LoadCertChain(context, certFile, keyFile, pass);
        }

        if (caFile is not null)
        {
            TlsCliCommon.LoadVerifyLocations(context, caFile);
        }

        // As openssl: the chain is always verified and reported; only -verify_return_error makes a failure end the handshake.
        if (verifyReturnError)
        {
            context.VerifyMode = VerifyMode.CertRequired;
        }

        if (keyLogFile is not null)
        {
            TlsCliCommon.KeyLog(context, keyLogFile);
        }

        string? sni = noServerName ? null : serverName ?? host;
        SslSession? offered = sessIn is null ? null : TlsCliCommon.LoadSession(sessIn, context, stderr);
        if (sessIn is not null && offered is null)
        {
            return 1;
        }

        using (offered)
        {
            // -reconnect, as openssl: after the first connection, five more offering the session of the one before.
            int connections = reconnect ? 6 : 1;
            SslSession? session = offered;
            var received = new List<SslSession>();
            try
            {
                for (int i = 0; i < connections; i++)
                {
                    bool last = i == connections - 1;
                    int result = Connect(context, host, port, sni, session, last ? sessOut : null, brief, quiet, timeoutMs, last ? stdin : null, stdout, stderr, out SslSession? next);
                    if (result != 0 || last)
                    {
                        return result;
                    }

                    stdout.Write(System.Text.Encoding.ASCII.GetBytes("drop connection and then reconnect\n"));
                    stdout.Flush();
                    if (next is not null)
                    {
                        received.Add(next);
                        session = next;
                    }
                }

                return 0;
            }
            finally
            {
                foreach (SslSession s in received)
                {
                    s.Dispose();
                }
            }
        }
    }

    // One connection: connect, wrap, converse. With stdin null (a connection -reconnect drops), the handshake and summary
    // only; its session comes back in next for the following connection.
    private static int Connect(
        SslContext context, string host, int port, string? sni, SslSession? session, string? sessOut, bool brief, bool quiet, int timeoutMs,
        Stream? stdin, Stream stdout, TextWriter stderr, out SslSession? next)
    {
        next = null;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (!socket.ConnectAsync(host, port).Wait(timeoutMs))
            {
                stderr.WriteLine($"connect to {host}:{port} timed out");
                return 1;
            }
        }
        catch (AggregateException e) when (e.InnerException is SocketException se)
        {
            stderr.WriteLine($"connect to {host}:{port} failed: {se.Message}");
            return 1;
        }

        socket.NoDelay = true;
        if (!quiet && !brief)
        {
            stdout.Write(System.Text.Encoding.ASCII.GetBytes($"CONNECTED({socket.Handle:X8})\n"));
        }

        SslSocket tls;
        try
        {
            tls = context.WrapSocket(socket, doHandshakeOnConnect: false, serverHostname: sni, session: session);
        }
        catch (SslException e)
        {
            stderr.WriteLine($"handshake failed: {TlsCliCommon.Describe(e)}");
            return 1;
        }

        using (tls)
        {
            if (stdin is not null)
            {
                return Converse(context, tls, sessOut, brief, quiet, timeoutMs, stdin, stdout, stderr);
            }

            if (!TlsCliCommon.Handshake(tls, timeoutMs, stderr))
            {
                return 1;
            }

            VerifyResult? verify = TlsCliCommon.VerifyPeer(context, tls);
            if (brief)
            {
                TlsCliCommon.PrintSummary(tls, verify, stderr);
            }
            else if (!quiet)
            {
                PrintSession(tls, verify, stdout);
            }

            // A TLS 1.3 ticket arrives after the handshake: a short read lets it in before the connection is dropped.
            if (tls.Version() == "TLSv1.3")
            {
                ReadTickets(tls);
            }

            SslSession? made = tls.Session;
            next = made is { IsResumable: true } && !ReferenceEquals(made, session) ? made : null;
            TlsCliCommon.CloseQuietly(tls);
            return 0;
        }
    }

    // A short read that lets the server's NewSessionTickets in; the connection is dropped after it, so any data is too.
    private static void ReadTickets(SslSocket tls)
    {
        tls.SetTimeout(0.5);
        try
        {
            tls.Read(1);
        }
        catch (Exception e) when (e is TimeoutException or SslException or IOException or SocketException)
        {
            // Nothing more came, or the server closed: the tickets that arrived are kept.
        }
    }

    // The connection once the socket is wrapped: handshake, summary, data, session file.
    private static int Converse(SslContext context, SslSocket tls, string? sessOut, bool brief, bool quiet, int timeoutMs, Stream stdin, Stream stdout, TextWriter stderr)
    {
        if (!TlsCliCommon.Handshake(tls, timeoutMs, stderr))
        {
            return 1;
        }

        VerifyResult? verify = TlsCliCommon.VerifyPeer(context, tls);
        if (brief)
        {
            TlsCliCommon.PrintSummary(tls, verify, stderr);
        }
        else if (!quiet)
        {
            PrintSession(tls, verify, stdout);
        }

        var input = new TlsCliCommon.InputReader(stdin);
        int result = TlsCliCommon.Pump(tls, input, stdout, stderr, new TlsCliCommon.PumpOptions(Commands: !quiet, IgnoreEof: quiet));
        if (sessOut is not null)
        {
            // As openssl: the newest session received, else the one this connection resumed.
            using SslSession? session = tls.Session;
            if (session is not { IsResumable: true })
            {
                // openssl writes a session that resumes nothing; there is nothing worth a file here.
                stderr.WriteLine("no session to write: the server sent no ticket");
            }
            else
            {
                TlsCliCommon.SaveSession(sessOut, session);
            }
        }

        return result;
    }

    private static void PrintSession(SslSocket tls, VerifyResult? verify, Stream stdout)
    {
        var w = new StringWriter();
        w.WriteLine("---");
        IReadOnlyList<byte[]> chain = tls.GetUnverifiedChain();
        if (chain.Count > 0)
        {
            w.WriteLine("Server certificate");
            w.WriteLine($"subject={TlsCliCommon.OneLineSubject(chain[0])}");
        }

        w.WriteLine("---");
        w.WriteLine($"{(tls.SessionReused ? "Reused" : "New")}, {tls.Version()}, Cipher is {tls.Cipher()?.Name}");
        if (tls.SelectedAlpnProtocol() is { } alpn)
        {
            w.WriteLine($"ALPN protocol: {alpn}");
        }
        else
        {
            w.WriteLine("No ALPN negotiated");
        }

        w.WriteLine(verify is null ? "Verify return code: 0 (ok)" : $"Verify return code: {(int)verify.Error} ({verify.Message})");
        w.WriteLine("---");
        stdout.Write(System.Text.Encoding.UTF8.GetBytes(w.ToString()));
        stdout.Flush();
    }

    private static (string Host, int Port) HostPort(string connect)
    {
        int colon = connect.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(connect.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port is 0 or > 65535)
        {
            throw new UsageException($"-connect needs host:port, not '{connect}'");
        }

        string host = connect.Substring(0, colon);
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return (host, port);
    }
}
