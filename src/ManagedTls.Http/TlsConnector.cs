using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Http;

/// <summary>
/// The TLS inner handler's <c>ConnectCallback</c>: TCP (or a CONNECT tunnel through the caller's proxy), then the
/// handshake from the <see cref="SslContext"/> with SNI = the pool's host, the ALPN list that fits the connection's
/// protocol, and the newest session kept for that host:port. Also keeps what ALPN chose per host:port and the TLS
/// connections parked after an HTTP/2 attempt was answered with http/1.1.
/// </summary>
internal sealed class TlsConnector : IDisposable
{
    /// <summary>How long a parked connection waits for the HTTP/1.1 retry that takes it.</summary>
    internal static readonly TimeSpan ParkedLifetime = TimeSpan.FromSeconds(10);

    private static readonly string[] AlpnHttp2 = ["h2"];
    private static readonly string[] AlpnBoth = ["h2", "http/1.1"];
    private static readonly string[] AlpnHttp11 = ["http/1.1"];

    private readonly SslContext _context;
    private readonly IWebProxy? _proxy;
    private readonly ICredentials? _defaultProxyCredentials;
    private readonly Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? _transport;
    private readonly ConcurrentDictionary<string, SslSession> _sessions = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _chosenHttp2 = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<(TlsStream Stream, long Since)>> _parked = new(StringComparer.OrdinalIgnoreCase);
    private bool _disposed;

    public TlsConnector(SslContext context, IWebProxy? proxy, ICredentials? defaultProxyCredentials,
        Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? transport)
    {
        _context = context;
        _proxy = proxy;
        _defaultProxyCredentials = defaultProxyCredentials;
        _transport = transport;
    }

    /// <summary>Handshakes made (for tests: a parked connection taken again is not a new one).</summary>
    internal int HandshakeCount;

    /// <summary>Whether HTTP/2 connections send <c>:scheme: https</c> (always, except in the test that shows why).</summary>
    internal bool RewriteScheme = true;

    /// <summary>Handshakes that resumed a session.</summary>
    internal int ResumedCount;

    /// <summary>CONNECT tunnels opened.</summary>
    internal int TunnelCount;

    /// <summary>Last ALPN outcome for an authority: true h2, false http/1.1, null unknown.</summary>
    public bool? ChoseHttp2(string authority) => _chosenHttp2.TryGetValue(authority, out bool h2) ? h2 : null;

    /// <summary>The session kept for <paramref name="authority"/>, if any (for tests).</summary>
    internal SslSession? SessionFor(string authority) => _sessions.TryGetValue(authority, out SslSession? s) ? s : null;

    /// <summary>The <c>ConnectCallback</c>.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext connection, CancellationToken cancellationToken)
    {
        DnsEndPoint endPoint = connection.DnsEndPoint;
        HttpRequestMessage request = connection.InitialRequestMessage;
        if (!request.Options.TryGetValue(HttpsTarget.Key, out HttpsTarget? target))
        {
            throw new InvalidOperationException("the TLS handler of ManagedTls.Http only takes requests rewritten by ManagedTlsHttpHandler");
        }

        string host = endPoint.Host.TrimStart('[').TrimEnd(']');
        string authority = Authority(host, endPoint.Port);
        bool http2 = request.Version.Major >= 2;
        if (!http2 && TakeParked(authority) is { } parked)
        {
            return new HttpTlsStream(parked, http2: false, null, s => _sessions[authority] = s);
        }

        Stream transport = await OpenTransportAsync(connection, host, endPoint.Port, target, cancellationToken).ConfigureAwait(false);
        var tls = new TlsStream(transport, _context);
        _sessions.TryGetValue(authority, out SslSession? offered);
        string[] alpn = !http2 ? AlpnHttp11 : target.Allowed == AllowedProtocols.Both ? AlpnBoth : AlpnHttp2;
        try
        {
            Interlocked.Increment(ref HandshakeCount);
            await tls.AuthenticateAsClientAsync(host, offered, alpn, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Closed without close_notify, as a failed SslStream handshake leaves its transport.
            transport.Dispose();
            tls.Dispose();
            throw;
        }

        if (tls.Ssl!.SessionReused)
        {
            Interlocked.Increment(ref ResumedCount);
        }

        string? chosen = tls.Ssl.SelectedAlpnProtocol();
        if (http2 && chosen != "h2")
        {
            if (target.Allowed == AllowedProtocols.Both)
            {
                _chosenHttp2[authority] = false;
                Park(authority, tls);
                throw new Http11ChosenException();
            }

            tls.Dispose();
            throw new HttpRequestException(
                $"Requesting HTTP version 2.0 with version policy {request.VersionPolicy} while the server chose {chosen ?? "no protocol"} in ALPN.");
        }

        if (!http2 && chosen is not null && chosen != "http/1.1")
        {
            // Only http/1.1 was offered; the engine refuses any other answer, so this is a defence in depth.
            tls.Dispose();
            throw new HttpRequestException($"The server chose {chosen} in ALPN for an HTTP/1.1 connection.");
        }

        if (http2 && target.Allowed == AllowedProtocols.Both)
        {
            _chosenHttp2[authority] = true;
        }

        return new HttpTlsStream(tls, http2 && RewriteScheme, offered, s => _sessions[authority] = s);
    }

    /// <summary>"host:port", with IPv6 addresses in brackets.</summary>
    internal static string Authority(string host, int port) => host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";

    public void Dispose()
    {
        List<TlsStream> all = new();
        lock (_parked)
        {
            _disposed = true;
            foreach (List<(TlsStream Stream, long Since)> list in _parked.Values)
            {
                all.AddRange(list.Select(p => p.Stream));
            }

            _parked.Clear();
        }

        foreach (TlsStream stream in all)
        {
            stream.Dispose();
        }
    }

    private void Park(string authority, TlsStream tls)
    {
        List<TlsStream> expired = new();
        bool keep;
        lock (_parked)
        {
            keep = !_disposed;
            SweepLocked(expired);
            if (keep)
            {
                if (!_parked.TryGetValue(authority, out List<(TlsStream, long)>? list))
                {
                    _parked[authority] = list = new();
                }

                list.Add((tls, Stopwatch.GetTimestamp()));
            }
        }

        if (!keep)
        {
            expired.Add(tls);
        }

        expired.ForEach(s => s.Dispose());
    }

    private TlsStream? TakeParked(string authority)
    {
        List<TlsStream> expired = new();
        TlsStream? taken = null;
        lock (_parked)
        {
            SweepLocked(expired);
            if (_parked.TryGetValue(authority, out List<(TlsStream Stream, long Since)>? list) && list.Count > 0)
            {
                taken = list[^1].Stream;
                list.RemoveAt(list.Count - 1);
            }
        }

        expired.ForEach(s => s.Dispose());
        return taken;
    }

    private void SweepLocked(List<TlsStream> expired)
    {
        long now = Stopwatch.GetTimestamp();
        long limit = (long)(ParkedLifetime.TotalSeconds * Stopwatch.Frequency);
        foreach (KeyValuePair<string, List<(TlsStream Stream, long Since)>> entry in _parked.ToArray())
        {
            expired.AddRange(entry.Value.Where(p => now - p.Since > limit).Select(p => p.Stream));
            entry.Value.RemoveAll(p => now - p.Since > limit);
            if (entry.Value.Count == 0)
            {
                _parked.Remove(entry.Key);
            }
        }
    }

    private async Task<Stream> OpenTransportAsync(SocketsHttpConnectionContext connection, string host, int port, HttpsTarget target, CancellationToken cancellationToken)
    {
        Uri? proxyUri = null;
        if (_proxy is not null && !_proxy.IsBypassed(target.Uri))
        {
            proxyUri = _proxy.GetProxy(target.Uri);
            if (proxyUri == target.Uri)
            {
                proxyUri = null; // GetProxy answers the destination itself for "no proxy".
            }
        }

        if (proxyUri is null)
        {
            return _transport is not null
                ? await _transport(connection, cancellationToken).ConfigureAwait(false)
                : await ConnectTcpAsync(host, port, cancellationToken).ConfigureAwait(false);
        }

        if (proxyUri.Scheme != Uri.UriSchemeHttp)
        {
            throw new NotSupportedException($"Only http:// proxies can tunnel ManagedTls connections; the proxy is '{proxyUri}'.");
        }

        Stream proxyStream = await ConnectTcpAsync(proxyUri.IdnHost, proxyUri.Port, cancellationToken).ConfigureAwait(false);
        try
        {
            NetworkCredential? credential = (_proxy!.Credentials ?? _defaultProxyCredentials)?.GetCredential(proxyUri, "Basic");
            await ProxyTunnel.ConnectAsync(proxyStream, proxyUri, host, port, credential, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref TunnelCount);
            return proxyStream;
        }
        catch
        {
            proxyStream.Dispose();
            throw;
        }
    }

    private static async Task<Stream> ConnectTcpAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            EndPoint endPoint = IPAddress.TryParse(host, out IPAddress? address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
