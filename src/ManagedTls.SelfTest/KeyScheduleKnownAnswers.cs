using ManagedTls.Crypto;
using ManagedTls.Handshake;

namespace ManagedTls.SelfTest;

/// <summary>
/// Known answers for the key schedules: a compact subset of RFC 8448 section 3 (TLS 1.3, TLS_AES_128_GCM_SHA256,
/// x25519), the TLS 1.2 PRF with SHA-256 and SHA-384, and TLS 1.2 master secret, extended master secret,
/// key block and Finished values. The TLS 1.2 values were produced by OpenSSL 3.0's TLS1-PRF KDF
/// (<c>openssl kdf -kdfopt digest:SHA256 ... TLS1-PRF</c>); the SHA-256 PRF vector is also the one
/// published on the IETF TLS mailing list.
/// </summary>
internal static class KeyScheduleKnownAnswers
{
    // RFC 8448 section 3 inputs.
    private const string Rfc8448SharedSecret = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
    private const string Rfc8448HashThroughServerHello = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
    // SHA-256 of ClientHello..CertificateVerify of RFC 8448 section 3 (the server Finished's transcript).
    private const string Rfc8448HashThroughCertificateVerify = "edb7725fa7a3473b031ec8ef65a2485493900138a2b91291407d7951a06110ed";
    private const string Rfc8448HashThroughServerFinished = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";

    // TLS 1.2 inputs: a 48-byte RSA-style premaster secret and the randoms of a recorded OpenSSL handshake.
    private const string PreMaster = "0303101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d";
    private const string ClientRandom = "5d5ece9f658290bcaf5e2d1af842653f9d9d7d28b6d4e6d9b2b53db100acd2c8";
    private const string ServerRandom = "7d9404a996b23b0810abfe9018412fbc3033e2480521f7ed93690d294a540c94";
    private const string SessionHash = "661fef87c80b6aebf9fb51e21e24152545bdffcea842bd10b18219e0f6d53ca4";

    /// <summary>Every key schedule known-answer test.</summary>
    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new("TLS 1.3 key schedule (RFC 8448 section 3)", Rfc8448Section3);
        yield return new("TLS 1.2 PRF SHA-256 (IETF TLS list vector)", () =>
        {
            byte[] output = new byte[100];
            Tls12Prf.Compute(HashAlgorithm.Sha256, CryptoUtil.FromHex("9bbe436ba940f017b17652849a71db35"), "test label",
                CryptoUtil.FromHex("a0ba9f936cda311827a6f796ffd5198c"), default, output);
            KnownAnswerTest.Expect("PRF-SHA256",
                "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66",
                output);
        });
        yield return new("TLS 1.2 PRF SHA-384 (OpenSSL TLS1-PRF)", () =>
        {
            byte[] output = new byte[148];
            Tls12Prf.Compute(HashAlgorithm.Sha384, CryptoUtil.FromHex("b80b733d6ceefcdc71566ea48e5567df"), "test label",
                CryptoUtil.FromHex("cd665cf6a8447dd6ff8b27555edb7465"), default, output);
            KnownAnswerTest.Expect("PRF-SHA384",
                "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f",
                output);
        });
        yield return new("TLS 1.2 master secret, key block, Finished (OpenSSL TLS1-PRF)", Tls12MasterAndKeyBlock);
        yield return new("TLS 1.2 extended master secret (RFC 7627, OpenSSL TLS1-PRF)", () =>
        {
            using Tls12MasterSecret ems = Tls12KeySchedule.DeriveExtendedMasterSecret(HashAlgorithm.Sha256,
                CryptoUtil.FromHex(PreMaster), CryptoUtil.FromHex(SessionHash));
            KnownAnswerTest.Expect("EMS-SHA256",
                "54eebb215722668735821614f1550a726a0ee9c70e0f78a8b6cdc753e2bba771df74ee6ad7c6d9078962db6fa3d824a0", ems.Secret);
            using Tls12MasterSecret ems384 = Tls12KeySchedule.DeriveExtendedMasterSecret(HashAlgorithm.Sha384,
                CryptoUtil.FromHex(PreMaster),
                CryptoUtil.FromHex("83948a5d4dee5a9edcbebff07726425917f9af384b1a9e1ebd7864127ac0084c6754fd630e2353f3157c0ae57a74300d"));
            KnownAnswerTest.Expect("EMS-SHA384",
                "dc72df8131d8d52ea2aa96aa90556eccf724dad9ccf7ff09872d927345a3e39cd9eb4677494d446fe9bbfb92efc19e92", ems384.Secret);
        });
    }

    private static void Rfc8448Section3()
    {
        const HashAlgorithm sha256 = HashAlgorithm.Sha256;
        using Tls13EarlySecret early = Tls13EarlySecret.WithoutPsk(sha256);
        KnownAnswerTest.Expect("early secret", "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a", early.Secret);
        using Tls13HandshakeSecret hs = early.ToHandshakeSecret(CryptoUtil.FromHex(Rfc8448SharedSecret));
        KnownAnswerTest.Expect("handshake secret", "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac", hs.Secret);
        byte[] thSh = CryptoUtil.FromHex(Rfc8448HashThroughServerHello);
        using Tls13TrafficSecret chts = hs.ClientHandshakeTrafficSecret(thSh);
        using Tls13TrafficSecret shts = hs.ServerHandshakeTrafficSecret(thSh);
        KnownAnswerTest.Expect("client_handshake_traffic_secret", "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", chts.Secret);
        KnownAnswerTest.Expect("server_handshake_traffic_secret", "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", shts.Secret);
        using (Tls13TrafficKeys keys = shts.DeriveKeys(16, 12))
        {
            KnownAnswerTest.Expect("server handshake key", "3fce516009c21727d0f2e4e86ee403bc", keys.Key);
            KnownAnswerTest.Expect("server handshake iv", "5d313eb2671276ee13000b30", keys.Iv);
        }

        KnownAnswerTest.Expect("server Finished", "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718",
            shts.ComputeFinished(CryptoUtil.FromHex(Rfc8448HashThroughCertificateVerify)));
        using Tls13MasterSecret master = hs.ToMasterSecret();
        KnownAnswerTest.Expect("master secret", "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919", master.Secret);
        byte[] thSf = CryptoUtil.FromHex(Rfc8448HashThroughServerFinished);
        using Tls13TrafficSecret cats = master.ClientApplicationTrafficSecret(thSf);
        using Tls13TrafficSecret sats = master.ServerApplicationTrafficSecret(thSf);
        KnownAnswerTest.Expect("client_application_traffic_secret_0", "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5", cats.Secret);
        KnownAnswerTest.Expect("server_application_traffic_secret_0", "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", sats.Secret);
    }

    private static void Tls12MasterAndKeyBlock()
    {
        byte[] clientRandom = CryptoUtil.FromHex(ClientRandom);
        byte[] serverRandom = CryptoUtil.FromHex(ServerRandom);
        using Tls12MasterSecret master = Tls12KeySchedule.DeriveMasterSecret(HashAlgorithm.Sha256, CryptoUtil.FromHex(PreMaster), clientRandom, serverRandom);
        KnownAnswerTest.Expect("master secret",
            "0cb2cc6703728c7b83dd5d3a3050212044d361fbbd412f378eb331315587fdc602d861d04561a74957a6b27c85d19581", master.Secret);
        using (Tls12KeyBlock block = master.DeriveKeyBlock(clientRandom, serverRandom, macKeyLength: 20, encKeyLength: 16, fixedIvLength: 0))
        {
            KnownAnswerTest.Expect("client MAC key", "1299abb644c4b5c470a8a5d0661b07924a87b52f", block.ClientMacKey);
            KnownAnswerTest.Expect("server MAC key", "e570da346f7e99994ce8bae3f446426e85391cbe", block.ServerMacKey);
            KnownAnswerTest.Expect("client write key", "2a7cec6f75c3574a5d830303dd945792", block.ClientWriteKey);
            KnownAnswerTest.Expect("server write key", "6601f2e3ca4853da2bdf57791f093f50", block.ServerWriteKey);
        }

        byte[] sessionHash = CryptoUtil.FromHex(SessionHash);
        KnownAnswerTest.Expect("client Finished", "4adc572e1bbe7c519de79923", master.ComputeFinished(sentByClient: true, sessionHash));
        KnownAnswerTest.Expect("server Finished", "fd48bc0d047f16ac27615e57", master.ComputeFinished(sentByClient: false, sessionHash));
    }
}
