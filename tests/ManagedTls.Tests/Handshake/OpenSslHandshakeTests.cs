using ManagedTls.Crypto;
using ManagedTls.Handshake;

namespace ManagedTls.Tests.Handshake;

/// <summary>The key schedules against handshakes recorded from OpenSSL (see <see cref="OpenSslHandshakeVectors"/>).</summary>
public class OpenSslHandshakeTests
{
    private static byte[][] Messages(string[] hex) => hex.Select(CryptoUtil.FromHex).ToArray();

    private static TranscriptHash Transcript(HashAlgorithm hash, byte[][] messages, int count)
    {
        var t = new TranscriptHash(hash);
        foreach (byte[] m in messages.Take(count))
        {
            t.Add(m);
        }

        return t;
    }

    [Fact]
    public void Tls13_sha384_finished_values_match_openssl()
    {
        byte[][] m = Messages(OpenSslHandshakeVectors.Tls13Messages);
        using var shts = Tls13TrafficSecret.FromBytes(HashAlgorithm.Sha384, CryptoUtil.FromHex(OpenSslHandshakeVectors.Tls13ServerHandshakeTrafficSecret), false);
        using var chts = Tls13TrafficSecret.FromBytes(HashAlgorithm.Sha384, CryptoUtil.FromHex(OpenSslHandshakeVectors.Tls13ClientHandshakeTrafficSecret), false);

        // Server Finished over ClientHello..CertificateVerify, client Finished over ClientHello..server Finished.
        byte[] serverFinished = shts.ComputeFinished(Transcript(HashAlgorithm.Sha384, m, 5).GetCurrentHash());
        Assert.Equal(CryptoUtil.ToHex(m[5].AsSpan(4)), CryptoUtil.ToHex(serverFinished));
        Assert.Equal(48, serverFinished.Length);
        byte[] th = Transcript(HashAlgorithm.Sha384, m, 6).GetCurrentHash();
        Assert.True(chts.VerifyFinished(th, m[6].AsSpan(4)));
        Assert.False(shts.VerifyFinished(th, m[6].AsSpan(4)));
    }

    [Fact]
    public void Tls13_exporter_matches_openssl()
    {
        using var exporter = new Tls13ExporterSecret(HashAlgorithm.Sha384, CryptoUtil.FromHex(OpenSslHandshakeVectors.Tls13ExporterSecret));
        Assert.Equal(OpenSslHandshakeVectors.Tls13Exported, CryptoUtil.ToHex(exporter.Export("EXPERIMENTAL test", [], 40)));
        Assert.NotEqual(OpenSslHandshakeVectors.Tls13Exported, CryptoUtil.ToHex(exporter.Export("EXPERIMENTAL test", [0], 40)));
    }

    [Fact]
    public void Tls13_key_log_lines_have_the_nss_format()
    {
        string line = NssKeyLog.Format(NssKeyLog.ServerHandshakeTrafficSecret, CryptoUtil.FromHex(OpenSslHandshakeVectors.Tls13ClientRandom),
            CryptoUtil.FromHex(OpenSslHandshakeVectors.Tls13ServerHandshakeTrafficSecret));
        // The line OpenSSL wrote for the same secret.
        Assert.Equal("SERVER_HANDSHAKE_TRAFFIC_SECRET 06c1c6ccf5345f60b5bfd3dd342d47927304be2ef2a4596aa5adbc32d694cc81 "
            + "bea958e3c788e43c6d8e7be16bc6b6d87f6a0e2001fbea6ab439897e016ae4792861de2e0cfe97908083f04f1b073888", line);
        Assert.Throws<ArgumentException>(() => NssKeyLog.Format(NssKeyLog.ClientRandom, new byte[31], new byte[48]));
        using var secret = Tls13TrafficSecret.FromBytes(HashAlgorithm.Sha384, CryptoUtil.FromHex(OpenSslHandshakeVectors.Tls13ServerHandshakeTrafficSecret), false);
        Assert.Equal(line, secret.ToKeyLogLine(NssKeyLog.ServerHandshakeTrafficSecret, CryptoUtil.FromHex(OpenSslHandshakeVectors.Tls13ClientRandom)));
    }

    [Fact]
    public void Tls12_finished_and_exporter_match_openssl()
    {
        byte[][] m = Messages(OpenSslHandshakeVectors.Tls12Messages);
        byte[] clientRandom = m[0].AsSpan(6, 32).ToArray();
        byte[] serverRandom = m[1].AsSpan(6, 32).ToArray();
        Assert.Equal(OpenSslHandshakeVectors.Tls12ClientRandom, CryptoUtil.ToHex(clientRandom));
        using Tls12MasterSecret master = Tls12KeySchedule.FromStoredMasterSecret(HashAlgorithm.Sha256,
            CryptoUtil.FromHex(OpenSslHandshakeVectors.Tls12MasterSecret), extended: true);

        // ClientHello, ServerHello, Certificate, ServerKeyExchange, ServerHelloDone, ClientKeyExchange | Finished.
        TranscriptHash t = Transcript(HashAlgorithm.Sha256, m, 6);
        Assert.Equal(CryptoUtil.ToHex(m[6].AsSpan(4)), CryptoUtil.ToHex(master.ComputeFinished(sentByClient: true, t.GetCurrentHash())));
        t.Add(m[6]);
        t.Add(m[7]); // NewSessionTicket precedes the server's Finished.
        Assert.True(master.VerifyFinished(sentByClient: false, t.GetCurrentHash(), m[8].AsSpan(4)));
        Assert.False(master.VerifyFinished(sentByClient: true, t.GetCurrentHash(), m[8].AsSpan(4)));

        Assert.Equal(OpenSslHandshakeVectors.Tls12Exported, CryptoUtil.ToHex(master.Export("EXPERIMENTAL test", clientRandom, serverRandom, null, 20)));
        Assert.NotEqual(OpenSslHandshakeVectors.Tls12Exported, CryptoUtil.ToHex(master.Export("EXPERIMENTAL test", clientRandom, serverRandom, [], 20)));
        Assert.Equal("CLIENT_RANDOM " + OpenSslHandshakeVectors.Tls12ClientRandom + " " + OpenSslHandshakeVectors.Tls12MasterSecret,
            master.ToKeyLogLine(clientRandom));
    }
}
