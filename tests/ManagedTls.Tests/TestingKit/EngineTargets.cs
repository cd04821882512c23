using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Ssl;
using ManagedTls.Testing;
using ManagedTls.Tests.Connection;
using ManagedTls.X509;

namespace ManagedTls.Tests.TestingKit;

/// <summary>The engine's sans-IO <see cref="TlsConnection"/> as a kit target, and settings that fit the kit's certificates.</summary>
internal static class EngineTargets
{
    /// <summary>A delegate target over <paramref name="connection"/>: bytes in with ReceiveBytes, out with TakeOutgoing.</summary>
    public static DelegateTarget For(TlsConnection connection) => new(
        deliver: bytes => connection.ReceiveBytes(bytes),
        takeOutput: () =>
        {
            byte[] b = new byte[connection.OutgoingLength];
            connection.TakeOutgoing(b);
            return b;
        },
        isClosed: () => connection.IsClosedForWriting && !connection.HasOutgoing,
        dispose: connection.Dispose);

    /// <summary>An engine server with the tests' P-256 certificate (the kit's client does not verify it).</summary>
    public static TlsConnection Server(Func<TlsConfig, TlsConfig>? configure = null)
    {
        TlsConfig settings = ConnectionTestKit.Server();
        return TlsConnection.CreateServer(configure is null ? settings : configure(settings));
    }

    /// <summary>An engine client that trusts <paramref name="pki"/>'s CA and checks the host name localhost.</summary>
    public static TlsConnection Client(ThrowawayPki pki, Func<TlsConfig, TlsConfig>? configure = null)
    {
        var settings = new TlsConfig
        {
            Role = TlsRole.Client,
            Trust = new TrustStore([pki.Authority.CertificateDer]),
            CheckHostname = true,
            ServerName = pki.HostName,
        };
        return TlsConnection.CreateClient(configure is null ? settings : configure(settings));
    }

    /// <summary>Runs a client script against a fresh engine server; returns the server's failure.</summary>
    public static TlsAlertException? AgainstServer(Func<TlsScript, TlsScript> script, int seed = 7, Func<TlsConfig, TlsConfig>? configure = null, bool compatibility = true)
    {
        using TlsConnection server = Server(configure);
        using DelegateTarget target = For(server);
        script(TlsScript.AsClient(Options(seed, compatibility))).Run(target);
        return server.Failure;
    }

    /// <summary>Runs a server script against a fresh engine client trusting <see cref="Pki"/>; returns the client's failure.</summary>
    public static TlsAlertException? AgainstClient(Func<TlsScript, TlsScript> script, int seed = 7, Func<TlsConfig, TlsConfig>? configure = null, bool compatibility = true)
    {
        using TlsConnection client = Client(Pki, configure);
        using DelegateTarget target = For(client);
        script(TlsScript.AsServer(Options(seed, compatibility))).Run(target);
        return client.Failure;
    }

    /// <summary>A one-per-process PKI made with a deterministic source.</summary>
    public static ThrowawayPki Pki => SharedPki.Value;

    private static readonly Lazy<ThrowawayPki> SharedPki = new(() => ThrowawayPki.Create(entropy: new SeededEntropy(42)));

    /// <summary>Server and client contexts over the kit's certificates (PEM files in a temporary directory).</summary>
    public static (SslContext Server, SslContext Client) Contexts()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mtls-kit-" + Guid.NewGuid().ToString("N"));
        try
        {
            PemFiles files = Pki.WritePemFiles(dir);
            var server = new SslContext(SslProtocol.TlsServer);
            server.LoadCertChain(files.CertificateFile, files.KeyFile);
            var client = new SslContext(SslProtocol.TlsClient);
            client.LoadVerifyLocations(cafile: files.AuthorityFile);
            return (server, client);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Script options with a deterministic entropy source and the shared test PKI.</summary>
    public static ScriptOptions Options(int seed = 7, bool compatibility = true) => new()
    {
        Entropy = new SeededEntropy(seed),
        Pki = Pki,
        Timeout = TimeSpan.FromSeconds(5),
        MiddleboxCompatibility = compatibility,
    };
}
