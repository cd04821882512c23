using System.Net;
using System.Net.Sockets;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// A P-256 self-signed certificate for localhost with subjectAltName DNS:localhost and its key (openssl 3.0), written
/// to a temporary directory as cert.pem and key.pem. Python's values for it are recorded in the tests that use it.
/// </summary>
internal static class WrapKeys
{
    public const string Certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBlTCCATugAwIBAgIUHfk/egN8tsEXHXSpnH5ysAdkl5YwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzE2MTcxMloYDzIxMjYxMDMw
        MTYxNzEyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAASF04OoqzYyqYZCZpDBH158gOU+bZRtBvwHBBxpL0YtSOVGoKWnBTYS
        xMRBnPIz7ndt/DZyOwn7IAOXnH4rBpiyo2kwZzAdBgNVHQ4EFgQU5GM+KESCMelw
        TLXUhwvVEtopgR0wHwYDVR0jBBgwFoAU5GM+KESCMelwTLXUhwvVEtopgR0wDwYD
        VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
        SAAwRQIhAJBnNcDVkKBfrnb1uVsfmG9aRCdJXGeCLf1fjMS810kLAiAauzD+f8Gr
        DvWYR8RY8beVLih7Srcr++JDhNUdFyO4Wg==
        -----END CERTIFICATE-----
        """;

    public const string Key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgR9Q28AlVZxvSNSEc
        Dm0Guk5N3wHYvWuEhohHHjQXk7KhRANCAASF04OoqzYyqYZCZpDBH158gOU+bZRt
        BvwHBBxpL0YtSOVGoKWnBTYSxMRBnPIz7ndt/DZyOwn7IAOXnH4rBpiy
        -----END PRIVATE KEY-----
        """;

    /// <summary>Writes cert.pem and key.pem into a new temporary directory and returns its path.</summary>
    public static string WriteFiles()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mtls-wrap-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cert.pem"), Certificate + "\n");
        File.WriteAllText(Path.Combine(dir, "key.pem"), Key + "\n");
        return dir;
    }

    /// <summary>A server context with the certificate and key written by <see cref="WriteFiles"/> into <paramref name="dir"/>.</summary>
    public static SslContext ServerContext(string dir)
    {
        var ctx = new SslContext(SslProtocol.TlsServer);
        ctx.LoadCertChain(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
        return ctx;
    }

    /// <summary>A client context trusting the certificate written by <see cref="WriteFiles"/> into <paramref name="dir"/>.</summary>
    public static SslContext ClientContext(string dir)
    {
        var ctx = new SslContext(SslProtocol.TlsClient);
        ctx.LoadVerifyLocations(cafile: Path.Combine(dir, "cert.pem"));
        return ctx;
    }

    /// <summary>A connected loopback TCP pair, both ends with <paramref name="timeoutMs"/> send and receive timeouts and no Nagle delay.</summary>
    public static (Socket Client, Socket Server) LoopbackSockets(int timeoutMs)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        Socket server = listener.Accept();
        foreach (Socket s in new[] { client, server })
        {
            s.ReceiveTimeout = timeoutMs;
            s.SendTimeout = timeoutMs;
            s.NoDelay = true;
        }

        return (client, server);
    }
}
