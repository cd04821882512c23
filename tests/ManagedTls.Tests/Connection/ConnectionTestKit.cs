using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Tests.X509;
using ManagedTls.X509;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Pkcs;

namespace ManagedTls.Tests.Connection;

/// <summary>Server key types the engine tests cover.</summary>
public enum ServerKeyType
{
    Rsa2048,
    EcdsaP256,
    EcdsaP384,
    Ed25519,
}

/// <summary>Certificates, settings and an in-memory pump for driving a client and a server against each other.</summary>
internal static class ConnectionTestKit
{
    public const string HostName = "server.test";

    private static readonly Lazy<TestPki.Node> RootNode = new(() => TestPki.Root("Engine Test Root"));
    private static readonly Lazy<TestPki.Node> OtherRootNode = new(() => TestPki.Root("Unrelated Root"));
    private static readonly Dictionary<ServerKeyType, (byte[] Der, PrivateKey Key)> Leaves = [];

    public static byte[] RootDer => RootNode.Value.Der;

    public static byte[] OtherRootDer => OtherRootNode.Value.Der;

    public static (byte[] Der, PrivateKey Key) Leaf(ServerKeyType type)
    {
        lock (Leaves)
        {
            if (!Leaves.TryGetValue(type, out var leaf))
            {
                var pair = type switch
                {
                    ServerKeyType.Rsa2048 => TestPki.SharedRsa2048,
                    ServerKeyType.EcdsaP256 => TestPki.EcKey(SecObjectIdentifiers.SecP256r1),
                    ServerKeyType.EcdsaP384 => TestPki.EcKey(SecObjectIdentifiers.SecP384r1),
                    _ => TestPki.Ed25519Key(),
                };
                TestPki.Node node = TestPki.Leaf(RootNode.Value, HostName, s => s.Key = pair, HostName);
                byte[] pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded();
                leaf = (node.Der, PrivateKey.FromDer(pkcs8));
                Leaves[type] = leaf;
            }

            return leaf;
        }
    }

    /// <summary>A leaf for <see cref="HostName"/> under the test root with <paramref name="keyType"/>'s key, changed by <paramref name="configure"/> (keyUsage, validity...).</summary>
    public static (byte[] Der, PrivateKey Key) CustomLeaf(ServerKeyType keyType, Action<TestPki.Spec> configure)
    {
        var pair = keyType switch
        {
            ServerKeyType.Rsa2048 => TestPki.SharedRsa2048,
            ServerKeyType.EcdsaP256 => TestPki.EcKey(SecObjectIdentifiers.SecP256r1),
            ServerKeyType.EcdsaP384 => TestPki.EcKey(SecObjectIdentifiers.SecP384r1),
            _ => TestPki.Ed25519Key(),
        };
        TestPki.Node node = TestPki.Leaf(RootNode.Value, HostName, s =>
        {
            s.Key = pair;
            configure(s);
        }, HostName);
        byte[] pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded();
        return (node.Der, PrivateKey.FromDer(pkcs8));
    }

    public static TlsConfig Client(IEntropySource? entropy = null) => new()
    {
        Role = TlsRole.Client,
        Trust = new TrustStore([RootDer]),
        CheckHostname = true,
        ServerName = HostName,
        Clock = () => TestPki.Now,
        Entropy = entropy ?? OsEntropy.Instance,
    };

    public static TlsConfig Server(ServerKeyType keyType = ServerKeyType.EcdsaP256)
    {
        var (der, key) = Leaf(keyType);
        return new TlsConfig
        {
            Role = TlsRole.Server,
            CertificateChain = [der],
            PrivateKey = key,
            Trust = new TrustStore([RootDer]),
            Clock = () => TestPki.Now,
        };
    }

    public static CipherSuiteInfo Suite(string ianaName) => CipherSuiteRegistry.Tls13Suites.Single(s => s.IanaName == ianaName);
}

/// <summary>A deterministic entropy source for reproducible ClientHellos.</summary>
internal sealed class SeededEntropy(int seed) : IEntropySource
{
    private readonly Random _random = new(seed);

    public void GetBytes(Span<byte> destination) => _random.NextBytes(destination);
}

/// <summary>A client and a server wired together through in-memory byte transfers.</summary>
internal sealed class ConnectionPair : IDisposable
{
    public ConnectionPair(TlsConfig client, TlsConfig server)
    {
        Server = TlsConnection.CreateServer(server);
        Client = TlsConnection.CreateClient(client);
    }

    public TlsConnection Client { get; }

    public TlsConnection Server { get; }

    public TlsAlertException? ClientError { get; private set; }

    public TlsAlertException? ServerError { get; private set; }

    /// <summary>Every chunk the client sent, in order.</summary>
    public List<byte[]> ClientWire { get; } = [];

    /// <summary>Every chunk the server sent, in order.</summary>
    public List<byte[]> ServerWire { get; } = [];

    /// <summary>Moves bytes both ways until neither side has anything to send; fails the test if that takes too long.</summary>
    public void Pump(int maxRounds = 64)
    {
        for (int i = 0; i < maxRounds; i++)
        {
            bool moved = Transfer(Client, Server, toServer: true);
            moved |= Transfer(Server, Client, toServer: false);
            if (!moved)
            {
                return;
            }
        }

        throw new InvalidOperationException("the pump did not settle");
    }

    public void Handshake()
    {
        Pump();
        Assert.Null(ClientError);
        Assert.Null(ServerError);
        Assert.True(Client.IsHandshakeComplete, "client handshake incomplete");
        Assert.True(Server.IsHandshakeComplete, "server handshake incomplete");
    }

    public static byte[] Drain(TlsConnection connection)
    {
        byte[] bytes = new byte[connection.OutgoingLength];
        connection.TakeOutgoing(bytes);
        return bytes;
    }

    public static byte[] ReadAll(TlsConnection connection)
    {
        byte[] data = new byte[connection.PendingApplicationData];
        Assert.Equal(data.Length, connection.ReadApplicationData(data));
        return data;
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }

    private bool Transfer(TlsConnection from, TlsConnection to, bool toServer)
    {
        if (!from.HasOutgoing)
        {
            return false;
        }

        byte[] bytes = Drain(from);
        (toServer ? ClientWire : ServerWire).Add(bytes);
        if (to.Failure is not null)
        {
            return true;
        }

        try
        {
            to.ReceiveBytes(bytes);
        }
        catch (TlsAlertException e)
        {
            if (toServer)
            {
                ServerError = e;
            }
            else
            {
                ClientError = e;
            }
        }

        return true;
    }
}

/// <summary>Splits a byte stream into TLS records.</summary>
internal static class Records
{
    public static List<byte[]> Split(IEnumerable<byte[]> chunks)
    {
        byte[] all = chunks.SelectMany(c => c).ToArray();
        var records = new List<byte[]>();
        int i = 0;
        while (i + 5 <= all.Length)
        {
            int length = (all[i + 3] << 8) | all[i + 4];
            int end = Math.Min(all.Length, i + 5 + length);
            records.Add(all[i..end]);
            i = end;
        }

        return records;
    }

    public static int Count(IEnumerable<byte[]> chunks, byte contentType) => Split(chunks).Count(r => r[0] == contentType);
}
