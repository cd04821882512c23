using ManagedTls.Crypto;

namespace ManagedTls.Handshake;

/// <summary>
/// Lines of the NSS key log format (SSLKEYLOGFILE), which Wireshark and OpenSSL's <c>-keylogfile</c> use:
/// <c>&lt;label&gt; &lt;client_random hex&gt; &lt;secret hex&gt;</c>. Writing such a file defeats the connection's
/// secrecy, so the engine only produces lines when the application asked for a key log.
/// </summary>
internal static class NssKeyLog
{
    /// <summary>TLS 1.2: the 48-byte master secret.</summary>
    public const string ClientRandom = "CLIENT_RANDOM";
    /// <summary>TLS 1.3 client_early_traffic_secret.</summary>
    public const string ClientEarlyTrafficSecret = "CLIENT_EARLY_TRAFFIC_SECRET";
    /// <summary>TLS 1.3 client_handshake_traffic_secret.</summary>
    public const string ClientHandshakeTrafficSecret = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
    /// <summary>TLS 1.3 server_handshake_traffic_secret.</summary>
    public const string ServerHandshakeTrafficSecret = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
    /// <summary>TLS 1.3 client_application_traffic_secret_0.</summary>
    public const string ClientTrafficSecret0 = "CLIENT_TRAFFIC_SECRET_0";
    /// <summary>TLS 1.3 server_application_traffic_secret_0.</summary>
    public const string ServerTrafficSecret0 = "SERVER_TRAFFIC_SECRET_0";
    /// <summary>TLS 1.3 early_exporter_master_secret.</summary>
    public const string EarlyExporterSecret = "EARLY_EXPORTER_SECRET";
    /// <summary>TLS 1.3 exporter_master_secret.</summary>
    public const string ExporterSecret = "EXPORTER_SECRET";

    /// <summary>One key log line (without a line terminator).</summary>
    public static string Format(string label, ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> secret)
    {
        if (clientRandom.Length != 32)
        {
            throw new ArgumentException("client_random is 32 bytes", nameof(clientRandom));
        }

        return label + " " + CryptoUtil.ToHex(clientRandom) + " " + CryptoUtil.ToHex(secret);
    }
}
