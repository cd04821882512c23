using ManagedTls.Crypto;
namespace ManagedTls.SelfTest;

/// <summary>
/// Known answers for the AEADs, SHA-1/SHA-512, HMAC-SHA-384/512 and every key exchange.
/// </summary>
/// <remarks>
/// Sources: AES-GCM from McGrew and Viega, "The Galois/Counter Mode of Operation", test cases 4 and 16
/// (the NIST GCM submission vectors with 96-bit IVs); ChaCha20-Poly1305 from RFC 8439 section 2.8.2;
/// AES-CCM-8 from NIST SP 800-38C appendix C example 3 (12-byte nonce, 8-byte tag, the TLS shape) and
/// RFC 3610 packet vector 1; AES-CCM with a 16-byte tag on the SP 800-38C example 3 inputs as computed by
/// the Python <c>cryptography</c> package (OpenSSL), since no publication has a 12-byte-nonce, 16-byte-tag
/// vector; SHA from FIPS 180-4 examples; HMAC from RFC 4231 cases 2 and 6; X25519 and X448 from RFC 7748
/// sections 6.1 and 6.2; NIST-curve ECDH from fixed scalars with the shared secret computed by OpenSSL 3.0
/// (Python <c>cryptography</c>); ffdhe2048 from fixed exponents with the values computed by Python integer
/// arithmetic over the prime printed by <c>openssl genpkey -genparam -pkeyopt group:ffdhe2048</c>;
/// X25519MLKEM768's ML-KEM-768 key, ciphertext and secret from the Python <c>cryptography</c> package
/// (OpenSSL 4.0), combined with the RFC 7748 X25519 keys.
/// </remarks>
internal static class CryptoKnownAnswers
{
    public static IEnumerable<KnownAnswerTest> All()
    {
        const string gcmPlain = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
        const string gcmAad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
        const string gcmIv = "cafebabefacedbaddecaf888";
        yield return new("AES-128-GCM (GCM spec test case 4)", () => Aead(
            AeadAlgorithm.Aes128Gcm, "feffe9928665731c6d6a8f9467308308", gcmIv, gcmAad, gcmPlain,
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
            + "5bc94fbc3221a5db94fae95ae7121a47"));
        yield return new("AES-256-GCM (GCM spec test case 16)", () => Aead(
            AeadAlgorithm.Aes256Gcm, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", gcmIv, gcmAad, gcmPlain,
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
            + "76fc6ece0f4e1768cddf8853bb2d551b"));
        yield return new("ChaCha20-Poly1305 (RFC 8439 2.8.2)", () => Aead(
            AeadAlgorithm.ChaCha20Poly1305,
            "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
            "070000004041424344454647",
            "50515253c0c1c2c3c4c5c6c7",
            CryptoUtil.ToHex("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."u8),
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
            + "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            + "3ff4def08e4b7a9de576d26586cec64b6116"
            + "1ae10b594f09e26a7e902ecbd0600691"));
        yield return new("AES-128-CCM-8 (SP 800-38C example 3)", () => Aead(
            AeadAlgorithm.Aes128Ccm8, "404142434445464748494a4b4c4d4e4f", "101112131415161718191a1b",
            "000102030405060708090a0b0c0d0e0f10111213", "202122232425262728292a2b2c2d2e2f3031323334353637",
            "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5" + "484392fbc1b09951"));
        yield return new("AES-128-CCM (SP 800-38C example 3 inputs, 16-byte tag)", () => Aead(
            AeadAlgorithm.Aes128Ccm, "404142434445464748494a4b4c4d4e4f", "101112131415161718191a1b",
            "000102030405060708090a0b0c0d0e0f10111213", "202122232425262728292a2b2c2d2e2f3031323334353637",
            "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5" + "c87ae488918de93f17dd3e4934347f44"));
        yield return new("AES-CCM 13-byte nonce (RFC 3610 packet vector 1)", () =>
        {
            using var ccm = new AesCcm(AeadAlgorithm.Aes128Ccm8, CryptoUtil.FromHex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"), tagSize: 8, nonceSize: 13);
            byte[] packet = CryptoUtil.FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
            byte[] output = new byte[packet.Length - 8 + 8];
            ccm.Seal(CryptoUtil.FromHex("00000003020100a0a1a2a3a4a5"), packet.AsSpan(0, 8), packet.AsSpan(8), output);
            KnownAnswerTest.Expect("RFC 3610 #1", "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0", output);
        });

        yield return new("SHA-1 'abc' (FIPS 180-4)", () => KnownAnswerTest.Expect("SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d", Hashes.Compute(HashAlgorithm.Sha1, "abc"u8)));
        yield return new("SHA-1 two blocks (FIPS 180-4)", () => KnownAnswerTest.Expect(
            "SHA-1", "84983e441c3bd26ebaae4aa1f95129e5e54670f1", Hashes.Compute(HashAlgorithm.Sha1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8)));
        yield return new("SHA-512 'abc' (FIPS 180-4)", () => KnownAnswerTest.Expect(
            "SHA-512",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            Hashes.Compute(HashAlgorithm.Sha512, "abc"u8)));
        yield return new("SHA-512 two blocks (FIPS 180-4)", () => KnownAnswerTest.Expect(
            "SHA-512",
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
            Hashes.Compute(HashAlgorithm.Sha512, "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"u8)));
        yield return new("HMAC-SHA-384 RFC 4231 case 2", () => Mac(HashAlgorithm.Sha384, CryptoUtil.ToHex("Jefe"u8), CryptoUtil.ToHex("what do ya want for nothing?"u8),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"));
        yield return new("HMAC-SHA-512 RFC 4231 case 2", () => Mac(HashAlgorithm.Sha512, CryptoUtil.ToHex("Jefe"u8), CryptoUtil.ToHex("what do ya want for nothing?"u8),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"));
        yield return new("HMAC-SHA-384 RFC 4231 case 6", () => Mac(HashAlgorithm.Sha384, new string('a', 262), CryptoUtil.ToHex("Test Using Larger Than Block-Size Key - Hash Key First"u8),
            "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952"));
        yield return new("HMAC-SHA-512 RFC 4231 case 6", () => Mac(HashAlgorithm.Sha512, new string('a', 262), CryptoUtil.ToHex("Test Using Larger Than Block-Size Key - Hash Key First"u8),
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"));

        yield return new("X25519 (RFC 7748 6.1)", () => Montgomery(
            (MontgomeryKeyExchange)KeyExchanges.X25519,
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
            "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
        yield return new("X448 (RFC 7748 6.2)", () => Montgomery(
            (MontgomeryKeyExchange)KeyExchanges.X448,
            "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
            "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
            "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
            "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
            "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d"));
        yield return new("ECDH secp256r1 (OpenSSL-computed)", () => Ecdh(
            (EcdhKeyExchange)KeyExchanges.Secp256r1,
            "ac737d2fc36944654999be45705e2aa1fb88d4eb76257a50d9",
            "0482b31c65069f9f149ee39e8aad0cbce57ea1bec24e969b6c4be723f9f8060400d34f30f8ad2fffab179a7a7c485756e1ee7fa253eeb07e2d50f8213cbd331c79",
            "048ec5ecd999fe946f1c95c60777d53c469a5886fcc0c4321bb2ed0ef70f1211b2a6f8d62985114413346c007db494d057be63bf681293ea9972db978b0f1a6151",
            "4ad68c7a7ccfb6584cc24ce1b25726e726aba14bb03272d9523511dd4d49fb6e"));
        yield return new("ECDH secp384r1 (OpenSSL-computed)", () => Ecdh(
            (EcdhKeyExchange)KeyExchanges.Secp384r1,
            "2b24f0711be633d2473a2151d05f294c0f81c9662e9a4ed2b8",
            "04e288da3f163db823b59141688bd6b1d5857ae70f16f915d916bfa9dd85931013bfb05125c43c1df9aade3e38b6db28500031a2c9555805a171b17f9eafafe11712071163b035b1b1f7e58e7afdf58f6792bfc9268c4b71519e30904ac3184db4",
            "04a4e11589bdd404d1b9bc40a03f6235ae4c930e701817197f1ab7357fbf9fee8d687ce4a33859a51d8594b2b0290842c2bbfe3447858bcfae70a68ad26cf899e97032d5058c30aba1c2f5fee81399612bfb7bad483d796137e76d7cdf5adbcc7f",
            "62ebe2129d1b4c0683b376493c6db9cf4241ac8c0fdb0af1ac98e543efe53a688907109d5862d9daa52ab9318da80466"));
        yield return new("ECDH secp521r1 with leading zero (OpenSSL-computed)", () => Ecdh(
            (EcdhKeyExchange)KeyExchanges.Secp521r1,
            "fbe3a7e1314551ee1bb24112d3cb8b9b5e1098f27027d49433",
            "04018df2762dc7eb26477ca424756f70eef6d16c42c2402d99301b05b435739023e5f1612f5d4f0769a12be9614f2423ac5ea0c0db323bc3703d411d2c5124a8a02a4e"
            + "012bed33e5cf812dad9828d600dab0753e90e94cf57bf4dc9f2599ebf8ec1c9f0616cac7f22b473b3d1e8fd2e5f272093eb1b93406f99c087abe52af69a03b75c2e5",
            "04018c9e4474dadf9a9d77c38ffb0eb55808b180b9e497cfaaeea322d07ee75c861df997b25b1d288c9bc4d1c274896955561211a9093e136cd6c8acc77bc79cc554b7"
            + "01bd2a47bbb8e2c79f1b2e3c2708cf6ee51e749d090983fbbe94056cc6ffd58ad757c433ea344502230caaa56c550b71692035ac4c6ed51a6dcdd6779a6a98db6f69",
            "0021846605762d55d7e6d165a33ae89031a801c332b8025a34734b35994a4bd6b11d4f2ea8e3696017603153a4b52bd82bb8b08b05d154c117205774dcae2b8f0b1d"));
        yield return new("FFDHE2048 fixed exponents, leading-zero secret", Ffdhe2048);
        yield return new("RFC 7919 primes", () =>
        {
            // SHA-256 of each prime as printed by openssl genpkey -genparam -pkeyopt group:ffdheN.
            KnownAnswerTest.Expect("ffdhe2048 p", "9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966", Hashes.Compute(HashAlgorithm.Sha256, KeyExchanges.Ffdhe2048.Prime));
            KnownAnswerTest.Expect("ffdhe3072 p", "0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17", Hashes.Compute(HashAlgorithm.Sha256, KeyExchanges.Ffdhe3072.Prime));
            KnownAnswerTest.Expect("ffdhe4096 p", "4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e", Hashes.Compute(HashAlgorithm.Sha256, KeyExchanges.Ffdhe4096.Prime));
            KnownAnswerTest.Expect("ffdhe6144 p", "227ac9066b3ddd9e193670cda2388fa884f65ba0cf98b742d1fe77a6687c79c7", Hashes.Compute(HashAlgorithm.Sha256, KeyExchanges.Ffdhe6144.Prime));
            KnownAnswerTest.Expect("ffdhe8192 p", "770b14efaf6f049929c523113b3fa99a8d11dab1b18af3609590122075d19833", Hashes.Compute(HashAlgorithm.Sha256, KeyExchanges.Ffdhe8192.Prime));
            foreach (FiniteFieldKeyExchange g in new[] { KeyExchanges.Ffdhe2048, KeyExchanges.Ffdhe3072, KeyExchanges.Ffdhe4096, KeyExchanges.Ffdhe6144, KeyExchanges.Ffdhe8192 })
            {
                KnownAnswerTest.Expect(g.Name + " g", "02", g.Generator);
            }
        });
        yield return new("X25519MLKEM768 client side (ML-KEM by Python cryptography/OpenSSL 4.0, X25519 RFC 7748)", HybridClientKnownAnswer);
        yield return new("X25519MLKEM768 round trip and implicit rejection", HybridRoundTrip);
        yield return new("Key exchange round trip, every group, OS entropy", () =>
        {
            foreach (KeyExchangeAlgorithm kx in KeyExchanges.All)
            {
                using IKeyExchange initiator = kx.Generate(OsEntropy.Instance);
                using KeyExchangeResponse response = kx.Respond(initiator.PublicShare, OsEntropy.Instance);
                KnownAnswerTest.Expect(kx.Name + " agreement", CryptoUtil.ToHex(response.SharedSecret), initiator.DeriveSharedSecret(response.Share));
            }
        });
    }

    private static void Aead(AeadAlgorithm algorithm, string key, string nonce, string aad, string plain, string expected)
    {
        using IAead aead = Aeads.Create(algorithm, CryptoUtil.FromHex(key));
        byte[] p = CryptoUtil.FromHex(plain);
        byte[] sealedData = new byte[p.Length + aead.TagSize];
        aead.Seal(CryptoUtil.FromHex(nonce), CryptoUtil.FromHex(aad), p, sealedData);
        KnownAnswerTest.Expect(algorithm + " seal", expected, sealedData);
        byte[] opened = new byte[p.Length];
        KnownAnswerTest.Check(aead.TryOpen(CryptoUtil.FromHex(nonce), CryptoUtil.FromHex(aad), sealedData, opened), algorithm + " open failed");
        KnownAnswerTest.Expect(algorithm + " open", plain, opened);
        sealedData[sealedData.Length - 1] ^= 1;
        KnownAnswerTest.Check(!aead.TryOpen(CryptoUtil.FromHex(nonce), CryptoUtil.FromHex(aad), sealedData, opened), algorithm + " accepted a bad tag");
    }

    private static void Mac(HashAlgorithm hash, string keyHex, string dataHex, string expected)
    {
        byte[] mac = new byte[Hashes.OutputSize(hash)];
        Hmac.Compute(hash, CryptoUtil.FromHex(keyHex), CryptoUtil.FromHex(dataHex), mac);
        KnownAnswerTest.Expect("HMAC-" + hash, expected, mac);
    }

    private static void Montgomery(MontgomeryKeyExchange kx, string alicePrivate, string alicePublic, string bobPrivate, string bobPublic, string shared)
    {
        using IKeyExchange alice = kx.FromPrivateKey(CryptoUtil.FromHex(alicePrivate));
        using IKeyExchange bob = kx.FromPrivateKey(CryptoUtil.FromHex(bobPrivate));
        KnownAnswerTest.Expect(kx.Name + " Alice public", alicePublic, alice.PublicShare);
        KnownAnswerTest.Expect(kx.Name + " Bob public", bobPublic, bob.PublicShare);
        KnownAnswerTest.Expect(kx.Name + " Alice secret", shared, alice.DeriveSharedSecret(CryptoUtil.FromHex(bobPublic)));
        KnownAnswerTest.Expect(kx.Name + " Bob secret", shared, bob.DeriveSharedSecret(CryptoUtil.FromHex(alicePublic)));
    }

    private static void Ecdh(EcdhKeyExchange kx, string alicePrivate, string alicePublic, string bobPublic, string shared)
    {
        using IKeyExchange alice = kx.FromPrivateKey(CryptoUtil.FromHex(alicePrivate));
        KnownAnswerTest.Expect(kx.Name + " public", alicePublic, alice.PublicShare);
        KnownAnswerTest.Expect(kx.Name + " secret", shared, alice.DeriveSharedSecret(CryptoUtil.FromHex(bobPublic)));
    }

    private static void Ffdhe2048()
    {
        FiniteFieldKeyExchange kx = KeyExchanges.Ffdhe2048;
        const string ya =
            "5a900faa839225e37abfd47379ba3358064486868e2ff9272442b7ea5b1edfcee92da26c67a3d9729cf004c65a9b6e86228b2ecb839e54b1"
            + "444e47d3107347c86a4162d90f49f331bbc8ab88b4ec52c6c38915078b4d9f6234081f7c57f10a8148a233acd03ee8aa00d05d838c24e2b6"
            + "3bc440c3c0e739d460e655df42fde1eef0fe0fc426bd929456872506f180a78e2dbad27d96233b07bddbf8d749eff41cf771ca4b2427036d"
            + "3aa5d60696aa007b8c5463bacc83f72caf8c0428a74086356b6260af832172974971a793c42ee2b57f47fe3e603ac6d325e698833b6ee9ea"
            + "882185c443acf63ba12f700c64eba35bdba8c3123fb063308af91c24079460a1";
        const string yb =
            "afe4196610e2750c635a83c3f7f904953e96f37fc7d2886ded582452bfc6771fe0eff1f5805b46f1212c4dc1072991f0e9728392045b6c93"
            + "4b8a9d336b5d6963bff722d6845c695beafb04edad5c7e62de4bed1bd9b01d91e23af4bd77637e7155914ceee3fca81817a15120e4a90754"
            + "94f87e7aa77deeafd625665ddb0e011f58d07c7625e8540b80a07baa99bf9a69afc80bfff1a5c05d21adce389d98cfd2c9b4350fcd927c6d"
            + "bb2ee8452c84ec253e561caefc74a316ca342db9298865ec6b3369e93d7865ad4e8a85f72c43e11beb8d5883170cab5f4e49ea7fed8c6702"
            + "7ad6f481551edeb641e462453d935d46b990c6035426a53a27d755938a175c61";
        const string z =
            "001cec701fccaab21190efe58b6ed6ff37e6d6016055f50134dfa0d6a5ef19b829fe4202eecf7f30c2c20b9b69486672e331701a87ce895c"
            + "5200b07158a60c99c7283f7f31fa3df1a83454b653c8e12aa0a2752a6b82ea13e0ae4bc62c4330bb88af38b8390405bc84fb89211350f882"
            + "9f1b4112b43796cf4638d72381cc6b12b261144c13454f16f5df030bc0d6054490fb0ececfcf67ff43d398ea0fba91ef4ccc259261474a60"
            + "3893955befc102314a03ca073a84d55e3c3da7ba98c14aa3466f61572aac2fe40490d7a016fb23bd44986c40a9d0f56738df8b789003d820"
            + "67fa8a173eb945dfcf7e60c3eab73382ed9482450e44ab6ba749f16b098bc804";
        using IKeyExchange alice = kx.FromPrivateKey(CryptoUtil.FromHex("ec62187000ad83be33e8d8d82f171bb04770ac3c53a89b3f58fce6b56ade0d71"));
        using IKeyExchange bob = kx.FromPrivateKey(CryptoUtil.FromHex("db1030e72ed9b680a28c497e1a95ce65741609ada6c536396f63db94274573be"));
        KnownAnswerTest.Expect("ffdhe2048 Ya", ya, alice.PublicShare);
        KnownAnswerTest.Expect("ffdhe2048 Yb", yb, bob.PublicShare);
        byte[] secret = alice.DeriveSharedSecret(bob.PublicShare);
        KnownAnswerTest.Expect("ffdhe2048 Z (TLS 1.3, padded)", z, secret);
        KnownAnswerTest.Expect("ffdhe2048 Z (Bob)", z, bob.DeriveSharedSecret(alice.PublicShare));
        byte[] premaster = kx.ToTls12PremasterSecret(secret);
        KnownAnswerTest.Expect("ffdhe2048 TLS 1.2 premaster (leading zero stripped)", z.Substring(2), premaster);
    }

    private static void HybridClientKnownAnswer()
    {
        // ML-KEM-768 seed d || z, the encapsulation key's SHA-256, and a ciphertext with its shared secret,
        // all produced by the Python cryptography package (OpenSSL 4.0's ML-KEM); the X25519 halves are
        // RFC 7748 section 6.1's Alice (client) and Bob (server).
        const string ciphertext =
            "9a80ca2a162a78907126b3301da186a08368091bc98b9e055ce3211e8c7807dd599a49e99ce67949ccc92c0af4a2bce41104810f634e37d0"
            + "f0d8bf61e9ea159c11c2bc79c75fd0f04c973420101fd74da9a69418af2fa2329af7736a8079a0e0cb54ce9622b7afe75042ba36f2bb644b"
            + "3bebdf4c4f49350d7ca18e2a1803b0d77bd88ddf51d548ea6d8302b7b6f772aa90d68b48f8cf1ae9e4528fe03149bb119d27974af230e560"
            + "3d8e421b0e93e592313d3dcc46293fe9d53fcd46e4562d4bc2146e0839d1b63209218e0667a8330735bd1de41e03e6bc3c3d59397820a272"
            + "08eccb847e04a42c27849cce6491e99d311ad2ee17f0a4cde526ad93e2c455a13b1850cad1f97f44c59580be1ccf83be7f2cbd591445fe17"
            + "9c9e16b37c359472f4db355f0a8524fa85c8363b68859f8f3c982dfc5364ee440ce713459ae96d8fea8ece2dd5ce8a9b633fe25784e36a4c"
            + "821c27486b1ad54039aa93e6f332905652f1df6ad73ed53529f991ea3a9f2048d0f5de8d9c20b7db3a7463cf3992b82f6caebb071c268a74"
            + "69b63550a1c27c5e0ae8eab9d0046df8a6ff1d7828f2b0e373613cd8005d41596e2bb5dd0dd3917a0f4e41d1e9f62be56ecfc991889d5f36"
            + "73627d94cd8e283145a8d5a42b1bc776adb84c344a6d8adcb5996d79524fa7f7a9825ba7910a6e7397bade9dbb7bf6ca24cee2f581f9cc7e"
            + "520eaa036f4ad170607082f9e267ddb969952bbc09fbd8c8e7a4a9533094e3755b0a2638da338522922357c89b50cb8cb85c0969c4344274"
            + "19878dda423e3dcbf06c8de4e3be5d3be4c4b070a2579bf46b365e47287e7af801170010518d3ecc608a842debe1de973eb863825dfd6c5e"
            + "816eaa1c4cdcd0ca7255f14448eae7cee01c754e68d7ccf4c7d09194e8b7720518dcfe50ab04812d245492d5e6d48774c4d32396b8890907"
            + "bbf9182ec3221d69cfb6b4ea100440527c094058aea724a68217ea212c4dd54aeb20da80a26cd693fd75ebb300ac7a2b34e1169a966578a6"
            + "7cd1028f9e956e734fa5617a9fc218ed3bbb6befe1ebaf1fedc7fe2e7a3cf4d0a419de533bdb4f5b8ea029d8863a973bc39b1cc5748e50be"
            + "e2a83fef317f5415b4b572fea916dad227df6946103c0a5967c59d78882ee5fdbcde4f38b08923a0dd691e429bba6064968e891642674ebd"
            + "d5171af1765b57c1743618df4f93f3ac4f96a5c4cf89914e2fc0c980d518796f0ed0ff791d3bf0b491cc9bf31b8bf875e254b8948fe56b53"
            + "1dd9a3b370318acb7aeeab3ff1a058021069b0eea262c65f1b19bc401d768b55ea853f874a69ebbc6337a5275950b01768bf505c04761695"
            + "524d0f164c110df20c1626c06a8df02650bac54b46da89580eeb1f09b588cdf1a09012f05da159ebfe4b6c5b8254bd2841f8c8a8fc4c438b"
            + "adbaea24dcd331f97cd38df564130feb6ba15418851b09d188c5dce37a8807a97505dba22605fb93f993bbd39e3a7b9d77a6688c2ca12ec4"
            + "9a57f2c43221a395f7d32a0cc1a3f9f205692121d3a81e70";
        var kx = (X25519MlKem768KeyExchange)KeyExchanges.X25519MlKem768;
        using IKeyExchange client = kx.FromSeeds(
            CryptoUtil.FromHex("c4367ff52677db6e11af7107c15f6a83bb2c7819e1009a9218558dd2212b2d26cf4ec12d1657640c89574bc45667815204288041e2b8c8c59cc58ef366a7f070"),
            CryptoUtil.FromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        KnownAnswerTest.Expect("SHA-256 of the encapsulation key", "ba6e893dbde05bce3b61543fe1108e6129db2efe6ea6ef623b9d0503a63d8ef3", Hashes.Compute(HashAlgorithm.Sha256, client.PublicShare.Slice(0, 1184)));
        KnownAnswerTest.Expect("X25519 half of the client share", "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", client.PublicShare.Slice(1184));
        byte[] serverShare = CryptoUtil.FromHex(ciphertext + "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        KnownAnswerTest.Expect(
            "hybrid shared secret",
            "e9443cdb99b03c56da9a822386d3ba4b2d767f2b39d9db7f086e8129240a554c" + "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
            client.DeriveSharedSecret(serverShare));
    }

    private static void HybridRoundTrip()
    {
        KeyExchangeAlgorithm kx = KeyExchanges.X25519MlKem768;
        var clientEntropy = new ReplayEntropy(Hashes.Compute(HashAlgorithm.Sha512, "hybrid client"u8), repeat: true);
        var serverEntropy = new ReplayEntropy(Hashes.Compute(HashAlgorithm.Sha512, "hybrid server"u8), repeat: true);
        using IKeyExchange client = kx.Generate(clientEntropy);
        KnownAnswerTest.Check(client.PublicShare.Length == 1216, "client share is not 1216 bytes");
        using KeyExchangeResponse server = kx.Respond(client.PublicShare, serverEntropy);
        KnownAnswerTest.Check(server.Share.Length == 1120, "server share is not 1120 bytes");
        byte[] clientSecret = client.DeriveSharedSecret(server.Share);
        KnownAnswerTest.Check(server.SharedSecret.Length == 64, "shared secret is not 64 bytes");
        KnownAnswerTest.Expect("client secret equals server secret", CryptoUtil.ToHex(server.SharedSecret), clientSecret);

        // The X25519 half must equal a plain X25519 exchange of the same keys.
        byte[] x25519 = ((MontgomeryKeyExchange)KeyExchanges.X25519).Agree(
            Hashes.Compute(HashAlgorithm.Sha512, "hybrid client"u8).AsSpan(0, 32).ToArray(), server.Share.AsSpan(1088));
        KnownAnswerTest.Expect("X25519 half", CryptoUtil.ToHex(x25519), clientSecret.AsSpan(32));

        byte[] tampered = (byte[])server.Share.Clone();
        tampered[100] ^= 0x01;
        byte[] rejected = client.DeriveSharedSecret(tampered);
        KnownAnswerTest.Check(!CryptoUtil.FixedTimeEquals(rejected.AsSpan(0, 32), clientSecret.AsSpan(0, 32)), "tampered ciphertext gave the same ML-KEM secret");
        KnownAnswerTest.Expect("tampered ciphertext keeps the X25519 half", CryptoUtil.ToHex(clientSecret.AsSpan(32)), rejected.AsSpan(32));
    }
}
