using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>
/// A Kestrel server on 127.0.0.1 and a free port, with one endpoint configured by the test (usually
/// <c>UseManagedTls</c>), serving <c>GET /</c> (a greeting) and <c>GET /info</c> (what the app sees of the connection,
/// as JSON). Log entries of <see cref="ManagedTlsListenOptionsExtensions.LogCategory"/> are kept in <see cref="Logs"/>.
/// Reusable by any client-side test: <see cref="Port"/>, <see cref="BaseUri"/> and the PKI of <see cref="TestPki"/>.
/// </summary>
public sealed class KestrelTlsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelTlsServer(WebApplication app, CapturingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(Address).Port;
    }

    /// <summary>What <c>GET /big</c> returns: 1 MiB of a fixed pattern.</summary>
    public static byte[] BigBody { get; } = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i % 251)).ToArray();

    /// <summary>The address as Kestrel lists it (<c>IServerAddressesFeature</c>).</summary>
    public string Address { get; }

    /// <summary>The port the server listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary><c>https://localhost:PORT/</c>.</summary>
    public Uri BaseUri => new($"https://localhost:{Port}/");

    /// <summary>Log entries of the TLS middleware.</summary>
    public CapturingLoggerProvider Logs { get; }

    /// <summary>Starts a server whose endpoint <paramref name="configure"/> sets up.</summary>
    public static async Task<KestrelTlsServer> StartAsync(Action<ListenOptions> configure)
    {
        var logs = new CapturingLoggerProvider();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, configure));
        WebApplication app = builder.Build();
        app.MapGet("/", (HttpContext http) => $"hello over {http.Request.Protocol}");
        app.MapGet("/big", () => Results.Bytes(BigBody, "application/octet-stream"));
        app.MapPost("/digest", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            return Convert.ToHexString(SHA256.HashData(buffer.ToArray()));
        });
        app.MapGet("/info", (HttpContext http) => Results.Text(JsonSerializer.Serialize(Describe(http)), "application/json"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await app.StartAsync(cts.Token);
        return new KestrelTlsServer(app, logs);
    }

    /// <summary>What the app sees of the connection.</summary>
    private static Dictionary<string, object?> Describe(HttpContext http)
    {
        IManagedTlsFeature? tls = http.Features.Get<IManagedTlsFeature>();
        ITlsHandshakeFeature? handshake = http.Features.Get<ITlsHandshakeFeature>();
        ITlsConnectionFeature? connection = http.Features.Get<ITlsConnectionFeature>();
        var info = new Dictionary<string, object?>
        {
            ["protocol"] = http.Request.Protocol,
            ["isHttps"] = http.Request.IsHttps,
            ["version"] = tls?.Ssl.Version(),
            ["cipher"] = tls?.Ssl.Cipher()?.Name,
            ["alpn"] = tls?.ApplicationProtocol,
            ["hostName"] = tls?.HostName,
            ["context"] = tls?.Context.CertificateChain.Count > 0 ? Convert.ToHexString(SHA256.HashData(tls.Context.CertificateChain[0])) : null,
            ["peerCertificate"] = tls?.PeerCertificate is { } der ? Convert.ToHexString(SHA256.HashData(der)) : null,
            ["peerChainLength"] = tls?.PeerCertificateChain.Count,
            ["verifiedChainLength"] = tls?.VerifiedChain.Count,
            ["handshakeProtocol"] = handshake?.Protocol.ToString(),
            ["handshakeHostName"] = handshake?.HostName,
            ["negotiatedCipherSuite"] = handshake?.NegotiatedCipherSuite?.ToString(),
#pragma warning disable SYSLIB0058
            ["cipherAlgorithm"] = handshake?.CipherAlgorithm.ToString(),
            ["cipherStrength"] = handshake?.CipherStrength,
            ["hashAlgorithm"] = handshake?.HashAlgorithm.ToString(),
            ["keyExchangeAlgorithm"] = handshake?.KeyExchangeAlgorithm.ToString(),
#pragma warning restore SYSLIB0058
        };

        // Only on request: making the X509Certificate2 is what loads OpenSSL.
        if (http.Request.Query.ContainsKey("x509"))
        {
            info["x509Subject"] = connection?.ClientCertificate?.Subject;
            info["x509Thumbprint"] = connection?.ClientCertificate?.GetCertHashString(HashAlgorithmName.SHA256);
            info["connectionInfoSubject"] = http.Connection.ClientCertificate?.Subject;
        }

        return info;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>Keeps the log entries of the TLS middleware's category.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(EventId Id, string Message, Exception? Exception)> _entries = new();

    /// <summary>What was logged so far.</summary>
    public IReadOnlyList<(EventId Id, string Message, Exception? Exception)> Entries => _entries.ToArray();

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) =>
        categoryName == ManagedTlsListenOptionsExtensions.LogCategory ? new Logger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Waits (bounded) for an entry with the given event id.</summary>
    public async Task<(EventId Id, string Message, Exception? Exception)> WaitForAsync(int eventId, TimeSpan timeout, Func<Exception?, bool>? exception = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var e in _entries)
            {
                if (e.Id.Id == eventId && (exception is null || exception(e.Exception)))
                {
                    return e;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no log entry {eventId}; got: {string.Join(" | ", _entries.Select(x => x.Message))}");
            }

            await Task.Delay(50);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((eventId, formatter(state, exception), exception));
    }
}
