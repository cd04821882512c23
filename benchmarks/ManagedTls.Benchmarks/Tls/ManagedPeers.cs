using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.X509;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>ManagedTls client and server settings with the benchmark certificates, and an in-memory pump between two <see cref="TlsConnection"/>s.</summary>
internal static class ManagedPeers
{
    private static readonly Dictionary<ServerKey, PrivateKey> Keys = [];

    public static CipherSuiteInfo Suite(string ianaName) => CipherSuiteRegistry.Tls13Suites.Single(s => s.IanaName == ianaName);

    public static TlsConfig Client(CipherSuiteInfo suite) => new()
    {
        Role = TlsRole.Client,
        CipherSuites = [suite],
        Groups = [KeyExchangeGroups.X25519],
        Trust = new TrustStore([BenchPki.RootDer]),
        CheckHostname = true,
        ServerName = BenchPki.HostName,
    };

    public static TlsConfig Server(ServerKey key, CipherSuiteInfo suite, int tickets)
    {
        PrivateKey privateKey;
        lock (Keys)
        {
            if (!Keys.TryGetValue(key, out privateKey!))
            {
                privateKey = PrivateKey.FromDer(BenchPki.Leaf(key).Pkcs8);
                Keys[key] = privateKey;
            }
        }

        return new TlsConfig
        {
            Role = TlsRole.Server,
            CipherSuites = [suite],
            Groups = [KeyExchangeGroups.X25519],
            CertificateChain = [BenchPki.Leaf(key).Der],
            PrivateKey = privateKey,
            NumTickets = tickets,
        };
    }

    /// <summary>Runs a handshake (and whatever follows it, such as tickets) to the end; returns the bytes moved.</summary>
    public static int Handshake(TlsConnection client, TlsConnection server)
    {
        int moved = Pump(client, server);
        if (!client.IsHandshakeComplete || !server.IsHandshakeComplete)
        {
            throw new InvalidOperationException("ManagedTls handshake did not complete", client.Failure ?? server.Failure);
        }

        return moved;
    }

    /// <summary>Moves bytes both ways until neither side has output.</summary>
    public static int Pump(TlsConnection client, TlsConnection server)
    {
        int total = 0;
        for (int round = 0; round < 64; round++)
        {
            int moved = Move(client, server) + Move(server, client);
            if (moved == 0)
            {
                return total;
            }

            total += moved;
        }

        throw new InvalidOperationException("the pump did not settle");
    }

    [ThreadStatic]
    private static byte[]? _buffer;

    private static int Move(TlsConnection from, TlsConnection to)
    {
        int n = from.OutgoingLength;
        if (n == 0)
        {
            return 0;
        }

        byte[] buffer = _buffer is { } b && b.Length >= n ? b : (_buffer = new byte[Math.Max(n, 32768)]);
        int got = from.TakeOutgoing(buffer.AsSpan(0, n));
        to.ReceiveBytes(buffer.AsSpan(0, got));
        return got;
    }
}
