using System.Diagnostics;
using System.Net;
using System.Net.Http;
using ManagedTls.Ssl;

namespace ManagedTls.Http;

/// <summary>
/// An <see cref="HttpMessageHandler"/> whose https requests are served by a <see cref="SocketsHttpHandler"/> over TLS
/// connections made by ManagedTls from an <see cref="SslContext"/>; made by <see cref="ManagedTlsHttp.CreateHandler(SslContext)"/>.
/// Connection pooling, HTTP/2, timeouts, authentication and proxies are <see cref="SocketsHttpHandler"/>'s; redirects
/// and cookies are followed here, under the caller's https URIs. How it works and its limits:
/// <c>docs/decisions/0035-httpclient-over-managedtls.md</c>.
/// </summary>
public sealed class ManagedTlsHttpHandler : HttpMessageHandler
{
    private readonly HttpMessageInvoker _tls;
    private readonly HttpMessageInvoker _plain;
    private readonly TlsConnector _connector;
    private readonly bool _allowAutoRedirect;
    private readonly int _maxAutomaticRedirections;
    private readonly CookieContainer? _cookies;

    internal ManagedTlsHttpHandler(SslContext context, Action<SocketsHttpHandler>? configure)
    {
        Context = context ?? throw new ArgumentNullException(nameof(context));
        var tls = new SocketsHttpHandler();
        configure?.Invoke(tls);
        RefuseSslOptions(tls.SslOptions);

        _allowAutoRedirect = tls.AllowAutoRedirect;
        _maxAutomaticRedirections = tls.MaxAutomaticRedirections;
        _cookies = tls.UseCookies ? tls.CookieContainer : null;
        IWebProxy? proxy = tls.UseProxy ? tls.Proxy ?? HttpClient.DefaultProxy : null;
        _connector = new TlsConnector(context, proxy, tls.DefaultProxyCredentials, tls.ConnectCallback);

        // The plain handler: the caller's settings for http, proxies included.
        var plain = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = tls.UseProxy,
            Proxy = tls.Proxy,
            DefaultProxyCredentials = tls.DefaultProxyCredentials,
            Credentials = tls.Credentials is { } plainCredentials ? new HttpsCredentials(plainCredentials, mapToHttps: false) : null,
            PreAuthenticate = tls.PreAuthenticate,
            ConnectCallback = tls.ConnectCallback,
            PlaintextStreamFilter = tls.PlaintextStreamFilter,
            ConnectTimeout = tls.ConnectTimeout,
            PooledConnectionLifetime = tls.PooledConnectionLifetime,
            PooledConnectionIdleTimeout = tls.PooledConnectionIdleTimeout,
            MaxConnectionsPerServer = tls.MaxConnectionsPerServer,
            MaxResponseHeadersLength = tls.MaxResponseHeadersLength,
            MaxResponseDrainSize = tls.MaxResponseDrainSize,
            ResponseDrainTimeout = tls.ResponseDrainTimeout,
            Expect100ContinueTimeout = tls.Expect100ContinueTimeout,
            AutomaticDecompression = tls.AutomaticDecompression,
            KeepAlivePingDelay = tls.KeepAlivePingDelay,
            KeepAlivePingTimeout = tls.KeepAlivePingTimeout,
            KeepAlivePingPolicy = tls.KeepAlivePingPolicy,
            EnableMultipleHttp2Connections = tls.EnableMultipleHttp2Connections,
            InitialHttp2StreamWindowSize = tls.InitialHttp2StreamWindowSize,
            ActivityHeadersPropagator = tls.ActivityHeadersPropagator,
            RequestHeaderEncodingSelector = tls.RequestHeaderEncodingSelector,
            ResponseHeaderEncodingSelector = tls.ResponseHeaderEncodingSelector,
        };

        // The TLS handler: the caller's handler itself, seeing only rewritten requests.
        tls.AllowAutoRedirect = false;
        tls.UseCookies = false;
        tls.UseProxy = false;
        tls.ConnectCallback = _connector.ConnectAsync;
        if (tls.Credentials is { } credentials)
        {
            tls.Credentials = new HttpsCredentials(credentials, mapToHttps: true);
        }

        _tls = new HttpMessageInvoker(tls, disposeHandler: true);
        _plain = new HttpMessageInvoker(plain, disposeHandler: true);
    }

    /// <summary>The context every TLS connection is made from.</summary>
    public SslContext Context { get; }

    /// <summary>The connector, for tests.</summary>
    internal TlsConnector Connector => _connector;

    /// <summary>Sends the request, following redirects and keeping cookies as the configured <see cref="SocketsHttpHandler"/> says.</summary>
    /// <param name="request">The request; after redirects its <see cref="HttpRequestMessage.RequestUri"/> is the final URI, as with <see cref="SocketsHttpHandler"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response; its <see cref="HttpResponseMessage.RequestMessage"/> is <paramref name="request"/>.</returns>
    /// <exception cref="HttpRequestException">The request failed; a TLS failure is its <see cref="Exception.InnerException"/>
    /// (<see cref="SslException"/>, <see cref="SslCertVerificationException"/>).</exception>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCoreAsync(request, async: true, cancellationToken);

    /// <summary>
    /// Sends the request synchronously, as <see cref="SocketsHttpHandler"/> does: HTTP/1.1 only (a request that allows
    /// only HTTP/2 is refused with <see cref="NotSupportedException"/>, one that allows both uses HTTP/1.1).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response; its <see cref="HttpResponseMessage.RequestMessage"/> is <paramref name="request"/>.</returns>
    /// <exception cref="HttpRequestException">The request failed; a TLS failure is its <see cref="Exception.InnerException"/>.</exception>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Task<HttpResponseMessage> sent = SendCoreAsync(request, async: false, cancellationToken);
        Debug.Assert(sent.IsCompleted, "the synchronous path never waits asynchronously");
        return sent.GetAwaiter().GetResult();
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, bool async, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        if (request.RequestUri is not { IsAbsoluteUri: true } || (!IsHttps(request.RequestUri) && request.RequestUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new NotSupportedException($"The '{request.RequestUri?.Scheme}' scheme is not supported.");
        }

        int redirects = 0;
        while (true)
        {
            // This flow only (an async method's changes do not reach its caller).
            HttpsCredentials.Redirected = redirects > 0;
            HttpResponseMessage response = await SendOneAsync(request, async, cancellationToken).ConfigureAwait(false);
            Uri? next = _allowAutoRedirect ? Redirects.Target(request.RequestUri!, response) : null;
            if (next is null || ++redirects > _maxAutomaticRedirections)
            {
                return response;
            }

            response.Dispose();
            Redirects.Prepare(request, response.StatusCode, next);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tls.Dispose();
            _plain.Dispose();
            _connector.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// SslStream settings would silently do nothing here; a caller who set them expects them to apply, so they are
    /// refused with a pointer to the <see cref="SslContext"/> instead.
    /// </summary>
    private static void RefuseSslOptions(System.Net.Security.SslClientAuthenticationOptions options)
    {
        string? set = options.RemoteCertificateValidationCallback is not null ? nameof(options.RemoteCertificateValidationCallback)
            : options.LocalCertificateSelectionCallback is not null ? nameof(options.LocalCertificateSelectionCallback)
            : options.ClientCertificates is { Count: > 0 } ? nameof(options.ClientCertificates)
            : options.ClientCertificateContext is not null ? nameof(options.ClientCertificateContext)
            : options.CertificateChainPolicy is not null ? nameof(options.CertificateChainPolicy)
            : options.CipherSuitesPolicy is not null ? nameof(options.CipherSuitesPolicy)
            : options.EnabledSslProtocols != System.Security.Authentication.SslProtocols.None ? nameof(options.EnabledSslProtocols)
            : null;
        if (set is not null)
        {
            throw new ArgumentException(
                $"SocketsHttpHandler.SslOptions.{set} is not used by ManagedTls.Http: configure trust, client certificates and versions on the SslContext.");
        }
    }

    private static bool IsHttps(Uri uri) => uri.Scheme == Uri.UriSchemeHttps;

    private static async Task<HttpResponseMessage> InvokeAsync(HttpMessageInvoker invoker, HttpRequestMessage request, bool async, CancellationToken cancellationToken) =>
        async ? await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false) : invoker.Send(request, cancellationToken);

    private async Task<HttpResponseMessage> SendOneAsync(HttpRequestMessage request, bool async, CancellationToken cancellationToken)
    {
        Uri uri = request.RequestUri!;
        HttpResponseMessage response;
        if (!IsHttps(uri))
        {
            response = await InvokeAsync(_plain, Copy(request, uri, request.Version, request.VersionPolicy, null), async, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            AllowedProtocols allowed = HttpsTarget.For(request.Version, request.VersionPolicy);
            if (!async)
            {
                // SocketsHttpHandler speaks HTTP/2 only asynchronously.
                allowed = allowed == AllowedProtocols.Http2
                    ? throw new NotSupportedException("The synchronous method is not supported by HTTP/2; send the request asynchronously or allow HTTP/1.1.")
                    : AllowedProtocols.Http11;
            }

            var target = new HttpsTarget(uri, allowed);
            Uri inner = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp, Port = uri.Port }.Uri;
            string authority = TlsConnector.Authority(HostOf(uri), uri.Port);
            bool http2 = allowed == AllowedProtocols.Http2 || (allowed == AllowedProtocols.Both && _connector.ChoseHttp2(authority) != false);
            try
            {
                response = await InvokeAsync(_tls, CopyForTls(request, inner, http2, target), async, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (http2 && allowed == AllowedProtocols.Both && e.InnerException is Http11ChosenException)
            {
                // The server chose http/1.1 for the HTTP/2 attempt; its TLS connection waits for this retry.
                response = await InvokeAsync(_tls, CopyForTls(request, inner, http2: false, target), async, cancellationToken).ConfigureAwait(false);
            }
        }

        response.RequestMessage = request;
        if (_cookies is not null)
        {
            Cookies.Store(_cookies, uri, response);
        }

        return response;
    }

    private HttpRequestMessage CopyForTls(HttpRequestMessage request, Uri inner, bool http2, HttpsTarget target)
    {
        Version version = http2 ? System.Net.HttpVersion.Version20 : request.Version.Major == 1 ? request.Version : System.Net.HttpVersion.Version11;
        HttpRequestMessage copy = Copy(request, inner, version, HttpVersionPolicy.RequestVersionExact, target.Uri);
        if (copy.Headers.Host is null)
        {
            // What an https request sends: the default port is 443, not http's 80.
            Uri uri = target.Uri;
            string host = uri.HostNameType == UriHostNameType.IPv6 ? "[" + HostOf(uri) + "]" : HostOf(uri);
            copy.Headers.Host = uri.IsDefaultPort ? host : host + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        copy.Options.Set(HttpsTarget.Key, target);
        return copy;
    }

    private HttpRequestMessage Copy(HttpRequestMessage request, Uri uri, Version version, HttpVersionPolicy policy, Uri? cookieUri)
    {
        var copy = new HttpRequestMessage(request.Method, uri)
        {
            Version = version,
            VersionPolicy = policy,
            Content = request.Content,
        };
        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        IDictionary<string, object?> options = copy.Options;
        foreach (KeyValuePair<string, object?> option in request.Options)
        {
            options[option.Key] = option.Value;
        }

        if (_cookies is not null)
        {
            string cookies = _cookies.GetCookieHeader(cookieUri ?? uri);
            if (cookies.Length > 0)
            {
                copy.Headers.TryAddWithoutValidation("Cookie", cookies);
            }
        }

        return copy;
    }

    private static string HostOf(Uri uri) => uri.IdnHost.TrimStart('[').TrimEnd(']');
}
