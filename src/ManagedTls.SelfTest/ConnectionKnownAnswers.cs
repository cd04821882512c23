using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.X509;

namespace ManagedTls.SelfTest;

/// <summary>
/// A whole TLS 1.3 handshake in memory with fixed entropy and clock: both sides must agree, and the exporter
/// value pins the transcript (it changes if any byte of the handshake changes). The certificate is a
/// self-signed Ed25519 certificate made with <c>openssl req -x509 -newkey ed25519</c>.
/// </summary>
internal static class ConnectionKnownAnswers
{
    internal const string CertificateHex = "3082017130820123a003020102021430eebc45dea0f2a632acfb760bf86fc55b6bdd2b300506032b6570301e311c301a06035504030c1373656c66746573742e6d616e61676564746c73301e170d3236313132333136303631375a170d3336313132303136303631375a301e311c301a06035504030c1373656c66746573742e6d616e61676564746c73302a300506032b6570032100fb283b5e7659bc73acf089e44f576ddd8c3736f816e2c143ae71ac6cb60b32f7a3733071301d0603551d0e041604148b51f59fe7c14901bbe4af23c0fd7b893e1dc177301f0603551d230418301680148b51f59fe7c14901bbe4af23c0fd7b893e1dc177300f0603551d130101ff040530030101ff301e0603551d1104173015821373656c66746573742e6d616e61676564746c73300506032b65700341006e464ab5eec619a0db78759006bb9ce3fde23e2a22623885e6204d5dd119a0ae03ce1cb648bb5065b90d441198fbd0be6e0d76a0ec26c6927d19f026f30ce704";
    internal const string KeyHex = "302e020100300506032b6570042204202fe8745cb0979696743be2ec701b4f4bce9367fdfabb04f90e0ebe57d20d5b69";

    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new("TLS 1.3 in-memory handshake, X25519, AES-128-GCM, Ed25519", () =>
        {
            byte[] certificate = CryptoUtil.FromHex(CertificateHex);
            var when = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var client = new TlsConfig
            {
                Role = TlsRole.Client,
                CipherSuites = [CipherSuiteRegistry.Find(Wire.TlsCipherSuite.TLS_AES_128_GCM_SHA256)!],
                Groups = [KeyExchangeGroups.X25519],
                Trust = new TrustStore([certificate]),
                ServerName = "selftest.managedtls",
                CheckHostname = true,
                Clock = () => when,
                Entropy = new ReplayEntropy(CryptoUtil.FromHex("0102030405060708090a0b0c0d0e0f10"), repeat: true),
            };
            var server = new TlsConfig
            {
                Role = TlsRole.Server,
                Groups = [KeyExchangeGroups.X25519],
                CertificateChain = [certificate],
                PrivateKey = PrivateKey.FromDer(CryptoUtil.FromHex(KeyHex)),
                Clock = () => when,
                Entropy = new ReplayEntropy(CryptoUtil.FromHex("f0e0d0c0b0a090807060504030201000"), repeat: true),
            };
            using TlsConnection c = TlsConnection.CreateClient(client);
            using TlsConnection s = TlsConnection.CreateServer(server);
            for (int round = 0; round < 4 && (c.HasOutgoing || s.HasOutgoing); round++)
            {
                Move(c, s);
                Move(s, c);
            }

            KnownAnswerTest.Check(c.IsHandshakeComplete && s.IsHandshakeComplete, "handshake did not complete");
            c.WriteApplicationData([1, 2, 3]);
            Move(c, s);
            byte[] received = new byte[3];
            KnownAnswerTest.Check(s.ReadApplicationData(received) == 3 && received[2] == 3, "application data did not arrive");
            byte[] exported = s.ExportKeyingMaterial("EXPORTER-selftest", [], 32);
            KnownAnswerTest.Check(exported.AsSpan().SequenceEqual(c.ExportKeyingMaterial("EXPORTER-selftest", [], 32)), "exporters differ");
            KnownAnswerTest.Expect("exporter", "3cdda4500c53f29aa0603688bffc85a92f6657b136fa575a74d17ec941526813", exported);
        });
    }

    private static void Move(TlsConnection from, TlsConnection to)
    {
        byte[] bytes = new byte[from.OutgoingLength];
        from.TakeOutgoing(bytes);
        to.ReceiveBytes(bytes);
    }
}
