using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.SelfTest;

/// <summary>Known answers for the wire codecs: RFC 8448 section 3 messages, built and parsed.</summary>
internal static class WireKnownAnswers
{
    private const string ClientHelloHex =
        "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b" +
        "0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d0020" +
        "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308" +
        "040805080604010501060102010402050206020202002d00020101001c00024001";

    private const string ServerHelloHex =
        "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c982" +
        "8876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";

    /// <summary>The wire layer's known-answer tests.</summary>
    public static IEnumerable<KnownAnswerTest> All()
    {
        yield return new("Wire: RFC 8448 ClientHello built from fields", () =>
        {
            var ch = new ClientHello(
                ProtocolVersion.Tls12,
                CryptoUtil.FromHex("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"),
                [],
                [TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384],
                [0],
                new ExtensionBlock()
                    .Add(new ServerNameExtension("server"))
                    .Add(new RenegotiationInfoExtension([]))
                    .Add(new SupportedGroupsExtension([NamedGroup.X25519, NamedGroup.Secp256r1, NamedGroup.Secp384r1, NamedGroup.Secp521r1, NamedGroup.Ffdhe2048, NamedGroup.Ffdhe3072, NamedGroup.Ffdhe4096, NamedGroup.Ffdhe6144, NamedGroup.Ffdhe8192]))
                    .Add(new SessionTicketExtension([]))
                    .Add(new KeyShareClientHello([new KeyShareEntry(NamedGroup.X25519, CryptoUtil.FromHex("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"))]))
                    .Add(new SupportedVersionsClientHello([ProtocolVersion.Tls13]))
                    .Add(new SignatureAlgorithmsExtension([
                        SignatureScheme.EcdsaSecp256r1Sha256, SignatureScheme.EcdsaSecp384r1Sha384, SignatureScheme.EcdsaSecp521r1Sha512, SignatureScheme.EcdsaSha1,
                        SignatureScheme.RsaPssRsaeSha256, SignatureScheme.RsaPssRsaeSha384, SignatureScheme.RsaPssRsaeSha512,
                        SignatureScheme.RsaPkcs1Sha256, SignatureScheme.RsaPkcs1Sha384, SignatureScheme.RsaPkcs1Sha512, SignatureScheme.RsaPkcs1Sha1,
                        (SignatureScheme)0x0402, (SignatureScheme)0x0502, (SignatureScheme)0x0602, (SignatureScheme)0x0202]))
                    .Add(new PskKeyExchangeModesExtension([1]))
                    .Add(new RecordSizeLimitExtension(0x4001)));
            KnownAnswerTest.Expect("ClientHello", ClientHelloHex, ch.Encode());
        });
        yield return new("Wire: RFC 8448 ServerHello parsed", () =>
        {
            byte[] bytes = CryptoUtil.FromHex(ServerHelloHex);
            var sh = (ServerHello)HandshakeMessage.Read(bytes, WireContext.Tls13);
            KnownAnswerTest.Check(!sh.IsHelloRetryRequest, "not a HelloRetryRequest");
            KnownAnswerTest.Check(sh.SelectedVersion == ProtocolVersion.Tls13, "selected TLS 1.3");
            KnownAnswerTest.Check(sh.CipherSuite == TlsCipherSuite.TLS_AES_128_GCM_SHA256, "suite");
            KeyShareEntry share = sh.Extensions.Get<KeyShareServerHello>()?.Share ?? throw new InvalidOperationException("no key_share");
            KnownAnswerTest.Expect("server share", "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f", share.KeyExchange);
            KnownAnswerTest.Expect("re-encoded", ServerHelloHex, sh.Encode());
        });
        yield return new("Wire: malformed ClientHello is decode_error", () =>
        {
            byte[] bytes = CryptoUtil.FromHex(ClientHelloHex);
            try
            {
                HandshakeMessage.Read(bytes.AsSpan(0, bytes.Length - 1), WireContext.Tls13);
            }
            catch (TlsAlertException e) when (e.Description == AlertDescription.DecodeError)
            {
                return;
            }

            throw new InvalidOperationException("truncated ClientHello was accepted");
        });
    }
}
