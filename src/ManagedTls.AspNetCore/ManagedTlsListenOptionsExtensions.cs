using ManagedTls.AspNetCore.Internal;
using ManagedTls.Ssl;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ManagedTls.AspNetCore;

/// <summary>
/// <c>UseManagedTls</c>: Kestrel's <c>UseHttps</c> with ManagedTls in place of <c>SslStream</c>. The endpoint serves
/// TLS 1.3 and TLS 1.2 from an <see cref="SslContext"/>, negotiates HTTP/2 or HTTP/1.1 by ALPN, and gives the app the
/// usual TLS features (<c>ITlsConnectionFeature</c>, <c>ITlsHandshakeFeature</c>, <c>ITlsApplicationProtocolFeature</c>)
/// and <see cref="IManagedTlsFeature"/>. Do not call <c>UseHttps</c> on the same endpoint.
/// </summary>
public static class ManagedTlsListenOptionsExtensions
{
    /// <summary>The logger category of handshake failures and timeouts (logged at <c>Debug</c>, as Kestrel logs its own).</summary>
    public const string LogCategory = "ManagedTls.AspNetCore";

    /// <summary>Serves TLS on the endpoint from <paramref name="context"/>, with a 10-second handshake timeout.</summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <param name="context">A server context with a certificate chain (<see cref="SslContext.LoadCertChain"/>). When it
    /// has no ALPN protocols, they are set from <see cref="ListenOptions.Protocols"/> (<c>h2</c>, <c>http/1.1</c>) when
    /// the endpoint starts.</param>
    /// <returns><paramref name="listenOptions"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="context"/> is a client context.</exception>
    public static ListenOptions UseManagedTls(this ListenOptions listenOptions, SslContext context)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        return listenOptions.UseManagedTls(new ManagedTlsConnectionOptions { Context = context });
    }

    /// <summary>Serves TLS on the endpoint as <paramref name="configure"/> sets up a fresh <see cref="ManagedTlsConnectionOptions"/>.</summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <param name="configure">Sets the context, the selector, the timeout.</param>
    /// <returns><paramref name="listenOptions"/>.</returns>
    /// <exception cref="ArgumentException">As <see cref="UseManagedTls(ListenOptions, ManagedTlsConnectionOptions)"/>.</exception>
    public static ListenOptions UseManagedTls(this ListenOptions listenOptions, Action<ManagedTlsConnectionOptions> configure)
    {
        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        var options = new ManagedTlsConnectionOptions();
        configure(options);
        return listenOptions.UseManagedTls(options);
    }

    /// <summary>
    /// Serves TLS on the endpoint as <paramref name="options"/> say. The options are read now: later changes to the
    /// options object do not reach the endpoint (changes to the contexts do, for connections made after them). When
    /// the endpoint starts, a context without ALPN protocols gets them from <see cref="ListenOptions.Protocols"/>, and
    /// with a <see cref="ManagedTlsConnectionOptions.ContextSelector"/> the base context's
    /// <see cref="SslContext.SniCallback"/> is set to run it.
    /// </summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <param name="options">The context, or the selector, and the handshake timeout.</param>
    /// <returns><paramref name="listenOptions"/>.</returns>
    /// <exception cref="ArgumentException">Neither a context nor a selector; a client context; a selector with a base
    /// context that has an <see cref="SslContext.SniCallback"/> of its own.</exception>
    public static ListenOptions UseManagedTls(this ListenOptions listenOptions, ManagedTlsConnectionOptions options)
    {
        if (listenOptions is null)
        {
            throw new ArgumentNullException(nameof(listenOptions));
        }

        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        var settings = ManagedTlsSettings.From(options);
        listenOptions.Use(next =>
        {
            // Built when the endpoint binds: the protocols are those the endpoint has then, as UseHttps reads them.
            settings.Prepare(listenOptions.Protocols);
            ILoggerFactory loggerFactory = listenOptions.ApplicationServices?.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            ILogger logger = loggerFactory.CreateLogger(LogCategory);
            return new ManagedTlsMiddleware(next, settings, logger).OnConnectionAsync;
        });
        return listenOptions;
    }
}
