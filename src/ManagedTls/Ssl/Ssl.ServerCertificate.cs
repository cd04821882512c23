using System.Net;
using System.Net.Sockets;

namespace ManagedTls.Ssl;

/// <content>Python's <c>get_server_certificate</c>.</content>
public static partial class Ssl
{
    /// <summary>
    /// Python's <c>ssl.get_server_certificate(addr, ssl_version=PROTOCOL_TLS_CLIENT, ca_certs=None, timeout=...)</c> (the
    /// signature of Python 3.10 on): connects to <paramref name="addr"/>, completes a TLS handshake as a client and returns
    /// the server's certificate as PEM. As in Python the host name is sent as the server name (not for an IP address) but
    /// never checked (<c>check_hostname</c> off); with <paramref name="caCerts"/> the chain must verify against that file
    /// (<c>CERT_REQUIRED</c>), without it nothing is verified (<c>CERT_NONE</c>). The connection is closed afterwards
    /// without close_notify, as Python's <c>with</c> block closes it.
    /// </summary>
    /// <param name="addr">The host name or IP address and the port.</param>
    /// <param name="sslVersion">The protocol of the context made for the connection (<see cref="SslProtocol.TlsClient"/>).</param>
    /// <param name="caCerts">A PEM file of trusted certificates, or null.</param>
    /// <param name="timeout">Seconds allowed to connect and then to complete the handshake (each), or null for no limit
    /// (Python's default, the global socket timeout, which is none unless set).</param>
    /// <returns>The server's certificate, PEM (<see cref="DerCertToPemCert"/>).</returns>
    /// <exception cref="SslCertVerificationException">With <paramref name="caCerts"/>, the chain does not verify.</exception>
    /// <exception cref="SslException">The handshake fails.</exception>
    /// <exception cref="SocketException">No address of the host accepts the connection (Python's <c>ConnectionRefusedError</c> and other <c>OSError</c>s).</exception>
    /// <exception cref="TimeoutException">Connecting or the handshake takes longer than <paramref name="timeout"/> (Python's
    /// <c>TimeoutError</c>: <c>timed out</c> to connect, <c>The handshake operation timed out</c>).</exception>
    /// <exception cref="ArgumentException">A negative <paramref name="timeout"/>, or a context that cannot be made for a client.</exception>
    public static string GetServerCertificate((string Host, int Port) addr, SslProtocol sslVersion = SslProtocol.TlsClient, string? caCerts = null, double? timeout = null)
    {
        if (addr.Host is null)
        {
            throw new ArgumentNullException(nameof(addr));
        }

        if (timeout is < 0 || (timeout is { } t && double.IsNaN(t)))
        {
            throw new ArgumentException("Timeout value out of range", nameof(timeout));
        }

        // Python's _create_unverified_context(ssl_version, cert_reqs=..., cafile=ca_certs).
        var context = new SslContext(sslVersion) { CheckHostname = false };
        context.VerifyMode = caCerts is null ? VerifyMode.CertNone : VerifyMode.CertRequired;
        if (caCerts is not null)
        {
            context.LoadVerifyLocations(cafile: caCerts);
        }

        using Socket socket = Connect(addr.Host, addr.Port, timeout);
        using SslSocket tls = context.WrapSocket(socket, doHandshakeOnConnect: false, serverHostname: addr.Host);
        tls.SetTimeout(timeout);
        tls.DoHandshake();
        byte[] der = (byte[])tls.GetPeerCert(binaryForm: true)!;
        return DerCertToPemCert(der);
    }

    // Python's socket.create_connection: every address of the host in turn, the last failure reported.
    private static Socket Connect(string host, int port, double? timeout)
    {
        IPAddress[] addresses = IPAddress.TryParse(host, out IPAddress? literal) ? [literal] : Dns.GetHostAddresses(host);
        Exception? last = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                Task connect = socket.ConnectAsync(address, port);
                bool done = timeout is { } seconds ? connect.Wait(TimeSpan.FromSeconds(seconds)) : WaitForever(connect);
                if (!done)
                {
                    throw new TimeoutException("timed out");
                }

                return socket;
            }
            catch (AggregateException e) when (e.InnerException is SocketException inner)
            {
                socket.Dispose();
                last = inner;
            }
            catch (TimeoutException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static bool WaitForever(Task task)
    {
        task.Wait();
        return true;
    }
}
