using System.Runtime.CompilerServices;
using ManagedTls.Ssl;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ManagedTls.AspNetCore.Internal;

/// <summary>What <see cref="ManagedTlsConnectionOptions"/> said when <c>UseManagedTls</c> was called, and the server-name dispatch.</summary>
internal sealed class ManagedTlsSettings
{
    // The connections whose handshake is running on an endpoint with a selector, by their TlsStream (the object the
    // engine hands the SNI callback). Weak, so a connection that goes away without cleanup leaves nothing behind.
    private static readonly ConditionalWeakTable<object, ManagedTlsConnection> Handshaking = new();

    private IReadOnlyList<string> _alpn = Array.Empty<string>();

    private ManagedTlsSettings(SslContext baseContext, Func<ConnectionContext, string?, SslContext?>? selector, TimeSpan handshakeTimeout)
    {
        BaseContext = baseContext;
        Selector = selector;
        HandshakeTimeout = handshakeTimeout;
    }

    /// <summary>The one SNI callback every endpoint with a selector installs: it finds the connection and runs its selector.</summary>
    internal static SniCallback ServerNameDispatch { get; } = OnServerName;

    /// <summary>The context each connection's TlsStream is made from.</summary>
    public SslContext BaseContext { get; }

    /// <summary>The selector, or null.</summary>
    public Func<ConnectionContext, string?, SslContext?>? Selector { get; }

    /// <summary>The handshake bound.</summary>
    public TimeSpan HandshakeTimeout { get; }

    /// <summary>Checks and copies the options.</summary>
    public static ManagedTlsSettings From(ManagedTlsConnectionOptions options)
    {
        SslContext? context = options.Context;
        Func<ConnectionContext, string?, SslContext?>? selector = options.ContextSelector;
        if (context is null && selector is null)
        {
            throw new ArgumentException("UseManagedTls needs a Context or a ContextSelector", nameof(options));
        }

        if (context is not null)
        {
            CheckServerContext(context, nameof(options));
            if (selector is not null && context.SniCallback is { } own && own != ServerNameDispatch)
            {
                throw new ArgumentException(
                    "the Context has an SniCallback of its own; use either it or a ContextSelector", nameof(options));
            }
        }

        return new ManagedTlsSettings(context ?? new SslContext(SslProtocol.TlsServer), selector, options.HandshakeTimeout);
    }

    /// <summary>Run when the endpoint binds: ALPN from the endpoint's protocols, the SNI dispatch for a selector.</summary>
    public void Prepare(HttpProtocols protocols)
    {
        var alpn = new List<string>(2);
        if ((protocols & HttpProtocols.Http2) != 0)
        {
            alpn.Add("h2");
        }

        if ((protocols & HttpProtocols.Http1) != 0)
        {
            alpn.Add("http/1.1");
        }

        _alpn = alpn;
        EnsureAlpn(BaseContext);
        if (Selector is not null)
        {
            BaseContext.SniCallback = ServerNameDispatch;
        }
    }

    /// <summary>
    /// Gives a context without ALPN protocols those of the endpoint (once: a context that has some keeps them), and
    /// refuses a context that would agree on a protocol the endpoint does not serve: Kestrel picks HTTP/2 or HTTP/1.1
    /// from the endpoint's protocols and the ALPN result together, so a context offering <c>h2</c> on an HTTP/1.1-only
    /// endpoint (one context shared by two endpoints, say) would have clients speak HTTP/2 to an HTTP/1.1 parser.
    /// </summary>
    /// <exception cref="InvalidOperationException">The context lists an HTTP protocol the endpoint does not serve.</exception>
    public void EnsureAlpn(SslContext context)
    {
        if (_alpn.Count > 0 && context.AlpnProtocols.Count == 0)
        {
            context.SetAlpnProtocols(_alpn);
        }

        foreach (string protocol in context.AlpnProtocols)
        {
            if ((protocol == "h2" || protocol == "http/1.1") && !_alpn.Contains(protocol))
            {
                throw new InvalidOperationException(
                    $"The SslContext offers ALPN protocol '{protocol}', which this endpoint does not serve (its protocols give: {string.Join(", ", _alpn)}). Give each endpoint a context whose ALPN protocols match its ListenOptions.Protocols.");
            }
        }
    }

    /// <summary>Makes the server-name dispatch find <paramref name="connection"/> while its handshake runs.</summary>
    public static void BeginHandshake(ManagedTlsConnection connection) => Handshaking.AddOrUpdate(connection.Stream, connection);

    /// <summary>Ends what <see cref="BeginHandshake"/> began.</summary>
    public static void EndHandshake(ManagedTlsConnection connection) => Handshaking.Remove(connection.Stream);

    /// <summary>Refuses a client context.</summary>
    public static void CheckServerContext(SslContext context, string parameterName)
    {
        if (context.Protocol == SslProtocol.TlsClient)
        {
            throw new ArgumentException("a client context (SslProtocol.TlsClient) cannot serve a Kestrel endpoint", parameterName);
        }
    }

    private static AlertDescription? OnServerName(object connection, string? serverName, SslContext context)
    {
        if (Handshaking.TryGetValue(connection, out ManagedTlsConnection? tls))
        {
            tls.OnServerName(serverName);
        }

        return null;
    }
}
