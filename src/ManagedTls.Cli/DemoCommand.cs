using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Record;
using ManagedTls.Wire;
using ManagedTls.X509;
using ManagedTls.X509.PeerCert;

namespace ManagedTls.Cli;

/// <summary>
/// <c>managedtls demo</c>: shows what the engine is built from and proves the layers work together.
/// It prints the cipher-suite registry, the key-exchange groups and the signature schemes; replays the
/// TLS 1.3 key schedule against RFC 8448; and, for every TLS 1.3 suite, runs two parties through a key
/// agreement, the key schedule and record protection: the "server" seals application data with its
/// traffic keys and the "client", which derived its keys on its own, opens it. Exit code 0 only when every
/// check passes. Last, our TLS 1.3 client and our TLS 1.3 server make a real handshake over a loopback
/// TCP connection and exchange data, and the demo prints what they negotiated.
/// </summary>
internal static class DemoCommand
{
    public static int Run(string[] args)
    {
        if (args.Length > 0)
        {
            throw new UsageException("demo takes no arguments");
        }

        int failures = 0;
        Console.WriteLine("ManagedTls demo");
        Console.WriteLine($"entropy source: {OsEntropy.Instance.Mechanism} (no OpenSSL, no native crypto)");
        Console.WriteLine();

        Console.WriteLine($"cipher suites ({CipherSuiteRegistry.All.Count}):");
        foreach (CipherSuiteInfo s in CipherSuiteRegistry.All)
        {
            Console.WriteLine($"  0x{s.Code:X4} {s.IanaName,-46} {s.Description}");
        }

        Console.WriteLine();
        Console.WriteLine("key-exchange groups (default order): " + string.Join(", ", KeyExchangeGroups.Default.Select(g => g.Name))
            + "; also: " + string.Join(", ", KeyExchangeGroups.All.Except(KeyExchangeGroups.Default).Select(g => g.Name)));
        Console.WriteLine("signature schemes: " + string.Join(", ", SignatureSchemes.All.Select(s => s.Algorithm.Name)));
        Console.WriteLine();

        Console.WriteLine("key schedule self-check (RFC 8448 and TLS 1.2 PRF vectors):");
        foreach (KnownAnswerTest test in KeyScheduleKnownAnswers.All())
        {
            failures += Check(test.Name, () => test.Run());
        }

        Console.WriteLine();
        Console.WriteLine("key agreement -> TLS 1.3 key schedule -> record protection, per suite:");
        foreach (CipherSuiteInfo suite in CipherSuiteRegistry.Tls13Suites)
        {
            foreach (KeyExchangeGroup group in new[] { KeyExchangeGroups.X25519, KeyExchangeGroups.Secp256r1, KeyExchangeGroups.X25519MlKem768 })
            {
                failures += Check($"{suite.IanaName} over {group.Name}", () => RoundTrip(suite, group));
            }
        }

        Console.WriteLine();
        Console.WriteLine("TLS 1.3 over loopback TCP (our client, our server):");
        failures += Check("full handshake and data both ways", LoopbackHandshake);

        Console.WriteLine();
        Console.WriteLine(failures == 0 ? "demo: all checks passed" : $"demo: {failures} check(s) FAILED");
        return failures == 0 ? 0 : 1;
    }

    private static int Check(string name, Action action)
    {
        try
        {
            action();
            Console.WriteLine($"  ok    {name}");
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine($"  FAIL  {name}: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static void RoundTrip(CipherSuiteInfo suite, KeyExchangeGroup group)
    {
        AeadAlgorithm aead = suite.Aead ?? throw new InvalidOperationException("TLS 1.3 suites are AEAD suites");
        HashAlgorithm hash = suite.PrfHash;

        // Key agreement: the client offers a share, the server answers with its own and the shared secret.
        using IKeyExchange client = group.Algorithm.Generate(OsEntropy.Instance);
        using KeyExchangeResponse server = group.Algorithm.Respond(client.PublicShare, OsEntropy.Instance);
        byte[] clientShared = client.DeriveSharedSecret(server.Share);

        // The same synthetic transcript on both sides stands in for ClientHello..server Finished.
        var transcript = new TranscriptHash(hash);
        transcript.Add(HandshakeType.ClientHello, client.PublicShare);
        transcript.Add(HandshakeType.ServerHello, server.Share);
        byte[] th = transcript.GetCurrentHash();

        byte[] serverSecret = ServerApplicationSecret(hash, server.SharedSecret, th);
        byte[] clientView = ServerApplicationSecret(hash, clientShared, th);
        CryptoUtil.Wipe(clientShared);

        using var sealer = Tls13RecordProtection.FromTrafficSecret(aead, hash, serverSecret);
        using var opener = Tls13RecordProtection.FromTrafficSecret(aead, hash, clientView);
        CryptoUtil.Wipe(serverSecret);
        CryptoUtil.Wipe(clientView);

        byte[] message = Encoding.UTF8.GetBytes($"hello over {suite.IanaName} with {group.Name}");
        byte[] record = new byte[RecordLimits.HeaderSize + sealer.MaxFragmentLength(message.Length)];
        int length = sealer.Seal(ContentType.ApplicationData, message, record);
        Span<byte> fragment = record.AsSpan(RecordLimits.HeaderSize, length - RecordLimits.HeaderSize);
        ContentType type = opener.Open(ContentType.ApplicationData, 0x0303, fragment, out Span<byte> content);
        if (type != ContentType.ApplicationData || !content.SequenceEqual(message))
        {
            throw new InvalidOperationException("the opened record differs from what was sealed");
        }
    }

    private static void LoopbackHandshake()
    {
        var credential = HandshakeMatrixKnownAnswers.P256;
        byte[] certificate = CryptoUtil.FromHex(credential.CertificateHex);
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero); // inside the embedded certificate's validity
        byte[] alpn = Encoding.ASCII.GetBytes("demo/1");
        var serverSettings = new HandshakeSettings
        {
            Role = TlsRole.Server,
            CertificateChain = [certificate],
            PrivateKey = PrivateKey.FromDer(CryptoUtil.FromHex(credential.KeyHex)),
            AlpnProtocols = [alpn],
            Clock = () => now,
        };
        var clientSettings = new HandshakeSettings
        {
            Role = TlsRole.Client,
            Trust = new TrustStore([certificate]),
            ServerName = HandshakeMatrixKnownAnswers.ServerName,
            CheckHostname = true,
            AlpnProtocols = [alpn],
            Clock = () => now,
        };

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string? serverSaw = null;
        Exception? serverError = null;
        var serverThread = new Thread(() =>
        {
            try
            {
                using Socket socket = listener.AcceptSocket();
                socket.ReceiveTimeout = socket.SendTimeout = 10000;
                using var tls = TlsConnection.CreateServer(serverSettings);
                byte[] request = ReadMessage(tls, socket, 5);
                serverSaw = $"{Encoding.ASCII.GetString(request)} (server saw SNI {tls.ServerName})";
                tls.WriteApplicationData(Encoding.ASCII.GetBytes("HELLO"));
                tls.Close();
                Flush(tls, socket);
            }
            catch (Exception e)
            {
                serverError = e;
            }
        })
        { IsBackground = true };
        serverThread.Start();

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10000, SendTimeout = 10000 };
        client.Connect(IPAddress.Loopback, port);
        using var tlsClient = TlsConnection.CreateClient(clientSettings);
        Flush(tlsClient, client);
        while (!tlsClient.IsHandshakeComplete)
        {
            Receive(tlsClient, client);
        }

        tlsClient.WriteApplicationData(Encoding.ASCII.GetBytes("hello"));
        Flush(tlsClient, client);
        string reply = Encoding.ASCII.GetString(ReadMessage(tlsClient, client, 5));
        if (!serverThread.Join(10000) || serverError is not null)
        {
            throw new InvalidOperationException("the server side failed: " + (serverError?.Message ?? "timed out"));
        }

        Console.WriteLine($"        127.0.0.1:{port}, version TLS 1.3, suite {tlsClient.CipherSuite?.IanaName}, group {tlsClient.NamedGroup}");
        Console.WriteLine($"        signature scheme {tlsClient.SignatureScheme}, ALPN {Encoding.ASCII.GetString(tlsClient.AlpnProtocol ?? [])}");
        Console.WriteLine($"        peer certificate verified: {tlsClient.VerifyResult?.IsValid}, subject {Subject(tlsClient.PeerCertificateChain[0])}");
        Console.WriteLine($"        client sent \"hello\", {serverSaw}; server answered \"{reply}\"");
        if (reply != "HELLO" || tlsClient.VerifyResult?.IsValid != true)
        {
            throw new InvalidOperationException("unexpected reply or unverified peer");
        }
    }

    private static string Subject(byte[] certificate)
    {
        var rdns = (IEnumerable<IReadOnlyList<KeyValuePair<string, string>>>)PeerCertificate.Decode(certificate)["subject"];
        return string.Join(", ", rdns.SelectMany(r => r).Select(kv => $"{kv.Key}={kv.Value}"));
    }

    private static void Flush(TlsConnection tls, Socket socket)
    {
        while (tls.HasOutgoing)
        {
            byte[] bytes = new byte[tls.OutgoingLength];
            int n = tls.TakeOutgoing(bytes);
            socket.Send(bytes, 0, n, SocketFlags.None);
        }
    }

    private static void Receive(TlsConnection tls, Socket socket)
    {
        byte[] buffer = new byte[16384];
        int n = socket.Receive(buffer);
        if (n == 0)
        {
            throw new EndOfStreamException("the peer closed the connection");
        }

        tls.ReceiveBytes(buffer.AsSpan(0, n));
        Flush(tls, socket);
    }

    private static byte[] ReadMessage(TlsConnection tls, Socket socket, int length)
    {
        var message = new List<byte>();
        byte[] chunk = new byte[length];
        while (message.Count < length)
        {
            int n = tls.ReadApplicationData(chunk.AsSpan(0, length - message.Count));
            if (n > 0)
            {
                message.AddRange(chunk.Take(n));
                continue;
            }

            Receive(tls, socket);
        }

        return message.ToArray();
    }

    private static byte[] ServerApplicationSecret(HashAlgorithm hash, byte[] sharedSecret, byte[] transcriptHash)
    {
        using Tls13HandshakeSecret handshake = Tls13EarlySecret.WithoutPsk(hash).ToHandshakeSecret(sharedSecret);
        using Tls13MasterSecret master = handshake.ToMasterSecret();
        using Tls13TrafficSecret traffic = master.ServerApplicationTrafficSecret(transcriptHash);
        return traffic.Secret.ToArray();
    }
}
