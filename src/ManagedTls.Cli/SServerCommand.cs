using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.Ssl;
using ManagedTls.X509;

namespace ManagedTls.Cli;

/// <summary>
/// <c>managedtls s_server</c>: a TLS 1.3 and TLS 1.2 server with openssl s_server's flags. It listens on every address,
/// prints <c>ACCEPT</c>, and per connection handshakes, then either answers one HTTP GET with a text page
/// (<c>-www</c>) or copies standard input and output to and from the client.
/// </summary>
internal static class SServerCommand
{
    private const string UsageText =
        "usage: s_server -accept port -cert F -key F [-pass pass:X] [-CAfile F] [-verify N | -Verify N] [-alpn L] "
        + "[-groups L] [-cipher L] [-ciphersuites L] [-tls1_2 | -tls1_3] [-no_tls1_2] [-no_tls1_3] [-no_ticket] [-comp|-no_comp] [-legacy_renegotiation] [-no_renegotiation] [-client_renegotiation] [-serverpref] [-dhparam F] [-www] [-naccept N] [-keylogfile F] [-brief] [-quiet] [-timeout MS]";

    public static int Run(string[] args) =>
        Run(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error);

    /// <summary>Runs the server over the given standard streams (tests pass their own).</summary>
    public static int Run(string[] args, Stream stdin, Stream stdout, TextWriter stderr)
    {
        string? certFile = null, keyFile = null, pass = null, caFile = null, keyLogFile = null;
        int? port = null;
        int naccept = -1, timeoutMs = 10000, depth = 100;
        bool www = false, brief = false, quiet = false, request = false, require = false;
        SslContext context = TlsCliCommon.NewContext(serverSide: true);
        var a = new CliArgs(args);
        while (a.Next())
        {
            switch (a.Current)
            {
                case "-accept" or "-port":
                    int p = a.IntValue();
                    port = p <= 65535 ? p : throw new UsageException($"bad port {p}");
                    break;
                case "-cert": certFile = a.Value(); break;
                case "-key": keyFile = a.Value(); break;
                case "-pass": pass = a.Value(); break;
                case "-CAfile": caFile = a.Value(); break;
                case "-verify": depth = a.IntValue(); request = true; break;
                case "-Verify": depth = a.IntValue(); request = require = true; break;
                case "-alpn": TlsCliCommon.SetAlpn(context, a.Value()); break;
                case "-groups": TlsCliCommon.SetGroups(context, a.Value()); break;
                case "-cipher": TlsCliCommon.SetCiphers(context, a.Value()); break;
                case "-ciphersuites": TlsCliCommon.SetCiphersuites(context, a.Value()); break;
                case "-comp": context.Options &= ~SslOptions.NoCompression; break;
                case "-no_comp": context.Options |= SslOptions.NoCompression; break;
                case "-no_ticket": context.Options |= SslOptions.NoTicket; break;
                case "-www": www = true; break;
                case "-naccept":
                    naccept = a.IntValue();
                    if (naccept < 1)
                    {
                        throw new UsageException("-naccept needs a positive number");
                    }

                    break;
                case "-keylogfile": keyLogFile = a.Value(); break;
                case "-brief": brief = true; break;
                case "-quiet": quiet = true; break;
                case "-timeout": timeoutMs = a.IntValue(); break;
                default:
                    if (TlsCliCommon.ProtocolFlag(context, a, serverSide: true))
                    {
                        break;
                    }

                    TlsCliCommon.RejectUnsupported(a.Current);
                    throw new UsageException($"unknown option {a.Current}\n{UsageText}");
            }
        }

        if (port is null || certFile is null)
        {
            throw new UsageException("-accept port and -cert file are required\n" + UsageText);
        }

        TlsCliCommon.LoadCertChain(context, certFile, keyFile, pass);
        if (caFile is not null)
        {
            TlsCliCommon.LoadVerifyLocations(context, caFile);
        }

        // As openssl's s_server: -verify asks for a client certificate, -Verify requires one; either way its chain is
        // verified after the handshake and reported, and a chain that does not verify does not end the connection.
        context.VerifyMode = require ? VerifyMode.CertRequired : request ? VerifyMode.CertOptional : VerifyMode.CertNone;
        context.DangerousDeferPeerVerification = true;
        if (keyLogFile is not null)
        {
            TlsCliCommon.KeyLog(context, keyLogFile);
        }

        using Socket? listener = Listen(port.Value, stderr);
        if (listener is null)
        {
            return 1;
        }

        stdout.Write("ACCEPT\n"u8);
        stdout.Flush();
        var input = www ? null : new TlsCliCommon.InputReader(stdin);
        int result = 0;
        for (int served = 0; naccept < 0 || served < naccept; served++)
        {
            using Socket socket = listener.Accept();
            socket.NoDelay = true;
            int r = Serve(context, socket, www ? null : input, depth, brief, quiet, timeoutMs, stdout, stderr);
            if (r < 0)
            {
                result = 1;
                continue;
            }

            result = r != 0 ? r : result;
            if (!quiet)
            {
                stdout.Write("CONNECTION CLOSED\n"u8);
                stdout.Flush();
            }
        }

        return result;
    }

    // One accepted connection: 0 after an orderly end, 1 after a failed connection, -1 when the handshake failed.
    private static int Serve(SslContext context, Socket socket, TlsCliCommon.InputReader? input, int depth, bool brief, bool quiet, int timeoutMs, Stream stdout, TextWriter stderr)
    {
        SslSocket tls;
        try
        {
            // An end of the TCP stream without close_notify is told apart from close_notify (-www answers only the latter).
            tls = context.WrapSocket(socket, serverSide: true, doHandshakeOnConnect: false, suppressRaggedEofs: false);
        }
        catch (SslException e)
        {
            stderr.WriteLine($"handshake failed: {TlsCliCommon.Describe(e)}");
            return -1;
        }

        using (tls)
        {
            if (!TlsCliCommon.Handshake(tls, timeoutMs, stderr))
            {
                return -1;
            }

            VerifyResult? verify = TlsCliCommon.VerifyPeer(context, tls, depth);
            if (brief)
            {
                TlsCliCommon.PrintSummary(tls, verify, stderr);
            }

            return input is null ? ServeWww(context, tls, verify, timeoutMs, stderr)
                : TlsCliCommon.Pump(tls, input, stdout, stderr, new TlsCliCommon.PumpOptions(Commands: !quiet, IgnoreEof: true));
        }
    }

    /// <summary>Listens on every address as openssl does: IPv6 and IPv4 on one socket, IPv4 alone where IPv6 is off.</summary>
    private static Socket? Listen(int port, TextWriter stderr)
    {
        Socket? listener = null;
        try
        {
            try
            {
                listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.ProtocolNotSupported)
            {
                listener?.Dispose();
                listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(IPAddress.Any, port));
            }

            listener.Listen(16);
            return listener;
        }
        catch (SocketException e)
        {
            listener?.Dispose();
            stderr.WriteLine($"cannot listen on port {port}: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// Reads one HTTP request and answers a GET with a short page about the connection, then sends close_notify. The
    /// page begins as openssl's <c>-www</c> page does its session block (<c>New, TLSv1.3, Cipher is ...</c>,
    /// <c>SSL-Session:</c>, <c>Protocol  :</c>, <c>Cipher    :</c>, <c>Verify return code:</c>), then adds the group,
    /// ALPN and the client's certificate.
    /// </summary>
    private static int ServeWww(SslContext context, SslSocket tls, VerifyResult? verify, int timeoutMs, TextWriter stderr)
    {
        var requestText = new StringBuilder();
        byte[] buffer = new byte[16384];
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        try
        {
            while (true)
            {
                string soFar = requestText.ToString();
                if (soFar.Contains("\r\n\r\n", StringComparison.Ordinal) || soFar.Contains("\n\n", StringComparison.Ordinal))
                {
                    break;
                }

                int left = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
                int n = left <= 0 ? -1 : ReadWithin(tls, buffer, left);
                if (n < 0)
                {
                    stderr.WriteLine("timed out waiting for the HTTP request");
                    return 1;
                }

                if (n == 0)
                {
                    // close_notify: what came before it is answered.
                    break;
                }

                requestText.Append(Encoding.Latin1.GetString(buffer, 0, n));
            }

            tls.SetTimeout(Math.Max(timeoutMs, 1) / 1000.0);
            if (requestText.ToString().StartsWith("GET ", StringComparison.Ordinal))
            {
                tls.Write(Encoding.ASCII.GetBytes(Page(context, tls, verify)));
            }

            tls.SendCloseNotify();
            tls.Socket?.Shutdown(SocketShutdown.Send);
            return 0;
        }
        catch (SslEofException)
        {
            // The client went away without close_notify: nothing to answer.
            return 0;
        }
        catch (SslException e)
        {
            stderr.WriteLine($"connection failed: {TlsCliCommon.Describe(e)}");
            return 1;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            stderr.WriteLine($"connection failed: {e.Message}");
            return 1;
        }
    }

    // One read within the time left: the byte count, 0 at close_notify, -1 when the time ran out.
    private static int ReadWithin(SslSocket tls, byte[] buffer, int milliseconds)
    {
        tls.SetTimeout(milliseconds / 1000.0);
        try
        {
            return tls.Read(buffer, 0, buffer.Length);
        }
        catch (TimeoutException)
        {
            return -1;
        }
    }

    // openssl s_server -www's page: the session summary and the context's session cache counters (print_stats).
    private static string Page(SslContext context, SslSocket tls, VerifyResult? verify)
    {
        string? version = tls.Version();
        string? cipher = tls.Cipher()?.Name;
        var page = new StringBuilder();
        page.Append("HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\n");
        page.Append($"{(tls.SessionReused ? "Reused" : "New")}, {version}, Cipher is {cipher}\n");
        page.Append("SSL-Session:\n");
        page.Append($"    Protocol  : {version}\n");
        page.Append($"    Cipher    : {cipher}\n");
        page.Append(verify is null ? "    Verify return code: 0 (ok)\n" : $"    Verify return code: {(int)verify.Error} ({verify.Message})\n");
        page.Append("---\n");
        IReadOnlyDictionary<string, long> stats = context.SessionStats();
        page.Append($"{stats["number"],4} items in the session cache\n");
        page.Append($"{stats["connect"],4} client connects (SSL_connect())\n");
        page.Append($"{stats["connect_renegotiate"],4} client renegotiates (SSL_connect())\n");
        page.Append($"{stats["connect_good"],4} client connects that finished\n");
        page.Append($"{stats["accept"],4} server accepts (SSL_accept())\n");
        page.Append($"{stats["accept_renegotiate"],4} server renegotiates (SSL_accept())\n");
        page.Append($"{stats["accept_good"],4} server accepts that finished\n");
        page.Append($"{stats["hits"],4} session cache hits\n");
        page.Append($"{stats["misses"],4} session cache misses\n");
        page.Append($"{stats["timeouts"],4} session cache timeouts\n");
        page.Append($"{stats["cache_full"],4} cache full overflows\n");
        page.Append("---\n");
        if (tls.Group() is { } group)
        {
            page.Append($"Key exchange group: {TlsCliCommon.GroupName(group)}\n");
        }

        if (tls.SelectedAlpnProtocol() is { } alpn)
        {
            page.Append($"ALPN protocol: {alpn}\n");
        }

        IReadOnlyList<byte[]> chain = tls.GetUnverifiedChain();
        page.Append(chain.Count > 0
            ? $"Client certificate: {TlsCliCommon.OneLineSubject(chain[0])}\n"
            : "no client certificate available\n");
        return page.ToString();
    }
}
