using System.Net.Sockets;
using System.Net;
using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.X509;

namespace ManagedTls.Cli;

/// <summary>
/// <c>managedtls s_server</c>: a TLS 1.3 server with openssl s_server's flags. It listens on every address,
/// prints <c>ACCEPT</c>, and per connection handshakes, then either answers one HTTP GET with a text page
/// (<c>-www</c>) or copies standard input and output to and from the client.
/// </summary>
internal static class SServerCommand
{
    private const string UsageText =
        "usage: s_server -accept port -cert F -key F [-pass pass:X] [-CAfile F] [-verify N | -Verify N] [-alpn L] "
        + "[-groups L] [-ciphersuites L] [-tls1_3] [-www] [-naccept N] [-keylogfile F] [-brief] [-quiet] [-timeout MS]";

    public static int Run(string[] args) =>
        Run(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error);

    /// <summary>Runs the server over the given standard streams (tests pass their own).</summary>
    public static int Run(string[] args, Stream stdin, Stream stdout, TextWriter stderr)
    {
        string? certFile = null, keyFile = null, pass = null, caFile = null, keyLogFile = null;
        int? port = null;
        int naccept = -1, timeoutMs = 10000, depth = 100;
        bool www = false, brief = false, quiet = false, request = false, require = false;
        var settings = new TlsConfig { Role = TlsRole.Server };
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
                case "-alpn": settings = settings with { AlpnProtocols = TlsCliCommon.Alpn(a.Value()) }; break;
                case "-groups": settings = settings with { Groups = TlsCliCommon.Groups(a.Value()) }; break;
                case "-ciphersuites": settings = settings with { CipherSuites = TlsCliCommon.Suites(a.Value()) }; break;
                case "-tls1_3": break;
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
                    TlsCliCommon.RejectUnsupported(a.Current);
                    throw new UsageException($"unknown option {a.Current}\n{UsageText}");
            }
        }

        if (port is null || certFile is null)
        {
            throw new UsageException("-accept port and -cert file are required\n" + UsageText);
        }

        TrustStore trust = TlsCliCommon.LoadTrust(caFile);
        settings = settings with
        {
            CertificateChain = TlsCliCommon.LoadCertificates(certFile),
            PrivateKey = TlsCliCommon.LoadKey(keyFile ?? certFile, pass),
            Trust = trust,
            VerifyPeer = false,
            RequestClientCertificate = request,
            RequireClientCertificate = require,
            KeyLog = TlsCliCommon.KeyLog(keyLogFile),
        };

        TlsCliCommon.Validate(settings);
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
            using var tls = TlsConnection.CreateServer(settings);
            if (!TlsCliCommon.Handshake(tls, socket, timeoutMs, stderr))
            {
                result = 1;
                continue;
            }

            VerifyResult? verify = tls.PeerCertificateChain.Count == 0 ? null : CertificateVerifier.Verify(new VerifyRequest
            {
                PeerChain = tls.PeerCertificateChain,
                Trust = trust,
                Purpose = VerifyPurpose.ClientAuth,
                MaxDepth = depth,
            });
            if (brief)
            {
                TlsCliCommon.PrintSummary(tls, verify, stderr);
            }

            int r = www ? ServeWww(tls, socket, timeoutMs, stderr)
                : TlsCliCommon.Pump(tls, socket, input!, stdout, stderr, new TlsCliCommon.PumpOptions(Commands: !quiet, IgnoreEof: true));
            result = r != 0 ? r : result;
            if (!quiet)
            {
                stdout.Write("CONNECTION CLOSED\n"u8);
                stdout.Flush();
            }
        }

        return result;
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

    /// <summary>Reads one HTTP request and answers a GET with a short page about the connection, then sends close_notify.</summary>
    private static int ServeWww(TlsConnection tls, Socket socket, int timeoutMs, TextWriter stderr)
    {
        var requestText = new StringBuilder();
        byte[] buffer = new byte[16384];
        byte[] plain = new byte[16384];
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        try
        {
            while (true)
            {
                int m;
                while ((m = tls.ReadApplicationData(plain)) > 0)
                {
                    requestText.Append(Encoding.Latin1.GetString(plain, 0, m));
                }

                string soFar = requestText.ToString();
                if (tls.PeerClosed || soFar.Contains("\r\n\r\n", StringComparison.Ordinal) || soFar.Contains("\n\n", StringComparison.Ordinal))
                {
                    break;
                }

                int left = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
                if (left <= 0 || !socket.Poll(left * 1000L > int.MaxValue ? int.MaxValue : left * 1000, SelectMode.SelectRead))
                {
                    stderr.WriteLine("timed out waiting for the HTTP request");
                    return 1;
                }

                int n = socket.Receive(buffer);
                if (n == 0)
                {
                    return 0;
                }

                tls.ReceiveBytes(buffer.AsSpan(0, n));
                TlsCliCommon.Flush(tls, socket);
            }

            string request = requestText.ToString();
            if (request.StartsWith("GET ", StringComparison.Ordinal))
            {
                var page = new StringBuilder();
                page.Append("HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\n");
                page.Append("managedtls s_server\n");
                page.Append("Protocol version: TLSv1.3\n");
                page.Append($"{(tls.SessionReused ? "Reused" : "New")}, TLSv1.3, Cipher is {tls.CipherSuite?.IanaName}\n");
                page.Append($"Ciphersuite: {tls.CipherSuite?.IanaName}\n");
                page.Append($"Key exchange group: {tls.NamedGroup}\n");
                if (tls.AlpnProtocol is { } alpn)
                {
                    page.Append($"ALPN protocol: {Encoding.ASCII.GetString(alpn)}\n");
                }

                page.Append(tls.PeerCertificateChain.Count > 0
                    ? $"Client certificate: {TlsCliCommon.OneLineSubject(tls.PeerCertificateChain[0])}\n"
                    : "no client certificate available\n");
                tls.WriteApplicationData(Encoding.ASCII.GetBytes(page.ToString()));
            }

            tls.Close();
            TlsCliCommon.Flush(tls, socket);
            socket.Shutdown(SocketShutdown.Send);
            return 0;
        }
        catch (TlsAlertException e)
        {
            stderr.WriteLine($"connection failed: {e.Description}: {e.Message}");
            try
            {
                TlsCliCommon.Flush(tls, socket);
            }
            catch (SocketException)
            {
                // The peer is gone.
            }

            return 1;
        }
        catch (SocketException e)
        {
            stderr.WriteLine($"connection failed: {e.Message}");
            return 1;
        }
    }
}
