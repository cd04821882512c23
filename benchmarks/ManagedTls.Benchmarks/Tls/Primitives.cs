using System.Diagnostics;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.X509;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace ManagedTls.Benchmarks.Tls;

/// <summary><c>primitives</c>: times the pieces a handshake is made of, ManagedTls's wrappers beside the bare BouncyCastle calls.</summary>
internal static class Primitives
{
    public static void Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200;
        Rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
        byte[] message = new byte[130];
        new Random(1).NextBytes(message);
        foreach (ServerKey key in BenchPki.ClassicKeys)
        {
            PrivateKey pk = PrivateKey.FromDer(BenchPki.Leaf(key).Pkcs8);
            SignatureAlgorithm alg = key == ServerKey.EcdsaP256 ? SignatureAlgorithm.EcdsaP256Sha256 : SignatureAlgorithm.RsaPssRsaeSha256;
            byte[] sig = pk.Sign(alg, message, OsEntropy.Instance);
            int m = key == ServerKey.Rsa2048 ? n / 4 : n;
            Time($"{key} sign", m, () => pk.Sign(alg, message, OsEntropy.Instance));
            Time($"{key} verify", m, () => pk.PublicKey.Verify(alg, message, sig));
            byte[] spki = SpkiOf(key);
            Time($"{key} parse public key + verify", m, () => PublicKey.FromSubjectPublicKeyInfo(spki).Verify(alg, message, sig));
            if (key == ServerKey.EcdsaP256)
            {
                Time("ours parse only", m, () => PublicKey.FromSubjectPublicKeyInfo(spki));
                Time("bc parse only", m, () => Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(spki));
                Time("bc parse only (SubjectPublicKeyInfo)", m, () => Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo.GetInstance(spki)));
                var priv = (ECPrivateKeyParameters)BenchPki.Leaf(key).Private;
                byte[] d = Hashes.Compute(HashAlgorithm.Sha256, message);
                var ours = (ECPrivateKeyParameters)pk.Parameters;
                Console.WriteLine($"curve ours {ours.Parameters.Curve.GetType().Name}, bc {priv.Parameters.Curve.GetType().Name}");
                Time("EcMath.SignDigest ours key", m, () => EcMath.SignDigest(ours, d, HashAlgorithm.Sha256, OsEntropy.Instance));
                Time("EcMath.SignDigest bc key", m, () => EcMath.SignDigest(priv, d, HashAlgorithm.Sha256, OsEntropy.Instance));
                Time("bc ECDsaSigner sign ours key", m, () =>
                {
                    var s = new ECDsaSigner(new HMacDsaKCalculator(new Org.BouncyCastle.Crypto.Digests.Sha256Digest()));
                    s.Init(true, ours);
                    return s.GenerateSignature(d);
                });
                Time("bc ECDsaSigner sign (RFC 6979)", m, () =>
                {
                    var s = new ECDsaSigner(new HMacDsaKCalculator(new Org.BouncyCastle.Crypto.Digests.Sha256Digest()));
                    s.Init(true, priv);
                    return s.GenerateSignature(d);
                });
                var pub = (ECPublicKeyParameters)Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(spki);
                var seq = (Org.BouncyCastle.Asn1.Asn1Sequence)Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(sig);
                var r = ((Org.BouncyCastle.Asn1.DerInteger)seq[0]).Value;
                var ss = ((Org.BouncyCastle.Asn1.DerInteger)seq[1]).Value;
                Time("ours parse + bc ECDsaSigner verify", m, () =>
                {
                    var k = (ECPublicKeyParameters)PublicKey.FromSubjectPublicKeyInfo(spki).Parameters;
                    var v = new ECDsaSigner();
                    v.Init(false, k);
                    return v.VerifySignature(d, r, ss);
                });
                Time("bc parse + ours verify", m, () =>
                {
                    var k = PublicKey.FromParameters(Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(spki), null);
                    return k.Verify(alg, message, sig);
                });
                Time("bc parse key + ECDsaSigner verify", m, () =>
                {
                    var k = (ECPublicKeyParameters)Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(spki);
                    var v = new ECDsaSigner();
                    v.Init(false, k);
                    return v.VerifySignature(d, r, ss);
                });
            }
            var trust = new TrustStore([BenchPki.RootDer]);
            Time($"{key} leaf key from certificate", m, () => CertificatePublicKey.FromCertificate(BenchPki.Leaf(key).Der));
            Time($"{key} chain verify as the handshake asks", m, () => CertificateVerifier.Verify(new VerifyRequest
            {
                PeerChain = [BenchPki.Leaf(key).Der],
                Trust = trust,
                Time = DateTimeOffset.UtcNow,
                Purpose = VerifyPurpose.ServerAuth,
                ExpectedName = PeerName.Dns(BenchPki.HostName),
            }).IsValid);
            Time($"{key} leaf key from certificate + verify", m, () => CertificatePublicKey.FromCertificate(BenchPki.Leaf(key).Der).Verify(alg, message, sig));
            Time($"{key} chain verify", m, () => CertificateVerifier.Verify(new VerifyRequest
            {
                PeerChain = [BenchPki.Leaf(key).Der],
                Trust = new TrustStore([BenchPki.RootDer]),
            }).IsValid);
        }

        var root = (ECPublicKeyParameters)BenchPki.RootPublic;
        var signer = new ECDsaSigner();
        byte[] digest = Hashes.Compute(HashAlgorithm.Sha256, message);
        Time("bc ECDsaSigner verify (bogus sig)", n, () =>
        {
            var v = new ECDsaSigner();
            v.Init(false, root);
            return v.VerifySignature(digest, Org.BouncyCastle.Math.BigInteger.ValueOf(12345), Org.BouncyCastle.Math.BigInteger.ValueOf(6789));
        });
        Time("x25519 generate", n, () => KeyExchanges.X25519.Generate(OsEntropy.Instance));
        var a = KeyExchanges.X25519.Generate(OsEntropy.Instance);
        var b = KeyExchanges.X25519.Generate(OsEntropy.Instance);
        Time("x25519 agree", n, () => a.DeriveSharedSecret(b.PublicShare));
        byte[] secret = new byte[32];
        byte[] th = new byte[32];
        Time("key schedule (one side, full handshake)", n * 2, () => KeySchedule(secret, th));
        Time("hkdf expand-label", n * 10, () => Tls13KeySchedule.DeriveSecret(HashAlgorithm.Sha256, secret, "c hs traffic", th));
        Time("hmac-sha256 one shot", n * 10, () => { Hmac.Compute(HashAlgorithm.Sha256, secret, th, th); return 0; });
        Time("sha256 current hash", n * 10, () => { var h = Hashes.Create(HashAlgorithm.Sha256); h.Update(message); return h.GetCurrentHash(); });
    }

    /// <summary>What one side derives in a full handshake: every secret, both handshake and application traffic keys, both Finished values.</summary>
    private static int KeySchedule(byte[] shared, byte[] th)
    {
        using Tls13EarlySecret early = Tls13EarlySecret.WithoutPsk(HashAlgorithm.Sha256);
        using Tls13HandshakeSecret hs = early.ToHandshakeSecret(shared);
        using Tls13TrafficSecret chs = hs.ClientHandshakeTrafficSecret(th);
        using Tls13TrafficSecret shs = hs.ServerHandshakeTrafficSecret(th);
        int n = 0;
        foreach (Tls13TrafficSecret t in new[] { chs, shs })
        {
            Tls13TrafficKeys k = Tls13KeySchedule.DeriveTrafficKeys(HashAlgorithm.Sha256, t.Secret, 16, 12);
            n += k.Key.Length;
            n += Tls13KeySchedule.ComputeFinished(HashAlgorithm.Sha256, t.Secret, th).Length;
        }

        using Tls13MasterSecret ms = hs.ToMasterSecret();
        using Tls13TrafficSecret cap = ms.ClientApplicationTrafficSecret(th);
        using Tls13TrafficSecret sap = ms.ServerApplicationTrafficSecret(th);
        using Tls13ExporterSecret exp = ms.ExporterMasterSecret(th);
        using Tls13ResumptionMasterSecret res = ms.ResumptionMasterSecret(th);
        foreach (Tls13TrafficSecret t in new[] { cap, sap })
        {
            n += Tls13KeySchedule.DeriveTrafficKeys(HashAlgorithm.Sha256, t.Secret, 16, 12).Key.Length;
        }

        return n;
    }

    private static byte[] SpkiOf(ServerKey key)
    {
        var cert = new Org.BouncyCastle.X509.X509Certificate(BenchPki.Leaf(key).Der);
        return Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(cert.GetPublicKey()).GetDerEncoded();
    }

    private static void Time<T>(string name, int n, Func<T> action)
    {
        for (int round = 0; round < Rounds; round++)
        {
            TimeOnce(name, n, action);
        }
    }

    private static int Rounds = 1;

    private static void TimeOnce<T>(string name, int n, Func<T> action)
    {
        for (int i = 0; i < Math.Max(5, n / 10); i++)
        {
            action();
        }

        long bytes = GC.GetAllocatedBytesForCurrentThread();
        double us = double.MaxValue;
        for (int i = 0; i < n; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            us = Math.Min(us, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        bytes = (GC.GetAllocatedBytesForCurrentThread() - bytes) / n;
        Console.WriteLine($"{name,-40} {us,10:F1} us {bytes,10} B");
    }
}
